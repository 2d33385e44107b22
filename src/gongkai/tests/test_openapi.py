"""The committed OpenAPI document is the API: a change to one without the other fails here."""

from django.conf import settings

from gongkai.core.management.commands.export_openapi import openapi_text


def test_committed_openapi_matches_the_code():
    committed = (settings.PROJECT_DIR / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_text(), (
        "API changed: run `gongkai export-openapi` and commit docs/openapi.json"
    )


def test_openapi_is_served(client, alice):
    client.force_login(alice)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/org/people" in response.json()["paths"]
