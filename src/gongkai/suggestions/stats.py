"""Figures of the suggestions of a unit's subtree, for the union and the leading group (the `stats` page, its .xlsx
export, the API) and for a campaign drive's page.

Two kinds of figures:
- *participation* — the suggestions submitted in the period (or belonging to the drive): how many, by child
  unit, by category, by stage, adopted and decided (the adoption rate is adopted / decided);
- *results* — the benefits measured, the awards granted and the awards paid in the period (or, for a drive, of
  its suggestions whenever they happened), and the first answers overdue today.

Everything is grouped in SQL: the child unit is the prefix of the unit path (as the cases dashboard does), so a
page costs the same few queries (`QUERIES`) for ten suggestions or a million. The figures are cached per process
for CACHE_SECONDS, keyed by the highest suggestion and timeline-event ids (every step of a suggestion writes an
event, so any change of the figures moves the key).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongkai.core.access import ROOT, get_scope
from gongkai.org.models import Person, Unit

from .access import MANAGE_ROLES
from .choices import ADOPTED_STATUSES, AWAITING_ANSWER, DECIDED_STATUSES, Category, Consent, Decision, Status
from .models import Coauthor, Drive, Suggestion, SuggestionEvent

CACHE_SECONDS = 120
TOP_CONTRIBUTORS = 20
QUERIES = 7  # stamp, children, participation, results, the time series, contributors, their names

# the stages shown (status groups), in lifecycle order
STAGES: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("screening", _("Awaiting screening"), (Status.SUBMITTED,)),
    ("review", _("In expert review"), (Status.IN_REVIEW,)),
    ("not_accepted", pgettext_lazy("suggestion stage", "Not accepted"), (Status.NOT_ACCEPTED,)),
    ("shelved", pgettext_lazy("suggestion stage", "Shelved for later"), (Status.SHELVED,)),
    ("rejected", pgettext_lazy("suggestion stage", "Rejected"), (Status.REJECTED,)),
    ("adopted", _("Adopted, implementation to come"), (Status.ADOPTED, Status.IMPLEMENTING)),
    ("implemented", _("Implemented, benefit being measured"), (Status.IMPLEMENTED,)),
    (
        "rewarded",
        _("Benefit measured, award granted or paid"),
        (Status.MEASURED, Status.AWARDED, Status.PAID),
    ),
    ("archived", pgettext_lazy("suggestion stage", "Archived"), (Status.ARCHIVED,)),
)
STAGE_OF = {status: key for key, _label, statuses in STAGES for status in statuses}

# adopted: adopted and every later step; an archived suggestion counts by its decision
ADOPTED_Q = Q(status__in=ADOPTED_STATUSES) | Q(status=Status.ARCHIVED, decision=Decision.ADOPT)
DECIDED_Q = Q(status__in=DECIDED_STATUSES) | Q(status=Status.ARCHIVED)
SCREENED_Q = ~Q(status__in=(Status.DRAFT, Status.SUBMITTED))


# --------------------------------------------------------------------------------------------- who sees what


def can_view(viewer, unit: Unit) -> bool:
    return get_scope(viewer).has_any_role(MANAGE_ROLES, unit.path)


def top_units(viewer) -> list[Unit]:
    """The highest units whose figures the viewer may see (the first is the default)."""
    paths = get_scope(viewer).paths(*MANAGE_ROLES)
    if not paths:
        return []
    if ROOT in paths:
        return list(Unit.objects.filter(depth=1).order_by("path"))
    return list(Unit.objects.filter(path__in=paths).order_by("depth", "path"))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --------------------------------------------------------------------------------------------- figures


@dataclass
class Figures:
    submitted: int = 0
    screened: int = 0
    decided: int = 0
    adopted: int = 0
    # results
    measured: int = 0
    net_saving: Decimal = Decimal(0)
    awards: int = 0
    awarded: Decimal = Decimal(0)
    paid_count: int = 0
    paid: Decimal = Decimal(0)
    overdue: int = 0

    NAMES = (
        "submitted",
        "screened",
        "decided",
        "adopted",
        "measured",
        "net_saving",
        "awards",
        "awarded",
        "paid_count",
        "paid",
        "overdue",
    )

    def add(self, other: Figures) -> None:
        for name in self.NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def adoption_rate(self) -> float | None:
        """Adopted in percent of the decided (None when nothing is decided yet)."""
        return round(100 * self.adopted / self.decided, 1) if self.decided else None

    def as_dict(self) -> dict:
        found = {name: getattr(self, name) for name in self.NAMES}
        found["adoption_rate"] = self.adoption_rate
        return found


@dataclass
class Line:
    key: str
    label: str
    unit: Unit | None = None
    own: bool = False
    figures: Figures = field(default_factory=Figures)


@dataclass
class Contributor:
    person: Person
    suggestions: int
    adopted: int
    as_lead: int


@dataclass
class Stats:
    unit: Unit
    start: dt.date | None
    end: dt.date | None
    units: list[Line]
    categories: list[Line]
    stages: list[Line]
    contributors: list[Contributor]
    participants: int
    total: Figures
    series: list[tuple[dt.date, int, int]] = field(default_factory=list)  # (month or day, submitted, adopted)
    by_day: bool = False  # the series is per day (a drive) rather than per month

    def chart_series(self) -> dict:
        """An ECharts option: suggestions submitted (and adopted so far) per month, or per day of a drive."""
        fmt = "%m-%d" if self.by_day else "%Y-%m"
        return _bars(
            [when.strftime(fmt) for when, _n, _a in self.series],
            [
                (str(_("Submitted")), [n for _w, n, _a in self.series]),
                (str(_("Adopted")), [a for _w, _n, a in self.series]),
            ],
        )

    def chart_units(self) -> dict:
        """An ECharts option: submitted and adopted per child unit."""
        names = [line.label for line in self.units]
        return _bars(
            names,
            [
                (str(_("Submitted")), [line.figures.submitted for line in self.units]),
                (str(_("Adopted")), [line.figures.adopted for line in self.units]),
            ],
        )

    def chart_categories(self) -> dict:
        return {
            "tooltip": {"trigger": "item"},
            "legend": {"bottom": 0, "type": "scroll"},
            "series": [
                {
                    "type": "pie",
                    "radius": ["35%", "65%"],
                    "data": [
                        {"name": line.label, "value": line.figures.submitted}
                        for line in self.categories
                        if line.figures.submitted
                    ],
                }
            ],
        }

    def chart_stages(self) -> dict:
        return _bars(
            [line.label for line in self.stages],
            [(str(_("Suggestions")), [line.figures.submitted for line in self.stages])],
            horizontal=True,
        )


def _bars(names: list[str], series: list[tuple[str, list]], *, horizontal: bool = False) -> dict:
    category = {
        "type": "category",
        "data": names,
        "axisLabel": {"interval": 0, "rotate": 0 if horizontal else 30},
    }
    value = {"type": "value", "minInterval": 1}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 32, "containLabel": True},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": [{"type": "bar", "name": name, "data": data} for name, data in series],
    }


def data_stamp() -> tuple[int, int]:
    """(highest suggestion id, highest timeline-event id), in one query on two primary-key indexes."""
    qn = connection.ops.quote_name
    parts = [
        f"(SELECT MAX({qn(m._meta.pk.column or 'id')}) FROM {qn(m._meta.db_table)})"  # noqa: S608 - model tables
        for m in (Suggestion, SuggestionEvent)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")  # noqa: S608
        a, b = cursor.fetchone()
    return a or 0, b or 0


def figures(
    unit: Unit,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    drive: Drive | None = None,
    today: dt.date,
) -> Stats:
    """The figures of the unit's subtree in [start, end] (dates of submission, measurement, award, payment), or
    of a drive's suggestions. Cached (see the module docstring); no access check here: callers check
    `can_view` (the drive page shows its figures to everyone who may see the drive)."""
    key = "gongkai:suggestion-stats:v1:" + ":".join(
        str(part)
        for part in (
            unit.pk,
            unit.path,
            start or "",
            end or "",
            f"{drive.pk}@{drive.updated_at.isoformat()}" if drive else "",
            today.isoformat(),
            *data_stamp(),
        )
    )
    found = cache.get(key)
    if found is None:
        found = compute(unit, start=start, end=end, drive=drive, today=today)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _moment(day: dt.date) -> dt.datetime:
    """The start of a day in the project's time zone (so that the submission index serves the period)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _between(name: str, start: dt.date | None, end: dt.date | None) -> Q:
    q = Q(**{f"{name}__isnull": False})
    if start is not None:
        q &= Q(**{f"{name}__gte": start})
    if end is not None:
        q &= Q(**{f"{name}__lte": end})
    return q


