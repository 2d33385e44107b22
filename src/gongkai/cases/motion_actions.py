"""Congress motions (提案): a representative drafts a motion, other representatives co-sign it (附议) until the
signing deadline, then the motions committee (the union or the leading group of the congress unit) accepts it
(立案) — which opens a case for the handling departments, raised by the proposer — or returns it with a reason.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import AccessDenied, get_scope, require
from gongkai.core.choices import Role
from gongkai.org.models import Person, Unit

from .actions import MANAGE_ROLES, NOTE_MAX, TEXT_MAX, TITLE_MAX, add_event, clean_text
from .choices import CaseStatus, EventKind, MotionDecision, SourceKind
from .models import Case, Motion, MotionSignature


@transaction.atomic
def draft_motion(*, actor: Person, unit: Unit, title: str, text: str, signing_deadline: dt.date) -> Motion:
    """A representative of the congress unit (or a unit under it) puts a motion forward."""
    require(actor, Role.REPRESENTATIVE, unit.path)
    title = " ".join(clean_text(title, message=_("A motion needs a title."), maximum=TITLE_MAX).split())
    text = clean_text(text, message=_("Write the motion: the text is empty."), maximum=TEXT_MAX)
    if signing_deadline < timezone.localdate():
        raise ValidationError(_("The co-signing deadline has already passed."), code="deadline")
    motion = Motion.objects.create(
        unit=unit, proposer=actor, title=title, text=text, signing_deadline=signing_deadline
    )
    ledger.record(
        "cases.draft_motion",
        motion,
        actor=actor,
        change={"unit": unit.code, "title": title, "deadline": signing_deadline.isoformat()},
    )
    return motion


@transaction.atomic
def co_sign(motion: Motion, *, actor: Person) -> MotionSignature:
    """Another representative co-signs (附议) the motion: once, before the deadline, never one's own."""
    motion = Motion.objects.select_for_update(of=("self",)).select_related("unit").get(pk=motion.pk)
    if not get_scope(actor).has_role(Role.REPRESENTATIVE, motion.unit.path):
        raise AccessDenied(Role.REPRESENTATIVE)
    if motion.proposer_id == actor.pk:
        raise ValidationError(_("You proposed this motion; others co-sign it."), code="own")
    if motion.decision != MotionDecision.PENDING:
        raise ValidationError(_("The committee has decided on this motion; it can no longer be co-signed."))
    if timezone.localdate() > motion.signing_deadline:
        raise ValidationError(
            _("Co-signing closed on %(date)s.") % {"date": motion.signing_deadline.isoformat()},
            code="deadline",
        )
    try:
        with transaction.atomic():
            signature = MotionSignature.objects.create(motion=motion, person=actor)
    except IntegrityError as exc:
        raise ValidationError(_("You have already co-signed this motion."), code="duplicate") from exc
    ledger.record("cases.co_sign", motion, actor=actor, change={"co_signer": actor.pk})
    return signature


@transaction.atomic
def decide_motion(motion: Motion, *, actor: Person, accept: bool, reason: str = "") -> Case | None:
    """The motions committee accepts the motion (立案), which opens an accepted case raised by the proposer,
    or returns it with a reason. Decided once, after co-signing has closed."""
    motion = (
        Motion.objects.select_for_update(of=("self",)).select_related("unit", "proposer").get(pk=motion.pk)
    )
    require(actor, MANAGE_ROLES, motion.unit.path)
    if motion.decision != MotionDecision.PENDING:
        raise ValidationError(_("The committee has already decided on this motion."), code="decided")
    if timezone.localdate() <= motion.signing_deadline:
        raise ValidationError(
            _("Co-signing is open until %(date)s; decide after that.")
            % {"date": motion.signing_deadline.isoformat()},
            code="deadline",
        )
    reason = clean_text(
        reason, message=_("Say why: a reason is required."), maximum=NOTE_MAX, required=not accept
    )
    motion.decision = MotionDecision.ACCEPTED if accept else MotionDecision.RETURNED
    motion.decision_reason = reason
    motion.decided_at = timezone.now()
    motion.save(update_fields=["decision", "decision_reason", "decided_at", "updated_at"])
    case = None
    if accept:
        case = Case.objects.create(
            source=SourceKind.MOTION,
            motion=motion,
            unit=motion.unit,
            title=motion.title,
            text=motion.text,
            raiser=motion.proposer,
            status=CaseStatus.ACCEPTED,
        )
        add_event(case, EventKind.RAISED, motion.proposer)
        add_event(case, EventKind.ACCEPTED, actor, reason)
    ledger.record(
        "cases.decide_motion",
        motion,
        actor=actor,
        change={
            "decision": motion.decision,
            "reason": reason,
            "case": case.pk if case else None,
            "co_signers": motion.signatures.count(),
        },
    )
    return case
