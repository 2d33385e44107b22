"""The review of the trust core: each test here failed before its fix.

- a last handful of ballots mixed alone at the end of the vote lined up with the last participation rows, and in a
  mix made during the vote the one ballot of a constituency lined up with its voter: every ballot is now mixed
  again, all together, when voting ends; GONGKAI_BALLOT_MIX_MIN below 2 mixed each ballot alone;
- the API answered a ballot for a round of another unit with "you are not a rater" (a round that does not exist
  got "no such round"): it told who may not see a round that the round exists; and its answer (the tracker) did
  not forbid caching;
- a draft round was listed by the API (and its results page answered) to the employees of its unit, while every
  page of the raters hides it;
- control characters typed into a title, an exemption note or a report were stored, and the .xlsx of the
  results then failed;
- script typed into the title or an exemption note is shown as text on every page and export (this one held);
- paper batches could be made and entered while people still voted: a partial result before the close, and a
  batch of the only sheet handed out so far showed how that person rated;
- a rater deactivated after the opening could still be handed a sheet (anyone could vote in their name), and
  `cast_ballot` took a ballot from an inactive account.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from gongkai.org.models import Person
from gongkai.ratings import ballot_actions as ba
from gongkai.ratings import paper_actions, round_actions
from gongkai.ratings.choices import BatchStatus, Exemption, RoundStatus
from gongkai.ratings.models import (
    Ballot,
    BallotChoice,
    Liaison,
    PaperBatch,
    PaperEntry,
    Participation,
    RatedPerson,
    Round,
    SealedBallot,
)

from .conftest import ballot_for, make_round

API = "/api/v1/ratings"
SCRIPT = "<script>alert(1)</script>"


def _close_window(round_: Round) -> None:
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    round_.refresh_from_db()


# ------------------------------------------------------------------------------------------------- mixing


def test_the_last_ballots_are_not_mixed_alone(settings, open_round, alice, constituencies):
    """MIX_MIN 2: alice and vic are mixed during the vote, vera's ballot waits alone. Ending the vote must not
    mix hers alone (after the others on disk, in a transaction of its own): every ballot is mixed again."""
    settings.GONGKAI_BALLOT_MIX_MIN = 2
    vic, vera = constituencies["vic"], constituencies["vera"]
    trackers = {}
    for person, level in ((alice, "fit"), (vic, "unfit")):
        trackers[person.pk] = ba.cast_ballot(
            actor=person, round_id=open_round.pk, choices=ballot_for(open_round, person, level)
        )
    assert ba.mix_ballots(open_round) == 2
    early_ballots = set(Ballot.objects.values_list("pk", flat=True))
    early_choices = set(BallotChoice.objects.values_list("pk", flat=True))
    trackers[vera.pk] = ba.cast_ballot(
        actor=vera, round_id=open_round.pk, choices=ballot_for(open_round, vera, "basically_fit")
    )
    _close_window(open_round)
    closed = ba.end_voting(round_=open_round)
    assert closed.status == RoundStatus.CLOSED
    assert SealedBallot.objects.count() == 0
    assert set(Ballot.objects.values_list("tracker", flat=True)) == set(trackers.values())
    # fresh keys for every ballot and every rating: the earlier mix was undone and done again with vera's
    assert early_ballots.isdisjoint(Ballot.objects.values_list("pk", flat=True))
    assert early_choices.isdisjoint(BallotChoice.objects.values_list("pk", flat=True))
    # nothing lost or changed: each tracker still carries its ratings
    by_tracker = {
        b.tracker: {c.level for c in b.choices.all()} for b in Ballot.objects.prefetch_related("choices")
    }
    assert by_tracker == {
        trackers[alice.pk]: {"fit"},
        trackers[vic.pk]: {"unfit"},
        trackers[vera.pk]: {"basically_fit"},
    }
    assert BallotChoice.objects.count() == 3 * 2
    if connection.vendor == "postgresql":  # one transaction wrote them all
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT xmin::text) FROM ratings_ballot")
            assert cursor.fetchone()[0] == 1


def test_every_ballot_is_mixed_again_when_voting_ends(settings, tree, uma, alice, bob, constituencies):
    """A round over C1 and C2, MIX_MIN 2. bob (C2) and alice (C1) vote first and are mixed together: in that mix,
    the one ballot of C2 (recognisable by the people it rates) is bob's, since his participation row is among the
    first two. vic and vera are then a full mix of their own. Ending the vote must mix all four together again,
    even though nothing is left waiting in the box."""
    settings.GONGKAI_BALLOT_MIX_MIN = 2
    round_ = make_round(tree["MA"], uma, [constituencies["C1"], constituencies["C2"]], title="两个选区")
    vic, vera = constituencies["vic"], constituencies["vera"]
    for person in (bob, alice):
        ba.cast_ballot(actor=person, round_id=round_.pk, choices=ballot_for(round_, person))
    assert ba.mix_ballots(round_) == 2
    early = set(Ballot.objects.values_list("pk", flat=True))
    for person in (vic, vera):
        ba.cast_ballot(actor=person, round_id=round_.pk, choices=ballot_for(round_, person))
    assert ba.mix_ballots(round_) == 2
    assert SealedBallot.objects.count() == 0
    middle = set(Ballot.objects.values_list("pk", flat=True)) - early
    _close_window(round_)
    assert ba.end_voting(round_=round_).status == RoundStatus.CLOSED
    now = set(Ballot.objects.values_list("pk", flat=True))
    assert len(now) == 4 and now.isdisjoint(early | middle)
    assert BallotChoice.objects.count() == 2 + 1 + 2 + 2  # alice, bob, vic, vera: their lists' lengths


def test_a_mix_minimum_below_two_is_raised(settings, open_round, alice, constituencies):
    """GONGKAI_BALLOT_MIX_MIN=1 (or 0) would mix every ballot alone, in the order of the participation rows."""
    for value in (0, 1):
        settings.GONGKAI_BALLOT_MIX_MIN = value
        assert ba.mix_minimum() == 2
    ba.cast_ballot(actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice))
    assert ba.mix_ballots(open_round) == 0 and SealedBallot.objects.count() == 1
    vic = constituencies["vic"]
    ba.cast_ballot(actor=vic, round_id=open_round.pk, choices=ballot_for(open_round, vic))
    assert ba.mix_ballots(open_round) == 2


# ---------------------------------------------------------------------------------------------------- API


def _cast(client, round_id, choices):
    return client.post(
        f"{API}/rounds/{round_id}/ballot", {"choices": choices}, content_type="application/json"
    )


def test_api_ballot_in_a_round_of_another_unit_is_like_no_round(client, open_round, bob):
    client.force_login(bob)
    other = _cast(client, open_round.pk, {})
    missing = _cast(client, 999999, {})
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert other.json()["code"] == "not_found"
    assert Round.objects.filter(pk=open_round.pk).exists()


def test_api_ballot_answer_is_not_cached(client, open_round, alice, lily):
    client.force_login(alice)
    cast = _cast(client, open_round.pk, ballot_for(open_round, alice))
    assert cast.status_code == 201
    assert "no-store" in cast["Cache-Control"]
    again = _cast(client, open_round.pk, ballot_for(open_round, alice, "unfit"))
    assert again.status_code == 400 and "no-store" in again["Cache-Control"]


def test_draft_rounds_are_hidden_from_employees_in_api_and_results(client, tree, uma, constituencies, alice):
    draft = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.DRAFT, title="草稿测评")
    client.force_login(alice)
    assert client.get(f"{API}/rounds").json()["count"] == 0
    assert client.get(f"{API}/rounds/{draft.pk}").status_code == 404
    assert client.get(f"{API}/rounds/{draft.pk}/results").status_code == 404
    assert client.get(reverse("ratings:results", args=[draft.pk])).status_code == 404
    client.force_login(uma)  # who prepares it still sees it
    assert client.get(f"{API}/rounds/{draft.pk}").status_code == 200
    assert client.get(reverse("ratings:results", args=[draft.pk])).status_code == 200


# --------------------------------------------------------------------------------------------------- text


@pytest.mark.parametrize("bad", ["a\x07b", "x\x00y", "\x1bz", "q\x85r"])
def test_control_characters_are_refused(tree, uma, constituencies, bad):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.DRAFT)
    rated = RatedPerson.objects.filter(round=round_).first()
    revision = round_.revision
    with pytest.raises(ValidationError) as caught:
        round_actions.set_exemption(actor=uma, rated=rated, exemption=Exemption.OTHER, note=bad)
    assert caught.value.code == "control_characters"
    with pytest.raises(ValidationError) as caught:
        round_actions.update_round(actor=uma, round_=round_, expected_revision=revision, title=bad)
    assert caught.value.code == "control_characters"
    with pytest.raises(ValidationError) as caught:
        round_actions.publish_report(actor=uma, rated=rated, text=f"line one\n{bad}")
    assert caught.value.code == "control_characters"
    rated.refresh_from_db()
    round_.refresh_from_db()
    assert rated.exemption == "" and rated.exemption_note == "" and "\n" not in rated.report
    assert round_.title == "2026年职工代表述职测评" and round_.revision == revision


def test_line_breaks_and_tabs_stay_allowed_in_a_report(tree, uma, constituencies):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.DRAFT)
    rated = RatedPerson.objects.filter(round=round_).first()
    round_actions.publish_report(actor=uma, rated=rated, text="一、工作\n\t二、学习\r\n三")
    rated.refresh_from_db()
    assert rated.report == "一、工作\n\t二、学习\r\n三"


def _closed_with_text(open_round, alice, constituencies, *, title: str, note: str) -> Round:
    ravi = RatedPerson.objects.get(round=open_round, person=constituencies["ravi"])
    RatedPerson.objects.filter(pk=ravi.pk).update(exemption=Exemption.OTHER, exemption_note=note)
    Round.objects.filter(pk=open_round.pk).update(title=title)
    ba.cast_ballot(actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice))
    _close_window(open_round)
    return ba.end_voting(round_=open_round)


def test_script_is_shown_as_text_everywhere(client, open_round, alice, uma, constituencies):
    closed = _closed_with_text(open_round, alice, constituencies, title=SCRIPT, note=SCRIPT)
    assert closed.status == RoundStatus.CLOSED
    client.force_login(uma)
    pages = [
        reverse("ratings:results", args=[closed.pk]),
        reverse("ratings:results_print", args=[closed.pk]),
        reverse("ratings:trackers", args=[closed.pk]),
        reverse("ratings:round", args=[closed.pk]),
        reverse("ratings:mine"),
        reverse("ratings:summary") + "?year=2026",
        reverse("ratings:rounds"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SCRIPT not in response.content.decode(), url
    client.force_login(alice)
    ballot = client.get(reverse("ratings:ballot", args=[closed.pk]))
    assert SCRIPT not in ballot.content.decode()
    client.force_login(uma)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("ratings:results_xlsx", args=[closed.pk])).content)
    )
    texts = {
        c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }
    assert any(SCRIPT in t for t in texts)  # kept as plain text in the workbook


def test_results_xlsx_survives_control_characters_stored_earlier(
    client, open_round, alice, uma, constituencies
):
    """Text stored before the refusal existed (or imported) must not break the export."""
    closed = _closed_with_text(open_round, alice, constituencies, title="测评\x07二〇二六", note="出差\x01")
    client.force_login(uma)
    response = client.get(reverse("ratings:results_xlsx", args=[closed.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    texts = {
        c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }
    assert "出差" in texts
    summary = client.get(reverse("ratings:summary_xlsx") + "?year=2026")
    assert summary.status_code == 200


# -------------------------------------------------------------------------------------------------- paper


def test_paper_is_counted_only_once_voting_has_ended(open_round, uma, lily, alice, constituencies):
    """While people still vote, a batch would be a partial result, and a batch of the one sheet handed out so
    far (the ledger says to whom, and when) would show how that person rated: refused, nothing written."""
    c1 = constituencies["C1"]
    Liaison.objects.create(round=open_round, person=lily, constituency=None)
    paper_actions.print_sheets(actor=lily, round_=open_round, constituency=c1, count=3)
    paper_actions.hand_out_sheets(actor=lily, round_=open_round, people=[alice])
    for actor in (lily, uma):
        with pytest.raises(ValidationError) as caught:
            paper_actions.create_batch(
                actor=actor, round_=open_round, constituency=c1, number=1, sheet_numbers="1"
            )
        assert caught.value.code == "not_counting"
    assert PaperBatch.objects.count() == 0
    # a batch that exists while the vote is open (written in the tables) cannot be entered either
    batch = PaperBatch.objects.create(
        round=open_round, constituency=c1, number=1, sheet_numbers="1", sheets=1, created_by=lily
    )
    counts = {
        str(r.pk): {"fit": 1, "basically_fit": 0, "unfit": 0, "blank": 0}
        for r in ba.ballot_list(open_round, c1.pk)
    }
    with pytest.raises(ValidationError) as caught:
        paper_actions.enter_batch(actor=lily, batch=batch, counts=counts)
    assert caught.value.code == "not_counting"
    assert PaperEntry.objects.count() == 0
    # once voting has ended, it is counted
    _close_window(open_round)
    assert ba.end_voting(round_=open_round).status == RoundStatus.COUNTING
    paper_actions.enter_batch(actor=lily, batch=batch, counts=counts)
    paper_actions.enter_batch(actor=uma, batch=batch, counts=counts)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED


# ---------------------------------------------------------------------------------------------- who votes


def test_a_rater_who_left_after_the_opening_gets_no_sheet_and_casts_nothing(
    open_round, lily, alice, constituencies
):
    """vera leaves (deactivated) while the round is open: she can no longer sign in, and nobody may take a paper
    sheet in her name (a liaison could otherwise fill in the sheets of the people who left)."""
    vera = constituencies["vera"]
    Liaison.objects.create(round=open_round, person=lily, constituency=None)
    Person.objects.filter(pk=vera.pk).update(is_active=False)
    vera.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        paper_actions.hand_out_sheets(actor=lily, round_=open_round, people=[alice, vera])
    assert caught.value.code == "inactive" and "薇拉" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        ba.cast_ballot(actor=vera, round_id=open_round.pk, choices=ballot_for(open_round, vera))
    assert caught.value.code == "inactive"
    assert Participation.objects.count() == 0 and SealedBallot.objects.count() == 0
    assert paper_actions.hand_out_sheets(actor=lily, round_=open_round, people=[alice]) == 1


def test_script_in_a_report_and_a_title_on_the_ballot_and_the_sheets(
    client, open_round, lily, alice, constituencies
):
    RatedPerson.objects.filter(round=open_round).update(report=SCRIPT + "\n第二行")
    Round.objects.filter(pk=open_round.pk).update(title=SCRIPT)
    open_round.refresh_from_db()
    client.force_login(alice)
    page = client.get(reverse("ratings:ballot", args=[open_round.pk])).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    Liaison.objects.create(round=open_round, person=lily, constituency=None)
    _printed, pdf = paper_actions.print_sheets(
        actor=lily, round_=open_round, constituency=constituencies["C1"], count=1
    )
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert SCRIPT in text  # drawn as the very characters typed, never read as markup
