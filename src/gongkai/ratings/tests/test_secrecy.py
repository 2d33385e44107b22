"""The secret ballot, tried from the attacker's side: nothing stored, sent or logged ties a ballot to its rater.

- the schema of the ballot tables: no column pointing to a person, a session, a participation or an elector, no
  date or time column, random UUID keys (no sequence that numbers ballots in casting order);
- the rows: once the box is mixed, the physical order of the ballots is not the order of voting, and no ballot
  shares any value with the participation row of its rater (other than the round);
- what happens around a cast: no ledger entry, no notification, nothing in the session, a cookie, a message, a
  redirect or the log;
- nothing of the ballots shows while the round is open or being counted.
"""

from __future__ import annotations

import logging
import uuid

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.models import AuditEntry, Notification
from gongkai.org.models import Person
from gongkai.ratings import ballot_actions as ba
from gongkai.ratings import result_queries
from gongkai.ratings.choices import Channel, RoundStatus
from gongkai.ratings.models import (
    Ballot,
    BallotChoice,
    Elector,
    Participation,
    ResultLine,
    Round,
    SealedBallot,
)

from .conftest import ballot_for, make_round

BALLOT_TABLES = {
    SealedBallot._meta.db_table: {"id", "round_id", "tracker", "choices"},
    Ballot._meta.db_table: {"id", "round_id", "tracker"},
    BallotChoice._meta.db_table: {"id", "ballot_id", "rated_id", "level"},
}
ALLOWED_REFERENCES = {"ratings_round", "ratings_ballot", "ratings_ratedperson"}
TIME_TYPES = {"DateTimeField", "DateField", "TimeField", "DurationField"}
SEQUENTIAL_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
}
VOTERS = 36
LEVELS = ("fit", "basically_fit", "unfit")


# -------------------------------------------------------------------------------------------------- schema


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(BALLOT_TABLES))
def test_ballot_tables_have_no_link_to_a_rater_and_no_time(table):
    intro = connection.introspection
    with connection.cursor() as cursor:
        columns = intro.get_table_description(cursor, table)
        relations = intro.get_relations(cursor, table)
        primary_key = intro.get_primary_key_column(cursor, table)
        sequences = intro.get_sequences(cursor, table)
    names = {c.name for c in columns}
    # exactly the reviewed columns: a new one (a timestamp, a session, a person) fails here first
    assert names == BALLOT_TABLES[table]
    for column in columns:
        field_type = intro.get_field_type(column.type_code, column)
        assert field_type not in TIME_TYPES, f"{table}.{column.name} holds a time"
        lowered = column.name.lower()
        for word in (
            "person",
            "user",
            "session",
            "rater",
            "elector",
            "participation",
            "time",
            "created",
            "ip",
        ):
            assert word not in lowered.replace("_id", ""), f"{table}.{column.name}"
    referenced = {other_table for _field, (_other_field, other_table) in relations.items()}
    people = Person._meta.db_table
    assert people not in referenced and "django_session" not in referenced
    assert Participation._meta.db_table not in referenced and Elector._meta.db_table not in referenced
    assert referenced <= ALLOWED_REFERENCES
    # a random key, never a number counting up in casting order
    assert primary_key == "id"
    if connection.vendor == "postgresql":
        assert (
            not sequences
        )  # (SQLite lists the key of every table; its hidden rowid is tested by the mixing)
    pk_column = next(c for c in columns if c.name == "id")
    pk_type = intro.get_field_type(pk_column.type_code, pk_column)
    assert pk_type not in SEQUENTIAL_TYPES
    if connection.vendor == "postgresql":
        assert pk_type == "UUIDField"


def test_the_models_agree_with_the_schema():
    """No model field stamps a time or points to a person (what the migrations would build next time)."""
    for model in (SealedBallot, Ballot, BallotChoice):
        for f in model._meta.concrete_fields:
            assert f.get_internal_type() not in TIME_TYPES, f
            assert f.related_model not in (Person, Participation, Elector), f
            assert not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
        assert model._meta.pk.get_internal_type() == "UUIDField"
        assert model._meta.pk.default is uuid.uuid4


# ---------------------------------------------------------------------------------------------------- rows


@pytest.fixture
def big_round(tree, uma, constituencies):
    """A round over C1 with VOTERS electors (the conftest's five and extra members of C1)."""
    c1 = constituencies["C1"]
    for i in range(VOTERS - c1.members.count()):
        _person(f"A{3000 + i}", f"职工{i}", tree["MA1"], constituency=c1)
    round_ = make_round(tree["MA"], uma, [c1])
    assert Elector.objects.filter(round=round_).count() == VOTERS
    return round_


