"""The demo group: a deterministic, realistic mining group for demos, tests and benchmarks.

``group`` mirrors the seed document: one group company over 30 base units (a dozen mines, two plants, a
property company, a power company, an institute, a sales company, a diversified-business department,
head-office departments and two project departments away from home), each with sections/workshops and
teams; 21,000 employees; 1,874 representatives in constituencies, 207 of them in the first mine.
``small`` (300 people) is for tests, ``large`` (200,000 people) for benchmarks.

The generator first builds a plan in memory from ``random.Random(seed)`` alone (no clock, no database),
then loads it with bulk inserts only. Unit paths are built here (treebeard materialized paths), so the
tree is inserted without one query per node. Later capabilities extend the demo with their own data.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import transaction

from gongkai.core import ledger
from gongkai.core.choices import Role
from gongkai.core.text import search_key

from .choices import UnitKind
from .models import Constituency, Person, RoleAssignment, Unit

PASSWORD = "gongkai-demo"  # noqa: S105 - the published password of the demo accounts
ADMIN_NO = "admin"
FIRST_EMPLOYEE_NO = 100001
BATCH = 2000


class DemoError(Exception):
    """The demo cannot be loaded (e.g. the database already has data)."""


# --------------------------------------------------------------------------------------------- plan rows


class UnitRow(NamedTuple):
    code: str
    name: str
    kind: str
    parent: str | None
    path: str
    depth: int
    numchild: int


class PersonRow(NamedTuple):
    employee_no: str
    name: str
    unit: str  # unit code
    posts: str
    phone: str
    constituency: str  # constituency code
    is_staff: bool = False


class RoleRow(NamedTuple):
    employee_no: str
    unit: str
    role: str
    title: str


class ConstituencyRow(NamedTuple):
    code: str
    name: str
    unit: str
    representatives: tuple[str, ...]


@dataclass
class Plan:
    scale: str
    seed: int
    units: list[UnitRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    roles: list[RoleRow] = field(default_factory=list)
    constituencies: list[ConstituencyRow] = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "units": len(self.units),
            "base_units": sum(1 for u in self.units if u.depth == 2),
            "people": len(self.people),
            "constituencies": len(self.constituencies),
            "representatives": sum(len(c.representatives) for c in self.constituencies),
            "roles": len(self.roles),
        }

    def digest(self) -> str:
        """SHA-256 over every row of the plan: equal digests mean equal demo data."""
        h = hashlib.sha256()
        for rows in (self.units, self.people, self.roles, self.constituencies):
            for row in rows:
                h.update(repr(tuple(row)).encode())
            h.update(b"|")
        return h.hexdigest()


# --------------------------------------------------------------------------------------------- vocabulary

# Surnames weighted by their approximate share of the population (per mille).
SURNAMES = (
    ("王", 72),
    ("李", 72),
    ("张", 68),
    ("刘", 54),
    ("陈", 46),
    ("杨", 32),
    ("黄", 25),
    ("赵", 23),
    ("吴", 21),
    ("周", 20),
    ("徐", 17),
    ("孙", 16),
    ("马", 15),
    ("朱", 14),
    ("胡", 13),
    ("郭", 12),
    ("何", 12),
    ("高", 11),
    ("林", 11),
    ("罗", 10),
    ("郑", 9),
    ("梁", 9),
    ("谢", 8),
    ("宋", 7),
    ("唐", 7),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 6),
    ("曹", 6),
    ("彭", 5),
    ("曾", 5),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("袁", 4),
    ("潘", 4),
    ("于", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 4),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 3),
    ("谭", 2),
    ("陆", 2),
    ("汪", 2),
    ("范", 2),
    ("金", 2),
    ("石", 2),
    ("廖", 2),
    ("贾", 2),
    ("夏", 2),
    ("韦", 2),
    ("付", 2),
    ("方", 2),
    ("孔", 2),
    ("邹", 2),
    ("侯", 2),
    ("孟", 2),
    ("秦", 2),
    ("欧阳", 1),
    ("司马", 1),
    ("诸葛", 1),
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国志红文斌海波宁庆东亮林凤云飞"
    "俊峰雪梅琳晶欣怡佳颖婷子涵浩宇轩博文瑞祥德福贵成立新春生永金宝山长荣顺利兴旺春燕小雨振家"
)
PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
)
CN_DIGITS = "零一二三四五六七八九"

MINES = (
    "青山煤矿",
    "北岭煤矿",
    "东河煤矿",
    "西坡煤矿",
    "石门煤矿",
    "柳河煤矿",
    "红庙煤矿",
    "白马煤矿",
    "金桥煤矿",
    "龙湾煤矿",
    "泉沟煤矿",
    "松岭煤矿",
)
MINE_FIRST = "青北东西南石红白金龙泉松柳桃杏云峰华明安"
MINE_SECOND = "山岭河坡门庙马桥湾沟林园台峪洼川"
PLANTS = ("机械厂", "二机厂", "支护设备厂", "电机厂", "铸造厂", "工具厂", "水泥厂", "矿灯厂")
DEPARTMENTS = (
    "办公室",
    "组织部",
    "人力资源部",
    "财务部",
    "工会",
    "纪委",
    "安全监察部",
    "企业管理部",
    "信息中心",
)
PROJECTS = (
    "乡三项目部",
    "淮北刘东项目部",
    "榆林项目部",
    "鄂尔多斯项目部",
    "哈密项目部",
    "朔州项目部",
    "六盘水项目部",
    "庆阳项目部",
)

# profile -> (kind, sub-unit names, average sub-unit size)
SUB_UNITS = {
    "mine": (
        (
            "综采一区",
            "掘进一区",
            "机电队",
            "运输队",
            "通风队",
            "综采二区",
            "掘进二区",
            "开拓一区",
            "准备队",
            "安装队",
            "安全科",
            "调度室",
            "生产技术科",
            "机电科",
            "掘进三区",
            "综采三区",
            "开拓二区",
            "巷修队",
            "防治水队",
            "地测科",
        ),
        110,
    ),
    "plant": (
        (
            "机加工车间",
            "铆焊车间",
            "装配车间",
            "铸造车间",
            "热处理车间",
            "电修车间",
            "工具车间",
            "锻压车间",
            "液压支架车间",
            "设备维修车间",
        ),
        90,
    ),
    "property": (("维修队", "绿化队", "保洁队", "供暖站", "供水站", "社区服务中心", "车队"), 50),
    "power": (("发电车间", "变电工区", "输电工区", "调度中心", "检修车间", "供电一工区", "供电二工区"), 60),
    "institute": (
        (
            "采矿研究所",
            "地测研究所",
            "机电研究所",
            "安全技术研究所",
            "环保研究所",
            "信息技术中心",
            "检测中心",
        ),
        40,
    ),
    "sales": (("销售一科", "销售二科", "铁路运输站", "煤质检验站", "储运中心", "港口办事处"), 50),
    "diversified": (("建材分厂", "商贸中心", "农林队", "服务中心", "劳务队"), 50),
    "company": (("工程一处", "工程二处", "机电安装队", "材料站", "经营科"), 60),
    "project": (("施工一队", "施工二队", "机电队", "综合队", "掘进队"), 60),
}
DEPT_SUB_UNITS = {
    "办公室": ("秘书科", "行政科"),
    "组织部": ("干部科", "组织科"),
    "人力资源部": ("劳资科", "培训科"),
    "财务部": ("会计科", "资金科"),
    "工会": ("民主管理部", "宣教文体部"),
    "纪委": ("监督检查室", "案件审理室"),
    "安全监察部": ("监察一科", "监察二科"),
    "企业管理部": ("企管科", "法务科"),
    "信息中心": ("网络科", "软件科"),
}
TEAMS = {
    "mine": ("生产一班", "生产二班", "生产三班", "检修班", "准备班", "运料班"),
    "plant": ("甲班", "乙班", "丙班", "丁班", "戊班", "己班"),
}
DEFAULT_TEAMS = ("一班", "二班", "三班", "四班", "五班", "六班")

LEADERS = {
    "mine": ("矿长", "党委书记", "副矿长", "总工程师"),
    "plant": ("厂长", "党委书记", "副厂长", "总工程师"),
    "institute": ("院长", "党委书记", "副院长", "总工程师"),
    "diversified": ("主任", "党总支书记", "副主任", "副主任"),
    "dept": ("部长", "党支部书记", "副部长", "副部长"),
    "project": ("项目经理", "党支部书记", "副经理", "技术负责人"),
}
COMPANY_LEADERS = ("经理", "党委书记", "副经理", "总会计师")
OFFICE_STAFF = {
    "mine": ("科员", "技术员", "调度员", "安全员", "统计员"),
    "dept": ("科员", "干事", "主任科员"),
}
DEFAULT_OFFICE_STAFF = ("科员", "干事", "统计员", "技术员")

WORKER_POSTS = (  # keyword in the sub-unit name -> posts of its workers
    ("综采", ("采煤工", "采煤工", "支护工", "电钳工", "采煤机司机", "输送机司机")),
    ("掘进", ("掘进工", "掘进工", "支护工", "爆破工", "电钳工", "掘进机司机")),
    ("开拓", ("掘进工", "支护工", "爆破工", "电钳工")),
    ("准备", ("支护工", "掘进工", "电钳工")),
    ("巷修", ("支护工", "巷修工", "电钳工")),
    ("机电", ("电钳工", "机电维修工", "电工", "安装工")),
    ("安装", ("安装工", "电钳工", "起重工")),
    ("运输", ("运输工", "绞车司机", "信号工", "电机车司机")),
    ("通风", ("通风工", "瓦斯检查工", "测风员", "防突工")),
    ("防治水", ("探放水工", "电钳工", "排水工")),
    ("施工", ("掘进工", "支护工", "电钳工", "安全员")),
    ("掘进队", ("掘进工", "支护工", "电钳工")),
    ("车间", ("车工", "铣工", "钳工", "焊工", "电工", "铸造工", "质检员")),
    ("工区", ("变电值班员", "输电线路工", "电气检修工")),
    ("研究所", ("工程师", "助理工程师", "研究员", "技术员")),
    ("维修", ("维修工", "水电工", "管理员")),
    ("绿化", ("绿化工", "管理员")),
    ("保洁", ("保洁员", "管理员")),
    ("销售", ("销售员", "统计员")),
    ("运输站", ("调运员", "装车工")),
    ("检验", ("化验员", "采样工")),
    ("科", ("科员", "技术员", "干事")),
    ("室", ("科员", "技术员", "调度员")),
    ("中心", ("管理员", "技术员", "工程师")),
)
DEFAULT_WORKERS = ("生产工", "管理员", "技术员")


@dataclass(frozen=True)
class BaseSpec:
    name: str
    kind: str
    profile: str
    weight: float


def _catalogue(scale: str, rng: random.Random) -> list[BaseSpec]:
    """The base units of a scale, in code order (the first mine first)."""
    if scale == "small":
        return [
            BaseSpec("青山煤矿", UnitKind.MINE, "mine", 95),
            BaseSpec("北岭煤矿", UnitKind.MINE, "mine", 80),
            BaseSpec("机械厂", UnitKind.PLANT, "plant", 45),
            BaseSpec("物业公司", UnitKind.COMPANY, "property", 30),
            BaseSpec("办公室", UnitKind.DEPARTMENT, "dept", 25),
            BaseSpec("工会", UnitKind.DEPARTMENT, "dept", 25),
            BaseSpec("乡三项目部", UnitKind.PROJECT, "project", 25),
        ]
    large = scale == "large"
    mines = list(MINES)
    if large:
        extra = [a + b + "煤矿" for a in MINE_FIRST for b in MINE_SECOND]
        extra = [m for m in extra if m not in mines]
        rng.shuffle(extra)
        mines += extra[: 60 - len(mines)]
    specs = [
        BaseSpec(m, UnitKind.MINE, "mine", 2300 if i == 0 else rng.uniform(1000, 1600))
        for i, m in enumerate(mines)
    ]
    specs += [
        BaseSpec(p, UnitKind.PLANT, "plant", 1000 if i == 0 else rng.uniform(600, 900))
        for i, p in enumerate(PLANTS[: 8 if large else 2])
    ]
    specs += [
        BaseSpec("物业公司", UnitKind.COMPANY, "property", 600),
        BaseSpec("电力公司", UnitKind.COMPANY, "power", 500),
    ]
    if large:
        specs += [
            BaseSpec("建筑安装公司", UnitKind.COMPANY, "company", 700),
            BaseSpec("铁路运输公司", UnitKind.COMPANY, "company", 600),
        ]
    specs += [BaseSpec("煤炭科学研究院", UnitKind.INSTITUTE, "institute", 350)]
    if large:
        specs += [BaseSpec("设计研究院", UnitKind.INSTITUTE, "institute", 300)]
    specs += [
        BaseSpec("运销公司", UnitKind.COMPANY, "sales", 400),
        BaseSpec("多种经营部", UnitKind.OFFICE, "diversified", 300),
    ]
    specs += [BaseSpec(d, UnitKind.DEPARTMENT, "dept", rng.uniform(25, 60)) for d in DEPARTMENTS]
    specs += [
        BaseSpec(p, UnitKind.PROJECT, "project", rng.uniform(250, 320)) for p in PROJECTS[: 8 if large else 2]
    ]
    return specs


SCALES = {  # scale -> (people, representatives, representatives of the first mine or None)
    "small": (300, 27, None),
    "group": (21_000, 1_874, 207),
    "large": (200_000, 17_860, None),
}


# --------------------------------------------------------------------------------------------- helpers


def _allocate(total: int, weights: list[float], minimum: int = 0, caps: list[int] | None = None) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each share at least `minimum` and at
    most its cap."""
    n = len(weights)
    if not n:
        return []
    base = [minimum] * n
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total too small for the minimum")
    wsum = float(sum(weights)) or 1.0
    quotas = [rest * w / wsum for w in weights]
    shares = [int(q) for q in quotas]
    left = rest - sum(shares)
    order = sorted(range(n), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    result = [b + s for b, s in zip(base, shares, strict=True)]
    if caps is not None:
        overflow = 0
        for i in range(n):
            if result[i] > caps[i]:
                overflow += result[i] - caps[i]
                result[i] = caps[i]
        for i in sorted(range(n), key=lambda i: (-(caps[i] - result[i]), i)):
            if not overflow:
                break
            room = min(caps[i] - result[i], overflow)
            result[i] += room
            overflow -= room
        if overflow:
            raise ValueError("caps too small for the total")
    return result


def _cn(n: int) -> str:
    """Chinese numeral for 1..99."""
    tens, ones = divmod(n, 10)
    if not tens:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def _sub_names(profile: str, base_name: str, count: int) -> list[str]:
    if profile == "dept":
        names = list(DEPT_SUB_UNITS.get(base_name, ("综合科", "业务科")))
    else:
        names = list(SUB_UNITS[profile][0])
    stems = (("掘进", "区"), ("综采", "区"), ("开拓", "区")) if profile == "mine" else (("第", "工区"),)
    n = 1
    while len(names) < count:  # more sections than the list: numbered ones, alternating the big trades
        for stem, suffix in stems:
            candidate = f"{stem}{_cn(n)}{suffix}"
            if candidate not in names:
                names.append(candidate)
        n += 1
    return names[:count]


def _sub_kind(name: str) -> str:
    return UnitKind.WORKSHOP if name.endswith("车间") else UnitKind.SECTION


def _sub_leaders(name: str) -> tuple[str, ...]:
    if name.endswith("车间"):
        return ("车间主任", "党支部书记", "技术员")
    if name.endswith("科"):
        return ("科长", "副科长", "科员")
    if name.endswith(("室", "中心", "站", "所", "处")):
        return ("主任", "副主任", "技术员")
    return ("区队长", "党支部书记", "技术员")


def _workers(name: str, profile: str) -> tuple[str, ...]:
    for keyword, posts in WORKER_POSTS:
        if keyword in name:
            return posts
    if profile == "power":
        return ("变电值班员", "电气检修工", "调度员")
    if profile == "property":
        return ("维修工", "保洁员", "绿化工", "水电工")
    return DEFAULT_WORKERS


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = [s for s, _w in SURNAMES]
        self.cum = []
        total = 0
        for _s, w in SURNAMES:
            total += w
            self.cum.append(total)

    def name(self) -> str:
        rng = self.rng
        surname = rng.choices(self.surnames, cum_weights=self.cum)[0]
        given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
        return surname + given

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


# --------------------------------------------------------------------------------------------- the plan


class _Builder:
    def __init__(self, scale: str, seed: int):
        if scale not in SCALES:
            raise DemoError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
        self.rng = random.Random(seed)
        self.names = _Names(self.rng)
        self.plan = Plan(scale=scale, seed=seed)
        self.next_no = FIRST_EMPLOYEE_NO
        self.children: dict[str | None, list[tuple[str, str, str]]] = {}  # parent -> [(code, name, kind)]
        self.members: dict[str, list[int]] = {}  # constituency code -> indexes into plan.people

    def add_unit(self, parent: str | None, code: str, name: str, kind: str) -> str:
        self.children.setdefault(parent, []).append((code, name, str(kind)))
        return code

    def add_person(
        self, unit: str, posts: str, constituency: str, employee_no: str | None = None, is_staff: bool = False
    ) -> str:
        if employee_no is None:
            employee_no = str(self.next_no)
            self.next_no += 1
        self.members.setdefault(constituency, []).append(len(self.plan.people))
        self.plan.people.append(
            PersonRow(employee_no, self.names.name(), unit, posts, self.names.phone(), constituency, is_staff)
        )
        return employee_no

    def role(self, employee_no: str, unit: str, role: str, title: str = "") -> None:
        self.plan.roles.append(RoleRow(employee_no, unit, str(role), title))

    def build(self) -> Plan:
        rng = self.rng
        people_total, reps_total, first_mine_reps = SCALES[self.plan.scale]
        root = self.add_unit(None, "G", "集团公司", UnitKind.GROUP)
        specs = _catalogue(self.plan.scale, rng)
        sizes = _allocate(people_total, [s.weight for s in specs], minimum=20)
        dept_names = {s.name for s in specs if s.profile == "dept"}

        def host(*candidates: str) -> str:
            return next(c for c in candidates if c in dept_names)

        # Group-level posts held by people of the head-office departments: (dept, post, roles on the root).
        group_posts = [
            (host("办公室"), "党委书记、董事长", [(Role.LEADING_GROUP, "企务公开领导小组组长")]),
            (host("办公室"), "总经理", [(Role.LEADING_GROUP, "企务公开领导小组副组长")]),
            (
                host("工会", "办公室"),
                "工会主席",
                [(Role.UNION, "工会主席"), (Role.LEADING_GROUP, "企务公开领导小组副组长")],
            ),
            (
                host("纪委", "办公室"),
                "纪委书记",
                [(Role.DISCIPLINE, "纪委书记"), (Role.LEADING_GROUP, "企务公开领导小组成员")],
            ),
            (
                host("组织部", "办公室"),
                "组织部部长",
                [(Role.LEADING_GROUP, "企务公开领导小组成员（组织部）")],
            ),
            (host("信息中心", "办公室"), "系统管理员", [(Role.ADMIN, "系统管理员")]),
        ]
        for i, (spec, size) in enumerate(zip(specs, sizes, strict=True), start=1):
            code = self.add_unit(root, f"G{i:02d}", spec.name, spec.kind)
            mine = [(post, roles) for dept, post, roles in group_posts if dept == spec.name]
            self.base_unit(spec, code, size, mine, root)
        self.representatives(reps_total, first_mine_reps)
        self.paths()
        return self.plan

    def base_unit(self, spec: BaseSpec, code: str, size: int, group_posts: list, root: str) -> None:
        rng = self.rng
        profile = spec.profile
        office_constituency = f"XQ-{code}-00"
        slots = 11 + len(group_posts)  # the eleven local posts below, then the office staff
        if profile == "dept":
            direct = max(slots, size - max(2, round(size * 0.35)))
        else:
            direct = max(slots, round(size * 0.04))
        direct = min(direct, size - 2)
        rest = size - direct

        # people of the base unit itself (its leaders and office)
        office: list[str] = []
        for post, roles in group_posts:
            no = self.add_person(
                code,
                post,
                office_constituency,
                employee_no=ADMIN_NO if post == "系统管理员" else None,
                is_staff=post == "系统管理员",
            )
            for role, title in roles:
                self.role(no, root, role, title)
        leaders = LEADERS.get(profile, COMPANY_LEADERS)
        local = list(leaders) + [
            "工会主席",
            "纪委书记",
            "企务公开干事",
            "办公室主任",
            "经营管理科科长",
            "内审员" if profile == "mine" else "主任科员",
            "信息管理员",
        ]
        staff = OFFICE_STAFF.get(profile, DEFAULT_OFFICE_STAFF)
        for j in range(direct - len(group_posts)):
            office.append(
                self.add_person(code, local[j] if j < len(local) else rng.choice(staff), office_constituency)
            )
        n_leading = rng.randint(2, 4)
        titles = [
            "企务公开领导小组组长",
            "企务公开领导小组副组长",
            "企务公开领导小组成员",
            "企务公开领导小组成员",
        ]
        for j in range(n_leading):
            self.role(office[j], code, Role.LEADING_GROUP, titles[j])
        self.role(office[4], code, Role.UNION, "工会主席")
        self.role(office[6], code, Role.DISCLOSURE_OFFICER, "公开责任人")
        self.role(office[7], code, Role.HANDLER, "承办人（办公室）")
        if rng.random() < 0.5:
            self.role(office[8], code, Role.HANDLER, "承办人（经营管理科）")
        if profile == "mine":
            self.role(office[9], code, Role.INTERNAL_AUDITOR, "内审员")
        self.role(office[10], code, Role.ADMIN, "单位信息管理员")

        # sections / workshops, and teams under the bigger ones
        avg = 8 if profile == "dept" else SUB_UNITS[profile][1]
        n_sub = max(1 if profile == "dept" and rest < 4 else 2, min(99, round(rest / avg)))
        if profile == "dept":
            n_sub = min(n_sub, 2)
        names = _sub_names(profile, spec.name, n_sub)
        sub_sizes = _allocate(rest, [rng.uniform(0.6, 1.4) for _ in names], minimum=1)
        for k, (name, sub_size) in enumerate(zip(names, sub_sizes, strict=True), start=1):
            sub = self.add_unit(code, f"{code}-{k:02d}", name, _sub_kind(name))
            constituency = f"XQ-{sub}"
            heads = _sub_leaders(name)
            workers = _workers(name, profile)
            if profile == "dept" or sub_size < 24:
                for j in range(sub_size):
                    self.add_person(sub, heads[j] if j < len(heads) else rng.choice(workers), constituency)
                continue
            for post in heads:
                self.add_person(sub, post, constituency)
            n_teams = min(6, max(2, sub_size // 25))
            team_names = TEAMS.get(profile, DEFAULT_TEAMS)
            team_sizes = _allocate(
                sub_size - len(heads), [rng.uniform(0.8, 1.2) for _ in range(n_teams)], minimum=1
            )
            for t, team_size in enumerate(team_sizes, start=1):
                team = self.add_unit(sub, f"{sub}-{t:02d}", team_names[t - 1], UnitKind.TEAM)
                for j in range(team_size):
                    self.add_person(team, "班长" if j == 0 else rng.choice(workers), constituency)

    def representatives(self, total: int, first_mine: int | None) -> None:
        """Constituencies with their representatives: `total` in all, `first_mine` of them in G01."""
        units = {code: (name, parent) for parent, kids in self.children.items() for code, name, _k in kids}
        codes = list(self.members)
        groups: list[tuple[list[str], int]]
        if first_mine is None:
            groups = [(codes, total)]
        else:
            inside = [c for c in codes if c.startswith("XQ-G01-")]
            groups = [(inside, first_mine), ([c for c in codes if c not in inside], total - first_mine)]
        counts: dict[str, int] = {}
        for group, target in groups:
            sizes = [len(self.members[c]) for c in group]
            for c, n in zip(group, _allocate(target, sizes, minimum=1, caps=sizes), strict=True):
                counts[c] = n
        for c in codes:
            unit = c[3:-3] if c.endswith("-00") else c[3:]
            unit_name = units[unit][0]
            base_name = unit_name if c.endswith("-00") else units[units[unit][1]][0]
            name = f"{base_name}机关选区" if c.endswith("-00") else f"{base_name}{unit_name}选区"
            chosen = sorted(self.rng.sample(self.members[c], counts[c]))
            reps = tuple(self.plan.people[i].employee_no for i in chosen)
            for i in chosen:
                p = self.plan.people[i]
                self.role(p.employee_no, p.unit, Role.REPRESENTATIVE, "职工代表")
            self.plan.constituencies.append(ConstituencyRow(c, name, unit, reps))

    def paths(self) -> None:
        """Materialized paths in code order, as treebeard would have built them with sorted insertion."""
        rows = self.plan.units

        def walk(parent: str | None, parent_path: str, depth: int) -> None:
            for step, (code, name, kind) in enumerate(sorted(self.children.get(parent, [])), start=1):
                path = Unit._get_path(parent_path, depth, step)
                rows.append(UnitRow(code, name, kind, parent, path, depth, len(self.children.get(code, []))))
                walk(code, path, depth + 1)

        walk(None, "", 1)


def plan(scale: str, seed: int) -> Plan:
    """The demo data of a scale and seed, in memory. Same arguments, same plan."""
    return _Builder(scale, seed).build()


# --------------------------------------------------------------------------------------------- loading


def has_data() -> bool:
    return Unit.objects.exists() or Person.objects.exists()


def _chunks(rows: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


@transaction.atomic
def load(demo: Plan) -> dict:
    """Insert a plan into an empty database with bulk inserts only; one ledger entry at the end."""
    if has_data():
        raise DemoError("the database already has units or people; load the demo into a fresh database")
    for rows in _chunks(demo.units):
        Unit.objects.bulk_create(
            [
                Unit(code=u.code, name=u.name, kind=u.kind, path=u.path, depth=u.depth, numchild=u.numchild)
                for u in rows
            ],
            batch_size=BATCH,
        )
    unit_ids = dict(Unit.objects.values_list("code", "pk"))
    for rows in _chunks(demo.constituencies):
        Constituency.objects.bulk_create(
            [Constituency(code=c.code, name=c.name, unit_id=unit_ids[c.unit]) for c in rows], batch_size=BATCH
        )
    constituency_ids = dict(Constituency.objects.values_list("code", "pk"))
    password = make_password(PASSWORD)  # one hash for every demo account
    for rows in _chunks(demo.people):
        Person.objects.bulk_create(
            [
                Person(
                    employee_no=p.employee_no,
                    name=p.name,
                    unit_id=unit_ids[p.unit],
                    posts=p.posts,
                    phone=p.phone,
                    constituency_id=constituency_ids[p.constituency],
                    password=password,
                    is_staff=p.is_staff,
                    search_text=search_key(f"{p.name} {p.employee_no}"),
                )
                for p in rows
            ],
            batch_size=BATCH,
        )
    person_ids = dict(Person.objects.values_list("employee_no", "pk"))
    for rows in _chunks(demo.roles):
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(
                    person_id=person_ids[r.employee_no], unit_id=unit_ids[r.unit], role=r.role, title=r.title
                )
                for r in rows
            ],
            batch_size=BATCH,
        )
    through = Constituency.representatives.through
    links = [
        through(constituency_id=constituency_ids[c.code], person_id=person_ids[no])
        for c in demo.constituencies
        for no in c.representatives
    ]
    for rows in _chunks(links):
        through.objects.bulk_create(rows, batch_size=BATCH)
    counts = demo.counts()
    ledger.record(
        "org.seed_demo",
        actor=None,
        object_type="org.demo",
        change={"scale": demo.scale, "seed": demo.seed, "counts": counts},
    )
    return counts


def seed(scale: str, seed: int) -> dict:
    """Generate and load the demo group of a scale; returns the counts of what was created."""
    return load(plan(scale, seed))


# --------------------------------------------------------------------------------------------- logins

LOGIN_ROLES = (
    Role.EMPLOYEE,
    Role.REPRESENTATIVE,
    Role.DISCLOSURE_OFFICER,
    Role.LEADING_GROUP,
    Role.UNION,
    Role.ADMIN,
)


def demo_logins() -> list[tuple[str, str, str, str]]:
    """One demo login per role, found in the database: (role, employee number, name, unit name).

    The role is a `Role` value. Employee (a team member without any role), representative, disclosure officer and leading-group member are
    the first (by employee number) of their kind in the first mine; the union chair is the group's; the
    system admin is the account "admin" (Role.ADMIN on the root). All share the password `PASSWORD`.
    """
    mine = Unit.objects.filter(kind=UnitKind.MINE).order_by("path").first()
    root = Unit.objects.filter(depth=1).order_by("path").first()
    if mine is None or root is None:
        return []
    found: list[tuple[str, Person | None]] = []
    employee = (
        Person.objects.filter(
            unit__path__startswith=mine.path, unit__kind=UnitKind.TEAM, is_active=True, roles__isnull=True
        )
        .select_related("unit")
        .order_by("employee_no")
        .first()
    )
    found.append((Role.EMPLOYEE, employee))

    def holder(role: str, **where) -> Person | None:
        ra = (
            RoleAssignment.objects.filter(role=role, person__is_active=True, **where)
            .select_related("person__unit")
            .order_by("person__employee_no")
            .first()
        )
        return ra.person if ra else None

    found.append((Role.REPRESENTATIVE, holder(Role.REPRESENTATIVE, unit__path__startswith=mine.path)))
    found.append((Role.DISCLOSURE_OFFICER, holder(Role.DISCLOSURE_OFFICER, unit=mine)))
    found.append((Role.LEADING_GROUP, holder(Role.LEADING_GROUP, unit=mine)))
    found.append((Role.UNION, holder(Role.UNION, unit=root)))
    admin = Person.objects.filter(employee_no=ADMIN_NO).select_related("unit").first()
    found.append((Role.ADMIN, admin or holder(Role.ADMIN, unit=root)))
    return [(str(role), p.employee_no, p.name, p.unit.name if p.unit else "") for role, p in found if p]
