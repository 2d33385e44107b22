"""Results queries: the seed's mine line reproduced from data, the lines of a round counted through the real
ballot flow, who may see a round, and a fixed number of queries whatever the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.access import get_scope
from gongkai.core.choices import Role
from gongkai.org.models import RoleAssignment
from gongkai.ratings import ballot_actions as ba
from gongkai.ratings import result_queries as rq
from gongkai.ratings.choices import Exemption, RoundStatus
from gongkai.ratings.models import RatedPerson, Round

from .conftest import ballot_for, make_round
from .results_fixtures import closed_round, seed_mine


def test_the_seed_mine_line_is_reproduced(tree, uma):
    seed_mine(tree["MA"], uma)
    summary = rq.group_summary(get_scope(uma), 2026)
    (line,) = summary.lines
    assert line.unit == tree["MA"]
    assert line.representatives == 207
    assert line.exempted == {"reported_at_congress": 9, "away": 18, "other": 0}
    assert line.rated == 180
    assert line.raters == 60 and line.raters_online == 45 and line.raters_paper == 15
    assert [(c.level, c.count, c.pct) for c in line.distribution] == [
        ("fit", 6930, Decimal("77.0")),
        ("basically_fit", 1881, Decimal("20.9")),
        ("unfit", 189, Decimal("2.1")),
    ]
    assert line.flags == 0
    assert summary.total.representatives == 207 and summary.total.pct("unfit") == Decimal("2.1")


def test_group_total_adds_the_mines(tree, uma, diana):
    seed_mine(tree["MA"], uma, "S")
    seed_mine(tree["MB"], diana, "T", raters=40, online=40)
    summary = rq.group_summary(get_scope(diana), 2026)
    assert [line.unit.code for line in summary.lines] == ["MA", "MB"]
    total = summary.total
    assert total.representatives == 414 and total.rated == 360
    assert total.exempted == {"reported_at_congress": 18, "away": 36, "other": 0}
    assert total.raters == 100 and total.raters_paper == 15
    assert [c.pct for c in total.distribution] == [Decimal("77.0"), Decimal("20.9"), Decimal("2.1")]
    # uma (union of 一矿) sees her mine only; the year filter leaves other years out
    assert [line.unit.code for line in rq.group_summary(get_scope(uma), 2026).lines] == ["MA"]
    assert rq.group_summary(get_scope(diana), 2025).lines == []


def test_summary_defaults_to_the_latest_year(tree, uma):
    seed_mine(tree["MA"], uma, "S", year=2025)
    seed_mine(tree["MA"], uma, "T", year=2026)
    summary = rq.group_summary(get_scope(uma))
    assert summary.year == 2026 and summary.years == [2026, 2025]
    assert summary.total.representatives == 207


def test_open_and_counting_rounds_are_not_in_the_summary(tree, uma):
    seed_mine(tree["MA"], uma)
    Round.objects.update(status=RoundStatus.COUNTING)
    assert rq.group_summary(get_scope(uma), 2026).lines == []


def test_round_results_through_the_real_ballot_flow(open_round, alice, constituencies, uma):
    """Three ballots cast, the vote ended and certified: the lines come from ResultLine with their flags."""
    ravi = RatedPerson.objects.get(round=open_round, person=constituencies["ravi"])
    RatedPerson.objects.filter(pk=ravi.pk).update(exemption=Exemption.AWAY, exemption_note="外出培训")
    voters = [alice, constituencies["vic"], constituencies["vera"]]
    for person, level in zip(voters, ["unfit", "unfit", "fit"], strict=True):
        ba.cast_ballot(actor=person, round_id=open_round.pk, choices=ballot_for(open_round, person, level))
    Round.objects.filter(pk=open_round.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    open_round.refresh_from_db()
    closed = ba.end_voting(actor=uma, round_=open_round)
    data = rq.round_results(closed)
    (line,) = data.lines
    assert line.person == constituencies["rita"]
    assert [(c.level, c.count, c.pct) for c in line.cells] == [
        ("fit", 1, Decimal("33.3")),
        ("basically_fit", 0, Decimal("0.0")),
        ("unfit", 2, Decimal("66.7")),
    ]
    assert line.total == 3 and line.blank == 0
    assert line.flag == "recall" and line.negative_share == Decimal("66.7")
    assert [(r.person, r.exemption) for r in data.exempted] == [(constituencies["ravi"], "away")]
    assert data.flags == 1 and data.total == 3
    assert data.participation_pct == Decimal("60.0")  # 3 of 5 electors


def test_blanks_are_shown_apart_and_not_in_the_percentages(tree, uma, constituencies):
    round_ = closed_round(tree["MA"], uma)
    rated = RatedPerson.objects.create(round=round_, person=constituencies["rita"], position=1)
    from .results_fixtures import rate

    rate(round_, rated, {"fit": 3, "basically_fit": 1, "unfit": 0, "blank": 4})
    (line,) = rq.round_results(round_).lines
    assert line.blank == 4 and line.total == 4
    assert [c.pct for c in line.cells] == [Decimal("75.0"), Decimal("25.0"), Decimal("0.0")]


@pytest.fixture
def leo_b(tree):
    p = _person("B200", "里奥", tree["MB"])
    RoleAssignment.objects.create(person=p, unit=tree["MB"], role=Role.LEADING_GROUP)
    return p


def test_who_sees_a_round(tree, uma, diana, alice, bob, lily, leo_b, constituencies, charlie):
    """Managers of the unit or above, employees of the mine and the electors; not the sibling mine."""
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.CLOSED)

    def sees(person) -> bool:
        return rq.visible_rounds(get_scope(person)).filter(pk=round_.pk).exists()

    assert sees(uma) and sees(diana)  # union of the mine, union of the group
    assert sees(alice) and sees(lily)  # employees of the mine (alice is also an elector)
    assert sees(charlie)  # admin of the mine
    assert not sees(bob) and not sees(leo_b)  # the sibling mine


def test_an_elector_outside_the_unit_sees_the_round(tree, uma, bob, constituencies):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.CLOSED)
    assert not rq.visible_rounds(get_scope(bob)).filter(pk=round_.pk).exists()
    from gongkai.ratings.models import Elector

    Elector.objects.create(round=round_, person=bob)
    assert rq.visible_rounds(get_scope(bob)).filter(pk=round_.pk).exists()


def test_a_group_round_is_seen_by_a_mine_manager(tree, diana, leo_b):
    round_ = closed_round(tree["G"], diana)
    assert rq.visible_rounds(get_scope(leo_b)).filter(pk=round_.pk).exists()


def test_summary_queries_do_not_grow_with_rows(tree, uma, diana, django_assert_num_queries):
    scope = get_scope(diana)
    scope.paths()  # computed once per request anyway
    seed_mine(tree["MA"], uma, "S", raters=5, online=3)
    with django_assert_num_queries(5) as few:
        rq.group_summary(scope, 2026)
    seed_mine(tree["MB"], diana, "T", raters=30, online=10)
    seed_mine(tree["MB1"], diana, "U", raters=30, online=10)
    with django_assert_num_queries(len(few.captured_queries)):
        summary = rq.group_summary(scope, 2026)
    assert len(summary.lines) == 3


def test_round_results_cost_one_query(tree, uma, django_assert_num_queries):
    small = closed_round(tree["MA"], uma, title="小")
    with django_assert_num_queries(1):
        rq.round_results(small)
    big = seed_mine(tree["MA"], uma, raters=5, online=5)
    with django_assert_num_queries(1):
        data = rq.round_results(big)
    assert len(data.lines) == 180 and len(data.exempted) == 27
