"""The words of the disclosure demo: bodies of disclosures per catalog item, questions and answers, topic
requests, board locations. Every text is Simplified Chinese (the loader relies on it, see demo.py)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

CN_QUARTERS = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度"}
CN_HALVES = {"H1": "上半年", "H2": "下半年"}
CONTACT = "如有疑问，请于公开之日起七日内向本单位企务公开办公室反映（电话 {phone}），或在本页留言。"


def period_label(period: str) -> str:
    """2026-03 → 2026年3月, 2026-Q1 → 2026年第一季度, 2026-H1 → 2026年上半年, 2026 → 2026年度."""
    if not period:
        return ""
    year, _sep, rest = period.partition("-")
    if not rest:
        return f"{year}年度"
    if rest in CN_QUARTERS:
        return f"{year}年{CN_QUARTERS[rest]}"
    if rest in CN_HALVES:
        return f"{year}年{CN_HALVES[rest]}"
    return f"{year}年{int(rest)}月"


def _table(headers: list[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def paragraphs(*lines: str) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


# A body builder: (rng, context) -> HTML. The context holds unit, label (period), people (names of the unit).
Builder = Callable[[random.Random, dict], str]


def _wages(rng: random.Random, c: dict) -> str:
    total = rng.uniform(80, 2400) if c["base"] else rng.uniform(40, 260)
    avg = rng.randint(6800, 11800)
    rows = [
        ["采掘一线", f"{avg + rng.randint(1500, 3200):,}"],
        ["辅助岗位", f"{avg - rng.randint(300, 1200):,}"],
        ["管理技术人员", f"{avg + rng.randint(-400, 900):,}"],
    ]
    return (
        paragraphs(
            f"{c['unit']}{c['label']}工资总额 {total:,.1f} 万元，人均 {avg:,} 元，"
            f"较上月{'增长' if rng.random() < 0.6 else '下降'} {rng.uniform(0.3, 6.5):.1f}%。"
        )
        + _table(["岗位类别", "人均收入（元）"], rows)
        + paragraphs("绩效工资按《工资分配管理办法》和当月考核结果兑现。", CONTACT.format(phone=c["phone"]))
    )


def _team_bonus(rng: random.Random, c: dict) -> str:
    names = c["people"][:8] or ["（暂无人员）"]
    rows = []
    for name in names:
        points = rng.randint(180, 320)
        rows.append([name, points, f"{points * rng.uniform(6.5, 9.5):,.0f}"])
    return (
        paragraphs(f"{c['unit']}{c['label']}工分和奖金二次分配结果公示如下（按工分计奖）：")
        + _table(["姓名", "工分", "奖金（元）"], rows)
        + paragraphs("公示期三天，班组成员对分配结果有异议的，向班长或区队核算员提出。")
    )


def _attendance(rng: random.Random, c: dict) -> str:
    n = max(len(c["people"]), 6)
    full = n - rng.randint(0, min(4, n - 1))
    leave = rng.randint(0, 5)
    return paragraphs(
        f"{c['unit']}{c['label']}应出勤 {n} 人，全勤 {full} 人，请假 {leave} 人次，旷工 0 人次。",
        "考勤由班长记录、区队审核，与工分核算挂钩。",
    )


def _production(rng: random.Random, c: dict) -> str:
    rows: list[list[object]]
    if c["kind"] == "mine" or (c["base"] is False and c["mine"]):
        plan = rng.uniform(3, 120) if c["base"] else rng.uniform(0.8, 12)
        done = plan * rng.uniform(0.92, 1.12)
        rows = [
            ["原煤产量（万吨）", f"{plan:.1f}", f"{done:.1f}", f"{done / plan * 100:.1f}%"],
            [
                "掘进进尺（米）",
                rng.randint(300, 3000),
                rng.randint(300, 3200),
                f"{rng.uniform(92, 112):.1f}%",
            ],
        ]
    else:
        plan = rng.uniform(500, 8000)
        done = plan * rng.uniform(0.9, 1.1)
        rows = [["产值（万元）", f"{plan:,.0f}", f"{done:,.0f}", f"{done / plan * 100:.1f}%"]]
    rows.append(["利润（万元）", f"{rng.uniform(50, 900):,.0f}", f"{rng.uniform(40, 950):,.0f}", "—"])
    return (
        paragraphs(f"{c['unit']}{c['label']}生产经营主要指标完成情况：")
        + _table(["指标", "计划", "完成", "完成率"], rows)
        + paragraphs(CONTACT.format(phone=c["phone"]))
    )


def _materials(rng: random.Random, c: dict) -> str:
    plan = rng.randint(80_000, 600_000)
    used = int(plan * rng.uniform(0.85, 1.05))
    return paragraphs(
        f"{c['unit']}{c['label']}材料费计划 {plan:,} 元，实际消耗 {used:,} 元，"
        + (
            f"节支 {plan - used:,} 元。"
            if used <= plan
            else f"超支 {used - plan:,} 元，原因已向经营管理科说明。"
        ),
        "节支部分按规定的比例计入区队奖金。",
    )


def _safety(rng: random.Random, c: dict) -> str:
    return paragraphs(
        f"{c['unit']}{c['label']}安全考核得分 {rng.uniform(86, 99):.1f} 分；"
        f"查处“三违” {rng.randint(0, 9)} 人次，安全奖励 {rng.randint(2, 40) * 500:,} 元，"
        f"安全罚款 {rng.randint(0, 12) * 200:,} 元。",
        "考核依据《安全生产责任制考核办法》，考核明细在区队学习室公开栏张贴。",
    )


def _hazards(rng: random.Random, c: dict) -> str:
    found = rng.randint(8, 90)
    fixed = found - rng.randint(0, 3)
    return paragraphs(
        f"{c['unit']}{c['label']}排查事故隐患 {found} 条，已整改 {fixed} 条，整改率 {fixed / found * 100:.1f}%，"
        "重大隐患 0 条。未整改隐患已落实责任人、措施、资金、时限和预案。"
    )


def _team_safety(rng: random.Random, c: dict) -> str:
    return paragraphs(
        f"{c['unit']}{c['label']}开展班前安全讲话 {rng.randint(60, 80)} 次、安全活动 {rng.randint(10, 14)} 次，"
        "学习了《煤矿安全规程》有关条款和本区队作业规程。"
    )


def _protection(rng: random.Random, c: dict) -> str:
    rows = [
        ["工作服", f"{rng.randint(40, 900)} 套"],
        ["胶靴", f"{rng.randint(40, 900)} 双"],
        ["防尘口罩", f"{rng.randint(300, 9000)} 只"],
        ["手套", f"{rng.randint(300, 9000)} 副"],
    ]
    return paragraphs(f"{c['unit']}{c['label']}劳动保护用品发放情况：") + _table(["品名", "数量"], rows)


def _generic(rng: random.Random, c: dict) -> str:
    return (
        paragraphs(
            f"根据《企务公开管理手册》，现将{c['unit']}{c['label']}“{c['item']}”有关情况公开如下。",
            c["description"] or "具体内容见下表。",
        )
        + _table(
            ["项目", "金额/数量", "说明"],
            [
                ["本期发生", f"{rng.uniform(10, 900):,.1f} 万元", "按年度预算执行"],
                ["累计", f"{rng.uniform(100, 5000):,.1f} 万元", "经领导小组审核"],
            ],
        )
        + paragraphs(CONTACT.format(phone=c["phone"]))
    )


BUILDERS: dict[str, Builder] = {
    "C03-01": _wages,
    "C03-02": _team_bonus,
    "C03-03": _attendance,
    "C02-01": _production,
    "C02-06": _materials,
    "C05-01": _safety,
    "C05-02": _hazards,
    "C05-07": _team_safety,
    "C05-04": _protection,
}


def body(code: str, rng: random.Random, context: dict) -> str:
    return BUILDERS.get(code, _generic)(rng, context)


CORRECTION_REASONS = (
    "表中人均收入数据录入有误，予以更正。",
    "补充公开节支奖励的计算方法。",
    "原公开的完成率计算口径与考核办法不一致，按考核办法更正。",
    "职工反映个别人员工分漏计，核实后更正。",
    "更正联系电话。",
)
CORRECTION_NOTE = "<p>（更正说明：{reason}）</p>"

QUESTIONS = (
    (
        "绩效工资的考核系数是怎么确定的？能否把考核细则也公开？",
        "考核系数按《工资分配管理办法》第十二条执行，细则已张贴在区队公开栏，也可在本单位内网查阅。",
    ),
    ("夜班补贴为什么比上个月少？", "本月夜班天数比上月少三天，夜班补贴按实际夜班天数计发。"),
    ("节支奖励什么时候发放？", "节支奖励随下月工资一并发放。"),
    ("隐患整改的责任人能否具体到个人？", "可以，整改台账已按隐患逐条落实责任人，下期起一并公开。"),
    ("劳保用品的胶靴尺码不全，能否补发？", "已联系供应站补货，缺码的职工请到区队材料员处登记。"),
    ("表中的利润是否包含集团的内部结算？", "包含，内部结算价格按集团年初下达的标准执行。"),
    ("我们班的工分为什么比其他班低？", "工分按当班实际完成工作量计算，明细可到区队核算员处查询。"),
    (
        "困难职工帮扶的申请条件是什么？",
        "申请条件和程序见工会发布的《困难职工帮扶办法》，由本人向所在单位工会提出申请。",
    ),
)
OPINIONS = (
    "建议公开栏的内容同时发到手机上，下井前也能看到。",
    "希望下月起把考核扣分的原因写得更具体一些。",
    "建议增加职工食堂价格和菜品的公开。",
)

# (title, text, decline reason or "", answer title) — the unit is chosen by the loader.
TOPICS = (
    (
        "职工食堂承包合同和饭菜价格",
        "食堂承包后饭菜价格上涨，请公开承包合同的主要条款、价格核定办法和监督方式。",
        "",
        "职工食堂承包合同主要条款和价格核定办法",
    ),
    ("井下班中餐补贴标准", "请公开井下班中餐的补贴标准、供应商和每份餐的成本构成。", "", ""),
    ("职工疗休养安排", "今年的职工疗休养名额如何分配？请公开分配原则和名单。", "", ""),
    (
        "采煤机大修外委费用",
        "采煤机大修为什么外委？请公开外委合同金额和比价过程。",
        "该合同涉及供应商的商业秘密，且招标结果已于上季度在物资采购和招投标情况中公开，不再单独公开合同金额。",
        "",
    ),
    ("单身宿舍维修计划", "单身宿舍漏水多年，请公开今年的维修计划和资金安排。", "", ""),
    ("企业年金个人账户收益", "请公开企业年金去年的投资收益率和个人账户记账方法。", "", ""),
    ("区队材料费考核办法", "材料费节支奖的计算办法大家看不明白，请公开详细的考核办法和计算实例。", "", ""),
    (
        "通勤车线路调整",
        "新区通勤车线路调整后上下班时间不合适，请公开调整的依据。",
        "通勤车线路调整方案正在征求职工意见，定稿后将作为重大事项按程序公开，在此之前不宜公开未定方案。",
        "",
    ),
)

BOARD_PLACES = {
    "company": ("办公楼前广场", "职工食堂门口", "矿区主干道东侧", "职工活动中心门前", "生活区大门"),
    "department": ("机关办公楼一楼大厅", "调度楼一楼", "职工培训中心走廊", "科室办公区走廊", "灯房门口"),
    "section": ("区队学习室", "井口候车室", "班前会议室", "车间门口", "澡堂入口", "班组园地"),
}
PHONES = ("0351-2880", "0352-6031", "0353-7112", "0354-3356", "0355-5520")
