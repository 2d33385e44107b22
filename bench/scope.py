"""Scope benchmark: how fast are the tree-scoped reads with the `large` demo group loaded?

    .venv/bin/python bench/scope.py [--scale large] [--seed 1] [--reuse] [--repeat 50]
    .venv/bin/python bench/scope.py --database-url postgres://postgres@127.0.0.1:5432/postgres [--reuse]

Uses its own database, never var/gongkai.sqlite3: SQLite var/bench/scope.sqlite3, or on PostgreSQL the
database gongkai_bench_scope (created next to the one named in --database-url). --reuse keeps an already
seeded database. Measures (median and p95 over --repeat runs, in milliseconds):

1. the people of a mine's subtree, as the mine's admin sees them: first page of 50 and the count;
2. "which units may this person see" for an ordinary employee and for a leading-group member of the mine,
   and building the scope itself on a fresh user object.
"""

from __future__ import annotations

import argparse
import sys
import time

from _common import PROJECT, demo_group_parser, prepare_environment, timed

BENCH_DB = "gongkai_bench_scope"


def parse_args() -> argparse.Namespace:
    parser = demo_group_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    label = prepare_environment(args, database=BENCH_DB, sqlite_file="scope.sqlite3")
    sys.path.insert(0, str(PROJECT / "src"))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongkai.core.access import forget, get_scope
    from gongkai.core.choices import Role
    from gongkai.org import demo, queries
    from gongkai.org.choices import UnitKind
    from gongkai.org.models import Person, RoleAssignment, Unit

    print(f"database: {label}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if demo.has_data():
        print("seed: reusing the seeded database")
    else:
        started = time.perf_counter()
        counts = demo.seed(args.scale, args.seed)
        print(
            f"seed ({args.scale}, seed {args.seed}): {time.perf_counter() - started:.1f} s — "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
        with connection.cursor() as cursor:  # fresh statistics for the planner (both databases)
            cursor.execute("ANALYZE")

    mine = Unit.objects.filter(kind=UnitKind.MINE).order_by("path").first()
    mine_people = Person.objects.filter(unit__path__startswith=mine.path).count()
    print(
        f"people: {Person.objects.count():,}; units: {Unit.objects.count():,}; "
        f"mine {mine.name} ({mine.code}): {mine_people:,} people, "
        f"{Unit.objects.filter(path__startswith=mine.path).count()} units"
    )

    def holder(role: str) -> Person:
        return (
            RoleAssignment.objects.filter(role=role, unit=mine).order_by("person__employee_no").first().person
        )

    admin = holder(Role.ADMIN)
    leader = holder(Role.LEADING_GROUP)
    employee = (
        Person.objects.filter(unit__path__startswith=mine.path, unit__kind=UnitKind.TEAM, roles__isnull=True)
        .order_by("employee_no")
        .first()
    )
    last_mine = Unit.objects.filter(kind=UnitKind.MINE).order_by("-path").first()
    union = RoleAssignment.objects.filter(role=Role.UNION, unit__depth=1).first().person

    def scope_of(person_pk: int):
        def run():
            user = Person.objects.get(pk=person_pk)  # a fresh user object, as in a request
            get_scope(user)

        return run

    def scope_only(person: Person):
        def run():
            forget(person)
            get_scope(person)

        return run

    cases = [
        ("mine admin: people of the mine, first 50", lambda: list(queries.people(admin, unit=mine)[:50])),
        ("mine admin: people of the mine, count", lambda: queries.people(admin, unit=mine).count()),
        (
            "group union chair: people of the mine, first 50",
            lambda: list(queries.people(union, unit=mine)[:50]),
        ),
        (
            "group union chair: people of the last mine, first 50",
            lambda: list(queries.people(union, unit=last_mine)[:50]),
        ),
        ("group union chair: all people, count", lambda: queries.people(union).count()),
        ("employee: visible units", lambda: list(queries.visible_units(employee))),
        ("mine leading group: visible units", lambda: list(queries.visible_units(leader))),
        ("employee: get_scope (loaded user)", scope_only(employee)),
        ("mine leading group: get_scope (loaded user)", scope_only(leader)),
        ("mine leading group: fetch user + get_scope", scope_of(leader.pk)),
    ]
    print(f"\n{'measure':<52} {'median ms':>10} {'p95 ms':>9}  rows")
    for name, fn in cases:
        result = fn()
        rows = result if isinstance(result, int) else (len(result) if result is not None else "")
        median, p95 = timed(fn, args.repeat)
        print(f"{name:<52} {median:>10.2f} {p95:>9.2f}  {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