def _physical_order(table: str, column: str) -> list:
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY {order}")  # noqa: S608 - fixed names
        return [row[0] for row in cursor.fetchall()]


def _cast_all(round_: Round) -> tuple[list[str], list[Person]]:
    voters = [e.person for e in Elector.objects.filter(round=round_).select_related("person").order_by("?")]
    trackers = []
    for i, person in enumerate(voters):
        trackers.append(
            ba.cast_ballot(
                actor=person, round_id=round_.pk, choices=ballot_for(round_, person, LEVELS[i % 3])
            )
        )
    return trackers, voters


def test_mixed_ballots_are_not_stored_in_voting_order(big_round, settings):
    settings.GONGKAI_BALLOT_MIX_MIN = 1000  # nothing mixed while voting
    trackers, voters = _cast_all(big_round)
    sealed_ids = set(SealedBallot.objects.values_list("id", flat=True))
    assert ba.mix_ballots(big_round, everything=True) == VOTERS
    assert not SealedBallot.objects.exists()
    stored = _physical_order(Ballot._meta.db_table, "tracker")
    assert sorted(stored) == sorted(trackers)
    assert stored != trackers and stored != trackers[::-1]
    # not merely shifted: few ballots sit where their voter's turn was (a random order has about one)
    assert sum(a == b for a, b in zip(stored, trackers, strict=True)) < 10
    # the participation rows are in voting order; the ballots must not line up with them
    participants = _physical_order(Participation._meta.db_table, "person_id")
    assert participants == [p.pk for p in voters]
    if connection.vendor == "postgresql":
        # every mixed row was written by the one mixing transaction: its id (xmin) tells no voter apart
        with connection.cursor() as cursor:
            for table in (Ballot._meta.db_table, BallotChoice._meta.db_table):
                cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {table}")  # noqa: S608 - fixed names
                assert cursor.fetchone()[0] == 1
    # the counted ballots have fresh keys, not the keys they had in the box
    assert not sealed_ids & set(Ballot.objects.values_list("id", flat=True))
    # the ratings are shuffled too: their ballots do not come in voting order
    by_pk = dict(Ballot.objects.values_list("pk", "tracker"))
    seen: list[str] = []
    for ballot_id in _physical_order(BallotChoice._meta.db_table, "ballot_id"):
        key = uuid.UUID(str(ballot_id)) if not isinstance(ballot_id, uuid.UUID) else ballot_id
        tracker = by_pk[key]
        if tracker not in seen:
            seen.append(tracker)
    assert seen != trackers


