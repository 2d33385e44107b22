"""Disclosure benchmark: 1,000,000 published disclosures across the `large` group, served by gunicorn on PostgreSQL.

    .venv/bin/python bench/disclosures.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
        [--reuse] [--count 1000000] [--duration 30] [--concurrency 32] [--workers 4]
        [--worker-class sync|gthread] [--threads 4]

Uses its own database, gongkai_bench_disclosures, created next to the one named in --database-url (dropped and
recreated unless --reuse finds it seeded). Seeding (about 15 minutes on 2 cores):

1. the `large` demo group (200,000 people), the standard catalog and the schedule of the current year;
2. the disclosures, with PostgreSQL COPY in batches of 100,000: one for each schedule entry already due that was
   fulfilled (85 % on time, 10 % late), a few published early, and — to reach --count — the disclosures of the
   same units and items in the years before (no schedule entries for those); each with its published version
   (bodies from the demo's texts), the schedule's publication dates, then ANALYZE;
3. every version in the transparency log (`tlog.append_many`, leaf bytes from `logleaf.leaves_of`) and a
   signed tree head — timed separately (pass --no-log to skip it, e.g. to re-seed quickly).

Then it measures two pages, each first in-process (status, SQL query count with CaptureQueriesContext, a single
request's time) and then under load through bench/http_load.py: gunicorn (gongkai.wsgi, --workers sync
workers by default; see http_load.py for the choice) against the database and --concurrency connections for
--duration seconds after a warm-up:

- an employee's board, first page, filtered by a category: /disclosures/?category=<C03 职工切身利益>, as an
  ordinary team member of the first mine;
- the compliance dashboard of the whole group for the current year: /disclosures/compliance/<root>/?year=Y, as
  the group's union chair.

Benchmark data stays out of git: the scratch database, and gunicorn's log in var/bench/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

from _common import PROJECT, add_load_options, http_bench_parser, prepare_http_database, step

BENCH_DB = "gongkai_bench_disclosures"
BATCH = 100_000
sys.path.insert(0, str(PROJECT / "src"))


def parse_args() -> argparse.Namespace:
    parser = http_bench_parser(__doc__, count=1_000_000, count_help="published disclosures to create")
    parser.add_argument("--no-log", action="store_true", help="do not put the versions in the log")
    add_load_options(parser)
    return parser.parse_args()


# ------------------------------------------------------------------------------------------------- seeding


def seed(args: argparse.Namespace) -> None:
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from gongkai.disclosures import demo, demo_texts
    from gongkai.disclosures.catalog import load_standard_catalog
    from gongkai.disclosures.catalog_actions import generate_schedule, period_bounds
    from gongkai.disclosures.models import CatalogItem, Disclosure, DisclosureVersion, ScheduleEntry
    from gongkai.disclosures.sanitize import body_text
    from gongkai.org import demo as org_demo

    rng = random.Random(args.seed)
    today = timezone.localdate()
    t0 = started = time.perf_counter()
    counts = org_demo.seed("large", args.seed)
    started = step(f"large group: {counts['units']:,} units, {counts['people']:,} people", started)
    load_standard_catalog(actor=None)
    generate_schedule(None, None, today.year)
    entries = list(
        ScheduleEntry.objects.order_by("pk").values_list(
            "pk", "unit_id", "item_id", "period", "period_end", "due_date"
        )
    )
    started = step(f"catalog and the {today.year} schedule: {len(entries):,} entries", started)

    org = demo._org()
    items = {i.pk: i for i in CatalogItem.objects.all()}
    unit_codes = {pk: u.code for pk, u in org.units.items()}
    category_codes = {i.pk: i.category.code for i in CatalogItem.objects.select_related("category")}
    authors: dict[int, tuple[int, int]] = {}

    def author(unit_id: int) -> tuple[int, int]:
        if unit_id not in authors:
            authors[unit_id] = org.authors(unit_id)
        return authors[unit_id]

    # What to publish: (unit, item, entry or None, period, day)
    plan: list[tuple[int, int, int | None, str, dt.date]] = []
    yesterday = today - dt.timedelta(days=1)
    for pk, unit_id, item_id, period, period_end, due in entries:
        if due < today:
            r = rng.random()
            if r < 0.85:
                day = period_end + dt.timedelta(days=rng.randint(1, max(1, (due - period_end).days)))
            elif r < 0.95 and due < yesterday:
                day = min(due + dt.timedelta(days=rng.randint(1, 25)), yesterday)
            else:
                continue
        elif period_end < yesterday and rng.random() < 0.5:
            day = period_end + dt.timedelta(days=rng.randint(1, (yesterday - period_end).days))
        else:
            continue
        plan.append((unit_id, item_id, pk, period, day))
    scheduled = len(plan)
    pairs = sorted({(unit_id, item_id) for _pk, unit_id, item_id, *_rest in entries})
    year = today.year
    while len(plan) < args.count:
        year -= 1
        for unit_id, item_id in pairs:
            item = items[item_id]
            for period, _start, end in period_bounds(item.frequency, year):
                if len(plan) >= args.count:
                    break
                day = end + dt.timedelta(days=rng.randint(1, max(1, item.due_days)))
                plan.append((unit_id, item_id, None, period, day))
    del plan[args.count :]
    plan.sort(key=lambda p: (p[4], p[0], p[1]))
    started = step(
        f"plan: {len(plan):,} disclosures ({scheduled:,} of this year's schedule, the rest back to {year})",
        started,
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM disclosures_disclosure")
        first_disclosure = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM disclosures_disclosureversion")
        first_version = cursor.fetchone()[0] + 1
    d_columns = (
        "id, created_at, updated_at, unit_id, audience_id, category_id, item_id, schedule_entry_id, period, "
        "status, is_public, draft_title, draft_body, draft_reason, channels, board_numbers, created_by_id, "
        "last_edited_by_id, current_version_id, title, published_at, updated_version_at, withdrawn_reason, "
        "search_text, revision"
    )
    v_columns = (
        "id, disclosure_id, number, title, body, reason, attachments, unit_code, audience_code, "
        "category_code, period, published_at, published_by_id, approved_by_id"
    )
    # one body per unit and item (renewed now and then), numbers varied by the demo's text builders
    bodies: dict[tuple[int, int], tuple[str, str]] = {}
    for start in range(0, len(plan), BATCH):
        chunk = plan[start : start + BATCH]
        d_rows, v_rows = [], []
        for n, (unit_id, item_id, entry_id, period, day) in enumerate(chunk, start=start):
            item = items[item_id]
            unit = org.units[unit_id]
            creator, approver = author(unit_id)
            label = demo_texts.period_label(period)
            title = f"{demo._unit_label(org, unit)}{label}{item.title}"
            key = (unit_id, item_id)
            if key not in bodies or rng.random() < 0.02:
                body = demo_texts.body(item.code, rng, demo._context(org, unit, item, label, rng))
                bodies[key] = (body, body_text(body))
            body, text = bodies[key]
            at = demo._at(rng, day)
            pk, version = first_disclosure + n, first_version + n
            search = demo._key(f"{title}\n{text}")
            d_rows.append(
                (pk, at, at, unit_id, unit_id, item.category_id, item_id, entry_id, period, "published", True)
                + (title, body, "", '["web", "board"]', "", creator, creator, version, title, at, at, "")
                + (search, 1)
            )
            code = unit_codes[unit_id]
            v_rows.append(
                (version, pk, 1, title, body, "", "[]", code, code, category_codes[item_id], period, at)
                + (approver, approver)
            )
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's cursor, for COPY
            with raw.copy(f"COPY disclosures_disclosure ({d_columns}) FROM STDIN") as copy:
                for d_row in d_rows:
                    copy.write_row(d_row)
            with raw.copy(f"COPY disclosures_disclosureversion ({v_columns}) FROM STDIN") as copy:
                for v_row in v_rows:
                    copy.write_row(v_row)
        started = step(f"COPY disclosures {start + 1:,}–{start + len(chunk):,}", started)
    with connection.cursor() as cursor:
        for model in (Disclosure, DisclosureVersion):
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
        cursor.execute(
            "UPDATE disclosures_scheduleentry AS e SET published_on = (d.published_at AT TIME ZONE %s)::date "
            "FROM disclosures_disclosure AS d WHERE d.schedule_entry_id = e.id",
            ["Asia/Shanghai"],
        )
        started = step("schedule: publication dates", started)
        cursor.execute("VACUUM ANALYZE")
    started = step("VACUUM ANALYZE", started)
    if not args.no_log:
        log_all(first_version, len(plan))
        started = time.perf_counter()
    print(f"seeded in {time.perf_counter() - t0:.0f} s")


def log_all(first_version: int, count: int) -> None:
    """Every version into the transparency log, timed: leaf bytes from the database, then append_many."""
    from django.db import transaction

    from gongkai.core import tlog
    from gongkai.disclosures.logleaf import OBJECT_TYPE, leaves_of

    started = time.perf_counter()
    chunk = 20_000
    logged = 0
    for start in range(first_version, first_version + count, chunk):
        ids = [str(pk) for pk in range(start, min(start + chunk, first_version + count))]
        leaves = leaves_of(ids)
        with transaction.atomic():
            logged += len(tlog.append_many((OBJECT_TYPE, i, leaves[i]) for i in ids))
        if logged % 200_000 == 0:
            rate = logged / (time.perf_counter() - started)
            print(f"  log: {logged:,} leaves ({rate:,.0f} per second)", flush=True)
    head = tlog.sign_tree_head()
    elapsed = time.perf_counter() - started
    print(
        f"  log: {logged:,} leaves in {elapsed:.0f} s ({logged / elapsed:,.0f} per second); tree head {head}"
    )


# ------------------------------------------------------------------------------------------------- measuring


def measure(args: argparse.Namespace, url: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from http_load import Result, Target, gunicorn, run, session_cookie

    from gongkai.core.choices import Role
    from gongkai.disclosures import queries
    from gongkai.disclosures.models import Category, Disclosure, DisclosureVersion
    from gongkai.org.choices import UnitKind
    from gongkai.org.models import Person, RoleAssignment, Unit

    published = Disclosure.objects.filter(is_public=True).count()
    print(f"\npublished disclosures: {published:,}; versions: {DisclosureVersion.objects.count():,}")
    mine = Unit.objects.filter(kind=UnitKind.MINE).order_by("path").first()
    root = Unit.objects.get(depth=1)
    assert mine is not None
    employee = (
        Person.objects.filter(
            unit__path__startswith=mine.path, unit__kind=UnitKind.TEAM, is_active=True, roles__isnull=True
        )
        .order_by("employee_no")
        .first()
    )
    union = RoleAssignment.objects.filter(role=Role.UNION, unit=root).order_by("person_id").first()
    assert employee is not None and employee.unit is not None and union is not None
    chair = union.person
    category = Category.objects.get(code="C03")
    year = timezone.localdate().year
    board_rows = queries.board(employee, category=category)
    first = board_rows.first()
    assert first is not None, "the employee's board is empty"
    print(
        f"employee {employee.employee_no} in {employee.unit.name}: {queries.board(employee).count():,} "
        f"disclosures on the board, {board_rows.count():,} in {category.name}"
    )
    pages = [
        ("board, category, page 1", f"/disclosures/?category={category.pk}", employee, first.title),
        ("compliance dashboard, group", f"/disclosures/compliance/{root.pk}/?year={year}", chair, mine.name),
    ]
    client = Client()
    print(f"\n{'page':<34} {'status':>6} {'queries':>8} {'one request':>12}")
    for name, path, person, marker in pages:
        client.force_login(person)
        client.get(path)  # warm: caches, statistics
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
        ok = response.status_code == 200 and marker in response.content.decode()
        print(
            f"{name:<34} {response.status_code:>6} {len(captured):>8} {elapsed:>9.0f} ms{'' if ok else '  MARKER MISSING'}"
        )
    connection.close()

    cookies = {person.pk: session_cookie(person) for _n, _p, person, _m in pages}
    log_file = PROJECT / "var" / "bench" / "gunicorn-disclosures.log"
    print(
        f"\ngunicorn: {args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; {args.concurrency} connections, {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured"
    )
    results = []
    with gunicorn(
        url, workers=args.workers, threads=args.threads, worker_class=args.worker_class, log_file=log_file
    ) as base_url:
        for name, path, person, marker in pages:
            target = Target(name, path, [cookies[person.pk]], marker)
            result = run(
                base_url, target, concurrency=args.concurrency, duration=args.duration, warmup=args.warmup
            )
            results.append(result)
    print(Result.HEADER)
    for result in results:
        print(result.line())
        if result.errors:
            print(f"  first error: {result.first_error}")


def main() -> int:
    args = parse_args()
    url = prepare_http_database(args, BENCH_DB)
    import django

    django.setup()
    from django.core.management import call_command

    from gongkai.disclosures.models import Disclosure
    from gongkai.org import demo as org_demo

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if org_demo.has_data() and Disclosure.objects.exists():
        print("seed: reusing the seeded database")
    else:
        if org_demo.has_data():
            raise SystemExit(f"{BENCH_DB} is half seeded: run again without --reuse")
        seed(args)
    if not args.seed_only:
        measure(args, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
