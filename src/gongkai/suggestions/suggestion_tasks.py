"""Reminders of overdue first answers: a digest to the union and the leading group.

A suggestion waits for its first answer (screening refusal or the panel's conclusion) while it is submitted or in
review and has not been answered yet (a shelved suggestion taken up again was answered); once `answer_due_on` has
passed it is overdue. Each overdue suggestion is reported to the holders of a
managing role (`access.MANAGE_ROLES`) on the nearest unit — the suggestion's unit or its nearest ancestor — where
someone holds one (the mine's union, not every level above it). It is a digest: one notification per person
listing all their overdue suggestions (the first DIGEST_LINES of them, oldest due date first).

Idempotent: the key is `suggestions.overdue.<the latest due date in the digest>`, unique per person, so running the
job twice sends nothing twice, and a new digest goes out only when a suggestion newly became overdue. A run is bulk:
one read of the role holders, one of the overdue suggestions, and the chunked inserts of `core.notify.notify_many`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from gongkai.core.notify import Note, notify_many
from gongkai.org.models import RoleAssignment, Unit

from .access import MANAGE_ROLES
from .choices import AWAITING_ANSWER
from .models import Suggestion

OVERDUE = "suggestions.overdue"
DIGEST_LINES = 10


def managers_by_path() -> dict[str, list[int]]:
    """Active holders of a managing role by the path of the unit they hold it on (one query)."""
    holders: dict[str, list[int]] = {}
    rows = (
        RoleAssignment.objects.filter(role__in=MANAGE_ROLES, person__is_active=True, unit__active=True)
        .order_by("unit__path", "person_id")
        .values_list("unit__path", "person_id")
    )
    for path, person_id in rows:
        people = holders.setdefault(path, [])
        if person_id not in people:
            people.append(person_id)
    return holders


def overdue_notes(today: dt.date) -> list[Note]:
    """One digest per manager of the overdue first answers they are the nearest managers of."""
    holders = managers_by_path()
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
        Suggestion.objects.filter(
            status__in=AWAITING_ANSWER, answered_at__isnull=True, answer_due_on__lt=today
        )
        .order_by("answer_due_on", "pk")
        .values_list("pk", "title", "unit__path", "unit__name", "answer_due_on")
    )
    per_person: dict[int, list[tuple[int, str, str, dt.date]]] = {}
    for pk, title, path, unit_name, due in rows:
        target = nearest(path)
        if target is None or due is None:  # due is never None here (filtered); for the type checker
            continue
        for person_id in holders[target]:
            per_person.setdefault(person_id, []).append((pk, title, unit_name, due))
    url = reverse("suggestions:queue") + "?overdue=on"
    notes = []
    for person_id, items in per_person.items():
        n = len(items)
        latest = max(due for *_rest, due in items)
        lines = [
            _("#%(id)s %(title)s · %(unit)s · due %(date)s (%(days)s days late)")
            % {
                "id": pk,
                "title": title,
                "unit": unit_name,
                "date": due.isoformat(),
                "days": (today - due).days,
            }
            for pk, title, unit_name, due in items[:DIGEST_LINES]
        ]
        if n > DIGEST_LINES:
            lines.append(_("… and %(n)s more.") % {"n": n - DIGEST_LINES})
        notes.append(
            Note(
                person_id=person_id,
                kind=OVERDUE,
                title=ngettext(
                    "%(n)s suggestion is overdue for its first answer",
                    "%(n)s suggestions are overdue for their first answer",
                    n,
                )
                % {"n": n},
                body="\n".join(lines),
                url=url,
                key=f"{OVERDUE}.{latest.isoformat()}",
            )
        )
    return notes


def send_overdue_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Send today's digests of overdue first answers; returns how many notifications were new."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        sent = notify_many(overdue_notes(today))
    return {"overdue": sent}


@task()
def remind_suggestions(today: str | None = None) -> dict:
    """Digest of overdue first answers to the managers (`today`, an ISO date, is for catch-up runs)."""
    return send_overdue_reminders(dt.date.fromisoformat(today) if today else None)
