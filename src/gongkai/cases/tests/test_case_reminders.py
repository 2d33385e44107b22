"""Reminders to case handlers: due soon and overdue, to the main handler and the co-handlers, idempotent (a second
run sends nothing), again after a reopening with a new due date, bulk (a fixed number of queries), and the
`case-reminders` command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.cases import actions, tasks
from gongkai.cases.choices import CaseStatus
from gongkai.cases.models import Case
from gongkai.core.models import Notification

TODAY = dt.date(2026, 9, 25)


def notes(kind=None):
    if kind == "late":
        qs = Notification.objects.filter(kind=tasks.OVERDUE)
    elif kind == "soon":
        qs = Notification.objects.filter(kind=tasks.DUE_SOON)
    else:
        qs = Notification.objects.filter(kind__in=[tasks.OVERDUE, tasks.DUE_SOON])
    return sorted(qs.values_list("person__employee_no", "key"))


def test_due_soon_and_overdue_go_to_every_handler_once(assigned, hank, hugo, english):
    Case.objects.filter(pk=assigned.pk).update(due_date=TODAY + dt.timedelta(days=2))
    assert tasks.send_case_reminders(TODAY) == {"due_soon": 2, "overdue": 0}
    key = f"cases.due_soon.{assigned.pk}.2026-09-27"
    assert notes("soon") == [("A400", key), ("A401", key)]
    note = Notification.objects.get(person=hank, kind=tasks.DUE_SOON)
    assert "Reply due on 2026-09-27" in note.title and note.body == "Due in 2 days."
    assert note.url.endswith(f"/cases/work/{assigned.pk}/")
    # the same day again, and the next day: nothing new
    assert tasks.send_case_reminders(TODAY) == {"due_soon": 0, "overdue": 0}
    assert tasks.send_case_reminders(TODAY + dt.timedelta(days=1)) == {"due_soon": 0, "overdue": 0}
    # once overdue: one more each
    assert tasks.send_case_reminders(dt.date(2026, 9, 28)) == {"due_soon": 0, "overdue": 2}
    assert tasks.send_case_reminders(dt.date(2026, 9, 29)) == {"due_soon": 0, "overdue": 0}
    late = Notification.objects.get(person=hugo, kind=tasks.OVERDUE)
    assert "Overdue since 2026-09-27" in late.title and late.body == "The reply is 1 days late."


def test_nothing_for_cases_not_waiting_for_a_reply(assigned, hank, uma, english):
    Case.objects.filter(pk=assigned.pk).update(due_date=TODAY + dt.timedelta(days=30))
    assert tasks.send_case_reminders(TODAY) == {"due_soon": 0, "overdue": 0}  # far away
    Case.objects.filter(pk=assigned.pk).update(due_date=TODAY - dt.timedelta(days=1))
    actions.reply(assigned, actor=hank, text="已答复")
    assert tasks.send_case_reminders(TODAY) == {"due_soon": 0, "overdue": 0}  # replied
    assert notes() == []


def test_an_inactive_handler_is_not_reminded(assigned, hank, hugo):
    Case.objects.filter(pk=assigned.pk).update(due_date=TODAY)
    hank.is_active = False
    hank.save(update_fields=["is_active"])
    assert tasks.send_case_reminders(TODAY) == {"due_soon": 1, "overdue": 0}
    assert [n[0] for n in notes()] == ["A401"]


def test_a_new_due_date_is_reminded_again(assigned, hank, alice, today):
    Case.objects.filter(pk=assigned.pk).update(due_date=TODAY - dt.timedelta(days=1))
    assert tasks.send_case_reminders(TODAY)["overdue"] == 2
    Case.objects.filter(pk=assigned.pk).update(due_date=TODAY + dt.timedelta(days=1))
    assert tasks.send_case_reminders(TODAY)["due_soon"] == 2


def test_a_run_costs_a_fixed_number_of_queries(assigned, alice, uma, hank, hugo, depts, tree, today):
    def more(n):
        for i in range(n):
            case = actions.raise_case(actor=alice, unit=tree["MA1"], title=f"问题{i}", text="…").case
            actions.accept(case, actor=uma)
            actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank, co_handlers=[hugo])
        Case.objects.filter(status=CaseStatus.ASSIGNED).update(due_date=TODAY - dt.timedelta(days=1))
        Case.objects.filter(pk=assigned.pk).update(due_date=TODAY)
        Notification.objects.all().delete()

    more(1)
    with CaptureQueriesContext(connection) as few:
        assert tasks.send_case_reminders(TODAY) == {"due_soon": 2, "overdue": 2}
    more(11)
    with CaptureQueriesContext(connection) as many:
        counts = tasks.send_case_reminders(TODAY)
    assert counts == {"due_soon": 2, "overdue": 24}
    assert len(few) == len(many), (len(few), len(many))


@pytest.mark.django_db
def test_the_command(assigned, hank):
    Case.objects.filter(pk=assigned.pk).update(due_date=TODAY - dt.timedelta(days=3))
    out = StringIO()
    call_command("case_reminders", "--today", "2026-09-25", stdout=out)
    assert "0 due-soon and 2 overdue reminders sent" in out.getvalue()
    out = StringIO()
    call_command("case_reminders", "--today", "2026-09-25", stdout=out)
    assert "0 due-soon and 0 overdue reminders sent" in out.getvalue()
