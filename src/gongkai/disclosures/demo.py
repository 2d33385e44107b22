"""Demo data of the disclosure capability, loaded by `gongkai seed-demo` after the organisation.

What it adds (deterministic for a seed and a date; `today` defaults to the local date):

- the standard catalog and the schedule of the 12 months ending with the current month (B's
  `generate_schedule` for the calendar years concerned; entries of periods ending outside the window are dropped);
- a published disclosure for each schedule entry that was fulfilled: of the entries already due, about 85 % on
  time, 10 % late and 5 % missing (the first mine, 青山煤矿, does better; each base unit varies a little); of those
  not yet due, some published early; plus a few disclosures on events (no schedule) per base unit;
- a few corrections (version 2 with a reason), one withdrawal, questions and opinions with answers;
- topic requests in every state (open, overdue, answered by a disclosure, declined with reasons) with seconds;
- the physical boards register: at `group` scale 675 boards, 79 of them at company (mine/factory) level, most
  renewed within the month, some not for longer;
- every published version in the transparency log (`tlog.append_many`, in publication order) and a signed tree
  head at the end; one audit-ledger entry summarising the load.

Volume goes through bulk inserts and a handful of set-based UPDATEs, never a query per row. The search text of a
disclosure is `core.text.search_key(title + body text)`; the demo's texts are Simplified Chinese already, so the
loader checks that once for every character it used and then normalises without the (slow) conversion step.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, JSONField, Max, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from gongkai.core import ledger, tlog
from gongkai.core.choices import Role
from gongkai.core.text import search_key, to_simplified
from gongkai.org.choices import UnitKind
from gongkai.org.models import Person, RoleAssignment, Unit

from . import demo_texts as texts
from .choices import BoardLevel, Decision, Form, Frequency, Status, TopicStatus
from .models import (
    Board,
    CatalogItem,
    Category,
    Disclosure,
    DisclosureVersion,
    Question,
    ReadMark,
    Review,
    ScheduleEntry,
    TopicRequest,
    TopicSecond,
)

BATCH = 2000
RATES = (0.85, 0.10, 0.05)  # on time, late, missing — of the entries already due
FIRST_MINE_RATES = (0.93, 0.05, 0.02)
BOARDS_GROUP = (79, 675)  # company-level boards, all boards: the seed document's group of 30 base units
CORRECTIONS_PER = 1500  # one correction per this many published disclosures (at least three)


@dataclass
class _Org:
    units: dict[int, Unit]
    by_path: dict[str, int]
    officers: dict[int, list[int]]
    leaders: dict[int, list[int]]
    people: dict[int, list[tuple[int, str]]]  # unit id -> [(person id, name)] by employee number
    employee_no: dict[int, str]

    def chain(self, unit_id: int) -> list[int]:
        """The unit and its ancestors, deepest first."""
        path = self.units[unit_id].path
        step = Unit.steplen
        return [self.by_path[path[:i]] for i in range(len(path), 0, -step) if path[:i] in self.by_path]

    def authors(self, unit_id: int) -> tuple[int, int]:
        """(creator, approver): the nearest disclosure officer and the nearest other leading-group member."""
        chain = self.chain(unit_id)
        officers = [p for u in chain for p in self.officers.get(u, [])]
        leaders = [p for u in chain for p in self.leaders.get(u, [])]
        creator = officers[0] if officers else leaders[-1]
        approver = next(p for p in leaders if p != creator)
        return creator, approver

    def base_of(self, unit_id: int) -> int:
        path = self.units[unit_id].path
        return self.by_path[path[: 2 * Unit.steplen]] if len(path) >= 2 * Unit.steplen else unit_id

    def members(self, unit_id: int) -> list[int]:
        """People of the unit's whole subtree (only for the few units that need it)."""
        path = self.units[unit_id].path
        return [
            pid
            for uid, rows in self.people.items()
            if self.units[uid].path.startswith(path)
            for pid, _n in rows
        ]


