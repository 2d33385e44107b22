"""Demo data of the suggestions capability, loaded by `gongkai seed-demo` after the organisation.

Over the 24 months ending with the current month (deterministic for a seed and a date):

- an expert panel (评审委员会; 技术委员会 at the mines) of 3–5 engineers and technicians at every base unit;
- campaign drives: the group's suggestion month (the month before the current one, as the seed document's drive
  month), in it the first mine's drive on safety, going-out business, management and disclosure and the first
  plant's drive under the slogan 提合理化建议，创效益新高; and a drive running now at the first mine;
- in the drive month, as in the seed document at `group` scale, 3,221 suggestions by 7,409 people (lead authors
  and confirmed co-authors), 347 of them at the first mine and 142 at the first plant; fewer in the other months;
  the year before, fewer still, so that suggestions implemented more than 12 months ago have a measured benefit;
- every suggestion through its lifecycle with realistic timing: co-authors invited and confirmed, submitted,
  screened (some not accepted, with a reason), scored by two to four panel members, concluded (adopted / shelved /
  rejected, with a reason) before the deadline — a few late, some still overdue —, implemented by an owner with
  a plan, the benefit measured 12 months after implementation (net saving after cost, with the calculation), the
  award granted from the bands and paid, then archived;
- deliberate near-duplicates: later suggestions rewording an earlier one of the same unit; some of them marked as
  the same idea as the earlier one (rejected with a reason naming it; the original's authors told).

Other scales are scaled by the number of people (21,000 at `group`). Rows go in with multi-row INSERTs (the
timeline too: it is append-only, written once); the audit ledger gets one entry that summarises the load. When the
similarity index module is present, the index is built at the end so that near-duplicates show at once.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongkai.core import ledger
from gongkai.core.choices import Role
from gongkai.core.text import to_simplified
from gongkai.disclosures.demo import _insert_rows
from gongkai.org.choices import UnitKind
from gongkai.org.models import Person, RoleAssignment, Unit

from .choices import Category, Consent, Decision, EventKind, Status
from .dates import add_months
from .models import AwardBand, Coauthor, Drive, Review, ReviewPanel, Suggestion, SuggestionEvent

SEED_PEOPLE = 21_000  # the people of the `group` scale
DRIVE_MONTH = (3_221, 7_409)  # suggestions, distinct participants (the seed document)
FIRST_MINE = 347
FIRST_PLANT = 142
OTHER_MONTH = 190  # suggestions in an ordinary month of the last year (group scale)
YEAR_BEFORE_MONTH = 110  # in a month of the year before
MINE_CATEGORIES = [Category.SAFETY, Category.MANAGEMENT, Category.GOING_OUT, Category.DISCLOSURE]
PLANT_CATEGORIES = [Category.TECHNICAL, Category.EFFICIENCY, Category.MANAGEMENT]
PAST_DRIVE_OFFSET = -19  # the first plant's earlier drive: long enough ago for measured benefits and awards
PAST_DRIVE = 60  # its suggestions (group scale)
SLOGAN = "提合理化建议，创效益新高"
ENGINEER_POSTS = ("工程师", "技术", "总工", "主任", "调度")

# per category: (object, problem, measure, effect)
TOPICS: dict[str, list[tuple[str, str, str, str]]] = {
    Category.SAFETY: [
        (
            "采掘工作面瓦斯监测",
            "传感器布置间距大，局部积聚不能及时发现",
            "在上隅角和回风巷加密布置瓦斯传感器并联网报警",
            "隐患早发现、早处理",
        ),
        (
            "顶板支护",
            "锚杆间排距执行不严，冒顶隐患多",
            "推行锚杆拉拔力抽检和支护质量挂牌管理",
            "减少冒顶事故",
        ),
        ("皮带机巷道防火", "巷道积尘多，托辊卡死发热", "增设托辊温度监测和自动喷雾降尘装置", "消除火灾隐患"),
        (
            "井下人员定位",
            "定位卡漏带、基站盲区多",
            "补设基站并在井口设置定位卡自动检测门",
            "确保人员位置实时掌握",
        ),
        ("斜巷运输", "跑车防护装置动作不可靠", "更换常闭式跑车防护装置并定期试验", "杜绝跑车事故"),
        (
            "井下防尘",
            "综采工作面粉尘浓度超标",
            "采用高压喷雾和煤层注水相结合的降尘方法",
            "降低职工尘肺病风险",
        ),
        ("机电设备检修", "停送电制度执行不到位", "推行检修挂牌上锁和停送电确认卡", "防止误送电伤人"),
    ],
    Category.MANAGEMENT: [
        ("材料领用", "材料领用无定额，浪费较大", "实行区队材料定额承包和节奖超罚", "降低材料消耗"),
        ("设备备件库存", "备件积压严重，资金占用多", "建立备件共享库和ABC分类管理", "减少库存资金占用"),
        ("班组核算", "班组成本核算粗放，职工不了解", "推行班组日核算、月公布", "增强职工成本意识"),
        ("设备租赁管理", "闲置设备多，各单位重复采购", "建立内部设备租赁平台统一调剂", "提高设备利用率"),
        ("劳动组织", "辅助岗位人员偏多", "合并相近辅助岗位，推行一岗多能", "提高劳动效率"),
        (
            "废旧物资回收",
            "废旧物资回收不及时，流失严重",
            "设立废旧物资回收站并实行回收奖励",
            "变废为宝增加收入",
        ),
    ],
    Category.TECHNICAL: [
        ("液压支架移架", "移架速度慢，影响工作面推进", "加装快速移架阀组并优化操作顺序", "提高推进速度"),
        ("刮板输送机链条", "链条磨损快，断链事故多", "采用高强度耐磨链条并增设张紧监测", "减少断链停机"),
        ("主排水泵", "水泵效率低、启动靠人工", "实施主排水泵自动化控制改造", "实现无人值守"),
        ("采煤机截齿", "截齿消耗量大，更换频繁", "改进截齿材质和布置方式", "降低截齿消耗"),
        ("提升机制动系统", "制动闸瓦磨损不均", "增设闸瓦间隙在线监测装置", "提高提升安全性"),
        ("井下供电", "电缆老化，故障查找困难", "应用电缆故障在线定位装置", "缩短停电时间"),
        ("掘进机除尘", "掘进工作面粉尘大、能见度低", "加装湿式除尘风机", "改善作业环境"),
    ],
    Category.GOING_OUT: [
        (
            "外部市场技术服务",
            "技术人员富余，外部市场开拓不够",
            "组建综采安装技术服务队承揽外部工程",
            "增加外部收入",
        ),
        ("劳务输出", "富余人员安置压力大", "与周边矿井签订劳务合作协议", "安置富余人员、增加收入"),
        ("矿井托管运营", "管理经验未形成品牌", "总结安全管理经验，承接小煤矿托管运营", "打造管理输出品牌"),
        ("设备维修外揽", "机修厂产能闲置", "对外承揽液压支架和电机维修业务", "提高设备利用率"),
        ("培训输出", "培训中心资源利用率低", "面向地方企业开展特种作业培训", "创造培训收入"),
    ],
    Category.DISCLOSURE: [
        (
            "区队公开栏",
            "公开内容更新不及时，职工关注度低",
            "固定每月5日更新并增加奖金分配明细",
            "提高公开实效",
        ),
        ("班务公开", "班组考核结果不公开，职工有意见", "每日班后会公开工分和考核结果", "增强透明度"),
        (
            "公开网栏目",
            "网上公开栏目分散，查找困难",
            "按职工关心的事项重新设置栏目并增加检索",
            "方便职工查阅",
        ),
        (
            "职工代表巡视",
            "巡视发现的问题整改情况不反馈",
            "巡视问题建台账、限期整改并公开销号",
            "形成监督闭环",
        ),
        ("合理化建议反馈", "建议提交后长时间得不到答复", "建立建议答复时限和公示制度", "调动职工积极性"),
    ],
    Category.EFFICIENCY: [
        ("空压机", "空压机长期空载运行，耗电多", "加装变频器并实行集中控制", "节约电费"),
        ("井下照明", "井下照明能耗高、灯具寿命短", "更换为LED矿用照明灯具", "降低照明能耗"),
        ("供暖锅炉", "锅炉热效率低、煤耗高", "回收矿井回风余热用于井口防冻和供暖", "减少燃煤消耗"),
        ("运输车辆", "辅助运输车辆油耗高", "推行车辆油耗定额和驾驶员节油竞赛", "降低油耗"),
        ("井下排水", "排水泵在用电高峰时段运行", "调整排水时间避峰填谷", "节约电费"),
        ("通风机", "主通风机风量富余大", "根据需风量调整叶片角度并实施变频改造", "节约电能"),
    ],
    Category.OTHER: [
        ("职工食堂", "夜班职工就餐不方便", "设立井口夜班餐点并提供热饭", "改善职工生活"),
        ("通勤班车", "通勤车发车时间与交接班不衔接", "按交接班时间调整发车时刻", "方便职工通勤"),
        ("职工书屋", "书屋开放时间短，借阅人数少", "延长开放时间并开设电子阅读", "丰富职工文化生活"),
        ("单身宿舍", "宿舍管理松散，卫生较差", "推行宿舍自主管理和星级评比", "改善住宿环境"),
    ],
}
ACTS = ("改进", "优化", "改造", "完善", "创新")
OPENERS = ("目前", "当前", "现阶段", "经调查，")
CLOSERS = ("预计可{}。", "实施后可{}。", "这样可以{}。")
DUP_SWAPS = (("建议", "提议"), ("目前", "现在"), ("并", "同时"), ("提高", "提升"), ("降低", "减少"))
NOT_ACCEPTED_REASONS = (
    "属于正常工作职责范围内的事项，不作为合理化建议受理，已转有关部门办理。",
    "建议内容过于笼统，缺少具体措施，请补充完善后重新提交。",
    "属于个人诉求，已转民主接待渠道办理。",
)
SHELVE_REASONS = (
    "建议有价值，但需与明年设备更新计划统筹考虑，暂缓实施。",
    "目前资金安排不足，列入下一年度计划。",
)
REJECT_REASONS = (
    "经专家评审，该方案技术上不成熟，存在安全风险，不予采纳。",
    "投入大于预期收益，经济上不合理，不予采纳。",
    "现行规程已有明确规定，按规程执行即可，不予采纳。",
)
ADOPT_REASONS = (
    "经专家评审，方案可行、效益明显，予以采纳，请机电科组织实施。",
    "方案切实可行，予以采纳，由生产技术科负责落实。",
    "予以采纳，列入本月技术改造计划。",
)
REVIEW_OPINIONS = (
    "方案可行，建议采纳。",
    "有一定效益，需完善实施细节。",
    "技术上有难度，建议暂缓。",
    "与现有规程冲突。",
)


@dataclass
class _Base:
    unit: Unit
    people: list[tuple[int, int]]  # (person, their unit)
    manager: int  # union (or leading group) of the base unit: screens and concludes
    panel: int = 0  # the panel's id
    panel_members: list[int] = field(default_factory=list)
    engineers: list[int] = field(default_factory=list)


@dataclass
class _Rows:
    today: dt.date
    rng: random.Random
    names: dict[int, str]
    bands: list[AwardBand]
    next_suggestion: int
    next_event: int
    suggestions: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    coauthors: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    by_base: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    duplicates: int = 0
    marked_duplicates: int = 0
    past_due: int = 0  # suggestions seen whose first answer was due weeks ago


def load_demo(scale: str, seed: int) -> dict:
    """The loader registered with `gongkai.core.demo` (called by `gongkai seed-demo`)."""
    return load(scale, seed)


def load(scale: str, seed: int, today: dt.date | None = None, *, build_index: bool = True) -> dict:
    today = today or timezone.localdate()
    counts = _load(scale, seed, today)
    if counts and build_index:
        counts.update(_build_index())
    return counts


@transaction.atomic
def _load(scale: str, seed: int, today: dt.date) -> dict:
    rng = random.Random(f"gongkai-suggestions-{seed}")  # noqa: S311 - demo data, not secrets
    bases, names = _bases(rng)
    if not bases:
        return {}
    people = sum(len(b.people) for b in bases)
    factor = people / SEED_PEOPLE
    rows = _Rows(
        today=today,
        rng=rng,
        names=names,
        bands=list(AwardBand.objects.order_by("-min_saving")),
        next_suggestion=_next_pk(Suggestion),
        next_event=_next_pk(SuggestionEvent),
    )
    _panels(bases, today)
    drives = _drives(bases, today)
    month = _month_start(today, -1)
    in_month = _drive_month(rows, bases, factor, month, drives)
    for offset in range(-23, 1):
        first = _month_start(today, offset)
        if first == month:
            continue
        per_month = OTHER_MONTH if offset > -12 else YEAR_BEFORE_MONTH
        _ordinary_month(rows, bases, factor, first, per_month, drives)
    _near_duplicates(rows, bases)
    _search_keys(rows.suggestions)
    _insert_rows(Suggestion, rows.suggestions)
    _insert_rows(Coauthor, rows.coauthors)
    _insert_rows(Review, rows.reviews)
    _insert_rows(SuggestionEvent, rows.events)
    counts = {
        "suggestion_drives": len(drives),
        "expert_panels": len(bases),
        "suggestions": len(rows.suggestions),
        "suggestion_events": len(rows.events),
        "suggestion_reviews": len(rows.reviews),
    }
    ledger.record(
        "suggestions.seed_demo",
        actor=None,
        object_type="suggestions.demo",
        change={
            "scale": scale,
            "seed": seed,
            "today": today.isoformat(),
            "drive_month": month.strftime("%Y-%m"),
            "counts": counts,
            "drive_month_figures": in_month,
            "statuses": dict(sorted(rows.statuses.items())),
            "near_duplicates": rows.duplicates,
            "marked_duplicates": rows.marked_duplicates,
        },
    )
    return counts


def _build_index() -> dict:
    """Build the similarity index (S3's module) when it is there; returns its size and the seconds it took."""
    try:
        from . import similarity
    except ImportError:  # pragma: no cover - the module ships with the app
        return {}
    builder = getattr(similarity, "build_index", None)
    if builder is None:  # pragma: no cover
        return {}
    started = time.perf_counter()
    builder()
    return {"similarity_index_ms": round(1000 * (time.perf_counter() - started))}


# ------------------------------------------------------------------------------------------------- helpers


def _next_pk(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _month_start(today: dt.date, offset: int) -> dt.date:
    month = today.year * 12 + today.month - 1 + offset
    return dt.date(month // 12, month % 12 + 1, 1)


def _month_end(first: dt.date) -> dt.date:
    return _month_start(first, 1) - dt.timedelta(days=1)


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder)."""
    if not weights or total <= 0:
        return [0] * len(weights)
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _bases(rng: random.Random) -> tuple[list[_Base], dict[int, str]]:
    """The base units (children of the root) with their people and the union (or leading group) member who
    screens; also every active person's name (for the co-author events)."""
    step = Unit.steplen
    units = list(
        Unit.objects.filter(depth=2).only("pk", "code", "name", "kind", "path", "depth").order_by("path")
    )
    people: dict[str, list[tuple[int, int]]] = defaultdict(list)
    engineers: dict[str, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    for pk, name, unit_id, path, posts in (
        Person.objects.filter(is_active=True, unit__depth__gte=2)
        .values_list("pk", "name", "unit_id", "unit__path", "posts")
        .order_by("employee_no")
    ):
        key = path[: 2 * step]
        people[key].append((pk, unit_id))
        names[pk] = name
        if any(word in (posts or "") for word in ENGINEER_POSTS):
            engineers[key].append(pk)
    managers: dict[str, list[int]] = defaultdict(list)
    for _role, path, pk in (
        RoleAssignment.objects.filter(
            role__in=[Role.UNION, Role.LEADING_GROUP], person__is_active=True, unit__depth=2
        )
        .values_list("role", "unit__path", "person_id")
        .order_by("-role", "person__employee_no")  # union first
    ):
        managers[path].append(pk)
    found = []
    for u in units:
        if len(people[u.path]) < 6 or not managers[u.path]:
            continue
        found.append(
            _Base(
                unit=u,
                people=people[u.path],
                manager=managers[u.path][0],
                engineers=engineers[u.path] or [p for p, _u in people[u.path][:20]],
            )
        )
    return found, names


def _panels(bases: list[_Base], today: dt.date) -> None:
    """An expert panel at every base unit: 3–5 of its engineers and technicians (the manager not among them)."""
    pk = _next_pk(ReviewPanel)
    panels: list[dict] = []
    members: list[dict] = []
    created = timezone.make_aware(dt.datetime.combine(_month_start(today, -24), dt.time(9)))
    for i, base in enumerate(bases):
        pool = [p for p in base.engineers if p != base.manager]
        if len(pool) < 3:
            pool = [p for p, _u in base.people if p != base.manager]
        chosen = pool[: 3 + i % 3]
        base.panel, base.panel_members = pk, chosen
        suffix = "技术委员会" if base.unit.kind == UnitKind.MINE else "合理化建议评审小组"
        panels.append(
            {
                "id": pk,
                "unit_id": base.unit.pk,
                "name": f"{base.unit.name}{suffix}",
                "created_at": created,
                "updated_at": created,
            }
        )
        members += [{"reviewpanel_id": pk, "person_id": p} for p in chosen]
        pk += 1
    _insert_rows(ReviewPanel, panels)
    _insert_rows(ReviewPanel.members.through, members)


def _drives(bases: list[_Base], today: dt.date) -> dict[str, int]:
    """The drives: the group's drive month, the first mine's and the first plant's drives in it, and one running
    now at the first mine. Returns their ids by role."""
    month = _month_start(today, -1)
    root = Unit.objects.filter(depth=1).order_by("path").first()
    mine = next((b for b in bases if b.unit.kind == UnitKind.MINE), bases[0])
    plant = next((b for b in bases if b.unit.kind == UnitKind.PLANT), None)
    pk = _next_pk(Drive)
    created = _at(random.Random(0), month - dt.timedelta(days=10))  # noqa: S311
    found: dict[str, int] = {}
    rows: list[dict] = []

    def add(role: str, unit: Unit, title: str, start: dt.date, end: dt.date, categories, target, text, by):
        nonlocal pk
        rows.append(
            {
                "id": pk,
                "unit_id": unit.pk,
                "title": title,
                "description": text,
                "starts_on": start,
                "ends_on": end,
                "categories": [str(c) for c in categories],
                "target": target,
                "created_by_id": by,
                "created_at": created,
                "updated_at": created,
            }
        )
        found[role] = pk
        pk += 1

    end = _month_end(month)
    if root is not None:
        add(
            "group",
            root,
            "合理化建议活动月",
            month,
            end,
            Category.values,
            None,
            "全集团开展“推进公开，广泛参与”合理化建议活动月，鼓励职工围绕安全生产、经营管理、技术改造、"
            "走出去创业和深化企务公开积极建言献策。",
            mine.manager,
        )
    add(
        "mine",
        mine.unit,
        f"{mine.unit.name}安全生产与经营管理合理化建议月",
        month,
        end,
        MINE_CATEGORIES,
        300,
        "围绕安全生产、走出去创业、经营管理和深化企务公开征集合理化建议。",
        mine.manager,
    )
    if plant is not None:
        earlier = _month_start(today, PAST_DRIVE_OFFSET)
        add(
            "plant_past",
            plant.unit,
            f"{earlier.year}年“{SLOGAN}”活动",
            earlier,
            _month_end(earlier),
            PLANT_CATEGORIES,
            50,
            "上一届活动：围绕技术改造、节能降耗和经营管理征集建议，实施后满12个月测算效益并兑现奖励。",
            plant.manager,
        )
        add(
            "plant",
            plant.unit,
            SLOGAN,
            month,
            end,
            [Category.TECHNICAL, Category.EFFICIENCY, Category.MANAGEMENT],
            120,
            "全厂职工围绕技术改造、节能降耗和经营管理提合理化建议，创效益新高。",
            plant.manager,
        )
    start = _month_start(today, 0)
    add(
        "running",
        mine.unit,
        "节能降耗、提质增效金点子征集",
        start,
        _month_end(_month_start(today, 1)),
        [Category.EFFICIENCY, Category.TECHNICAL],
        100,
        "征集节能降耗、提质增效的金点子，优秀建议给予重奖。",
        mine.manager,
    )
    _insert_rows(Drive, rows)
    return found


# ------------------------------------------------------------------------------------------------ volumes


def _drive_month(
    rows: _Rows, bases: list[_Base], factor: float, month: dt.date, drives: dict[str, int]
) -> dict:
    """The drive month: the seed's 3,221 suggestions by 7,409 people (scaled), the first mine's 347 and the first
    plant's 142 in their own drives."""
    total, people = (max(3, round(n * factor)) for n in DRIVE_MONTH)
    mine = next((b for b in bases if b.unit.kind == UnitKind.MINE), bases[0])
    plant = next((b for b in bases if b.unit.kind == UnitKind.PLANT and b is not mine), None)
    fixed: dict[int, int] = {id(mine): max(1, round(FIRST_MINE * factor))}
    if plant is not None:
        fixed[id(plant)] = max(1, round(FIRST_PLANT * factor))
    others = [b for b in bases if id(b) not in fixed]
    rest = _allocate(max(0, total - sum(fixed.values())), [len(b.people) for b in others])
    plan = [(b, fixed[id(b)]) for b in bases if id(b) in fixed] + list(zip(others, rest, strict=True))
    # co-authors: as many as it takes for the seed's participants, each person taking part once where possible
    extra = _allocate(max(0, people - total), [n for _b, n in plan])
    last = min(_month_end(month), rows.today - dt.timedelta(days=1))
    days = (last - month).days + 1
    participants: set[int] = set()
    filed = 0
    for (base, n), co_total in zip(plan, extra, strict=True):
        if n <= 0:
            continue
        pool = list(base.people)
        rows.rng.shuffle(pool)
        cursor = 0
        co_split = _allocate(co_total, [rows.rng.uniform(0.2, 1.8) for _i in range(n)])
        if base is mine:
            drive, categories = drives.get("mine"), MINE_CATEGORIES
        elif base is plant:
            drive, categories = (
                drives.get("plant"),
                [Category.TECHNICAL, Category.EFFICIENCY, Category.MANAGEMENT],
            )
        else:
            drive, categories = drives.get("group"), None
        for k in range(n):
            size = 1 + min(co_split[k], 6)
            if cursor + size > len(pool):
                rows.rng.shuffle(pool)
                cursor = 0
            group = pool[cursor : cursor + size]
            cursor += size
            day = month + dt.timedelta(days=rows.rng.randrange(days))
            category = rows.rng.choice(categories) if categories else _category(rows.rng)
            _suggestion(rows, base, day, group, category, drive)
            participants.update(p for p, _u in group)
            filed += 1
    return {"suggestions": filed, "participants": len(participants)}


def _category(rng: random.Random) -> str:
    return rng.choices(Category.values, weights=(22, 18, 24, 6, 8, 16, 6))[0]


def _ordinary_month(
    rows: _Rows, bases: list[_Base], factor: float, first: dt.date, per_month: int, drives: dict[str, int]
) -> None:
    rng, today = rows.rng, rows.today
    last = min(_month_end(first), today - dt.timedelta(days=1))
    if last < first:
        return
    total = round(per_month * factor * rng.uniform(0.7, 1.3) * ((last - first).days + 1) / 30)
    if total <= 0:
        return
    running = drives.get("running")
    mine = next((b for b in bases if b.unit.kind == UnitKind.MINE), bases[0])
    for base, n in zip(bases, _allocate(total, [len(b.people) for b in bases]), strict=True):
        for _i in range(n):
            size = 1 + rng.choices((0, 1, 2, 3), weights=(40, 30, 20, 10))[0]
            group = rng.sample(base.people, min(size, len(base.people)))
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            category = _category(rng)
            drive = (
                running
                if base is mine
                and running
                and first == _month_start(today, 0)
                and category in (Category.EFFICIENCY, Category.TECHNICAL)
                else None
            )
            _suggestion(rows, base, day, group, category, drive)
    past = drives.get("plant_past")
    plant = next((b for b in bases if b.unit.kind == UnitKind.PLANT), None)
    if past and plant is not None and first == _month_start(today, PAST_DRIVE_OFFSET):
        for _i in range(max(2, round(PAST_DRIVE * factor))):
            size = 1 + rng.choices((0, 1, 2), weights=(40, 40, 20))[0]
            group = rng.sample(plant.people, min(size, len(plant.people)))
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            _suggestion(rows, plant, day, group, rng.choice(PLANT_CATEGORIES), past)


# ------------------------------------------------------------------------------------------------- texts


def _search_keys(suggestions: list[dict]) -> None:
    """`core.text.search_key` of every suggestion's text, with one Traditional→Simplified conversion for all of
    them (the converter's start-up per call is most of its cost; the texts hold no line breaks, so the joined
    text splits back exactly)."""
    texts = [unicodedata.normalize("NFKC", r["search_text"]).replace("\n", " ") for r in suggestions]
    converted = to_simplified("\n".join(texts)).split("\n")
    for row, text in zip(suggestions, converted, strict=True):
        row["search_text"] = " ".join(text.lower().split())


def _texts(rng: random.Random, category: str, unit_name: str) -> tuple[str, str, str, str, int]:
    topics = TOPICS[category]
    index = rng.randrange(len(topics))
    obj, problem, measure, effect = topics[index]
    title = rng.choice(
        (
            f"关于{obj}{rng.choice(ACTS)}的建议",
            f"{obj}{rng.choice(ACTS)}建议",
            f"{unit_name}{obj}{rng.choice(ACTS)}",
        )
    )
    problem_text = f"{rng.choice(OPENERS)}{unit_name}{obj}{problem}，影响生产和职工切身利益。"
    proposal_text = f"建议{measure}。{rng.choice(CLOSERS).format(effect)}"
    benefit = (
        f"{effect}，预计年节约{rng.randint(1, 80)}万元。"
        if category in (Category.TECHNICAL, Category.EFFICIENCY, Category.MANAGEMENT)
        else effect + "。"
    )
    return title[:200], problem_text, proposal_text, benefit, index


def _reword(text: str, rng: random.Random) -> str:
    for old, new in DUP_SWAPS:
        if old in text and rng.random() < 0.7:
            text = text.replace(old, new, 1)
    return text


# ------------------------------------------------------------------------------------------- one suggestion


def _suggestion(
    rows: _Rows,
    base: _Base,
    day: dt.date,
    group: list[tuple[int, int]],
    category: str,
    drive: int | None,
    *,
    texts: tuple[str, str, str, str] | None = None,
    original: dict | None = None,
) -> dict:
    """A suggestion submitted on `day` by `group` (the lead first) and its lifecycle up to yesterday."""
    rng, today = rows.rng, rows.today
    yesterday = today - dt.timedelta(days=1)
    lead, unit_id = group[0]
    coauthors = [p for p, _u in group[1:] if p != lead]
    if texts is None:
        title, problem, proposal, benefit, _index = _texts(rng, category, base.unit.name)
    else:
        title, problem, proposal, benefit = texts
    pk = rows.next_suggestion
    rows.next_suggestion += 1
    submitted_at = _at(rng, day)
    created_at = submitted_at - dt.timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 5))
    is_major = rng.random() < 0.05
    due = add_months(day, 3 if is_major else 2)
    expected = Decimal(rng.randint(5, 800) * 1000) if rng.random() < 0.6 else None
    row = {
        "id": pk,
        "unit_id": unit_id,
        "author_id": lead,
        "drive_id": drive,
        "category": category,
        "title": title,
        "problem": problem,
        "proposal": proposal,
        "expected_benefit": benefit,
        "expected_saving": expected,
        "is_major": is_major,
        "status": Status.SUBMITTED,
        "revision": 1,
        "search_text": f"{title} {problem} {proposal}",  # made a search key in one batch (`_search_keys`)
        "submitted_at": submitted_at,
        "answer_due_on": due,
        "answered_at": None,
        "panel_id": None,
        "decision": "",
        "decision_reason": "",
        "decided_by_id": None,
        "duplicate_of_id": None,
        "owner_id": None,
        "plan": "",
        "planned_start": None,
        "planned_finish": None,
        "implemented_on": None,
        "gross_saving": None,
        "cost": None,
        "net_saving": None,
        "calculation": "",
        "measured_on": None,
        "award_band_id": None,
        "award_amount": None,
        "awarded_on": None,
        "paid_on": None,
        "created_at": created_at,
        "updated_at": submitted_at,
    }
    events: list[tuple[str, int | None, str, dt.datetime, bool]] = [
        (EventKind.CREATED, lead, "", created_at, True)
    ]
    moment = created_at
    for person in coauthors:
        moment += dt.timedelta(minutes=rng.randint(5, 90))
        events.append((EventKind.COAUTHOR_INVITED, lead, rows.names.get(person, ""), moment, True))
        confirmed = moment + dt.timedelta(minutes=rng.randint(10, 600))
        events.append((EventKind.COAUTHOR_CONFIRMED, person, "", min(confirmed, submitted_at), True))
        rows.coauthors.append(
            {
                "suggestion_id": pk,
                "person_id": person,
                "consent": Consent.CONFIRMED,
                "responded_at": min(confirmed, submitted_at),
            }
        )
    events.append((EventKind.SUBMITTED, lead, "", submitted_at, True))
    _lifecycle(rows, base, row, events, day, due, yesterday, set(coauthors) | {lead}, original)
    row["revision"] = len([e for e in events if e[0] != EventKind.REVIEWED]) or 1
    row["updated_at"] = max(e[3] for e in events)
    rows.suggestions.append(row)
    rows.by_base[base.unit.pk].append(row)
    rows.statuses[str(row["status"])] += 1
    for kind, actor, note, at, public in sorted(events, key=lambda e: e[3]):
        rows.events.append(
            {
                "id": rows.next_event,
                "suggestion_id": pk,
                "kind": kind,
                "actor_id": actor,
                "note": note,
                "at": at,
                "public": public,
            }
        )
        rows.next_event += 1
    return row


def _lifecycle(
    rows: _Rows,
    base: _Base,
    row: dict,
    events: list,
    day: dt.date,
    due: dt.date,
    yesterday: dt.date,
    authors: set[int],
    original: dict | None,
) -> None:
    rng = rows.rng
    # the first answer is late: still not given for a suggestion of the last six months (overdue once its
    # deadline passed), given after the deadline for an older one
    stuck = rng.random() < 0.04
    never = stuck and day > rows.today - dt.timedelta(days=180)
    if rows.today - dt.timedelta(days=180) < day < rows.today - dt.timedelta(days=70):
        rows.past_due += 1
        if rows.past_due % 12 == 1:  # some first answers overdue at every scale
            stuck = never = True
    screen_day = day + dt.timedelta(days=rng.randint(2, 15) if not stuck else rng.randint(20, 50))
    if screen_day > yesterday or (never and rng.random() < 0.4):
        return  # awaiting screening
    screened_at = _at(rng, screen_day)
    if original is None and rng.random() < 0.08:
        reason = rng.choice(NOT_ACCEPTED_REASONS)
        row.update(
            status=Status.NOT_ACCEPTED,
            decision_reason=reason,
            decided_by_id=base.manager,
            answered_at=screened_at,
        )
        events.append((EventKind.NOT_ACCEPTED, base.manager, reason, screened_at, True))
        _maybe_archive(rows, base, row, events, screen_day, yesterday)
        return
    panel_name = (
        f"{base.unit.name}{'技术委员会' if base.unit.kind == UnitKind.MINE else '合理化建议评审小组'}"
    )
    row.update(status=Status.IN_REVIEW, panel_id=base.panel)
    events.append((EventKind.ACCEPTED, base.manager, f"专家评审组：{panel_name}", screened_at, True))
    if original is not None and rng.random() < 0.6:
        # the manager sees the earlier suggestion among the similar ones and marks it as the same idea
        mark_day = screen_day + dt.timedelta(days=rng.randint(1, 10))
        if mark_day <= yesterday:
            at = _at(rng, mark_day)
            sub = timezone.localtime(original["submitted_at"]).date().isoformat()
            reason = f"与第{original['id']}号建议“{original['title']}”（{sub}提交）是同一建议：功劳归原建议的作者。"
            row.update(
                status=Status.REJECTED,
                decision=Decision.REJECT,
                decision_reason=reason,
                decided_by_id=base.manager,
                duplicate_of_id=original["id"],
                answered_at=at,
            )
            events.append((EventKind.DUPLICATE, base.manager, reason, at, True))
            rows.events.append(
                {
                    "id": rows.next_event,
                    "suggestion_id": original["id"],
                    "kind": EventKind.COMMENT,
                    "actor_id": base.manager,
                    "note": f"后来的第{row['id']}号建议提出了相同的想法，功劳归您。",
                    "at": at,
                    "public": True,
                }
            )
            rows.next_event += 1
            rows.marked_duplicates += 1
            return
    # the panel's scores
    decision = rng.choices((Decision.ADOPT, Decision.SHELVE, Decision.REJECT), weights=(50, 12, 38))[0]
    reviewers = [p for p in base.panel_members if p not in authors]
    rng.shuffle(reviewers)
    review_until = min(yesterday, due - dt.timedelta(days=2)) if not stuck else yesterday
    for reviewer in reviewers[: rng.randint(max(1, (len(reviewers) + 1) // 2), max(1, len(reviewers)))]:
        review_day = screen_day + dt.timedelta(days=rng.randint(2, 25))
        if review_day > review_until:
            continue
        at = _at(rng, review_day)
        high = decision == Decision.ADOPT
        scores = [rng.randint(6, 10) if high else rng.randint(2, 7) for _i in range(3)]
        recommendation = decision if rng.random() < 0.8 else rng.choice(Decision.values)
        rows.reviews.append(
            {
                "suggestion_id": row["id"],
                "reviewer_id": reviewer,
                "feasibility": scores[0],
                "benefit": scores[1],
                "innovation": scores[2],
                "opinion": rng.choice(REVIEW_OPINIONS),
                "recommendation": recommendation,
                "reviewed_at": at,
            }
        )
        events.append((EventKind.REVIEWED, reviewer, "", at, False))
    reviewed = [e[3] for e in events if e[0] == EventKind.REVIEWED]
    if not reviewed or len(reviewed) < (len(reviewers) + 1) // 2:
        return  # still in review: the panel concludes once at least half of its members scored
    if never:
        return  # still in review
    if stuck:
        conclude_day = due + dt.timedelta(days=rng.randint(5, 40))
    else:
        conclude_day = min(
            due, max(timezone.localdate(max(reviewed)), screen_day) + dt.timedelta(days=rng.randint(1, 12))
        )
    if conclude_day > yesterday:
        return
    at = max(_at(rng, conclude_day), max(reviewed) + dt.timedelta(minutes=30))
    reason = rng.choice(
        ADOPT_REASONS
        if decision == Decision.ADOPT
        else SHELVE_REASONS
        if decision == Decision.SHELVE
        else REJECT_REASONS
    )
    status, kind = {
        Decision.ADOPT: (Status.ADOPTED, EventKind.ADOPTED),
        Decision.SHELVE: (Status.SHELVED, EventKind.SHELVED),
        Decision.REJECT: (Status.REJECTED, EventKind.REJECTED),
    }[decision]
    row.update(
        status=status, decision=decision, decision_reason=reason, decided_by_id=base.manager, answered_at=at
    )
    events.append((kind, base.manager, reason, at, True))
    if decision == Decision.ADOPT:
        _outcome(rows, base, row, events, timezone.localdate(at), yesterday)
    elif decision == Decision.REJECT:
        _maybe_archive(rows, base, row, events, timezone.localdate(at), yesterday)


def _outcome(
    rows: _Rows, base: _Base, row: dict, events: list, adopted_on: dt.date, yesterday: dt.date
) -> None:
    """Implementation, the benefit over the 12 months after it, the award, its payment, the archive."""
    rng = rows.rng
    plan_day = adopted_on + dt.timedelta(days=rng.randint(3, 25))
    if plan_day > yesterday:
        return
    owner = rng.choice(base.engineers)
    start = plan_day + dt.timedelta(days=rng.randint(3, 20))
    finish = start + dt.timedelta(days=rng.randint(20, 120))
    plan = f"由{rows.names.get(owner, '')}负责，{start.isoformat()}开始实施，{finish.isoformat()}前完成并组织验收。"
    row.update(
        status=Status.IMPLEMENTING, owner_id=owner, plan=plan, planned_start=start, planned_finish=finish
    )
    events.append(
        (
            EventKind.IMPLEMENTATION_PLANNED,
            base.manager,
            f"负责人：{rows.names.get(owner, '')}；计划{start.isoformat()}至{finish.isoformat()}。",
            _at(rng, plan_day),
            True,
        )
    )
    done = finish + dt.timedelta(days=rng.randint(-10, 30))
    if rng.random() < 0.1 or done > yesterday:
        return  # still being implemented
    row.update(status=Status.IMPLEMENTED, implemented_on=done)
    events.append(
        (
            EventKind.IMPLEMENTED,
            owner,
            f"{done.isoformat()}实施完成，效益按此后12个月计算。",
            _at(rng, done),
            True,
        )
    )
    measure_day = add_months(done, 12) + dt.timedelta(days=rng.randint(3, 30))
    if measure_day > yesterday:
        return
    net = Decimal(round(min(3_000_000, max(2_000, rng.lognormvariate(10.3, 1.3))), -2))
    cost = Decimal(round(float(net) * rng.uniform(0.05, 0.4), -2))
    gross = net + cost
    calculation = (
        f"实施后12个月（{done.isoformat()}起）节约材料和电费共{gross}元，扣除改造投入{cost}元，年净效益{net}元；"
        "数据由财务科核实。"
    )
    row.update(
        status=Status.MEASURED,
        gross_saving=gross,
        cost=cost,
        net_saving=net,
        calculation=calculation,
        measured_on=measure_day,
    )
    events.append(
        (
            EventKind.MEASURED,
            base.manager,
            f"年净效益{net}元（毛效益{gross}元 − 投入{cost}元）。",
            _at(rng, measure_day),
            True,
        )
    )
    band = next((b for b in rows.bands if b.min_saving <= net), None)
    award_day = measure_day + dt.timedelta(days=rng.randint(5, 30))
    if band is None or award_day > yesterday:
        return
    row.update(status=Status.AWARDED, award_band_id=band.pk, award_amount=band.award, awarded_on=award_day)
    events.append(
        (EventKind.AWARDED, base.manager, f"{band.name}：{band.award}元。", _at(rng, award_day), True)
    )
    paid_day = award_day + dt.timedelta(days=rng.randint(7, 40))
    if paid_day > yesterday:
        return
    row.update(status=Status.PAID, paid_on=paid_day)
    events.append((EventKind.PAID, base.manager, f"{paid_day.isoformat()}已发放。", _at(rng, paid_day), True))
    _maybe_archive(rows, base, row, events, paid_day, yesterday)


def _maybe_archive(
    rows: _Rows, base: _Base, row: dict, events: list, since: dt.date, yesterday: dt.date
) -> None:
    day = since + dt.timedelta(days=rows.rng.randint(30, 120))
    if day <= yesterday and rows.rng.random() < 0.6:
        row["status"] = Status.ARCHIVED
        events.append((EventKind.ARCHIVED, base.manager, "", _at(rows.rng, day), True))


# ---------------------------------------------------------------------------------------- near-duplicates


def _near_duplicates(rows: _Rows, bases: list[_Base]) -> None:
    """About 3% more suggestions, each rewording an earlier one of the same base unit a few weeks later; about
    half of those that reached screening are marked as the same idea (see `_lifecycle`)."""
    rng, today = rows.rng, rows.today
    for base in bases:
        earlier = [r for r in rows.by_base[base.unit.pk] if r["duplicate_of_id"] is None]
        count = max(1, round(len(earlier) * 0.03)) if earlier else 0
        for original in rng.sample(earlier, min(count, len(earlier))):
            day = timezone.localdate(original["submitted_at"]) + dt.timedelta(days=rng.randint(7, 60))
            if day >= today:
                continue
            lead = rng.choice(base.people)
            texts = (
                _reword(original["title"].replace("的建议", "").replace("关于", ""), rng) + "的建议",
                _reword(original["problem"], rng),
                _reword(original["proposal"], rng),
                original["expected_benefit"],
            )
            _suggestion(rows, base, day, [lead], original["category"], None, texts=texts, original=original)
            rows.duplicates += 1


# ----------------------------------------------------------------------------------------------- logins


def demo_logins() -> list[tuple[str, str, str, str]]:
    """Who can try what with the demo suggestions: (what to try, employee number, name, unit)."""
    found: list[tuple[str, str, str, str]] = []
    panel = ReviewPanel.objects.select_related("unit").order_by("unit__path", "pk").first()
    if panel is None:
        return found
    member = panel.members.select_related("unit").order_by("employee_no").first()
    if member is not None:
        found.append(
            (
                "suggestion panel member: score the suggestions in review",
                member.employee_no,
                member.name,
                member.unit.name if member.unit else "",
            )
        )
    holder = (
        RoleAssignment.objects.filter(role=Role.UNION, unit=panel.unit, person__is_active=True)
        .select_related("person__unit")
        .order_by("person__employee_no")
        .first()
    )
    if holder is not None:
        p = holder.person
        found.append(
            (
                "suggestions manager: screen, conclude, statistics, drives",
                p.employee_no,
                p.name,
                p.unit.name if p.unit else "",
            )
        )
    author = (
        Suggestion.objects.filter(unit__path__startswith=panel.unit.path)
        .select_related("author__unit")
        .order_by("pk")
        .first()
    )
    if author is not None:
        p = author.author
        found.append(
            (
                "suggestion author: my suggestions and their timeline",
                p.employee_no,
                p.name,
                p.unit.name if p.unit else "",
            )
        )
    return found


def login_notes() -> list[str]:
    """Lines for `gongkai demo-logins`."""
    return [f"Suggestions — {what}: {no} {name}（{unit}）" for what, no, name, unit in demo_logins()]
