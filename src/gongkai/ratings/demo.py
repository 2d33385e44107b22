"""Demo data of the ratings capability, loaded by `gongkai seed-demo` after the organisation.

What it adds (deterministic for a seed and a date; `today` defaults to the local date):

- for every base unit with representatives (the children of the root), a **closed duty rating** (述职测评) of last
  year: every representative of its constituencies rated by the members of their constituency, a few exempted
  (reported at the congress, away on business), duty reports published a week before the vote. Group-wide, as in
  the seed document at the ``group`` scale: 1,874 representatives and 20,189 raters (participations across the
  rounds; smaller scales in proportion to their people). The first mine (青山煤矿): 207 representatives, 9
  exempted because they reported at the congress, 18 away on business, 180 rated, and all its ratings
  不称职 2.1 %, 基本称职 20.9 %, 称职 77.0 %. Elsewhere the shares vary per person; two representatives of the
  group are over the 30 % talk threshold (none over 50 %).
- Paper: ten constituencies of the first mine and every constituency of the project departments (far from home)
  voted mostly on paper: a liaison per constituency printed numbered sheets, handed them out and entered the
  returned sheets in batches, each entered twice (the second time by the union), one batch entered again after
  the two entries disagreed; every batch reconciled.
- Online ballots are stored as the product stores them after mixing: `Ballot` (random key, random tracker) and
  `BallotChoice`, inserted in a random order; `Participation` rows carry no link to them. Each round is then
  certified through `ballot_actions.certify`, so the results and the ledger entries are the real ones.
- An **open** democratic appraisal (民主评议) of the first mine's leaders on the satisfaction scale, open from
  yesterday to next week: its rater group is the mine's representatives and section heads plus the demo logins
  of the mine (employee, representative, disclosure officer), who have not voted yet; some others have.
- A **draft** duty rating of the first mine for this year.

Everything goes in with bulk inserts (a few dozen statements per round), never a query per row.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import UUIDField
from django.utils import timezone

from gongkai.core import ledger
from gongkai.core.choices import Role
from gongkai.disclosures.demo import _create_backdated
from gongkai.org import demo as org_demo
from gongkai.org.choices import UnitKind
from gongkai.org.models import Constituency, Person, RoleAssignment, Unit

from . import ballot_actions
from .choices import (
    BLANK,
    BatchStatus,
    Channel,
    Exemption,
    Level,
    RoundKind,
    RoundStatus,
    Scale,
)
from .models import (
    Ballot,
    BallotChoice,
    Elector,
    Liaison,
    PaperBatch,
    PaperEntry,
    Participation,
    RatedPerson,
    RaterGroupMember,
    Round,
    SheetPrint,
)

BATCH = 5000
SEED_PEOPLE = 21_000  # the seed document's group …
SEED_RATERS = 20_189  # … and its raters in last year's duty ratings
FIRST_MINE_REPS = 207
FIRST_MINE_CONGRESS = 9  # exempted: reported at the congress
FIRST_MINE_AWAY = 18  # exempted: away on business
FIRST_MINE_PAPER = 10  # constituencies that voted on paper, one liaison each
# the first mine's distribution of all its ratings, in per mille (shown to one decimal)
FIRST_MINE_SHARES = {Level.UNFIT: 21, Level.BASICALLY_FIT: 209, Level.FIT: 770}
TALKS = 2  # representatives of the group over the talk threshold
SHEETS_PER_BATCH = 40
FITNESS = (Level.FIT, Level.BASICALLY_FIT, Level.UNFIT)
SATISFACTION = (Level.SATISFIED, Level.BASICALLY_SATISFIED, Level.DISSATISFIED)
HEAD_POSTS = ("区队长", "科长", "车间主任", "主任")
AWAY_NOTES = ("外出培训", "外派学习", "借调集团公司", "驻外项目部工作")
DUTIES = (
    "参加职代会并审议工作报告",
    "收集职工意见建议",
    "参与劳动竞赛监督",
    "参加班组民主管理会",
    "参与食堂和澡堂的民主监督",
    "参加企务公开栏检查",
)


class DemoError(Exception):
    """The ratings demo cannot be built as specified (a bug in the demo, not in the data)."""


# ------------------------------------------------------------------------------------------------- the org


@dataclass
class _Const:
    pk: int
    code: str
    members: list[int]  # active members, by employee number
    reps: list[int]  # representatives, by employee number


@dataclass
class _Base:
    unit: Unit
    constituencies: list[_Const]
    manager: int  # the union chair (or a leading-group member) of the base unit

    @property
    def electorate(self) -> int:
        return sum(len(c.members) for c in self.constituencies)


def _bases() -> list[_Base]:
    """The base units (children of the root) with representatives, their constituencies and manager."""
    step = Unit.steplen
    base_units = list(Unit.objects.filter(depth=2).order_by("path"))
    by_path = {u.path: u for u in base_units}
    members: dict[int, list[int]] = defaultdict(list)
    for pk, constituency_id in (
        Person.objects.filter(is_active=True, constituency__isnull=False)
        .order_by("employee_no")
        .values_list("pk", "constituency_id")
    ):
        members[constituency_id].append(pk)
    reps: dict[int, list[int]] = defaultdict(list)
    through = Constituency.representatives.through
    for constituency_id, person_id in (
        through.objects.filter(person__is_active=True)
        .order_by("person__employee_no")
        .values_list("constituency_id", "person_id")
    ):
        reps[constituency_id].append(person_id)
    constituencies: dict[str, list[_Const]] = defaultdict(list)
    for pk, code, path in Constituency.objects.order_by("code").values_list("pk", "code", "unit__path"):
        if reps[pk] and members[pk] and path[: 2 * step] in by_path:
            constituencies[path[: 2 * step]].append(_Const(pk, code, members[pk], reps[pk]))
    managers: dict[int, int] = {}
    for unit_id, person_id in (
        RoleAssignment.objects.filter(role__in=[Role.UNION, Role.LEADING_GROUP], unit__depth__lte=2)
        .order_by("-role", "person__employee_no")  # "union" sorts after "leading_group": union first
        .values_list("unit_id", "person_id")
    ):
        managers.setdefault(unit_id, person_id)
    root = Unit.objects.filter(depth=1).order_by("path").first()
    fallback = managers.get(root.pk) if root else None
    found = []
    for u in base_units:
        manager = managers.get(u.pk, fallback)
        if constituencies[u.path] and manager:
            found.append(_Base(u, constituencies[u.path], manager))
    return found


# ------------------------------------------------------------------------------------------------- helpers


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _tracker(rng: random.Random, taken: set[str]) -> str:
    """A ballot tracker in the product's format (see ballot_actions.new_tracker), from the demo's generator."""
    while True:
        raw = "".join(rng.choice(ballot_actions.TRACKER_ALPHABET) for _ in range(12))
        tracker = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if tracker not in taken:
            taken.add(tracker)
            return tracker


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7" (the form liaisons type sheet numbers in)."""
    parts: list[str] = []
    start = prev = None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:  # type: ignore[operator]
            prev = n
        else:
            parts.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = n
    if start is not None:
        parts.append(f"{start}-{prev}" if start != prev else str(start))
    return ", ".join(parts)


