"""The author's side of a suggestion: draft it, invite co-authors (who confirm or decline), attach files, submit.

One function per user action, one transaction each, keyword-only `actor`, one audit-ledger entry and a timeline
event per step. The lead author drafts, edits, invites and removes co-authors, attaches files and submits; an
invited co-author confirms or declines. A suggestion is submitted only when every co-author has confirmed (one who
declined must be removed first), and a co-author confirms the text as it is: a change of the proposal, or a file
attached or taken off, puts the confirmed co-authors back to "invited" (they are told), and a confirmation given on
an older revision is refused. After submission the proposal is frozen: nothing of it is edited again. The same new
draft posted twice (a double click) is one draft.

Every action locks the suggestion row, checks its status and bumps `revision`; actions driven by a form that
changes the suggestion take `expected_revision` and refuse an older one (a stale form), so a double submission
cannot apply twice. The input is checked by `author_input` (plain text without HTML or script, files from
their content).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger, notify
from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.core.text import search_key
from gongkai.org.models import Person, RoleAssignment

from .access import MANAGE_ROLES
from .author_input import EDITABLE_FIELDS, MAX_FILES, check_files, clean_fields, store_files
from .choices import Consent, EventKind, Status
from .common import add_event, check_revision, detail_url, lock, save
from .dates import add_months
from .insight_tasks import schedule_index_rebuild
from .models import Attachment, Coauthor, Drive, Suggestion

MAX_COAUTHORS = 10
DOUBLE_POST_WINDOW = dt.timedelta(minutes=10)  # the same new draft posted again within it is the same draft


def frozen() -> ValidationError:
    return ValidationError(
        _("This suggestion has been submitted: its text and files can no longer be changed."), code="frozen"
    )


# ------------------------------------------------------------------------------------------------ helpers


def answer_due(submitted_on: dt.date, is_major: bool) -> dt.date:
    months = (
        settings.GONGKAI_SUGGESTION_MAJOR_ANSWER_MONTHS
        if is_major
        else settings.GONGKAI_SUGGESTION_ANSWER_MONTHS
    )
    return add_months(submitted_on, months)


def _require_lead(actor: Person, suggestion: Suggestion) -> None:
    if actor is None or actor.pk != suggestion.author_id:
        raise AccessDenied(Role.EMPLOYEE)


def _require_draft(suggestion: Suggestion) -> None:
    if suggestion.status != Status.DRAFT:
        raise frozen()


def _plain(value: Any) -> Any:
    """A value as the ledger's JSON keeps it (amounts and dates as text, a drive by its id)."""
    if isinstance(value, Drive):
        return value.pk
    if isinstance(value, Decimal | dt.date):
        return str(value)
    return value


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def managers_of(suggestion: Suggestion) -> list[Person]:
    """The active union and leading-group members of the suggestion's unit or a unit above it."""
    paths = suggestion.unit.ancestor_paths()
    people = Person.objects.filter(
        is_active=True,
        pk__in=RoleAssignment.objects.filter(role__in=MANAGE_ROLES, unit__path__in=paths).values("person_id"),
    )
    return list(people)


# -------------------------------------------------------------------------------------------------- drafts


@transaction.atomic
def create_draft(
    *,
    actor: Person,
    category: str,
    title: str,
    problem: str,
    proposal: str,
    expected_benefit: str = "",
    expected_saving: Decimal | None = None,
    is_major: bool = False,
    drive: Drive | None = None,
    files: Sequence = (),
) -> Suggestion:
    """A new draft by the actor (the lead author), in the actor's own unit, with its files."""
    if actor is None or not actor.is_active:
        raise AccessDenied(Role.EMPLOYEE)
    if actor.unit_id is None:
        raise ValidationError(
            _(
                "You are not placed in a unit, so your suggestion would have no one to screen it; ask the "
                "administrator to place you in your unit."
            ),
            code="no_unit",
        )
    clean = clean_fields(
        actor,
        {
            "category": category,
            "title": title,
            "problem": problem,
            "proposal": proposal,
            "expected_benefit": expected_benefit,
            "expected_saving": expected_saving,
            "is_major": is_major,
            "drive": drive,
        },
    )
    Person.objects.select_for_update().filter(pk=actor.pk).first()  # one new draft of the actor at a time
    same = Suggestion.objects.filter(
        author=actor,
        status=Status.DRAFT,
        created_at__gte=timezone.now() - DOUBLE_POST_WINDOW,
        **{name: clean[name] for name in ("category", "title", "problem", "proposal")},
    ).first()
    if same is not None:  # the form posted twice (a double click): the draft the first post made
        return same
    checked = check_files(files)
    suggestion = Suggestion.objects.create(unit_id=actor.unit_id, author=actor, status=Status.DRAFT, **clean)
    add_event(suggestion, EventKind.CREATED, actor)
    stored = store_files(suggestion, actor, checked)
    ledger.record(
        "suggestions.create",
        suggestion,
        actor=actor,
        change={
            "unit": suggestion.unit_id,
            "category": suggestion.category,
            "title": suggestion.title,
            "text_sha256": _digest(
                f"{suggestion.problem}\n{suggestion.proposal}\n{suggestion.expected_benefit}"
            ),
            "expected_saving": _plain(suggestion.expected_saving),
            "is_major": suggestion.is_major,
            "drive": suggestion.drive_id,
            "files": stored,
        },
    )
    return suggestion


