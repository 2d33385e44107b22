"""Background work of topic requests: escalate the requests whose deadline has passed (run by `gongkai worker`).

Each open request past its deadline notifies the leading group of the unit asked — or, when that unit has no
leading group of its own (a section, a team), the nearest ancestor's. Notifications are keyed by request, so a job
that runs every day sends each escalation once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gongkai.core.choices import Role
from gongkai.core.notify import Note, notify_many
from gongkai.org.models import RoleAssignment, Unit

from .models import TopicRequest
from .topic_queries import overdue_q

logger = logging.getLogger(__name__)

KIND = "topic_overdue"


def escalate_overdue(today: dt.date | None = None) -> int:
    """Notify leading groups of overdue topic requests; returns how many notifications were new."""
    today = today or timezone.localdate()
    requests = list(TopicRequest.objects.filter(overdue_q(today)).select_related("unit").order_by("pk"))
    if not requests:
        return 0
    step = Unit.steplen
    ancestors = {
        r.pk: [r.unit.path[:i] for i in range(len(r.unit.path), 0, -step)] for r in requests
    }  # deepest first
    paths = {p for chain in ancestors.values() for p in chain}
    holders: dict[str, list[int]] = {}
    for person_id, path in RoleAssignment.objects.filter(
        role=Role.LEADING_GROUP, unit__path__in=paths, person__is_active=True
    ).values_list("person_id", "unit__path"):
        holders.setdefault(path, []).append(person_id)
    with translation.override(settings.LANGUAGE_CODE):
        notes = _notes(requests, ancestors, holders)
    with transaction.atomic():
        sent = notify_many(notes)
    if sent:
        logger.info("escalated %s overdue topic requests (%s notifications)", len(requests), sent)
    return sent


def _notes(
    requests: list[TopicRequest], ancestors: dict[int, list[str]], holders: dict[str, list[int]]
) -> list[Note]:
    notes: list[Note] = []
    for r in requests:
        people = next((holders[p] for p in ancestors[r.pk] if p in holders), [])
        title = _("Topic request overdue: %(title)s (%(unit)s, due %(deadline)s)") % {
            "title": r.title,
            "unit": r.unit.name,
            "deadline": r.deadline.isoformat(),
        }
        url = reverse("disclosures:topic", args=[r.pk])
        notes += [
            Note(person_id=pid, kind=KIND, title=title, url=url, key=f"topic-overdue:{r.pk}")
            for pid in sorted(set(people))
        ]
    return notes


@task()
def escalate_overdue_topics(today: str | None = None) -> dict:
    """The task the worker runs (daily, like the reminders): escalate overdue topic requests.

    `today` (ISO date) is for catch-up runs; by default, the local date when the task runs."""
    return {"notified": escalate_overdue(dt.date.fromisoformat(today) if today else None)}
