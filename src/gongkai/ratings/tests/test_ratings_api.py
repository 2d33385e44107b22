"""The ratings API: rounds the caller may see (paginated), a round, its results only once closed (no figure
before), and casting a ballot with errors as {code, detail} — the same rules as the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.ratings.choices import Exemption, RoundStatus
from gongkai.ratings.models import Participation, RatedPerson, Round, SealedBallot

from .conftest import ballot_for, make_round
from .results_fixtures import closed_round, rate, seed_mine

API = "/api/v1/ratings"


@pytest.fixture
def closed(tree, uma, constituencies):
    round_ = closed_round(tree["MA"], uma)
    rita = RatedPerson.objects.create(
        round=round_, person=constituencies["rita"], constituency=constituencies["C1"]
    )
    RatedPerson.objects.create(
        round=round_,
        person=constituencies["ravi"],
        position=2,
        exemption=Exemption.AWAY,
        exemption_note="出差",
    )
    rate(round_, rita, {"fit": 2, "basically_fit": 1, "unfit": 1, "blank": 2})
    Round.objects.filter(pk=round_.pk).update(electorate=8, ballots_online=4, ballots_paper=2)
    round_.refresh_from_db()
    return round_


def test_rounds_lists_what_the_caller_may_see(client, closed, open_round, alice, bob):
    client.force_login(alice)
    data = client.get(f"{API}/rounds").json()
    assert data["count"] == 2
    assert {r["id"] for r in data["items"]} == {closed.pk, open_round.pk}
    item = next(r for r in data["items"] if r["id"] == closed.pk)
    assert item["unit"] == "MA" and item["status"] == "closed" and item["results_published"] is True
    assert item["levels"] == ["fit", "basically_fit", "unfit"]
    client.force_login(bob)
    assert client.get(f"{API}/rounds").json()["count"] == 0


def test_rounds_are_paginated_and_filtered(client, tree, uma, alice, closed):
    for n in range(3):
        closed_round(tree["MA"], uma, title=f"旧轮次{n}", year=2024)
    client.force_login(alice)
    page = client.get(f"{API}/rounds", {"limit": 2, "offset": 0}).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    assert client.get(f"{API}/rounds", {"year": 2024}).json()["count"] == 3
    assert client.get(f"{API}/rounds", {"status": "open"}).json()["count"] == 0


def test_rounds_query_count_is_constant(client, tree, uma, alice, closed):
    client.force_login(alice)
    client.get(f"{API}/rounds")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/rounds")
    for n in range(10):
        closed_round(tree["MA"], uma, title=f"轮次{n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{API}/rounds").json()["count"] == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_round_detail_hides_figures_until_closed(client, closed, open_round, alice):
    client.force_login(alice)
    data = client.get(f"{API}/rounds/{closed.pk}").json()
    assert (
        data["electorate"] == 8
        and data["ballots_online"] == 4
        and data["tally_digest"] == closed.tally_digest
    )
    Round.objects.filter(pk=open_round.pk).update(electorate=5, tally_digest="x" * 64)
    data = client.get(f"{API}/rounds/{open_round.pk}").json()
    assert data["status"] == "open" and data["electorate"] is None and data["tally_digest"] is None


def test_round_detail_of_the_sibling_is_404(client, closed, bob):
    client.force_login(bob)
    response = client.get(f"{API}/rounds/{closed.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"{API}/rounds/999999").status_code == 404


def test_results_of_a_closed_round(client, closed, alice, constituencies):
    client.force_login(alice)
    response = client.get(f"{API}/rounds/{closed.pk}/results")
    assert response.status_code == 200
    data = response.json()
    (person,) = data["people"]
    assert person["name"] == constituencies["rita"].name and person["blank"] == 2 and person["total"] == 4
    assert [(lv["level"], lv["count"], float(lv["pct"])) for lv in person["levels"]] == [
        ("fit", 2, 50.0),
        ("basically_fit", 1, 25.0),
        ("unfit", 1, 25.0),
    ]
    assert person["flag"] == "" and float(person["negative_share"]) == 25.0
    (exempted,) = data["exempted"]
    assert exempted["exemption"] == "away" and exempted["note"] == "出差"
    assert data["total"] == 4 and data["blank"] == 2 and float(data["participation_pct"]) == 75.0


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.COUNTING])
def test_results_before_the_close_are_refused_without_a_figure(client, closed, uma, status):
    Round.objects.filter(pk=closed.pk).update(status=status)
    client.force_login(uma)
    response = client.get(f"{API}/rounds/{closed.pk}/results")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_closed" and set(body) == {"code", "detail"}
    assert "50.0" not in response.content.decode()


def test_results_of_the_sibling_are_404(client, closed, bob):
    client.force_login(bob)
    response = client.get(f"{API}/rounds/{closed.pk}/results")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_results_query_count_is_constant(client, tree, uma, closed):
    client.force_login(uma)
    client.get(f"{API}/rounds/{closed.pk}/results")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/rounds/{closed.pk}/results")
    big = seed_mine(tree["MA"], uma, raters=3, online=3)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{API}/rounds/{big.pk}/results").json()["people"]) == 180
    assert len(many.captured_queries) == len(few.captured_queries)


def test_anonymous_is_refused(client, closed):
    assert client.get(f"{API}/rounds").status_code == 401


# ------------------------------------------------------------------------------------------------- ballot


def test_cast_a_ballot(client, open_round, alice):
    client.force_login(alice)
    response = client.post(
        f"{API}/rounds/{open_round.pk}/ballot",
        {"choices": ballot_for(open_round, alice, "basically_fit")},
        content_type="application/json",
    )
    assert response.status_code == 201
    tracker = response.json()["tracker"]
    assert len(tracker) == 14 and set(response.json()) == {"tracker"}
    (sealed,) = SealedBallot.objects.all()
    assert sealed.tracker == tracker and set(sealed.choices.values()) == {"basically_fit"}
    assert Participation.objects.filter(round=open_round, person=alice, channel="online").count() == 1


def _cast(client, round_id, choices):
    return client.post(
        f"{API}/rounds/{round_id}/ballot", {"choices": choices}, content_type="application/json"
    )


def test_a_second_ballot_is_refused(client, open_round, alice):
    client.force_login(alice)
    assert _cast(client, open_round.pk, ballot_for(open_round, alice)).status_code == 201
    response = _cast(client, open_round.pk, ballot_for(open_round, alice, "unfit"))
    assert response.status_code == 400 and response.json()["code"] == "already_voted"
    assert SealedBallot.objects.count() == 1 and Participation.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "code"),
    [("missing", "missing"), ("foreign", "not_on_list"), ("level", "level"), ("forged", "not_found")],
)
def test_bad_ballots_are_refused_with_nothing_written(
    client, tree, uma, open_round, alice, constituencies, case, code
):
    choices = ballot_for(open_round, alice)
    round_id = open_round.pk
    if case == "missing":
        choices.popitem()
    elif case == "foreign":
        other = make_round(tree["MB"], uma, [constituencies["C2"]], title="二矿")
        choices[str(RatedPerson.objects.filter(round=other).first().pk)] = "fit"
    elif case == "level":
        choices[next(iter(choices))] = "excellent"
    else:
        round_id = 999999
    client.force_login(alice)
    response = _cast(client, round_id, choices)
    assert response.status_code == (404 if case == "forged" else 400)
    assert response.json()["code"] == code and response.json()["detail"]
    assert SealedBallot.objects.count() == 0 and Participation.objects.count() == 0


def test_a_ballot_by_someone_not_on_the_electorate_is_refused(client, open_round, lily, bob):
    client.force_login(lily)  # of the round's unit, but not a rater
    response = _cast(client, open_round.pk, {})
    assert response.status_code == 400 and response.json()["code"] == "not_elector"
    client.force_login(bob)  # of another unit: the round is not there for him (test_trust_review.py)
    assert _cast(client, open_round.pk, {}).status_code == 404
    assert SealedBallot.objects.count() == 0 and Participation.objects.count() == 0


def test_a_ballot_in_a_closed_round_is_refused(client, open_round, alice):
    Round.objects.filter(pk=open_round.pk).update(status=RoundStatus.CLOSED)
    client.force_login(alice)
    response = _cast(client, open_round.pk, ballot_for(open_round, alice))
    assert response.status_code == 400 and response.json()["code"] == "not_open"
    assert SealedBallot.objects.count() == 0 and Participation.objects.count() == 0