@transaction.atomic
def update_draft(
    *, actor: Person, suggestion: Suggestion, expected_revision: int | None, **fields: Any
) -> Suggestion:
    """The lead author changes the draft (any of EDITABLE_FIELDS). Refused once submitted."""
    suggestion = lock(suggestion)
    _require_lead(actor, suggestion)
    _require_draft(suggestion)
    check_revision(suggestion, expected_revision)
    clean = clean_fields(actor, fields)
    changed = [name for name, value in clean.items() if getattr(suggestion, name) != value]
    if not changed:
        return suggestion
    for name in changed:
        setattr(suggestion, name, clean[name])
    save(suggestion, *changed)
    add_event(suggestion, EventKind.COMMENT, actor, _("Draft changed."), public=False)
    asked_again = _ask_again(suggestion, actor) if set(changed) & set(CONSENTED_FIELDS) else []
    change: dict[str, Any] = {
        name: (
            _digest(str(clean[name]))
            if name in ("problem", "proposal", "expected_benefit")
            else _plain(clean[name])
        )
        for name in changed
    }
    if asked_again:
        change["consent_asked_again"] = asked_again
    ledger.record("suggestions.update", suggestion, actor=actor, change=change)
    return suggestion


# what a co-author confirms: a change of any of these asks the confirmed co-authors again
CONSENTED_FIELDS = tuple(name for name in EDITABLE_FIELDS if name != "drive")


def _ask_again(suggestion: Suggestion, actor: Person) -> list[int]:
    """The co-authors who confirmed go back to "invited" (they confirmed another text or other attachments) and
    are told."""
    confirmed = list(
        Coauthor.objects.select_for_update()
        .filter(suggestion=suggestion, consent=Consent.CONFIRMED)
        .order_by("pk")
    )
    if not confirmed:
        return []
    Coauthor.objects.filter(pk__in=[c.pk for c in confirmed]).update(
        consent=Consent.INVITED, responded_at=None
    )
    title = _("“%(title)s”, which you confirmed co-authoring, was changed: please confirm again") % {
        "title": suggestion.title
    }
    notify.notify_many(
        [
            notify.Note(
                person_id=c.person_id,
                kind="suggestions.coauthor_changed",
                title=title,
                body=_("Open the suggestion to confirm or decline."),
                key=f"suggestions.coauthor_changed.{c.pk}.{suggestion.revision}",
                url=detail_url(suggestion),
            )
            for c in confirmed
        ]
    )
    return [c.person_id for c in confirmed]


@transaction.atomic
def add_attachment(*, actor: Person, suggestion: Suggestion, upload) -> Attachment:
    """The lead author adds a file to the draft (PDF, .xlsx, .docx, JPEG, PNG; checked from its content)."""
    suggestion = lock(suggestion)
    _require_lead(actor, suggestion)
    _require_draft(suggestion)
    if Attachment.objects.filter(suggestion=suggestion).count() >= MAX_FILES:
        raise ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_FILES}, code="too_many")
    checked = check_files([upload])
    info = checked[0][0]
    if Attachment.objects.filter(suggestion=suggestion, sha256=info.sha256).exists():
        raise ValidationError(
            _("“%(name)s” is already attached to this suggestion.") % {"name": info.name},
            code="duplicate_file",
        )
    stored = store_files(suggestion, actor, checked)
    save(suggestion)
    change: dict[str, Any] = {"files": stored}
    asked_again = _ask_again(suggestion, actor)  # the co-authors confirmed the draft without this file
    if asked_again:
        change["consent_asked_again"] = asked_again
    ledger.record("suggestions.attach", suggestion, actor=actor, change=change)
    return Attachment.objects.filter(suggestion=suggestion).order_by("-pk").first()  # type: ignore[return-value]


