"""Pages of the raiser: raising (named and anonymous, over HTTP), my cases and their public timelines, rating,
reading an anonymous case with its receipt (POST only, rate-limited per client address), and the consultation
desks with their FAQ. alice (一矿) and bob (二矿) prove who must not see what."""

import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.cases import actions, receipts
from gongkai.cases.choices import CaseStatus, ConsultationTopic, EventKind, Satisfaction, SourceKind
from gongkai.cases.models import Case, CaseEvent, ConsultationDesk, FaqEntry
from gongkai.cases.raiser_panels import my_cases_panel
from gongkai.core.access import get_scope
from gongkai.core.models import AuditEntry

pytestmark = pytest.mark.django_db

AUTH_SESSION_KEYS = {"_auth_user_id", "_auth_user_backend", "_auth_user_hash"}


def _raise(client, unit, **extra):
    data = {"unit": unit.pk, "title": "井口班车太少", "text": "早班六点只有一趟班车。"} | extra
    return client.post(reverse("cases:raise"), data)


def _receipt_in(response) -> str:
    match = re.search(rb"(\d{4} \d{4} \d{4} \d{4})", response.content)
    assert match, "the receipt is shown"
    return match.group(1).decode().replace(" ", "")


@pytest.fixture
def desks(tree, uma):
    ma = ConsultationDesk.objects.create(unit=tree["MA"], topic=ConsultationTopic.ANNUITY)
    mb = ConsultationDesk.objects.create(unit=tree["MB"], topic=ConsultationTopic.HOUSING_FUND)
    FaqEntry.objects.create(
        desk=ma, question="年金什么时候能领？", answer="退休时按月领取。", published_by=uma
    )
    FaqEntry.objects.create(desk=mb, question="公积金怎么提取？", answer="购房时提取。", published_by=uma)
    return {"MA": ma, "MB": mb}


# ------------------------------------------------------------------------------------------------ raising


def test_pages_need_a_login(client):
    for name in ("cases:raise", "cases:mine", "cases:desks"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_raise_a_named_case(client, alice, tree):
    client.force_login(alice)
    page = client.get(reverse("cases:raise"))
    assert page.status_code == 200
    assert "二矿" not in page.content.decode()  # only her unit and those above it are offered
    response = _raise(client, tree["MA1"])
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:my_case", args=[case.pk])
    assert case.raiser == alice and not case.is_anonymous and case.source == SourceKind.DIRECT
    detail = client.get(response["Location"]).content.decode()
    assert "井口班车太少" in detail and 'id="timeline"' in detail


def test_raise_in_a_unit_that_is_not_hers_is_refused(client, alice, tree, english):
    client.force_login(alice)
    response = _raise(client, tree["MB1"])
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_raise_with_an_empty_text_is_refused(client, alice, tree, english):
    client.force_login(alice)
    response = _raise(client, tree["MA1"], text="   ")
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Case.objects.exists() and not AuditEntry.objects.filter(action="cases.raise").exists()


def test_an_anonymous_raise_over_http_keeps_nothing_naming_her(client, alice, tree, caplog):
    client.force_login(alice)
    session_before = dict(client.session.items())
    with caplog.at_level(logging.DEBUG):
        response = _raise(client, tree["MA1"], anonymous="on")
    assert response.status_code == 200  # rendered directly: no redirect carrying anything
    receipt = _receipt_in(response)
    assert len(receipt) == 16
    assert "no-store" in response["Cache-Control"]
    # the case, its events and the ledger name nobody
    case = Case.objects.get()
    assert case.is_anonymous and case.raiser_id is None
    assert case.receipt_hash == receipts.receipt_hash(receipt)
    row = Case.objects.filter(pk=case.pk).values().get()
    assert alice.name not in repr(row) and alice.employee_no not in repr(row) and receipt not in repr(row)
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", "actor_id")) == [
        (EventKind.RAISED, None)
    ]
    entry = AuditEntry.objects.get(action="cases.raise")
    assert entry.actor_id is None and entry.actor_label == ""
    assert alice.name not in repr(entry.change) and str(alice.pk) not in str(entry.change.get("raiser", ""))
    assert not AuditEntry.objects.filter(actor_id=alice.pk).exists()
    # the session and the cookies carry nothing new (no message, no receipt, no case id)
    assert dict(client.session.items()) == session_before
    assert set(client.session.keys()) <= AUTH_SESSION_KEYS
    assert "messages" not in response.cookies
    assert set(response.cookies) <= {"csrftoken"}  # only the form's CSRF token
    assert receipt not in str(response.cookies)
    # nothing logged about it
    logged = caplog.text
    assert receipt not in logged and receipts.display(receipt) not in logged
    assert alice.name not in logged and alice.employee_no not in logged
    # and it is not among her cases
    mine = client.get(reverse("cases:mine")).content.decode()
    assert "井口班车太少" not in mine
    assert client.get(reverse("cases:my_case", args=[case.pk])).status_code == 404


