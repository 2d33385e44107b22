"""The published ballot trackers (after the close only), their recount against the certified results, the CSV of
all ballots and the check of one's own ballot by its tracker."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.ratings import ballot_actions as ba
from gongkai.ratings import ballot_views
from gongkai.ratings.choices import BatchStatus, Channel, RoundStatus
from gongkai.ratings.models import PaperBatch, PaperEntry, Participation, RatedPerson, ResultLine, Round

from .conftest import ballot_for, make_round


def _close(round_: Round, uma) -> Round:
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    round_.refresh_from_db()
    closed = ba.end_voting(actor=uma, round_=round_)
    if closed.status == RoundStatus.COUNTING:
        closed = ba.certify(actor=uma, round_=closed)
    assert closed.status == RoundStatus.CLOSED
    return closed


@pytest.fixture
def voted(open_round, alice, constituencies):
    """alice, vic and vera voted online (fit, basically fit, unfit for both people rated)."""
    people = [alice, constituencies["vic"], constituencies["vera"]]
    return {
        p.pk: ba.cast_ballot(actor=p, round_id=open_round.pk, choices=ballot_for(open_round, p, level))
        for p, level in zip(people, ("fit", "basically_fit", "unfit"), strict=True)
    }


def _reconciled_batch(round_: Round, constituency, counts: dict, *, sheets: int, creator) -> PaperBatch:
    batch = PaperBatch.objects.create(
        round=round_,
        constituency=constituency,
        number=1,
        sheet_numbers=f"1-{sheets}",
        sheets=sheets,
        status=BatchStatus.RECONCILED,
        counts_digest=ba.batch_digest(counts, 0),
        created_by=creator,
        reconciled_at=timezone.now(),
    )
    for no in (1, 2):
        PaperEntry.objects.create(batch=batch, entry_no=no, entered_by=creator, counts=counts)
    return batch


def test_trackers_published_after_the_close_with_a_matching_recount(client, open_round, voted, alice, uma):
    _close(open_round, uma)
    client.force_login(alice)
    response = client.get(reverse("ratings:trackers", args=[open_round.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="not-published"' not in html
    table = html.split('id="trackers-table"')[1].split("</table>")[0]
    shown = re.findall(r"<code>([0-9A-Z-]+)</code>", table)
    assert shown == sorted(voted.values())  # every ballot, sorted by tracker
    assert 'data-match="yes"' in html
    recount = html.split('id="recount-table"')[1].split("</table>")[0]
    assert recount.count("✓") == 2 and "✗" not in recount


def test_recount_says_so_when_the_results_differ(client, open_round, voted, alice, uma):
    _close(open_round, uma)
    line = ResultLine.objects.filter(round=open_round).first()
    ResultLine.objects.filter(pk=line.pk).update(counts={"fit": 3})  # the stored result no longer matches
    client.force_login(alice)
    html = client.get(reverse("ratings:trackers", args=[open_round.pk])).content.decode()
    assert 'data-match="no"' in html
    assert html.split('id="recount-table"')[1].split("</table>")[0].count("✗") == 1


def test_paper_batches_are_shown_and_recounted(client, open_round, voted, alice, uma, constituencies):
    rita, ravi = (
        RatedPerson.objects.get(round=open_round, person=constituencies[n]) for n in ("rita", "ravi")
    )
    Participation.objects.create(
        round=open_round,
        person=constituencies["rita"],
        channel=Channel.PAPER,
        constituency=constituencies["C1"],
    )
    Participation.objects.create(
        round=open_round,
        person=constituencies["ravi"],
        channel=Channel.PAPER,
        constituency=constituencies["C1"],
    )
    counts = {str(rita.pk): {"fit": 1, "unfit": 1}, str(ravi.pk): {"fit": 1, "blank": 1}}
    batch = _reconciled_batch(open_round, constituencies["C1"], counts, sheets=2, creator=uma)
    closed = _close(open_round, uma)
    assert closed.ballots_paper == 2
    client.force_login(alice)
    html = client.get(reverse("ratings:trackers", args=[open_round.pk])).content.decode()
    assert f'id="batch-{batch.pk}"' in html and 'data-match="yes"' in html
    row = re.search(rf'<tr data-rated="{rita.pk}">(.*?)</tr>', html).group(1)
    # rita: online fit, basically fit, unfit (1 each) + paper fit, unfit → fit 2, basically fit 1, unfit 2
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "1", "2", "0", "5"]


def test_csv_has_every_ballot_and_no_formula(client, tree, uma, alice, constituencies):
    rita = constituencies["rita"]
    rita.name = "=HYPERLINK(1)"
    rita.save()
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]])
    tracker = ba.cast_ballot(actor=alice, round_id=round_.pk, choices=ballot_for(round_, alice, "unfit"))
    _close(round_, uma)
    client.force_login(alice)
    response = client.get(reverse("ratings:trackers", args=[round_.pk]), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1].startswith("'=HYPERLINK(1)")
    assert rows[1:] == [[tracker, "unfit", "unfit"]]


def test_trackers_page_costs_a_fixed_number_of_queries(
    client, tree, uma, alice, constituencies, django_assert_num_queries, settings
):
    c1 = constituencies["C1"]
    extra = [_person(f"A{4000 + i}", f"职工{i}", tree["MA1"], constituency=c1) for i in range(12)]
    few = make_round(tree["MA"], uma, [c1], title="少")
    many = make_round(tree["MA"], uma, [c1], title="多")
    ba.cast_ballot(actor=alice, round_id=few.pk, choices=ballot_for(few, alice))
    for p in [alice, *extra]:
        ba.cast_ballot(actor=p, round_id=many.pk, choices=ballot_for(many, p, "unfit"))
    _close(few, uma)
    _close(many, uma)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("ratings:trackers", args=[few.pk]))
    settings.DEBUG = False
    with django_assert_num_queries(len(ctx.captured_queries)):
        html = client.get(reverse("ratings:trackers", args=[many.pk])).content.decode()
    assert html.count("<code>") == 13


def test_trackers_are_paginated(client, open_round, voted, alice, uma, monkeypatch):
    _close(open_round, uma)
    monkeypatch.setattr(ballot_views, "TRACKERS_PAGE_SIZE", 2)
    client.force_login(alice)
    first = client.get(reverse("ratings:trackers", args=[open_round.pk])).content.decode()
    second = client.get(reverse("ratings:trackers", args=[open_round.pk]), {"page": 2}).content.decode()
    assert first.count("<code>") == 2 and second.count("<code>") == 1
    # the recount counts every ballot, not only the page's
    assert 'data-match="yes"' in second


def test_tracker_check_finds_the_ballot_as_typed(client, open_round, voted, alice, uma, constituencies):
    _close(open_round, uma)
    client.force_login(alice)
    tracker = voted[alice.pk]
    typed = tracker.replace("-", " ").lower().replace("0", "o")
    response = client.post(reverse("ratings:tracker_check", args=[open_round.pk]), {"tracker": typed})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="ballot-found"' in html
    found = html.split('id="ballot-found"')[1].split("</div>")[0]
    assert tracker in found and constituencies["rita"].name in found and constituencies["ravi"].name in found
    assert "no-store" in response["Cache-Control"]
    missing = client.post(
        reverse("ratings:tracker_check", args=[open_round.pk]), {"tracker": "AAAA-BBBB-CCCC"}
    )
    assert 'id="ballot-not-found"' in missing.content.decode()
    # a tracker of another round is not found here
    other = make_round(open_round.unit, uma, [constituencies["C1"]], title="另一轮")
    _close(other, uma)
    elsewhere = client.post(reverse("ratings:tracker_check", args=[other.pk]), {"tracker": tracker})
    assert 'id="ballot-not-found"' in elsewhere.content.decode()


def test_tracker_check_never_reads_a_tracker_from_the_url(client, open_round, voted, alice, uma):
    _close(open_round, uma)
    client.force_login(alice)
    html = client.get(
        reverse("ratings:tracker_check", args=[open_round.pk]), {"tracker": voted[alice.pk]}
    ).content.decode()
    assert 'id="ballot-found"' not in html and 'id="ballot-not-found"' not in html
