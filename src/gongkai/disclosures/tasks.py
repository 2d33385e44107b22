"""Background work of the disclosure catalog and schedule (run by `gongkai worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from . import reminders


@task()
def send_reminders(today: str | None = None) -> dict:
    """Remind responsible people of what is due soon and escalate what is overdue to the leading groups.

    `today` (ISO date) is for catch-up runs; by default, the local date when the task runs."""
    return reminders.send_reminders(dt.date.fromisoformat(today) if today else None)