@dataclass
class _Spec:
    """A disclosure to create, with its versions as (number, published_at, title, body, reason)."""

    unit_id: int
    category_id: int
    item: CatalogItem | None
    entry_id: int | None
    period: str
    title: str
    body: str
    creator: int
    approver: int
    published_at: dt.datetime
    versions: list[tuple[int, dt.datetime, str, str, str]] = field(default_factory=list)
    topic_request_id: int | None = None
    withdrawn: tuple[dt.datetime, str] | None = None
    pk: int = 0


def load_demo(scale: str, seed: int) -> dict:
    """The loader registered with `gongkai.core.demo` (called by `gongkai seed-demo`)."""
    return load(scale, seed)


@transaction.atomic
def load(scale: str, seed: int, today: dt.date | None = None) -> dict:
    """Load the disclosure demo on top of the demo group (see the module docstring); returns the counts."""
    from .catalog import load_standard_catalog
    from .catalog_actions import generate_schedule

    today = today or timezone.localdate()
    rng = random.Random(f"gongkai-disclosures-{seed}")  # noqa: S311 - demo data, not secrets
    load_standard_catalog(actor=None)
    start, end = _window(today)
    for year in range(start.year, end.year + 1):
        generate_schedule(None, None, year)
    _drop_entries_outside(start, end)
    org = _org()
    yesterday = today - dt.timedelta(days=1)
    items = {i.pk: i for i in CatalogItem.objects.select_related("category")}
    specs, states = _scheduled(rng, org, items, today, yesterday)
    specs += _on_event(rng, org, items, start, yesterday)
    topics = _topics(rng, org, items, today, yesterday, specs)
    corrections = _corrections(rng, specs, yesterday)
    _withdrawal(org, specs, yesterday)
    specs.sort(key=lambda s: (s.published_at, org.units[s.unit_id].path, s.title, s.period))
    versions = _insert_disclosures(specs, org)
    questions = _questions(rng, org, specs, yesterday)
    reads = _read_marks(rng, org, specs)
    boards = _boards(rng, org, today, yesterday)
    log_size = _log(versions)
    head = tlog.sign_tree_head()
    counts = {
        "schedule_entries": sum(states.values()),
        "disclosures": len(specs),
        "versions": len(versions),
        "questions": questions,
        "topic_requests": topics,
        "boards": boards["boards"],
        "company_level_boards": boards["company"],
        "log_leaves": log_size,
    }
    ledger.record(
        "disclosures.seed_demo",
        actor=None,
        object_type="disclosures.demo",
        change={
            "scale": scale,
            "seed": seed,
            "today": today.isoformat(),
            "window": [start.isoformat(), end.isoformat()],
            "counts": counts,
            "compliance": states,
            "corrections": corrections,
            "read_marks": reads,
            "tree_head": {"size": head.tree_size, "root": bytes(head.root_hash).hex()},
        },
    )
    return counts


# ------------------------------------------------------------------------------------------------- helpers


def _window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the 12 months ending with the current month."""
    month = today.year * 12 + today.month - 1 - 11
    start = dt.date(month // 12, month % 12 + 1, 1)
    return start, dt.date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])


def _drop_entries_outside(start: dt.date, end: dt.date) -> None:
    """Drop the schedule entries of periods ending outside the window (nothing refers to them yet: the demo
    loads into a fresh database), in one statement rather than through the deletion collector."""
    table = connection.ops.quote_name(ScheduleEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE period_end < %s OR period_end > %s",  # noqa: S608 - the model's table
            [connection.ops.adapt_datefield_value(start), connection.ops.adapt_datefield_value(end)],
        )


def _org() -> _Org:
    units = {u.pk: u for u in Unit.objects.only("pk", "code", "name", "kind", "path", "depth")}
    officers: dict[int, list[int]] = defaultdict(list)
    leaders: dict[int, list[int]] = defaultdict(list)
    for unit_id, role, person_id in (
        RoleAssignment.objects.filter(
            role__in=[Role.DISCLOSURE_OFFICER, Role.LEADING_GROUP], person__is_active=True
        )
        .values_list("unit_id", "role", "person_id")
        .order_by("unit_id", "person_id")
    ):
        (officers if role == Role.DISCLOSURE_OFFICER else leaders)[unit_id].append(person_id)
    people: dict[int, list[tuple[int, str]]] = defaultdict(list)
    employee_no: dict[int, str] = {}
    for pk, unit_id, name, no in (
        Person.objects.filter(is_active=True, unit__isnull=False)
        .values_list("pk", "unit_id", "name", "employee_no")
        .order_by("employee_no")
    ):
        people[unit_id].append((pk, name))
        employee_no[pk] = no
    return _Org(units, {u.path: pk for pk, u in units.items()}, officers, leaders, people, employee_no)


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    """A working-hours moment of a day, in the project's time zone."""
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _unit_label(org: _Org, unit: Unit) -> str:
    if unit.kind == UnitKind.TEAM:
        parent = org.units[org.by_path[unit.path[: -Unit.steplen]]]
        return f"{parent.name}{unit.name}"
    return unit.name


