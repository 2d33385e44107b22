"""Paper ballots: printing, handing out, batches and their two entries. Every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry
from gongkai.ratings import ballot_actions, paper_actions
from gongkai.ratings.choices import BatchStatus, Channel, RoundKind, RoundStatus
from gongkai.ratings.models import (
    Liaison,
    PaperBatch,
    PaperEntry,
    Participation,
    RatedPerson,
    ResultLine,
    Round,
    SheetPrint,
)
from gongkai.ratings.tests.conftest import ballot_for, make_round


def snapshot():
    return (
        list(SheetPrint.objects.order_by("pk").values()),
        list(Participation.objects.order_by("pk").values()),
        list(PaperBatch.objects.order_by("pk").values()),
        list(PaperEntry.objects.order_by("pk").values()),
        list(Round.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def refused(code, fn, **kwargs):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        fn(**kwargs)
    assert info.value.code == code, info.value
    assert snapshot() == before
    return info.value


def denied(fn, **kwargs):
    before = snapshot()
    with pytest.raises(AccessDenied):
        fn(**kwargs)
    assert snapshot() == before


@pytest.fixture
def liaison(open_round, lily):
    Liaison.objects.create(round=open_round, person=lily, constituency=None)
    return lily


@pytest.fixture
def c1(constituencies):
    return constituencies["C1"]


def counts_for(round_, constituency, per_person):
    """The same counts for everyone on the list: per_person = {"fit": n, ...}."""
    return {str(r.pk): dict(per_person) for r in ballot_actions.ballot_list(round_, constituency.pk)}


@pytest.fixture
def handed(open_round, liaison, c1, alice, constituencies):
    """Sheets 1-5 printed for C1; alice, vic and vera received one; voting has ended (sheets are counted then)."""
    paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=5)
    paper_actions.hand_out_sheets(
        actor=liaison, round_=open_round, people=[alice, constituencies["vic"], constituencies["vera"]]
    )
    end_vote(open_round)
    return open_round


def end_vote(round_):
    """Voting is over: the round waits for its paper count."""
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.COUNTING)
    round_.refresh_from_db()


@pytest.fixture
def batch(handed, liaison, c1):
    return paper_actions.create_batch(
        actor=liaison, round_=handed, constituency=c1, number=1, sheet_numbers="1-3"
    )


GOOD = {"fit": 2, "basically_fit": 1, "unfit": 0, "blank": 0}


# ------------------------------------------------------------------------------------------------ printing


def test_printing_numbers_continue_per_constituency(open_round, liaison, c1):
    first, pdf = paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=3)
    second, _pdf = paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=2)
    assert (first.first, first.last, second.first, second.last) == (1, 3, 4, 5)
    assert pdf.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="ratings.print_sheets").count() == 2


def test_the_sheets_pdf_has_one_page_per_sheet_with_the_round_id_and_numbers(open_round, liaison, c1):
    paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=4)
    printed, pdf = paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=3)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    for page, number in zip(reader.pages, (5, 6, 7), strict=True):
        text = page.extract_text()
        assert f"No. {number:06d}" in text
        assert str(open_round.pk) in text
        assert "丽塔" in text and "拉维" in text  # the list, in the CJK font
        assert "艾丽丝" not in text  # no voter


def test_a_thousand_sheets_render_in_a_few_seconds(open_round, c1):
    import time

    from gongkai.ratings import paper_pdf

    people = ballot_actions.ballot_list(open_round, c1.pk)
    started = time.perf_counter()
    pdf = paper_pdf.render_sheets(round_=open_round, constituency=c1, first=1, last=1000, people=people)
    elapsed = time.perf_counter() - started
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1000
    assert elapsed < 5, elapsed


def test_printing_is_refused_to_others_and_outside_the_round(open_round, c1, bob, lily, constituencies, uma):
    denied(paper_actions.print_sheets, actor=bob, round_=open_round, constituency=c1, count=3)
    Liaison.objects.create(round=open_round, person=lily, constituency=constituencies["C2"])
    denied(paper_actions.print_sheets, actor=lily, round_=open_round, constituency=c1, count=3)
    refused(
        "constituency",
        paper_actions.print_sheets,
        actor=uma,
        round_=open_round,
        constituency=constituencies["C2"],
        count=3,
    )
    refused("count", paper_actions.print_sheets, actor=uma, round_=open_round, constituency=c1, count=0)
    Round.objects.filter(pk=open_round.pk).update(status=RoundStatus.COUNTING)
    refused(
        "not_printable", paper_actions.print_sheets, actor=uma, round_=open_round, constituency=c1, count=3
    )


def test_a_liaison_of_the_constituency_may_print(open_round, c1, lily):
    Liaison.objects.create(round=open_round, person=lily, constituency=c1)
    printed, _pdf = paper_actions.print_sheets(actor=lily, round_=open_round, constituency=c1, count=1)
    assert printed.constituency_id == c1.pk


def test_an_appraisal_prints_one_list(tree, uma, constituencies):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], kind=RoundKind.APPRAISAL)
    RatedPerson.objects.filter(round=round_).update(constituency=None)
    printed, _pdf = paper_actions.print_sheets(actor=uma, round_=round_, constituency=None, count=2)
    assert printed.constituency_id is None and (printed.first, printed.last) == (1, 2)
    refused(
        "constituency",
        paper_actions.print_sheets,
        actor=uma,
        round_=round_,
        constituency=constituencies["C1"],
        count=2,
    )


# -------------------------------------------------------------------------------------------- handing out


def test_handing_out_creates_paper_participations(handed, alice, constituencies):
    rows = Participation.objects.filter(round=handed).order_by("person_id")
    assert {p.channel for p in rows} == {Channel.PAPER}
    assert {p.person_id for p in rows} == {alice.pk, constituencies["vic"].pk, constituencies["vera"].pk}
    assert {p.constituency_id for p in rows} == {constituencies["C1"].pk}


def test_no_sheet_for_someone_who_voted_online_and_no_online_vote_after_a_sheet(
    open_round, liaison, alice, constituencies
):
    rita = constituencies["rita"]
    ballot_actions.cast_ballot(actor=rita, round_id=open_round.pk, choices=ballot_for(open_round, rita))
    error = refused(
        "already_voted",
        paper_actions.hand_out_sheets,
        actor=liaison,
        round_=open_round,
        people=[alice, rita],  # all or nothing: alice is not marked either
    )
    assert "丽塔" in error.messages[0] and "艾丽丝" not in error.messages[0]
    paper_actions.hand_out_sheets(actor=liaison, round_=open_round, people=[alice])
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        ballot_actions.cast_ballot(actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice))
    assert info.value.code == "already_voted"
    assert snapshot() == before
    refused("already_voted", paper_actions.hand_out_sheets, actor=liaison, round_=open_round, people=[alice])


def test_handing_out_refusals(open_round, liaison, bob, alice, lily):
    refused("not_elector", paper_actions.hand_out_sheets, actor=liaison, round_=open_round, people=[bob])
    refused("nobody", paper_actions.hand_out_sheets, actor=liaison, round_=open_round, people=[])
    denied(paper_actions.hand_out_sheets, actor=bob, round_=open_round, people=[alice])
    Round.objects.filter(pk=open_round.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    refused("not_open", paper_actions.hand_out_sheets, actor=liaison, round_=open_round, people=[alice])


def test_a_constituency_liaison_hands_out_only_in_theirs(open_round, lily, alice, constituencies):
    Liaison.objects.create(round=open_round, person=lily, constituency=constituencies["C2"])
    denied(paper_actions.hand_out_sheets, actor=lily, round_=open_round, people=[alice])


# ----------------------------------------------------------------------------------------------- batches


def test_parse_sheet_numbers():
    assert paper_actions.parse_sheet_numbers("1-3, 5，7 - 8") == [1, 2, 3, 5, 7, 8]
    assert paper_actions.format_sheet_numbers([8, 1, 2, 3, 5, 7]) == "1-3, 5, 7-8"
    for text, code in [
        ("", "sheet_numbers"),
        ("abc", "sheet_numbers"),
        ("1-", "sheet_numbers"),
        ("1--3", "sheet_numbers"),
        ("1,,2", "sheet_numbers"),
        ("1.5", "sheet_numbers"),
        ("0", "sheet_numbers"),
        ("-3", "sheet_numbers"),
        ("10-5", "sheet_range_reversed"),
        ("1-999999", "batch_too_large"),
        ("1-3, 2", "sheet_repeated"),
    ]:
        with pytest.raises(ValidationError) as info:
            paper_actions.parse_sheet_numbers(text)
        assert info.value.code == code, text


def test_a_batch(batch, c1):
    assert (batch.number, batch.sheets, batch.sheet_numbers, batch.status) == (
        1,
        3,
        "1-3",
        BatchStatus.WAITING,
    )
    assert batch.constituency_id == c1.pk
    assert AuditEntry.objects.filter(action="ratings.create_batch").count() == 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1-3 x", "sheet_numbers"),
        ("garbage", "sheet_numbers"),
        ("3-1", "sheet_range_reversed"),
        ("1-500000", "batch_too_large"),
        ("4-6", "not_printed"),  # 6 was never printed
        ("1-4", "more_sheets_than_raters"),  # 3 people received a sheet
    ],
)
def test_batch_refusals(handed, liaison, c1, text, code):
    refused(
        code,
        paper_actions.create_batch,
        actor=liaison,
        round_=handed,
        constituency=c1,
        number=1,
        sheet_numbers=text,
    )


def test_sheets_reused_by_another_batch_and_more_sheets_than_raters(batch, handed, liaison, c1):
    refused(
        "sheet_in_other_batch",
        paper_actions.create_batch,
        actor=liaison,
        round_=handed,
        constituency=c1,
        number=2,
        sheet_numbers="3-4",
    )
    refused(
        "more_sheets_than_raters",
        paper_actions.create_batch,
        actor=liaison,
        round_=handed,
        constituency=c1,
        number=2,
        sheet_numbers="4",
    )
    refused(
        "batch_number_taken",
        paper_actions.create_batch,
        actor=liaison,
        round_=handed,
        constituency=c1,
        number=1,
        sheet_numbers="4",
    )


def test_batches_are_refused_before_voting_and_after_the_close(tree, uma, constituencies):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.DRAFT)
    paper_actions.print_sheets(actor=uma, round_=round_, constituency=constituencies["C1"], count=2)
    refused(
        "not_counting",
        paper_actions.create_batch,
        actor=uma,
        round_=round_,
        constituency=constituencies["C1"],
        number=None,
        sheet_numbers="1",
    )


def test_the_next_batch_number_is_given_when_none(open_round, liaison, c1, alice, constituencies):
    paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=5)
    people = [alice, constituencies["vic"], constituencies["vera"], constituencies["rita"]]
    paper_actions.hand_out_sheets(actor=liaison, round_=open_round, people=people)
    end_vote(open_round)
    handed = open_round
    paper_actions.create_batch(actor=liaison, round_=handed, constituency=c1, number=1, sheet_numbers="1-3")
    second = paper_actions.create_batch(
        actor=liaison, round_=handed, constituency=c1, number=None, sheet_numbers="5"
    )
    assert (second.number, second.sheets) == (2, 1)


# ----------------------------------------------------------------------------------------------- entries


def test_two_matching_entries_reconcile_the_batch(batch, handed, liaison, uma, c1):
    counts = counts_for(handed, c1, GOOD)
    first = paper_actions.enter_batch(actor=liaison, batch=batch, counts=counts)
    assert first.entry_no == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.WAITING
    second = paper_actions.enter_batch(actor=uma, batch=batch, counts=counts)
    assert second.entry_no == 2
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    assert batch.counts_digest == ballot_actions.batch_digest(counts, 0)
    assert batch.reconciled_at is not None
    assert AuditEntry.objects.filter(action="ratings.reconcile_batch", object_id=str(batch.pk)).count() == 1


def test_different_entries_are_a_mismatch_then_one_is_redone(batch, handed, liaison, uma, c1):
    first = paper_actions.enter_batch(actor=liaison, batch=batch, counts=counts_for(handed, c1, GOOD))
    other = counts_for(handed, c1, GOOD)
    rated_id = next(iter(other))
    other[rated_id] = {"fit": 1, "basically_fit": 1, "unfit": 0, "blank": 1}
    second = paper_actions.enter_batch(actor=uma, batch=batch, counts=other)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.MISMATCH and batch.counts_digest == ""
    diffs = paper_actions.differences(first, second)
    assert [(d.rated_id, d.level, d.first, d.second) for d in diffs] == [
        (rated_id, "fit", 2, 1),
        (rated_id, "blank", 0, 1),
    ]
    # only its author or a manager sets an entry aside
    denied(paper_actions.redo_entry, actor=liaison, entry=second)
    paper_actions.redo_entry(actor=uma, entry=second)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.WAITING
    refused("superseded", paper_actions.redo_entry, actor=uma, entry=second)
    redone = paper_actions.enter_batch(actor=uma, batch=batch, counts=counts_for(handed, c1, GOOD))
    assert redone.entry_no == 2
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    assert [e.pk for e in ballot_actions.current_entries(batch)] == [first.pk, redone.pk]


def test_redoing_the_first_entry_keeps_the_second(batch, handed, liaison, uma, c1):
    first = paper_actions.enter_batch(actor=liaison, batch=batch, counts=counts_for(handed, c1, GOOD))
    bad = counts_for(handed, c1, {"fit": 3, "basically_fit": 0, "unfit": 0, "blank": 0})
    second = paper_actions.enter_batch(actor=uma, batch=batch, counts=bad)
    paper_actions.redo_entry(actor=liaison, entry=first)
    # the new first entry must not be by uma, who made the second
    refused("same_person", paper_actions.enter_batch, actor=uma, batch=batch, counts=bad)
    again = paper_actions.enter_batch(actor=liaison, batch=batch, counts=bad)
    assert again.entry_no == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    assert [e.pk for e in ballot_actions.current_entries(batch)] == [again.pk, second.pk]


def _bad_counts(handed, c1, kind):
    counts = counts_for(handed, c1, GOOD)
    key = next(iter(counts))
    if kind == "sum":
        counts[key] = {"fit": 3, "basically_fit": 1, "unfit": 0, "blank": 0}
    elif kind == "not_on_list":
        counts["999999"] = dict(GOOD)
    elif kind == "missing_person":
        del counts[key]
    elif kind == "missing_level":
        counts[key] = {"fit": 2, "basically_fit": 1, "blank": 0}
    elif kind == "unknown_level":
        counts[key] = {"fit": 2, "basically_fit": 1, "unfit": 0, "blank": 0, "excellent": 0}
    elif kind == "negative":
        counts[key] = {"fit": 4, "basically_fit": -1, "unfit": 0, "blank": 0}
    elif kind == "fraction":
        counts[key] = {"fit": 1.5, "basically_fit": 1.5, "unfit": 0, "blank": 0}
    elif kind == "text":
        counts[key] = {"fit": "two", "basically_fit": 1, "unfit": 0, "blank": 0}
    elif kind == "boolean":
        counts[key] = {"fit": True, "basically_fit": 2, "unfit": 0, "blank": 0}
    return counts


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("sum", "sum"),
        ("not_on_list", "not_on_list"),
        ("missing_person", "missing_person"),
        ("missing_level", "levels"),
        ("unknown_level", "levels"),
        ("negative", "count_not_whole"),
        ("fraction", "count_not_whole"),
        ("text", "count_not_whole"),
        ("boolean", "count_not_whole"),
    ],
)
def test_entry_refusals(batch, handed, liaison, c1, kind, code):
    refused(code, paper_actions.enter_batch, actor=liaison, batch=batch, counts=_bad_counts(handed, c1, kind))


def test_invalid_sheets_are_part_of_the_sum(batch, handed, liaison, uma, c1):
    refused(
        "sum",
        paper_actions.enter_batch,
        actor=liaison,
        batch=batch,
        counts=counts_for(handed, c1, GOOD),
        invalid_sheets=1,
    )
    refused(
        "invalid_sheets",
        paper_actions.enter_batch,
        actor=liaison,
        batch=batch,
        counts=counts_for(handed, c1, GOOD),
        invalid_sheets=-1,
    )
    refused(
        "invalid_sheets",
        paper_actions.enter_batch,
        actor=liaison,
        batch=batch,
        counts=counts_for(handed, c1, {"fit": 0, "basically_fit": 0, "unfit": 0, "blank": 0}),
        invalid_sheets=4,
    )
    two = counts_for(handed, c1, {"fit": 1, "basically_fit": 0, "unfit": 0, "blank": 1})
    paper_actions.enter_batch(actor=liaison, batch=batch, counts=two, invalid_sheets=1)
    paper_actions.enter_batch(actor=uma, batch=batch, counts=two, invalid_sheets="1")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED


def test_the_same_person_cannot_enter_twice_and_no_third_entry(batch, handed, liaison, uma, diana, c1):
    counts = counts_for(handed, c1, GOOD)
    paper_actions.enter_batch(actor=liaison, batch=batch, counts=counts)
    refused("same_person", paper_actions.enter_batch, actor=liaison, batch=batch, counts=counts)
    other = counts_for(handed, c1, {"fit": 3, "basically_fit": 0, "unfit": 0, "blank": 0})
    paper_actions.enter_batch(actor=uma, batch=batch, counts=other)  # a mismatch
    refused("already_entered", paper_actions.enter_batch, actor=diana, batch=batch, counts=counts)


def test_a_reconciled_batch_is_frozen(batch, handed, liaison, uma, diana, c1):
    counts = counts_for(handed, c1, GOOD)
    first = paper_actions.enter_batch(actor=liaison, batch=batch, counts=counts)
    paper_actions.enter_batch(actor=uma, batch=batch, counts=counts)
    refused("batch_reconciled", paper_actions.enter_batch, actor=diana, batch=batch, counts=counts)
    refused("batch_reconciled", paper_actions.redo_entry, actor=liaison, entry=first)
    refused("batch_reconciled", paper_actions.redo_entry, actor=uma, entry=first)


def test_entering_is_refused_to_others(batch, handed, bob, c1):
    denied(paper_actions.enter_batch, actor=bob, batch=batch, counts=counts_for(handed, c1, GOOD))


def test_a_raw_change_to_a_reconciled_entry_is_caught_by_the_tally(batch, handed, liaison, uma, c1):
    counts = counts_for(handed, c1, GOOD)
    entry = paper_actions.enter_batch(actor=liaison, batch=batch, counts=counts)
    paper_actions.enter_batch(actor=uma, batch=batch, counts=counts)
    ballot_actions.tally(handed)  # counts as it is
    key = next(iter(counts))
    counts[key] = {"fit": 0, "basically_fit": 0, "unfit": 3, "blank": 0}
    import json

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ratings_paperentry SET counts = %s WHERE id = %s", [json.dumps(counts), entry.pk]
        )
    with pytest.raises(ValidationError) as info:
        ballot_actions.tally(handed)
    assert info.value.code == "tampered_batch"


# ------------------------------------------------------------------------------------------- a full path


def test_print_hand_out_count_certify(open_round, liaison, uma, alice, constituencies, c1):
    rita, ravi, vic, vera = (constituencies[k] for k in ("rita", "ravi", "vic", "vera"))
    paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=10)
    assert paper_actions.hand_out_sheets(actor=liaison, round_=open_round, people=[alice, vic, vera]) == 3
    ballot_actions.cast_ballot(
        actor=rita, round_id=open_round.pk, choices=ballot_for(open_round, rita, "fit")
    )
    ballot_actions.cast_ballot(
        actor=ravi, round_id=open_round.pk, choices=ballot_for(open_round, ravi, "unfit")
    )
    refused(  # no paper count while people still vote
        "not_counting",
        paper_actions.create_batch,
        actor=liaison,
        round_=open_round,
        constituency=c1,
        number=1,
        sheet_numbers="2",
    )
    Round.objects.filter(pk=open_round.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    round_ = ballot_actions.end_voting(actor=uma, round_=open_round)
    assert round_.status == RoundStatus.COUNTING  # paper sheets were handed out
    batch = paper_actions.create_batch(
        actor=liaison, round_=open_round, constituency=c1, number=1, sheet_numbers="2, 5-6"
    )
    people = ballot_actions.ballot_list(open_round, c1.pk)
    counts = {
        str(people[0].pk): {"fit": 1, "basically_fit": 1, "unfit": 0, "blank": 0},
        str(people[1].pk): {"fit": 0, "basically_fit": 0, "unfit": 1, "blank": 1},
    }
    paper_actions.enter_batch(actor=liaison, batch=batch, counts=counts, invalid_sheets=1)
    paper_actions.enter_batch(actor=uma, batch=batch, counts=counts, invalid_sheets=1)
    round_ = ballot_actions.certify(actor=uma, round_=round_)
    assert round_.status == RoundStatus.CLOSED
    assert (round_.ballots_online, round_.ballots_paper) == (2, 3)
    lines = {line.rated_id: line.counts for line in ResultLine.objects.filter(round=round_)}
    assert lines[people[0].pk] == {"fit": 2, "basically_fit": 1, "unfit": 1, "blank": 0}
    assert lines[people[1].pk] == {"fit": 1, "basically_fit": 0, "unfit": 2, "blank": 1}
    # after the close nothing paper changes any more
    refused(
        "not_printable", paper_actions.print_sheets, actor=liaison, round_=round_, constituency=c1, count=1
    )
    refused(
        "not_counting",
        paper_actions.create_batch,
        actor=liaison,
        round_=round_,
        constituency=c1,
        number=2,
        sheet_numbers="7",
    )


def test_an_appraisal_counts_paper_on_its_one_list(tree, uma, lily, alice, constituencies):
    """The raters of an appraisal may belong to constituencies; the paper list is still one (constituency empty)."""
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], kind=RoundKind.APPRAISAL)
    RatedPerson.objects.filter(round=round_).update(constituency=None)
    Liaison.objects.create(round=round_, person=lily, constituency=None)
    paper_actions.print_sheets(actor=lily, round_=round_, constituency=None, count=3)
    paper_actions.hand_out_sheets(actor=lily, round_=round_, people=[alice, constituencies["vic"]])
    end_vote(round_)
    refused(
        "more_sheets_than_raters",
        paper_actions.create_batch,
        actor=lily,
        round_=round_,
        constituency=None,
        number=1,
        sheet_numbers="1-3",
    )
    batch = paper_actions.create_batch(
        actor=lily, round_=round_, constituency=None, number=1, sheet_numbers="1-2"
    )
    counts = {
        str(r.pk): {"fit": 1, "basically_fit": 0, "unfit": 1, "blank": 0}
        for r in ballot_actions.ballot_list(round_, None)
    }
    paper_actions.enter_batch(actor=lily, batch=batch, counts=counts)
    paper_actions.enter_batch(actor=uma, batch=batch, counts=counts)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    summary = paper_actions.paper_summary(round_, [None])[None]
    assert (summary["electors"], summary["paper"], summary["printed"], summary["sheets"]) == (5, 2, 3, 2)