@transaction.atomic
def remove_attachment(*, actor: Person, attachment: Attachment) -> Suggestion:
    """The lead author takes a file off the draft (the stored bytes stay: they are kept by content and may be
    shared with another file of the same content)."""
    suggestion = lock(attachment.suggestion)
    _require_lead(actor, suggestion)
    _require_draft(suggestion)
    found = Attachment.objects.filter(pk=attachment.pk, suggestion=suggestion).first()
    if found is None:
        raise ValidationError(_("This file has already been removed."), code="gone")
    change: dict[str, Any] = {"name": found.name, "sha256": found.sha256}
    found.delete()
    save(suggestion)
    asked_again = _ask_again(suggestion, actor)  # the co-authors confirmed the draft with this file
    if asked_again:
        change["consent_asked_again"] = asked_again
    ledger.record("suggestions.remove_attachment", suggestion, actor=actor, change=change)
    return suggestion


# ---------------------------------------------------------------------------------------------- co-authors


def person_by_number(employee_no: str) -> Person:
    """The person with this employee number (refused clearly when there is none)."""
    number = (employee_no or "").strip()
    person = Person.objects.filter(employee_no=number).select_related("unit").first() if number else None
    if person is None:
        raise ValidationError(
            _("Nobody has the employee number %(no)s; check the number.") % {"no": number or "—"},
            code="unknown_person",
        )
    return person


@transaction.atomic
def invite_coauthor(*, actor: Person, suggestion: Suggestion, person: Person) -> Coauthor:
    """The lead author invites a colleague as co-author; the colleague is notified and confirms or declines."""
    suggestion = lock(suggestion)
    _require_lead(actor, suggestion)
    _require_draft(suggestion)
    if person.pk == actor.pk:
        raise ValidationError(_("You are the lead author already; invite someone else."), code="self")
    if not person.is_active:
        raise ValidationError(
            _("%(person)s is no longer an active employee and cannot be a co-author.")
            % {"person": person.name},
            code="inactive",
        )
    existing = Coauthor.objects.filter(suggestion=suggestion)
    if existing.filter(person=person).exists():
        raise ValidationError(
            _("%(person)s is already invited as a co-author.") % {"person": person.name}, code="duplicate"
        )
    if existing.count() >= MAX_COAUTHORS:
        raise ValidationError(
            _("A suggestion has at most %(n)s co-authors.") % {"n": MAX_COAUTHORS}, code="too_many"
        )
    coauthor = Coauthor.objects.create(suggestion=suggestion, person=person)
    save(suggestion)
    add_event(suggestion, EventKind.COAUTHOR_INVITED, actor, person.name)
    ledger.record("suggestions.invite", suggestion, actor=actor, change={"person": person.pk})
    notify.notify(
        person,
        "suggestions.coauthor",
        _("%(author)s invites you to co-author the suggestion “%(title)s”")
        % {"author": actor.name, "title": suggestion.title},
        url=detail_url(suggestion),
        body=_("Open the suggestion to confirm or decline."),
        key=f"suggestions.coauthor.{coauthor.pk}",
    )
    return coauthor


@transaction.atomic
def remove_coauthor(*, actor: Person, coauthor: Coauthor) -> Suggestion:
    """The lead author takes a co-author off the draft (e.g. one who declined)."""
    suggestion = lock(coauthor.suggestion)
    _require_lead(actor, suggestion)
    _require_draft(suggestion)
    found = Coauthor.objects.select_related("person").filter(pk=coauthor.pk, suggestion=suggestion).first()
    if found is None:
        raise ValidationError(_("This co-author has already been removed."), code="gone")
    name, person_id, consent = found.person.name, found.person_id, found.consent
    found.delete()
    save(suggestion)
    add_event(
        suggestion, EventKind.COMMENT, actor, _("%(person)s is no longer a co-author.") % {"person": name}
    )
    ledger.record(
        "suggestions.remove_coauthor",
        suggestion,
        actor=actor,
        change={"person": person_id, "consent": consent},
    )
    return suggestion