def compute(
    unit: Unit,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    drive: Drive | None = None,
    today: dt.date,
) -> Stats:
    """The figures from the database: 5 queries whatever the number of suggestions, units or people."""
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
    base = Suggestion.objects.filter(unit__path__startswith=unit.path).exclude(status=Status.DRAFT)
    if drive is not None:
        base = base.filter(drive=drive)
        submitted_q = Q()
        measured_q, awarded_q, paid_q = (
            Q(net_saving__isnull=False),
            Q(award_amount__isnull=False, awarded_on__isnull=False),
            Q(paid_on__isnull=False, award_amount__isnull=False),
        )
    else:
        submitted_q = Q()
        if start is not None:
            submitted_q &= Q(submitted_at__gte=_moment(start))
        if end is not None:
            submitted_q &= Q(submitted_at__lt=_moment(end + dt.timedelta(days=1)))
        measured_q = _between("measured_on", start, end) & Q(net_saving__isnull=False)
        awarded_q = _between("awarded_on", start, end) & Q(award_amount__isnull=False)
        paid_q = _between("paid_on", start, end) & Q(award_amount__isnull=False)
    overdue_q = Q(status__in=AWAITING_ANSWER, answer_due_on__lt=today)
    branch = Substr("unit__path", 1, len(unit.path) + Unit.steplen)

    own = Line(key=unit.path, label=str(_("%(unit)s (own)") % {"unit": unit.name}), unit=unit, own=True)
    by_branch = {unit.path: own} | {c.path: Line(key=c.path, label=c.name, unit=c) for c in children}
    by_category = {value: Line(key=value, label=str(label)) for value, label in Category.choices}
    by_stage = {key: Line(key=key, label=str(label)) for key, label, _s in STAGES}
    total = Figures()

    # participation: the suggestions submitted in the period, per branch, category and status
    rows = (
        base.filter(submitted_q)
        .annotate(k=branch)
        .values("k", "category", "status")
        .annotate(n=Count("pk"), adopted=Count("pk", filter=ADOPTED_Q), decided=Count("pk", filter=DECIDED_Q))
        .order_by()
    )
    for row in rows:
        f = Figures(
            submitted=row["n"],
            screened=row["n"] if row["status"] not in (Status.DRAFT, Status.SUBMITTED) else 0,
            decided=row["decided"],
            adopted=row["adopted"],
        )
        for line in (
            by_branch.get(row["k"]),
            by_category.get(row["category"]),
            by_stage.get(STAGE_OF.get(row["status"], "")),
        ):
            if line is not None:
                line.figures.add(f)
        total.add(f)

    # results: benefits measured, awards granted and paid in the period; first answers overdue today
    results = (
        base.filter(measured_q | awarded_q | paid_q | overdue_q)
        .annotate(k=branch)
        .values("k", "category")
        .annotate(
            measured=Count("pk", filter=measured_q),
            net_saving=Sum("net_saving", filter=measured_q),
            awards=Count("pk", filter=awarded_q),
            awarded=Sum("award_amount", filter=awarded_q),
            paid_count=Count("pk", filter=paid_q),
            paid=Sum("award_amount", filter=paid_q),
            overdue=Count("pk", filter=overdue_q),
        )
        .order_by()
    )
    for result in results:
        f = Figures(
            measured=result["measured"],
            net_saving=result["net_saving"] or Decimal(0),
            awards=result["awards"],
            awarded=result["awarded"] or Decimal(0),
            paid_count=result["paid_count"],
            paid=result["paid"] or Decimal(0),
            overdue=result["overdue"],
        )
        for line in (by_branch.get(result["k"]), by_category.get(result["category"])):
            if line is not None:
                line.figures.add(f)
        total.add(f)

    # the time series: per month of the period, or per day of the drive
    trunc = TruncDate("submitted_at") if drive is not None else TruncMonth("submitted_at")
    series = [
        (when.date() if isinstance(when, dt.datetime) else when, n, adopted)
        for when, n, adopted in base.filter(submitted_q)
        .annotate(when=trunc)
        .values("when")
        .annotate(n=Count("pk"), adopted=Count("pk", filter=ADOPTED_Q))
        .order_by("when")
        .values_list("when", "n", "adopted")
        if when is not None
    ]
    contributors, participants = _contributors(unit, drive, submitted_q)
    units = ([own] if own.figures.submitted or own.figures.measured or own.figures.overdue else []) + [
        by_branch[c.path] for c in children
    ]
    categories = list(by_category.values())
    if drive is not None and drive.categories:
        categories = [line for line in categories if line.key in drive.categories or line.figures.submitted]
    return Stats(
        unit=unit,
        start=start,
        end=end,
        units=units,
        categories=categories,
        stages=list(by_stage.values()),
        contributors=contributors,
        series=series,
        by_day=drive is not None,
        participants=participants,
        total=total,
    )