def _report(rng: random.Random, name: str, year: int) -> str:
    duties = "；".join(rng.sample(DUTIES, 3))
    return (
        f"{name}{year}年度履职报告：本年度{duties}。提出意见建议{rng.randint(2, 9)}条，"
        f"走访职工{rng.randint(10, 60)}人次，反映的问题大多已落实。"
    )


def _levels(n: int, unfit: int, basic: int) -> list[str]:
    """`n` ratings of the fitness scale: `unfit` unfit, `basic` basically fit, the others fit."""
    return (
        [str(Level.UNFIT)] * unfit
        + [str(Level.BASICALLY_FIT)] * basic
        + [str(Level.FIT)] * (n - unfit - basic)
    )


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain tuples into `model`'s table with multi-row INSERTs: the bulk path for the big tables
    (electors, participations, ballots, choices), without building a model instance per row. UUIDs are
    given as `uuid.UUID` and stored the way the backend's UUIDField stores them."""
    if not rows:
        return
    native_uuid = connection.features.has_native_uuid_field
    by_column = {f.column: f for f in model._meta.concrete_fields}
    uuid_cols = {
        i
        for i, name in enumerate(columns)
        if isinstance(getattr(by_column[name], "target_field", by_column[name]), UUIDField)
    }
    if not native_uuid and uuid_cols:
        rows = [tuple(v.hex if i in uuid_cols else v for i, v in enumerate(row)) for row in rows]
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    head = f"INSERT INTO {table} ({', '.join(ops.quote_name(c) for c in columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(1000, 30000 // len(columns)))  # below SQLite's limit on parameters
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])


