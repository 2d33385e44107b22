"""Transparency-log benchmark: appends, proofs and the whole-log check at a million published versions.

    .venv/bin/python bench/transparency_log.py [--leaves 1000000] [--append 100000] [--reuse] [--repeat 200]
    .venv/bin/python bench/transparency_log.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Uses its own database, never var/gongkai.sqlite3: SQLite var/bench/tlog.sqlite3, or on PostgreSQL the database
gongkai_bench_tlog (created next to the one named in --database-url). --reuse keeps an already seeded database.

1. seeds --leaves published versions (DisclosureVersion rows, 10 versions per disclosure, bulk-inserted);
2. logs them with tlog.append_many in chunks of --append leaves, timing each chunk (leaf bytes built outside
   the timing), signing a tree head after every chunk; then times single appends (tlog.append, one transaction
   each, as the publish action does);
3. measures root, inclusion and consistency proofs at the full size, directly and through the JSON endpoints
   (median and p95 over --repeat random leaves, in milliseconds);
4. runs verify_all (every leaf rebuilt from its version) and reports its time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

from _common import PROJECT, VAR_DIR, prepare_environment, timed

BENCH_DB = "gongkai_bench_tlog"
VERSIONS_PER_DISCLOSURE = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--append", type=int, default=100_000, help="leaves per append_many call")
    parser.add_argument("--reuse", action="store_true", help="keep the benchmark database if it is seeded")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def seed_versions(n: int) -> float:
    """n published versions of one mine, 10 per disclosure; returns seconds."""
    from gongkai.disclosures.models import Category, Disclosure, DisclosureVersion
    from gongkai.org.models import Person, Unit

    started = time.perf_counter()
    unit = Unit.objects.add_root({"code": "MA", "name": "一矿", "kind": "mine"})
    officer = Person.objects.create_user("A100", "欧尔佳", password=None, unit=unit)
    leader = Person.objects.create_user("A200", "李奥", password=None, unit=unit)
    category = Category.objects.create(code="C03", name="职工切身利益", order=3)
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    body = "<p>" + "本月工资总额、奖金分配方案及考核结果如下，请职工监督。" * 8 + "</p>"
    chunk = 50_000
    for first in range(0, n, chunk):
        count = min(chunk, n - first)
        disclosures = Disclosure.objects.bulk_create(
            [
                Disclosure(
                    unit=unit,
                    audience=unit,
                    category=category,
                    draft_title=f"公示 {first + i}",
                    title=f"公示 {first + i}",
                    created_by=officer,
                    status="published",
                    is_public=True,
                )
                for i in range(0, count, VERSIONS_PER_DISCLOSURE)
            ]
        )
        DisclosureVersion.objects.bulk_create(
            [
                DisclosureVersion(
                    disclosure=disclosures[i // VERSIONS_PER_DISCLOSURE],
                    number=i % VERSIONS_PER_DISCLOSURE + 1,
                    title=f"公示 {first + i}",
                    body=body,
                    reason="" if i % VERSIONS_PER_DISCLOSURE == 0 else "更正",
                    attachments=[
                        {"name": "附件.pdf", "size": 1000 + i, "type": "application/pdf", "sha256": "ab" * 32}
                    ],
                    unit_code="MA",
                    audience_code="MA",
                    category_code="C03",
                    period="2026-03",
                    published_at=at + dt.timedelta(seconds=first + i),
                    published_by=officer,
                    approved_by=leader,
                )
                for i in range(count)
            ],
            batch_size=5000,
        )
    return time.perf_counter() - started


def log_all(append: int) -> None:
    from gongkai.core import tlog
    from gongkai.disclosures import logleaf
    from gongkai.disclosures.models import DisclosureVersion

    pks = list(DisclosureVersion.objects.order_by("pk").values_list("pk", flat=True))
    print(f"\n{'append_many chunk':<30} {'leaves':>9} {'seconds':>9} {'leaves/s':>10}")
    for first in range(0, len(pks), append):
        ids = [str(pk) for pk in pks[first : first + append]]
        data: dict[str, bytes] = {}
        for i in range(0, len(ids), 5000):
            data.update(logleaf.leaves_of(ids[i : i + 5000]))
        items = [(logleaf.OBJECT_TYPE, i, data[i]) for i in ids]
        started = time.perf_counter()
        tlog.append_many(items)
        seconds = time.perf_counter() - started
        print(
            f"{f'leaves {first:,}–{first + len(ids) - 1:,}':<30} {len(ids):>9,} {seconds:>9.2f} {len(ids) / seconds:>10,.0f}"
        )
        tlog.sign_tree_head()


def main() -> int:
    args = parse_args()
    key_file = os.environ.get("GONGKAI_LOG_KEY_FILE", str(VAR_DIR / "keys" / "tlog-bench.pem"))
    label = prepare_environment(
        args, database=BENCH_DB, sqlite_file="tlog.sqlite3", env={"GONGKAI_LOG_KEY_FILE": key_file}
    )
    sys.path.insert(0, str(PROJECT / "src"))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from gongkai.core import merkle, tlog
    from gongkai.core.models import LogLeaf, LogNode
    from gongkai.disclosures import logleaf
    from gongkai.disclosures.models import DisclosureVersion

    print(f"database: {label}")
    call_command("migrate", verbosity=0, interactive=False)
    if tlog.size() >= args.leaves:
        print(f"seed: reusing {tlog.size():,} leaves")
    else:
        if DisclosureVersion.objects.exists():
            sys.exit("the benchmark database is partly seeded: run without --reuse")
        print(f"seed: {args.leaves:,} versions in {seed_versions(args.leaves):.1f} s")
        log_all(args.append)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Single appends, one transaction each (as the publish action does); rolled back so that --reuse stays valid.
    from django.db import transaction

    version = DisclosureVersion.objects.order_by("pk").first()
    data = logleaf.leaf_bytes(version)
    samples = []
    for i in range(min(args.repeat, 50)):
        with transaction.atomic():
            started = time.perf_counter()
            tlog.append("bench.single", str(i), data)
            samples.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    samples.sort()

    n = tlog.size()
    rng = random.Random(args.seed)
    head = tlog.latest_tree_head()
    assert head is not None and head.tree_size == n
    print(f"\nlog: {n:,} leaves, {LogNode.objects.count():,} stored subtree hashes")
    print(f"\n{'measure at ' + format(n, ',') + ' leaves':<52} {'median ms':>10} {'p95 ms':>9}")
    print(
        f"{'append one leaf (own transaction)':<52} {statistics.median(samples):>10.2f} {samples[int(0.95 * (len(samples) - 1))]:>9.2f}"
    )
    root = bytes(head.root_hash)

    def inclusion():
        index = rng.randrange(n)
        proof = tlog.inclusion_proof(index, n)
        leaf = bytes(LogLeaf.objects.get(index=index).leaf_hash)
        merkle.verify_inclusion(index, n, leaf, proof, root)

    def consistency():
        first = rng.randrange(1, n)
        tlog.consistency_proof(first, n)

    client = Client(HTTP_HOST="localhost")

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:200])

    cases = [
        ("root of the whole tree", lambda: tlog.root(n)),
        ("inclusion proof (random leaf) + its verification", inclusion),
        ("consistency proof (random first size)", consistency),
        ("GET /log/sth", lambda: get("/log/sth")),
        (
            "GET /log/proof/inclusion?index=… (random)",
            lambda: get(f"/log/proof/inclusion?index={rng.randrange(n)}"),
        ),
        (
            "GET /log/proof/consistency?first=…&second=n",
            lambda: get(f"/log/proof/consistency?first={rng.randrange(1, n)}&second={n}"),
        ),
    ]
    for name, fn in cases:
        median, p95 = timed(fn, args.repeat)
        print(f"{name:<52} {median:>10.2f} {p95:>9.2f}")

    started = time.perf_counter()
    result = tlog.verify_all()
    seconds = time.perf_counter() - started
    print(f"\nverify_all: {seconds:.1f} s — {result}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
