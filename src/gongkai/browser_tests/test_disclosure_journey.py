"""The disclosure journey in Chromium: the officer drafts with a Chinese body and submits; the leading group
approves; an employee finds it on the board with the unread marker, opens it (the marker goes), and finds it
again by searching 述職 in Traditional script.

Assertions go through the markup (classes, names, hrefs, data attributes) and the data (Chinese titles), not
through our own UI strings.
"""

import re

import pytest

from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.disclosures.choices import Form, Frequency
from gongkai.disclosures.models import CatalogItem, Category, Disclosure
from gongkai.org.models import RoleAssignment

from .test_journeys import log_in

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
expect = playwright.expect

pytestmark = pytest.mark.browser

TITLE = "2026年第一季度职工代表述职测评结果公示"
BODY = "经职工代表大会评议，称职率百分之七十七。"


@pytest.fixture(autouse=True)
def log_settings(settings, tmp_path):
    settings.GONGKAI_LOG_KEY_FILE = tmp_path / "log.pem"
    settings.GONGKAI_LOG_SIGN_INTERVAL = 0
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(tree):
    olga = _person("A100", "欧尔佳", tree["MA"])
    RoleAssignment.objects.create(person=olga, unit=tree["MA"], role=Role.DISCLOSURE_OFFICER)
    leo = _person("A200", "李奥", tree["MA"])
    RoleAssignment.objects.create(person=leo, unit=tree["MA"], role=Role.LEADING_GROUP)
    category = Category.objects.create(code="C05", name="民主管理", order=5)
    CatalogItem.objects.create(
        category=category,
        code="C05-01",
        title="职工代表述职测评",
        unit_kinds=["mine"],
        frequency=Frequency.QUARTERLY,
        forms=[Form.WEB],
    )
    return {"olga": olga, "leo": leo, "category": category}


def test_draft_review_publish_read_search(make_page, shot, problems, tree, alice, people):
    ma = tree["MA"]

    # The officer drafts on a tablet-sized screen, typing the Chinese body into the editor, and submits.
    officer = make_page({"width": 1024, "height": 768})
    log_in(officer, people["olga"].employee_no)
    officer.goto("/disclosures/new/")
    officer.select_option("#id_unit", str(ma.pk))
    officer.select_option("#id_category", str(people["category"].pk))
    officer.fill("#id_period", "2026-Q1")
    officer.fill("#id_title", TITLE)
    editor = officer.locator(".editor-area")
    expect(editor).to_be_visible()
    editor.click()
    editor.type(BODY)
    officer.locator(".editor-toolbar button").first.click()  # bold (the rest of the typing)
    editor.type("详见附件。")
    shot(officer, "officer-draft")
    officer.locator('button[name="then"][value="submit"]').click()
    expect(officer).to_have_url(re.compile(r"/disclosures/\d+/$"))
    disclosure = Disclosure.objects.get()
    assert disclosure.status == "in_review" and BODY in disclosure.draft_body
    expect(officer.locator(".badge.status-in_review")).to_be_visible()
    shot(officer, "officer-submitted")

    # The leading group reviews from the work list and approves.
    leader = make_page()
    log_in(leader, people["leo"].employee_no)
    leader.goto("/disclosures/work/")
    leader.locator(f'#to-review a[href="/disclosures/{disclosure.pk}/review/"]').click()
    expect(leader.locator("article.disclosure")).to_contain_text(BODY)
    shot(leader, "leader-review")
    leader.locator('button[name="decision"][value="approve"]').click()
    expect(leader).to_have_url(re.compile(rf"/disclosures/{disclosure.pk}/$"))
    expect(leader.locator("#current-version h1")).to_have_text(TITLE)
    disclosure.refresh_from_db()
    assert disclosure.is_public and disclosure.current_version.approved_by == people["leo"]

    # An employee of 综采一区 sees it on the board, unread; opens it; the marker is gone.
    reader = make_page(phone=True)
    log_in(reader, alice.employee_no)
    reader.goto("/disclosures/")
    item = reader.locator(".disc-item").filter(has_text=TITLE)
    expect(item).to_have_class(re.compile(r"\bunread\b"))
    expect(item.locator(".unread-dot")).to_be_visible()
    assert reader.evaluate("document.documentElement.scrollWidth") <= 390
    shot(reader, "board-unread")
    item.locator("a.disc-title").click()
    expect(reader.locator("#current-version h1")).to_have_text(TITLE)
    expect(reader.locator("#current-version .body")).to_contain_text(BODY)
    expect(reader.locator("[data-log-badge]")).to_have_attribute("data-log-state", "verified")
    shot(reader, "detail")
    reader.goto("/disclosures/")
    item = reader.locator(".disc-item").filter(has_text=TITLE)
    expect(item).not_to_have_class(re.compile(r"\bunread\b"))
    expect(reader.locator(".unread-dot")).to_have_count(0)

    # Searching in Traditional script finds the Simplified title (htmx updates the list as one types).
    reader.fill("#id_q", "述職")
    expect(reader).to_have_url(re.compile(r"q=%E8%BF%B0%E8%81%B7"))
    expect(reader.locator("#board-rows .disc-item")).to_have_count(1)
    expect(reader.locator("#board-rows .disc-item")).to_contain_text(TITLE)
    reader.fill("#id_q", "食堂")
    expect(reader.locator("#board-rows .disc-item")).to_have_count(0)
    reader.fill("#id_q", "述職")
    expect(reader.locator("#board-rows .disc-item")).to_have_count(1)
    shot(reader, "search")
    assert not problems, "\n".join(problems)
