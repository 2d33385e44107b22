"""Bad input is refused clearly and nothing is half-written: the case, its timeline, its co-handlers, the
ledger and the notifications stay exactly as they were."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.cases import actions
from gongkai.cases.choices import CaseStatus, Satisfaction
from gongkai.cases.models import Case, CaseEvent
from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry, Notification


def snapshot(case):
    row = Case.objects.filter(pk=case.pk).values().get()
    return (
        row,
        list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)),
        sorted(Case.objects.get(pk=case.pk).co_handlers.values_list("pk", flat=True)),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


@pytest.fixture
def replied(assigned, hank):
    return actions.reply(assigned, actor=hank, text="已处理。")


@pytest.fixture
def closed(replied, uma):
    return actions.close(replied, actor=uma)


def test_a_reply_to_a_closed_case(closed, hank, english):
    before = snapshot(closed)
    with pytest.raises(ValidationError, match="closed; it can no longer be replied to"):
        actions.reply(closed, actor=hank, text="补充答复")
    assert snapshot(closed) == before


def test_a_rating_by_someone_who_did_not_raise_it(replied, bob, hank, uma, english):
    before = snapshot(replied)
    for person in (bob, hank, uma):
        with pytest.raises(ValidationError, match="Only the person who raised this case can rate"):
            actions.rate(replied, actor=person, satisfaction=Satisfaction.SATISFIED)
    assert snapshot(replied) == before


def test_a_due_date_on_a_holiday(raised, uma, depts, hank, today, english):
    actions.accept(raised, actor=uma)
    before = snapshot(raised)
    for day in (dt.date(2026, 10, 1), dt.date(2026, 10, 5), dt.date(2026, 10, 11)):  # National Day; a Sunday
        with pytest.raises(ValidationError, match="is not a working day"):
            actions.assign(raised, actor=uma, handling_unit=depts["MAHR"], handler=hank, due_date=day)
    assert snapshot(raised) == before
    # the adjusted Saturday after the holiday is a working day
    case = actions.assign(
        raised, actor=uma, handling_unit=depts["MAHR"], handler=hank, due_date=dt.date(2026, 10, 10)
    )
    assert case.due_date == dt.date(2026, 10, 10)


def test_a_due_date_in_the_past(raised, uma, depts, hank, today, english):
    actions.accept(raised, actor=uma)
    before = snapshot(raised)
    with pytest.raises(ValidationError, match="after today"):
        actions.assign(
            raised, actor=uma, handling_unit=depts["MAHR"], handler=hank, due_date=dt.date(2026, 9, 24)
        )
    assert snapshot(raised) == before


def test_assignment_to_a_department_outside_scope(raised, uma, depts, henri, hugo, english):
    actions.accept(raised, actor=uma)
    before = snapshot(raised)
    with pytest.raises(ValidationError, match="outside your units"):
        actions.assign(raised, actor=uma, handling_unit=depts["MBHR"], handler=henri)
    assert snapshot(raised) == before
    # nor a co-handler from outside them
    with pytest.raises(ValidationError, match="outside your units and cannot be a co-handler"):
        actions.assign(raised, actor=uma, handling_unit=depts["MAHR"], handler=hugo, co_handlers=[henri])
    assert snapshot(raised) == before


def test_a_handler_who_does_not_work_in_the_department(raised, uma, depts, alice, english):
    actions.accept(raised, actor=uma)
    before = snapshot(raised)
    with pytest.raises(ValidationError, match="does not work in"):
        actions.assign(raised, actor=uma, handling_unit=depts["MAHR"], handler=alice)
    assert snapshot(raised) == before


def test_people_without_the_role_cannot_manage_cases(raised, alice, bob, hank, depts):
    before = snapshot(raised)
    for person in (alice, bob, hank):
        with pytest.raises(AccessDenied):
            actions.accept(raised, actor=person)
        with pytest.raises(AccessDenied):
            actions.return_case(raised, actor=person, reason="不受理")
    assert snapshot(raised) == before


def test_the_union_of_the_sibling_mine_cannot_touch_the_case(raised, tree):
    from gongkai.conftest import _person
    from gongkai.core.choices import Role
    from gongkai.org.models import RoleAssignment

    ursula = _person("B300", "乌苏拉", tree["MB"])
    RoleAssignment.objects.create(person=ursula, unit=tree["MB"], role=Role.UNION)
    with pytest.raises(AccessDenied):
        actions.accept(raised, actor=ursula)


def test_only_handlers_reply(assigned, alice, uma, henri):
    before = snapshot(assigned)
    for person in (alice, uma, henri):
        with pytest.raises(AccessDenied):
            actions.reply(assigned, actor=person, text="不是我的")
    assert snapshot(assigned) == before


def test_returning_needs_a_reason(raised, uma, english):
    before = snapshot(raised)
    with pytest.raises(ValidationError, match="reason is required"):
        actions.return_case(raised, actor=uma, reason="   ")
    assert snapshot(raised) == before


def test_steps_out_of_order(raised, uma, depts, hank, alice, english):
    before = snapshot(raised)
    with pytest.raises(ValidationError, match="Accept the case before assigning it"):
        actions.assign(raised, actor=uma, handling_unit=depts["MAHR"], handler=hank)
    with pytest.raises(ValidationError, match="no reply to rate"):
        actions.rate(raised, actor=alice, satisfaction=Satisfaction.SATISFIED)
    with pytest.raises(ValidationError, match="not been answered yet"):
        actions.close(raised, actor=uma)
    with pytest.raises(ValidationError, match="comes after the reply"):
        actions.follow_up(raised, actor=uma, text="回访")
    with pytest.raises(ValidationError, match="waiting for its reply"):
        actions.chase(raised, actor=uma)
    with pytest.raises(ValidationError, match="not put before a meeting"):
        actions.record_decision(raised, actor=uma, decision="同意")
    assert snapshot(raised) == before


def test_a_stale_form_is_refused(raised, uma, english):
    old = raised.revision
    actions.accept(raised, actor=uma)
    raised.refresh_from_db()
    before = snapshot(raised)
    with pytest.raises(ValidationError, match="changed by someone else"):
        actions.return_case(raised, actor=uma, reason="重复", expected_revision=old)
    assert snapshot(raised) == before


def test_accepting_twice(raised, uma, english):
    actions.accept(raised, actor=uma)
    before = snapshot(raised)
    with pytest.raises(ValidationError, match="already been accepted"):
        actions.accept(raised, actor=uma)
    assert snapshot(raised) == before


def test_merging_into_itself_or_into_a_closed_case(raised, closed, uma, alice, tree, english):
    with pytest.raises(ValidationError, match="into itself"):
        actions.merge(raised, actor=uma, into=raised)
    other = actions.raise_case(actor=alice, unit=tree["MA1"], title="重复", text="同上").case
    before = snapshot(other)
    with pytest.raises(ValidationError, match="still going on"):
        actions.merge(other, actor=uma, into=closed)
    assert snapshot(other) == before


def test_raising_in_a_unit_one_does_not_belong_to(bob, alice, tree, english):
    count = Case.objects.count()
    with pytest.raises(AccessDenied):
        actions.raise_case(actor=bob, unit=tree["MA1"], title="越级", text="……")
    with pytest.raises(AccessDenied):  # nor register a case for someone else without a role there
        actions.raise_case(actor=bob, raiser=alice, unit=tree["MA"], title="代报", text="……")
    assert Case.objects.count() == count


def test_raising_without_a_title_or_text(alice, tree, english):
    with pytest.raises(ValidationError, match="needs a title"):
        actions.raise_case(actor=alice, unit=tree["MA1"], title=" ", text="内容")
    with pytest.raises(ValidationError, match="text is empty"):
        actions.raise_case(actor=alice, unit=tree["MA1"], title="标题", text="")
    assert not Case.objects.exists() and not AuditEntry.objects.exists()


def test_a_closed_case_stays_closed(closed, alice, uma):
    for call in (
        lambda: actions.rate(closed, actor=alice, satisfaction=Satisfaction.SATISFIED),
        lambda: actions.escalate(closed, actor=uma, meeting="办公会"),
        lambda: actions.close(closed, actor=uma),
    ):
        with pytest.raises(ValidationError):
            call()
    assert Case.objects.get(pk=closed.pk).status == CaseStatus.CLOSED
