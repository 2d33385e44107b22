"""Scoped reads of topic requests (点题公开). Every function takes the viewer and returns only what they may see.

A request is shown to everyone it concerns: the people whose own unit is the unit asked or lies below it (its
path is among their home paths), and the holders of a role on the unit's subtree (a role on an ancestor reaches
it too). Whether a request is overdue is computed from its deadline, never stored.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from gongkai.core.access import get_scope
from gongkai.core.choices import Role
from gongkai.core.text import search_key
from gongkai.org.models import Unit

from .choices import TopicStatus
from .models import Disclosure, TopicRequest, TopicSecond
from .queries import MANAGE_ROLES

STATES = ("open", "overdue", "answered", "published", "declined")


def _visible(viewer) -> Q:
    scope = get_scope(viewer)
    return scope.published_to_me("unit") | scope.within("unit", *Role.values)


def overdue_q(today: dt.date) -> Q:
    return Q(status=TopicStatus.OPEN, deadline__lt=today)


def state_q(state: str, today: dt.date) -> Q:
    if state == "open":
        return Q(status=TopicStatus.OPEN)
    if state == "overdue":
        return overdue_q(today)
    if state == "answered":
        return Q(status__in=[TopicStatus.PUBLISHED, TopicStatus.DECLINED])
    if state == "published":
        return Q(status=TopicStatus.PUBLISHED)
    if state == "declined":
        return Q(status=TopicStatus.DECLINED)
    return Q()


def _annotated(viewer, qs: QuerySet[TopicRequest], today: dt.date) -> QuerySet[TopicRequest]:
    return qs.annotate(
        is_overdue=Case(
            When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        seconded=Exists(TopicSecond.objects.filter(request=OuterRef("pk"), person_id=viewer.pk)),
    ).select_related("unit", "proposer")


def topics(viewer, *, state: str = "", q: str = "", today: dt.date | None = None) -> QuerySet[TopicRequest]:
    """The requests the viewer may see, newest first, filtered by state (see STATES) and a search text."""
    today = today or timezone.localdate()
    qs = TopicRequest.objects.filter(_visible(viewer)).filter(state_q(state, today))
    if q:
        qs = qs.filter(search_text__contains=search_key(q))
    return _annotated(viewer, qs, today).order_by("-created_at", "-pk")


def state_counts(viewer, *, today: dt.date | None = None) -> dict[str, int]:
    """How many visible requests are in each state: one query."""
    today = today or timezone.localdate()
    return TopicRequest.objects.filter(_visible(viewer)).aggregate(
        all=Count("pk"), **{s: Count("pk", filter=state_q(s, today)) for s in STATES}
    )


def topic_for(viewer, pk: int, *, today: dt.date | None = None) -> TopicRequest | None:
    today = today or timezone.localdate()
    return _annotated(viewer, TopicRequest.objects.filter(_visible(viewer), pk=pk), today).first()


def proposable_units(viewer) -> QuerySet[Unit]:
    """The units the viewer may propose a topic to: their own unit and its ancestors, root first."""
    scope = get_scope(viewer)
    return Unit.objects.filter(path__in=list(scope.home_paths), active=True).order_by("path")


def answers(viewer, request: TopicRequest) -> list[Disclosure]:
    """The disclosures linked to a request: published ones for everyone, drafts too for those who answer."""
    from .topic_actions import can_answer

    qs = Disclosure.objects.filter(topic_request=request)
    if not can_answer(viewer, request):
        # only what the viewer may read: an answer published to a narrower audience is not theirs to see
        scope = get_scope(viewer)
        qs = qs.filter(is_public=True).filter(
            scope.published_to_me("audience") | scope.within("unit", *MANAGE_ROLES)
        )
    return list(qs.order_by("pk"))


def awaiting_answer(viewer, *, today: dt.date | None = None) -> dict[str, int]:
    """For disclosure officers and leading groups: open requests to units they answer for (one query)."""
    today = today or timezone.localdate()
    answer_roles = (Role.DISCLOSURE_OFFICER, Role.LEADING_GROUP)  # own grants, as topic_actions.can_answer
    mine = Q(pk__in=[])
    for grant in get_scope(viewer).grants:
        if grant.role in answer_roles:
            mine |= Q(unit__path__startswith=grant.path)
    qs = TopicRequest.objects.filter(mine)
    return qs.aggregate(
        open=Count("pk", filter=Q(status=TopicStatus.OPEN)), overdue=Count("pk", filter=overdue_q(today))
    )
