"""In-app notifications (and their email copies): `notify` for one, `notify_many` for a batch.

Sending is idempotent: a notification is identified by (person, key), a unique pair in the database, so a job
that runs twice stores each notification once. Email copies are sent only when `settings.EMAIL_HOST` is set,
after the surrounding transaction commits, to people who have an email address; `emailed_at` records it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

CHUNK = 900  # keys per IN (...) query: below SQLite's historical limit of 999 parameters
BATCH = 1000


@dataclass(frozen=True)
class Note:
    """One notification to send with `notify_many`."""

    person_id: int
    kind: str
    title: str
    key: str
    url: str = ""
    body: str = ""


def email_enabled() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


def _one_line(title: str) -> str:
    """A title is one line (it is also an email's subject, where a line break would be refused or, worse, read
    as another header): every run of whitespace becomes one space."""
    return " ".join((title or "").split())[:200]


def notify(person, kind: str, title: str, url: str = "", body: str = "", *, key: str | None = None):
    """Notify one person. Returns the new notification, or None if one with this key was already sent.

    Without a key every call makes a new notification (not idempotent).
    """
    key = key or f"{kind}.{uuid.uuid4().hex}"
    if Notification.objects.filter(person_id=person.pk, key=key).exists():
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                person_id=person.pk,
                kind=kind,
                title=_one_line(title),
                url=url[:300],
                body=body,
                key=key[:150],
            )
    except IntegrityError:  # sent meanwhile by a concurrent job
        return None
    if email_enabled():
        transaction.on_commit(lambda: send_emails([note.pk]))
    return note


def notify_many(rows: Iterable[Note]) -> int:
    """Store many notifications in bulk, skipping the (person, key) pairs already sent; returns how many were
    new. A handful of queries per thousand rows, never one per row."""
    wanted: dict[tuple[int, str], Note] = {}
    for row in rows:
        wanted.setdefault((row.person_id, row.key[:150]), row)
    if not wanted:
        return 0
    # which pairs exist already: (person IN ..., key IN ...) is read from the unique (person, key) index
    pairs = sorted(wanted)
    for start in range(0, len(pairs), CHUNK // 2):
        chunk = pairs[start : start + CHUNK // 2]
        people = {person_id for person_id, _key in chunk}
        keys = {key for _person_id, key in chunk}
        for pair in Notification.objects.filter(person_id__in=people, key__in=keys).values_list(
            "person_id", "key"
        ):
            wanted.pop(pair, None)
    new = [
        Notification(
            person_id=person_id,
            kind=row.kind,
            title=_one_line(row.title),
            url=row.url[:300],
            body=row.body,
            key=key,
        )
        for (person_id, key), row in wanted.items()
    ]
    # ignore_conflicts: a concurrent run may have stored some of them since the check above
    Notification.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    if new and email_enabled():
        new_pairs = sorted(wanted)
        transaction.on_commit(lambda: _email_pairs(new_pairs))
    return len(new)


def _email_pairs(pairs: list[tuple[int, str]]) -> None:
    wanted = set(pairs)
    ids: list[int] = []
    for start in range(0, len(pairs), CHUNK // 2):
        chunk = pairs[start : start + CHUNK // 2]
        people = {person_id for person_id, _key in chunk}
        keys = {key for _person_id, key in chunk}
        for pk, person_id, key in Notification.objects.filter(
            person_id__in=people, key__in=keys, emailed_at__isnull=True
        ).values_list("pk", "person_id", "key"):
            if (person_id, key) in wanted:
                ids.append(pk)
    send_emails(ids)


def send_emails(ids: list[int]) -> int:
    """Email the given notifications to those of their people who have an address; returns how many were
    sent. Failures are logged and leave `emailed_at` empty, so they can be retried."""
    if not ids or not email_enabled():
        return 0
    sent_ids: list[int] = []
    connection = get_connection()
    try:
        for start in range(0, len(ids), CHUNK):
            notes = (
                Notification.objects.filter(pk__in=ids[start : start + CHUNK], emailed_at__isnull=True)
                .exclude(person__email="")
                .select_related("person")
                .only("pk", "title", "body", "url", "person__email")
            )
            messages = []
            chunk_ids = []
            for note in notes:
                text = note.body
                if note.url:
                    text = f"{text}\n\n{_absolute(note.url)}".strip()
                messages.append(
                    EmailMessage(
                        subject=note.title,
                        body=text,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[note.person.email],
                        connection=connection,
                    )
                )
                chunk_ids.append(note.pk)
            if not messages:
                continue
            try:
                connection.send_messages(messages)
            except Exception:  # SMTP errors of every kind: keep the in-app notifications, retry later
                logger.exception("could not email %s notifications", len(messages))
                continue
            sent_ids.extend(chunk_ids)
    finally:
        connection.close()
    for start in range(0, len(sent_ids), CHUNK):
        Notification.objects.filter(pk__in=sent_ids[start : start + CHUNK]).update(emailed_at=timezone.now())
    return len(sent_ids)


def _absolute(url: str) -> str:
    base = getattr(settings, "GONGKAI_SITE_URL", "")
    if url.startswith("/") and base:
        return base.rstrip("/") + url
    return url


# ------------------------------------------------------------------------------- the reader's own actions
# Reading one's own notifications is not audited (it changes nothing anyone else sees), but like every change of
# state it happens here, not in a view; each function touches only the person's own notifications.


def mark_read(person, note: Notification, *, unread: bool = False) -> Notification:
    """Mark one of the person's notifications read (or unread again); returns it with `read_at` updated."""
    note.read_at = None if unread else (note.read_at or timezone.now())
    Notification.objects.filter(pk=note.pk, person_id=person.pk).update(read_at=note.read_at)
    return note


def mark_all_read(person) -> int:
    """Mark every unread notification of the person read; returns how many."""
    return Notification.objects.filter(person_id=person.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
