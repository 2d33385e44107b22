"""Demo data of the case capability, loaded by `gongkai seed-demo` after the organisation.

What it adds over the 12 months ending with the current month (deterministic for a seed and a date; `today`
defaults to the local date):

- reception days (民主接待) on the 25th of each month at every base unit (future ones scheduled, nobody received
  yet); in the promotion month (the month before the current one) also at sections, so that the group receives —
  as in the seed document — 63 sessions, 628 people and 298 issues that month;
- representatives' inspections (视察调研): in the promotion month 43 visits by 410 representatives, whose findings
  are 237 cases; the checklist 三查一听一看 done, a report written;
- consultation desks (咨询站: annuity, housing fund, social insurance) at the mines, plants and companies, their
  questions as cases and a few answers promoted to the desk's FAQ;
- congress motions with co-signers, accepted (立案, a case each), returned with a reason or awaiting the committee;
- every case through its lifecycle with realistic timing: accepted and assigned within two working days to a
  handler of the base unit with a due date 30 working days later; most replied within two to four weeks, some
  late, some still open (a few overdue); replies rated 满意 / 基本满意 / 不满意 (about 80 / 15 / 5 %), the
  dissatisfied reopened once; the satisfied followed up and closed.

Figures are those of the seed document's group (30 base units) at `group` scale and scaled by the number of base
units otherwise. Everything goes in with multi-row INSERTs (a few dozen statements), never a query per row; the
audit ledger gets one entry that summarises the load.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongkai.core import ledger, workdays
from gongkai.core.choices import Role
from gongkai.disclosures.demo import _insert_rows
from gongkai.org.choices import UnitKind
from gongkai.org.models import Person, RoleAssignment, Unit

from .choices import (
    CHECKLIST_KEYS,
    CaseStatus,
    ConsultationTopic,
    EventKind,
    MotionDecision,
    Priority,
    Satisfaction,
    SourceKind,
)
from .models import (
    Case,
    CaseEvent,
    ConsultationDesk,
    FaqEntry,
    Inspection,
    Motion,
    MotionSignature,
    ReceptionDay,
)

SEED_BASES = 30  # the seed document's group
RECEPTION_MONTH = (63, 628, 298)  # sessions, people received, issues raised — in the promotion month
INSPECTION_MONTH = (43, 410, 237)  # visits, representatives taking part, issues found
DESK_TOPICS = (ConsultationTopic.ANNUITY, ConsultationTopic.HOUSING_FUND, ConsultationTopic.SOCIAL_INSURANCE)
DESK_KINDS = (UnitKind.MINE, UnitKind.PLANT, UnitKind.COMPANY)

ISSUES = (
    ("井口澡堂热水供应不足", "夜班升井后澡堂经常没有热水，希望增加锅炉运行时间。"),
    ("职工食堂夜班饭菜品种少", "夜班职工只能吃面条，希望增加品种并保证饭菜温度。"),
    ("通勤车发车时间不合理", "早班通勤车到矿时间太早，职工等候时间长。"),
    ("劳保用品发放不及时", "新一季的劳保鞋和手套还没有发到班组。"),
    ("井下巷道照明不足", "部分巷道照明灯损坏，影响行走安全。"),
    ("职工宿舍维修问题", "单身宿舍楼屋顶漏雨，多次反映未解决。"),
    ("绩效工资考核办法不透明", "希望公开绩效工资的考核细则和计算方法。"),
    ("夏季防暑降温费发放", "询问今年防暑降温费的发放标准和时间。"),
    ("班前会时间过长", "班前会经常超过半小时，影响休息。"),
    ("职工体检项目偏少", "希望增加职业病相关的体检项目。"),
    ("矿区道路积水", "雨后矿区主干道积水严重，希望修缮排水。"),
    ("技能培训机会少", "希望多组织技能等级培训和考试。"),
    ("带薪年休假安排难", "生产任务重，年休假难以安排，希望统筹。"),
    ("更衣室柜子不够用", "新入职职工没有分到更衣柜。"),
    ("困难职工帮扶", "希望公开困难职工帮扶的条件和名单。"),
)
QUESTIONS: dict[str, tuple[str, str]] = {
    ConsultationTopic.ANNUITY: ("企业年金怎样计算", "企业年金个人账户的缴费比例和领取方式是怎样的？"),
    ConsultationTopic.HOUSING_FUND: ("住房公积金提取条件", "租房可以提取住房公积金吗？需要哪些材料？"),
    ConsultationTopic.SOCIAL_INSURANCE: ("养老保险缴费年限", "养老保险缴费满多少年可以按月领取养老金？"),
}
ANSWERS: dict[str, str] = {
    ConsultationTopic.ANNUITY: "单位缴费为工资总额的百分之八，个人缴费百分之二；退休时可按月或一次性领取。",
    ConsultationTopic.HOUSING_FUND: "无房职工租房可以提取，需提供租房合同和本人身份证明，每季度可提取一次。",
    ConsultationTopic.SOCIAL_INSURANCE: "累计缴费满十五年，达到法定退休年龄后可按月领取基本养老金。",
}
MOTION_TITLES = (
    "关于提高井下津贴标准的提案",
    "关于改善职工通勤条件的提案",
    "关于建设职工书屋的提案",
    "关于完善困难职工帮扶机制的提案",
    "关于增加一线职工疗休养名额的提案",
    "关于规范劳务派遣用工的提案",
)
REPLY = "经研究，已落实整改：{}。感谢您的反映。"
FIXES = ("已安排专人负责", "已列入本月计划", "已完成维修", "已调整安排", "已公开相关办法")


@dataclass
class _Base:
    unit: Unit
    subs: list[Unit]
    people: list[int]
    reps: list[int]
    registrar: int  # union (or leading group) of the base unit: accepts and assigns
    handlers: list[tuple[int, int]]  # (person, their unit)


@dataclass
class _Rows:
    today: dt.date
    rng: random.Random
    next_case: int
    next_event: int
    cases: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def load_demo(scale: str, seed: int) -> dict:
    """The loader registered with `gongkai.core.demo` (called by `gongkai seed-demo`)."""
    return load(scale, seed)


@transaction.atomic
def load(scale: str, seed: int, today: dt.date | None = None) -> dict:
    """Load the case demo on top of the demo group (see the module docstring); returns the counts."""
    today = today or timezone.localdate()
    rng = random.Random(f"gongkai-cases-{seed}")  # noqa: S311 - demo data, not secrets
    bases = _bases()
    if not bases:
        return {}
    factor = len(bases) / SEED_BASES
    rows = _Rows(
        today=today,
        rng=rng,
        next_case=(Case.objects.aggregate(m=Max("pk"))["m"] or 0) + 1,
        next_event=(CaseEvent.objects.aggregate(m=Max("pk"))["m"] or 0) + 1,
    )
    month = _month_start(today, -1)
    receptions = _receptions(rows, bases, factor, month)
    inspections = _inspections(rows, bases, factor, month)
    desks = _consultations(rows, bases)
    motions = _motions(rows, bases)
    _insert_rows(Case, rows.cases)
    _insert_rows(CaseEvent, rows.events)
    faq = _faq(rows, desks)
    counts = {
        "reception_days": receptions["sessions"],
        "inspections": inspections["visits"],
        "consultation_desks": len(desks),
        "motions": motions,
        "cases": len(rows.cases),
        "case_events": len(rows.events),
        "faq_entries": faq,
    }
    ledger.record(
        "cases.seed_demo",
        actor=None,
        object_type="cases.demo",
        change={
            "scale": scale,
            "seed": seed,
            "today": today.isoformat(),
            "promotion_month": month.strftime("%Y-%m"),
            "counts": counts,
            "promotion_month_receptions": receptions["month"],
            "promotion_month_inspections": inspections["month"],
            "statuses": dict(sorted(rows.statuses.items())),
        },
    )
    return counts


# ------------------------------------------------------------------------------------------------- helpers


def _month_start(today: dt.date, offset: int) -> dt.date:
    month = today.year * 12 + today.month - 1 + offset
    return dt.date(month // 12, month % 12 + 1, 1)


def _allocate(total: int, parts: int, rng: random.Random, minimum: int = 0) -> list[int]:
    """`total` split into `parts` random whole numbers (each at least `minimum`) that add up exactly."""
    if parts <= 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    rest = max(0, total - minimum * parts)
    shares = [minimum + int(rest * w / sum(weights)) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % parts] += 1
    return shares


def _bases() -> list[_Base]:
    """The base units (children of the root) with their sections, people, representatives and staff."""
    units = list(Unit.objects.only("pk", "code", "name", "kind", "path", "depth").order_by("path"))
    step = Unit.steplen
    base_units = [u for u in units if u.depth == 2]
    by_base: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        if u.depth == 3:
            by_base[u.path[: 2 * step]].append(u)
    people: dict[str, list[int]] = defaultdict(list)
    for pk, path in (
        Person.objects.filter(is_active=True, unit__depth__gte=2)
        .values_list("pk", "unit__path")
        .order_by("employee_no")
    ):
        people[path[: 2 * step]].append(pk)
    roles: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for role, path, pk, unit_id in (
        RoleAssignment.objects.filter(
            role__in=[Role.UNION, Role.LEADING_GROUP, Role.HANDLER, Role.REPRESENTATIVE],
            person__is_active=True,
            unit__depth__gte=2,
        )
        .values_list("role", "unit__path", "person_id", "person__unit_id")
        .order_by("person__employee_no")
    ):
        roles[(role, path[: 2 * step])].append((pk, unit_id))
    found = []
    for u in base_units:
        managers = roles[(Role.UNION, u.path)] + roles[(Role.LEADING_GROUP, u.path)]
        handlers = roles[(Role.HANDLER, u.path)]
        if not managers or not handlers or not people[u.path]:
            continue
        reps = sorted({pk for pk, _u in roles[(Role.REPRESENTATIVE, u.path)]}) or people[u.path][:5]
        found.append(_Base(u, by_base[u.path], people[u.path], reps, managers[0][0], handlers))
    return found


@functools.lru_cache(maxsize=4096)
def _add_working_days(start: dt.date, n: int) -> dt.date:
    """`workdays.add_working_days`, remembered: the demo asks the same few hundred questions thousands of times."""
    return workdays.add_working_days(start, n)


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    """A working-hours moment of a day, in the project's time zone."""
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _next_pk(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _case(
    rows: _Rows,
    base: _Base,
    unit: Unit,
    day: dt.date,
    *,
    raiser: int,
    registrar: int | None,
    source: str,
    title: str,
    text: str,
    handler: tuple[int, int] | None = None,
    **links: int | None,
) -> int:
    """Add a case raised on `day` and its timeline up to yesterday; returns its id."""
    rng, today = rows.rng, rows.today
    yesterday = today - dt.timedelta(days=1)
    pk = rows.next_case
    rows.next_case += 1
    raised_at = _at(rng, day)
    events: list[tuple[str, int | None, str, dt.datetime]] = [
        (EventKind.RAISED, registrar or raiser, "", raised_at)
    ]
    row = {
        "id": pk,
        "source": source,
        "reception_id": links.get("reception_id"),
        "inspection_id": links.get("inspection_id"),
        "consultation_desk_id": links.get("consultation_desk_id"),
        "motion_id": links.get("motion_id"),
        "unit_id": unit.pk,
        "title": title,
        "text": text,
        "raiser_id": raiser,
        "is_anonymous": False,
        "receipt_hash": None,
        "status": CaseStatus.REGISTERED,
        "return_reason": "",
        "handling_unit_id": None,
        "handler_id": None,
        "due_date": None,
        "priority": rng.choices(Priority.values, weights=(10, 70, 15, 5))[0],
        "assigned_at": None,
        "replied_at": None,
        "reply_working_days": None,
        "closed_at": None,
        "satisfaction": "",
        "reopened": False,
        "merged_into_id": None,
        "escalated_to": "",
        "escalation_decision": "",
        "revision": 1,
        "created_at": raised_at,
        "updated_at": raised_at,
    }
    accept_day = _add_working_days(day, rng.choice((0, 1, 1, 2)))
    if accept_day > yesterday:
        return _finish(rows, row, events)
    accepted_at = max(raised_at, _at(rng, accept_day))
    if rng.random() < 0.03:
        reason = "不属于本单位职责范围，已告知反映人向有关部门咨询。"
        row.update(status=CaseStatus.RETURNED, return_reason=reason, closed_at=accepted_at)
        events.append((EventKind.RETURNED, base.registrar, reason, accepted_at))
        return _finish(rows, row, events)
    person, handling_unit = handler or rng.choice(base.handlers)
    due = _add_working_days(accept_day, settings.GONGKAI_CASE_REPLY_WORKING_DAYS)
    row.update(
        status=CaseStatus.ASSIGNED,
        handler_id=person,
        handling_unit_id=handling_unit,
        due_date=due,
        assigned_at=accepted_at,
    )
    events.append((EventKind.ACCEPTED, base.registrar, "", accepted_at))
    events.append((EventKind.ASSIGNED, base.registrar, f"交办，{due.isoformat()}前答复。", accepted_at))
    start_day = _add_working_days(accept_day, rng.randint(1, 3))
    if start_day > yesterday:
        return _finish(rows, row, events)
    row["status"] = CaseStatus.IN_PROGRESS
    events.append((EventKind.STARTED, person, "", _at(rng, start_day)))
    late = rng.random() < 0.08
    reply_in = rng.randint(31, 45) if late else int(rng.triangular(2, 30, 12))
    reply_day = _add_working_days(accept_day, reply_in)
    if reply_day > yesterday:
        return _finish(rows, row, events)
    replied_at = _at(rng, reply_day)
    row.update(
        status=CaseStatus.REPLIED,
        replied_at=replied_at,
        reply_working_days=workdays.working_days_taken(accepted_at, replied_at),
    )
    events.append((EventKind.REPLIED, person, REPLY.format(rng.choice(FIXES)), replied_at))
    rate_day = reply_day + dt.timedelta(days=rng.randint(1, 7))
    if rate_day > yesterday or rng.random() < 0.12:
        return _finish(rows, row, events)
    satisfaction = rng.choices(Satisfaction.values, weights=(80, 15, 5))[0]
    rated_at = _at(rng, rate_day)
    row["satisfaction"] = satisfaction
    events.append((EventKind.RATED, raiser, "", rated_at))
    if satisfaction == Satisfaction.DISSATISFIED:
        row.update(status=CaseStatus.IN_PROGRESS, reopened=True)
        row["due_date"] = _add_working_days(rate_day, settings.GONGKAI_CASE_REPLY_WORKING_DAYS)
        events.append((EventKind.REOPENED, None, "反映人对答复不满意，案件重新办理。", rated_at))
        return _finish(rows, row, events)
    row["status"] = CaseStatus.RATED
    visit_day = rate_day + dt.timedelta(days=rng.randint(3, 20))
    if visit_day > yesterday:
        return _finish(rows, row, events)
    visited_at = _at(rng, visit_day)
    events.append((EventKind.FOLLOWED_UP, base.registrar, "回访反映人，对落实情况表示认可。", visited_at))
    row.update(status=CaseStatus.CLOSED, closed_at=visited_at)
    events.append((EventKind.CLOSED, base.registrar, "", visited_at))
    return _finish(rows, row, events)


def _finish(rows: _Rows, row: dict, events: list[tuple[str, int | None, str, dt.datetime]]) -> int:
    row["updated_at"] = events[-1][3]
    row["revision"] = len(events)
    rows.cases.append(row)
    rows.statuses[row["status"]] += 1
    for kind, actor, text, at in events:
        rows.events.append(
            {
                "id": rows.next_event,
                "case_id": row["id"],
                "kind": kind,
                "actor_id": actor,
                "text": text,
                "public": True,
                "at": at,
            }
        )
        rows.next_event += 1
    return row["id"]


def _issue(rng: random.Random) -> tuple[str, str]:
    return rng.choice(ISSUES)


def _receptions(rows: _Rows, bases: list[_Base], factor: float, month: dt.date) -> dict:
    """Reception days on the 25th of each of the 12 months ending with the current one; the promotion month
    carries the seed's figures (scaled)."""
    rng, today = rows.rng, rows.today
    sessions_m, people_m, issues_m = (max(1, round(n * factor)) for n in RECEPTION_MONTH)
    pk = _next_pk(ReceptionDay)
    days: list[dict] = []
    leaders: list[dict] = []
    month_units: list[tuple[_Base, Unit]] = [(b, b.unit) for b in bases]
    subs = [(b, s) for b in bases for s in b.subs]
    rng.shuffle(subs)
    month_units += subs[: max(0, sessions_m - len(month_units))]
    month_units = month_units[:sessions_m]
    people_split = _allocate(people_m, len(month_units), rng, minimum=2)
    issues_split = [
        min(p, i) for p, i in zip(people_split, _allocate(issues_m, len(month_units), rng), strict=True)
    ]
    for _i in range(min(issues_m, people_m) - sum(issues_split)):  # put back what the people cap took
        j = next(k for k in range(len(month_units)) if issues_split[k] < people_split[k])
        issues_split[j] += 1
    in_month = {"sessions": 0, "people": 0, "issues": 0}
    sessions = 0
    for offset in range(-11, 1):
        first = _month_start(today, offset)
        day = first.replace(day=min(25, calendar.monthrange(first.year, first.month)[1]))
        if first == month:
            plan = [
                (b, u, p, n) for (b, u), p, n in zip(month_units, people_split, issues_split, strict=True)
            ]
        else:
            plan = []
            for b in bases:
                received = rng.randint(3, 14) if day < today else 0
                plan.append((b, b.unit, received, min(received, round(received * rng.uniform(0.3, 0.6)))))
        for base, unit, received, issues in plan:
            days.append(
                {
                    "id": pk,
                    "unit_id": unit.pk,
                    "date": day,
                    "place": f"{base.unit.name}职工之家接待室",
                    "people_received": received,
                    "created_at": _at(rng, first),
                    "updated_at": _at(rng, first),
                }
            )
            leaders.append({"receptionday_id": pk, "person_id": base.registrar})
            for _i in range(issues):
                title, text = _issue(rng)
                raiser = rng.choice(base.people)
                _case(
                    rows,
                    base,
                    unit,
                    day,
                    raiser=raiser,
                    registrar=base.registrar,
                    source=SourceKind.RECEPTION,
                    title=title,
                    text=text,
                    reception_id=pk,
                )
            if first == month:
                in_month["sessions"] += 1
                in_month["people"] += received
                in_month["issues"] += issues
            pk += 1
            sessions += 1
    _insert_rows(ReceptionDay, days)
    _insert_rows(ReceptionDay.leaders.through, leaders)
    return {"sessions": sessions, "month": in_month}


def _inspections(rows: _Rows, bases: list[_Base], factor: float, month: dt.date) -> dict:
    """The promotion month's representatives' inspections, with their findings as cases."""
    rng, today = rows.rng, rows.today
    visits, reps_total, issues_total = (max(1, round(n * factor)) for n in INSPECTION_MONTH)
    organisers = [bases[i % len(bases)] for i in range(visits)]
    reps_split = _allocate(reps_total, visits, rng, minimum=3)
    issues_split = _allocate(issues_total, visits, rng)
    last = calendar.monthrange(month.year, month.month)[1]
    pk = _next_pk(Inspection)
    inspections: list[dict] = []
    reps_rows: list[dict] = []
    targets: list[dict] = []
    in_month = {"visits": 0, "representatives": 0, "issues": 0}
    for base, n_reps, n_issues in zip(organisers, reps_split, issues_split, strict=True):
        start = month + dt.timedelta(days=rng.randint(0, last - 3))
        end = start + dt.timedelta(days=rng.randint(0, 2))
        pool = base.reps if len(base.reps) >= n_reps else base.reps + base.people
        reps = rng.sample(sorted(set(pool)), min(n_reps, len(set(pool))))
        visited = rng.sample(base.subs, min(len(base.subs), rng.randint(1, 3))) if base.subs else [base.unit]
        inspections.append(
            {
                "id": pk,
                "unit_id": base.unit.pk,
                "title": f"{base.unit.name}职工代表视察调研（{start.month}月）",
                "start_date": start,
                "end_date": end,
                "checklist": {key: {"done": True, "note": ""} for key in CHECKLIST_KEYS},
                "report": f"代表们查看了{'、'.join(u.name for u in visited)}的公开栏和台账，听取职工意见，"
                f"共发现问题{n_issues}个，已交有关部门办理。",
                "created_at": _at(rng, start - dt.timedelta(days=7)),
                "updated_at": _at(rng, end),
            }
        )
        reps_rows += [{"inspection_id": pk, "person_id": p} for p in reps]
        targets += [{"inspection_id": pk, "unit_id": u.pk} for u in visited]
        for _i in range(n_issues):
            title, text = _issue(rng)
            _case(
                rows,
                base,
                rng.choice(visited),
                min(end, today - dt.timedelta(days=1)),
                raiser=rng.choice(reps),
                registrar=None,
                source=SourceKind.INSPECTION,
                title=title,
                text=text,
                inspection_id=pk,
            )
        in_month["visits"] += 1
        in_month["representatives"] += len(reps)
        in_month["issues"] += n_issues
        pk += 1
    _insert_rows(Inspection, inspections)
    _insert_rows(Inspection.representatives.through, reps_rows)
    _insert_rows(Inspection.target_units.through, targets)
    return {"visits": len(inspections), "month": in_month}


def _consultations(rows: _Rows, bases: list[_Base]) -> list[tuple[int, str, int, list[int]]]:
    """Desks at the mines, plants and companies; their questions over the year as cases.

    Returns (desk id, topic, staff person, replied case ids) for the FAQ."""
    rng, today = rows.rng, rows.today
    pk = _next_pk(ConsultationDesk)
    desks: list[dict] = []
    staff: list[dict] = []
    found: list[tuple[int, str, int, list[int]]] = []
    for base in bases:
        if base.unit.kind not in DESK_KINDS:
            continue
        for topic in DESK_TOPICS:
            person, unit = base.handlers[0]
            desks.append(
                {
                    "id": pk,
                    "unit_id": base.unit.pk,
                    "topic": topic,
                    "active": True,
                    "created_at": _at(rng, _month_start(today, -12)),
                    "updated_at": _at(rng, _month_start(today, -12)),
                }
            )
            staff.append({"consultationdesk_id": pk, "person_id": person})
            cases = []
            title, text = QUESTIONS[topic]
            for _i in range(rng.randint(2, 6)):
                day = today - dt.timedelta(days=rng.randint(1, 360))
                cases.append(
                    _case(
                        rows,
                        base,
                        base.unit,
                        day,
                        raiser=rng.choice(base.people),
                        registrar=None,
                        source=SourceKind.CONSULTATION,
                        title=title,
                        text=text,
                        handler=(person, unit),
                        consultation_desk_id=pk,
                    )
                )
            found.append((pk, topic, person, cases))
            pk += 1
    _insert_rows(ConsultationDesk, desks)
    _insert_rows(ConsultationDesk.staff.through, staff)
    return found


def _faq(rows: _Rows, desks: list[tuple[int, str, int, list[int]]]) -> int:
    """The first replied question of each desk, rewritten so that it names nobody, in the desk's FAQ."""
    replied = {r["id"]: r for r in rows.cases if r["replied_at"] is not None}
    entries = []
    for desk, topic, person, cases in desks:
        case = next((c for c in cases if c in replied), None)
        if case is None:
            continue
        entries.append(
            FaqEntry(
                desk_id=desk,
                case_id=case,
                question=QUESTIONS[topic][1],
                answer=ANSWERS[topic],
                published_by_id=person,
            )
        )
    FaqEntry.objects.bulk_create(entries)
    return len(entries)


def _motions(rows: _Rows, bases: list[_Base]) -> int:
    """Motions of each base unit's congress (held about four months ago): co-signed, then accepted (a case),
    returned with a reason, or — the latest — awaiting the committee."""
    rng, today = rows.rng, rows.today
    congress = today - dt.timedelta(days=120)
    pk = _next_pk(Motion)
    motions: list[dict] = []
    signatures: list[dict] = []
    for base in bases:
        if len(base.reps) < 4:
            continue
        for k in range(rng.randint(2, 5)):
            proposer = base.reps[rng.randrange(len(base.reps))]
            drafted = congress - dt.timedelta(days=rng.randint(15, 40))
            deadline = congress - dt.timedelta(days=7)
            title = MOTION_TITLES[(k + base.unit.pk) % len(MOTION_TITLES)]
            roll = rng.random()
            decision = (
                MotionDecision.ACCEPTED
                if roll < 0.7
                else MotionDecision.RETURNED
                if roll < 0.85
                else MotionDecision.PENDING
            )
            decided = (
                _at(rng, deadline + dt.timedelta(days=3)) if decision != MotionDecision.PENDING else None
            )
            motions.append(
                {
                    "id": pk,
                    "unit_id": base.unit.pk,
                    "proposer_id": proposer,
                    "title": title,
                    "text": f"{title.removeprefix('关于').removesuffix('的提案')}，建议职代会审议。",
                    "signing_deadline": deadline,
                    "decision": decision,
                    "decision_reason": "属于个人诉求，不宜作为提案，转为一般意见办理。"
                    if decision == MotionDecision.RETURNED
                    else "",
                    "decided_at": decided,
                    "created_at": _at(rng, drafted),
                    "updated_at": decided or _at(rng, drafted),
                }
            )
            others = [p for p in base.reps if p != proposer]
            for person in rng.sample(others, min(len(others), rng.randint(2, 6))):
                signatures.append(
                    {"motion_id": pk, "person_id": person, "at": _at(rng, drafted + dt.timedelta(days=2))}
                )
            if decision == MotionDecision.ACCEPTED and decided is not None:
                _case(
                    rows,
                    base,
                    base.unit,
                    timezone.localdate(decided),
                    raiser=proposer,
                    registrar=None,
                    source=SourceKind.MOTION,
                    title=title,
                    text=motions[-1]["text"],
                    motion_id=pk,
                )
            pk += 1
    _insert_rows(Motion, motions)
    _insert_rows(MotionSignature, signatures)
    return len(motions)
