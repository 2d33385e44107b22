"""Figures of the cases dashboard of the union and the leading group: open, overdue, replied, average working
days from assignment to reply, satisfaction rate — per child unit of the chosen unit (each aggregated over its
subtree by the path prefix, in SQL) and per handler.

The queries are grouped in SQL, so a page costs the same few queries for ten cases or half a million. The
average reply time counts working days (`core.workdays`): each case stores its working days from assignment to
reply when the reply is recorded (`Case.reply_working_days`), so the same grouped query sums and counts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr

from gongkai.core.access import ROOT, get_scope
from gongkai.org.models import Person, Unit

from .actions import MANAGE_ROLES
from .choices import OPEN_STATUSES, Satisfaction
from .models import Case, CaseEvent

CACHE_SECONDS = 300
HANDLER_ROWS = 100  # handlers listed (the busiest first); the drill-down lists every case

SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def can_view(viewer, unit: Unit) -> bool:
    return get_scope(viewer).has_any_role(MANAGE_ROLES, unit.path)


def top_units(viewer) -> QuerySet[Unit]:
    """The highest units whose dashboard the viewer may open."""
    paths = get_scope(viewer).paths(*MANAGE_ROLES)
    if not paths:
        return Unit.objects.none()
    if ROOT in paths:
        return Unit.objects.filter(depth=1).order_by("path")
    return Unit.objects.filter(path__in=paths).order_by("path")


def dashboard_unit(viewer, pk: int) -> Unit | None:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not can_view(viewer, unit):
        return None
    return unit


def subtree_cases(unit: Unit) -> QuerySet[Case]:
    """The cases raised in the unit's subtree (merged duplicates left out: they count in the case they joined)."""
    return Case.objects.filter(unit__path__startswith=unit.path, merged_into__isnull=True)


# --------------------------------------------------------------------------------------------- figures


@dataclass
class Figures:
    total: int = 0
    open: int = 0
    overdue: int = 0
    replied: int = 0
    rated: int = 0
    satisfied: int = 0
    _reply_days: int = 0  # working days to reply, summed over the `_timed` replied (and assigned) cases
    _timed: int = 0

    def add(self, other: Figures) -> None:
        for name in ("total", "open", "overdue", "replied", "rated", "satisfied", "_reply_days", "_timed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def avg_reply_days(self) -> float | None:
        """Average working days from assignment to reply of the replied cases (None when none was replied)."""
        if not self._timed:
            return None
        return round(self._reply_days / self._timed, 1)

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied and basically satisfied, in percent of the rated replies (None when none was rated)."""
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


@dataclass
class Line:
    unit: Unit | None = None
    handler: Person | None = None
    own: bool = False  # the chosen unit's own cases (not those of its sub-units)
    figures: Figures = field(default_factory=Figures)


@dataclass
class Dashboard:
    unit: Unit
    units: list[Line]
    handlers: list[Line]
    total: Figures


def _counts(qs: QuerySet[Case], key, today: dt.date) -> QuerySet:
    return (
        qs.annotate(k=key)
        .values("k")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
            replied=Count("pk", filter=Q(replied_at__isnull=False)),
            rated=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
            # the mean working days to reply, as a sum and a count so that branches add up exactly
            reply_days=Sum("reply_working_days"),
            timed=Count("reply_working_days"),
        )
        .order_by()
    )


def _fill(row: dict) -> Figures:
    names = ("total", "open", "overdue", "replied", "rated", "satisfied")
    return Figures(
        **{name: row[name] for name in names}, _reply_days=row["reply_days"] or 0, _timed=row["timed"]
    )


def data_stamp() -> tuple[int, int]:
    """(highest case pk, highest case event pk): every step of every case writes an event, so any change of the
    figures moves the stamp. One query on two primary-key indexes."""
    qn = connection.ops.quote_name
    parts = [
        f"(SELECT MAX({qn(m._meta.pk.column or 'id')}) FROM {qn(m._meta.db_table)})"  # noqa: S608 - model tables
        for m in (Case, CaseEvent)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")  # noqa: S608
        cases, events = cursor.fetchone()
    return cases or 0, events or 0


def dashboard(viewer, unit: Unit, today: dt.date) -> Dashboard:
    """The figures of the unit's own cases, of each child's subtree, of the whole subtree and of its busiest
    handlers: cached until a case changes (see `data_stamp`; anything else, such as a unit moved, is picked up
    within CACHE_SECONDS). Computing them is a fixed number of queries (8) whatever the number of cases, units
    or handlers."""
    if not can_view(viewer, unit):
        return Dashboard(unit=unit, units=[], handlers=[], total=Figures())
    # v2: the figures carry the summed reply days (entries cached by the previous version are not read)
    key = "gongkai:cases-dashboard:v2:" + ":".join(
        str(part) for part in (unit.pk, unit.path, today.isoformat(), *data_stamp())
    )
    found = cache.get(key)
    if found is None:
        found = compute(unit, today)
        cache.set(key, found, CACHE_SECONDS)
    return found


def compute(unit: Unit, today: dt.date) -> Dashboard:
    """The dashboard's figures, from the database (no scope check: `dashboard` does it)."""
    qs = subtree_cases(unit)
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
    own = Line(unit=unit, own=True)
    by_branch = {unit.path: own} | {child.path: Line(unit=child) for child in children}
    branch = Substr("unit__path", 1, len(unit.path) + Unit.steplen)
    total = Figures()
    for row in _counts(qs, branch, today):
        found = _fill(row)
        line = by_branch.get(row["k"])
        if line is not None:
            line.figures = found
        total.add(found)
    units = ([own] if own.figures.total else []) + [by_branch[c.path] for c in children]

    # per handler: the busiest (most cases) first
    handled = qs.filter(handler__isnull=False)
    rows = list(_counts(handled, F("handler_id"), today).order_by("-open", "-total", "k")[:HANDLER_ROWS])
    by_handler = {row["k"]: _fill(row) for row in rows}
    handlers: list[Line] = []
    if by_handler:
        people = Person.objects.select_related("unit").in_bulk(list(by_handler))
        handlers = [Line(handler=people[pk], figures=by_handler[pk]) for pk in by_handler if pk in people]
    return Dashboard(unit=unit, units=units, handlers=handlers, total=total)


def drill_down(viewer, unit: Unit, today: dt.date, *, state: str = "", handler: int | None = None):
    """The cases behind a figure: of the unit's subtree, optionally only the open or overdue ones or those of
    one handler; overdue and urgent first."""
    if not can_view(viewer, unit):
        return Case.objects.none()
    qs = subtree_cases(unit).select_related("unit", "handling_unit", "handler")
    if state == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif state == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    elif state == "replied":
        qs = qs.filter(replied_at__isnull=False)
    elif state == "dissatisfied":
        qs = qs.filter(satisfaction=Satisfaction.DISSATISFIED)
    if handler is not None:
        qs = qs.filter(handler_id=handler)
    return qs.order_by("due_date", "-priority", "pk")
