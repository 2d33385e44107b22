"""The disclosures API: the board, a disclosure with its history, a version, asking a question; same scopes."""

import json

import pytest

from gongkai.disclosures import actions
from gongkai.disclosures.models import Question

from .disclosure_helpers import PDF, corrected, draft, published, upload

API = "/api/v1/disclosures"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary folder; the fixture people get a fast password hash (these tests never log in
    with a password)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def disclosure(tree, olga, leo, wages):
    d = published(
        olga, leo, tree["MA"], wages, title="职工代表述职测评结果公示", files=[upload("表.pdf", PDF)]
    )
    return corrected(olga, leo, d, body="<p>更正后的正文</p>", reason="更正")


def test_the_board_lists_what_is_published_to_me(client, disclosure, alice, bob):
    client.force_login(alice)
    data = client.get(f"{API}/board").json()
    assert data["count"] == 1
    (item,) = data["items"]
    assert item["title"] == "职工代表述职测评结果公示" and item["version"] == 2 and item["unread"] is True
    assert item["unit"] == "一矿" and item["category"] == "职工切身利益"
    assert client.get(f"{API}/board", {"q": "述職"}).json()["count"] == 1
    assert client.get(f"{API}/board", {"q": "食堂"}).json()["count"] == 0
    assert client.get(f"{API}/board", {"category": "C03", "period": "2026-03"}).json()["count"] == 1
    assert client.get(f"{API}/board", {"category": "NOPE"}).json()["count"] == 0
    client.force_login(bob)
    assert client.get(f"{API}/board").json()["count"] == 0


def test_a_disclosure_with_its_current_version_and_history(client, disclosure, alice, leo):
    client.force_login(alice)
    data = client.get(f"{API}/{disclosure.pk}").json()
    assert data["current_version"]["number"] == 2 and data["current_version"]["reason"] == "更正"
    assert data["current_version"]["body"] == "<p>更正后的正文</p>"
    assert data["current_version"]["attachments"][0]["name"] == "表.pdf"
    assert [v["number"] for v in data["history"]] == [1, 2]
    assert data["history"][0]["approved_by"] == leo.name
    v1 = client.get(f"{API}/{disclosure.pk}/versions/1").json()
    assert v1["body"] == "<p>一矿三月工资总额一千万元。</p>" and v1["unit_code"] == "MA"
    assert client.get(f"{API}/{disclosure.pk}/versions/3").status_code == 404


def test_bob_gets_404_everywhere(client, disclosure, bob):
    client.force_login(bob)
    for url in (f"{API}/{disclosure.pk}", f"{API}/{disclosure.pk}/versions/1"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client.post(
        f"{API}/{disclosure.pk}/questions", json.dumps({"text": "我也问"}), content_type="application/json"
    )
    assert response.status_code == 404 and Question.objects.count() == 0


def test_drafts_are_not_served(client, tree, olga, wages):
    d = draft(olga, tree["MA"], wages)
    client.force_login(olga)
    assert client.get(f"{API}/{d.pk}").status_code == 404


def test_asking_a_question(client, disclosure, alice):
    client.force_login(alice)
    response = client.post(
        f"{API}/{disclosure.pk}/questions",
        json.dumps({"text": "<b>何时</b>发放？", "is_opinion": False}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["text"] == "<b>何时</b>发放？" and response.json()["answer"] == ""
    empty = client.post(
        f"{API}/{disclosure.pk}/questions", json.dumps({"text": "  "}), content_type="application/json"
    )
    assert empty.status_code == 400 and empty.json()["code"] == "empty"


def test_asking_on_a_withdrawn_disclosure_is_refused(client, disclosure, alice, leo):
    actions.withdraw(actor=leo, disclosure=disclosure, reason="有误")
    client.force_login(alice)
    response = client.post(
        f"{API}/{disclosure.pk}/questions", json.dumps({"text": "为什么？"}), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "not_public"
    assert client.get(f"{API}/{disclosure.pk}").json()["withdrawn_reason"] == "有误"


def test_the_api_needs_a_login(client, disclosure):
    assert client.get(f"{API}/board").status_code == 401
