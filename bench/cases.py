"""Cases benchmark: 500,000 cases across the `large` group, served by gunicorn on PostgreSQL.

    .venv/bin/python bench/cases.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
        [--reuse] [--count 500000] [--duration 30] [--concurrency 32] [--workers 4]
        [--worker-class sync|gthread] [--threads 4] [--seed-only]

Uses its own database, gongkai_bench_cases, created next to the one named in --database-url (dropped and
recreated unless --reuse finds it seeded). Seeding:

1. the `large` demo group (200,000 people);
2. --count cases with PostgreSQL COPY in batches of 100,000, raised over the last two years by people of every
   base unit in their own unit, each with its RAISED event; the lifecycle as in the demo (cases/demo.py): a few
   returned, the others assigned to a handler of the base unit with a due date six weeks on, most replied in two
   to four weeks, some late, the recent ones still open (some overdue), replies rated 满意 / 基本满意 / 不满意
   about 80 / 15 / 5 %, the rated ones closed; then VACUUM ANALYZE.

Then it measures, first in-process (status, SQL query count with CaptureQueriesContext, a single request's
time) and then under load through bench/http_load.py (gunicorn, --concurrency connections for --duration
seconds after a warm-up):

- the handler's queue page /cases/work/ (E3's page) and the API /api/v1/cases/queue, as the handler with the
  most open cases;
- the union dashboard of the whole group /cases/dashboard/<root>/ (E3's page) and the API
  /api/v1/cases/figures, as the group's union chair.

Pages that are not there (a URL name that does not resolve) are skipped with a note.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

from _common import PROJECT, add_load_options, http_bench_parser, prepare_http_database, step

BENCH_DB = "gongkai_bench_cases"
BATCH = 100_000
sys.path.insert(0, str(PROJECT / "src"))

ISSUES = (
    "澡堂热水不足",
    "夜班饭菜品种少",
    "通勤车时间不合理",
    "劳保用品发放不及时",
    "巷道照明不足",
    "宿舍漏雨",
)


def parse_args() -> argparse.Namespace:
    parser = http_bench_parser(__doc__, count=500_000, count_help="cases to create")
    add_load_options(parser)
    return parser.parse_args()


# ------------------------------------------------------------------------------------------------- seeding


def _lifecycle(rng: random.Random, raised: dt.datetime, now: dt.datetime) -> dict:
    """Status and times of a case raised at `raised`, as of `now` (calendar-day approximations)."""
    day = dt.timedelta(days=1)
    out: dict = {"status": "registered", "satisfaction": "", "handler": False, "due": None}
    out.update(assigned=None, replied=None, closed=None, updated=raised)
    accepted = raised + day * rng.choice((0, 1, 1, 2))
    if accepted >= now:
        return out
    if rng.random() < 0.03:
        out.update(status="returned", closed=accepted, updated=accepted)
        return out
    out.update(status="assigned", handler=True, assigned=accepted, due=(accepted + 42 * day).date())
    out["updated"] = accepted
    if accepted + 2 * day >= now:
        return out
    out["status"] = "in_progress"
    late = rng.random() < 0.08
    replied = accepted + day * (rng.randint(44, 60) if late else int(rng.triangular(3, 42, 17)))
    if replied >= now:
        return out
    out.update(status="replied", replied=replied, updated=replied)
    rated = replied + day * rng.randint(1, 7)
    if rated >= now or rng.random() < 0.12:
        return out
    satisfaction = rng.choices(("satisfied", "basically_satisfied", "dissatisfied"), weights=(80, 15, 5))[0]
    out.update(satisfaction=satisfaction, updated=rated)
    if satisfaction == "dissatisfied":
        out.update(status="in_progress", due=(rated + 42 * day).date())
        return out
    closed = rated + day * rng.randint(3, 20)
    out.update(status="rated" if closed >= now else "closed", closed=None if closed >= now else closed)
    return out


def seed(args: argparse.Namespace) -> None:
    from collections import defaultdict

    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from gongkai.cases.models import Case, CaseEvent
    from gongkai.core import workdays
    from gongkai.core.choices import Role
    from gongkai.org import demo as org_demo
    from gongkai.org.models import Person, RoleAssignment, Unit

    rng = random.Random(args.seed)
    now = timezone.now().replace(microsecond=0)
    t0 = started = time.perf_counter()
    counts = org_demo.seed("large", args.seed)
    started = step(f"large group: {counts['units']:,} units, {counts['people']:,} people", started)

    base_len = 2 * Unit.steplen
    people: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, unit_id, path in (
        Person.objects.filter(is_active=True, unit__depth__gte=2)
        .values_list("pk", "unit_id", "unit__path")
        .order_by("employee_no")
    ):
        people[path[:base_len]].append((pk, unit_id))
    handlers: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, unit_id, path in (
        RoleAssignment.objects.filter(role=Role.HANDLER, unit__depth=2)
        .values_list("person_id", "person__unit_id", "unit__path")
        .order_by("person_id")
    ):
        handlers[path].append((pk, unit_id))
    bases = sorted(p for p in people if handlers.get(p))
    weights = [len(people[b]) for b in bases]
    started = step(f"{len(bases)} base units with handlers", started)

    c_columns = (
        "id, created_at, updated_at, source, unit_id, title, text, raiser_id, is_anonymous, status, "
        "return_reason, handling_unit_id, handler_id, due_date, priority, assigned_at, replied_at, closed_at, "
        "satisfaction, reopened, escalated_to, escalation_decision, revision, reply_working_days"
    )
    e_columns = "id, case_id, kind, actor_id, text, public, at"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        first_case = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_caseevent")
        first_event = cursor.fetchone()[0] + 1
    span = 730 * 86400
    for start in range(0, args.count, BATCH):
        size = min(BATCH, args.count - start)
        rows = []
        for n in range(start, start + size):
            base = rng.choices(bases, weights)[0]
            raiser, unit_id = rng.choice(people[base])
            raised = now - dt.timedelta(seconds=rng.randint(3600, span))
            life = _lifecycle(rng, raised, now)
            handler, handling_unit = rng.choice(handlers[base]) if life["handler"] else (None, None)
            title = rng.choice(ISSUES)
            rows.append(
                (
                    first_case + n,
                    raised,
                    life["updated"],
                    "direct",
                    unit_id,
                    title,
                    f"{title}，希望尽快解决。",
                )
                + (raiser, False, life["status"], "", handling_unit, handler, life["due"])
                + (rng.choices((0, 1, 2, 3), weights=(10, 70, 15, 5))[0], life["assigned"], life["replied"])
                + (life["closed"], life["satisfaction"], False, "", "", 1)
                + (
                    workdays.working_days_taken(life["assigned"], life["replied"])
                    if life["replied"]
                    else None,
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's cursor, for COPY
            with raw.copy(f"COPY cases_case ({c_columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with raw.copy(f"COPY cases_caseevent ({e_columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        (first_event + row[0] - first_case, row[0], "raised", row[7], "", True, row[1])
                    )
        started = step(f"COPY cases {start + 1:,}–{start + size:,}", started)
    with connection.cursor() as cursor:
        for model in (Case, CaseEvent):
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE")
    step("VACUUM ANALYZE", started)
    print(f"seeded in {time.perf_counter() - t0:.0f} s")


# ------------------------------------------------------------------------------------------------- measuring


def measure(args: argparse.Namespace, url: str) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from http_load import Result, Target, gunicorn, run, session_cookie

    from gongkai.cases import queries
    from gongkai.cases.choices import REPLYABLE_STATUSES
    from gongkai.cases.models import Case
    from gongkai.core.choices import Role
    from gongkai.org.choices import UnitKind
    from gongkai.org.models import Person, RoleAssignment, Unit

    print(f"\ncases: {Case.objects.count():,}")
    busiest = (
        Case.objects.filter(status__in=REPLYABLE_STATUSES)
        .values("handler_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "handler_id")
        .first()
    )
    assert busiest is not None, "no open case"
    handler = Person.objects.get(pk=busiest["handler_id"])
    root = Unit.objects.get(depth=1)
    mine = Unit.objects.filter(kind=UnitKind.MINE).order_by("path").first()
    assert mine is not None
    union = RoleAssignment.objects.filter(role=Role.UNION, unit=root).order_by("person_id").first()
    assert union is not None
    chair = union.person
    first = queries.handler_queue(handler).first()
    assert first is not None
    print(
        f"handler {handler.employee_no}: {busiest['n']:,} cases in the queue; union chair {chair.employee_no}"
    )

    pages = []
    for name, url_name, kwargs, person, marker in (
        ("queue page (E3)", "cases:work_queue", {}, handler, "<html"),
        ("dashboard page, group (E3)", "cases:dashboard_unit", {"pk": root.pk}, chair, mine.name),
    ):
        try:
            pages.append((name, reverse(url_name, kwargs=kwargs), person, marker))
        except NoReverseMatch:
            print(f"  {name}: {url_name} is not there, skipped")
    pages += [
        ("API queue", "/api/v1/cases/queue", handler, '"count"'),
        ("API figures, group", "/api/v1/cases/figures", chair, '"satisfaction_rate"'),
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
            f"{name:<34} {response.status_code:>6} {len(captured):>8} {elapsed:>9.0f} ms"
            + ("" if ok else "  MARKER MISSING")
        )
    connection.close()

    cookies = {person.pk: session_cookie(person) for _n, _p, person, _m in pages}
    log_file = PROJECT / "var" / "bench" / "gunicorn-cases.log"
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
            results.append(
                run(
                    base_url, target, concurrency=args.concurrency, duration=args.duration, warmup=args.warmup
                )
            )
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

    from gongkai.cases.models import Case
    from gongkai.org import demo as org_demo

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if org_demo.has_data() and Case.objects.exists():
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
