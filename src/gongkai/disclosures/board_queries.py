"""Scoped reads of the physical boards register (公开栏): for the union, leading groups and disclosure officers
of a unit's subtree (and admins). A board is "not updated" when it is in use and its last update is more than
`STALE_DAYS` days ago, or unknown — computed, never stored."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from gongkai.core.access import ROOT, get_scope
from gongkai.core.choices import Role
from gongkai.org.models import Unit

from .choices import BoardLevel
from .models import Board

VIEW_ROLES = (Role.UNION, Role.LEADING_GROUP, Role.DISCLOSURE_OFFICER)
STALE_DAYS = 31  # boards are renewed on a fixed day of the month


def stale_q(today: dt.date, days: int = STALE_DAYS) -> Q:
    return Q(active=True) & (
        Q(last_updated__isnull=True) | Q(last_updated__lt=today - dt.timedelta(days=days))
    )


def _counts(today: dt.date, days: int) -> dict:
    """Aggregates of a board queryset: in use by level, not updated, out of use."""
    counts = {
        "total": Count("pk", filter=Q(active=True)),
        "stale": Count("pk", filter=stale_q(today, days)),
        "inactive": Count("pk", filter=Q(active=False)),
    }
    for level in BoardLevel.values:
        counts[level] = Count("pk", filter=Q(active=True, level=level))
    return counts


def viewable_units(viewer) -> QuerySet[Unit]:
    """Units whose boards the viewer may see (the subtrees where they hold one of VIEW_ROLES)."""
    return Unit.objects.filter(get_scope(viewer).within("", *VIEW_ROLES))


def top_units(viewer) -> list[Unit]:
    """The highest units whose registers the viewer may see (for the default page)."""
    paths = get_scope(viewer).paths(*VIEW_ROLES)
    if ROOT in paths:
        return list(Unit.objects.filter(depth=1).order_by("path"))
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def unit_for(viewer, pk: int) -> Unit | None:
    return viewable_units(viewer).filter(pk=pk).first()


def boards(
    viewer,
    *,
    unit: Unit | None = None,
    level: str = "",
    stale: bool = False,
    include_inactive: bool = False,
    today: dt.date | None = None,
    days: int = STALE_DAYS,
) -> QuerySet[Board]:
    """The boards the viewer may see, in a unit's subtree, with an `is_stale` annotation."""
    today = today or timezone.localdate()
    qs = Board.objects.filter(get_scope(viewer).within("unit", *VIEW_ROLES))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if level:
        qs = qs.filter(level=level)
    if stale:
        qs = qs.filter(stale_q(today, days))
    elif not include_inactive:
        qs = qs.filter(active=True)
    return (
        qs.annotate(
            is_stale=Case(
                When(stale_q(today, days), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("unit")
        .order_by("unit__path", "number")
    )


def board_for(viewer, pk: int) -> Board | None:
    return boards(viewer, include_inactive=True).filter(pk=pk).first()


def level_counts(
    viewer, *, unit: Unit | None = None, today: dt.date | None = None, days: int = STALE_DAYS
) -> dict[str, int]:
    """Counts of the visible boards (of a unit's subtree): one query."""
    today = today or timezone.localdate()
    qs = Board.objects.filter(get_scope(viewer).within("unit", *VIEW_ROLES))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.aggregate(**_counts(today, days))


def child_counts(unit: Unit, *, today: dt.date | None = None, days: int = STALE_DAYS) -> list[dict]:
    """Board counts of the unit's own boards (first, when it has any), then of each child subtree (the caller
    checked the viewer may see the unit): two queries whatever the number of children or boards."""
    today = today or timezone.localdate()
    width = len(unit.path) + Unit.steplen
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
    grouped = {
        row["prefix"]: row
        for row in Board.objects.filter(unit__path__startswith=unit.path)
        .annotate(prefix=Substr("unit__path", 1, width))  # the unit's own path for its own boards
        .values("prefix")
        .annotate(**_counts(today, days))
        .order_by()
    }
    empty = dict.fromkeys(["total", "stale", "inactive", *BoardLevel.values], 0)
    rows = [{"unit": child, "own": False, **grouped.get(child.path, empty)} for child in children]
    if unit.path in grouped:
        rows.insert(0, {"unit": unit, "own": True, **grouped[unit.path]})
    return rows