def _exact_first_mine_counts(total: int) -> dict[str, int]:
    """Counts of each level adding up to `total` whose shares, to one decimal, are FIRST_MINE_SHARES (when
    `total` is large enough for that: about a thousand ratings)."""
    wanted = {level: ballot_actions.share(pm, 1000) for level, pm in FIRST_MINE_SHARES.items()}
    base = {level: round(total * pm / 1000) for level, pm in FIRST_MINE_SHARES.items()}
    for du in range(-3, 4):
        for db in range(-3, 4):
            counts: dict[str, int] = {
                Level.UNFIT: base[Level.UNFIT] + du,
                Level.BASICALLY_FIT: base[Level.BASICALLY_FIT] + db,
            }
            counts[Level.FIT] = total - counts[Level.UNFIT] - counts[Level.BASICALLY_FIT]
            if all(ballot_actions.share(counts[lv], total) == wanted[lv] for lv in wanted):
                return counts
    # too few ratings for a 0.1 % resolution (the small scale): the nearest counts
    nearest: dict[str, int] = {lv: max(0, n) for lv, n in base.items() if lv != Level.FIT}
    nearest[Level.FIT] = max(0, total - sum(nearest.values()))
    return nearest


# ------------------------------------------------------------------------------------------------- a round


@dataclass
class _RoundRows:
    """What one closed round inserts, before its ids are known (rated people are referred to by index)."""

    round_: Round
    rated: list[RatedPerson] = field(default_factory=list)
    electors: list[tuple[int, int]] = field(default_factory=list)  # person, constituency
    participations: list[tuple[int, int, str]] = field(default_factory=list)  # person, constituency, channel
    ballots: list[tuple[str, dict[int, str]]] = field(default_factory=list)  # tracker, {rated index: level}
    liaisons: list[Liaison] = field(default_factory=list)
    prints: list[SheetPrint] = field(default_factory=list)
    batches: list[tuple[PaperBatch, list[dict[int, dict[str, int]]]]] = field(default_factory=list)
    # each batch: its entries' counts by rated index, (entry 1, entry 2) or (entry 1, wrong entry 2, entry 2)


