"""The lifecycle of a case, from raising to closing: each step an action with a timeline event and a ledger
entry; reopening once on 不满意; merging, escalation, returning."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.cases import actions
from gongkai.cases.choices import CaseStatus, EventKind, Satisfaction, SourceKind
from gongkai.cases.models import Case, ReceptionDay
from gongkai.core import ledger
from gongkai.core.models import AuditEntry, Notification


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


def test_full_lifecycle(raised, uma, depts, hank, hugo, alice, today):
    case = actions.accept(raised, actor=uma)
    assert case.status == CaseStatus.ACCEPTED
    case = actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank, co_handlers=[hugo])
    assert case.status == CaseStatus.ASSIGNED
    # 30 working days from Fri 25 Sep: 28–30 Sep, 8–9 Oct, the adjusted Saturday 10 Oct, then weeks to 12 Nov
    assert case.due_date == dt.date(2026, 11, 12)
    assert list(case.co_handlers.all()) == [hugo]
    assert Notification.objects.filter(person=hank, kind="cases.assigned").exists()
    assert Notification.objects.filter(person=hugo, kind="cases.assigned").exists()
    case = actions.start(case, actor=hank)
    assert case.status == CaseStatus.IN_PROGRESS
    case = actions.chase(case, actor=uma, text="请本周内答复")
    assert Notification.objects.filter(person=hank, kind="cases.chased").exists()
    case = actions.reply(case, actor=hank, text="已增加一台热水锅炉，夜班时段延长供水。")
    assert case.status == CaseStatus.REPLIED and case.replied_at is not None
    assert Notification.objects.filter(person=alice, kind="cases.replied").exists()
    case = actions.rate(case, actor=alice, satisfaction=Satisfaction.SATISFIED, comment="谢谢")
    assert case.status == CaseStatus.RATED and case.satisfaction == Satisfaction.SATISFIED
    case = actions.follow_up(case, actor=uma, text="回访：热水已正常。")
    assert case.status == CaseStatus.FOLLOW_UP
    case = actions.close(case, actor=uma)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert kinds(case) == [
        EventKind.RAISED,
        EventKind.ACCEPTED,
        EventKind.ASSIGNED,
        EventKind.STARTED,
        EventKind.CHASED,
        EventKind.REPLIED,
        EventKind.RATED,
        EventKind.FOLLOWED_UP,
        EventKind.CLOSED,
    ]
    audited = list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert audited == [
        "cases.raise",
        "cases.accept",
        "cases.assign",
        "cases.start",
        "cases.chase",
        "cases.reply",
        "cases.rate",
        "cases.follow_up",
        "cases.close",
    ]
    assert ledger.verify().ok
    assert case.revision == 9


def test_the_raiser_is_named_and_sees_every_public_step(raised, alice):
    assert raised.raiser == alice and not raised.is_anonymous and raised.receipt_hash is None
    event = raised.events.get()
    assert event.kind == EventKind.RAISED and event.actor == alice and event.public


def test_a_co_handler_may_reply(assigned, hugo):
    case = actions.reply(assigned, actor=hugo, text="协办部门答复。")
    assert case.status == CaseStatus.REPLIED


def test_a_holder_of_the_handler_role_may_reply(assigned, depts):
    from gongkai.conftest import _person
    from gongkai.core.choices import Role
    from gongkai.org.models import RoleAssignment

    deputy = _person("A402", "副手", depts["MAHR"])
    RoleAssignment.objects.create(person=deputy, unit=depts["MAHR"], role=Role.HANDLER)
    assert actions.reply(assigned, actor=deputy, text="代为答复。").status == CaseStatus.REPLIED


def test_dissatisfied_reopens_once_then_closes(assigned, hank, alice, today):
    case = actions.reply(assigned, actor=hank, text="第一次答复")
    case = actions.rate(case, actor=alice, satisfaction=Satisfaction.DISSATISFIED, comment="没有解决")
    assert case.status == CaseStatus.IN_PROGRESS and case.reopened
    assert case.satisfaction == Satisfaction.DISSATISFIED
    assert case.due_date is not None and case.due_date > today
    assert Notification.objects.filter(person=hank, kind="cases.reopened").exists()
    case = actions.reply(case, actor=hank, text="第二次答复")
    case = actions.rate(case, actor=alice, satisfaction=Satisfaction.DISSATISFIED, comment="还是没有解决")
    assert case.status == CaseStatus.CLOSED and case.satisfaction == Satisfaction.DISSATISFIED
    assert kinds(case)[-6:] == [
        EventKind.REPLIED,
        EventKind.RATED,
        EventKind.REOPENED,
        EventKind.REPLIED,
        EventKind.RATED,
        EventKind.CLOSED,
    ]


def test_satisfied_after_reopening(assigned, hank, alice):
    case = actions.reply(assigned, actor=hank, text="第一次答复")
    case = actions.rate(case, actor=alice, satisfaction=Satisfaction.DISSATISFIED)
    case = actions.reply(case, actor=hank, text="第二次答复")
    case = actions.rate(case, actor=alice, satisfaction=Satisfaction.BASICALLY_SATISFIED)
    assert case.status == CaseStatus.RATED and case.satisfaction == Satisfaction.BASICALLY_SATISFIED


def test_return_with_a_reason(raised, uma):
    case = actions.return_case(raised, actor=uma, reason="属于个人劳动争议，请向劳动争议调解委员会申请。")
    assert case.status == CaseStatus.RETURNED and "劳动争议" in case.return_reason
    assert case.events.last().text == case.return_reason


def test_merge_keeps_the_duplicate_and_points_to_the_case_that_goes_on(raised, alice, uma, tree):
    dup = actions.raise_case(actor=alice, unit=tree["MA1"], title="澡堂没热水", text="同上").case
    merged = actions.merge(dup, actor=uma, into=raised, reason="重复反映")
    assert merged.status == CaseStatus.CLOSED and merged.merged_into == raised
    assert Case.objects.filter(pk=dup.pk).exists()
    assert list(raised.merged_cases.all()) == [dup]
    assert kinds(dup)[-1] == EventKind.MERGED
    assert kinds(raised)[-1] == EventKind.MERGED_IN
    with pytest.raises(ValidationError, match=str(raised.pk)):
        actions.accept(dup, actor=uma)


def test_escalate_to_a_meeting_and_record_its_decision(assigned, uma):
    case = actions.escalate(assigned, actor=uma, meeting="一矿矿长办公会")
    assert case.escalated_to == "一矿矿长办公会"
    with pytest.raises(ValidationError):
        actions.escalate(case, actor=uma, meeting="职代会")
    case = actions.record_decision(case, actor=uma, decision="同意更换锅炉，列入十月计划。")
    assert case.escalation_decision.startswith("同意")
    assert kinds(case)[-2:] == [EventKind.ESCALATED, EventKind.DECIDED]
    with pytest.raises(ValidationError):
        actions.record_decision(case, actor=uma, decision="再议")


def test_a_case_from_a_reception_day_registered_for_a_walk_in(tree, uma, alice):
    day = ReceptionDay.objects.create(
        unit=tree["MA"], date=dt.date(2026, 9, 25), place="工会接待室", people_received=12
    )
    day.leaders.add(uma)
    raised = actions.raise_case(
        actor=uma,
        raiser=alice,
        unit=tree["MA"],
        title="班车时间",
        text="希望调整夜班班车时间。",
        reception=day,
    )
    case = raised.case
    assert case.source == SourceKind.RECEPTION and case.reception == day and case.raiser == alice
    assert raised.receipt is None
    assert case.events.get().actor == uma  # registered by the leader on duty


def test_reassignment_sets_a_new_handler_and_due_date(assigned, uma, depts, hugo, today):
    case = actions.assign(
        assigned, actor=uma, handling_unit=depts["MAHR"], handler=hugo, due_date=dt.date(2026, 10, 9)
    )
    assert case.handler == hugo and case.due_date == dt.date(2026, 10, 9)
    assert list(case.co_handlers.all()) == []


def test_the_group_union_manages_cases_of_every_mine(raised, diana, depts, henri, today):
    # diana (union of the group) may send a case of 一矿 to 二矿's department: both are within her units
    actions.accept(raised, actor=diana)
    case = actions.assign(raised, actor=diana, handling_unit=depts["MBHR"], handler=henri)
    assert case.handling_unit == depts["MBHR"]


def test_overdue_flag(assigned, monkeypatch):
    from django.utils import timezone

    assert not assigned.is_overdue
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: assigned.due_date + dt.timedelta(days=1))
    assert assigned.is_overdue
