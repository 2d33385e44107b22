"""The ratings demo at the `group` scale (the only scale with the seed document's first mine): the first mine's
figures read back from the certified results, the group's figures, ballots stored as the product stores them (a
recount gives the certified digest), reconciled paper batches, and an open round a demo login can vote in.

The group is loaded once for the module (about ten seconds on SQLite) inside a transaction rolled back at the end.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from gongkai.core import demo as demo_hooks
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry
from gongkai.org import demo as org_demo
from gongkai.org.choices import UnitKind
from gongkai.org.models import Person, Unit
from gongkai.ratings import ballot_actions, demo
from gongkai.ratings.choices import BLANK, BatchStatus, Channel, Exemption, Flag, RoundKind, RoundStatus
from gongkai.ratings.models import (
    Ballot,
    BallotChoice,
    Elector,
    Liaison,
    PaperBatch,
    PaperEntry,
    Participation,
    RatedPerson,
    ResultLine,
    Round,
    SealedBallot,
)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            org_demo.seed("group", 1)
            yield demo.load("group", 1)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def first_mine(loaded, db):
    mine = Unit.objects.filter(kind=UnitKind.MINE).order_by("path").first()
    return Round.objects.get(unit=mine, status=RoundStatus.CLOSED)


def test_the_loader_is_registered():
    assert demo.load_demo in demo_hooks._loaders


@pytest.mark.django_db
def test_the_small_group_in_proportion():
    """Runs before the module's group is loaded (it needs an empty database)."""
    org_demo.seed("small", 1)
    counts = demo.load("small", 1)
    closed = Round.objects.filter(status=RoundStatus.CLOSED)
    assert closed.count() == Unit.objects.filter(depth=2).count() == 7
    assert Participation.objects.filter(round__in=closed).count() == round(20_189 * 300 / 21_000)
    assert RatedPerson.objects.filter(round__in=closed).count() == 27
    assert counts["rating_participations"] == 288
    assert (
        ResultLine.objects.filter(round__in=closed).count()
        == RatedPerson.objects.filter(round__in=closed, exemption="").count()
    )
    assert Round.objects.filter(status=RoundStatus.OPEN).count() == 1


def test_the_first_mine_has_the_seed_figures(first_mine):
    assert first_mine.unit.name == "青山煤矿"
    rated = RatedPerson.objects.filter(round=first_mine)
    assert rated.count() == 207
    exemptions = Counter(rated.values_list("exemption", flat=True))
    assert exemptions == {"": 180, Exemption.REPORTED_AT_CONGRESS: 9, Exemption.AWAY: 18}
    lines = ResultLine.objects.filter(round=first_mine)
    assert lines.count() == 180
    assert not lines.filter(rated__exemption__gt="").exists()
    levels: Counter = Counter()
    for line in lines:
        levels.update({k: v for k, v in line.counts.items() if k != BLANK})
        assert line.total == sum(v for k, v in line.counts.items() if k != BLANK)
    total = sum(levels.values())
    assert total == sum(line.total for line in lines)
    shares = {level: str(ballot_actions.share(n, total)) for level, n in levels.items()}
    assert shares == {"unfit": "2.1", "basically_fit": "20.9", "fit": "77.0"}
    # the round's own figures
    assert first_mine.kind == RoundKind.DUTY_RATING
    assert first_mine.electorate == Elector.objects.filter(round=first_mine).count()
    voted = Participation.objects.filter(round=first_mine)
    assert first_mine.ballots_online == voted.filter(channel=Channel.ONLINE).count() > 0
    assert first_mine.ballots_paper == voted.filter(channel=Channel.PAPER).count() > 0
    assert first_mine.electorate > voted.count()


def test_the_first_mine_voted_partly_on_paper(first_mine):
    assert Liaison.objects.filter(round=first_mine).count() == 10
    assert Liaison.objects.filter(round=first_mine, constituency__isnull=True).count() == 0
    assert first_mine.prints.count() == 10
    batches = PaperBatch.objects.filter(round=first_mine)
    assert set(batches.values_list("status", flat=True)) == {BatchStatus.RECONCILED}
    for batch in batches.prefetch_related("entries"):
        current = [e for e in batch.entries.all() if not e.superseded]
        assert len(current) == 2
        assert current[0].entered_by_id != current[1].entered_by_id
        for entry in current:
            assert ballot_actions.batch_digest(entry.counts, entry.invalid_sheets) == batch.counts_digest
    redone = PaperEntry.objects.filter(batch__round=first_mine, superseded=True)
    assert redone.count() == 1
    assert ballot_actions.batch_digest(redone[0].counts, 0) != redone[0].batch.counts_digest
    # sheets counted per constituency never exceed its paper participations
    sheets = Counter()
    for constituency_id, n in batches.values_list("constituency_id", "sheets"):
        sheets[constituency_id] += n
    paper = Counter(
        Participation.objects.filter(round=first_mine, channel=Channel.PAPER).values_list(
            "constituency_id", flat=True
        )
    )
    assert sheets == paper