def _prefixed(q: Q, prefix: str) -> Q:
    """The same filter on the suggestion seen from a related model (`prefix` "suggestion__")."""
    found = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            found.children.append(_prefixed(child, prefix))
        else:
            name, value = cast(tuple[str, Any], child)
            found.children.append((prefix + name, value))
    return found


def _contributors(unit: Unit, drive: Drive | None, submitted_q: Q) -> tuple[list[Contributor], int]:
    """The people with the most suggestions (as lead author or confirmed co-author) and the number of distinct
    participants: one grouped query over the union of leads and co-authors, with a window count of the people,
    and one query for the people shown."""
    where = Q(unit__path__startswith=unit.path) & ~Q(status=Status.DRAFT) & submitted_q
    if drive is not None:
        where &= Q(drive=drive)
    leads = (
        Suggestion.objects.filter(where).values(p=F("author_id"), st=F("status"), dc=F("decision")).order_by()
    )
    coauthors = (
        Coauthor.objects.filter(_prefixed(where, "suggestion__"), consent=Consent.CONFIRMED)
        .values(p=F("person_id"), st=F("suggestion__status"), dc=F("suggestion__decision"))
        .order_by()
    )
    lead_sql, lead_params = leads.query.sql_with_params()
    co_sql, co_params = coauthors.query.sql_with_params()
    adopted = ", ".join(["%s"] * len(ADOPTED_STATUSES))
    sql = (
        "SELECT p, COUNT(*) AS n, "  # noqa: S608 - compiled querysets and constants, values are parameters
        f"SUM(CASE WHEN st IN ({adopted}) OR (st = %s AND dc = %s) THEN 1 ELSE 0 END) AS adopted, "
        "SUM(lead) AS as_lead, COUNT(*) OVER () AS people "
        f"FROM (SELECT l.p, l.st, l.dc, 1 AS lead FROM ({lead_sql}) l "
        f"UNION ALL SELECT c.p, c.st, c.dc, 0 AS lead FROM ({co_sql}) c) t "
        "GROUP BY p ORDER BY n DESC, adopted DESC, p LIMIT %s"
    )
    params = [
        *[str(s) for s in ADOPTED_STATUSES],
        str(Status.ARCHIVED),
        str(Decision.ADOPT),
        *lead_params,
        *co_params,
        TOP_CONTRIBUTORS,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return [], 0
    people = Person.objects.select_related("unit").in_bulk([r[0] for r in rows])
    found = [
        Contributor(person=people[r[0]], suggestions=r[1], adopted=int(r[2] or 0), as_lead=int(r[3] or 0))
        for r in rows
        if r[0] in people
    ]
    return found, rows[0][4]
