"""What the benchmarks share: the demo-group options, a scratch database of their own, and a timer.

The benchmarks are run as scripts (`.venv/bin/python bench/scope.py`), so Python puts bench/ on sys.path and
they import this module as `_common`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT / "var" / "bench"


def demo_group_parser(description: str) -> argparse.ArgumentParser:
    """The options of a benchmark on the demo group: --scale, --seed, --database-url and --reuse."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="large", choices=["small", "group", "large"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--reuse", action="store_true", help="keep the benchmark database if it is seeded")
    return parser


def delete_sqlite(db_file: Path) -> None:
    """Remove an SQLite database with its -wal, -shm and -journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)


def scratch_postgres(server_url: str, name: str, *, reuse: bool) -> tuple[str, str]:
    """Create the database `name` on the server of `server_url`, dropping it first unless `reuse`.

    Returns the new database's URL and the server's version.
    """
    import psycopg

    server = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
        row = conn.execute("SHOW server_version").fetchone()
        version = row[0] if row else "?"
    return urlunsplit(server._replace(path=f"/{name}")), version


def prepare_environment(
    args: argparse.Namespace, *, database: str, sqlite_file: str, env: Mapping[str, str] | None = None
) -> str:
    """Point Django at the benchmark database (before django.setup()); returns a label for the report.

    Without args.database_url: the SQLite file var/bench/<sqlite_file>; with it: the PostgreSQL database
    `database` created next to it. Either is recreated unless args.reuse. `env` sets further variables.
    """
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongkai.settings"
    os.environ["GONGKAI_VAR_DIR"] = str(VAR_DIR)
    os.environ.update(env or {})
    if not args.database_url:
        db_file = VAR_DIR / sqlite_file
        if not args.reuse:
            delete_sqlite(db_file)
        os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
        return f"SQLite {db_file}"
    url, version = scratch_postgres(args.database_url, database, reuse=args.reuse)
    os.environ["DATABASE_URL"] = url
    return f"PostgreSQL {version} database {database}"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p95 of `repeat` calls of fn, in milliseconds, after one warm-up call."""
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def http_bench_parser(description: str, *, count: int, count_help: str) -> argparse.ArgumentParser:
    """Options shared by the HTTP benchmarks (seed a scratch PostgreSQL database, then load it with gunicorn)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--reuse", action="store_true", help="keep the benchmark database if it is seeded")
    parser.add_argument("--count", type=int, default=count, help=count_help)
    parser.add_argument("--seed", type=int, default=1)
    return parser


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """The seeding switch and the load generator's options, after any benchmark-specific ones."""
    parser.add_argument("--seed-only", action="store_true", help="seed the database, measure nothing")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="with --worker-class gthread")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])


def prepare_http_database(args: argparse.Namespace, name: str) -> str:
    """Point Django at the scratch PostgreSQL database `name` (before django.setup()); returns its URL."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    url, version = scratch_postgres(args.database_url, name, reuse=args.reuse)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "gongkai.settings",
            "GONGKAI_VAR_DIR": str(VAR_DIR),
            "DATABASE_URL": url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }
    )
    print(f"database: PostgreSQL {version}, {name}")
    return url


def step(label: str, started: float) -> float:
    """Print how long a seeding step took; returns the time to measure the next step from."""
    now = time.perf_counter()
    print(f"  {label}: {now - started:.1f} s", flush=True)
    return now
