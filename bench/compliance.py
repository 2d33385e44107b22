"""Schedule and compliance benchmark on the `large` demo group (8,826 units).

    .venv/bin/python bench/compliance.py --database-url postgres://postgres@127.0.0.1:5432/postgres [--reuse]
    .venv/bin/python bench/compliance.py            # SQLite, var/bench/compliance.sqlite3

Uses its own database, never var/gongkai.sqlite3: on PostgreSQL the database gongkai_bench_compliance (created next
to the one named in --database-url), on SQLite var/bench/compliance.sqlite3. --reuse keeps an already seeded
database. Loads the organisation of the demo group and the standard catalog (not the other demo data), then
measures:

1. `generate_schedule` for a year of the whole group: the first run (every entry created) and a second run
   (nothing to create);
2. further years until there are at least --entries schedule entries, published as a realistic mix (80 % on
   time, 8 % late, the rest missing) up to --today;
3. the compliance dashboard of the group and of a mine for a full year: its queries one by one and the whole page,
   computed and cached (median and p95 over --repeat runs, in milliseconds, with its SQL query count);
4. `send_reminders` for every day of the --today's year, in order (reminders and escalation digests; the
   notifications sent and the slowest day).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

from _common import PROJECT, demo_group_parser, prepare_environment, timed

BENCH_DB = "gongkai_bench_compliance"


def parse_args() -> argparse.Namespace:
    parser = demo_group_parser(__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000, help="schedule entries to reach")
    parser.add_argument("--today", default="2026-06-15", help="the day the dashboard is looked at")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--skip-reminders", action="store_true")
    return parser.parse_args()


def publish_mix(connection, today: dt.date) -> None:
    """Entries due before `today`: 80 % published on time, 8 % late (never after today), 12 % missing."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE disclosures_scheduleentry SET published_on = NULL")
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                UPDATE disclosures_scheduleentry SET published_on = CASE
                    WHEN (id * 7919) %% 100 < 80 THEN due_date - (id %% 6)::int
                    WHEN (id * 7919) %% 100 < 88 THEN LEAST(due_date + 1 + (id %% 20)::int, %s::date)
                    ELSE NULL END
                WHERE due_date < %s
                """,
                [today, today],
            )
        else:
            cursor.execute(
                """
                UPDATE disclosures_scheduleentry SET published_on = CASE
                    WHEN (id * 7919) %% 100 < 80 THEN date(due_date, '-' || (id %% 6) || ' days')
                    WHEN (id * 7919) %% 100 < 88 THEN min(date(due_date, '+' || (1 + id %% 20) || ' days'), %s)
                    ELSE NULL END
                WHERE due_date < %s
                """,
                [today.isoformat(), today.isoformat()],
            )
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main() -> int:
    args = parse_args()
    # the test client's host, without the test environment (it instruments templates and slows them)
    label = prepare_environment(
        args, database=BENCH_DB, sqlite_file="compliance.sqlite3", env={"ALLOWED_HOSTS": "testserver"}
    )
    sys.path.insert(0, str(PROJECT / "src"))
    today = dt.date.fromisoformat(args.today)

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from gongkai.core.choices import Role
    from gongkai.core.models import Notification
    from gongkai.disclosures import compliance, reminders
    from gongkai.disclosures.catalog import load_standard_catalog
    from gongkai.disclosures.catalog_actions import generate_schedule
    from gongkai.disclosures.models import ScheduleEntry
    from gongkai.org import demo
    from gongkai.org.choices import UnitKind
    from gongkai.org.models import RoleAssignment, Unit

    print(f"database: {label}")
    call_command("migrate", verbosity=0, interactive=False)
    if demo.has_data():
        print("seed: reusing the seeded database")
    else:
        started = time.perf_counter()
        counts = demo.seed(args.scale, args.seed)
        print(f"seed organisation ({args.scale}): {time.perf_counter() - started:.1f} s — {counts}")
    load_standard_catalog()
    print(f"units: {Unit.objects.count():,} ({Unit.objects.filter(active=True).count():,} active)")

    year = today.year
    if not ScheduleEntry.objects.filter(period_start__year=year).exists():
        started = time.perf_counter()
        created = generate_schedule(None, None, year)
        print(
            f"\ngenerate_schedule({year}), first run: {created:,} entries in {time.perf_counter() - started:.1f} s"
        )
    started = time.perf_counter()
    created = generate_schedule(None, None, year)
    print(
        f"generate_schedule({year}), second run: {created:,} entries in {time.perf_counter() - started:.1f} s"
    )

    other = year - 1
    while ScheduleEntry.objects.count() < args.entries:
        started = time.perf_counter()
        created = generate_schedule(None, None, other)
        print(f"generate_schedule({other}): {created:,} entries in {time.perf_counter() - started:.1f} s")
        other -= 1
    total = ScheduleEntry.objects.count()
    if args.reuse and ScheduleEntry.objects.filter(published_on__isnull=False).exists():
        print(f"schedule entries: {total:,}; reusing their publication mix")
    else:
        started = time.perf_counter()
        publish_mix(connection, today)
        print(f"schedule entries: {total:,}; publication mix set in {time.perf_counter() - started:.1f} s")

    root = Unit.objects.get(depth=1)
    mine = Unit.objects.filter(kind=UnitKind.MINE).order_by("path").first()
    viewer = RoleAssignment.objects.filter(role=Role.UNION, unit=root).first().person
    dash_year = year - 1  # a full year: every state present
    client = Client()
    client.force_login(viewer)

    def page(unit, cached=True):
        def run():
            if not cached:
                cache.clear()
            response = client.get(
                reverse("disclosures:compliance_unit", args=[unit.pk]) + f"?year={dash_year}"
            )
            assert response.status_code == 200

        return run

    cases = [
        ("group: heat map (children × months)", lambda: compliance.heatmap(viewer, root, dash_year, today)),
        ("group: by item", lambda: compliance.by_item(viewer, root, dash_year, today)),
        ("group: late now, count", lambda: compliance.late_now(viewer, root, today).count()),
        ("group: late now, first page of 50", lambda: list(compliance.late_now(viewer, root, today)[:50])),
        ("mine: heat map", lambda: compliance.heatmap(viewer, mine, dash_year, today)),
        ("mine: late now, count", lambda: compliance.late_now(viewer, mine, today).count()),
        ("group: whole dashboard page, computed", page(root, cached=False)),
        ("group: whole dashboard page, cached", page(root)),
        ("mine: whole dashboard page, computed", page(mine, cached=False)),
        ("mine: whole dashboard page, cached", page(mine)),
    ]
    heat = compliance.heatmap(viewer, root, dash_year, today)
    print(
        f"\ndashboard of {root.name}, {dash_year}, as of {today}: {len(heat.rows)} rows, "
        f"{heat.total.total.total:,} entries, on-time rate {heat.total.total.rate} %, "
        f"late now {compliance.late_now(viewer, root, today).count():,}"
    )
    print(f"{'measure':<44} {'median ms':>10} {'p95 ms':>9}")
    for name, fn in cases:
        median, p95 = timed(fn, args.repeat)
        print(f"{name:<44} {median:>10.1f} {p95:>9.1f}")
    for unit in (root, mine):
        with CaptureQueriesContext(connection) as computed:
            page(unit, cached=False)()
        with CaptureQueriesContext(connection) as cached:
            page(unit)()
        print(
            f"SQL queries of the dashboard page of {unit.name}: {len(computed)} computed, {len(cached)} cached"
        )
    reset_queries()

    if args.skip_reminders:
        return 0
    Notification.objects.all().delete()
    day, runs, slowest, sent = dt.date(year, 1, 1), [], (0.0, None), {"reminded": 0, "escalated": 0}
    started = time.perf_counter()
    while day.year == year:
        t0 = time.perf_counter()
        counts = reminders.send_reminders(day)
        elapsed = time.perf_counter() - t0
        runs.append(elapsed)
        if elapsed > slowest[0]:
            slowest = (elapsed, day)
        for key in sent:
            sent[key] += counts[key]
        day += dt.timedelta(days=1)
    print(
        f"\nsend_reminders for each day of {year}: {len(runs)} runs in {time.perf_counter() - started:.1f} s "
        f"(median {statistics.median(runs) * 1000:.0f} ms, slowest {slowest[0] * 1000:.0f} ms on {slowest[1]}); "
        f"{sent['reminded']:,} reminders, {sent['escalated']:,} escalation digests"
    )
    started = time.perf_counter()
    again = reminders.send_reminders(today)
    print(f"send_reminders({today}) again: {again} in {(time.perf_counter() - started) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
