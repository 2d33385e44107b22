"""A double click on "submit" at the same moment (two tabs, two app servers) submits once: `submit` locks the
suggestion's row and checks its status. Run on PostgreSQL, where the transactions really overlap (SQLite serialises
writers, so the test is skipped there)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from gongkai.core.models import AuditEntry
from gongkai.suggestions import author_actions as actions
from gongkai.suggestions.choices import Category, EventKind, Status
from gongkai.suggestions.models import Suggestion, SuggestionEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")


def _together(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _draft(alice):
    return actions.create_draft(
        actor=alice,
        category=Category.TECHNICAL,
        title="快速移架改进",
        problem="移架慢。",
        proposal="加装阀组。",
    )


def test_a_double_click_submits_once(tree, alice):
    s = _draft(alice)
    before = AuditEntry.objects.count()
    results = _together(3, lambda i: actions.submit(actor=alice, suggestion=s, expected_revision=s.revision))
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(refusals) == 2 and {r.code for r in refusals} == {"submitted"}, results
    assert SuggestionEvent.objects.filter(suggestion=s, kind=EventKind.SUBMITTED).count() == 1
    assert AuditEntry.objects.count() == before + 1
    assert Suggestion.objects.get().status == Status.SUBMITTED
