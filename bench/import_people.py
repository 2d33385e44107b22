"""Benchmark: import 20,000 people from an .xlsx file — wall time and peak memory.

    .venv/bin/python bench/import_people.py [--rows 20000] [--database-url URL]

Sets up its own throwaway database: by default a SQLite file under var/bench/ (deleted and recreated); with
--database-url postgres://USER@HOST:PORT/DB it creates a new database named gongkai_bench_import on that server,
and drops it at the end. Runs the migrations, builds a group of 31 units, writes a workbook of plausible
people under var/bench/ and measures, separately:

1. a first import (everyone added): parse + validate + plan, then apply, wall time (no tracing);
2. the same import again on a fresh table, under tracemalloc: peak Python allocations and query counts;
3. a full re-import where 10% of the rows changed and 5% of the people are missing (updated / deactivated).

Peak RSS (getrusage maxrss) is the whole process's peak so far; it is printed after pass 1 and at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from _common import PROJECT, VAR_DIR, delete_sqlite, scratch_postgres

PG_NAME = "gongkai_bench_import"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海燕文斌宇浩凯鹏飞波辉俊峰亮成林东雪晶婷欣怡佳琳子涵宁博"
POSTS = [
    "采煤机司机",
    "支架工",
    "运输机司机",
    "掘进机司机",
    "电钳工",
    "瓦斯检查员",
    "安全员",
    "班长",
    "技术员",
    "调度员",
    "化验员",
    "材料员",
    "维修工",
    "通风工",
    "爆破工",
    "皮带司机",
    "绞车司机",
    "信号工",
    "水泵工",
]
MINES = [("一矿", "M1"), ("二矿", "M2"), ("三矿", "M3"), ("洗选厂", "P1"), ("机电总厂", "P2")]
SECTIONS = ["综采一区", "综采二区", "掘进一区", "机电科", "运输区"]
MOBILE_PREFIXES = [
    *(f"13{d}" for d in range(10)),
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    *(f"18{d}" for d in range(10)),
    "177",
    "199",
]


def mb(n_bytes: float) -> str:
    return f"{n_bytes / 1024 / 1024:,.1f} MB"


def maxrss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports KiB


def prepare_database(url: str | None) -> tuple[str, str | None]:
    """(DATABASE_URL to use, server URL to drop the database from at the end)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not url:
        path = VAR_DIR / "import_people.sqlite3"
        delete_sqlite(path)
        return f"sqlite:///{path}", None
    return scratch_postgres(url, PG_NAME, reuse=False)[0], url


def drop_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def build_group():
    from gongkai.org.models import Person, Unit

    root = Unit.objects.add_root({"code": "G", "name": "集团公司", "kind": "group"})
    paths = []
    for mine_name, mine_code in MINES:
        mine = Unit.objects.add_child(
            Unit.objects.get(pk=root.pk), {"code": mine_code, "name": mine_name, "kind": "mine"}
        )
        for i, section in enumerate(SECTIONS, start=1):
            Unit.objects.add_child(
                Unit.objects.get(pk=mine.pk),
                {"code": f"{mine_code}{i:02d}", "name": section, "kind": "section"},
            )
            paths.append(f"集团公司/{mine_name}/{section}")
    admin = Person.objects.create_superuser("admin", "管理员", password=None, unit=Unit.objects.get(code="G"))
    return admin, paths


def make_rows(n: int, unit_paths: list[str], rng: random.Random) -> list[list[str]]:
    rows = []
    for i in range(n):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        email = f"e{i:06d}@example.cn" if i % 3 == 0 else ""
        rows.append([f"E{i + 1:06d}", name, unit_paths[i % len(unit_paths)], rng.choice(POSTS), phone, email])
    return rows


