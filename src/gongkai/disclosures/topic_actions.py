"""Topic requests (点题公开): every change of state, one function per user action, transactional, audited.

An employee proposes a topic to their own unit or one of its ancestors; the people the unit concerns second it
(once each, never their own request); the unit answers by the deadline either with a disclosure (the disclosure
officer starts a draft linked to the request; publishing it calls `mark_answered_by`) or by declining with its
reasons (disclosure officer or leading group).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.choices import Role
from gongkai.core.text import search_key

from .choices import TopicStatus
from .models import Disclosure, TopicRequest, TopicSecond

TITLE_MAX = 200
TEXT_MAX = 5000
REASON_MIN = 5
REASON_MAX = 2000
ANSWER_ROLES = (Role.DISCLOSURE_OFFICER, Role.LEADING_GROUP)


def answer_deadline(created: dt.date) -> dt.date:
    """The day by which a request made on `created` must be answered."""
    return created + dt.timedelta(days=settings.GONGKAI_TOPIC_ANSWER_DAYS)


def can_propose(actor, unit) -> bool:
    """Employees propose topics to their own unit or one of its ancestors."""
    return unit.active and unit.path in get_scope(actor).home_paths


def can_second(actor, request: TopicRequest) -> bool:
    """The people the unit concerns (it is their unit or an ancestor of it) second, never their own request."""
    return (
        request.status == TopicStatus.OPEN
        and request.proposer_id != actor.pk
        and request.unit.path in get_scope(actor).home_paths
    )


def can_answer(actor, request: TopicRequest) -> bool:
    """The unit's disclosure officer or leading group (roles reach down the tree) answer for the unit: their own
    grants, not the admin role (running the system does not make one the unit's voice)."""
    path = request.unit.path
    return any(g.role in ANSWER_ROLES and path.startswith(g.path) for g in get_scope(actor).grants)


def _clean(text: str, *, label: str, maximum: int, minimum: int = 1) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise ValidationError(_("Please write the %(what)s.") % {"what": label})
    if len(text) > maximum:
        raise ValidationError(
            _("The %(what)s is too long: at most %(n)d characters.") % {"what": label, "n": maximum}
        )
    return text


@transaction.atomic
def propose(*, actor, unit, title: str, text: str) -> TopicRequest:
    """An employee asks a unit (their own or an ancestor) to disclose a topic."""
    if not can_propose(actor, unit):
        raise AccessDenied(Role.EMPLOYEE)
    title = _clean(title, label=_("topic"), maximum=TITLE_MAX)
    text = _clean(text, label=_("question"), maximum=TEXT_MAX)
    request = TopicRequest.objects.create(
        unit=unit,
        proposer=actor,
        title=title,
        text=text,
        deadline=answer_deadline(timezone.localdate()),
        search_text=search_key(f"{title} {text}"),
    )
    ledger.record(
        "disclosures.propose_topic",
        request,
        actor=actor,
        change={"unit": unit.code, "title": title, "text": text, "deadline": request.deadline.isoformat()},
    )
    return request


@transaction.atomic
def second(*, actor, request: TopicRequest) -> TopicRequest:
    """Second (附议) a topic request: once per person, never one's own, only while it awaits its answer."""
    request = TopicRequest.objects.select_for_update(of=("self",)).select_related("unit").get(pk=request.pk)
    if request.proposer_id == actor.pk:
        raise ValidationError(_("You cannot second your own request."))
    if request.unit.path not in get_scope(actor).home_paths:
        raise AccessDenied(Role.EMPLOYEE)
    if request.status != TopicStatus.OPEN:
        raise ValidationError(_("This request has been answered; it can no longer be seconded."))
    try:
        with transaction.atomic():
            TopicSecond.objects.create(request=request, person=actor)
    except IntegrityError as exc:
        raise ValidationError(_("You have already seconded this request.")) from exc
    TopicRequest.objects.filter(pk=request.pk).update(second_count=F("second_count") + 1)
    request.refresh_from_db(fields=["second_count"])
    ledger.record("disclosures.second_topic", request, actor=actor, change={"seconds": request.second_count})
    return request


@transaction.atomic
def decline(*, actor, request: TopicRequest, reason: str) -> TopicRequest:
    """The unit answers that it will not disclose the topic, and why (the reason is shown to everyone)."""
    request = TopicRequest.objects.select_for_update(of=("self",)).select_related("unit").get(pk=request.pk)
    if not can_answer(actor, request):
        raise AccessDenied(ANSWER_ROLES)
    if request.status != TopicStatus.OPEN:
        raise ValidationError(_("This request has already been answered."))
    reason = _clean(reason, label=_("reason"), maximum=REASON_MAX, minimum=REASON_MIN)
    request.status = TopicStatus.DECLINED
    request.answer = reason
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    ledger.record(
        "disclosures.decline_topic",
        request,
        actor=actor,
        change={"reason": reason, "late": timezone.localdate() > request.deadline},
    )
    return request


@transaction.atomic
def mark_answered_by(disclosure: Disclosure, *, actor=None) -> TopicRequest | None:
    """Called by the publish action: a published disclosure linked to a request answers it.

    A request that was declined and is then answered by a disclosure after all counts as answered by it.
    Returns the request, or None when the disclosure answers none (or the request was already answered so).
    """
    if disclosure.topic_request_id is None:
        return None
    request = TopicRequest.objects.select_for_update().get(pk=disclosure.topic_request_id)
    if request.status == TopicStatus.PUBLISHED:
        return None
    if actor is None:
        version = disclosure.current_version
        actor_id = version.approved_by_id if version is not None else disclosure.created_by_id
    else:
        actor_id = actor.pk
    request.status = TopicStatus.PUBLISHED
    request.answered_by_id = actor_id
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_by", "answered_at", "updated_at"])
    ledger.record(
        "disclosures.answer_topic",
        request,
        actor=actor if actor is not None else request.answered_by,
        change={"disclosure": disclosure.pk, "late": timezone.localdate() > request.deadline},
    )
    return request
