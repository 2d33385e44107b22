"""Compliance of the disclosure schedule: scoped reads for the dashboard, the drill-downs and the home panels.

The state of a schedule entry is never stored: `compliance_state(today)` computes it in SQL from the due date
and the date of first publication (on time, late, missing, not yet due). The dashboard aggregates in SQL,
grouped by the path prefix of the chosen unit's children (`Substr` of the unit path: a unit's subtree is every
unit whose path starts with its path), so that it costs the same few queries for ten entries or a million.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext

from gongkai.core.access import ROOT, get_scope
from gongkai.core.choices import Role
from gongkai.org.models import Person, Unit

from .choices import Compliance
from .models import CatalogItem, DisclosureVersion, ScheduleEntry

# Who sees the dashboards of a subtree (admins always do).
DASHBOARD_ROLES = (Role.LEADING_GROUP, Role.UNION, Role.DISCIPLINE, Role.INTERNAL_AUDITOR, Role.ADMIN)
# heat-map colour bands: (lowest on-time rate in percent, CSS class)
RATE_BANDS = ((95, "r95"), (85, "r85"), (70, "r70"))
STATES = (Compliance.ON_TIME, Compliance.LATE, Compliance.MISSING, Compliance.PENDING)
MONTHS = tuple(range(1, 13))


def compliance_state(today: dt.date) -> Case:
    """The compliance of a schedule entry as of `today`, as an SQL expression (annotate it as "state").

    on time: first published on or before the due date; late: published after it; missing: not published and
    the due date has passed; pending: not published and not yet due.
    """
    return Case(
        When(
            published_on__isnull=False, published_on__lte=F("due_date"), then=Value(Compliance.ON_TIME.value)
        ),
        When(published_on__isnull=False, then=Value(Compliance.LATE.value)),
        When(due_date__lt=today, then=Value(Compliance.MISSING.value)),
        default=Value(Compliance.PENDING.value),
        output_field=CharField(),
    )


# ----------------------------------------------------------------------------------- who sees what


def can_view(viewer, unit: Unit) -> bool:
    return get_scope(viewer).has_any_role(DASHBOARD_ROLES, unit.path)


def top_units(viewer) -> QuerySet[Unit]:
    """The highest units whose dashboard the viewer may open."""
    paths = get_scope(viewer).paths(*DASHBOARD_ROLES)
    if not paths:
        return Unit.objects.none()
    if ROOT in paths:
        return Unit.objects.filter(depth=1).order_by("path")
    return Unit.objects.filter(path__in=paths).order_by("path")


def dashboard_unit(viewer, pk: int) -> Unit | None:
    """A unit whose dashboard the viewer may open, or None."""
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not can_view(viewer, unit):
        return None
    return unit


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _is_whole_tree(unit: Unit) -> bool:
    """Whether the unit is the only root: then its subtree is every unit and needs no filter (remembered on the
    unit object, so a page asks once)."""
    if unit.depth != 1:
        return False
    if not hasattr(unit, "_gongkai_whole_tree"):
        unit._gongkai_whole_tree = not Unit.objects.filter(depth=1).exclude(pk=unit.pk).exists()  # type: ignore[attr-defined]
    return unit._gongkai_whole_tree  # type: ignore[attr-defined]


def _subtree_entries(unit: Unit, year: int | None = None) -> QuerySet[ScheduleEntry]:
    if _is_whole_tree(unit):
        qs = ScheduleEntry.objects.all()
    else:
        # "unit_id IN (the subtree's units)" *and* a join on the unit (the always-true depth condition):
        # PostgreSQL then reads a mine's entries through the unit index (9-17 ms on 1.3M entries) where a path
        # filter on the join alone, or the IN alone, makes it scan the group's whole year (160-180 ms).
        qs = ScheduleEntry.objects.filter(
            unit__in=Unit.objects.filter(path__startswith=unit.path), unit__depth__gte=unit.depth
        )
    if year is not None:
        first, last = year_bounds(year)
        qs = qs.filter(period_start__gte=first, period_start__lte=last)
    return qs


# ----------------------------------------------------------------------------------- the heat map


@dataclass
class Counts:
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    def add(self, state: str, n: int) -> None:
        setattr(self, state, getattr(self, state) + n)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.missing + self.pending

    @property
    def due(self) -> int:
        """Entries whose outcome is known: published, or not published when due."""
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> float | None:
        """On-time rate in percent of the entries due (None when nothing is due yet)."""
        return round(100 * self.on_time / self.due, 1) if self.due else None

    @property
    def level(self) -> str:
        """The colour class of a heat-map cell: a band of its on-time rate (a heat map, not a worst-case flag:
        one missing item in 250 should not paint a mine as red as one that published nothing)."""
        rate = self.rate
        if rate is None:
            return "pending" if self.pending else "none"
        for floor, band in RATE_BANDS:
            if rate >= floor:
                return band
        return "r0"

    def as_list(self) -> list[int]:
        return [self.on_time, self.late, self.missing, self.pending]

    @property
    def label(self) -> str:
        """The counts in words, for the title and the screen-reader text of a heat-map cell."""
        return gettext("on time %(a)s, late %(b)s, missing %(m)s, not yet due %(p)s") % {
            "a": self.on_time,
            "b": self.late,
            "m": self.missing,
            "p": self.pending,
        }


@dataclass
class Row:
    unit: Unit
    own: bool  # the chosen unit's own entries (not those of its sub-units)
    months: dict[int, Counts] = field(default_factory=lambda: {m: Counts() for m in MONTHS})
    total: Counts = field(default_factory=Counts)

    @property
    def cells(self) -> list[Counts]:
        return [self.months[m] for m in MONTHS]


@dataclass
class Heatmap:
    unit: Unit
    year: int
    rows: list[Row]
    total: Row


def heatmap(viewer, unit: Unit, year: int, today: dt.date) -> Heatmap:
    """Rows: the unit's own entries, then each child unit (counts over its whole subtree); columns: the months
    of the year (the month in which an entry's period ends). Two queries whatever the number of entries."""
    if not can_view(viewer, unit):
        return Heatmap(unit=unit, year=year, rows=[], total=Row(unit=unit, own=False))
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
    own = Row(unit=unit, own=True)
    rows = {unit.path: own} | {child.path: Row(unit=child, own=False) for child in children}
    total = Row(unit=unit, own=False)
    counts = (
        _subtree_entries(unit, year)
        .annotate(
            branch=Substr("unit__path", 1, len(unit.path) + Unit.steplen), state=compliance_state(today)
        )
        .values("branch", "period_end", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for found in counts:
        row = rows.get(found["branch"])
        if row is None:  # a unit moved in the meantime: counted in the total only
            row = Row(unit=unit, own=False)
        month, state, n = found["period_end"].month, found["state"], found["n"]
        for target in (row, total):
            target.months[month].add(state, n)
            target.total.add(state, n)
    shown = ([own] if own.total.total else []) + [rows[c.path] for c in children]
    return Heatmap(unit=unit, year=year, rows=shown, total=total)


# ----------------------------------------------------------------------------------- lists


def by_item(viewer, unit: Unit, year: int, today: dt.date) -> list[tuple[CatalogItem, Counts]]:
    """Counts per catalog item over the unit's subtree for the year, in catalog order (one query)."""
    if not can_view(viewer, unit):
        return []
    found: dict[int, Counts] = {}
    items: dict[int, CatalogItem] = {}
    rows = (
        _subtree_entries(unit, year)
        .annotate(state=compliance_state(today))
        .values("item_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        found.setdefault(row["item_id"], Counts()).add(row["state"], row["n"])
    if found:
        items = {
            i.pk: i
            for i in CatalogItem.objects.filter(pk__in=list(found)).select_related("category").order_by()
        }
    ordered = sorted(items.values(), key=lambda i: (i.category.order, i.category.code, i.order, i.code))
    return [(item, found[item.pk]) for item in ordered]


def _with_details(qs: QuerySet[ScheduleEntry], today: dt.date) -> QuerySet[ScheduleEntry]:
    return qs.select_related("unit", "item", "responsible").annotate(
        state=compliance_state(today),
        disclosure_pk=F("disclosure__pk"),
        disclosure_status=F("disclosure__status"),
    )


def late_now(viewer, unit: Unit, today: dt.date) -> QuerySet[ScheduleEntry]:
    """What is overdue now in the unit's subtree: not published and past the due date, oldest first."""
    if not can_view(viewer, unit):
        return ScheduleEntry.objects.none()
    qs = _subtree_entries(unit).filter(published_on__isnull=True, due_date__lt=today)
    return _with_details(qs, today).order_by("due_date", "unit__path", "item__code", "pk")


def item_entries(
    viewer, unit: Unit, item: CatalogItem, year: int, today: dt.date, own_only: bool = False
) -> QuerySet[ScheduleEntry]:
    """The schedule entries of one item in the unit's subtree (or of the unit itself) for a year."""
    if not can_view(viewer, unit):
        return ScheduleEntry.objects.none()
    qs = _subtree_entries(unit, year).filter(item=item)
    if own_only:
        qs = qs.filter(unit=unit)
    return _with_details(qs, today).order_by("unit__path", "period_start", "pk")


def entry_for_assignment(viewer, pk: int) -> ScheduleEntry | None:
    """A schedule entry whose responsible person the viewer may name (leading group or admin of its unit)."""
    entry = ScheduleEntry.objects.select_related("unit", "item").filter(pk=pk).first()
    if entry is None or not get_scope(viewer).has_any_role((Role.LEADING_GROUP, Role.ADMIN), entry.unit.path):
        return None
    return entry


def assignable_people(viewer, unit: Unit):
    """People who may be named responsible for the unit's entries: active members of the unit's subtree and of
    the units above it."""
    ancestors = unit.ancestor_paths()
    return (
        Person.objects.filter(is_active=True)
        .filter(Q(unit__path__startswith=unit.path) | Q(unit__path__in=ancestors))
        .select_related("unit")
        .order_by("unit__path", "employee_no")
    )


# ----------------------------------------------------------------------------------- the dashboard, cached
# A year of the whole `large` group is 330,000 entries: its heat map, counts by item and late count take about a
# second of database time (see bench/compliance.py). They change only when an entry is published or added, so
# they are cached, keyed by a stamp that any publication or generation moves: the highest pk of the schedule
# entries and of the published versions (every first publication writes a version). Anything else that could
# change them (a unit moved) is picked up within CACHE_SECONDS.

CACHE_SECONDS = 300


@dataclass
class Dashboard:
    heatmap: Heatmap
    items: list[tuple[CatalogItem, Counts]]
    late_count: int


def data_stamp() -> tuple[int, int]:
    """(highest schedule entry pk, highest published version pk): one query on two primary-key indexes."""
    qn = connection.ops.quote_name
    parts = [
        f"(SELECT MAX({qn(m._meta.pk.column or 'id')}) FROM {qn(m._meta.db_table)})"  # noqa: S608 - model tables
        for m in (ScheduleEntry, DisclosureVersion)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")  # noqa: S608
        entries, versions = cursor.fetchone()
    return entries or 0, versions or 0


def dashboard(viewer, unit: Unit, year: int, today: dt.date) -> Dashboard:
    """The heat map, the counts by item and the number of late entries of a unit's dashboard (cached)."""
    if not can_view(viewer, unit):
        return Dashboard(heatmap=heatmap(viewer, unit, year, today), items=[], late_count=0)
    created = unit.created_at.isoformat() if unit.created_at else ""
    key = "gongkai:compliance:" + ":".join(
        str(part) for part in (unit.pk, unit.path, created, year, today.isoformat(), *data_stamp())
    )
    found = cache.get(key)
    if found is None:
        found = Dashboard(
            heatmap=heatmap(viewer, unit, year, today),
            items=by_item(viewer, unit, year, today),
            # counted without the columns of the list: read from the partial index of unpublished entries
            late_count=_subtree_entries(unit).filter(published_on__isnull=True, due_date__lt=today).count(),
        )
        cache.set(key, found, CACHE_SECONDS)
    return found


# ----------------------------------------------------------------------------------- for one person


def my_open_entries(person, today: dt.date) -> QuerySet[ScheduleEntry]:
    """The person's unpublished schedule entries, most urgent first."""
    qs = ScheduleEntry.objects.filter(responsible_id=person.pk, published_on__isnull=True)
    return _with_details(qs, today).order_by("due_date", "unit__path", "pk")


def my_summary(person, today: dt.date, soon: int) -> dict[str, int]:
    return ScheduleEntry.objects.filter(responsible_id=person.pk, published_on__isnull=True).aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        due_soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=soon))),
    )


def scope_summary(viewer, roles: Iterable[str], year: int, today: dt.date) -> Counts:
    """Counts over every unit where the viewer holds one of `roles`, for a year (one query)."""
    first, last = year_bounds(year)
    qs = (
        ScheduleEntry.objects.filter(get_scope(viewer).within("unit", *roles))
        .filter(period_start__gte=first, period_start__lte=last)
        .annotate(state=compliance_state(today))
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = Counts()
    for row in qs:
        counts.add(row["state"], row["n"])
    return counts