def _context(org: _Org, unit: Unit, item: CatalogItem, label: str, rng: random.Random) -> dict:
    base = org.units[org.base_of(unit.pk)]
    return {
        "unit": _unit_label(org, unit),
        "label": label,
        "kind": unit.kind,
        "base": unit.depth <= 2,
        "mine": base.kind == UnitKind.MINE,
        "item": item.title,
        "description": item.description,
        "people": [name for _pk, name in org.people.get(unit.pk, [])[:8]],
        "phone": f"{rng.choice(texts.PHONES)}{rng.randint(100, 999)}",
    }


def _rates(org: _Org, rng: random.Random) -> dict[int, tuple[float, float, float]]:
    """On-time / late / missing rates per base unit: the group's rates, shifted a little per unit."""
    bases = sorted((u for u in org.units.values() if u.depth == 2), key=lambda u: u.path)
    first_mine = next((u.pk for u in bases if u.kind == UnitKind.MINE), None)
    rates = {}
    for u in bases:
        if u.pk == first_mine:
            rates[u.pk] = FIRST_MINE_RATES
            continue
        shift = rng.uniform(-0.05, 0.04)
        on_time = RATES[0] + shift
        late = RATES[1] - shift * 0.6
        rates[u.pk] = (on_time, late, 1 - on_time - late)
    return rates


def _scheduled(
    rng: random.Random, org: _Org, items: dict[int, CatalogItem], today: dt.date, yesterday: dt.date
) -> tuple[list[_Spec], dict[str, int]]:
    """A disclosure for each fulfilled schedule entry, with its publication date decided by the rates."""
    rates = _rates(org, rng)
    root_rates = RATES
    specs: list[_Spec] = []
    states = dict.fromkeys(["on_time", "late", "missing", "pending"], 0)
    # content order (not by id: ids depend on how the schedule generator batched its inserts)
    entries = ScheduleEntry.objects.order_by("unit__path", "item__code", "period_start").values_list(
        "pk", "unit_id", "item_id", "period", "period_end", "due_date"
    )
    for pk, unit_id, item_id, period, period_end, due in entries.iterator(chunk_size=BATCH):
        if due < today:
            on_time, late, _missing = rates.get(org.base_of(unit_id), root_rates)
            r = rng.random()
            if r < on_time:
                day = period_end + dt.timedelta(days=rng.randint(1, max(1, (due - period_end).days)))
                state = "on_time"
            elif r < on_time + late and due < yesterday:
                day = min(due + dt.timedelta(days=rng.randint(1, 25)), yesterday)
                state = "late"
            else:
                states["missing"] += 1
                continue
        elif period_end < yesterday and rng.random() < 0.5:
            day = period_end + dt.timedelta(days=rng.randint(1, (yesterday - period_end).days))
            state = "on_time"
        else:
            states["pending"] += 1
            continue
        states[state] += 1
        item = items[item_id]
        unit = org.units[unit_id]
        label = texts.period_label(period)
        creator, approver = org.authors(unit_id)
        published = _at(rng, day)
        title = f"{_unit_label(org, unit)}{label}{item.title}"
        body = texts.body(item.code, rng, _context(org, unit, item, label, rng))
        spec = _Spec(unit_id, item.category_id, item, pk, period, title, body, creator, approver, published)
        spec.versions.append((1, published, title, body, ""))
        specs.append(spec)
    return specs, states