def test_batches_mixed_while_voting_are_shuffled_within(big_round, settings):
    """While voting, the worker mixes once GONGKAI_BALLOT_MIX_MIN ballots wait: each batch is shuffled within."""
    settings.GONGKAI_BALLOT_MIX_MIN = VOTERS // 2
    voters = [
        e.person for e in Elector.objects.filter(round=big_round).select_related("person").order_by("pk")
    ]
    trackers = []
    for half in (voters[: VOTERS // 2], voters[VOTERS // 2 :]):
        for person in half[:-1]:
            trackers.append(
                ba.cast_ballot(actor=person, round_id=big_round.pk, choices=ballot_for(big_round, person))
            )
        assert ba.mix_ballots(big_round) == 0  # one short of the minimum: the box waits
        trackers.append(
            ba.cast_ballot(actor=half[-1], round_id=big_round.pk, choices=ballot_for(big_round, half[-1]))
        )
        assert ba.mix_ballots(big_round) == VOTERS // 2
    stored = _physical_order(Ballot._meta.db_table, "tracker")
    first, second = stored[: VOTERS // 2], stored[VOTERS // 2 :]
    assert set(first) == set(trackers[: VOTERS // 2]) and set(second) == set(trackers[VOTERS // 2 :])
    assert first != trackers[: VOTERS // 2] and second != trackers[VOTERS // 2 :]


def _row_values(table: str) -> list[tuple[set[str], str]]:
    """Every row of a table as the set of its values (as text), with its round."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        round_id = str(values.pop("round_id"))
        texts = {str(v) for v in values.values()} | {str(v).replace("-", "") for v in values.values()}
        found.append((texts, round_id))
    return found


def test_a_ballot_shares_no_value_with_any_participation(big_round, settings):
    settings.GONGKAI_BALLOT_MIX_MIN = 1000
    _cast_all(big_round)
    participations = _row_values(Participation._meta.db_table)
    assert len(participations) == VOTERS
    for table in (SealedBallot._meta.db_table,):
        for values, round_id in _row_values(table):
            assert round_id == str(big_round.pk)
            for p_values, p_round in participations:
                assert p_round == round_id
                assert not values & p_values, f"a ballot shares {values & p_values} with a participation"
    ba.mix_ballots(big_round, everything=True)
    ballots = _row_values(Ballot._meta.db_table)
    assert len(ballots) == VOTERS
    for values, _round_id in ballots:
        for p_values, _p_round in participations:
            assert not values & p_values, f"a ballot shares {values & p_values} with a participation"


# ---------------------------------------------------------------------------------------- around a cast


def test_casting_leaves_no_trace_but_the_participation(client, open_round, alice, caplog):
    client.force_login(alice)
    ledger_before = AuditEntry.objects.count()
    notes_before = Notification.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            reverse("ratings:ballot", args=[open_round.pk]),
            {f"rate-{k}": v for k, v in ballot_for(open_round, alice).items()},
        )
    assert response.status_code == 200
    tracker = SealedBallot.objects.get().tracker
    raw = tracker.replace("-", "")
    assert tracker in response.content.decode()
    # no ledger entry, no notification
    assert AuditEntry.objects.count() == ledger_before
    assert Notification.objects.count() == notes_before
    # nothing in the session, the cookies, a redirect or the log
    session = client.session
    stored = repr({key: session[key] for key in session.keys()})
    assert tracker not in stored and raw not in stored
    for morsel in list(client.cookies.values()) + list(response.cookies.values()):
        assert tracker not in morsel.value and raw not in morsel.value
    assert not response.has_header("Location")
    assert tracker not in caplog.text and raw not in caplog.text
    # the messages framework has nothing waiting to be shown either
    follow = client.get(reverse("ratings:mine"))
    assert tracker not in follow.content.decode() and raw not in follow.content.decode()
    assert tracker not in repr({key: client.session[key] for key in client.session.keys()})
    # the participation row is there, and says nothing of the ballot
    participation = Participation.objects.get()
    assert (participation.person_id, participation.channel) == (alice.pk, Channel.ONLINE)
    assert not any(f.get_internal_type() in TIME_TYPES for f in Participation._meta.concrete_fields)


# ------------------------------------------------------------------------------------- hidden until closed


def _url_or_none(name: str, round_pk: int) -> str | None:
    try:
        return reverse(name, args=[round_pk])
    except NoReverseMatch:
        return None


def _assert_nothing_shown(client, round_: Round, trackers: list[str], people: list[Person]) -> None:
    for person in people:
        client.force_login(person)
        page = client.get(reverse("ratings:trackers", args=[round_.pk]))
        html = page.content.decode()
        assert page.status_code == 200 and 'id="not-published"' in html
        assert not any(t in html for t in trackers)
        assert 'id="trackers-table"' not in html and 'id="recount"' not in html
        csv = client.get(reverse("ratings:trackers", args=[round_.pk]), {"format": "csv"})
        assert not any(t in csv.content.decode() for t in trackers)
        check = client.post(reverse("ratings:tracker_check", args=[round_.pk]), {"tracker": trackers[0]})
        html = check.content.decode()
        assert 'id="not-published"' in html and 'id="ballot-found"' not in html
        for name in ("ratings:results", "ratings:results_print", "ratings:results_xlsx"):
            response = client.get(reverse(name, args=[round_.pk]))
            assert "spreadsheet" not in response.get("Content-Type", "")
            assert not any(t in response.content.decode(errors="replace") for t in trackers)
    # and nothing to show exists: no result is counted before the round closes
    round_.refresh_from_db()
    assert not result_queries.results_public(round_)
    assert not ResultLine.objects.filter(round=round_).exists()
    assert (round_.ballots_online, round_.ballots_paper, round_.tally_digest) == (0, 0, "")


def test_nothing_shown_while_open_or_counting(client, big_round, alice, uma, settings):
    settings.GONGKAI_BALLOT_MIX_MIN = 5
    voters = list(Elector.objects.filter(round=big_round).exclude(person=alice).select_related("person"))
    trackers = [
        ba.cast_ballot(actor=e.person, round_id=big_round.pk, choices=ballot_for(big_round, e.person))
        for e in voters[:10]
    ]
    ba.mix_ballots(big_round)  # the ballots are in the counted table already
    assert Ballot.objects.filter(round=big_round).count() == 10
    _assert_nothing_shown(client, big_round, trackers, [alice, uma])
    # a paper sheet was handed out: ending the vote leaves the round counting
    Participation.objects.create(round=big_round, person=voters[-1].person, channel=Channel.PAPER)
    Round.objects.filter(pk=big_round.pk).update(closes_at=timezone.now())
    big_round.refresh_from_db()
    assert ba.end_voting(actor=uma, round_=big_round).status == RoundStatus.COUNTING
    _assert_nothing_shown(client, big_round, trackers, [alice, uma])
