"""Running actions at the same moment in several threads (two tabs, two app servers), for the race tests. They run
on PostgreSQL, where transactions really overlap; SQLite serialises writers, so `skip_unless_postgres` skips them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections


def skip_unless_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")


def together(n: int, work) -> list:
    """`work(i)` for i in range(n), in n threads released at once; each result or the exception it raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on by the caller
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