def write_xlsx(path: Path, rows: list[list[str]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("人员")
    sheet.append(["工号", "姓名", "单位路径", "岗位", "电话", "邮箱"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path.read_bytes()


def timed_import(data: bytes, actor, *, full: bool, filename: str) -> dict:
    from gongkai.org import actions, importing

    t0 = time.perf_counter()
    plan = importing.build_people_plan(data, actor=actor, full=full, filename=filename)
    t1 = time.perf_counter()
    assert plan.ok, plan.errors[:5]
    counts = actions.apply_people_import(actor=actor, plan=plan, full=full)
    t2 = time.perf_counter()
    return {"plan": t1 - t0, "apply": t2 - t1, "total": t2 - t0, "counts": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server URL; the benchmark creates and drops its own database there",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    database_url, server_url = prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    sys.path.insert(0, str(PROJECT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongkai.org import actions, importing
    from gongkai.org.models import Person

    try:
        call_command("migrate", verbosity=0, interactive=False)
        admin, unit_paths = build_group()
        rng = random.Random(args.seed)
        rows = make_rows(args.rows, unit_paths, rng)
        xlsx_path = VAR_DIR / f"people_{args.rows}.xlsx"
        data = write_xlsx(xlsx_path, rows)
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print(
            f"file: {xlsx_path.relative_to(PROJECT)} — {args.rows:,} rows, {mb(len(data))}, "
            f"{len(unit_paths) + 6} units"
        )
        print(f"peak RSS before the import: {mb(maxrss_bytes())}")

        # 1. first import, timed without tracing
        first = timed_import(data, admin, full=False, filename=xlsx_path.name)
        rss_after_first = maxrss_bytes()
        print(f"\n1. first import ({first['counts']['added']:,} added)")
        print(f"   parse + validate + plan: {first['plan']:6.2f} s")
        print(f"   apply (bulk write):      {first['apply']:6.2f} s")
        print(
            f"   total:                   {first['total']:6.2f} s   ({args.rows / first['total']:,.0f} rows/s)"
        )
        print(f"   peak RSS of the process: {mb(rss_after_first)}")

        # 2. the same import on a fresh table, traced: Python allocation peaks and query counts
        Person.objects.filter(employee_no__startswith="E").delete()
        tracemalloc.start()
        with CaptureQueriesContext(connection) as plan_queries:
            plan = importing.build_people_plan(data, actor=admin, full=False, filename=xlsx_path.name)
        _, plan_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with CaptureQueriesContext(connection) as apply_queries:
            actions.apply_people_import(actor=admin, plan=plan, full=False)
        _, apply_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del plan
        print("\n2. same import, under tracemalloc (slower; for memory only)")
        print(
            f"   plan:  peak Python allocations {mb(plan_peak)}, {len(plan_queries.captured_queries)} queries"
        )
        print(
            f"   apply: peak Python allocations {mb(apply_peak)} (plan held in memory), "
            f"{len(apply_queries.captured_queries)} queries"
        )

        # 3. full re-import: 10% changed, 5% missing
        changed_rows = [list(r) for r in rows]
        for row in rng.sample(changed_rows, len(rows) // 10):
            row[3] = rng.choice(POSTS) + "（兼）"
            row[4] = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        missing = set(rng.sample(range(len(changed_rows)), len(rows) // 20))
        changed_rows = [r for i, r in enumerate(changed_rows) if i not in missing]
        reimport_path = VAR_DIR / f"people_{args.rows}_reimport.xlsx"
        reimport = write_xlsx(reimport_path, changed_rows)
        third = timed_import(reimport, admin, full=True, filename=reimport_path.name)
        c = third["counts"]
        print(
            f"\n3. full re-import ({c['changed']:,} changed, {c['deactivated']:,} deactivated, "
            f"{c['unchanged']:,} unchanged)"
        )
        print(f"   parse + validate + plan: {third['plan']:6.2f} s")
        print(f"   apply (bulk write):      {third['apply']:6.2f} s")
        print(f"   total:                   {third['total']:6.2f} s")
        print(f"\npeak RSS of the process at the end: {mb(maxrss_bytes())}")
        assert Person.objects.filter(is_active=False).count() == c["deactivated"]
    finally:
        connection.close()
        if server_url:
            drop_database(server_url)


if __name__ == "__main__":
    main()
