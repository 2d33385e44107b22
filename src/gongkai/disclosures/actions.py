"""Every change of state of a disclosure: draft → review → publication → corrections → withdrawal, attachments,
questions and answers, read marks. One function per user action, one transaction each, keyword-only `actor`.

Stale forms: every form that changes a disclosure carries its `revision` (bumped by every change); an action
given an older revision refuses and writes nothing. Each action locks the disclosure row (`select_for_update`)
and checks its status, so the same form submitted twice (a double click) cannot create two versions.

Publication is final: `approve` writes an immutable `DisclosureVersion` (number 1, 2, …) and logs it in the
transparency log; the draft fields keep the published text only as the starting point of a correction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import importlib.util
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.core.text import search_key
from gongkai.org.models import Person, Unit

from . import logleaf, queries, uploads
from .choices import Decision, Form, Status
from .models import (
    Attachment,
    CatalogItem,
    Category,
    Disclosure,
    DisclosureVersion,
    Question,
    ReadMark,
    Review,
    ScheduleEntry,
    TopicRequest,
)
from .sanitize import body_text, clean_body

PERIOD_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$")
KEEP = object()  # an argument left out: the field stays as it is
TEXT_LIMIT = 2000  # questions and answers
DUPLICATE_WINDOW = dt.timedelta(minutes=5)  # an identical submission within this time is the same one


def stale() -> ValidationError:
    return ValidationError(
        _("This disclosure was changed by someone else since you opened it; reload to see the changes."),
        code="stale",
    )


# ------------------------------------------------------------------------------------------------ helpers


def _lock(disclosure: Disclosure, expected_revision: int | None = None) -> Disclosure:
    locked = (
        Disclosure.objects.select_for_update(of=("self",))
        .select_related("unit", "audience", "category", "schedule_entry", "current_version")
        .get(pk=disclosure.pk)
    )
    if expected_revision is not None and int(expected_revision) != locked.revision:
        raise stale()
    return locked


def _save(disclosure: Disclosure, *fields: str) -> None:
    disclosure.revision += 1
    disclosure.save(update_fields=[*fields, "revision", "updated_at"])


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError(_("A disclosure needs a title."), code="title")
    if len(title) > 200:
        raise ValidationError(_("The title is longer than 200 characters."), code="title")
    return title


def _period(period: str) -> str:
    period = (period or "").strip()
    if period and not PERIOD_RE.match(period):
        raise ValidationError(
            _("The period must look like 2026-03, 2026-Q1, 2026-H1 or 2026."), code="period"
        )
    return period


def _channels(channels: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(channels or [Form.WEB]))
    unknown = [c for c in chosen if c not in Form.values]
    if unknown or not chosen:
        raise ValidationError(_("Choose at least one channel: web board, physical board or meeting."))
    return chosen


def _audience(unit: Unit, audience: Unit | None) -> Unit:
    if audience is None:
        return unit
    if not audience.path.startswith(unit.path):
        raise ValidationError(
            _("The audience must be the unit itself or one of its sub-units."), code="audience"
        )
    return audience


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Say why: a reason is required."), code="reason")
    if len(reason) > 300:
        raise ValidationError(_("The reason is longer than 300 characters."), code="reason")
    return reason


def _text(text: str, empty_message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(empty_message, code="empty")
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            _("The text is longer than %(n)s characters.") % {"n": TEXT_LIMIT}, code="too_long"
        )
    return text


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _current(disclosure: Disclosure) -> DisclosureVersion:
    """The current version of a disclosure known to be published."""
    version = disclosure.current_version
    if version is None:
        raise ValidationError(_("Only a published disclosure can be corrected."), code="not_published")
    return version


def _in_correction(disclosure: Disclosure) -> bool:
    return disclosure.current_version_id is not None and disclosure.status in queries.OPEN_STATUSES


def _require_editor(actor, disclosure: Disclosure) -> None:
    if not queries.may_edit(actor, disclosure):
        raise AccessDenied(Role.DISCLOSURE_OFFICER)


def _require_editable(disclosure: Disclosure) -> None:
    if disclosure.status == Status.IN_REVIEW:
        raise ValidationError(
            _("This draft is waiting for review; it can be changed again once it is returned."),
            code="in_review",
        )
    if disclosure.status in (Status.PUBLISHED, Status.WITHDRAWN):
        raise ValidationError(
            _("Published text is never edited in place; start a correction to publish a new version."),
            code="published",
        )


def _inspect_all(files: Sequence) -> list[tuple[uploads.Inspected, Any]]:
    """Check every file before anything is written: one bad file refuses the whole change."""
    return [(uploads.inspect(f), f) for f in files]


def _attach(actor, disclosure: Disclosure, checked: list[tuple[uploads.Inspected, Any]]) -> list[Attachment]:
    added = []
    for info, upload in checked:
        stored = uploads.store(info, upload)
        added.append(
            Attachment.objects.create(
                disclosure=disclosure,
                file=stored,
                name=info.name,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
                uploaded_by=actor,
            )
        )
    return added


def _detach(disclosure: Disclosure, ids: Iterable[int]) -> list[str]:
    ids = [int(i) for i in ids]
    if not ids:
        return []
    found = Attachment.objects.filter(disclosure=disclosure, pk__in=ids, removed=False)
    names = [a.name for a in found]
    found.update(removed=True, updated_at=timezone.now())
    return names


def _snapshot(disclosure: Disclosure) -> list[dict]:
    return [
        {"id": a.pk, "name": a.name, "size": a.size, "type": a.content_type, "sha256": a.sha256}
        for a in queries.draft_attachments(disclosure)
    ]


def _people_with(role: str, unit: Unit) -> list[Person]:
    return list(
        Person.objects.filter(
            roles__role=role, roles__unit__path__in=unit.ancestor_paths(), is_active=True
        ).distinct()
    )


def _notify(people: Iterable, kind: str, title: str, url: str, key: str) -> None:
    """In-app notifications (through core.notify, when that module is installed), written in the action's
    transaction: idempotent on (person, key)."""
    if importlib.util.find_spec("gongkai.core.notify") is None:
        return
    notify = getattr(importlib.import_module("gongkai.core.notify"), "notify", None)
    if notify is None:
        return
    for person in {p.pk: p for p in people}.values():
        notify(person, kind, title, url=url, key=key)


def _detail_url(disclosure: Disclosure) -> str:
    return reverse("disclosures:detail", args=[disclosure.pk])


# ------------------------------------------------------------------------------------------------- drafts


@transaction.atomic
def create_draft(
    *,
    actor,
    unit: Unit,
    category: Category,
    title: str,
    body: str,
    period: str = "",
    item: CatalogItem | None = None,
    schedule_entry: ScheduleEntry | None = None,
    audience: Unit | None = None,
    channels: Iterable[str] | None = None,
    board_numbers: str = "",
    topic_request: TopicRequest | None = None,
    files: Sequence = (),
) -> Disclosure:
    """Start a disclosure. From a schedule entry, its unit, item and period are taken from the entry.

    The same form submitted twice (same author, unit, title and body, or the same schedule entry, within a few
    minutes) returns the first disclosure instead of creating a second one.
    """
    if schedule_entry is not None:
        schedule_entry = ScheduleEntry.objects.select_related("item", "unit").get(pk=schedule_entry.pk)
        unit, item, period = schedule_entry.unit, schedule_entry.item, schedule_entry.period
    if not queries.may_draft(actor, unit, schedule_entry):
        raise AccessDenied(Role.DISCLOSURE_OFFICER)
    if item is not None:
        if category is not None and item.category_id != category.pk:
            raise ValidationError(_("The catalog item belongs to another category."), code="category")
        category = item.category
    if category is None:
        raise ValidationError(_("Choose a category."), code="category")
    if topic_request is not None and topic_request.unit_id != unit.pk:
        raise ValidationError(_("The topic request was made to another unit."), code="topic")
    title = _title(title)
    body = clean_body(body)
    period = _period(period)
    audience = _audience(unit, audience)
    chosen = _channels(channels)
    checked = _inspect_all(files)

    # One author's submissions are serialised: a double click finds the draft of the first click.
    Person.objects.select_for_update().filter(pk=actor.pk).first()
    if schedule_entry is not None:
        existing = Disclosure.objects.filter(schedule_entry=schedule_entry).first()
        if existing is not None:
            if (
                existing.created_by_id == actor.pk
                and existing.created_at >= timezone.now() - DUPLICATE_WINDOW
            ):
                return existing
            raise ValidationError(_("A disclosure for this schedule entry already exists."), code="duplicate")
    else:
        existing = Disclosure.objects.filter(
            unit=unit,
            created_by_id=actor.pk,
            draft_title=title,
            draft_body=body,
            schedule_entry__isnull=True,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        ).first()
        if existing is not None:
            return existing

    try:
        with transaction.atomic():
            disclosure = Disclosure.objects.create(
                unit=unit,
                audience=audience,
                category=category,
                item=item,
                schedule_entry=schedule_entry,
                topic_request=topic_request,
                period=period,
                draft_title=title,
                draft_body=body,
                channels=chosen,
                board_numbers=(board_numbers or "").strip()[:200],
                created_by=actor,
                last_edited_by=actor,
            )
    except IntegrityError as exc:  # the schedule entry got its disclosure meanwhile
        raise ValidationError(
            _("A disclosure for this schedule entry already exists."), code="duplicate"
        ) from exc
    added = _attach(actor, disclosure, checked)
    ledger.record(
        "disclosures.create_draft",
        disclosure,
        actor=actor,
        change={
            "unit": unit.code,
            "audience": audience.code,
            "category": category.code,
            "item": item.code if item else None,
            "period": period,
            "schedule_entry": schedule_entry.pk if schedule_entry else None,
            "topic_request": topic_request.pk if topic_request else None,
            "title": title,
            "body_sha256": _digest(body),
            "channels": chosen,
            "attachments": [a.sha256 for a in added],
        },
    )
    return disclosure


def _keep_published(disclosure: Disclosure, *, period, category, item, audience) -> None:
    """Refuse a correction that would change who reads a published disclosure or where it is filed: those fields
    live on the disclosure itself, so changing them in a draft would change the published one unreviewed."""
    changes = [
        audience is not None and audience.pk != disclosure.audience_id,
        category is not None and category.pk != disclosure.category_id,
        disclosure.schedule_entry_id is None
        and item is not KEEP
        and (item.pk if isinstance(item, CatalogItem) else None) != disclosure.item_id,
        disclosure.schedule_entry_id is None and period is not None and _period(period) != disclosure.period,
    ]
    if any(changes):
        raise ValidationError(
            _(
                "A correction changes the text and the attachments only; the audience, category, catalog item "
                "and period stay as published."
            ),
            code="published_fields",
        )


@transaction.atomic
def update_draft(
    *,
    actor,
    disclosure: Disclosure,
    expected_revision: int,
    title: str,
    body: str,
    period: str | None = None,
    category: Category | None = None,
    item: CatalogItem | None | object = KEEP,
    audience: Unit | None = None,
    channels: Iterable[str] | None = None,
    board_numbers: str | None = None,
    reason: str | None = None,
    files: Sequence = (),
    remove: Iterable[int] = (),
) -> Disclosure:
    """Change a draft (or a correction being prepared), its attachments included, in one go.

    Fields left as None (`item`: left out) stay as they are; `item=None` removes the catalog item. A correction
    changes the text and the attachments only: its audience, category, item and period are those published."""
    disclosure = _lock(disclosure, expected_revision)
    _require_editor(actor, disclosure)
    _require_editable(disclosure)
    if _in_correction(disclosure):
        _keep_published(disclosure, period=period, category=category, item=item, audience=audience)
    fields = ["draft_title", "draft_body", "last_edited_by"]
    disclosure.draft_title = _title(title)
    disclosure.draft_body = clean_body(body)
    disclosure.last_edited_by = actor
    if disclosure.schedule_entry_id is None:
        if period is not None:
            disclosure.period = _period(period)
            fields.append("period")
        if item is not KEEP:
            disclosure.item = item if isinstance(item, CatalogItem) else None
            if disclosure.item is not None:
                if category is not None and disclosure.item.category_id != category.pk:
                    raise ValidationError(_("The catalog item belongs to another category."), code="category")
                category = disclosure.item.category
            fields.append("item")
    if category is not None:
        if disclosure.item is not None and disclosure.item.category_id != category.pk:
            raise ValidationError(_("The catalog item belongs to another category."), code="category")
        disclosure.category = category
        fields.append("category")
    if audience is not None:
        disclosure.audience = _audience(disclosure.unit, audience)
        fields.append("audience")
    if channels is not None:
        disclosure.channels = _channels(channels)
        fields.append("channels")
    if board_numbers is not None:
        disclosure.board_numbers = board_numbers.strip()[:200]
        fields.append("board_numbers")
    if _in_correction(disclosure) and reason is not None:
        disclosure.draft_reason = _reason(reason)
        fields.append("draft_reason")
    checked = _inspect_all(files)
    removed = _detach(disclosure, remove)
    added = _attach(actor, disclosure, checked)
    _save(disclosure, *fields)
    ledger.record(
        "disclosures.update_draft",
        disclosure,
        actor=actor,
        change={
            "title": disclosure.draft_title,
            "body_sha256": _digest(disclosure.draft_body),
            "period": disclosure.period,
            "category": disclosure.category.code,
            "audience": disclosure.audience.code,
            "channels": disclosure.channels,
            "reason": disclosure.draft_reason,
            "added": [a.sha256 for a in added],
            "removed": removed,
        },
    )
    return disclosure


@transaction.atomic
def add_attachment(
    *, actor, disclosure: Disclosure, uploaded_file, expected_revision: int | None = None
) -> Attachment:
    """Attach a file to a draft: checked from its content, stored by its SHA-256."""
    disclosure = _lock(disclosure, expected_revision)
    _require_editor(actor, disclosure)
    _require_editable(disclosure)
    checked = _inspect_all([uploaded_file])
    (attachment,) = _attach(actor, disclosure, checked)
    disclosure.last_edited_by = actor
    _save(disclosure, "last_edited_by")
    ledger.record(
        "disclosures.add_attachment",
        attachment,
        actor=actor,
        change={"disclosure": disclosure.pk, "name": attachment.name, "sha256": attachment.sha256},
    )
    return attachment


@transaction.atomic
def remove_attachment(*, actor, attachment: Attachment, expected_revision: int | None = None) -> Disclosure:
    """Detach a file from the draft; published versions that name it keep it."""
    disclosure = _lock(attachment.disclosure, expected_revision)
    _require_editor(actor, disclosure)
    _require_editable(disclosure)
    if not _detach(disclosure, [attachment.pk]):
        raise ValidationError(_("This file is no longer attached."), code="gone")
    disclosure.last_edited_by = actor
    _save(disclosure, "last_edited_by")
    ledger.record(
        "disclosures.remove_attachment",
        attachment,
        actor=actor,
        change={"disclosure": disclosure.pk, "name": attachment.name, "sha256": attachment.sha256},
    )
    return disclosure


@transaction.atomic
def submit(*, actor, disclosure: Disclosure, expected_revision: int) -> Disclosure:
    """Send a draft (or a correction) to the leading group for review."""
    disclosure = _lock(disclosure, expected_revision)
    _require_editor(actor, disclosure)
    if disclosure.status not in (Status.DRAFT, Status.RETURNED):
        if disclosure.status == Status.IN_REVIEW:
            raise ValidationError(_("This draft is already waiting for review."), code="in_review")
        _require_editable(disclosure)
    attachments = _snapshot(disclosure)
    if not body_text(disclosure.draft_body) and not attachments:
        raise ValidationError(
            _("The disclosure has neither text nor attachments; there is nothing to publish."), code="empty"
        )
    if _in_correction(disclosure):
        current = _current(disclosure)
        _reason(disclosure.draft_reason)
        if (disclosure.draft_title, disclosure.draft_body, attachments) == (
            current.title,
            current.body,
            current.attachments,
        ):
            raise ValidationError(
                _("The correction changes nothing in the published text or its attachments."),
                code="unchanged",
            )
    disclosure.status = Status.IN_REVIEW
    disclosure.last_edited_by = actor
    _save(disclosure, "status", "last_edited_by")
    ledger.record(
        "disclosures.submit",
        disclosure,
        actor=actor,
        change={
            "title": disclosure.draft_title,
            "body_sha256": _digest(disclosure.draft_body),
            "correction": disclosure.current_version_id is not None,
        },
    )
    reviewers = [p for p in _people_with(Role.LEADING_GROUP, disclosure.unit) if p.pk != actor.pk]
    _notify(
        reviewers,
        "disclosures.review",
        _("To review: %(title)s") % {"title": disclosure.draft_title},
        reverse("disclosures:review", args=[disclosure.pk]),
        f"disclosures.review.{disclosure.pk}.{disclosure.revision}",
    )
    return disclosure


# ------------------------------------------------------------------------------------------------- review


def _require_reviewer(actor, disclosure: Disclosure, expected_revision: int | None) -> Disclosure:
    disclosure = _lock(disclosure, expected_revision)
    if not queries.may_review(actor, disclosure):
        raise AccessDenied(Role.LEADING_GROUP)
    if disclosure.status != Status.IN_REVIEW:
        if disclosure.status == Status.PUBLISHED:
            raise ValidationError(_("This disclosure has already been published."), code="published")
        raise ValidationError(_("This disclosure is not waiting for review."), code="not_in_review")
    return disclosure


def _mark_topic_answered(actor, disclosure: Disclosure) -> None:
    """Tell the topic-request module that this disclosure answers its request (if that module can)."""
    name = "gongkai.disclosures.topic_actions"
    if importlib.util.find_spec(name) is None:
        return
    mark = getattr(importlib.import_module(name), "mark_answered_by", None)
    if mark is not None:
        mark(disclosure, actor=actor)


@transaction.atomic
def approve(
    *, actor, disclosure: Disclosure, comment: str = "", expected_revision: int | None = None
) -> DisclosureVersion:
    """Approve and publish: writes version N+1 (immutable, logged), makes it current and public.

    Nobody approves their own work: the creator and the last editor (who submitted it) are refused, even when
    they also belong to the leading group.
    """
    disclosure = _require_reviewer(actor, disclosure, expected_revision)
    if queries.is_own_work(actor, disclosure):
        raise ValidationError(
            _("You wrote or last changed this draft; another member of the leading group must approve it."),
            code="own_draft",
        )
    now = timezone.now()
    last = disclosure.versions.aggregate(n=Max("number"))["n"] or 0
    version = DisclosureVersion.objects.create(
        disclosure=disclosure,
        number=last + 1,
        title=disclosure.draft_title,
        body=disclosure.draft_body,
        reason=disclosure.draft_reason if last else "",
        attachments=_snapshot(disclosure),
        unit_code=disclosure.unit.code,
        audience_code=disclosure.audience.code,
        category_code=disclosure.category.code,
        period=disclosure.period,
        published_at=now,
        published_by=actor,
        approved_by=actor,
    )
    Review.objects.create(
        disclosure=disclosure, reviewer=actor, decision=Decision.APPROVE, comment=(comment or "").strip()
    )
    first = disclosure.published_at is None
    disclosure.current_version = version
    disclosure.title = version.title
    disclosure.status = Status.PUBLISHED
    disclosure.is_public = True
    disclosure.published_at = disclosure.published_at or now
    disclosure.updated_version_at = now
    disclosure.draft_reason = ""
    disclosure.search_text = search_key(f"{version.title}\n{body_text(version.body)}")
    _save(
        disclosure,
        "current_version",
        "title",
        "status",
        "is_public",
        "published_at",
        "updated_version_at",
        "draft_reason",
        "search_text",
    )
    leaf_index = logleaf.log_version(version)
    if first and disclosure.schedule_entry_id is not None:
        ScheduleEntry.objects.filter(pk=disclosure.schedule_entry_id, published_on__isnull=True).update(
            published_on=timezone.localdate(now)
        )
    if disclosure.topic_request_id is not None:
        _mark_topic_answered(actor, disclosure)
    ledger.record(
        "disclosures.publish",
        version,
        actor=actor,
        change={
            "disclosure": disclosure.pk,
            "number": version.number,
            "title": version.title,
            "body_sha256": _digest(version.body),
            "reason": version.reason,
            "attachments": [a["sha256"] for a in version.attachments],
            "comment": (comment or "").strip(),
            "log_index": leaf_index,
        },
    )
    authors = [p for p in (disclosure.created_by, disclosure.last_edited_by) if p is not None]
    _notify(
        authors,
        "disclosures.published",
        _("Published: %(title)s") % {"title": version.title},
        _detail_url(disclosure),
        f"disclosures.published.{version.pk}",
    )
    return version


@transaction.atomic
def return_draft(
    *, actor, disclosure: Disclosure, comment: str, expected_revision: int | None = None
) -> Review:
    """Send a draft back to its author with comments (required)."""
    disclosure = _require_reviewer(actor, disclosure, expected_revision)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what must change: comments are required to return a draft."))
    review = Review.objects.create(
        disclosure=disclosure, reviewer=actor, decision=Decision.RETURN, comment=comment
    )
    disclosure.status = Status.RETURNED
    _save(disclosure, "status")
    ledger.record("disclosures.return", disclosure, actor=actor, change={"comment": comment})
    authors = [p for p in (disclosure.created_by, disclosure.last_edited_by) if p is not None]
    _notify(
        [p for p in authors if p.pk != actor.pk],
        "disclosures.returned",
        _("Returned with comments: %(title)s") % {"title": disclosure.draft_title},
        reverse("disclosures:edit", args=[disclosure.pk]),
        f"disclosures.returned.{review.pk}",
    )
    return review


# ---------------------------------------------------------------------------------- corrections, withdrawal


@transaction.atomic
def start_correction(
    *,
    actor,
    disclosure: Disclosure,
    title: str,
    body: str,
    reason: str,
    expected_revision: int | None = None,
    files: Sequence = (),
    remove: Iterable[int] = (),
) -> Disclosure:
    """Prepare a new version of a published disclosure, with the reason for the correction. Readers keep
    seeing the current version until the correction is approved."""
    disclosure = _lock(disclosure, expected_revision)
    _require_editor(actor, disclosure)
    if disclosure.status != Status.PUBLISHED:
        if _in_correction(disclosure):
            raise ValidationError(_("A correction is already being prepared."), code="in_correction")
        raise ValidationError(_("Only a published disclosure can be corrected."), code="not_published")
    disclosure.draft_title = _title(title)
    disclosure.draft_body = clean_body(body)
    disclosure.draft_reason = _reason(reason)
    checked = _inspect_all(files)
    removed = _detach(disclosure, remove)
    added = _attach(actor, disclosure, checked)
    disclosure.status = Status.DRAFT
    disclosure.last_edited_by = actor
    _save(disclosure, "draft_title", "draft_body", "draft_reason", "status", "last_edited_by")
    ledger.record(
        "disclosures.start_correction",
        disclosure,
        actor=actor,
        change={
            "title": disclosure.draft_title,
            "body_sha256": _digest(disclosure.draft_body),
            "reason": disclosure.draft_reason,
            "added": [a.sha256 for a in added],
            "removed": removed,
        },
    )
    return disclosure


@transaction.atomic
def cancel_correction(*, actor, disclosure: Disclosure, expected_revision: int) -> Disclosure:
    """Drop a correction that was not yet approved: the draft goes back to the current version."""
    disclosure = _lock(disclosure, expected_revision)
    _require_editor(actor, disclosure)
    if not _in_correction(disclosure) or disclosure.status == Status.IN_REVIEW:
        raise ValidationError(_("There is no correction in preparation to cancel."), code="no_correction")
    current = _current(disclosure)
    published_ids = [a["id"] for a in current.attachments]
    Attachment.objects.filter(disclosure=disclosure).exclude(pk__in=published_ids).update(removed=True)
    Attachment.objects.filter(disclosure=disclosure, pk__in=published_ids).update(removed=False)
    disclosure.draft_title, disclosure.draft_body, disclosure.draft_reason = current.title, current.body, ""
    disclosure.status = Status.PUBLISHED
    _save(disclosure, "draft_title", "draft_body", "draft_reason", "status")
    ledger.record("disclosures.cancel_correction", disclosure, actor=actor, change={})
    return disclosure


@transaction.atomic
def withdraw(
    *, actor, disclosure: Disclosure, reason: str, expected_revision: int | None = None
) -> Disclosure:
    """Take a disclosure off the boards (leading group). Its versions stay; its page says when and why."""
    disclosure = _lock(disclosure, expected_revision)
    if not queries.may_review(actor, disclosure):
        raise AccessDenied(Role.LEADING_GROUP)
    if disclosure.current_version_id is None:
        raise ValidationError(_("Only a published disclosure can be withdrawn."), code="not_published")
    if disclosure.status == Status.WITHDRAWN:
        raise ValidationError(_("This disclosure has already been withdrawn."), code="withdrawn")
    reason = _reason(reason)
    disclosure.status = Status.WITHDRAWN
    disclosure.is_public = False
    disclosure.withdrawn_at = timezone.now()
    disclosure.withdrawn_reason = reason
    _save(disclosure, "status", "is_public", "withdrawn_at", "withdrawn_reason")
    ledger.record(
        "disclosures.withdraw",
        disclosure,
        actor=actor,
        change={"reason": reason, "version": _current(disclosure).number},
    )
    return disclosure


# ---------------------------------------------------------------------------------------- questions, reads


@transaction.atomic
def ask(*, actor, disclosure: Disclosure, text: str, is_opinion: bool = False) -> Question:
    """A reader's question or opinion on a published disclosure. The same text sent twice is kept once."""
    text = _text(text, _("Please write your opinion.") if is_opinion else _("Please write your question."))
    if queries.disclosure_for(actor, disclosure.pk) is None:
        raise AccessDenied(Role.EMPLOYEE)
    disclosure = _lock(disclosure)
    if not disclosure.is_public:
        raise ValidationError(
            _("Questions can be asked only on a disclosure that is published."), code="not_public"
        )
    existing = Question.objects.filter(
        disclosure=disclosure,
        asker_id=actor.pk,
        text=text,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).first()
    if existing is not None:
        return existing
    question = Question.objects.create(disclosure=disclosure, asker=actor, text=text, is_opinion=is_opinion)
    ledger.record(
        "disclosures.ask",
        question,
        actor=actor,
        change={"disclosure": disclosure.pk, "text": text, "opinion": is_opinion},
    )
    _notify(
        _people_with(Role.DISCLOSURE_OFFICER, disclosure.unit),
        "disclosures.question",
        _("A question on %(title)s") % {"title": disclosure.title},
        _detail_url(disclosure) + f"#q{question.pk}",
        f"disclosures.question.{question.pk}",
    )
    return question