def _on_event(
    rng: random.Random, org: _Org, items: dict[int, CatalogItem], start: dt.date, yesterday: dt.date
) -> list[_Spec]:
    """A few disclosures of events (no schedule) per base unit and for the group."""
    event_items = [i for i in items.values() if i.frequency == Frequency.ON_EVENT]
    specs = []
    days = (yesterday - start).days
    for unit in sorted(org.units.values(), key=lambda u: u.path):
        if unit.depth > 2:
            continue
        fitting = [i for i in event_items if unit.kind in i.unit_kinds]
        for _n in range(rng.randint(2, 5) if fitting else 0):
            item = rng.choice(fitting)
            day = start + dt.timedelta(days=rng.randint(0, days))
            title = f"{unit.name}关于{item.title}的公开（{day.month}月{day.day}日）"
            body = texts.body(item.code, rng, _context(org, unit, item, "", rng))
            creator, approver = org.authors(unit.pk)
            published = _at(rng, day)
            spec = _Spec(unit.pk, item.category_id, item, None, "", title, body, creator, approver, published)
            spec.versions.append((1, published, title, body, ""))
            specs.append(spec)
    return specs


def _topics(
    rng: random.Random,
    org: _Org,
    items: dict[int, CatalogItem],
    today: dt.date,
    yesterday: dt.date,
    specs: list[_Spec],
) -> int:
    """Topic requests in every state; the answered one gets its disclosure (appended to `specs`)."""
    days = settings.GONGKAI_TOPIC_ANSWER_DAYS
    bases = sorted(
        (u for u in org.units.values() if u.depth == 2 and u.kind != UnitKind.DEPARTMENT),
        key=lambda u: u.path,
    )
    # (index into texts.TOPICS, unit, created days ago, status, answered days after creation)
    plan = [
        (0, bases[0], days + 25, TopicStatus.PUBLISHED, 10),
        (1, bases[0], 3, TopicStatus.OPEN, 0),
        (2, bases[0], days + 12, TopicStatus.OPEN, 0),  # overdue
        (3, bases[0], days + 35, TopicStatus.DECLINED, 8),
        (4, bases[1 % len(bases)], 6, TopicStatus.OPEN, 0),
        (5, bases[2 % len(bases)], days + 4, TopicStatus.OPEN, 0),  # overdue
        (6, bases[0], 1, TopicStatus.OPEN, 0),
        (7, bases[1 % len(bases)], days + 10, TopicStatus.DECLINED, 12),
    ]
    wages = next(i for i in items.values() if i.code == "C03-01")
    requests = []
    seconds: list[tuple[int, int, dt.datetime]] = []  # (request index, person, at)
    for n, (index, unit, ago, status, after) in enumerate(plan):
        title, text, reason, answer_title = texts.TOPICS[index]
        members = org.members(unit.pk)
        proposer = rng.choice(members)
        created = _at(rng, today - dt.timedelta(days=ago))
        creator, approver = org.authors(unit.pk)
        answered_at = _at(rng, min(created.date() + dt.timedelta(days=after), yesterday)) if after else None
        request = TopicRequest(
            unit=unit,
            proposer_id=proposer,
            title=title,
            text=text,
            deadline=created.date() + dt.timedelta(days=days),
            status=status,
            answer=reason if status == TopicStatus.DECLINED else "",
            answered_by_id=approver if answered_at else None,
            answered_at=answered_at,
            search_text=search_key(f"{title} {text}"),
        )
        request.created_at = created
        request.updated_at = answered_at or created
        requests.append(request)
        others = [p for p in members if p != proposer]
        for person in rng.sample(others, min(len(others), rng.randint(3, 40))):
            seconds.append(
                (n, person, created + dt.timedelta(hours=rng.randint(1, 24 * max(1, min(ago, days)))))
            )
        if status == TopicStatus.PUBLISHED and answered_at is not None:
            body = texts.paragraphs(
                f"应职工点题，现将{unit.name}{answer_title}公开如下。",
                "一、承包期限三年，承包方按核定价格供应饭菜，不得擅自提价。",
                "二、价格由工会、财务和职工代表组成的价格小组每季度核定一次。",
                "三、职工可通过意见箱和本页留言反映饭菜质量和价格问题。",
            )
            spec = _Spec(
                unit.pk, wages.category_id, None, None, "", answer_title, body, creator, approver, answered_at
            )
            spec.versions.append((1, answered_at, answer_title, body, ""))
            spec.topic_request_id = n
            specs.append(spec)
    _create_backdated(TopicRequest, requests, ["created_at", "updated_at"])
    second_rows = [TopicSecond(request=requests[n], person_id=p, at=at) for n, p, at in seconds]
    _create_backdated(TopicSecond, second_rows, ["at"])
    count: dict[int, int] = defaultdict(int)
    for second in seconds:
        count[second[0]] += 1
    for n, request in enumerate(requests):
        request.second_count = count[n]
    TopicRequest.objects.bulk_update(requests, ["second_count"])
    for spec in specs:
        if spec.topic_request_id is not None:
            spec.topic_request_id = requests[spec.topic_request_id].pk  # now the request's id
    return len(requests)