# ------------------------------------------------------------------------------------------- my cases


def _many(alice, tree, n):
    for i in range(n):
        actions.raise_case(actor=alice, unit=tree["MA1"], title=f"事项{i}", text="内容")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_cases_list_has_a_fixed_number_of_queries(client, alice, tree):
    client.force_login(alice)
    url = reverse("cases:mine")
    _many(alice, tree, 2)
    few = _count(client, url)
    _many(alice, tree, 25)
    many = _count(client, url)
    assert few == many
    assert "事项24" in client.get(url).content.decode()


def test_bob_sees_neither_alices_cases_nor_their_timeline(client, alice, bob, raised):
    client.force_login(bob)
    assert raised.title not in client.get(reverse("cases:mine")).content.decode()
    assert client.get(reverse("cases:my_case", args=[raised.pk])).status_code == 404
    response = client.post(reverse("cases:rate", args=[raised.pk]), {"satisfaction": Satisfaction.SATISFIED})
    assert response.status_code == 404


def test_the_timeline_shows_public_events_only(client, alice, assigned, uma):
    actions.add_event(assigned, EventKind.CHASED, uma, "内部督办说明", public=False)
    client.force_login(alice)
    page = client.get(reverse("cases:my_case", args=[assigned.pk])).content.decode()
    assert "内部督办说明" not in page
    assert "一矿人力资源部" in page  # the public assignment event


def test_the_raiser_rates_a_reply(client, alice, assigned, hank):
    actions.reply(assigned, actor=hank, text="已增加热水锅炉。")
    client.force_login(alice)
    page = client.get(reverse("cases:my_case", args=[assigned.pk])).content.decode()
    assert "已增加热水锅炉。" in page and 'id="rate"' in page
    response = client.post(
        reverse("cases:rate", args=[assigned.pk]),
        {"satisfaction": Satisfaction.BASICALLY_SATISFIED, "comment": "好多了"},
    )
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == CaseStatus.RATED and assigned.satisfaction == Satisfaction.BASICALLY_SATISFIED


def test_a_rating_without_a_reply_or_with_a_bad_choice_is_refused(client, alice, assigned, english):
    client.force_login(alice)
    url = reverse("cases:rate", args=[assigned.pk])
    response = client.post(url, {"satisfaction": Satisfaction.SATISFIED})
    assert response.status_code == 400 and "There is no reply to rate yet." in response.content.decode()
    response = client.post(url, {"satisfaction": "excellent"})
    assert response.status_code == 400
    assigned.refresh_from_db()
    assert assigned.status == CaseStatus.ASSIGNED and assigned.satisfaction == ""
    assert not CaseEvent.objects.filter(case=assigned, kind=EventKind.RATED).exists()


def test_rating_is_post_only(client, alice, raised):
    client.force_login(alice)
    assert client.get(reverse("cases:rate", args=[raised.pk])).status_code == 405