@transaction.atomic
def answer(*, actor, question: Question, text: str, public: bool = True) -> Question:
    """The responsible person answers; a public answer shows on the item to all readers, a private one only
    to the asker."""
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("disclosure__unit", "disclosure__schedule_entry")
        .get(pk=question.pk)
    )
    if not queries.may_answer(actor, question.disclosure):
        raise AccessDenied(Role.DISCLOSURE_OFFICER)
    if question.answered_at is not None:
        raise ValidationError(_("This question has already been answered."), code="answered")
    question.answer = _text(text, _("Please write the answer."))
    question.answer_public = bool(public)
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answer_public", "answered_by", "answered_at", "updated_at"])
    ledger.record(
        "disclosures.answer",
        question,
        actor=actor,
        change={"text": question.answer, "public": question.answer_public},
    )
    _notify(
        [question.asker],
        "disclosures.answer",
        _("Your question was answered: %(title)s") % {"title": question.disclosure.title},
        _detail_url(question.disclosure) + f"#q{question.pk}",
        f"disclosures.answer.{question.pk}",
    )
    return question


def mark_read(person, disclosure: Disclosure) -> None:
    """Remember that the person has read the current version (one upsert; not an audited action: reading
    changes nothing that anyone answers for)."""
    if disclosure.current_version is None or person.pk is None:
        return
    number = disclosure.current_version.number
    ReadMark.objects.bulk_create(
        [
            ReadMark(
                person_id=person.pk, disclosure_id=disclosure.pk, version_number=number, at=timezone.now()
            )
        ],
        update_conflicts=True,
        unique_fields=["person", "disclosure"],
        update_fields=["version_number", "at"],
    )
