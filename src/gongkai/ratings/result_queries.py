"""Results of rating rounds: who may see them, the lines per person rated, and the summary per unit and group.

Results exist only once a round is closed (`ballot_actions.certify` writes a `ResultLine` per person rated, with
its counts and flag). Before that nobody sees a figure; the pages say when the results will be published.

Who sees a round's results (and, before the close, the page saying when they come):
- the union and the leading group of the round's unit, of an ancestor, or of a unit inside its subtree;
- people whose own unit lies in the round's unit subtree (the employees of that mine);
- the round's electors.
Everybody else gets a 404, never a hint that the round exists.

Percentages are over the ratings given: blanks (a person left unmarked on a paper sheet) are counted apart.
Every function here costs a fixed number of SQL queries whatever the number of people, ratings or units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gongkai.core.access import ROOT, Scope
from gongkai.org.models import Unit

from .ballot_actions import MANAGE_ROLES, share
from .choices import BLANK, Channel, Exemption, Flag, Level, RoundKind, RoundStatus, Scale, levels_of
from .models import Elector, Participation, RatedPerson, ResultLine, Round

LEVEL_ORDER = tuple(Level.values)  # best first within each scale; used to order the columns of a summary
EXEMPTIONS = tuple(Exemption.values)


# ------------------------------------------------------------------------------------------------ access


def _ancestor_prefixes(paths: list[str]) -> list[str]:
    """Every ancestor path (and the path itself) of the given unit paths, from the path alone."""
    step = Unit.steplen
    found: set[str] = set()
    for p in paths:
        found.update(p[:i] for i in range(step, len(p) + 1, step))
    return sorted(found)


def visible_rounds(scope: Scope) -> QuerySet[Round]:
    """The rounds whose results page this person may open (results themselves only once closed)."""
    if scope.person_id is None:
        return Round.objects.none()
    managed = scope.paths(*MANAGE_ROLES)
    if ROOT in managed:
        return Round.objects.all()
    q = Q(Exists(Elector.objects.filter(round=OuterRef("pk"), person_id=scope.person_id)))
    if scope.home_paths:
        q |= Q(unit__path__in=list(scope.home_paths))
    if managed:
        q |= Q(unit__path__in=_ancestor_prefixes(managed))  # rounds above: their units' people are rated too
    q &= ~Q(status=RoundStatus.DRAFT)  # a round being prepared is seen only by those who prepare it
    for p in managed:
        q |= Q(unit__path__startswith=p)  # rounds of a unit the person manages, or below it
    return Round.objects.filter(q)


def round_for(scope: Scope, pk: int) -> Round:
    """A round this person may see, with its unit; raises Round.DoesNotExist otherwise."""
    return visible_rounds(scope).select_related("unit", "disclosure").get(pk=pk)


def results_public(round_: Round) -> bool:
    return round_.status == RoundStatus.CLOSED


# ------------------------------------------------------------------------------------------- one round


@dataclass
class Cell:
    level: str
    label: str
    count: int
    pct: Decimal


@dataclass
class PersonLine:
    rated: RatedPerson
    cells: list[Cell]
    blank: int
    total: int
    negative_share: Decimal
    flag: str
    flag_label: str

    @property
    def person(self):
        return self.rated.person


@dataclass
class RoundResults:
    round: Round
    levels: list[tuple[str, str]]  # (level, label), best first
    lines: list[PersonLine]
    exempted: list[RatedPerson]
    distribution: list[Cell]  # all ratings of the round by level
    blank: int
    total: int  # ratings given (blanks excluded)
    flags: int
    participation_pct: Decimal

    @property
    def counted(self) -> int:
        return self.round.ballots_online + self.round.ballots_paper

    @property
    def flagged(self) -> list[PersonLine]:
        return [line for line in self.lines if line.flag]


def _labels(levels) -> list[tuple[str, str]]:
    return [(lv, str(Level(lv).label)) for lv in levels]


def _cells(levels: list[tuple[str, str]], counts: dict, total: int) -> list[Cell]:
    return [
        Cell(lv, label, int(counts.get(lv, 0)), share(int(counts.get(lv, 0)), total)) for lv, label in levels
    ]


def _rated_rows(round_ids) -> QuerySet[RatedPerson]:
    return (
        RatedPerson.objects.filter(round_id__in=round_ids)
        .select_related("person", "constituency", "result")
        .order_by("round_id", "constituency__code", "position", "pk")
    )


def _build(round_: Round, rated: list[RatedPerson]) -> RoundResults:
    levels = _labels(levels_of(round_.scale))
    lines: list[PersonLine] = []
    exempted: list[RatedPerson] = []
    overall: dict[str, int] = defaultdict(int)
    for r in rated:
        if r.exemption:
            exempted.append(r)
            continue
        result: ResultLine | None = getattr(r, "result", None)
        counts = result.counts if result is not None else {}
        total = sum(int(n) for lv, n in counts.items() if lv != BLANK)
        for lv, n in counts.items():
            overall[lv] += int(n)
        flag = result.flag if result is not None else Flag.NONE
        lines.append(
            PersonLine(
                rated=r,
                cells=_cells(levels, counts, total),
                blank=int(counts.get(BLANK, 0)),
                total=total,
                negative_share=result.negative_share if result is not None else Decimal("0.0"),
                flag=flag,
                flag_label=str(Flag(flag).label),
            )
        )
    given = sum(n for lv, n in overall.items() if lv != BLANK)
    return RoundResults(
        round=round_,
        levels=levels,
        lines=lines,
        exempted=exempted,
        distribution=_cells(levels, overall, given),
        blank=overall.get(BLANK, 0),
        total=given,
        flags=sum(1 for line in lines if line.flag),
        participation_pct=share(round_.ballots_online + round_.ballots_paper, round_.electorate),
    )


def round_results(round_: Round) -> RoundResults:
    """The results of a closed round: a line per person rated, the exempted people and the round's distribution.

    One query (the people rated with their person, constituency and result line). Call it only for a closed
    round: before the close there are no result lines and nothing may be shown.
    """
    return _build(round_, list(_rated_rows([round_.pk])))


def many_results(rounds: list[Round]) -> list[RoundResults]:
    """`round_results` of several closed rounds, in the order given, in one query."""
    by_round: dict[int, list[RatedPerson]] = defaultdict(list)
    for r in _rated_rows([x.pk for x in rounds]):
        by_round[r.round_id].append(r)
    return [_build(x, by_round.get(x.pk, [])) for x in rounds]


# -------------------------------------------------------------------------------------- unit and group


@dataclass
class SummaryLine:
    unit: Unit | None  # None: the group total
    rounds: int = 0
    representatives: int = 0
    exempted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXEMPTIONS, 0))
    rated: int = 0
    raters_online: int = 0
    raters_paper: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    flags: int = 0
    levels: list[tuple[str, str]] = field(default_factory=list)
    round_list: list[Round] = field(default_factory=list)  # the rounds counted in this line

    @property
    def raters(self) -> int:
        return self.raters_online + self.raters_paper

    @property
    def exempted_total(self) -> int:
        return sum(self.exempted.values())

    @property
    def exempted_rows(self) -> list[tuple[str, str, int]]:
        return [(key, str(Exemption(key).label), self.exempted.get(key, 0)) for key in EXEMPTIONS]

    @property
    def total(self) -> int:
        return sum(n for lv, n in self.counts.items() if lv != BLANK)

    @property
    def blank(self) -> int:
        return self.counts.get(BLANK, 0)

    @property
    def distribution(self) -> list[Cell]:
        return _cells(self.levels, self.counts, self.total)

    def pct(self, level: str) -> Decimal:
        return share(self.counts.get(level, 0), self.total)

    def add(self, other: SummaryLine) -> None:
        self.rounds += other.rounds
        self.representatives += other.representatives
        for key, n in other.exempted.items():
            self.exempted[key] = self.exempted.get(key, 0) + n
        self.rated += other.rated
        self.raters_online += other.raters_online
        self.raters_paper += other.raters_paper
        for lv, n in other.counts.items():
            self.counts[lv] += n
        self.flags += other.flags


@dataclass
class Summary:
    year: int | None
    years: list[int]
    kind: str
    levels: list[tuple[str, str]]
    lines: list[SummaryLine]
    total: SummaryLine


def closed_rounds(scope: Scope, year: int | None, kind: str = RoundKind.DUTY_RATING) -> QuerySet[Round]:
    qs = visible_rounds(scope).filter(status=RoundStatus.CLOSED, kind=kind)
    return qs.filter(year=year) if year is not None else qs


def summary_years(scope: Scope, kind: str = RoundKind.DUTY_RATING) -> list[int]:
    """The years with closed rounds this person may see, newest first (one query)."""
    return list(
        visible_rounds(scope)
        .filter(status=RoundStatus.CLOSED, kind=kind)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def unit_summary(scope: Scope, year: int | None, kind: str = RoundKind.DUTY_RATING) -> list[SummaryLine]:
    """One line per unit with closed rounds of `kind` in `year` that this person may see, in tree order.

    Four queries whatever the number of units, people and ratings: the rounds, the people rated, the
    participations and the result lines (whose counts are summed here, level by level).
    """
    rounds = list(closed_rounds(scope, year, kind).select_related("unit").order_by("unit__path", "pk"))
    if not rounds:
        return []
    round_unit = {r.pk: r.unit_id for r in rounds}
    scales = {r.scale for r in rounds}
    present = {lv for s in scales for lv in levels_of(s)}
    levels = _labels([lv for lv in LEVEL_ORDER if lv in present])
    lines: dict[int, SummaryLine] = {}
    for r in rounds:
        line = lines.setdefault(r.unit_id, SummaryLine(unit=r.unit, levels=levels))
        line.rounds += 1
        line.round_list.append(r)
    ids = list(round_unit)
    exemption_counts = {f"ex_{key}": Count("pk", filter=Q(exemption=key)) for key in EXEMPTIONS}
    rated_rows = (
        RatedPerson.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(n=Count("pk"), rated=Count("pk", filter=Q(exemption="")), **exemption_counts)
        .order_by()
    )
    for rated_row in rated_rows:
        row: dict[str, Any] = dict(rated_row)
        line = lines[round_unit[row["round_id"]]]
        line.representatives += row["n"]
        line.rated += row["rated"]
        for key in EXEMPTIONS:
            line.exempted[key] += row[f"ex_{key}"]
    participation_rows = (
        Participation.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(
            online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            paper=Count("pk", filter=Q(channel=Channel.PAPER)),
        )
        .order_by()
    )
    for part in participation_rows:
        line = lines[round_unit[part["round_id"]]]
        line.raters_online += part["online"]
        line.raters_paper += part["paper"]
    results = ResultLine.objects.filter(round_id__in=ids, rated__exemption="").values_list(
        "round_id", "counts", "flag"
    )
    for round_id, counts, flag in results.iterator(chunk_size=5000):
        line = lines[round_unit[round_id]]
        for lv, n in counts.items():
            line.counts[lv] += int(n)
        if flag:
            line.flags += 1
    return list(lines.values())


def group_summary(scope: Scope, year: int | None = None, kind: str = RoundKind.DUTY_RATING) -> Summary:
    """The unit lines and their total for a year (default: the latest year with closed rounds)."""
    years = summary_years(scope, kind)
    if year is None and years:
        year = years[0]
    lines = unit_summary(scope, year, kind) if year is not None else []
    levels = lines[0].levels if lines else _labels(levels_of(_default_scale(kind)))
    total = SummaryLine(unit=None, levels=levels)
    for line in lines:
        total.add(line)
    return Summary(year=year, years=years, kind=kind, levels=levels, lines=lines, total=total)


def _default_scale(kind: str) -> str:
    return Scale.SATISFACTION if kind == RoundKind.APPRAISAL else Scale.FITNESS


def exemption_heads() -> list[tuple[str, str]]:
    return [(key, str(Exemption(key).label)) for key in EXEMPTIONS]
