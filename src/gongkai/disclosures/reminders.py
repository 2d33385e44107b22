"""Reminders before a disclosure is due, and escalations to the leading group once it is overdue.

- A reminder goes to the responsible person of each unpublished schedule entry due within
  `settings.GONGKAI_REMINDER_DAYS` days (today included).
- An escalation goes, once the due date has passed without publication, to the holders of the leading-group
  role on the entry's unit or, if it has none, on its nearest ancestor that has some. It is a digest: one
  notification per person, per unit escalated to and per due date, listing the entries of that unit's subtree
  due that day (a mine's leading group would otherwise get one notification per item of each of its teams).
  Entries that became overdue more than ESCALATION_WINDOW_DAYS ago are not escalated any more (the dashboard
  lists them): a schedule generated in the middle of a year does not flood the leading group with old items.

Notification keys (`disclosures.remind.<entry pk>`, `disclosures.escalate.<unit pk>.<due date>`) are unique per
person, so running the job twice sends nothing twice. A run is bulk: two reads of the schedule, one of the
leading-group holders, and the chunked inserts of `core.notify.notify_many` — never a query per entry.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongkai.core.choices import Role
from gongkai.core.notify import Note, notify_many
from gongkai.org.models import RoleAssignment, Unit

from .models import ScheduleEntry

REMINDER = "disclosures.reminder"
ESCALATION = "disclosures.escalation"
ESCALATION_WINDOW_DAYS = 30
DIGEST_LINES = 10  # entries listed in an escalation; the dashboard has them all


def send_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Send the reminders and escalations due today; returns how many notifications were new."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        reminded = notify_many(reminder_notes(today, settings.GONGKAI_REMINDER_DAYS))
        escalated = notify_many(escalation_notes(today))
    return {"reminded": reminded, "escalated": escalated}


def reminder_notes(today: dt.date, days: int) -> list[Note]:
    url = reverse("disclosures:my_schedule")
    rows = (
        ScheduleEntry.objects.filter(
            published_on__isnull=True,
            responsible__isnull=False,
            responsible__is_active=True,
            due_date__gte=today,
            due_date__lte=today + dt.timedelta(days=days),
        )
        .order_by("due_date", "pk")
        .values_list("pk", "responsible_id", "due_date", "period", "unit__name", "item__title")
    )
    notes = []
    for pk, person_id, due, period, unit_name, item_title in rows:
        left = (due - today).days
        notes.append(
            Note(
                person_id=person_id,
                kind=REMINDER,
                title=_("Due on %(date)s: %(item)s (%(period)s), %(unit)s")
                % {"date": due.isoformat(), "item": item_title, "period": period, "unit": unit_name},
                body=_("Due today.") if left == 0 else _("Due in %(n)s days.") % {"n": left},
                url=url,
                key=f"disclosures.remind.{pk}",
            )
        )
    return notes


def leading_group_by_path() -> dict[str, tuple[int, str, list[int]]]:
    """The active holders of the leading-group role by the path of the unit they hold it on:
    {path: (unit pk, unit name, [person pks])} (one query)."""
    holders: dict[str, tuple[int, str, list[int]]] = {}
    rows = RoleAssignment.objects.filter(
        role=Role.LEADING_GROUP, person__is_active=True, unit__active=True
    ).values_list("unit__path", "unit_id", "unit__name", "person_id")
    for path, unit_id, unit_name, person_id in rows.order_by("unit__path", "person_id"):
        holders.setdefault(path, (unit_id, unit_name, []))[2].append(person_id)
    return holders


def escalation_notes(today: dt.date) -> list[Note]:
    """One notification per leading-group member, per unit they are escalated to and per due date: the
    disclosures of that unit's subtree due that day and still not published (a digest: a mine's leading group
    would otherwise get one notification for each item of each team)."""
    holders = leading_group_by_path()
    if not holders:
        return []
    nearest_cache: dict[str, str | None] = {}

    def nearest(path: str) -> str | None:
        if path not in nearest_cache:
            nearest_cache[path] = next(
                (path[:end] for end in range(len(path), 0, -Unit.steplen) if path[:end] in holders), None
            )
        return nearest_cache[path]

    rows = (
        ScheduleEntry.objects.filter(
            published_on__isnull=True,
            due_date__lt=today,
            due_date__gte=today - dt.timedelta(days=ESCALATION_WINDOW_DAYS),
        )
        .order_by("due_date", "unit__path", "item__code", "pk")
        .values_list("unit__path", "unit__name", "item__title", "period", "due_date", "responsible__name")
    )
    groups: dict[tuple[str, dt.date], list[tuple[str, str, str, str | None]]] = {}
    for path, unit_name, item_title, period, due, responsible in rows:
        target = nearest(path)
        if target is not None:
            groups.setdefault((target, due), []).append((unit_name, item_title, period, responsible))

    template = reverse("disclosures:compliance_unit", args=[987654321])
    notes = []
    for (target, due), entries in groups.items():
        unit_id, unit_name, people = holders[target]
        n = len(entries)
        title = ngettext(
            "Due %(date)s and not published: %(n)s disclosure in %(unit)s",
            "Due %(date)s and not published: %(n)s disclosures in %(unit)s",
            n,
        ) % {"date": due.isoformat(), "n": n, "unit": unit_name}
        lines = [
            f"{entry_unit} · {item}（{period}）· "
            + (_("responsible: %(name)s") % {"name": responsible} if responsible else _("no one responsible"))
            for entry_unit, item, period, responsible in entries[:DIGEST_LINES]
        ]
        if n > DIGEST_LINES:
            lines.append(_("… and %(n)s more.") % {"n": n - DIGEST_LINES})
        url = template.replace("987654321", str(unit_id)) + f"?year={due.year}#late-title"
        for person_id in people:
            notes.append(
                Note(
                    person_id=person_id,
                    kind=ESCALATION,
                    title=title,
                    body="\n".join(lines),
                    url=url,
                    key=f"disclosures.escalate.{unit_id}.{due.isoformat()}",
                )
            )
    return notes