def test_the_group_has_the_seed_figures(loaded, db):
    closed = Round.objects.filter(status=RoundStatus.CLOSED, kind=RoundKind.DUTY_RATING)
    bases = Unit.objects.filter(depth=2, constituencies__representatives__isnull=False).distinct()
    assert set(closed.values_list("unit_id", flat=True)) == set(bases.values_list("pk", flat=True))
    assert closed.count() == 30
    assert RatedPerson.objects.filter(round__in=closed).count() == 1874
    assert Participation.objects.filter(round__in=closed).count() == 20_189
    flags = Counter(ResultLine.objects.filter(round__in=closed).values_list("flag", flat=True))
    assert flags[Flag.TALK] == 2
    assert flags[Flag.RECALL] == 0
    assert AuditEntry.objects.filter(action="ratings.certify").count() == 30
    assert AuditEntry.objects.filter(action="ratings.seed_demo").count() == 1
    assert loaded["rating_participations"] == 20_189
    assert Round.objects.filter(status=RoundStatus.DRAFT).count() == 1


def test_ballots_are_stored_as_the_product_stores_them(loaded, db):
    closed = list(Round.objects.filter(status=RoundStatus.CLOSED))
    assert not SealedBallot.objects.filter(round__in=closed).exists()
    for round_ in closed[:4]:
        online = Participation.objects.filter(round=round_, channel=Channel.ONLINE)
        assert Ballot.objects.filter(round=round_).count() == online.count()
        # each ballot rates exactly its constituency's list
        listed = Counter(
            RatedPerson.objects.filter(round=round_, exemption="").values_list("constituency_id", flat=True)
        )
        expected = sum(listed[c] for c in online.values_list("constituency_id", flat=True))
        assert BallotChoice.objects.filter(ballot__round=round_).count() == expected
        sizes = Ballot.objects.filter(round=round_).annotate(n=Count("choices")).values_list("n", flat=True)
        assert min(sizes) >= 1
        trackers = list(Ballot.objects.filter(round=round_).values_list("tracker", flat=True))
        assert len(set(trackers)) == len(trackers)
        assert all(ballot_actions.normalise_tracker(t) == t for t in trackers)
        # a recount gives what was certified
        assert ballot_actions.tally(round_).digest() == round_.tally_digest


def test_the_open_round_accepts_a_ballot_from_a_demo_login(loaded, db):
    round_ = Round.objects.get(status=RoundStatus.OPEN)
    assert round_.kind == RoundKind.APPRAISAL
    logins = {role: no for role, no, _n, _u in org_demo.demo_logins()}
    voters = Person.objects.filter(
        employee_no__in=[logins[Role.EMPLOYEE], logins[Role.REPRESENTATIVE], logins[Role.DISCLOSURE_OFFICER]]
    )
    assert voters.count() == 3
    for person in voters:
        assert Elector.objects.filter(round=round_, person=person).exists()
        assert not Participation.objects.filter(round=round_, person=person).exists()
    assert Participation.objects.filter(round=round_).exists()  # others have voted already
    employee = voters.get(employee_no=logins[Role.EMPLOYEE])
    ballot = {str(r.pk): "satisfied" for r in ballot_actions.ballot_list(round_, None)}
    assert ballot
    before = Participation.objects.filter(round=round_).count()
    tracker = ballot_actions.cast_ballot(actor=employee, round_id=round_.pk, choices=ballot)
    assert SealedBallot.objects.filter(round=round_, tracker=tracker).exists()
    assert Participation.objects.filter(round=round_).count() == before + 1
    with pytest.raises(ValidationError) as refused:
        ballot_actions.cast_ballot(actor=employee, round_id=round_.pk, choices=ballot)
    assert refused.value.code == "already_voted"
    assert Participation.objects.filter(round=round_).count() == before + 1
    notes = demo.login_notes()
    assert logins[Role.EMPLOYEE] not in notes[0]  # has voted now
    assert logins[Role.REPRESENTATIVE] in notes[0]
    assert logins[Role.DISCLOSURE_OFFICER] in notes[1]
