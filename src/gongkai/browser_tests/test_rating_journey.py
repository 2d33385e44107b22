"""A rater's journey in the browser: alice opens her ballot from "My ratings", rates both representatives of her
constituency, casts it and sees her tracker; going back, reloading, or casting again from a second tab opened
before shows that she has already voted, and the database holds one ballot.

Assertions go through the markup (ids, names, values, data-code) and the data, not through our UI strings.
"""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongkai.ratings.models import Participation, RatedPerson, Round, SealedBallot
from gongkai.ratings.tests.conftest import constituencies, open_round, uma  # noqa: F401 - fixtures

from .test_journeys import log_in

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
expect = playwright.expect

pytestmark = pytest.mark.browser

TRACKER = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def rate_everyone(page, rated, level: str) -> None:
    for r in rated:
        page.locator(f'input[name="rate-{r.pk}"][value="{level}"]').check()


def test_alice_casts_her_ballot_once(page, shot, problems, alice, open_round):  # noqa: F811
    rated = list(RatedPerson.objects.filter(round=open_round).select_related("person"))
    ballot_url = f"/ratings/{open_round.pk}/ballot/"
    log_in(page, alice.employee_no)
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/ratings/")
    page.locator(f'#my-current-rounds a[href="{ballot_url}"]').click()
    expect(page).to_have_url(re.compile(re.escape(ballot_url) + "$"))
    expect(page.locator("#final-warning")).to_be_visible()
    for r in rated:
        expect(page.locator(f"#rated-{r.pk}")).to_contain_text(r.person.name)
        expect(page.locator(f'input[name="rate-{r.pk}"]:checked')).to_have_count(0)
    shot(page, "ballot")

    # a second tab with the same ballot, opened before casting
    other_tab = page.context.new_page()
    other_tab.goto(ballot_url)
    expect(other_tab.locator("#ballot-form")).to_be_visible()

    rate_everyone(page, rated, "fit")
    page.locator("#cast").click()
    tracker = page.locator("#tracker")
    expect(tracker).to_be_visible()
    shown = tracker.inner_text().strip()
    assert TRACKER.match(shown), shown
    assert SealedBallot.objects.get().tracker == shown
    assert shown not in page.url
    assert not any(
        shown in c["value"] or shown.replace("-", "") in c["value"] for c in page.context.cookies()
    )
    shot(page, "receipt")

    # back to the ballot: it is fetched again (no-store) and says she has voted
    page.go_back()
    expect(page.locator("#already-voted")).to_be_visible()
    expect(page.locator("#ballot-form")).to_have_count(0)
    page.reload()
    expect(page.locator("#already-voted")).to_be_visible()
    expect(page.locator("#tracker")).to_have_count(0)
    shot(page, "voted")

    # casting again from the tab opened before: refused, nothing written
    rate_everyone(other_tab, rated, "unfit")
    other_tab.locator("#cast").click()
    expect(other_tab.locator("#ballot-error")).to_have_attribute("data-code", "already_voted")
    expect(other_tab.locator("#already-voted")).to_be_visible()
    expect(other_tab.locator("#tracker")).to_have_count(0)
    shot(other_tab, "second-tab")

    assert Participation.objects.filter(round=open_round).count() == 1
    assert SealedBallot.objects.count() == 1
    assert set(SealedBallot.objects.get().choices.values()) == {"fit"}

    # before the close the trackers are not published
    page.goto(f"/ratings/{open_round.pk}/trackers/")
    expect(page.locator("#not-published")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(shown)

    # the vote ends (the worker's job): her tracker is published, and she checks it as she wrote it down
    Round.objects.filter(pk=open_round.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("end_voting", stdout=StringIO())
    page.goto(f"/ratings/{open_round.pk}/trackers/")
    expect(page.locator("#trackers-table")).to_contain_text(shown)
    expect(page.locator("#recount-verdict")).to_have_attribute("data-match", "yes")
    shot(page, "trackers")
    page.goto(f"/ratings/{open_round.pk}/tracker-check/")
    page.fill("#id_tracker", shown.replace("-", " ").lower())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#ballot-found")).to_contain_text(shown)
    for r in rated:
        expect(page.locator("#ballot-found")).to_contain_text(r.person.name)
    shot(page, "tracker-check")
    expected = [f"HTTP 409 POST {other_tab.url}"]  # the refusal of the second ballot
    assert problems == expected or not problems, "\n".join(problems)
