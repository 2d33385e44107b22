"""Anonymous cases name nobody — not in the case, not in its timeline, not in the audit ledger — and their
16-digit receipt, stored only as a slow hash, opens them; guessing receipts is rate-limited."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongkai.cases import actions, receipts
from gongkai.cases.choices import CaseStatus, EventKind, Satisfaction
from gongkai.cases.models import Case, CaseEvent
from gongkai.core import ledger
from gongkai.core.models import AuditEntry, Notification
from gongkai.org.models import Person

# Every column of the case table. A new column must be added here on purpose, after asking whether it could
# name an anonymous raiser (a created_by, an address, a session, a device would).
CASE_COLUMNS = {
    "id",
    "created_at",
    "updated_at",
    "source",
    "reception_id",
    "inspection_id",
    "consultation_desk_id",
    "motion_id",
    "unit_id",
    "title",
    "text",
    "raiser_id",
    "is_anonymous",
    "receipt_hash",
    "status",
    "return_reason",
    "handling_unit_id",
    "handler_id",
    "due_date",
    "priority",
    "assigned_at",
    "replied_at",
    "reply_working_days",  # a count of days: names nobody
    "closed_at",
    "satisfaction",
    "reopened",
    "merged_into_id",
    "escalated_to",
    "escalation_decision",
    "revision",
}
EVENT_COLUMNS = {"id", "case_id", "kind", "actor_id", "text", "public", "at"}


def columns(table):
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.fixture
def anonymous(alice, tree):
    return actions.raise_case(
        actor=alice, unit=tree["MA"], title="工资被克扣", text="区队长私自扣发夜班补贴。", anonymous=True
    )


def identifiers(person):
    return {str(person.pk), person.employee_no, person.name, str(person)}


def mentions(value, person) -> bool:
    text = value if isinstance(value, str) else repr(value)
    return any(token and token in text for token in identifiers(person) - {str(person.pk)})


def test_the_schema_has_no_place_for_the_raisers_traces(db):
    assert columns("cases_case") == CASE_COLUMNS
    assert columns("cases_caseevent") == EVENT_COLUMNS
    assert columns("cases_case_co_handlers") == {"id", "case_id", "person_id"}


def test_an_anonymous_case_names_nobody_through_its_whole_life(
    anonymous, alice, uma, depts, hank, today, django_capture_on_commit_callbacks
):
    alice_row = Person.objects.filter(pk=alice.pk).values().get()
    case = anonymous.case
    actions.accept(case, actor=uma)
    actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank)
    actions.reply(case, actor=hank, text="已核实，补发夜班补贴。")
    # alice rates while logged in: being the actor must not matter
    actions.rate(
        case, actor=alice, receipt=anonymous.receipt, satisfaction=Satisfaction.SATISFIED, comment="好"
    )

    row = Case.objects.filter(pk=case.pk).values().get()
    assert row["raiser_id"] is None and row["is_anonymous"]
    assert row["status"] == CaseStatus.RATED
    for name, value in row.items():
        if name.endswith("_id") and name not in ("handler_id",):
            assert value != alice.pk or name in ("unit_id", "handling_unit_id"), name
        assert not mentions(value, alice), name
    assert row["receipt_hash"] != anonymous.receipt and anonymous.receipt not in repr(row)

    events = list(CaseEvent.objects.filter(case=case).values())
    raiser_events = [e for e in events if e["kind"] in (EventKind.RAISED, EventKind.RATED)]
    assert len(raiser_events) == 2 and all(e["actor_id"] is None for e in raiser_events)
    assert alice.pk not in {e["actor_id"] for e in events}
    assert not any(mentions(e["text"], alice) for e in events)

    entries = list(AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).values())
    mine = [e for e in entries if e["action"] in ("cases.raise", "cases.rate")]
    assert len(mine) == 2
    for entry in mine:
        assert entry["actor_id"] is None and entry["actor_label"] == ""
        assert not mentions(entry["change"], alice) and not mentions(entry["object_repr"], alice)
        assert not {"raiser", "actor", "person", "by", "ip", "session"} & set(entry["change"])
    assert not AuditEntry.objects.filter(actor_id=alice.pk).exists()
    assert not Notification.objects.filter(person=alice).exists()
    assert Person.objects.filter(pk=alice.pk).values().get() == alice_row  # not even a timestamp moved
    assert ledger.verify().ok


def test_the_database_refuses_an_anonymous_case_with_a_raiser(anonymous, alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=anonymous.case.pk).update(raiser=alice)


def test_the_receipt_is_sixteen_digits_shown_once(anonymous):
    receipt = anonymous.receipt
    assert len(receipt) == 16 and receipt.isdigit()
    assert receipts.display(receipt).count(" ") == 3
    assert anonymous.case.receipt_hash == receipts.receipt_hash(receipt)
    assert len(anonymous.case.receipt_hash) == 64


def test_the_receipt_opens_the_case(anonymous):
    shown = receipts.display(anonymous.receipt)
    assert receipts.case_by_receipt(shown, client_key="10.0.0.1") == anonymous.case


def test_the_hash_depends_on_the_secret_key(anonymous, settings):
    before = receipts.receipt_hash(anonymous.receipt)
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert receipts.receipt_hash(anonymous.receipt) != before


def test_a_guessed_receipt_is_rate_limited(anonymous, settings, english):
    settings.GONGKAI_RECEIPT_ATTEMPTS = 5
    settings.GONGKAI_RECEIPT_WINDOW = 2
    wrong = "0000000000000000" if anonymous.receipt != "0000000000000000" else "1111111111111111"
    for _ in range(5):
        with pytest.raises(ValidationError, match="No case has this receipt") as refused:
            receipts.case_by_receipt(wrong, client_key="10.0.0.9")
        assert refused.value.code == "unknown_receipt"
    # the sixth try is refused whatever it is, even the right receipt
    with pytest.raises(ValidationError, match="Too many wrong receipts") as refused:
        receipts.case_by_receipt(anonymous.receipt, client_key="10.0.0.9")
    assert refused.value.code == "rate_limited"
    # another client is not affected
    assert receipts.case_by_receipt(anonymous.receipt, client_key="10.0.0.10") == anonymous.case
    # after the window the client may try again
    time.sleep(2.1)
    assert receipts.case_by_receipt(anonymous.receipt, client_key="10.0.0.9") == anonymous.case


def test_malformed_receipts_count_as_wrong(anonymous, settings):
    settings.GONGKAI_RECEIPT_ATTEMPTS = 2
    for guess in ("12345", "abcdabcdabcdabcd"):
        with pytest.raises(ValidationError):
            receipts.case_by_receipt(guess, client_key="k")
    assert receipts.is_locked_out("k")


def test_rating_an_anonymous_case_needs_its_receipt(
    anonymous, uma, depts, hank, bob, today, settings, english
):
    settings.GONGKAI_RECEIPT_ATTEMPTS = 3
    case = anonymous.case
    actions.accept(case, actor=uma)
    actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank)
    actions.reply(case, actor=hank, text="答复")
    entries = AuditEntry.objects.count()
    wrong = "9" * 16 if anonymous.receipt != "9" * 16 else "8" * 16
    for _ in range(3):
        with pytest.raises(ValidationError, match="receipt does not match"):
            actions.rate(case, actor=bob, receipt=wrong, satisfaction=Satisfaction.SATISFIED, client_key="c")
    with pytest.raises(ValidationError, match="Too many wrong receipts"):
        actions.rate(
            case, actor=None, receipt=anonymous.receipt, satisfaction=Satisfaction.SATISFIED, client_key="c"
        )
    assert AuditEntry.objects.count() == entries
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REPLIED
    case = actions.rate(case, actor=None, receipt=anonymous.receipt, satisfaction=Satisfaction.SATISFIED)
    assert case.status == CaseStatus.RATED
