"""Reminders before the due date, escalations after it: to the right people, once, in bulk; email when set up."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.core.choices import Role
from gongkai.core.models import Notification
from gongkai.disclosures import reminders, tasks
from gongkai.disclosures.models import ScheduleEntry
from gongkai.org.models import Person, RoleAssignment, Unit

TODAY = dt.date(2026, 4, 20)


def _entry(unit, item, due, responsible=None, published=None, period=None):
    return ScheduleEntry.objects.create(
        unit=unit,
        item=item,
        period=period or f"{due:%Y-%m-%d}",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        due_date=due,
        responsible=responsible,
        published_on=published,
    )


def _days(n):
    return TODAY + dt.timedelta(days=n)


def _keys(person):
    return set(Notification.objects.filter(person=person).values_list("key", flat=True))


def test_reminders_go_to_the_responsible_person_within_the_window(settings, tree, wages, olga, bob):
    settings.GONGKAI_REMINDER_DAYS = 3
    today_ = _entry(tree["MA"], wages, _days(0), olga)
    in_3 = _entry(tree["MA"], wages, _days(3), olga)
    _entry(tree["MA"], wages, _days(4), olga)  # too early for a reminder
    _entry(tree["MA"], wages, _days(1), olga, published=_days(-1))  # done
    bobs = _entry(tree["MB"], wages, _days(2), bob)
    counts = reminders.send_reminders(TODAY)
    assert counts["reminded"] == 3
    assert _keys(olga) == {f"disclosures.remind.{today_.pk}", f"disclosures.remind.{in_3.pk}"}
    assert _keys(bob) == {f"disclosures.remind.{bobs.pk}"}
    note = Notification.objects.get(key=f"disclosures.remind.{in_3.pk}")
    assert "工资奖金分配" in note.title and "一矿" in note.title and note.kind == reminders.REMINDER


def test_running_twice_sends_nothing_twice(settings, tree, wages, olga, leo):
    settings.GONGKAI_REMINDER_DAYS = 3
    _entry(tree["MA"], wages, _days(1), olga)
    _entry(tree["MA"], wages, _days(-1), olga)
    first = reminders.send_reminders(TODAY)
    assert first == {"reminded": 1, "escalated": 1}
    assert reminders.send_reminders(TODAY) == {"reminded": 0, "escalated": 0}
    assert reminders.send_reminders(_days(1)) == {"reminded": 0, "escalated": 0}
    assert Notification.objects.count() == 2


def test_escalation_goes_to_the_nearest_leading_group(tree, wages, leo, gina, olga):
    _entry(tree["MA"], wages, _days(-1), olga)
    _entry(tree["MA1"], wages, _days(-2))  # a section: no leading group of its own → 一矿's
    _entry(tree["MB"], wages, _days(-3))  # 二矿 has no leading group → the group's
    second = Person.objects.create(employee_no="A201", name="李二", unit=tree["MA"])
    RoleAssignment.objects.create(person=second, unit=tree["MA"], role=Role.LEADING_GROUP)
    counts = reminders.send_reminders(TODAY)
    assert counts["escalated"] == 5
    escalations = {(n.person_id, n.key) for n in Notification.objects.filter(kind=reminders.ESCALATION)}
    ma, g = tree["MA"].pk, tree["G"].pk
    assert escalations == {
        (leo.pk, f"disclosures.escalate.{ma}.{_days(-1)}"),
        (second.pk, f"disclosures.escalate.{ma}.{_days(-1)}"),
        (leo.pk, f"disclosures.escalate.{ma}.{_days(-2)}"),
        (second.pk, f"disclosures.escalate.{ma}.{_days(-2)}"),
        (gina.pk, f"disclosures.escalate.{g}.{_days(-3)}"),
    }
    assert not Notification.objects.filter(person=olga).exists()  # reminders only before the due date
    note = Notification.objects.get(person=leo, key=f"disclosures.escalate.{ma}.{_days(-2)}")
    assert "一矿" in note.title and "综采一区 · 工资奖金分配" in note.body
    assert note.url.startswith(f"/disclosures/compliance/{ma}/")


def test_an_escalation_digests_the_entries_due_the_same_day(settings, tree, wages, leo):
    settings.LANGUAGE_CODE = "en"
    for code in ("MA", "MA1"):
        for period in ("2026-01", "2026-02", "2026-03"):
            _entry(tree[code], wages, _days(-1), period=period)
    assert reminders.send_reminders(TODAY)["escalated"] == 1
    note = Notification.objects.get(person=leo)
    assert "6 disclosures" in note.title
    assert note.body.count("工资奖金分配") == 6 and "no one responsible" in note.body


def test_nothing_is_escalated_before_the_due_date_or_long_after(tree, wages, leo):
    _entry(tree["MA"], wages, _days(0))  # due today: not overdue yet
    _entry(
        tree["MA"], wages, _days(-reminders.ESCALATION_WINDOW_DAYS - 1)
    )  # overdue for long: the dashboard's job
    _entry(tree["MA"], wages, _days(-3), published=_days(-2))  # published late, but published
    assert reminders.send_reminders(TODAY)["escalated"] == 0


def test_inactive_people_get_nothing(tree, wages, olga, leo):
    olga.is_active = leo.is_active = False
    olga.save()
    leo.save()
    _entry(tree["MA"], wages, _days(1), olga)
    _entry(tree["MA"], wages, _days(-1), olga)
    assert reminders.send_reminders(TODAY) == {"reminded": 0, "escalated": 0}


def _many(tree, wages, n):
    g = Unit.objects.get(code="G")
    units = [
        Unit.objects.add_child(Unit.objects.get(pk=g.pk), {"code": f"Z{i}", "name": f"矿{i}", "kind": "mine"})
        for i in range(n)
    ]
    rows = []
    for i, unit in enumerate(units):
        officer = Person.objects.create(employee_no=f"Z{i}DO", name=f"公开员{i}", unit=unit)
        lead = Person.objects.create(employee_no=f"Z{i}LG", name=f"组长{i}", unit=unit)
        RoleAssignment.objects.create(person=lead, unit=unit, role=Role.LEADING_GROUP)
        for d in (-2, -1, 1, 2):
            rows.append(
                ScheduleEntry(
                    unit=unit,
                    item=wages,
                    period=f"p{d}",
                    period_start=dt.date(2026, 3, 1),
                    period_end=dt.date(2026, 3, 31),
                    due_date=_days(d),
                    responsible=officer,
                )
            )
    ScheduleEntry.objects.bulk_create(rows)


def test_a_run_costs_the_same_queries_for_few_or_many_entries(settings, tree, wages, olga, leo):
    settings.GONGKAI_REMINDER_DAYS = 3
    _entry(tree["MA"], wages, _days(1), olga)
    _entry(tree["MA"], wages, _days(-1), olga)
    with CaptureQueriesContext(connection) as few:
        assert reminders.send_reminders(TODAY) == {"reminded": 1, "escalated": 1}
    Notification.objects.all().delete()
    _many(tree, wages, 30)
    with CaptureQueriesContext(connection) as many:
        assert reminders.send_reminders(TODAY) == {"reminded": 61, "escalated": 61}
    assert len(many) == len(few)


def test_emails_are_sent_only_when_an_email_host_is_set(
    settings, tree, wages, olga, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    olga.email = "olga@example.com"
    olga.save()
    settings.EMAIL_HOST = ""
    _entry(tree["MA"], wages, _days(1), olga, period="first")
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(TODAY)
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None
    settings.EMAIL_HOST = "smtp.example.com"
    _entry(tree["MA"], wages, _days(2), olga, period="second")
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(TODAY)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["olga@example.com"]
    assert "second" in mail.outbox[0].subject
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 1


def test_the_task_and_the_command(settings, tree, wages, olga, leo, capsys):
    settings.GONGKAI_REMINDER_DAYS = 3
    _entry(tree["MA"], wages, _days(1), olga)
    assert tasks.send_reminders.call(TODAY.isoformat()) == {"reminded": 1, "escalated": 0}
    _entry(tree["MA"], wages, _days(-1), olga)
    call_command("send_reminders", "--today", TODAY.isoformat())
    assert "0 reminders and 1 escalations sent" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_job(settings, tree, wages, olga):
    from django_tasks_db.models import DBTaskResult

    settings.GONGKAI_REMINDER_DAYS = 3
    _entry(tree["MA"], wages, _days(1), olga)
    call_command("send_reminders", "--today", TODAY.isoformat(), "--enqueue")
    call_command("worker", batch=True, no_startup_delay=True, interval=0.1)
    result = DBTaskResult.objects.get(task_path="gongkai.disclosures.tasks.send_reminders")
    assert result.status == "SUCCESSFUL" and result.return_value == {"reminded": 1, "escalated": 0}
    assert Notification.objects.filter(person=olga).count() == 1