# --------------------------------------------------------------------------------------------- receipts


@pytest.fixture
def anonymous(alice, tree):
    return actions.raise_case(
        actor=alice, unit=tree["MA1"], title="匿名反映", text="班组长克扣奖金。", anonymous=True
    )


def _assign_and_reply(case, uma, depts, hank, text="已核实并整改。"):
    actions.accept(case, actor=uma)
    actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank)
    actions.reply(case, actor=hank, text=text)


def test_the_receipt_opens_the_anonymous_case_by_post_only(client, anonymous):
    assert client.get(reverse("cases:receipt")).status_code == 200  # the form
    response = client.post(reverse("cases:receipt"), {"receipt": receipts.display(anonymous.receipt)})
    assert response.status_code == 200
    assert "班组长克扣奖金。" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # a receipt in the URL opens nothing
    page = client.get(reverse("cases:receipt"), {"receipt": anonymous.receipt}).content.decode()
    assert "班组长克扣奖金。" not in page


def test_guessing_receipts_is_limited_per_client_address(client, anonymous, settings, english):
    settings.GONGKAI_RECEIPT_ATTEMPTS = 3
    url = reverse("cases:receipt")
    for guess in ("1111222233334444", "12", "5555666677778888"):
        response = client.post(url, {"receipt": guess}, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 400
    response = client.post(url, {"receipt": anonymous.receipt}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429 and "Too many wrong receipts" in response.content.decode()
    assert "班组长克扣奖金。" not in response.content.decode()
    # another address is not locked out
    response = client.post(url, {"receipt": anonymous.receipt}, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 200 and "班组长克扣奖金。" in response.content.decode()


def test_the_receipt_holder_rates_the_reply(client, anonymous, uma, depts, hank):
    case = anonymous.case
    _assign_and_reply(case, uma, depts, hank)
    page = client.post(reverse("cases:receipt"), {"receipt": anonymous.receipt}).content.decode()
    assert "已核实并整改。" in page and reverse("cases:receipt_rate") in page
    response = client.post(
        reverse("cases:receipt_rate"),
        {"receipt": anonymous.receipt, "satisfaction": Satisfaction.SATISFIED},
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.RATED and case.satisfaction == Satisfaction.SATISFIED
    rated = CaseEvent.objects.get(case=case, kind=EventKind.RATED)
    assert rated.actor_id is None


def test_a_wrong_receipt_cannot_rate_and_counts_as_a_guess(client, anonymous, uma, depts, hank, english):
    case = anonymous.case
    _assign_and_reply(case, uma, depts, hank)
    response = client.post(
        reverse("cases:receipt_rate"),
        {"receipt": "0000000000000000", "satisfaction": Satisfaction.DISSATISFIED},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 400 and "No case has this receipt" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.REPLIED and case.satisfaction == ""
    assert not receipts.is_locked_out("10.0.0.9")
    for _ in range(10):
        client.post(reverse("cases:receipt_rate"), {"receipt": "x"}, REMOTE_ADDR="10.0.0.9")
    assert receipts.is_locked_out("10.0.0.9")


def test_the_receipt_holder_cannot_rate_before_a_reply(client, anonymous, english):
    response = client.post(
        reverse("cases:receipt_rate"),
        {"receipt": anonymous.receipt, "satisfaction": Satisfaction.SATISFIED},
    )
    assert response.status_code == 400 and "There is no reply to rate yet." in response.content.decode()
    assert not CaseEvent.objects.filter(case=anonymous.case, kind=EventKind.RATED).exists()


# ------------------------------------------------------------------------------------ desks and the FAQ


def test_alice_sees_the_desks_of_her_mine_only(client, alice, desks):
    client.force_login(alice)
    page = client.get(reverse("cases:desks")).content.decode()
    assert reverse("cases:desk", args=[desks["MA"].pk]) in page
    assert reverse("cases:desk", args=[desks["MB"].pk]) not in page
    faq = client.get(reverse("cases:desk", args=[desks["MA"].pk])).content.decode()
    assert "年金什么时候能领？" in faq and "公积金怎么提取？" not in faq
    assert client.get(reverse("cases:desk", args=[desks["MB"].pk])).status_code == 404


def test_the_faq_page_has_a_fixed_number_of_queries(client, alice, desks, uma):
    client.force_login(alice)
    url = reverse("cases:desk", args=[desks["MA"].pk])
    few = _count(client, url)
    for i in range(20):
        FaqEntry.objects.create(desk=desks["MA"], question=f"问题{i}", answer="回答", published_by=uma)
    assert _count(client, url) == few
    list_few = _count(client, reverse("cases:desks"))
    for topic in (ConsultationTopic.RETIREMENT, ConsultationTopic.MEDICAL, ConsultationTopic.WAGES):
        ConsultationDesk.objects.create(unit=desks["MA"].unit, topic=topic)
    assert _count(client, reverse("cases:desks")) == list_few


def test_asking_a_desk_raises_a_consultation_case(client, alice, desks):
    client.force_login(alice)
    url = reverse("cases:desk", args=[desks["MA"].pk])
    response = client.post(url, {"title": "年金能否一次性领取？", "text": "我明年退休。"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:my_case", args=[case.pk])
    assert case.source == SourceKind.CONSULTATION and case.consultation_desk == desks["MA"]
    assert case.raiser == alice


def test_asking_anonymously_shows_a_receipt(client, alice, desks):
    client.force_login(alice)
    url = reverse("cases:desk", args=[desks["MA"].pk])
    response = client.post(url, {"title": "匿名提问", "text": "内容", "anonymous": "on"})
    assert response.status_code == 200
    receipt = _receipt_in(response)
    case = Case.objects.get()
    assert case.raiser_id is None and case.receipt_hash == receipts.receipt_hash(receipt)


def test_an_empty_question_is_refused(client, alice, desks):
    client.force_login(alice)
    response = client.post(reverse("cases:desk", args=[desks["MA"].pk]), {"title": "", "text": ""})
    assert response.status_code == 400 and not Case.objects.exists()


def test_bob_cannot_ask_another_mines_desk(client, bob, desks):
    client.force_login(bob)
    response = client.post(reverse("cases:desk", args=[desks["MA"].pk]), {"title": "问", "text": "答"})
    assert response.status_code == 404 and not Case.objects.exists()


# ----------------------------------------------------------------------------------------------- panel


def test_the_panel_counts_open_cases_and_replies_to_rate(rf, alice, assigned, hank, tree):
    actions.raise_case(actor=alice, unit=tree["MA1"], title="另一件事", text="内容")
    actions.reply(assigned, actor=hank, text="答复")
    request = rf.get("/")
    request.user = alice
    panel = my_cases_panel(request, get_scope(alice))
    assert panel is not None and panel.context == {"open": 1, "waiting": 1}


def test_the_panel_template_links_to_the_pages(english):
    from django.template.loader import render_to_string

    html = render_to_string("cases/raiser/panels/mine.html", {"ctx": {"open": 2, "waiting": 0}})
    assert "2 of your cases are being handled" in html
    assert reverse("cases:mine") in html and reverse("cases:receipt") in html


def test_a_malformed_receipt_says_so(client, english):
    response = client.post(reverse("cases:receipt"), {"receipt": "1234-5678"})
    assert response.status_code == 400 and "A receipt has 16 digits." in response.content.decode()


def test_the_anonymous_page_shows_public_events_only(client, anonymous, uma):
    actions.add_event(anonymous.case, EventKind.CHASED, uma, "内部备注", public=False)
    page = client.post(reverse("cases:receipt"), {"receipt": anonymous.receipt}).content.decode()
    assert "班组长克扣奖金。" in page and "内部备注" not in page
