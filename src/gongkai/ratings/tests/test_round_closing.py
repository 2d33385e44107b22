"""Ending the vote and certifying the results from the round page (the worker ends the vote too)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongkai.ratings import ballot_actions, paper_actions
from gongkai.ratings.choices import BatchStatus, RoundStatus
from gongkai.ratings.models import PaperBatch, ResultLine, Round

from .conftest import ballot_for


def _past(round_):
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    round_.refresh_from_db()
    return round_


def test_end_voting_button_only_after_the_window(client, english, open_round, uma, alice):
    client.force_login(uma)
    page = client.get(reverse("ratings:round", args=[open_round.pk])).content.decode()
    assert 'data-action="end-voting"' not in page
    response = client.post(
        reverse("ratings:round_end_voting", args=[open_round.pk]), {"revision": open_round.revision}
    )
    assert response.status_code == 400 and 'data-code="too_early"' in response.content.decode()
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.OPEN
    ballot_actions.cast_ballot(actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice))
    _past(open_round)
    assert (
        'data-action="end-voting"'
        in client.get(reverse("ratings:round", args=[open_round.pk])).content.decode()
    )
    response = client.post(
        reverse("ratings:round_end_voting", args=[open_round.pk]), {"revision": open_round.revision}
    )
    assert response.status_code == 302
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED  # no paper: counted at once
    assert ResultLine.objects.filter(round=open_round).count() == 2


def test_a_stale_or_foreign_end_voting_is_refused(client, english, open_round, uma, bob):
    _past(open_round)
    client.force_login(uma)
    response = client.post(
        reverse("ratings:round_end_voting", args=[open_round.pk]), {"revision": open_round.revision - 1}
    )
    assert response.status_code == 400
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.OPEN
    client.force_login(bob)
    response = client.post(
        reverse("ratings:round_end_voting", args=[open_round.pk]), {"revision": open_round.revision}
    )
    assert response.status_code == 404
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.OPEN


def test_certify_after_the_paper_batches_are_reconciled(
    client, english, open_round, uma, lily, alice, constituencies
):
    from gongkai.ratings.models import Liaison

    c1 = constituencies["C1"]
    Liaison.objects.create(round=open_round, person=lily, constituency=c1)
    paper_actions.print_sheets(actor=lily, round_=open_round, constituency=c1, count=5)
    paper_actions.hand_out_sheets(actor=lily, round_=open_round, people=[constituencies["vic"]])
    ballot_actions.cast_ballot(actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice))
    _past(open_round)
    client.force_login(uma)
    client.post(reverse("ratings:round_end_voting", args=[open_round.pk]), {"revision": open_round.revision})
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.COUNTING
    batch = paper_actions.create_batch(
        actor=lily, round_=open_round, constituency=c1, number=1, sheet_numbers="1"
    )
    page = client.get(reverse("ratings:round", args=[open_round.pk])).content.decode()
    assert 'data-action="certify"' in page and "1 batch is not reconciled yet" in page
    response = client.post(
        reverse("ratings:round_certify", args=[open_round.pk]), {"revision": open_round.revision}
    )
    assert response.status_code == 400 and 'data-code="unreconciled"' in response.content.decode()
    assert not ResultLine.objects.filter(round=open_round).exists()
    people = ballot_actions.ballot_list(open_round, c1.pk)
    counts = {str(p.pk): {"fit": 1, "basically_fit": 0, "unfit": 0, "blank": 0} for p in people}
    paper_actions.enter_batch(actor=lily, batch=batch, counts=counts)
    paper_actions.enter_batch(actor=uma, batch=batch, counts=counts)
    assert PaperBatch.objects.get(pk=batch.pk).status == BatchStatus.RECONCILED
    open_round.refresh_from_db()
    response = client.post(
        reverse("ratings:round_certify", args=[open_round.pk]), {"revision": open_round.revision}
    )
    assert response.status_code == 302
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED
    assert (open_round.ballots_online, open_round.ballots_paper) == (1, 1)
