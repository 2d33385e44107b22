"""The transparency-log badge, checked by Chromium itself: WebCrypto recomputes the leaf hash and the root from the
inclusion proof and verifies the tree head's Ed25519 signature (static/gongkai/verify.js).

Assertions go through the badge's data attributes (its state and, on failure, what failed), not UI strings.
"""

import datetime as dt

import pytest
from django.db import connection

from gongkai.conftest import _person
from gongkai.core import dbguards, tlog
from gongkai.disclosures import logleaf
from gongkai.disclosures.models import Category, Disclosure, DisclosureVersion

from .test_journeys import log_in

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
expect = playwright.expect

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def log_settings(settings, tmp_path):
    settings.GONGKAI_LOG_KEY_FILE = tmp_path / "log.pem"
    settings.GONGKAI_LOG_SIGN_INTERVAL = 0


@pytest.fixture
def versions(tree):
    """Three published versions of 一矿, logged (no tree head signed yet: the badge has one signed on demand)."""
    ma = tree["MA"]
    olga = _person("A100", "欧尔佳", ma)
    leo = _person("A200", "李奥", ma)
    category = Category.objects.create(code="C03", name="职工切身利益", order=3)
    result = []
    for i, title in enumerate(["三月工资公示", "安全培训计划", "职工代表大会决议"], start=1):
        disclosure = Disclosure.objects.create(
            unit=ma,
            audience=ma,
            category=category,
            draft_title=title,
            created_by=olga,
            status="published",
            is_public=True,
            title=title,
        )
        version = DisclosureVersion.objects.create(
            disclosure=disclosure,
            number=1,
            title=title,
            body=f"<p>{title}的内容。</p>",
            unit_code="MA",
            audience_code="MA",
            category_code=category.code,
            period="2026-03",
            published_at=dt.datetime(2026, 4, i, 8, tzinfo=dt.UTC),
            published_by=olga,
            approved_by=leo,
        )
        logleaf.log_version(version)
        result.append(version)
    return result


def badge(page):
    return page.locator("[data-log-badge]")


def test_anyone_sees_an_entry_verified(page, shot, problems, versions):
    page.goto("/log/?index=1")
    expect(badge(page)).to_have_attribute("data-log-state", "verified")
    expect(badge(page)).to_have_attribute("data-log-content", "not-read")  # anonymous: hashes only
    expect(badge(page).locator("[data-log-status]")).to_contain_text("3")  # the signed log's size
    shot(page, "anonymous")
    assert problems == []


def test_a_reader_sees_the_text_checked_too(page, shot, problems, versions, alice):
    log_in(page, alice.employee_no)
    page.goto(f"/log/?object_type=disclosures.version&object_id={versions[2].pk}")
    expect(badge(page)).to_have_attribute("data-log-state", "verified")
    expect(badge(page)).to_have_attribute("data-log-content", "checked")
    shot(page, "reader")
    assert problems == []


def test_a_rewritten_text_fails_in_the_browser(page, shot, versions, alice):
    tlog.sign_tree_head()
    table = DisclosureVersion._meta.db_table
    with connection.cursor() as cursor:  # the table owner switches the guard off, rewrites, switches it on
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
        try:
            cursor.execute(f"UPDATE {table} SET body = '<p>改写</p>' WHERE id = %s", [versions[0].pk])  # noqa: S608
        finally:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            else:
                cursor.execute(dbguards._sqlite_up(table))
    log_in(page, alice.employee_no)
    page.goto(f"/log/?object_type=disclosures.version&object_id={versions[0].pk}")
    expect(badge(page)).to_have_attribute("data-log-state", "failed")
    expect(badge(page)).to_have_attribute("data-log-failure", "leaf")
    shot(page, "rewritten")
