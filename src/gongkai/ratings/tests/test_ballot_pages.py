"""The rater's pages: the ballot form and its receipt, every refusal through the page (with nothing written),
my rounds (fixed query count), the home panel."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.core.access import get_scope
from gongkai.ratings import ballot_actions as ba
from gongkai.ratings import ballot_panels
from gongkai.ratings.choices import Channel, RoundStatus, Scale
from gongkai.ratings.models import Participation, RatedPerson, Round, SealedBallot

from .conftest import ballot_for, make_round

TRACKER = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def _counts() -> tuple[int, int]:
    return Participation.objects.count(), SealedBallot.objects.count()


def _post(client, round_pk, choices: dict):
    data = {f"rate-{k}": v for k, v in choices.items()}
    return client.post(reverse("ratings:ballot", args=[round_pk]), data)


def _code_of(response) -> str:
    found = re.search(r'id="ballot-error" data-code="([a-z_]+)"', response.content.decode())
    return found.group(1) if found else ""


# --------------------------------------------------------------------------------------------- the ballot


def test_ballot_page_shows_reports_levels_and_the_warning(client, open_round, alice, constituencies):
    client.force_login(alice)
    response = client.get(reverse("ratings:ballot", args=[open_round.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("rita", "ravi"):
        person = constituencies[name]
        assert person.name in html and f"{person.name}的述职报告" in html
    assert constituencies["rob"].name not in html  # not on alice's list
    assert 'id="final-warning"' in html and 'id="ballot-form"' in html
    rated = RatedPerson.objects.filter(round=open_round)
    for r in rated:
        for level in ("fit", "basically_fit", "unfit"):
            assert f'name="rate-{r.pk}" value="{level}"' in html
    assert "checked" not in html  # no preselected rating
    assert "no-store" in response["Cache-Control"]


def test_ballot_links_the_report_file(client, open_round, alice, constituencies):
    rita = RatedPerson.objects.get(round=open_round, person=constituencies["rita"])
    RatedPerson.objects.filter(pk=rita.pk).update(report_file="ab/cd.pdf", report_file_name="述职报告.pdf")
    client.force_login(alice)
    html = client.get(reverse("ratings:ballot", args=[open_round.pk])).content.decode()
    assert f'href="{reverse("ratings:rated_report_file", args=[rita.pk])}"' in html and "述职报告.pdf" in html
    assert html.count("/report/file/") == 1  # ravi has no file


def test_cast_renders_the_receipt_once(client, open_round, alice):
    client.force_login(alice)
    response = _post(client, open_round.pk, ballot_for(open_round, alice, "basically_fit"))
    assert response.status_code == 200
    html = response.content.decode()
    tracker = SealedBallot.objects.get().tracker
    assert f"<strong>{tracker}</strong>" in html and 'id="tracker"' in html
    assert reverse("ratings:trackers", args=[open_round.pk]) in html
    assert tracker not in response.get("Location", "")
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "same-origin"
    assert Participation.objects.get().channel == Channel.ONLINE
    assert SealedBallot.objects.get().choices == ballot_for(open_round, alice, "basically_fit")
    # the ballot page now says so, and shows no form and no tracker
    again = client.get(reverse("ratings:ballot", args=[open_round.pk]))
    assert 'id="already-voted"' in again.content.decode()
    assert 'id="ballot-form"' not in again.content.decode() and tracker not in again.content.decode()


# -------------------------------------------------------------------------------------------- refusals


def _refused(client, round_pk, choices, *, code: str, status: int) -> str:
    before = _counts()
    response = _post(client, round_pk, choices)
    assert response.status_code == status
    assert _code_of(response) == code
    assert _counts() == before
    return response.content.decode()


def test_refused_before_the_window(client, tree, uma, alice, constituencies):
    now = timezone.now()
    round_ = make_round(
        tree["MA"],
        uma,
        [constituencies["C1"]],
        opens_at=now + dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
    )
    client.force_login(alice)
    page = client.get(reverse("ratings:ballot", args=[round_.pk])).content.decode()
    assert 'id="not-open"' in page and 'id="ballot-form"' not in page
    assert "的述职报告" in page  # the reports can be read before voting opens
    _refused(client, round_.pk, ballot_for(round_, alice), code="not_open", status=400)


def test_refused_after_the_window(client, tree, uma, alice, constituencies):
    now = timezone.now()
    round_ = make_round(
        tree["MA"],
        uma,
        [constituencies["C1"]],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now - dt.timedelta(minutes=1),
    )
    client.force_login(alice)
    page = client.get(reverse("ratings:ballot", args=[round_.pk])).content.decode()
    assert 'id="ended"' in page and 'id="ballot-form"' not in page
    _refused(client, round_.pk, ballot_for(round_, alice), code="ended", status=400)


def test_refused_when_the_round_is_counting_or_closed(client, tree, uma, alice, constituencies):
    for status in (RoundStatus.COUNTING, RoundStatus.CLOSED):
        round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=status)
        client.force_login(alice)
        _refused(client, round_.pk, ballot_for(round_, alice), code="not_open", status=400)


def test_refused_a_person_not_on_my_list(client, tree, uma, alice, constituencies):
    round_ = make_round(tree["G"], uma, [constituencies["C1"], constituencies["C2"]])
    rob = RatedPerson.objects.get(round=round_, person=constituencies["rob"])
    client.force_login(alice)
    choices = ballot_for(round_, alice) | {str(rob.pk): "unfit"}
    _refused(client, round_.pk, choices, code="not_on_list", status=400)
    # a rated id that is not a number at all
    _refused(client, round_.pk, ballot_for(round_, alice) | {"x1": "fit"}, code="not_on_list", status=400)


def test_refused_an_exempted_person(client, open_round, alice, constituencies):
    ravi = RatedPerson.objects.get(round=open_round, person=constituencies["ravi"])
    choices = ballot_for(open_round, alice)
    RatedPerson.objects.filter(pk=ravi.pk).update(exemption="away")
    client.force_login(alice)
    _refused(client, open_round.pk, choices, code="not_on_list", status=400)
    # the exempted person is not on the form
    assert (
        f"rate-{ravi.pk}" not in client.get(reverse("ratings:ballot", args=[open_round.pk])).content.decode()
    )


def test_refused_a_second_ballot(client, open_round, alice):
    client.force_login(alice)
    assert _post(client, open_round.pk, ballot_for(open_round, alice)).status_code == 200
    page = _refused(
        client, open_round.pk, ballot_for(open_round, alice, "unfit"), code="already_voted", status=409
    )
    assert 'id="already-voted"' in page and not TRACKER.search(page)
    assert SealedBallot.objects.get().choices == ballot_for(open_round, alice, "fit")  # the first one stands


def test_refused_after_voting_on_paper(client, open_round, alice):
    Participation.objects.create(round=open_round, person=alice, channel=Channel.PAPER)
    client.force_login(alice)
    page = client.get(reverse("ratings:ballot", args=[open_round.pk])).content.decode()
    assert 'id="already-voted"' in page and 'id="ballot-form"' not in page
    _refused(client, open_round.pk, ballot_for(open_round, alice), code="already_voted", status=409)


def test_refused_a_missing_rating_keeps_the_choices(client, open_round, alice, constituencies):
    client.force_login(alice)
    full = ballot_for(open_round, alice)
    first, second = sorted(full)
    page = _refused(client, open_round.pk, {first: "unfit"}, code="missing", status=400)
    assert f'name="rate-{first}" value="unfit" required checked' in page
    assert f'name="rate-{second}" value="fit" required checked' not in page
    assert 'id="ballot-form"' in page
    # an empty value counts as missing too
    _refused(client, open_round.pk, {first: "fit", second: ""}, code="missing", status=400)
    _refused(client, open_round.pk, {}, code="missing", status=400)


def test_refused_a_level_not_on_the_scale(client, open_round, alice):
    client.force_login(alice)
    for level in ("excellent", "satisfied", "FIT", "<script>"):
        page = _refused(client, open_round.pk, ballot_for(open_round, alice, level), code="level", status=400)
        assert "<script>" not in page


def test_the_scale_of_the_round_is_offered(client, tree, uma, alice, constituencies):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], scale=Scale.FITNESS4)
    client.force_login(alice)
    page = client.get(reverse("ratings:ballot", args=[round_.pk])).content.decode()
    assert 'value="excellent"' in page
    assert _post(client, round_.pk, ballot_for(round_, alice, "excellent")).status_code == 200


def test_refused_a_forged_round_id(client, open_round, alice):
    client.force_login(alice)
    before = _counts()
    assert _post(client, 987654, ballot_for(open_round, alice)).status_code == 404
    assert client.post("/ratings/abc/ballot/", {}).status_code == 404
    assert client.post(f"/ratings/{open_round.pk}x/ballot/", {}).status_code == 404
    assert _counts() == before
    for forged in ("abc", None, "1; DROP TABLE ratings_ballot", 987654):
        with pytest.raises(ValidationError) as err:
            ba.cast_ballot(actor=alice, round_id=forged, choices=ballot_for(open_round, alice))
        assert err.value.code == "no_round"
    assert _counts() == before


def test_refused_a_non_elector(client, open_round, alice, bob, lily, uma):
    before = _counts()
    # bob works in another mine: the round does not exist for him
    client.force_login(bob)
    assert client.get(reverse("ratings:ballot", args=[open_round.pk])).status_code == 404
    assert _post(client, open_round.pk, ballot_for(open_round, alice)).status_code == 404
    # lily and uma belong to the round's unit, but are not raters
    for person in (lily, uma):
        client.force_login(person)
        page = client.get(reverse("ratings:ballot", args=[open_round.pk]))
        assert page.status_code == 403 and 'id="not-elector"' in page.content.decode()
        _refused(client, open_round.pk, ballot_for(open_round, alice), code="not_elector", status=403)
    assert _counts() == before


def test_draft_round_is_not_found(client, tree, uma, alice, constituencies):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.DRAFT)
    client.force_login(alice)
    assert client.get(reverse("ratings:ballot", args=[round_.pk])).status_code == 404
    assert _post(client, round_.pk, {}).status_code == 404


def test_anonymous_is_sent_to_log_in(client, open_round):
    response = client.get(reverse("ratings:ballot", args=[open_round.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    before = _counts()
    assert client.post(reverse("ratings:ballot", args=[open_round.pk]), {}).status_code == 302
    assert _counts() == before


# --------------------------------------------------------------------------------------------- my rounds


def test_my_rounds_lists_open_voted_and_closed(client, tree, uma, alice, bob, constituencies):
    c1 = [constituencies["C1"]]
    open_ = make_round(tree["MA"], uma, c1, title="开放")
    voted = make_round(tree["MA"], uma, c1, title="已投")
    closed = make_round(tree["MA"], uma, c1, title="甲轮测评", status=RoundStatus.CLOSED)
    other = make_round(tree["MB"], uma, [constituencies["C2"]], title="二矿的", status=RoundStatus.CLOSED)
    draft = make_round(tree["MA"], uma, c1, title="草稿", status=RoundStatus.DRAFT)
    ba.cast_ballot(actor=alice, round_id=voted.pk, choices=ballot_for(voted, alice))
    client.force_login(alice)
    html = client.get(reverse("ratings:mine")).content.decode()
    current = html.split('id="my-current-rounds"')[1].split("</table>")[0]
    assert f'href="{reverse("ratings:ballot", args=[open_.pk])}"' in current
    assert "已投" in current and f'href="{reverse("ratings:ballot", args=[voted.pk])}"' not in current
    closed_html = html.split('id="my-closed-rounds"')[1].split("</table>")[0]
    assert "甲轮测评" in closed_html and reverse("ratings:trackers", args=[closed.pk]) in closed_html
    assert other.title not in html and draft.title not in html
    # bob sees his own unit's closed round, none of alice's
    client.force_login(bob)
    html = client.get(reverse("ratings:mine")).content.decode()
    assert other.title in html and "开放" not in html and "甲轮测评" not in html


def _mine_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("ratings:mine")).status_code == 200
    return len(ctx.captured_queries)


def test_my_rounds_cost_a_fixed_number_of_queries(
    client, tree, uma, alice, constituencies, django_assert_num_queries
):
    c1 = [constituencies["C1"]]
    make_round(tree["MA"], uma, c1)
    make_round(tree["MA"], uma, c1, status=RoundStatus.CLOSED)
    client.force_login(alice)
    few = _mine_queries(client)
    for i in range(6):
        r = make_round(tree["MA"], uma, c1, title=f"轮次{i}")
        if i % 2:
            ba.cast_ballot(actor=alice, round_id=r.pk, choices=ballot_for(r, alice))
        make_round(tree["MA"], uma, c1, title=f"已结束{i}", status=RoundStatus.CLOSED)
        make_round(tree["MA"], uma, c1, title=f"计票{i}", status=RoundStatus.COUNTING)
    with django_assert_num_queries(few):
        html = client.get(reverse("ratings:mine")).content.decode()
    assert "轮次5" in html and "已结束5" in html and "计票5" in html


# ------------------------------------------------------------------------------------------------- panel


def test_panel_lists_open_rounds_not_voted_yet(
    rf, tree, uma, alice, bob, constituencies, django_assert_num_queries
):
    c1 = [constituencies["C1"]]
    round_ = make_round(tree["MA"], uma, c1, title="请投票")
    make_round(tree["MA"], uma, c1, title="未开始", opens_at=timezone.now() + dt.timedelta(hours=2))
    make_round(
        tree["MA"],
        uma,
        c1,
        title="已截止",
        closes_at=timezone.now() - dt.timedelta(minutes=1),
        opens_at=timezone.now() - dt.timedelta(days=1),
    )
    request = rf.get("/")
    request.user = alice
    scope = get_scope(alice)
    with django_assert_num_queries(1):
        panel = ballot_panels.my_ballots_panel(request, scope)
    assert panel is not None and [r.title for r in panel.context["rounds"]] == ["请投票"]
    ba.cast_ballot(actor=alice, round_id=round_.pk, choices=ballot_for(round_, alice))
    assert ballot_panels.my_ballots_panel(request, scope) is None
    request.user = bob
    assert ballot_panels.my_ballots_panel(request, get_scope(bob)) is None


def test_home_page_shows_the_panel(client, open_round, alice):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert reverse("ratings:ballot", args=[open_round.pk]) in html


def test_no_round_is_shown_to_an_unrelated_person(client, tree, uma, bob, constituencies):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.CLOSED)
    client.force_login(bob)
    for name in ("ratings:trackers", "ratings:tracker_check"):
        assert client.get(reverse(name, args=[round_.pk])).status_code == 404
    assert Round.objects.filter(pk=round_.pk).exists()
