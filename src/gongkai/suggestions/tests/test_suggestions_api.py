"""Suggestions API: the same access as the pages (404 for what one may not see), figures and drives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from gongkai.suggestions.choices import Category, Decision, EventKind, Status
from gongkai.suggestions.models import Drive, Suggestion, SuggestionEvent

from .conftest import make_suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()


def test_mine_lists_lead_and_confirmed_coauthor(client, alice, amy, bob):
    s = make_suggestion(alice, coauthors=[amy])
    make_suggestion(bob)
    client.force_login(amy)
    body = client.get("/api/v1/suggestions/mine").json()
    assert [item["id"] for item in body["items"]] == [s.pk]
    assert body["items"][0]["author"] == "艾丽丝"
    assert body["items"][0]["category"] == Category.TECHNICAL


def test_one_suggestion_for_authors_managers_panel_and_404_otherwise(
    client, tree, alice, amy, bob, uma, pete, panel
):
    s = make_suggestion(alice, coauthors=[amy], panel=panel, status=Status.IN_REVIEW)
    SuggestionEvent.objects.create(suggestion=s, kind=EventKind.SUBMITTED, actor=alice)
    SuggestionEvent.objects.create(suggestion=s, kind=EventKind.COMMENT, actor=uma, note="内部", public=False)
    for person in (alice, amy, uma, pete):
        client.force_login(person)
        response = client.get(f"/api/v1/suggestions/{s.pk}")
        assert response.status_code == 200, person
        body = response.json()
        assert body["coauthors"] == ["艾米"]
        assert [e["kind"] for e in body["timeline"]] == ["submitted"]  # private notes left out
    client.force_login(bob)
    response = client.get(f"/api/v1/suggestions/{s.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/suggestions/999999").status_code == 404


def test_a_draft_is_not_shown_to_managers(client, alice, uma):
    draft = make_suggestion(alice, status=Status.DRAFT)
    client.force_login(uma)
    assert client.get(f"/api/v1/suggestions/{draft.pk}").status_code == 404


def test_stats(client, tree, alice, amy, uma, bob):
    s = make_suggestion(alice, coauthors=[amy], category=Category.SAFETY)
    s.status, s.decision = Status.ADOPTED, Decision.ADOPT
    s.save()
    make_suggestion(bob)
    client.force_login(uma)
    body = client.get("/api/v1/suggestions/stats").json()
    assert body["unit"] == "MA"
    assert body["total"]["submitted"] == 1 and body["total"]["adoption_rate"] == 100.0
    assert body["participants"] == 2
    assert [line["key"] for line in body["units"]] == ["MA1"]
    assert {c["employee_no"] for c in body["contributors"]} == {"A001", "A002"}
    assert client.get("/api/v1/suggestions/stats?unit=MB").status_code == 404
    assert client.get("/api/v1/suggestions/stats?unit=MA1&year=1990").status_code == 404
    assert client.get("/api/v1/suggestions/stats?unit=MA1").json()["total"]["submitted"] == 1
    client.force_login(alice)
    assert client.get("/api/v1/suggestions/stats").status_code == 404


def test_drives(client, tree, alice, bob, uma):
    today = timezone.localdate()
    d = Drive.objects.create(
        unit=tree["MA"],
        title="提合理化建议，创效益新高",
        starts_on=today,
        ends_on=today + dt.timedelta(days=9),
        categories=["safety"],
        created_by=uma,
    )
    Drive.objects.create(
        unit=tree["MB"],
        title="二矿建议月",
        starts_on=today,
        ends_on=today,
        categories=["safety"],
        created_by=uma,
    )
    s = make_suggestion(alice)
    s.drive = d
    s.save()
    client.force_login(alice)
    items = client.get("/api/v1/suggestions/drives").json()["items"]
    assert [(i["id"], i["suggestions"], i["running"]) for i in items] == [(d.pk, 1, True)]
    client.force_login(bob)
    assert [i["title"] for i in client.get("/api/v1/suggestions/drives").json()["items"]] == ["二矿建议月"]


def test_create_a_draft_and_refusals(client, alice):
    client.force_login(alice)
    payload = {"category": "safety", "title": "井下照明改造", "problem": "照明不足", "proposal": "更换LED灯"}
    response = client.post("/api/v1/suggestions/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    bad = dict(payload, proposal="<script>alert(1)</script>")
    response = client.post("/api/v1/suggestions/", bad, content_type="application/json")
    assert response.status_code == 400
    bad = dict(payload, drive=999999)
    assert client.post("/api/v1/suggestions/", bad, content_type="application/json").json()["code"] == "drive"
    assert Suggestion.objects.count() == 1
