"""Questions to the raiser and the raiser's own information: the people handling a case ask, the raiser answers
(a named raiser on their case page, an anonymous one through the 16-digit receipt, stored as nobody). Refusals
(someone else's case, a wrong receipt, a closed case, an empty text) write nothing; wrong receipts are counted
against the client and rate-limited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongkai.cases import actions, receipts
from gongkai.cases.choices import EventKind
from gongkai.cases.models import Case, CaseEvent
from gongkai.core import ledger
from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry, Notification
from gongkai.org.models import Person

pytestmark = pytest.mark.django_db


def snapshot(case):
    """Everything a refused question or note could have written."""
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def wrong_receipt(right: str) -> str:
    return "9" * 16 if right != "9" * 16 else "8" * 16


def ask_step(client, case, text):
    revision = Case.objects.get(pk=case.pk).revision
    return client.post(
        reverse("cases:work_act", args=[case.pk, "ask"]), {"ask-revision": revision, "ask-text": text}
    )


@pytest.fixture
def anonymous(alice, tree):
    return actions.raise_case(
        actor=alice, unit=tree["MA1"], title="匿名反映", text="班组长克扣奖金。", anonymous=True
    )


@pytest.fixture
def anon_assigned(anonymous, uma, depts, hank, today):
    actions.accept(anonymous.case, actor=uma)
    actions.assign(anonymous.case, actor=uma, handling_unit=depts["MAHR"], handler=hank)
    return anonymous


# ------------------------------------------------------------------------------------------ named raiser


def test_staff_ask_and_the_named_raiser_answers(client, assigned, alice, uma, hank, hugo, english):
    client.force_login(uma)
    staff_page = client.get(reverse("cases:work_case", args=[assigned.pk])).content.decode()
    assert "Ask the raiser" in staff_page
    response = ask_step(client, assigned, "热水不足是几点到几点？")
    assert response.status_code == 302
    question = CaseEvent.objects.get(case=assigned, kind=EventKind.QUESTION)
    assert question.actor_id == uma.pk and question.public and question.text == "热水不足是几点到几点？"
    assert AuditEntry.objects.filter(action="cases.ask_raiser", actor_id=uma.pk).exists()
    assert Notification.objects.filter(person=alice, kind="cases.question").count() == 1

    client.force_login(alice)
    mine = client.get(reverse("cases:my_case", args=[assigned.pk])).content.decode()
    assert "热水不足是几点到几点？" in mine and "Question to the raiser" in mine
    assert "Add information or answer a question" in mine
    response = client.post(
        reverse("cases:my_case_note", args=[assigned.pk]), {"text": "夜里十二点以后没有热水。"}
    )
    assert response.status_code == 302
    note = CaseEvent.objects.get(case=assigned, kind=EventKind.RAISER_NOTE)
    assert note.actor_id == alice.pk and note.public and note.text == "夜里十二点以后没有热水。"
    entry = AuditEntry.objects.get(action="cases.raiser_note")
    assert entry.actor_id == alice.pk and "text_sha256" in entry.change
    # the handlers and the one who asked are told
    notified = set(Notification.objects.filter(kind="cases.raiser_note").values_list("person_id", flat=True))
    assert notified == {hank.pk, hugo.pk, uma.pk}
    # both show in the public timeline and on the staff page
    mine = client.get(reverse("cases:my_case", args=[assigned.pk])).content.decode()
    assert "夜里十二点以后没有热水。" in mine and "Information from the raiser" in mine
    client.force_login(hank)
    staff_page = client.get(reverse("cases:work_case", args=[assigned.pk])).content.decode()
    assert "热水不足是几点到几点？" in staff_page and "夜里十二点以后没有热水。" in staff_page
    assert ledger.verify().ok


def test_a_handler_may_ask_too(assigned, hank, alice):
    actions.ask_raiser(assigned, actor=hank, text="请提供具体日期。")
    assert CaseEvent.objects.filter(case=assigned, kind=EventKind.QUESTION, actor=hank).exists()


def test_the_raiser_may_add_information_without_a_question(raised, alice):
    """Before anyone handles the case: information is added, and there is nobody to notify yet."""
    actions.add_raiser_note(raised, actor=alice, text="补充：二号澡堂也一样。")
    assert CaseEvent.objects.filter(case=raised, kind=EventKind.RAISER_NOTE, actor=alice).exists()
    assert not Notification.objects.filter(kind="cases.raiser_note").exists()


def test_the_same_note_sent_twice_is_added_once(assigned, alice, english):
    actions.add_raiser_note(assigned, actor=alice, text="补充说明")
    before = snapshot(assigned)
    with pytest.raises(ValidationError, match="already on the case"):
        actions.add_raiser_note(assigned, actor=alice, text="补充说明")
    assert snapshot(assigned) == before


# ------------------------------------------------------------------------------------------ anonymous raiser


def test_the_receipt_holder_answers_and_nobody_is_named(client, anon_assigned, alice, uma, hank, english):
    case = anon_assigned.case
    actions.ask_raiser(case, actor=uma, text="是哪个班组？")
    assert not Notification.objects.filter(kind="cases.question").exists()  # nobody to tell

    page = client.post(reverse("cases:receipt"), {"receipt": anon_assigned.receipt}).content.decode()
    assert "是哪个班组？" in page and reverse("cases:receipt_note") in page
    # even logged in as herself, what she sends through the receipt names nobody
    client.force_login(alice)
    alice_row = Person.objects.filter(pk=alice.pk).values().get()  # after the login (its last_login)
    response = client.post(
        reverse("cases:receipt_note"), {"receipt": anon_assigned.receipt, "text": "综采一区二班。"}
    )
    assert response.status_code == 200
    assert "综采一区二班。" in response.content.decode() and "no-store" in response["Cache-Control"]
    assert "your information is added" in response.content.decode()

    note = CaseEvent.objects.filter(case=case, kind=EventKind.RAISER_NOTE).values().get()
    assert note["actor_id"] is None and note["text"] == "综采一区二班。"
    entry = AuditEntry.objects.filter(action="cases.raiser_note").values().get()
    assert entry["actor_id"] is None and entry["actor_label"] == ""
    assert set(entry["change"]) == {"text_sha256"}
    for value in (entry["change"], entry["object_repr"]):
        assert alice.name not in repr(value) and alice.employee_no not in repr(value)
    assert not AuditEntry.objects.filter(actor_id=alice.pk).exists()
    assert not CaseEvent.objects.filter(case=case, actor=alice).exists()
    assert Case.objects.get(pk=case.pk).raiser_id is None
    assert Person.objects.filter(pk=alice.pk).values().get() == alice_row  # not even a timestamp moved
    assert not Notification.objects.filter(person=alice).exists()
    assert Notification.objects.filter(person=hank, kind="cases.raiser_note").exists()
    assert Notification.objects.filter(person=uma, kind="cases.raiser_note").exists()
    assert ledger.verify().ok


def test_an_anonymous_case_takes_no_note_without_its_receipt(anon_assigned, alice, english):
    """Her being the person who raised it is not known, and must not be: only the receipt counts."""
    case = anon_assigned.case
    before = snapshot(case)
    with pytest.raises(ValidationError, match="receipt does not match"):
        actions.add_raiser_note(case, actor=alice, text="我是提出人")
    assert snapshot(case) == before


def test_a_wrong_receipt_is_refused_and_counted(anon_assigned, bob, settings, english):
    settings.GONGKAI_RECEIPT_ATTEMPTS = 3
    case = anon_assigned.case
    before = snapshot(case)
    wrong = wrong_receipt(anon_assigned.receipt)
    for guess in (wrong, "12345"):
        with pytest.raises(ValidationError, match="receipt does not match") as refused:
            actions.add_raiser_note(case, actor=bob, text="猜", receipt=guess, client_key="10.1.1.1")
        assert refused.value.code == "not_raiser"
    assert not receipts.is_locked_out("10.1.1.1")
    with pytest.raises(ValidationError):
        actions.add_raiser_note(case, actor=None, text="猜", receipt=wrong, client_key="10.1.1.1")
    assert receipts.is_locked_out("10.1.1.1")
    # locked out: even the right receipt is refused from that client until the window has passed
    with pytest.raises(ValidationError, match="Too many wrong receipts") as refused:
        actions.add_raiser_note(
            case, actor=None, text="对的", receipt=anon_assigned.receipt, client_key="10.1.1.1"
        )
    assert refused.value.code == "rate_limited"
    assert snapshot(case) == before
    # another client with the receipt is not affected
    actions.add_raiser_note(
        case, actor=None, text="对的", receipt=anon_assigned.receipt, client_key="10.1.1.2"
    )


def test_a_wrong_receipt_over_http_is_refused_and_counted(client, anon_assigned, settings, english):
    settings.GONGKAI_RECEIPT_ATTEMPTS = 2
    case = anon_assigned.case
    before = snapshot(case)
    url = reverse("cases:receipt_note")
    wrong = wrong_receipt(anon_assigned.receipt)
    response = client.post(url, {"receipt": wrong, "text": "猜"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 400 and "No case has this receipt" in response.content.decode()
    response = client.post(url, {"receipt": "x", "text": "猜"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 400
    response = client.post(url, {"receipt": anon_assigned.receipt, "text": "猜"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 429 and "Too many wrong receipts" in response.content.decode()
    assert "班组长克扣奖金。" not in response.content.decode()
    assert snapshot(case) == before
    assert client.get(url).status_code == 405  # POST only: a receipt never goes into a URL


def test_an_empty_anonymous_note_is_refused_over_http(client, anon_assigned, english):
    case = anon_assigned.case
    before = snapshot(case)
    response = client.post(reverse("cases:receipt_note"), {"receipt": anon_assigned.receipt, "text": "  "})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert snapshot(case) == before


# ----------------------------------------------------------------------------------------- refusals


def test_bob_can_neither_ask_nor_answer_on_alices_case(client, assigned, bob, english):
    before = snapshot(assigned)
    with pytest.raises(AccessDenied):
        actions.ask_raiser(assigned, actor=bob, text="我来问")
    with pytest.raises(ValidationError, match="Only the person who raised this case") as refused:
        actions.add_raiser_note(assigned, actor=bob, text="我来答")
    assert refused.value.code == "not_raiser"
    with pytest.raises(ValidationError):
        actions.add_raiser_note(assigned, actor=None, text="匿名冒充")
    client.force_login(bob)
    assert client.post(reverse("cases:my_case_note", args=[assigned.pk]), {"text": "x"}).status_code == 404
    assert ask_step(client, assigned, "x").status_code == 404
    assert snapshot(assigned) == before


def test_staff_of_another_mine_cannot_ask(assigned, henri):
    before = snapshot(assigned)
    with pytest.raises(AccessDenied):
        actions.ask_raiser(assigned, actor=henri, text="二矿来问")
    assert snapshot(assigned) == before


def test_a_closed_case_takes_neither_questions_nor_notes(client, assigned, alice, uma, hank, english):
    actions.reply(assigned, actor=hank, text="已处理")
    actions.close(assigned, actor=uma)
    before = snapshot(assigned)
    with pytest.raises(ValidationError, match="closed") as refused:
        actions.ask_raiser(assigned, actor=uma, text="还有问题吗？")
    assert refused.value.code == "closed"
    with pytest.raises(ValidationError, match="closed") as refused:
        actions.add_raiser_note(assigned, actor=alice, text="还有补充")
    assert refused.value.code == "closed"
    # the pages no longer offer it, and a form from an older page is refused
    client.force_login(uma)
    assert "Ask the raiser" not in client.get(reverse("cases:work_case", args=[assigned.pk])).content.decode()
    assert ask_step(client, assigned, "还有问题吗？").status_code == 409
    client.force_login(alice)
    page = client.get(reverse("cases:my_case", args=[assigned.pk])).content.decode()
    assert "Add information or answer a question" not in page
    response = client.post(reverse("cases:my_case_note", args=[assigned.pk]), {"text": "还有补充"})
    assert response.status_code == 400 and "This case is closed" in response.content.decode()
    assert snapshot(assigned) == before


def test_a_merged_or_anonymous_closed_case_is_refused(anon_assigned, raised, uma, hank, english):
    case = anon_assigned.case
    actions.merge(raised, actor=uma, into=case)
    before = snapshot(raised)
    with pytest.raises(ValidationError, match="merged into case") as refused:
        actions.ask_raiser(raised, actor=uma, text="问")
    assert refused.value.code == "merged"
    assert snapshot(raised) == before
    actions.reply(case, actor=hank, text="已处理")
    actions.close(case, actor=uma)
    before = snapshot(case)
    with pytest.raises(ValidationError, match="closed"):
        actions.add_raiser_note(case, actor=None, text="补充", receipt=anon_assigned.receipt, client_key="k")
    assert snapshot(case) == before
    assert not receipts.is_locked_out("k")


def test_empty_texts_are_refused(client, assigned, alice, uma, english):
    before = snapshot(assigned)
    with pytest.raises(ValidationError, match="Write the question") as refused:
        actions.ask_raiser(assigned, actor=uma, text="   ")
    assert refused.value.code == "required"
    with pytest.raises(ValidationError, match="Write the information or answer") as refused:
        actions.add_raiser_note(assigned, actor=alice, text="\n ")
    assert refused.value.code == "required"
    with pytest.raises(ValidationError, match="longer than"):
        actions.add_raiser_note(assigned, actor=alice, text="长" * (actions.TEXT_MAX + 1))
    client.force_login(uma)
    assert ask_step(client, assigned, "").status_code == 400
    client.force_login(alice)
    assert client.post(reverse("cases:my_case_note", args=[assigned.pk]), {"text": " "}).status_code == 400
    assert snapshot(assigned) == before


def test_a_stale_question_form_is_refused(client, assigned, uma, english):
    client.force_login(uma)
    revision = Case.objects.get(pk=assigned.pk).revision
    actions.chase(assigned, actor=uma, text="督办")
    before = snapshot(assigned)
    response = client.post(
        reverse("cases:work_act", args=[assigned.pk, "ask"]), {"ask-revision": revision, "ask-text": "问题"}
    )
    assert response.status_code == 409
    assert snapshot(assigned) == before
