"""Digest of overdue first answers to the nearest managers; idempotent; the command; the home panels."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.access import get_scope
from gongkai.core.choices import Role
from gongkai.core.models import Notification
from gongkai.org.models import RoleAssignment
from gongkai.suggestions import suggestion_tasks
from gongkai.suggestions.choices import Status
from gongkai.suggestions.models import Suggestion
from gongkai.suggestions.review_panels import managed_panel, review_panel
from gongkai.suggestions.tests.conftest import make_suggestion


def ago(days):
    return timezone.now() - dt.timedelta(days=days)


def test_digest_goes_to_the_nearest_managers_once(uma, diana, alice, bob, tree):
    late1 = make_suggestion(alice, title="逾期一", submitted=ago(80))
    make_suggestion(alice, title="逾期二", status=Status.IN_REVIEW, submitted=ago(70))
    make_suggestion(alice, title="未到期", submitted=ago(5))
    make_suggestion(alice, title="已答复", status=Status.NOT_ACCEPTED, submitted=ago(90))
    reopened = make_suggestion(alice, title="重新评审", status=Status.IN_REVIEW, submitted=ago(90))
    Suggestion.objects.filter(pk=reopened.pk).update(answered_at=ago(30))  # shelved, then taken up again
    make_suggestion(
        bob, title="二矿逾期", submitted=ago(90)
    )  # MB has no manager of its own: the group's union
    today = timezone.localdate()
    assert suggestion_tasks.send_overdue_reminders(today) == {"overdue": 2}
    note = Notification.objects.get(person=uma)
    assert "2 suggestions" in note.title
    assert (
        "逾期一" in note.body
        and "逾期二" in note.body
        and "未到期" not in note.body
        and "已答复" not in note.body
    )
    assert "重新评审" not in note.body
    assert note.body.index("逾期一") < note.body.index("逾期二")  # oldest due first
    assert note.url.endswith("?overdue=on")
    diana_note = Notification.objects.get(person=diana)
    assert "二矿逾期" in diana_note.body and "逾期一" not in diana_note.body
    # idempotent: the same day, or the next day with nothing newly overdue
    assert suggestion_tasks.send_overdue_reminders(today) == {"overdue": 0}
    assert suggestion_tasks.send_overdue_reminders(today + dt.timedelta(days=1)) == {"overdue": 0}
    # a suggestion newly overdue: a new digest
    due = late1.answer_due_on
    newly = make_suggestion(alice, title="新逾期", submitted=ago(61))
    assert newly.answer_due_on > due
    assert suggestion_tasks.send_overdue_reminders(newly.answer_due_on + dt.timedelta(days=1))["overdue"] == 1
    assert Notification.objects.filter(person=uma).count() == 2


def test_no_managers_no_digest(alice):
    make_suggestion(alice, submitted=ago(90))
    assert suggestion_tasks.send_overdue_reminders() == {"overdue": 0}
    assert not Notification.objects.exists()


def test_command_runs(uma, alice):
    make_suggestion(alice, submitted=ago(90))
    out = StringIO()
    call_command("remind_suggestions", stdout=out)
    assert "1 overdue digests sent" in out.getvalue()
    out = StringIO()
    call_command("remind_suggestions", "--today", timezone.localdate().isoformat(), stdout=out)
    assert "0 overdue digests sent" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_job(uma, alice):
    from django_tasks_db.models import DBTaskResult

    make_suggestion(alice, submitted=ago(90))
    call_command("remind_suggestions", "--enqueue", stdout=StringIO())
    call_command("worker", batch=True, no_startup_delay=True, interval=0.1)
    result = DBTaskResult.objects.get(task_path="gongkai.suggestions.suggestion_tasks.remind_suggestions")
    assert result.status == "SUCCESSFUL" and result.return_value == {"overdue": 1}
    assert Notification.objects.filter(person=uma, kind="suggestions.overdue").count() == 1


def test_task_runs(uma, alice):
    make_suggestion(alice, submitted=ago(90))
    assert suggestion_tasks.remind_suggestions.call(timezone.localdate().isoformat()) == {"overdue": 1}


# ------------------------------------------------------------------------------------------- home panels


def _request(person):
    return type("R", (), {"user": person})()


@pytest.mark.parametrize("n", [1, 9])
def test_manager_panel_counts_in_one_query(uma, alice, panel, django_assert_num_queries, n):
    for i in range(n):
        make_suggestion(alice, title=f"待初审{i}")
        make_suggestion(alice, title=f"评审中{i}", status=Status.IN_REVIEW, panel=panel, submitted=ago(90))
    scope = get_scope(uma)
    scope.paths(Role.UNION)
    with django_assert_num_queries(1):
        p = managed_panel(_request(uma), scope)
    assert p.context == {"to_screen": n, "to_conclude": n, "overdue": n}


def test_manager_panel_absent_for_employees(alice):
    assert managed_panel(_request(alice), get_scope(alice)) is None


@pytest.mark.parametrize("n", [1, 9])
def test_review_panel_counts_what_waits_for_me(pete, paula, alice, panel, django_assert_num_queries, n):
    from gongkai.suggestions import review_actions

    for i in range(n):
        s = make_suggestion(alice, title=f"评审中{i}", status=Status.IN_REVIEW, panel=panel)
    review_actions.review(
        actor=pete, suggestion=s, feasibility=5, benefit=5, innovation=5, recommendation="adopt"
    )
    scope = get_scope(pete)
    with django_assert_num_queries(1):
        p = review_panel(_request(pete), scope)
    if n == 1:
        assert p is None
    else:
        assert p.context == {"waiting": n - 1}
    assert review_panel(_request(paula), get_scope(paula)).context == {"waiting": n}


def test_panels_on_the_home_page(client, uma, alice, tree):
    make_suggestion(alice, submitted=ago(90))
    other = _person("A700", "领导", tree["MA"])
    RoleAssignment.objects.create(person=other, unit=tree["MA"], role=Role.LEADING_GROUP)
    client.force_login(other)
    html = client.get("/").content.decode()
    assert "1 first answer overdue" in html
