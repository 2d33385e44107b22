"""Reminders to the people handling cases: one when the reply is due soon, one once it is overdue.

- due soon: a case waiting for its reply (assigned or in progress) whose due date is within
  `settings.GONGKAI_REMINDER_DAYS` days (today included);
- overdue: the due date has passed and there is still no reply.

Both go to the main handler and the co-handlers (active people only). Keys carry the case and its due date
(`cases.due_soon.<pk>.<due date>`, `cases.overdue.<pk>.<due date>`), unique per person: running the job twice
sends nothing twice, and a case reopened with a new due date is reminded again. A run is bulk: one read of the
cases, one of their co-handlers and the chunked inserts of `core.notify.notify_many`, never a query per case.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gongkai.core.notify import Note, notify_many

from .choices import REPLYABLE_STATUSES
from .models import Case

DUE_SOON = "cases.due_soon"
OVERDUE = "cases.overdue"


def reminder_notes(today: dt.date, days: int) -> list[Note]:
    """The notes for every case waiting for its reply that is due within `days` days or overdue."""
    rows = list(
        Case.objects.filter(
            status__in=REPLYABLE_STATUSES,
            merged_into__isnull=True,
            due_date__isnull=False,
            due_date__lte=today + dt.timedelta(days=days),
        )
        .order_by("due_date", "pk")
        .values_list("pk", "title", "due_date", "handler_id", "handler__is_active")
    )
    if not rows:
        return []
    helpers: dict[int, list[int]] = {}
    through = Case.co_handlers.through
    pks = [row[0] for row in rows]
    for start in range(0, len(pks), 900):
        for case_id, person_id in through.objects.filter(
            case_id__in=pks[start : start + 900], person__is_active=True
        ).values_list("case_id", "person_id"):
            helpers.setdefault(case_id, []).append(person_id)
    template = reverse("cases:work_case", args=[987654321])
    notes = []
    for pk, title, due, handler_id, handler_active in rows:
        if due is None:  # filtered out above; for the type checker
            continue
        people = ([handler_id] if handler_id and handler_active else []) + helpers.get(pk, [])
        left = (due - today).days
        if left < 0:
            kind, key = OVERDUE, f"cases.overdue.{pk}.{due.isoformat()}"
            note_title = _("Overdue since %(date)s: %(title)s") % {"date": due.isoformat(), "title": title}
            body = _("The reply is %(n)s days late.") % {"n": -left}
        else:
            kind, key = DUE_SOON, f"cases.due_soon.{pk}.{due.isoformat()}"
            note_title = _("Reply due on %(date)s: %(title)s") % {"date": due.isoformat(), "title": title}
            body = _("Due today.") if left == 0 else _("Due in %(n)s days.") % {"n": left}
        url = template.replace("987654321", str(pk))
        for person_id in dict.fromkeys(people):
            notes.append(Note(person_id=person_id, kind=kind, title=note_title, body=body, url=url, key=key))
    return notes


def send_case_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Send the due-soon and overdue reminders of today; returns how many notifications were new."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        notes = reminder_notes(today, settings.GONGKAI_REMINDER_DAYS)
        soon = notify_many(n for n in notes if n.kind == DUE_SOON)
        late = notify_many(n for n in notes if n.kind == OVERDUE)
    return {"due_soon": soon, "overdue": late}


@task()
def case_reminders(today: str | None = None) -> dict:
    """Remind handlers of replies due soon and overdue (`today`, an ISO date, is for catch-up runs)."""
    return send_case_reminders(dt.date.fromisoformat(today) if today else None)