@transaction.atomic
def respond(
    *, actor: Person, coauthor: Coauthor, confirm: bool, expected_revision: int | None = None
) -> Coauthor:
    """An invited co-author confirms (and becomes an author) or declines; the lead author is told. A confirmation
    given on a page opened before the draft changed (`expected_revision`) is refused: it confirmed another text."""
    suggestion = lock(coauthor.suggestion)
    found = Coauthor.objects.select_for_update().filter(pk=coauthor.pk, suggestion=suggestion).first()
    if found is None or actor is None or found.person_id != actor.pk:
        raise AccessDenied(Role.EMPLOYEE)
    if suggestion.status != Status.DRAFT:
        raise ValidationError(
            _("This suggestion has already been submitted; the invitation is closed."), code="status"
        )
    if found.consent != Consent.INVITED:
        raise ValidationError(
            _("You have already answered this invitation (%(answer)s).")
            % {"answer": found.get_consent_display()},
            code="answered",
        )
    if confirm:
        check_revision(suggestion, expected_revision)
    found.consent = Consent.CONFIRMED if confirm else Consent.DECLINED
    found.responded_at = timezone.now()
    found.save(update_fields=["consent", "responded_at"])
    save(suggestion)
    add_event(suggestion, EventKind.COAUTHOR_CONFIRMED if confirm else EventKind.COAUTHOR_DECLINED, actor)
    ledger.record("suggestions.respond", suggestion, actor=actor, change={"consent": found.consent})
    title = (
        _("%(person)s confirmed as co-author of “%(title)s”")
        if confirm
        else _("%(person)s declined to co-author “%(title)s”")
    )
    notify.notify(
        suggestion.author,
        "suggestions.coauthor_answer",
        title % {"person": actor.name, "title": suggestion.title},
        url=detail_url(suggestion),
        key=f"suggestions.coauthor_answer.{found.pk}",
    )
    return found


# ------------------------------------------------------------------------------------------------ submitting


@transaction.atomic
def submit(*, actor: Person, suggestion: Suggestion, expected_revision: int | None) -> Suggestion:
    """The lead author submits: every co-author must have confirmed. Sets the first answer's deadline, the search
    text, and tells the union and the leading group of the unit. A second submission is refused."""
    suggestion = lock(suggestion)
    _require_lead(actor, suggestion)
    if suggestion.status != Status.DRAFT:
        raise ValidationError(_("This suggestion has already been submitted."), code="submitted")
    check_revision(suggestion, expected_revision)
    coauthors = list(Coauthor.objects.filter(suggestion=suggestion).select_related("person").order_by("pk"))
    declined = [c.person.name for c in coauthors if c.consent == Consent.DECLINED]
    if declined:
        raise ValidationError(
            _("%(people)s declined to be co-author; remove them before submitting.")
            % {"people": "、".join(declined)},
            code="declined",
        )
    waiting = [c.person.name for c in coauthors if c.consent != Consent.CONFIRMED]
    if waiting:
        raise ValidationError(
            _(
                "%(people)s has not confirmed being co-author yet; every co-author must confirm before you submit."
            )
            % {"people": "、".join(waiting)},
            code="consent",
        )
    now = timezone.now()
    suggestion.status = Status.SUBMITTED
    suggestion.submitted_at = now
    suggestion.answer_due_on = answer_due(timezone.localdate(now), suggestion.is_major)
    suggestion.search_text = search_key(f"{suggestion.title} {suggestion.problem} {suggestion.proposal}")
    save(suggestion, "status", "submitted_at", "answer_due_on", "search_text")
    add_event(suggestion, EventKind.SUBMITTED, actor)
    schedule_index_rebuild()  # after commit: the similarity index takes the new suggestion in
    ledger.record(
        "suggestions.submit",
        suggestion,
        actor=actor,
        change={
            "answer_due_on": _plain(suggestion.answer_due_on),
            "coauthors": [c.person_id for c in coauthors],
            "text_sha256": _digest(
                f"{suggestion.problem}\n{suggestion.proposal}\n{suggestion.expected_benefit}"
            ),
        },
    )
    url = detail_url(suggestion)
    to_screen = _("New suggestion to screen: “%(title)s”") % {"title": suggestion.title}
    notes = [
        notify.Note(
            person_id=person.pk,
            kind="suggestions.submitted",
            title=to_screen,
            key=f"suggestions.submitted.{suggestion.pk}",
            url=url,
        )
        for person in managers_of(suggestion)
        if person.pk != actor.pk
    ]
    co_submitted = _(
        "“%(title)s”, which you co-authored, is submitted; the first answer is due by %(date)s."
    ) % {
        "title": suggestion.title,
        "date": suggestion.answer_due_on.isoformat(),
    }
    notes += [
        notify.Note(
            person_id=c.person_id,
            kind="suggestions.coauthor_submitted",
            title=co_submitted,
            key=f"suggestions.coauthor_submitted.{suggestion.pk}",
            url=url,
        )
        for c in coauthors
    ]
    notify.notify_many(notes)
    return suggestion