def _corrections(rng: random.Random, specs: list[_Spec], yesterday: dt.date) -> int:
    """Version 2 with a reason for a few disclosures of base units and sections."""
    candidates = [
        s
        for s in specs
        if s.entry_id is not None and s.item is not None and s.published_at.date() < yesterday
    ]
    chosen = rng.sample(candidates, min(len(candidates), max(3, len(specs) // CORRECTIONS_PER)))
    for spec in chosen:
        reason = rng.choice(texts.CORRECTION_REASONS)
        day = min(spec.published_at.date() + dt.timedelta(days=rng.randint(1, 6)), yesterday)
        at = _at(rng, day)
        if at <= spec.published_at:
            at = spec.published_at + dt.timedelta(hours=1)
        body = spec.body + texts.CORRECTION_NOTE.format(reason=reason)
        spec.versions.append((2, at, spec.title, body, reason))
    return len(chosen)


def _withdrawal(org: _Org, specs: list[_Spec], yesterday: dt.date) -> None:
    """One disclosure of an event is withdrawn (its versions stay, its page says why)."""
    for spec in specs:
        if (
            spec.entry_id is None
            and spec.item is not None
            and spec.published_at.date() < yesterday - dt.timedelta(days=3)
        ):
            when = spec.published_at + dt.timedelta(days=2)
            spec.withdrawn = (when, "合同尚未最终签署，公开内容有误，待正式签署后重新公开。")
            return


def _key(text: str) -> str:
    """`search_key` for text known to be Simplified already (see the module docstring)."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def _insert_disclosures(specs: list[_Spec], org: _Org) -> list[int]:
    """Insert disclosures, their versions and reviews in publication order; returns the version ids in log
    order. Ids are assigned here, so that each disclosure names its current version as it is inserted (the
    foreign keys are checked at commit)."""
    from .sanitize import body_text

    texts_used: set[str] = set()
    searches = []
    for spec in specs:
        last = spec.versions[-1]
        search = f"{last[2]}\n{body_text(last[3])}"
        texts_used.update(search)
        searches.append(search)
    chars = "".join(sorted(texts_used))
    exact = to_simplified(chars) == chars  # one conversion of every character used, instead of one per text

    next_disclosure = _next_id(Disclosure)
    for n, spec in enumerate(specs):
        spec.pk = next_disclosure + n
    unit_codes = {pk: u.code for pk, u in org.units.items()}
    category_codes = dict(Category.objects.values_list("pk", "code"))
    ordered = sorted(
        (
            (at, spec.pk, number, title, body, reason, spec)
            for spec in specs
            for number, at, title, body, reason in spec.versions
        ),
        key=lambda v: (v[0], v[1], v[2]),
    )
    next_version = _next_id(DisclosureVersion)
    current: dict[int, int] = {}
    versions: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    for n, (at, disclosure_id, number, title, body, reason, spec) in enumerate(ordered):
        pk = next_version + n
        current[disclosure_id] = pk  # the last one (highest number) wins
        code = unit_codes[spec.unit_id]
        versions.append(
            {
                "id": pk,
                "disclosure_id": disclosure_id,
                "number": number,
                "title": title,
                "body": body,
                "reason": reason,
                "attachments": [],
                "unit_code": code,
                "audience_code": code,
                "category_code": category_codes[spec.category_id],
                "period": spec.period,
                "published_at": at,
                "published_by_id": spec.approver,
                "approved_by_id": spec.approver,
            }
        )
        reviews.append(
            {
                "disclosure_id": disclosure_id,
                "reviewer_id": spec.approver,
                "decision": Decision.APPROVE.value,
                "comment": "",
                "at": at,
            }
        )
    disclosures = []
    for spec, search in zip(specs, searches, strict=True):
        last = spec.versions[-1]
        depth = org.units[spec.unit_id].depth
        disclosures.append(
            {
                "id": spec.pk,
                "created_at": spec.published_at - dt.timedelta(days=1),
                "updated_at": spec.withdrawn[0] if spec.withdrawn else last[1],
                "unit_id": spec.unit_id,
                "audience_id": spec.unit_id,
                "category_id": spec.category_id,
                "item_id": spec.item.pk if spec.item else None,
                "schedule_entry_id": spec.entry_id,
                "topic_request_id": spec.topic_request_id,
                "period": spec.period,
                "status": (Status.WITHDRAWN if spec.withdrawn else Status.PUBLISHED).value,
                "is_public": spec.withdrawn is None,
                "draft_title": last[2],
                "draft_body": last[3],
                "draft_reason": "",
                "channels": [Form.WEB.value, Form.BOARD.value] if depth <= 3 else [Form.BOARD.value],
                "board_numbers": "",
                "created_by_id": spec.creator,
                "last_edited_by_id": spec.creator,
                "current_version_id": current[spec.pk],
                "title": last[2],
                "published_at": spec.published_at,
                "updated_version_at": last[1],
                "withdrawn_at": spec.withdrawn[0] if spec.withdrawn else None,
                "withdrawn_reason": spec.withdrawn[1] if spec.withdrawn else "",
                "search_text": _key(search) if exact else search_key(search),
                "revision": 1,
            }
        )
    _insert_rows(Disclosure, disclosures)
    _insert_rows(DisclosureVersion, versions)
    _insert_rows(Review, reviews)
    ScheduleEntry.objects.filter(disclosure__isnull=False, published_on__isnull=True).update(
        published_on=Subquery(
            Disclosure.objects.filter(schedule_entry=OuterRef("pk"))
            .annotate(day=TruncDate("published_at"))
            .values("day")[:1],
            output_field=DateField(),
        )
    )
    return [v["id"] for v in versions]


def _next_id(model) -> int:
    return (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1


def _insert_rows(model, rows: list[dict]) -> None:
    """Insert rows (dicts by attribute name) with one multi-row INSERT per batch: the bulk path of the demo.

    Values are adapted the way the backend stores them (datetimes, dates, JSON); primary keys given in the rows
    are kept, and on PostgreSQL the id sequence is moved past them afterwards.
    """
    if not rows:
        return
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0]]
    adapt: list[Callable[[Any], Any] | None] = []
    for f in fields:
        if isinstance(f, JSONField):
            adapt.append(partial(f.get_db_prep_save, connection=connection))
        elif isinstance(f, DateTimeField):
            adapt.append(ops.adapt_datetimefield_value)
        elif isinstance(f, DateField):
            adapt.append(ops.adapt_datefield_value)
        else:
            adapt.append(None)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = ops.quote_name(model._meta.db_table)
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from the model, values are parameters
    per_statement = max(1, min(500, 30000 // len(fields)))  # below SQLite's limit on parameters
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for row in chunk:
                for f, fn in zip(fields, adapt, strict=True):
                    value = row[f.attname]
                    params.append(fn(value) if fn is not None and value is not None else value)
            sql = head + ", ".join([placeholders] * len(chunk))
            cursor.execute(sql, params)
        if "id" in rows[0]:
            for statement in ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)


def _create_backdated(model, rows: list, fields: list[str]) -> None:
    """bulk_create, keeping the given times of auto_now(_add) fields: bulk_create stamps "now" on them (on the
    instances too), so the intended values are put back and written with one bulk UPDATE."""
    intended = [[getattr(row, f) for f in fields] for row in rows]
    model.objects.bulk_create(rows, batch_size=BATCH)
    for row, values in zip(rows, intended, strict=True):
        for f, value in zip(fields, values, strict=True):
            setattr(row, f, value)
    model.objects.bulk_update(rows, fields, batch_size=BATCH)


def _chunks(rows: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _questions(rng: random.Random, org: _Org, specs: list[_Spec], yesterday: dt.date) -> int:
    """Questions and opinions of readers on some disclosures of base units and sections; most answered."""
    rows = []
    members_cache: dict[int, list[int]] = {}
    for spec in specs:
        unit = org.units[spec.unit_id]
        if spec.withdrawn or unit.depth > 3 or rng.random() > 0.03:
            continue
        asked_day = spec.published_at.date() + dt.timedelta(days=rng.randint(0, 5))
        if asked_day > yesterday:
            continue
        if unit.pk not in members_cache:
            members_cache[unit.pk] = org.members(unit.pk) if unit.depth > 2 else _sample_members(org, unit)
        members = members_cache[unit.pk]
        if not members:
            continue
        opinion = rng.random() < 0.2
        question, answer = rng.choice(texts.QUESTIONS)
        text = rng.choice(texts.OPINIONS) if opinion else question
        asked = _at(rng, asked_day)
        answered_day = asked_day + dt.timedelta(days=rng.randint(1, 5))
        answered = answered_day <= yesterday and rng.random() < 0.85
        q = Question(
            disclosure_id=spec.pk,
            asker_id=rng.choice(members),
            is_opinion=opinion,
            text=text,
            answer=("感谢您的意见，我们将认真研究改进。" if opinion else answer) if answered else "",
            answered_by_id=spec.creator if answered else None,
            answered_at=_at(rng, answered_day) if answered else None,
            answer_public=rng.random() < 0.9,
        )
        q.created_at = asked
        q.updated_at = q.answered_at or asked
        rows.append(q)
    _create_backdated(Question, rows, ["created_at", "updated_at"])
    return len(rows)


def _sample_members(org: _Org, unit: Unit) -> list[int]:
    """A sample of the people of a base unit's subtree (enough to ask questions, without scanning all)."""
    found: list[int] = []
    for uid, rows in org.people.items():
        if org.units[uid].path.startswith(unit.path):
            found.extend(pid for pid, _n in rows[:5])
        if len(found) >= 200:
            break
    return found


def _read_marks(rng: random.Random, org: _Org, specs: list[_Spec]) -> int:
    """The demo employee (see org.demo.demo_logins) has read about half of their board."""
    from gongkai.org.demo import demo_logins

    employee = next((no for role, no, _n, _u in demo_logins() if role == Role.EMPLOYEE), None)
    person = Person.objects.filter(employee_no=employee).only("pk", "unit_id").first() if employee else None
    if person is None or person.unit_id is None:
        return 0
    home = set(org.chain(person.unit_id))
    rows = [
        ReadMark(person_id=person.pk, disclosure_id=s.pk, version_number=s.versions[-1][0])
        for s in specs
        if s.unit_id in home and not s.withdrawn and rng.random() < 0.5
    ]
    ReadMark.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _boards(rng: random.Random, org: _Org, today: dt.date, yesterday: dt.date) -> dict[str, int]:
    """The physical boards register, scaled on the seed's group (79 company-level boards of 675)."""
    bases = sorted((u for u in org.units.values() if u.depth == 2), key=lambda u: u.path)
    sections = sorted((u for u in org.units.values() if u.depth == 3), key=lambda u: u.path)
    scale = len(bases) / 30
    company_total, total = round(BOARDS_GROUP[0] * scale), round(BOARDS_GROUP[1] * scale)
    department_total = round(total * 0.24)
    section_total = total - company_total - department_total
    producing = [u for u in bases if u.kind != UnitKind.DEPARTMENT]
    weights = [3.0 if u.kind == UnitKind.MINE else 1.5 for u in producing]
    plan: list[tuple[Unit, str, int]] = []
    plan += [
        (u, BoardLevel.COMPANY, n) for u, n in zip(producing, _allocate(company_total, weights), strict=True)
    ]
    weights = [4.0 if u.kind == UnitKind.MINE else 1.0 for u in bases]
    plan += [
        (u, BoardLevel.DEPARTMENT, n)
        for u, n in zip(bases, _allocate(department_total, weights), strict=True)
    ]
    weights = [float(len(org.people.get(u.pk, [])) + 10) for u in sections]
    plan += [
        (u, BoardLevel.SECTION, n) for u, n in zip(sections, _allocate(section_total, weights), strict=True)
    ]
    renew_day = {u.pk: rng.randint(1, 10) for u in bases}  # each base unit renews its boards on a fixed day
    letters: dict[str, str] = {BoardLevel.COMPANY: "A", BoardLevel.DEPARTMENT: "B", BoardLevel.SECTION: "C"}
    rows = []
    for unit, level, n in plan:
        places = texts.BOARD_PLACES[level]
        for k in range(1, n + 1):
            r = rng.random()
            if r < 0.02:
                last = None
            elif r < 0.10:
                last = today - dt.timedelta(days=rng.randint(35, 120))
            else:
                last = _last_renewal(renew_day[org.base_of(unit.pk)], yesterday)
            place = places[(k - 1) % len(places)]
            rows.append(
                Board(
                    unit=unit,
                    number=f"{unit.code}-{letters[level]}{k:02d}",
                    location=f"{_unit_label(org, unit)}{place}" + (f"（{k}号）" if k > len(places) else ""),
                    level=level,
                    last_updated=last,
                    active=rng.random() > 0.02,
                )
            )
    Board.objects.bulk_create(rows, batch_size=BATCH)
    return {"boards": len(rows), "company": sum(1 for b in rows if b.level == BoardLevel.COMPANY)}


def _last_renewal(day: int, yesterday: dt.date) -> dt.date:
    """The latest date on or before `yesterday` that falls on `day` of its month."""
    if yesterday.day >= day:
        return yesterday.replace(day=day)
    first = yesterday.replace(day=1) - dt.timedelta(days=1)
    return first.replace(day=min(day, first.day))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder)."""
    if not weights:
        return []
    wsum = sum(weights)
    quotas = [total * w / wsum for w in weights]
    shares = [int(q) for q in quotas]
    for i in sorted(range(len(weights)), key=lambda i: (-(quotas[i] - shares[i]), i))[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _log(version_ids: list[int]) -> int:
    """Append every published version to the transparency log, in publication order."""
    from .logleaf import OBJECT_TYPE, leaves_of

    def items() -> Iterator[tuple[str, str, bytes]]:
        for chunk in _chunks([str(pk) for pk in version_ids]):
            leaves = leaves_of(chunk)
            for object_id in chunk:
                yield OBJECT_TYPE, object_id, leaves[object_id]

    return len(tlog.append_many(items()))
