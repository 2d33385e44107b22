"""`gongkai end-voting` and its task: end the vote of rounds past their close, mix the boxes of open rounds."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from gongkai.ratings import ballot_actions as ba
from gongkai.ratings import ballot_tasks
from gongkai.ratings.choices import Channel, RoundStatus
from gongkai.ratings.models import Ballot, Participation, ResultLine, Round, SealedBallot

from .conftest import ballot_for, make_round


def _run() -> str:
    out = StringIO()
    call_command("end_voting", stdout=out)
    return out.getvalue()


def _past_close(round_: Round) -> None:
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))


def test_ends_rounds_past_their_close_once(tree, uma, alice, constituencies, settings):
    settings.GONGKAI_BALLOT_MIX_MIN = 1000
    c1 = [constituencies["C1"]]
    online = make_round(tree["MA"], uma, c1, title="网上")
    paper = make_round(tree["MA"], uma, c1, title="纸质")
    still_open = make_round(tree["MA"], uma, c1, title="进行中")
    draft = make_round(tree["MA"], uma, c1, title="草稿", status=RoundStatus.DRAFT)
    for r in (online, paper, still_open):
        ba.cast_ballot(actor=alice, round_id=r.pk, choices=ballot_for(r, alice))
    Participation.objects.create(round=paper, person=constituencies["vic"], channel=Channel.PAPER)
    for r in (online, paper, draft):
        _past_close(r)

    out = _run()
    assert "2 round(s) ended (1 certified, 1 counting paper sheets); 0 ballot(s) of open rounds mixed" in out
    statuses = dict(Round.objects.values_list("pk", "status"))
    assert statuses[online.pk] == RoundStatus.CLOSED and statuses[paper.pk] == RoundStatus.COUNTING
    assert statuses[still_open.pk] == RoundStatus.OPEN and statuses[draft.pk] == RoundStatus.DRAFT
    assert ResultLine.objects.filter(round=online).count() == 2
    assert not ResultLine.objects.filter(round=paper).exists()
    # the ballots of ended rounds are mixed; the open round's single ballot waits in the box
    assert Ballot.objects.filter(round__in=[online, paper]).count() == 2
    assert list(SealedBallot.objects.values_list("round_id", flat=True)) == [still_open.pk]

    # idempotent: nothing left to do, nothing changes
    revisions = dict(Round.objects.values_list("pk", "revision"))
    assert (
        "0 round(s) ended (0 certified, 0 counting paper sheets); 0 ballot(s) of open rounds mixed" in _run()
    )
    assert dict(Round.objects.values_list("pk", "revision")) == revisions


def test_mixes_open_rounds_once_enough_ballots_wait(open_round, alice, constituencies, settings):
    settings.GONGKAI_BALLOT_MIX_MIN = 3
    voters = [alice, constituencies["vic"], constituencies["vera"]]
    for p in voters[:2]:
        ba.cast_ballot(actor=p, round_id=open_round.pk, choices=ballot_for(open_round, p))
    assert "0 ballot(s) of open rounds mixed" in _run()
    assert SealedBallot.objects.count() == 2 and not Ballot.objects.exists()
    ba.cast_ballot(actor=voters[2], round_id=open_round.pk, choices=ballot_for(open_round, voters[2]))
    assert "3 ballot(s) of open rounds mixed" in _run()
    assert not SealedBallot.objects.exists() and Ballot.objects.count() == 3
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.OPEN


def test_a_refused_round_is_reported_and_the_others_still_end(tree, uma, alice, constituencies, monkeypatch):
    c1 = [constituencies["C1"]]
    bad = make_round(tree["MA"], uma, c1, title="坏")
    good = make_round(tree["MA"], uma, c1, title="好")
    _past_close(bad)
    _past_close(good)
    real = ba.end_voting

    def end_voting(*, actor=None, round_):
        if round_.pk == bad.pk:
            from django.core.exceptions import ValidationError

            raise ValidationError("tampered", code="tampered_batch")
        return real(actor=actor, round_=round_)

    monkeypatch.setattr(ba, "end_voting", end_voting)
    run = ballot_tasks.run_end_voting()
    assert run.ended == [good.pk] and run.refused == {str(bad.pk): "tampered_batch"}
    assert f"#{bad.pk} (tampered_batch)" in run.summary()


def test_the_task_does_the_same(open_round, alice):
    ba.cast_ballot(actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice))
    _past_close(open_round)
    result = ballot_tasks.end_voting_task.call()
    assert result["ended"] == [open_round.pk] and result["certified"] == [open_round.pk]
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED and open_round.ballots_online == 1


def test_enqueue_queues_the_task(db, settings):
    out = StringIO()
    call_command("end_voting", "--enqueue", stdout=out)
    assert "queued for the worker" in out.getvalue()