class _Loader:
    def __init__(self, scale: str, seed: int, today: dt.date):
        self.scale, self.seed, self.today = scale, seed, today
        self.rng = random.Random(f"gongkai-ratings-{seed}")  # noqa: S311 - demo data, not secrets
        self.year = today.year - 1
        self.bases = _bases()
        self.counts: dict[str, int] = defaultdict(int)
        self.first_mine = next((b for b in self.bases if b.unit.kind == UnitKind.MINE), None)

    # ---------------------------------------------------------------------------------- closed rounds

    def closed_rounds(self) -> list[Round]:
        rng = self.rng
        electorate = sum(b.electorate for b in self.bases)
        raters = round(SEED_RATERS * electorate / SEED_PEOPLE)
        per_base = org_demo._allocate(
            raters,
            [b.electorate * rng.uniform(0.97, 1.03) for b in self.bases],
            caps=[b.electorate for b in self.bases],
        )
        # who gets talked to: representatives of big enough constituencies outside the first mine
        candidates = [
            (b.unit.pk, rep)
            for b in self.bases
            if b is not self.first_mine
            for c in b.constituencies
            if len(c.members) >= 20
            for rep in c.reps
        ]
        talks = set(rng.sample(candidates, min(TALKS, len(candidates))))
        rounds = []
        for base, participants in zip(self.bases, per_base, strict=True):
            rows = self.plan_round(base, participants, {rep for unit, rep in talks if unit == base.unit.pk})
            rounds.append(self.insert_round(rows))
        for round_ in rounds:
            ballot_actions.certify(actor=None, round_=round_)
        # certified in the demo run, as if on the day after the paper count
        Round.objects.filter(pk__in=[r.pk for r in rounds]).update(
            closed_at=_aware(dt.date(self.year, 12, 17), 10)
        )
        return rounds

    def plan_round(self, base: _Base, participants: int, talks: set[int]) -> _RoundRows:
        rng = self.rng
        first = base is self.first_mine
        opens, closes = _aware(dt.date(self.year, 12, 8), 8), _aware(dt.date(self.year, 12, 14), 18)
        round_ = Round(
            unit=base.unit,
            title=f"{self.year}年{base.unit.name}职工代表述职测评",
            kind=RoundKind.DUTY_RATING,
            scale=Scale.FITNESS,
            year=self.year,
            opens_at=opens,
            closes_at=closes,
            status=RoundStatus.COUNTING,  # voting ended; certify() closes it
            created_by_id=base.manager,
            opened_at=opens,
            created_at=opens - dt.timedelta(days=30),
            updated_at=closes,
        )
        rows = _RoundRows(round_)
        published = opens - dt.timedelta(days=7)

        # the people rated, with the exemptions
        index: dict[int, int] = {}  # person -> index into rows.rated
        for c in base.constituencies:
            for rep in c.reps:
                index[rep] = len(rows.rated)
                rows.rated.append(
                    RatedPerson(person_id=rep, constituency_id=c.pk, position=len(rows.rated) + 1)
                )
        reps_total = len(rows.rated)
        if first:
            congress = round(FIRST_MINE_CONGRESS * reps_total / FIRST_MINE_REPS)
            away = round(FIRST_MINE_AWAY * reps_total / FIRST_MINE_REPS)
        else:
            congress = round(reps_total * rng.uniform(0.02, 0.06))
            away = round(reps_total * rng.uniform(0.04, 0.09))
        left = {c.pk: len(c.reps) for c in base.constituencies}
        order = list(range(reps_total))
        rng.shuffle(order)
        wanted = [Exemption.REPORTED_AT_CONGRESS] * congress + [Exemption.AWAY] * away
        for i in order:
            if not wanted:
                break
            rated = rows.rated[i]
            cid = int(rated.constituency_id or 0)
            if left[cid] > 1 and rated.person_id not in talks:  # someone is left to rate
                left[cid] -= 1
                rated.exemption = wanted.pop()
                rated.exemption_note = (
                    f"已在{self.year}年职代会上述职"
                    if rated.exemption == Exemption.REPORTED_AT_CONGRESS
                    else rng.choice(AWAY_NOTES)
                )
        if wanted:
            raise DemoError(f"{base.unit.name}: not enough representatives to exempt")
        names = dict(Person.objects.filter(pk__in=index).values_list("pk", "name"))
        for rated in rows.rated:
            rated.created_at = rated.updated_at = opens - dt.timedelta(days=20)
            if not rated.exemption:
                rated.report = _report(rng, names[rated.person_id], self.year)
                rated.report_published_at = published

        # electors and who voted how
        per_const = org_demo._allocate(
            participants,
            [len(c.members) * rng.uniform(0.95, 1.05) for c in base.constituencies],
            caps=[len(c.members) for c in base.constituencies],
        )
        paper_consts: set[int] = set()
        if first:
            sections = [c for c in base.constituencies if not c.code.endswith("-00")]  # not the offices
            paper_consts = {c.pk for c in rng.sample(sections, min(FIRST_MINE_PAPER, len(sections)))}
        elif base.unit.kind == UnitKind.PROJECT:
            paper_consts = {c.pk for c in base.constituencies}
        voters: dict[int, tuple[list[int], list[int]]] = {}  # constituency -> (online, paper)
        for c, n in zip(base.constituencies, per_const, strict=True):
            rows.electors += [(p, c.pk) for p in c.members]
            voted = sorted(rng.sample(c.members, n))
            if c.pk in paper_consts:
                on_paper = set(rng.sample(voted, round(n * rng.uniform(0.8, 0.95))))
            else:
                on_paper = set()
            online = [p for p in voted if p not in on_paper]
            paper = [p for p in voted if p in on_paper]
            voters[c.pk] = (online, paper)
            rows.participations += [(p, c.pk, Channel.ONLINE) for p in online]
            rows.participations += [(p, c.pk, Channel.PAPER) for p in paper]

        # the ratings: per person rated, a list of levels, one per rater (BLANK: left unmarked on paper)
        slots: dict[int, list[str]] = {}
        for c in base.constituencies:
            online, paper = voters[c.pk]
            for rep in c.reps:
                i = index[rep]
                if rows.rated[i].exemption:
                    continue
                blanks = sum(1 for _p in paper if rng.random() < 0.01)
                slots[i] = [""] * (len(online) + len(paper) - blanks) + [BLANK] * blanks
        if first:
            self.fill_exact(rows, slots)
        else:
            self.fill(rows, slots, {index[rep] for rep in talks})

        # online ballots: each online voter's row of the lists; paper sheets: the paper voters' rows, in batches
        taken: set[str] = set()
        sheet_no = 0
        for c in base.constituencies:
            online, paper = voters[c.pk]
            listed = [index[rep] for rep in c.reps if not rows.rated[index[rep]].exemption]
            for pos in range(len(online)):
                rows.ballots.append((_tracker(rng, taken), {i: slots[i][pos] for i in listed}))
            if c.pk not in paper_consts:
                continue
            liaison = next(p for p in c.members if p not in c.reps)
            rows.liaisons.append(Liaison(person_id=liaison, constituency_id=c.pk))
            printed = len(paper) + rng.randint(2, 8)
            rows.prints.append(
                SheetPrint(
                    constituency_id=c.pk,
                    first=sheet_no + 1,
                    last=sheet_no + printed,
                    printed_by_id=liaison,
                    printed_at=opens - dt.timedelta(days=2),
                )
            )
            numbers = list(range(sheet_no + 1, sheet_no + len(paper) + 1))
            sheet_no += printed
            sheets = [{i: slots[i][len(online) + k] for i in listed} for k in range(len(paper))]
            for b, start in enumerate(range(0, len(sheets), SHEETS_PER_BATCH), start=1):
                pile = sheets[start : start + SHEETS_PER_BATCH]
                counts = {i: {lv: 0 for lv in (*FITNESS, BLANK)} for i in listed}
                for sheet in pile:
                    for i, level in sheet.items():
                        counts[i][level] += 1
                entered = closes + dt.timedelta(hours=16 + b)
                batch = PaperBatch(
                    constituency_id=c.pk,
                    number=b,
                    sheet_numbers=_ranges(numbers[start : start + SHEETS_PER_BATCH]),
                    sheets=len(pile),
                    status=BatchStatus.RECONCILED,
                    created_by_id=liaison,
                    reconciled_at=entered + dt.timedelta(hours=1),
                    created_at=entered,
                    updated_at=entered + dt.timedelta(hours=1),
                )
                entries = [counts, counts]
                if first and not any(
                    len(e) == 3 for _b, e in rows.batches
                ):  # a typo, found and entered again
                    wrong = {i: dict(v) for i, v in counts.items()}
                    i = next(iter(wrong))
                    wrong[i][Level.FIT] -= 1
                    wrong[i][Level.BASICALLY_FIT] += 1
                    entries = [counts, wrong, counts]
                rows.batches.append((batch, entries))
        return rows

    def fill_exact(self, rows: _RoundRows, slots: dict[int, list[str]]) -> None:
        """The first mine: the seed's distribution over all its ratings, spread unevenly over the people."""
        rng = self.rng
        keys = sorted(slots)
        sizes = [sum(1 for s in slots[i] if s != BLANK) for i in keys]
        counts = _exact_first_mine_counts(sum(sizes))
        unfit = org_demo._allocate(
            counts[Level.UNFIT], [n * rng.lognormvariate(0, 0.6) for n in sizes], caps=[n // 4 for n in sizes]
        )
        room = [n - u for n, u in zip(sizes, unfit, strict=True)]
        basic = org_demo._allocate(
            counts[Level.BASICALLY_FIT], [n * rng.uniform(0.5, 1.5) for n in sizes], caps=room
        )
        for i, n, u, b in zip(keys, sizes, unfit, basic, strict=True):
            self.deal(slots[i], _levels(n, u, b))

    def fill(self, rows: _RoundRows, slots: dict[int, list[str]], talks: set[int]) -> None:
        rng = self.rng
        for i, row in slots.items():
            n = sum(1 for s in row if s != BLANK)
            if i in talks:
                u = min(n, int(n * rng.uniform(0.32, 0.42)) + 1)  # over 30 %, under 50 %
            else:
                u = min(n, round(n * min(0.2, max(0.0, rng.gauss(0.025, 0.02)))))
            b = min(n - u, round(n * rng.uniform(0.1, 0.28)))
            self.deal(row, _levels(n, u, b))

    def deal(self, row: list[str], levels: list[str]) -> None:
        """Put `levels`, shuffled, on the unmarked places of a person's row of ratings."""
        self.rng.shuffle(levels)
        it = iter(levels)
        for k, s in enumerate(row):
            if s != BLANK:
                row[k] = next(it)

    def insert_round(self, rows: _RoundRows) -> Round:
        rng = self.rng
        round_ = rows.round_
        _create_backdated(Round, [round_], ["created_at", "updated_at"])
        for rated in rows.rated:
            rated.round_id = round_.pk
        for liaison in rows.liaisons:
            liaison.round_id = round_.pk
        for printed in rows.prints:
            printed.round_id = round_.pk
        RatedPerson.objects.bulk_create(rows.rated, batch_size=BATCH)
        RatedPerson.objects.filter(
            round=round_
        ).update(  # one moment for all: listed when the round was set up
            created_at=round_.created_at + dt.timedelta(days=10),
            updated_at=round_.created_at + dt.timedelta(days=10),
        )
        _insert(
            Elector, ("round_id", "person_id", "constituency_id"), [(round_.pk, *e) for e in rows.electors]
        )
        _insert(
            Participation,
            ("round_id", "person_id", "constituency_id", "channel"),
            [(round_.pk, *p) for p in rows.participations],
        )
        Liaison.objects.bulk_create(rows.liaisons, batch_size=BATCH)
        if rows.prints:
            _create_backdated(SheetPrint, rows.prints, ["printed_at"])
        # the mixed ballot box: random keys, random order
        ballots: list[tuple] = []
        choices: list[tuple] = []
        order = list(rows.ballots)
        rng.shuffle(order)
        rated_pk = [r.pk for r in rows.rated]
        for tracker, levels in order:
            ballot = _uuid(rng)
            ballots.append((ballot, round_.pk, tracker))
            choices += [(_uuid(rng), ballot, rated_pk[i], level) for i, level in levels.items()]
        rng.shuffle(choices)
        _insert(Ballot, ("id", "round_id", "tracker"), ballots)
        _insert(BallotChoice, ("id", "ballot_id", "rated_id", "level"), choices)
        # paper batches, entered twice and reconciled
        batches = [b for b, _e in rows.batches]
        for batch, counted in rows.batches:
            batch.round_id = round_.pk
            batch.counts_digest = ballot_actions.batch_digest(
                {str(rated_pk[i]): levels for i, levels in counted[0].items()}, 0
            )
        if batches:
            _create_backdated(PaperBatch, batches, ["created_at", "updated_at"])
        entries = []
        for batch, counted in rows.batches:
            as_ids = [{str(rated_pk[i]): levels for i, levels in c.items()} for c in counted]
            entered = batch.created_at
            by = [batch.created_by_id, rows.round_.created_by_id]
            if len(as_ids) == 3:  # entry 2 disagreed: superseded, entered again
                entries.append(
                    PaperEntry(
                        batch=batch,
                        entry_no=2,
                        entered_by_id=by[1],
                        entered_at=entered + dt.timedelta(minutes=25),
                        counts=as_ids[1],
                        superseded=True,
                    )
                )
                as_ids = [as_ids[0], as_ids[2]]
            redo = len(counted) == 3
            for no, counts in enumerate(as_ids, start=1):
                entries.append(
                    PaperEntry(
                        batch=batch,
                        entry_no=no,
                        entered_by_id=by[no - 1],
                        entered_at=entered + dt.timedelta(minutes=20 * no + (30 if redo and no == 2 else 0)),
                        counts=counts,
                    )
                )
        if batches:
            _create_backdated(PaperEntry, entries, ["entered_at"])
        c = self.counts
        c["rating_rounds"] += 1
        c["people_rated"] += len(rows.rated)
        c["rating_electors"] += len(rows.electors)
        c["rating_participations"] += len(rows.participations)
        c["ballots"] += len(ballots)
        c["ballot_choices"] += len(choices)
        c["paper_batches"] += len(batches)
        c["paper_entries"] += len(entries)
        c["liaisons"] += len(rows.liaisons)
        return round_

    # ---------------------------------------------------------------------------------- open and draft

    def open_round(self) -> Round | None:
        """The first mine's democratic appraisal of its leaders, open from yesterday to next week."""
        base = self.first_mine
        if base is None:
            return None
        rng = self.rng
        mine = base.unit
        leaders = org_demo.LEADERS["mine"]
        found = list(
            Person.objects.filter(unit=mine, is_active=True, posts__in=leaders).order_by("employee_no")
        )
        rated = sorted(found, key=lambda p: (leaders.index(p.posts), p.employee_no))
        if not rated:
            return None
        logins = _mine_logins()
        rated_ids = {p.pk for p in rated}
        heads = Person.objects.filter(
            unit__path__startswith=mine.path, unit__depth=3, is_active=True, posts__in=HEAD_POSTS
        ).values_list("pk", flat=True)
        reps = [p for c in base.constituencies for p in c.reps]
        group = sorted(({*heads, *reps, *logins.values()}) - rated_ids)
        yesterday = self.today - dt.timedelta(days=1)
        opens = _aware(yesterday, 8)
        round_ = Round(
            unit=mine,
            title=f"{self.today.year}年{mine.name}领导班子成员民主评议",
            kind=RoundKind.APPRAISAL,
            scale=Scale.SATISFACTION,
            year=self.today.year,
            opens_at=opens,
            closes_at=_aware(self.today + dt.timedelta(days=7), 18),
            status=RoundStatus.OPEN,
            created_by_id=base.manager,
            opened_at=opens,
            created_at=opens - dt.timedelta(days=10),
            updated_at=opens,
        )
        _create_backdated(Round, [round_], ["created_at", "updated_at"])
        people = [
            RatedPerson(
                round=round_,
                person=p,
                position=n,
                report=f"{p.name}（{p.posts}）{self.today.year}年度述职述廉报告：分管工作完成情况、"
                f"安全生产、职工关心的问题的解决情况及下一年的打算。",
                report_published_at=opens - dt.timedelta(days=3),
                created_at=opens - dt.timedelta(days=10),
                updated_at=opens - dt.timedelta(days=3),
            )
            for n, p in enumerate(rated, start=1)
        ]
        _create_backdated(RatedPerson, people, ["created_at", "updated_at"])
        RaterGroupMember.objects.bulk_create([RaterGroupMember(round=round_, person_id=p) for p in group])
        Elector.objects.bulk_create([Elector(round=round_, person_id=p) for p in group])
        liaison = logins.get(Role.DISCLOSURE_OFFICER)
        if liaison:
            Liaison.objects.create(round=round_, person_id=liaison)
        # some raters have voted already (through the product's own path); the demo logins have not
        waiting = [p for p in group if p not in set(logins.values())]
        voted = rng.sample(waiting, min(len(waiting), max(1, len(group) // 6)))
        people_by_pk = Person.objects.in_bulk(voted)
        for pk in voted:
            choices = {str(r.pk): rng.choices(SATISFACTION, weights=(70, 24, 6))[0] for r in people}
            ballot_actions.cast_ballot(actor=people_by_pk[pk], round_id=round_.pk, choices=choices)
        ballot_actions.mix_ballots(round_)
        self.counts["rating_rounds"] += 1
        self.counts["open_round_votes"] = len(voted)
        return round_

    def draft_round(self) -> Round | None:
        """This year's duty rating of the first mine, being prepared: the representatives listed, nothing sent."""
        base = self.first_mine
        if base is None:
            return None
        opens = _aware(self.today + dt.timedelta(days=14), 8)
        round_ = Round(
            unit=base.unit,
            title=f"{self.today.year}年{base.unit.name}职工代表述职测评",
            kind=RoundKind.DUTY_RATING,
            scale=Scale.FITNESS,
            year=self.today.year,
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=6, hours=10),
            status=RoundStatus.DRAFT,
            created_by_id=base.manager,
        )
        round_.save()
        rated = [
            RatedPerson(round=round_, person_id=rep, constituency_id=c.pk, position=0)
            for c in base.constituencies
            for rep in c.reps
        ]
        for n, r in enumerate(rated, start=1):
            r.position = n
        RatedPerson.objects.bulk_create(rated, batch_size=BATCH)
        self.counts["rating_rounds"] += 1
        return round_


def _mine_logins() -> dict[str, int]:
    """The demo logins (org.demo.demo_logins) of the first mine who rate in the open round: role -> person id."""
    wanted = (Role.EMPLOYEE, Role.REPRESENTATIVE, Role.DISCLOSURE_OFFICER, Role.LEADING_GROUP)
    numbers = {role: no for role, no, _name, _unit in org_demo.demo_logins() if role in wanted}
    ids = dict(Person.objects.filter(employee_no__in=numbers.values()).values_list("employee_no", "pk"))
    return {role: ids[no] for role, no in numbers.items() if no in ids}


def login_notes() -> list[str]:
    """Lines for `gongkai demo-logins`: who can vote in the open round and who is its liaison."""
    round_ = (
        Round.objects.filter(status=RoundStatus.OPEN, kind=RoundKind.APPRAISAL)
        .order_by("pk")
        .select_related("unit")
        .first()
    )
    if round_ is None:
        return []
    electors = set(Elector.objects.filter(round=round_).values_list("person_id", flat=True))
    voted = set(Participation.objects.filter(round=round_).values_list("person_id", flat=True))
    liaisons = set(Liaison.objects.filter(round=round_).values_list("person_id", flat=True))
    logins = org_demo.demo_logins()
    ids = dict(
        Person.objects.filter(employee_no__in=[no for _r, no, _n, _u in logins]).values_list(
            "employee_no", "pk"
        )
    )
    can_vote = [no for _r, no, _n, _u in logins if ids.get(no) in electors - voted]
    liaison = [no for _r, no, _n, _u in logins if ids.get(no) in liaisons]
    lines = [f"Open rating round “{round_.title}” (/ratings/): can vote: {', '.join(can_vote) or 'nobody'}"]
    if liaison:
        lines.append(f"Liaison of that round (paper sheets): {', '.join(liaison)}")
    return lines


# ------------------------------------------------------------------------------------------------- entry


def load_demo(scale: str, seed: int) -> dict:
    """The loader registered with `gongkai.core.demo` (called by `gongkai seed-demo`)."""
    return load(scale, seed)


@transaction.atomic
def load(scale: str, seed: int, today: dt.date | None = None) -> dict:
    """Load the ratings demo on top of the demo group (see the module docstring); returns the counts."""
    loader = _Loader(scale, seed, today or timezone.localdate())
    if not loader.bases:
        return {}
    closed = loader.closed_rounds()
    loader.open_round()
    loader.draft_round()
    counts = dict(loader.counts)
    ledger.record(
        "ratings.seed_demo",
        actor=None,
        object_type="ratings.demo",
        change={
            "scale": scale,
            "seed": seed,
            "today": loader.today.isoformat(),
            "closed_rounds": [r.pk for r in closed],
            "counts": counts,
        },
    )
    return counts
