"""The secret ballot's core: one ballot per rater, mixing, ending the vote and the tally."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.ratings import ballot_actions as ba
from gongkai.ratings.choices import RoundStatus
from gongkai.ratings.models import Ballot, BallotChoice, Participation, ResultLine, Round, SealedBallot

from .conftest import ballot_for


def test_cast_mix_end_and_certify(open_round, alice, constituencies, uma, settings):
    settings.GONGKAI_BALLOT_MIX_MIN = 2
    voters = [alice, constituencies["vic"], constituencies["vera"]]
    levels = ["fit", "basically_fit", "unfit"]
    trackers = [
        ba.cast_ballot(actor=p, round_id=open_round.pk, choices=ballot_for(open_round, p, lv))
        for p, lv in zip(voters, levels, strict=True)
    ]
    assert len(set(trackers)) == 3
    assert SealedBallot.objects.count() == 3
    assert ba.mix_ballots(open_round) == 3
    assert SealedBallot.objects.count() == 0 and Ballot.objects.count() == 3
    assert BallotChoice.objects.count() == 6
    Round.objects.filter(pk=open_round.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    open_round.refresh_from_db()
    closed = ba.end_voting(actor=uma, round_=open_round)
    assert closed.status == RoundStatus.CLOSED
    assert closed.ballots_online == 3 and closed.electorate == 5
    lines = {line.rated.person_id: line for line in ResultLine.objects.select_related("rated")}
    rita = lines[constituencies["rita"].pk]
    assert rita.counts == {"fit": 1, "basically_fit": 1, "unfit": 1}
    assert str(rita.negative_share) == "33.3" and rita.flag == "talk"
    assert set(Ballot.objects.values_list("tracker", flat=True)) == set(trackers)


def test_second_ballot_refused_and_nothing_written(open_round, alice):
    ba.cast_ballot(actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice))
    with pytest.raises(ValidationError) as err:
        ba.cast_ballot(actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice, "unfit"))
    assert err.value.code == "already_voted"
    assert Participation.objects.count() == 1 and SealedBallot.objects.count() == 1
