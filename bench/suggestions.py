"""Suggestions benchmark: 100,000 suggestions across the `large` group — near-duplicate lookups, themes, statistics.

    .venv/bin/python bench/suggestions.py [--database-url postgres://postgres@127.0.0.1:5432/postgres | --sqlite]
        [--reuse] [--scale large] [--count 100000] [--lookups 500] [--duration 20] [--concurrency 32] [--workers 4]
        [--worker-class sync|gthread] [--threads 4] [--seed-only]

Uses its own database, gongkai_bench_suggestions, created next to the one named in --database-url (dropped and
recreated unless --reuse finds it seeded), or with --sqlite the file var/bench/suggestions.sqlite3. The index is
written under var/bench/suggestions-postgres/index/ (or suggestions-sqlite/). Seeding:

1. the `large` demo group (200,000 people);
2. --count suggestions (PostgreSQL COPY, SQLite bulk inserts, in batches of 20,000) submitted over the last two
   years by people of every base unit, in their own unit, with co-authors for one in four; texts generated from
   templates per category (the object, the place, the trouble, the remedy, the benefit — thousands of distinct
   combinations, numbers varying), `search_text` as the product computes it; statuses as in life: the recent
   ones waiting for screening or in review, the others decided (about 55 % adopted, some implemented, measured,
   awarded and paid, with savings), and one in fifty a reworded repeat of an earlier suggestion.

Then it measures:
- building the similarity index (`similarity.build_index`): seconds and size on disk; loading it in a new
  process's way (memory-mapped): seconds;
- `similarity.similar` for --lookups new texts (generated with another seed, half of them rewordings of existing
  suggestions): p50/p99 milliseconds, and how often a rewording finds its original first;
- `themes.group` of the whole group for the last full month (about 4,000 suggestions): seconds;
- the statistics page (`suggestions:stats`, helper S4's) as the group's union chair, in-process (status,
  queries, one request) then with gunicorn under --concurrency connections (PostgreSQL only): req/s, p50/p99.
  If the page is not there yet (its URL name does not resolve, or still points at a placeholder), it says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal

from _common import PROJECT, VAR_DIR, add_load_options, delete_sqlite, scratch_postgres, step

BENCH_DB = "gongkai_bench_suggestions"
SQLITE_FILE = "suggestions.sqlite3"
BATCH = 20_000
sys.path.insert(0, str(PROJECT / "src"))

# ------------------------------------------------------------------------------------------------- texts

PLACES = (
    "一号井",
    "二号井",
    "主斜井",
    "副立井",
    "西翼采区",
    "东翼采区",
    "三采区",
    "综采一队",
    "综采二队",
    "掘进三队",
    "机电车间",
    "机修厂",
    "洗煤厂",
    "选煤车间",
    "运输区",
    "通风区",
    "准备区",
    "地面生产系统",
    "中央变电所",
    "井底车场",
    "储煤场",
    "装车站",
    "锅炉房",
    "物资供应站",
    "调度中心",
    "职工宿舍区",
    "矿部机关",
    "外地项目部",
)
SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "safety": {
        "objects": (
            "瓦斯监测探头",
            "应急照明灯",
            "顶板离层仪",
            "防尘喷雾装置",
            "皮带机保护装置",
            "自救器",
            "避难硐室",
            "防爆开关",
            "人员定位卡",
            "风门闭锁装置",
            "采空区注浆管路",
            "安全帽",
        ),
        "troubles": (
            "长期未校准，读数偏差大",
            "损坏后更换不及时",
            "停电时不能自动启动",
            "人工巡检发现不及时",
            "经常误报警，职工不再重视",
            "数量不足，覆盖不到作业地点",
            "操作复杂，新工人不会使用",
        ),
        "remedies": (
            "建立台账并每月校准",
            "加装自动报警和联动停机功能",
            "增加备用电源",
            "改为在线监测并接入调度中心",
            "组织专项培训和考核",
            "按作业地点重新配置",
            "列入班前安全检查内容",
        ),
        "benefits": ("消除安全隐患", "减少安全事故", "保障职工生命安全", "提高应急处置能力"),
    },
    "management": {
        "objects": (
            "材料领用",
            "设备台账",
            "备件库存",
            "工时考核",
            "外包工程结算",
            "车辆调度",
            "办公用品采购",
            "废旧物资回收",
            "劳保用品发放",
            "通勤车排班",
            "加班审批",
            "绩效工资分配",
        ),
        "troubles": (
            "手工登记容易出错",
            "流程环节多、审批慢",
            "库存积压占用资金",
            "标准不统一，职工有意见",
            "数据不透明，考核没有依据",
            "与实际需要脱节",
        ),
        "remedies": (
            "实行定额管理并按月考核",
            "改用信息系统网上办理",
            "集中采购统一配送",
            "制定统一标准并公开",
            "每月盘点并公示结果",
            "推行班组自主管理",
        ),
        "benefits": ("降低管理成本", "减少资金占用", "提高工作效率", "增强考核的公平性"),
    },
    "technical": {
        "objects": (
            "液压支架",
            "采煤机",
            "掘进机",
            "主排水泵",
            "局部通风机",
            "刮板输送机",
            "提升机",
            "空压机",
            "乳化液泵站",
            "带式输送机",
            "变电所保护装置",
            "破碎机",
        ),
        "troubles": (
            "移架速度慢，影响推进",
            "截齿磨损快，更换频繁",
            "工频运行电耗高",
            "故障多，检修时间长",
            "密封件寿命短，漏液严重",
            "控制方式落后，需要专人值守",
            "噪声大、温度高",
        ),
        "remedies": (
            "加装快速移架阀组",
            "改用耐磨合金截齿",
            "进行变频改造",
            "加装在线故障诊断系统",
            "更换新型密封结构",
            "实现远程集中控制和无人值守",
            "优化润滑和冷却系统",
        ),
        "benefits": ("提高设备开机率", "降低电耗和维修费用", "减少检修停机时间", "减少岗位人员"),
    },
    "going_out": {
        "objects": (
            "富余人员",
            "综采技术团队",
            "机修能力",
            "培训中心",
            "闲置设备",
            "工程施工队",
            "技术服务公司",
            "劳务输出",
            "矿井托管运营",
            "设备租赁",
        ),
        "troubles": (
            "只服务本矿，能力富余",
            "收入下降，人心不稳",
            "外部市场信息少",
            "闲置多年没有效益",
            "对外项目管理经验不足",
        ),
        "remedies": (
            "组建专业队伍走出去承揽外部工程",
            "成立公司对外提供技术托管服务",
            "面向周边企业承接维修业务",
            "与外地项目部合作输出骨干",
            "参与外地矿井托管运营投标",
            "建立外部市场信息收集小组",
        ),
        "benefits": ("增加职工收入", "开拓外部市场", "盘活闲置资产", "创造外部收入"),
    },
    "disclosure": {
        "objects": (
            "公开栏",
            "公开网",
            "职代会提案",
            "工资奖金分配",
            "评先选优",
            "招待费用",
            "物资采购",
            "职工福利",
            "安全生产奖惩",
            "干部考核结果",
        ),
        "troubles": (
            "更新不及时，内容陈旧",
            "职工看不到往期内容",
            "只公开结果不公开过程",
            "公开位置偏僻没人看",
            "公开内容太笼统，职工看不懂",
        ),
        "remedies": (
            "每月固定日期更新并留档",
            "张贴二维码供职工扫码查询",
            "按事前事中事后分阶段公开",
            "在井口和食堂增设公开点",
            "细化公开内容并附说明",
            "开通网上意见反馈渠道",
        ),
        "benefits": ("保障职工知情权", "增强职工信任", "减少职工上访", "提高民主管理水平"),
    },
    "efficiency": {
        "objects": (
            "井下照明",
            "空压机余热",
            "锅炉燃煤",
            "矿井水",
            "电机车充电",
            "办公用电",
            "洗浴热水",
            "乏风热能",
            "采暖系统",
            "生产用水",
        ),
        "troubles": (
            "耗电多，寿命短",
            "余热直接排放浪费",
            "燃煤消耗大，污染重",
            "处理后没有利用",
            "充电时间长、电耗高",
            "无人时照明空调不关",
        ),
        "remedies": (
            "更换矿用节能灯具",
            "安装余热回收装置加热洗浴水",
            "改用热泵替代燃煤锅炉",
            "处理后用于井下降尘和绿化",
            "改造充电设备并错峰充电",
            "加装智能控制开关",
        ),
        "benefits": ("每年节约电费", "降低燃煤消耗", "节约水资源", "减少排放"),
    },
    "other": {
        "objects": (
            "职工食堂",
            "夜班饭菜",
            "通勤车",
            "职工宿舍",
            "澡堂热水",
            "文体活动",
            "职工书屋",
            "困难职工帮扶",
            "体检安排",
            "子女入托",
        ),
        "troubles": (
            "品种单一，职工意见大",
            "时间安排不合理",
            "设施老化，条件差",
            "排队时间长",
            "覆盖面小，很多职工享受不到",
        ),
        "remedies": (
            "增加品种并公开价格",
            "根据交接班时间重新安排",
            "分批维修改造",
            "开通手机预约",
            "由工会统筹扩大覆盖面",
            "邀请职工代表参与监督",
        ),
        "benefits": ("改善职工生活", "提高职工满意度", "增强职工归属感", "稳定职工队伍"),
    },
}
CATEGORY_WEIGHTS = {
    "safety": 26,
    "management": 16,
    "technical": 20,
    "going_out": 8,
    "disclosure": 8,
    "efficiency": 14,
    "other": 8,
}
OPENERS = ("", "目前", "近年来", "据职工反映，", "经调查，", "在日常工作中发现，")
CONNECTORS = ("建议", "提议", "我们建议", "可以考虑", "希望")
REWORD = {
    "建议": "提议",
    "提高": "提升",
    "减少": "降低",
    "职工": "员工",
    "及时": "尽快",
    "增加": "增设",
    "每月": "每个月",
    "安装": "加装",
    "组织": "安排",
    "降低": "减少",
}


def make_text(rng: random.Random, category: str | None = None) -> tuple[str, str, str, str, str, int]:
    """(category, title, problem, proposal, expected benefit, expected saving) from the templates."""
    category = category or rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
    s = SUBJECTS[category]
    place, obj = rng.choice(PLACES), rng.choice(s["objects"])
    trouble, remedy = rng.choice(s["troubles"]), rng.choice(s["remedies"])
    benefit, benefit2 = rng.sample(s["benefits"], 2)
    title = rng.choice((f"{place}{obj}{remedy[:6]}", f"关于{obj}{remedy[:8]}的建议", f"{obj}{benefit}的措施"))
    problem = f"{rng.choice(OPENERS)}{place}的{obj}{trouble}，" + rng.choice(
        (
            f"每月影响生产约{rng.randint(2, 40)}小时。",
            f"去年因此发生{rng.randint(1, 9)}起问题。",
            "职工反映强烈。",
            f"涉及{rng.randint(10, 400)}名职工。",
        )
    )
    proposal = (
        f"{rng.choice(CONNECTORS)}{remedy}，"
        + rng.choice(
            (f"由{rng.choice(PLACES)}负责实施，", "先在一个班组试点，", f"分{rng.randint(2, 4)}期推进，", "")
        )
        + f"力争{rng.randint(1, 6)}个月内完成，{benefit}。"
    )
    saving = rng.choice((0, 5_000, 20_000, 80_000, 150_000, 600_000)) + rng.randint(0, 9_999)
    return category, title[:200], problem, proposal, f"{benefit}，{benefit2}。", saving


def reword(rng: random.Random, title: str, problem: str, proposal: str) -> tuple[str, str, str]:
    """The same idea in other words: synonyms swapped, one clause dropped or moved."""

    def swap(text: str) -> str:
        for a, b in REWORD.items():
            if a in text and rng.random() < 0.7:
                text = text.replace(a, b)
        return text

    clauses = [c for c in proposal.rstrip("。").split("，") if c]
    if len(clauses) > 2:
        clauses.pop(rng.randrange(1, len(clauses)))
    return swap(title), swap(problem), swap("，".join(clauses) + "。")


# ------------------------------------------------------------------------------------------------- seeding


def _lifecycle(rng: random.Random, submitted: dt.datetime, now: dt.datetime, saving: int) -> dict:
    """Status and dates of a suggestion submitted at `submitted`, as of `now` (calendar days)."""
    day = dt.timedelta(days=1)
    out: dict = {
        "status": "submitted",
        "answered_at": None,
        "decision": "",
        "decision_reason": "",
        "implemented_on": None,
        "gross": None,
        "cost": None,
        "net": None,
        "measured_on": None,
        "band": None,
        "award": None,
        "awarded_on": None,
        "paid_on": None,
    }
    answered = submitted + day * int(rng.triangular(5, 75, 30))
    if answered >= now:
        out["status"] = rng.choice(("submitted", "in_review"))
        return out
    out["answered_at"] = answered
    roll = rng.random()
    if roll < 0.10:
        out.update(status="not_accepted", decision_reason="不属于合理化建议范围。")
        return out
    if roll < 0.25:
        out.update(status="rejected", decision="reject", decision_reason="现有条件下无法实施。")
        return out
    if roll < 0.35:
        out.update(status="shelved", decision="shelve", decision_reason="列入明年计划再议。")
        return out
    out.update(status="adopted", decision="adopt")
    implemented = answered + day * rng.randint(20, 120)
    if implemented >= now:
        out["status"] = rng.choice(("adopted", "implementing"))
        return out
    out.update(status="implemented", implemented_on=implemented.date())
    measured = implemented + day * 370
    if measured >= now:
        return out
    gross = Decimal(saving + rng.randint(0, 50_000))
    cost = Decimal(rng.randint(0, int(gross) // 3 + 1))
    net = gross - cost
    out.update(status="measured", gross=gross, cost=cost, net=net, measured_on=measured.date())
    awarded = measured + day * rng.randint(5, 30)
    if awarded >= now:
        return out
    band = _band(net)
    out.update(status="awarded", band=band[0], award=band[1], awarded_on=awarded.date())
    if awarded + day * 20 < now:
        out.update(status="paid", paid_on=(awarded + day * 20).date())
    return out


_BANDS: list[tuple[int, Decimal, Decimal]] = []  # (pk, min saving, award), highest first


def _band(net: Decimal) -> tuple[int, Decimal]:
    for pk, floor, award in _BANDS:
        if net >= floor:
            return pk, award
    return _BANDS[-1][0], _BANDS[-1][2]


COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "unit_id",
    "author_id",
    "category",
    "title",
    "problem",
    "proposal",
    "expected_benefit",
    "expected_saving",
    "is_major",
    "status",
    "revision",
    "search_text",
    "submitted_at",
    "answer_due_on",
    "answered_at",
    "decision",
    "decision_reason",
    "plan",
    "implemented_on",
    "gross_saving",
    "cost",
    "net_saving",
    "calculation",
    "measured_on",
    "award_band_id",
    "award_amount",
    "awarded_on",
    "paid_on",
)


def seed(args: argparse.Namespace) -> None:
    from collections import defaultdict

    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from gongkai.core.text import search_key
    from gongkai.org import demo as org_demo
    from gongkai.org.models import Person, Unit
    from gongkai.suggestions.models import AwardBand, Coauthor, Suggestion

    rng = random.Random(args.seed)
    now = timezone.now().replace(microsecond=0)
    t0 = started = time.perf_counter()
    counts = org_demo.seed(args.scale, args.seed)
    started = step(f"{args.scale} group: {counts['units']:,} units, {counts['people']:,} people", started)
    _BANDS[:] = list(AwardBand.objects.order_by("-min_saving").values_list("pk", "min_saving", "award"))

    base_len = 2 * Unit.steplen
    people: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, unit_id, path in (
        Person.objects.filter(is_active=True, unit__depth__gte=2)
        .values_list("pk", "unit_id", "unit__path")
        .order_by("employee_no")
    ):
        people[path[:base_len]].append((pk, unit_id))
    bases = sorted(people)
    weights = [len(people[b]) for b in bases]
    started = step(f"{len(bases)} base units", started)

    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM suggestions_suggestion")
        first = cursor.fetchone()[0] + 1
    span = 730 * 86400
    recent: list[tuple[str, str, str, str]] = []  # texts to repeat reworded
    coauthor_id = 1
    for start in range(0, args.count, BATCH):
        size = min(BATCH, args.count - start)
        rows, coauthors = [], []
        for n in range(start, start + size):
            base = rng.choices(bases, weights)[0]
            author, unit_id = rng.choice(people[base])
            submitted = now - dt.timedelta(seconds=rng.randint(3600, span))
            category, title, problem, proposal, benefit, saving = make_text(rng)
            if recent and rng.random() < 0.02:
                category, *old = rng.choice(recent)
                title, problem, proposal = reword(rng, *old)
            elif rng.random() < 0.01:
                recent.append((category, title, problem, proposal))
            life = _lifecycle(rng, submitted, now, saving)
            is_major = rng.random() < 0.03
            rows.append(
                (
                    first + n,
                    submitted,
                    life["answered_at"] or submitted,
                    unit_id,
                    author,
                    category,
                    title,
                    problem,
                    proposal,
                    benefit,
                    Decimal(saving),
                    is_major,
                    life["status"],
                    2,
                    search_key(f"{title} {problem} {proposal}"),
                    submitted,
                    (submitted + dt.timedelta(days=92 if is_major else 61)).date(),
                    life["answered_at"],
                    life["decision"],
                    life["decision_reason"],
                    "",
                    life["implemented_on"],
                    life["gross"],
                    life["cost"],
                    life["net"],
                    "按十二个月实际节约计算。" if life["net"] is not None else "",
                    life["measured_on"],
                    life["band"],
                    life["award"],
                    life["awarded_on"],
                    life["paid_on"],
                )
            )
            if rng.random() < 0.25:
                for person, _unit in rng.sample(people[base], min(len(people[base]), rng.randint(1, 3))):
                    if person != author:
                        coauthors.append((coauthor_id, first + n, person, "confirmed", submitted))
                        coauthor_id += 1
        with transaction.atomic():
            if postgres:
                with connection.cursor() as cursor:
                    raw = cursor.cursor  # psycopg's cursor, for COPY
                    with raw.copy(f"COPY suggestions_suggestion ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    with raw.copy(
                        "COPY suggestions_coauthor (id, suggestion_id, person_id, consent, responded_at) FROM STDIN"
                    ) as copy:
                        for row in coauthors:
                            copy.write_row(row)
            else:
                Suggestion.objects.bulk_create(
                    [Suggestion(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=2000
                )
                Coauthor.objects.bulk_create(
                    [
                        Coauthor(id=i, suggestion_id=s, person_id=p, consent=c, responded_at=at)
                        for i, s, p, c, at in coauthors
                    ],
                    batch_size=2000,
                )
        started = step(f"suggestions {start + 1:,}–{start + size:,} ({len(coauthors):,} co-authors)", started)
    with connection.cursor() as cursor:
        for model in (Suggestion, Coauthor):
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    step("ANALYZE", started)
    print(f"seeded in {time.perf_counter() - t0:.0f} s", flush=True)


# ------------------------------------------------------------------------------------------------- measuring


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_similarity(args: argparse.Namespace) -> None:
    from django.utils import timezone

    from gongkai.suggestions import similarity
    from gongkai.suggestions.models import Suggestion

    print(f"\nsuggestions: {Suggestion.objects.count():,}", flush=True)
    started = time.perf_counter()
    index = similarity.build_index()
    built = time.perf_counter() - started
    path = similarity.index_path()
    print(
        f"index: {index.size:,} suggestions, {len(index.vectorizer.vocabulary_):,} terms, "
        f"{index.matrix.nnz:,} non-zeros; built in {built:.1f} s; {path.stat().st_size / 1_048_576:.0f} MB on disk"
    )
    similarity.forget()
    started = time.perf_counter()
    similarity.load_index()
    print(f"index loaded (memory-mapped) in {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)

    rng = random.Random(args.seed + 1000)
    sample = list(
        Suggestion.objects.order_by("?")[: args.lookups // 2].values_list(
            "pk", "title", "problem", "proposal"
        )
        if Suggestion.objects.count() < 5000
        else Suggestion.objects.filter(
            pk__in=rng.sample(range(1, args.count + 1), args.lookups // 2)
        ).values_list("pk", "title", "problem", "proposal")
    )
    probes: list[tuple[int | None, str]] = [(pk, " ".join(reword(rng, t, p, q))) for pk, t, p, q in sample]
    while len(probes) < args.lookups:
        _c, title, problem, proposal, _b, _s = make_text(rng)
        probes.append((None, f"{title} {problem} {proposal}"))
    rng.shuffle(probes)
    now = timezone.now()
    similarity.similar(probes[0][1], before=now)  # warm-up
    samples, first, top5, found_any, reworded = [], 0, 0, 0, 0
    for original, text in probes:
        started = time.perf_counter()
        found = similarity.similar(text, before=now)
        samples.append((time.perf_counter() - started) * 1000)
        found_any += bool(found)
        if original is not None:
            reworded += 1
            # the original itself, or an identical earlier text (the seed repeats ideas), scores the same
            first += bool(found) and (found[0][0] == original or found[0][1] >= 0.99)
            top5 += original in dict(found)
    print(
        f"similar(): {len(samples)} lookups, p50 {statistics.median(samples):.1f} ms, "
        f"p99 {_percentile(samples, 0.99):.1f} ms, max {max(samples):.1f} ms; "
        f"a rewording finds its original first in {first}/{reworded}, in the top 5 in {top5}/{reworded}; "
        f"{found_any}/{len(probes)} found something (the generated texts share much)",
        flush=True,
    )


def measure_fresh(args: argparse.Namespace, fresh: int = 200, lookups: int = 100) -> None:
    """Lookups while `fresh` suggestions submitted after the index was built are compared on the fly."""
    from django.utils import timezone

    from gongkai.core.text import search_key
    from gongkai.suggestions import similarity
    from gongkai.suggestions.models import Suggestion

    rng = random.Random(args.seed + 2000)
    model = Suggestion.objects.order_by("-pk").first()
    assert model is not None
    now = timezone.now()
    rows = []
    for n in range(fresh):
        category, title, problem, proposal, benefit, _saving = make_text(rng)
        rows.append(
            Suggestion(
                unit_id=model.unit_id,
                author_id=model.author_id,
                category=category,
                title=title,
                problem=problem,
                proposal=proposal,
                expected_benefit=benefit,
                status="submitted",
                search_text=search_key(f"{title} {problem} {proposal}"),
                submitted_at=now - dt.timedelta(seconds=fresh - n),
                answer_due_on=now.date(),
            )
        )
    created = Suggestion.objects.bulk_create(rows)
    try:
        samples = []
        for _ in range(lookups):
            _c, title, problem, proposal, _b, _s = make_text(rng)
            started = time.perf_counter()
            similarity.similar(f"{title} {problem} {proposal}", before=timezone.now())
            samples.append((time.perf_counter() - started) * 1000)
        print(
            f"similar() with {fresh} suggestions newer than the index: {lookups} lookups, "
            f"p50 {statistics.median(samples):.1f} ms, p99 {_percentile(samples, 0.99):.1f} ms",
            flush=True,
        )
    finally:
        Suggestion.objects.filter(pk__in=[s.pk for s in created]).delete()


def measure_themes() -> None:
    from django.utils import timezone

    from gongkai.org.models import Unit
    from gongkai.suggestions import themes

    root = Unit.objects.get(depth=1)
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    started = time.perf_counter()
    run = themes.group(root, start, end)
    elapsed = time.perf_counter() - started
    print(
        f"\nthemes of {root.name}, {start} to {end}: {run.suggestions:,} suggestions → {run.themes.count()} themes "
        f"in {elapsed:.1f} s (grouping {run.seconds:.1f} s){' ERROR ' + run.error if run.error else ''}"
    )
    for t in run.themes.all()[:8]:
        print(f"  {t.size:>5}  {t.label}")


def measure_stats(args: argparse.Namespace, url: str, postgres: bool) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from gongkai.core.choices import Role
    from gongkai.org.models import RoleAssignment, Unit

    try:
        path = reverse("suggestions:stats")
    except NoReverseMatch:
        print("\nstatistics page: suggestions:stats is not there, skipped (left for the lead)")
        return
    if "placeholder" in path:
        print(f"\nstatistics page: {path} is still a placeholder, skipped (left for the lead)")
        return
    root = Unit.objects.get(depth=1)
    chair = RoleAssignment.objects.filter(role=Role.UNION, unit=root).order_by("person_id").first()
    assert chair is not None
    person = chair.person
    client = Client()
    client.force_login(person)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    print(
        f"\nstatistics page {path} as {person.employee_no}: status {response.status_code}, "
        f"{len(captured)} queries, {elapsed:.0f} ms"
    )
    if not postgres:
        print("  (the load test runs on PostgreSQL only)")
        return
    connection.close()
    from http_load import Result, Target, gunicorn, run, session_cookie

    cookie = session_cookie(person)
    connection.close()
    print(
        f"gunicorn: {args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; {args.concurrency} connections, {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured",
        flush=True,
    )
    with gunicorn(
        url,
        workers=args.workers,
        threads=args.threads,
        worker_class=args.worker_class,
        log_file=VAR_DIR / "gunicorn-suggestions.log",
    ) as base_url:
        result = run(
            base_url,
            Target("statistics page", path, [cookie], "<html"),
            concurrency=args.concurrency,
            duration=args.duration,
            warmup=args.warmup,
        )
    print(Result.HEADER)
    print(result.line())
    if result.errors:
        print(f"  first error: {result.first_error}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true", help="use var/bench/suggestions.sqlite3 instead")
    parser.add_argument("--reuse", action="store_true", help="keep the benchmark database if it is seeded")
    parser.add_argument("--count", type=int, default=100_000, help="suggestions to create")
    parser.add_argument("--lookups", type=int, default=500, help="similar-suggestion lookups to time")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scale", default="large", choices=["small", "group", "large"], help="the demo group"
    )
    add_load_options(parser)
    parser.set_defaults(duration=20.0)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    var_dir = VAR_DIR / ("suggestions-sqlite" if args.sqlite else "suggestions-postgres")  # its own index
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "gongkai.settings",
            "GONGKAI_VAR_DIR": str(var_dir),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }
    )
    if args.sqlite:
        db_file = VAR_DIR / SQLITE_FILE
        if not args.reuse:
            delete_sqlite(db_file)
        url = f"sqlite:///{db_file}"
        print(f"database: SQLite {db_file}")
    else:
        url, version = scratch_postgres(args.database_url, BENCH_DB, reuse=args.reuse)
        print(f"database: PostgreSQL {version}, {BENCH_DB}")
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    from gongkai.org import demo as org_demo
    from gongkai.suggestions.models import Suggestion

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)
    if org_demo.has_data() and Suggestion.objects.exists():
        print("seed: reusing the seeded database")
    else:
        if org_demo.has_data():
            raise SystemExit(f"{BENCH_DB} is half seeded: run again without --reuse")
        seed(args)
    if not args.seed_only:
        measure_similarity(args)
        measure_fresh(args)
        measure_themes()
        measure_stats(args, url, postgres=not args.sqlite)
    return 0


if __name__ == "__main__":
    sys.exit(main())
