"""Every change of state of a case: raise → accept (or return) → assign → start → chase → reply → rate → follow-up
→ close; merge, escalate to a meeting and record its decision. One function per user action, one transaction
each, keyword-only `actor`, one audit-ledger entry, one timeline event (two for a merge and a reopening).

Who does what: the union and the leading group (roles reach down the tree) accept, return, assign, chase, visit,
close, merge and escalate the cases of their units, and assign them only to departments within their units; the
main handler, a co-handler or a holder of the handler role on the handling department replies; only the raiser
rates — for an anonymous case, whoever holds its receipt. The managers and the handlers may ask the raiser a
question; the raiser (for an anonymous case, whoever holds its receipt) answers it or adds information.

Anonymity: an anonymous case stores nobody. Its raise is recorded in the ledger with no actor and no personal
data, and the raiser's own events (raising, rating, adding information) have no actor.

Stale forms: actions that a form drives take `expected_revision`; an older revision is refused, nothing is
written. Every action locks the case row and checks its status, so a double submission cannot apply twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger, notify, workdays
from gongkai.core.access import AccessDenied, get_scope, require
from gongkai.core.choices import Role
from gongkai.org.models import Person, Unit

from . import receipts
from .choices import (
    FINAL_STATUSES,
    REPLYABLE_STATUSES,
    CaseStatus,
    EventKind,
    Priority,
    Satisfaction,
    SourceKind,
)
from .models import Case, CaseEvent, ConsultationDesk, Inspection, Motion, ReceptionDay

MANAGE_ROLES = (Role.UNION, Role.LEADING_GROUP)
# who may register a case raised by someone else (a walk-in at a reception, a finding of an inspection)
REGISTER_ROLES = (Role.UNION, Role.LEADING_GROUP, Role.REPRESENTATIVE)
TITLE_MAX = 200
TEXT_MAX = 10000
NOTE_MAX = 5000
MEETING_MAX = 200


@dataclass(frozen=True)
class Raised:
    """What `raise_case` gives back: the case and, for an anonymous case, the receipt to show once."""

    case: Case
    receipt: str | None = None


def stale() -> ValidationError:
    return ValidationError(
        _("This case was changed by someone else since you opened it; reload to see the changes."),
        code="stale",
    )


# ------------------------------------------------------------------------------------------------ helpers


def clean_text(text: str, *, message: str, maximum: int, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(message, code="required")
    if len(text) > maximum:
        raise ValidationError(
            _("The text is longer than %(n)s characters.") % {"n": maximum}, code="too_long"
        )
    return text


def _lock(case: Case, expected_revision: int | None = None) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "handling_unit", "handler")
        .get(pk=case.pk)
    )
    if expected_revision is not None and int(expected_revision) != locked.revision:
        raise stale()
    return locked


def _save(case: Case, *fields: str) -> None:
    case.revision += 1
    case.save(update_fields=[*fields, "revision", "updated_at"])


def add_event(
    case: Case, kind: str, actor: Person | None, text: str = "", *, public: bool = True
) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, text=text, public=public)


def _require_manager(actor: Person, case: Case) -> None:
    require(actor, MANAGE_ROLES, case.unit.path)


def _refuse_final(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        if case.merged_into_id is not None:
            raise ValidationError(
                _("This case was merged into case %(id)s; continue there.") % {"id": case.merged_into_id},
                code="merged",
            )
        raise ValidationError(_("This case is closed; nothing more can be done on it."), code="closed")
    if case.status == CaseStatus.RETURNED:
        raise ValidationError(_("This case was returned; nothing more can be done on it."), code="returned")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def may_handle(actor: Person | None, case: Case) -> bool:
    """The main handler, a co-handler, or a holder of the handler role on the handling department."""
    if actor is None or case.handling_unit_id is None:
        return False
    if actor.pk == case.handler_id or case.co_handlers.filter(pk=actor.pk).exists():
        return True
    return get_scope(actor).has_role(Role.HANDLER, case.handling_unit.path)  # type: ignore[union-attr]


def _handlers(case: Case) -> list[Person]:
    people = list(case.co_handlers.all())
    if case.handler is not None:
        people.insert(0, case.handler)
    return list({p.pk: p for p in people if p.is_active}.values())


def _notify(people: Iterable[Person], kind: str, title: str, key: str) -> None:
    for person in people:
        notify.notify(person, kind, title, key=key)


def _working_due_date(due_date: dt.date | None) -> dt.date:
    today = timezone.localdate()
    if due_date is None:
        return workdays.add_working_days(today, settings.GONGKAI_CASE_REPLY_WORKING_DAYS)
    if due_date <= today:
        raise ValidationError(_("The due date must be after today."), code="due_date")
    if not workdays.is_working_day(due_date):
        raise ValidationError(
            _("%(date)s is not a working day (a weekend or public holiday); choose a working day.")
            % {"date": due_date.isoformat()},
            code="due_date",
        )
    return due_date


def _in_department(person: Person, unit: Unit) -> bool:
    """A person may handle cases of a department they work in or hold the handler role on."""
    if person.unit is not None and person.unit.path.startswith(unit.path):
        return True
    return get_scope(person).has_role(Role.HANDLER, unit.path)


# ------------------------------------------------------------------------------------------------- raising


def _source(
    reception: ReceptionDay | None,
    inspection: Inspection | None,
    consultation_desk: ConsultationDesk | None,
    motion: Motion | None,
    source: str | None,
) -> str:
    given = [
        kind
        for kind, obj in (
            (SourceKind.RECEPTION, reception),
            (SourceKind.INSPECTION, inspection),
            (SourceKind.CONSULTATION, consultation_desk),
            (SourceKind.MOTION, motion),
        )
        if obj is not None
    ]
    if len(given) > 1:
        raise ValidationError(_("A case comes from one source only."), code="source")
    if given:
        if source is not None and source != given[0]:
            raise ValidationError(_("The source does not match the record given."), code="source")
        return given[0]
    if source is None:
        return SourceKind.DIRECT
    if source not in SourceKind.values:
        raise ValidationError(_("Unknown source."), code="source")
    return source


def _check_source_unit(
    unit: Unit,
    reception: ReceptionDay | None,
    inspection: Inspection | None,
    consultation_desk: ConsultationDesk | None,
    motion: Motion | None,
) -> None:
    """A case from a source concerns the source's unit or a unit under it (for an inspection: its organising
    unit or one of the units it visits)."""
    bases: list[Unit] = []
    for record in (reception, consultation_desk, motion):
        if record is not None:
            bases.append(record.unit)
    if inspection is not None:
        bases += [inspection.unit, *inspection.target_units.all()]
    if bases and not any(unit.path.startswith(base.path) for base in bases):
        raise ValidationError(
            _("The case must concern the unit of its source or a unit under it."), code="source_unit"
        )


def raise_case(
    *,
    actor: Person,
    unit: Unit,
    title: str,
    text: str,
    anonymous: bool = False,
    raiser: Person | None = None,
    source: str | None = None,
    reception: ReceptionDay | None = None,
    inspection: Inspection | None = None,
    consultation_desk: ConsultationDesk | None = None,
    motion: Motion | None = None,
    priority: int = Priority.NORMAL,
) -> Raised:
    """Register a case. An employee raises it in their own unit or an ancestor; the union, the leading group
    and representatives also register cases for someone else (`raiser`) in their units.

    Anonymous: nothing about the actor or the raiser is stored; the receipt is returned once, to be shown to
    the raiser, and cannot be recovered afterwards. (Its slow hash is computed before the transaction opens, so
    that no database lock is held for it.)
    """
    receipt = receipts.new_receipt() if anonymous else None
    receipt_hash = receipts.receipt_hash(receipt) if receipt else None
    case = _raise_case(
        actor=actor,
        unit=unit,
        title=title,
        text=text,
        receipt_hash=receipt_hash,
        raiser=raiser,
        source=source,
        reception=reception,
        inspection=inspection,
        consultation_desk=consultation_desk,
        motion=motion,
        priority=priority,
    )
    return Raised(case, receipt)


@transaction.atomic
def _raise_case(
    *,
    actor: Person,
    unit: Unit,
    title: str,
    text: str,
    receipt_hash: str | None,
    raiser: Person | None,
    source: str | None,
    reception: ReceptionDay | None,
    inspection: Inspection | None,
    consultation_desk: ConsultationDesk | None,
    motion: Motion | None,
    priority: int,
) -> Case:
    anonymous = receipt_hash is not None
    scope = get_scope(actor)
    on_behalf = raiser is not None and raiser.pk != actor.pk
    if on_behalf:
        if not scope.has_any_role(REGISTER_ROLES, unit.path):
            raise AccessDenied(REGISTER_ROLES)
    elif unit.path not in scope.home_paths and not scope.has_any_role(REGISTER_ROLES, unit.path):
        raise AccessDenied(Role.EMPLOYEE)
    if not unit.active:
        raise ValidationError(_("This unit is no longer active."), code="unit")
    kind = _source(reception, inspection, consultation_desk, motion, source)
    _check_source_unit(unit, reception, inspection, consultation_desk, motion)
    title = " ".join(clean_text(title, message=_("A case needs a title."), maximum=TITLE_MAX).split())
    text = clean_text(text, message=_("Describe the matter: the text is empty."), maximum=TEXT_MAX)
    if priority not in Priority.values:
        raise ValidationError(_("Unknown priority."), code="priority")

    # two receipts alike: one chance in 10**16 per pair, practically never; the unique index holds anyway
    if anonymous and Case.objects.filter(receipt_hash=receipt_hash).exists():
        raise ValidationError(_("Please submit again."), code="receipt_collision")
    case = Case.objects.create(
        source=kind,
        reception=reception,
        inspection=inspection,
        consultation_desk=consultation_desk,
        motion=motion,
        unit=unit,
        title=title,
        text=text,
        raiser=None if anonymous else (raiser or actor),
        is_anonymous=anonymous,
        receipt_hash=receipt_hash,
        priority=priority,
    )
    add_event(case, EventKind.RAISED, None if anonymous else actor)
    change = {
        "unit": unit.code,
        "source": kind,
        "anonymous": anonymous,
        "title": title,
        "text_sha256": _digest(text),
        "priority": priority,
    }
    if not anonymous:
        change["raiser"] = case.raiser_id
    ledger.record("cases.raise", case, actor=None if anonymous else actor, change=change)
    return case


# ----------------------------------------------------------------------------------------- acceptance


@transaction.atomic
def accept(
    case: Case, *, actor: Person, priority: int | None = None, expected_revision: int | None = None
) -> Case:
    """The union or the leading group takes the case on (受理)."""
    case = _lock(case, expected_revision)
    _require_manager(actor, case)
    _refuse_final(case)
    if case.status != CaseStatus.REGISTERED:
        raise ValidationError(_("This case has already been accepted."), code="status")
    fields = ["status"]
    if priority is not None:
        if priority not in Priority.values:
            raise ValidationError(_("Unknown priority."), code="priority")
        case.priority = priority
        fields.append("priority")
    case.status = CaseStatus.ACCEPTED
    _save(case, *fields)
    add_event(case, EventKind.ACCEPTED, actor)
    ledger.record("cases.accept", case, actor=actor, change={"priority": case.priority})
    return case


@transaction.atomic
def return_case(case: Case, *, actor: Person, reason: str, expected_revision: int | None = None) -> Case:
    """The case is not taken on (e.g. not a matter for the union); the raiser sees the reason."""
    case = _lock(case, expected_revision)
    _require_manager(actor, case)
    _refuse_final(case)
    if case.status not in (CaseStatus.REGISTERED, CaseStatus.ACCEPTED):
        raise ValidationError(
            _("This case is already with a handling department; it can no longer be returned."), code="status"
        )
    reason = clean_text(reason, message=_("Say why: a reason is required."), maximum=NOTE_MAX)
    case.status = CaseStatus.RETURNED
    case.return_reason = reason
    case.closed_at = timezone.now()
    _save(case, "status", "return_reason", "closed_at")
    add_event(case, EventKind.RETURNED, actor, reason)
    ledger.record("cases.return", case, actor=actor, change={"reason": reason})
    return case


# ------------------------------------------------------------------------------------------- assignment


@transaction.atomic
def assign(
    case: Case,
    *,
    actor: Person,
    handling_unit: Unit,
    handler: Person,
    co_handlers: Iterable[Person] = (),
    due_date: dt.date | None = None,
    priority: int | None = None,
    expected_revision: int | None = None,
) -> Case:
    """Hand the case to a department (交办): a main handler, co-handlers, a due date in working days.

    Without a due date the case is due `GONGKAI_CASE_REPLY_WORKING_DAYS` working days from today; a given due
    date must be a working day. Reassigning an assigned case is allowed (the due date is set again)."""
    case = _lock(case, expected_revision)
    scope = require(actor, MANAGE_ROLES, case.unit.path)
    _refuse_final(case)
    if case.status == CaseStatus.REGISTERED:
        raise ValidationError(_("Accept the case before assigning it."), code="status")
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
        raise ValidationError(
            _("This case has been replied to; it can no longer be reassigned."), code="status"
        )
    if not scope.has_any_role(MANAGE_ROLES, handling_unit.path):
        raise ValidationError(
            _("%(unit)s is outside your units: you can assign cases only to departments within them.")
            % {"unit": handling_unit.name},
            code="scope",
        )
    if not handling_unit.active:
        raise ValidationError(_("This department is no longer active."), code="unit")
    if not handler.is_active or not _in_department(handler, handling_unit):
        raise ValidationError(
            _("%(person)s does not work in %(unit)s; choose a handler of that department.")
            % {"person": handler.name, "unit": handling_unit.name},
            code="handler",
        )
    helpers = [p for p in {p.pk: p for p in co_handlers}.values() if p.pk != handler.pk]
    for person in helpers:
        if (
            not person.is_active
            or person.unit is None
            or not scope.has_any_role(MANAGE_ROLES, person.unit.path)
        ):
            raise ValidationError(
                _("%(person)s is outside your units and cannot be a co-handler.") % {"person": person.name},
                code="co_handler",
            )
    due = _working_due_date(due_date)
    if priority is not None:
        if priority not in Priority.values:
            raise ValidationError(_("Unknown priority."), code="priority")
        case.priority = priority
    previous = case.handler_id
    case.handling_unit = handling_unit
    case.handler = handler
    case.due_date = due
    case.status = CaseStatus.ASSIGNED
    case.assigned_at = timezone.now()
    _save(case, "handling_unit", "handler", "due_date", "status", "assigned_at", "priority")
    case.co_handlers.set(helpers)
    add_event(
        case,
        EventKind.ASSIGNED,
        actor,
        _("Assigned to %(unit)s, due by %(date)s.") % {"unit": handling_unit.name, "date": due.isoformat()},
    )
    ledger.record(
        "cases.assign",
        case,
        actor=actor,
        change={
            "handling_unit": handling_unit.code,
            "handler": handler.pk,
            "co_handlers": sorted(p.pk for p in helpers),
            "due_date": due.isoformat(),
            "priority": case.priority,
            "previous_handler": previous,
        },
    )
    _notify(
        [handler, *helpers],
        "cases.assigned",
        _("Case to handle: %(title)s (due %(date)s)") % {"title": case.title, "date": due.isoformat()},
        f"cases.assigned.{case.pk}.{case.revision}",
    )
    return case


@transaction.atomic
def start(case: Case, *, actor: Person, expected_revision: int | None = None) -> Case:
    """The handling department acknowledges the case and starts working on it."""
    case = _lock(case, expected_revision)
    if not may_handle(actor, case):
        raise AccessDenied(Role.HANDLER)
    _refuse_final(case)
    if case.status != CaseStatus.ASSIGNED:
        raise ValidationError(_("Only a newly assigned case can be started."), code="status")
    case.status = CaseStatus.IN_PROGRESS
    _save(case, "status")
    add_event(case, EventKind.STARTED, actor)
    ledger.record("cases.start", case, actor=actor)
    return case


@transaction.atomic
def chase(case: Case, *, actor: Person, text: str = "") -> Case:
    """The union presses the handling department for an answer (督办)."""
    case = _lock(case)
    _require_manager(actor, case)
    _refuse_final(case)
    if case.status not in REPLYABLE_STATUSES:
        raise ValidationError(_("Only a case waiting for its reply can be chased."), code="status")
    text = clean_text(text, message="", maximum=NOTE_MAX, required=False)
    _save(case)
    event = add_event(case, EventKind.CHASED, actor, text)
    ledger.record("cases.chase", case, actor=actor, change={"text": text})
    _notify(
        _handlers(case),
        "cases.chased",
        _("Reminder from the union: %(title)s is due by %(date)s")
        % {"title": case.title, "date": case.due_date.isoformat() if case.due_date else "—"},
        f"cases.chased.{case.pk}.{event.pk}",
    )
    return case


# -------------------------------------------------------------------------------------- reply and rating


@transaction.atomic
def reply(case: Case, *, actor: Person, text: str, expected_revision: int | None = None) -> Case:
    """The handling department answers (反馈). The raiser is notified (an anonymous raiser reads it with their
    receipt)."""
    case = _lock(case, expected_revision)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed; it can no longer be replied to."), code="closed")
    _refuse_final(case)
    if not may_handle(actor, case):
        raise AccessDenied(Role.HANDLER)
    if case.status not in REPLYABLE_STATUSES:
        raise ValidationError(_("This case has already been replied to."), code="status")
    text = clean_text(text, message=_("Write the reply: it is empty."), maximum=TEXT_MAX)
    case.status = CaseStatus.REPLIED
    case.replied_at = timezone.now()
    # the latest reply counts (a reopened case replied again is timed to its second reply, as `replied_at`)
    case.reply_working_days = (
        workdays.working_days_taken(case.assigned_at, case.replied_at) if case.assigned_at else None
    )
    _save(case, "status", "replied_at", "reply_working_days")
    add_event(case, EventKind.REPLIED, actor, text)
    ledger.record(
        "cases.reply", case, actor=actor, change={"text_sha256": _digest(text), "reopened": case.reopened}
    )
    if case.raiser is not None and case.raiser.is_active:
        _notify(
            [case.raiser],
            "cases.replied",
            _("Your case has a reply: %(title)s") % {"title": case.title},
            f"cases.replied.{case.pk}.{case.revision}",
        )
    return case


def rate(
    case: Case,
    *,
    actor: Person | None,
    satisfaction: str,
    comment: str = "",
    receipt: str = "",
    client_key: str = "",
) -> Case:
    """The raiser rates the reply: satisfied, basically satisfied or dissatisfied. The first 不满意 reopens the
    case (back to the handler with a new due date); a second 不满意 closes it with that rating recorded.

    A named case is rated by its raiser; an anonymous case by whoever holds the receipt (`actor` is then not
    stored; a wrong receipt counts against `client_key` like a wrong lookup)."""
    if client_key and receipts.is_locked_out(client_key):
        raise receipts.rate_limited()
    given = receipts.receipt_hash(receipt) if receipts.is_well_formed(receipt) else None
    return _rate(
        case, actor=actor, satisfaction=satisfaction, comment=comment, given=given, client_key=client_key
    )


@transaction.atomic
def _rate(
    case: Case, *, actor: Person | None, satisfaction: str, comment: str, given: str | None, client_key: str
) -> Case:
    case = _lock(case)
    if case.is_anonymous:
        if given is None or not case.receipt_hash or not hmac.compare_digest(case.receipt_hash, given):
            if client_key:
                receipts.count_failure(client_key)
            raise ValidationError(
                _("Only the person who raised this case can rate the reply: the receipt does not match."),
                code="not_raiser",
            )
        by = None
    else:
        if actor is None or actor.pk != case.raiser_id:
            raise ValidationError(
                _("Only the person who raised this case can rate the reply."), code="not_raiser"
            )
        by = actor
    _refuse_final(case)
    if case.status != CaseStatus.REPLIED:
        raise ValidationError(_("There is no reply to rate yet."), code="status")
    if satisfaction not in Satisfaction.values:
        raise ValidationError(
            _("Choose satisfied, basically satisfied or dissatisfied."), code="satisfaction"
        )
    comment = clean_text(comment, message="", maximum=NOTE_MAX, required=False)
    case.satisfaction = satisfaction
    fields = ["satisfaction", "status"]
    outcome = "rated"
    if satisfaction != Satisfaction.DISSATISFIED:
        case.status = CaseStatus.RATED
    elif not case.reopened:
        case.status = CaseStatus.IN_PROGRESS
        case.reopened = True
        case.due_date = workdays.add_working_days(
            timezone.localdate(), settings.GONGKAI_CASE_REPLY_WORKING_DAYS
        )
        fields += ["reopened", "due_date"]
        outcome = "reopened"
    else:
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now()
        fields.append("closed_at")
        outcome = "closed"
    _save(case, *fields)
    add_event(case, EventKind.RATED, by, comment)
    if outcome == "reopened":
        add_event(case, EventKind.REOPENED, None, _("Reopened: the raiser is not satisfied with the reply."))
        _notify(
            _handlers(case),
            "cases.reopened",
            _("Reopened, the raiser is not satisfied: %(title)s") % {"title": case.title},
            f"cases.reopened.{case.pk}",
        )
    elif outcome == "closed":
        add_event(case, EventKind.CLOSED, None, _("Closed: still not satisfied after the case was reopened."))
    ledger.record(
        "cases.rate",
        case,
        actor=by,
        change={"satisfaction": satisfaction, "outcome": outcome, "comment_sha256": _digest(comment)},
    )
    return case


# ---------------------------------------------------------------------------- questions to the raiser


@transaction.atomic
def ask_raiser(case: Case, *, actor: Person, text: str) -> Case:
    """The people handling the case (its managers or its handlers) ask the raiser a question; it is public, so
    the raiser reads it in their timeline (an anonymous raiser through the receipt) and answers with
    `add_raiser_note`. A named raiser is notified."""
    case = _lock(case)
    if not may_handle(actor, case):
        _require_manager(actor, case)
    _refuse_final(case)
    text = clean_text(text, message=_("Write the question: it is empty."), maximum=NOTE_MAX)
    _save(case)
    event = add_event(case, EventKind.QUESTION, actor, text)
    ledger.record("cases.ask_raiser", case, actor=actor, change={"text_sha256": _digest(text)})
    raiser = case.raiser
    if raiser is not None and raiser.is_active:
        _notify(
            [raiser],
            "cases.question",
            _("A question about your case: %(title)s") % {"title": case.title},
            f"cases.question.{case.pk}.{event.pk}",
        )
    return case


def _not_the_raiser(*, anonymous: bool) -> ValidationError:
    if anonymous:
        message = _(
            "Only the person who raised this case can add information to it: the receipt does not match."
        )
    else:
        message = _("Only the person who raised this case can add information to it.")
    return ValidationError(message, code="not_raiser")


def add_raiser_note(
    case: Case, *, actor: Person | None, text: str, receipt: str = "", client_key: str = ""
) -> Case:
    """The raiser adds information to their case or answers a question asked of them. A named case takes notes
    from its raiser only; an anonymous case from whoever holds the receipt (`actor` is then not stored, and the
    ledger entry names nobody; a wrong receipt counts against `client_key` like a wrong lookup). The handlers,
    and whoever asked the raiser a question on the case, are notified.

    The receipt is checked before the transaction opens (its slow hash holds no lock, and a wrong receipt is
    counted even when the cache lives in the database); the locked row is checked again inside."""
    if client_key and receipts.is_locked_out(client_key):
        raise receipts.rate_limited()
    given = receipts.receipt_hash(receipt) if receipts.is_well_formed(receipt) else None
    if case.is_anonymous:
        stored = Case.objects.filter(pk=case.pk).values_list("receipt_hash", flat=True).first()
        if given is None or not stored or not hmac.compare_digest(stored, given):
            if client_key:
                receipts.count_failure(client_key)
            raise _not_the_raiser(anonymous=True)
    return _add_raiser_note(case, actor=actor, text=text, given=given)


@transaction.atomic
def _add_raiser_note(case: Case, *, actor: Person | None, text: str, given: str | None) -> Case:
    case = _lock(case)
    by: Person | None
    if case.is_anonymous:
        if given is None or not case.receipt_hash or not hmac.compare_digest(case.receipt_hash, given):
            raise _not_the_raiser(anonymous=True)
        by = None
    else:
        if actor is None or actor.pk != case.raiser_id:
            raise _not_the_raiser(anonymous=False)
        by = actor
    _refuse_final(case)
    text = clean_text(text, message=_("Write the information or answer: it is empty."), maximum=TEXT_MAX)
    last = CaseEvent.objects.filter(case=case).order_by("-at", "-pk").values_list("kind", "text").first()
    if last == (EventKind.RAISER_NOTE, text):
        # the same form sent twice (a reload of the anonymous page, a double click)
        raise ValidationError(_("This information is already on the case."), code="duplicate")
    _save(case)
    event = add_event(case, EventKind.RAISER_NOTE, by, text)
    ledger.record("cases.raiser_note", case, actor=by, change={"text_sha256": _digest(text)})
    askers = Person.objects.filter(
        pk__in=CaseEvent.objects.filter(case=case, kind=EventKind.QUESTION, actor__isnull=False).values(
            "actor"
        ),
        is_active=True,
    )
    _notify(
        list({p.pk: p for p in [*_handlers(case), *askers]}.values()),
        "cases.raiser_note",
        _("The raiser added information: %(title)s") % {"title": case.title},
        f"cases.raiser_note.{case.pk}.{event.pk}",
    )
    return case


@transaction.atomic
def follow_up(case: Case, *, actor: Person, text: str) -> Case:
    """The union visits the raiser after the reply (回访) and records what it found."""
    case = _lock(case)
    _require_manager(actor, case)
    _refuse_final(case)
    if case.status not in (CaseStatus.REPLIED, CaseStatus.RATED):
        raise ValidationError(_("A follow-up visit comes after the reply."), code="status")
    text = clean_text(text, message=_("Write down what the follow-up visit found."), maximum=NOTE_MAX)
    case.status = CaseStatus.FOLLOW_UP
    _save(case, "status")
    add_event(case, EventKind.FOLLOWED_UP, actor, text)
    ledger.record("cases.follow_up", case, actor=actor, change={"text_sha256": _digest(text)})
    return case


@transaction.atomic
def close(case: Case, *, actor: Person, text: str = "", expected_revision: int | None = None) -> Case:
    """Close (archive) a case that has been answered."""
    case = _lock(case, expected_revision)
    _require_manager(actor, case)
    _refuse_final(case)
    if case.status not in (CaseStatus.REPLIED, CaseStatus.RATED, CaseStatus.FOLLOW_UP):
        raise ValidationError(
            _("This case has not been answered yet; return it or merge it instead of closing it."),
            code="status",
        )
    text = clean_text(text, message="", maximum=NOTE_MAX, required=False)
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    _save(case, "status", "closed_at")
    add_event(case, EventKind.CLOSED, actor, text)
    ledger.record("cases.close", case, actor=actor, change={"satisfaction": case.satisfaction})
    return case


# ------------------------------------------------------------------------------- merging and escalation


@transaction.atomic
def merge(case: Case, *, actor: Person, into: Case, reason: str = "") -> Case:
    """Merge a duplicate into another case: the duplicate is closed, never deleted, and points to the case
    that goes on; both timelines say so."""
    if case.pk == into.pk:
        raise ValidationError(_("A case cannot be merged into itself."), code="merge")
    first, second = sorted([case.pk, into.pk])
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk__in=[first, second])
        .order_by("pk")
    }
    case, into = locked[case.pk], locked[into.pk]
    _require_manager(actor, case)
    _require_manager(actor, into)
    _refuse_final(case)
    if into.merged_into_id is not None or into.status in FINAL_STATUSES:
        raise ValidationError(
            _("Case %(id)s is closed or returned; merge into a case that is still going on.")
            % {"id": into.pk},
            code="merge",
        )
    reason = clean_text(reason, message="", maximum=NOTE_MAX, required=False)
    case.merged_into = into
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    _save(case, "merged_into", "status", "closed_at")
    _save(into)
    add_event(case, EventKind.MERGED, actor, reason or _("Merged into case %(id)s.") % {"id": into.pk})
    add_event(into, EventKind.MERGED_IN, actor, _("Case %(id)s was merged into this one.") % {"id": case.pk})
    ledger.record("cases.merge", case, actor=actor, change={"into": into.pk, "reason": reason})
    return case


@transaction.atomic
def escalate(case: Case, *, actor: Person, meeting: str) -> Case:
    """Put the case before a named meeting (e.g. the mine's office meeting); its decision is recorded later."""
    case = _lock(case)
    _require_manager(actor, case)
    _refuse_final(case)
    meeting = " ".join(clean_text(meeting, message=_("Name the meeting."), maximum=MEETING_MAX).split())
    if case.escalated_to and not case.escalation_decision:
        raise ValidationError(
            _("This case is already before %(meeting)s; record its decision first.")
            % {"meeting": case.escalated_to},
            code="escalated",
        )
    case.escalated_to = meeting
    case.escalation_decision = ""
    _save(case, "escalated_to", "escalation_decision")
    add_event(case, EventKind.ESCALATED, actor, meeting)
    ledger.record("cases.escalate", case, actor=actor, change={"meeting": meeting})
    return case


@transaction.atomic
def record_decision(case: Case, *, actor: Person, decision: str) -> Case:
    """Record what the meeting decided on the case; the raiser sees it in the timeline."""
    case = _lock(case)
    _require_manager(actor, case)
    if not case.escalated_to:
        raise ValidationError(_("This case was not put before a meeting."), code="not_escalated")
    if case.escalation_decision:
        raise ValidationError(_("The meeting's decision is already recorded."), code="decided")
    decision = clean_text(decision, message=_("Write the meeting's decision."), maximum=TEXT_MAX)
    case.escalation_decision = decision
    _save(case, "escalation_decision")
    add_event(case, EventKind.DECIDED, actor, decision)
    ledger.record(
        "cases.record_decision",
        case,
        actor=actor,
        change={"meeting": case.escalated_to, "decision_sha256": _digest(decision)},
    )
    return case
