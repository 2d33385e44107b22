"""Two submissions of the same rater at the same moment (two tabs, two app servers) store one ballot, and the
database guarantees it: each submission runs in its own thread with its own database connection, both released
together by a barrier, through the page and through the action.

On PostgreSQL the two transactions really run at once and the loser fails on the unique constraint of
`Participation` (round, person). SQLite serialises writers: the loser either sees the committed participation
or finds the database locked; either way it gets a clear refusal (409 / 503), never a 500, and one ballot stands.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections
from django.test import Client
from django.urls import reverse

from gongkai.ratings import ballot_actions as ba
from gongkai.ratings.models import Elector, Participation, SealedBallot

from .conftest import ballot_for

pytestmark = pytest.mark.django_db(transaction=True)

TRACKER = re.compile(r'id="tracker"[^>]*><strong>([0-9A-Z-]{14})</strong>')
ERROR_CODE = re.compile(r'id="ballot-error" data-code="([a-z_]+)"')


@pytest.fixture(autouse=True)
def _shared_database():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # the in-memory test database is shared between threads through SQLite's shared cache
        # ("file:memorydb_default?mode=memory&cache=shared"); make sure a second connection sees it
        seen = []

        def probe():
            try:
                seen.append(Elector._meta.db_table in connection.introspection.table_names())
            finally:
                connection.close()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        if not seen or not seen[0]:
            pytest.skip("SQLite's in-memory test database cannot be shared between threads here")


def _together(n: int, work) -> list:
    """Run `work(i)` in n threads released at the same moment; each thread closes its own connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_tabs_post_at_once_one_ballot(open_round, alice, constituencies):
    voters = [alice, constituencies["vic"], constituencies["vera"], constituencies["rita"]]
    url = reverse("ratings:ballot", args=[open_round.pk])
    for round_no, voter in enumerate(voters, start=1):
        tabs = [Client(), Client()]
        for tab in tabs:
            tab.force_login(voter)
        data = [
            {f"rate-{k}": v for k, v in ballot_for(open_round, voter, level).items()}
            for level in ("fit", "unfit")
        ]
        responses = _together(2, lambda i, tabs=tabs, data=data: tabs[i].post(url, data[i]))
        for r in responses:
            assert not isinstance(r, BaseException), repr(r)
            assert r.status_code in (200, 409, 503), r.status_code
        won = [r for r in responses if r.status_code == 200]
        lost = [r for r in responses if r.status_code != 200]
        assert len(won) == 1 and len(lost) == 1
        tracker = TRACKER.search(won[0].content.decode())
        assert tracker is not None
        code = ERROR_CODE.search(lost[0].content.decode())
        assert code is not None and code.group(1) in ("already_voted", "busy")
        assert TRACKER.search(lost[0].content.decode()) is None
        assert Participation.objects.filter(round=open_round, person=voter).count() == 1
        assert SealedBallot.objects.filter(round=open_round).count() == round_no
        assert SealedBallot.objects.filter(tracker=tracker.group(1)).count() == 1


def test_simultaneous_casts_through_the_action(open_round, alice, constituencies):
    voters = [
        alice,
        constituencies["vic"],
        constituencies["vera"],
        constituencies["rita"],
        constituencies["ravi"],
    ]
    for round_no, voter in enumerate(voters, start=1):
        choices = ballot_for(open_round, voter)
        outcomes = _together(
            3,
            lambda _i, voter=voter, choices=choices: ba.cast_ballot(
                actor=voter, round_id=open_round.pk, choices=choices
            ),
        )
        trackers = [o for o in outcomes if isinstance(o, str)]
        refused = [o for o in outcomes if not isinstance(o, str)]
        assert len(trackers) == 1, outcomes
        for exc in refused:
            if isinstance(exc, ValidationError):
                assert exc.code == "already_voted"
            else:  # SQLite only: the database was locked for the loser, which wrote nothing
                assert connection.vendor == "sqlite" and isinstance(exc, DatabaseError), repr(exc)
        assert Participation.objects.filter(round=open_round, person=voter).count() == 1
        assert SealedBallot.objects.filter(round=open_round).count() == round_no
