"""First browser journeys: an employee on a phone, an admin on a desktop, language switching, login errors.

Assertions go through the markup (ids, hrefs, html lang, option values) and the data (names of units and
people), not through our own UI strings, so that they hold whatever the translation catalogs say.
"""

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from gongkai.conftest import PASSWORD

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
expect = playwright.expect
Page = playwright.Page

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")


def log_in(page: Page, employee_no: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", employee_no)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def assert_assets_loaded(page: Page) -> None:
    """The live server serves /static/: our stylesheet has rules and htmx ran."""
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    rules = page.evaluate(
        """() => [...document.styleSheets]
              .filter(s => (s.href || '').includes('/static/gongkai/gongkai.css'))
              .reduce((n, s) => n + s.cssRules.length, 0)"""
    )
    assert rules > 0, "gongkai.css did not load"


def test_employee_on_a_phone(make_page, shot, problems, alice, bob):
    page = make_page(phone=True)
    log_in(page, alice.employee_no)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main h1")).to_contain_text(alice.name)
    expect(page.locator(".panels")).to_contain_text("综采一区")
    expect(page.locator(".panels")).to_contain_text("一矿")  # the unit's ancestors lead to it
    assert_assets_loaded(page)
    # Mobile first: nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "home")

    # An employee has no people list in the menu; typed in, the page lists nobody.
    expect(page.locator('header nav a[href="/org/people/"]')).to_have_count(0)
    page.goto("/org/people/")
    rows = page.locator("#people-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("td.muted[colspan]")).to_be_visible()  # the empty-list message
    expect(page.locator("#people-rows")).not_to_contain_text(bob.name)
    expect(page.locator("#people-rows")).not_to_contain_text(bob.employee_no)
    shot(page, "people")

    page.locator('header form[action="/accounts/logout/"] button').click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("header nav")).to_have_count(0)
    shot(page, "logged-out")
    assert not problems, "\n".join(problems)


def test_admin_searches_people_of_a_mine(page, shot, problems, charlie, alice, bob):
    log_in(page, charlie.employee_no)
    expect(page).to_have_url(re.compile(r"/$"))
    admin_panel = page.locator(".panels section").filter(has=page.locator('a[href="/org/units/"]'))
    expect(admin_panel).to_be_visible()
    assert_assets_loaded(page)
    shot(page, "home")

    admin_panel.locator('a[href="/org/units/"]').click()
    expect(page).to_have_url(re.compile(r"/org/units/$"))
    expect(page.locator("main table")).not_to_contain_text("二矿")
    shot(page, "unit-tree")

    page.locator("main table").get_by_role("link", name="一矿", exact=True).click()
    expect(page.locator("main h1")).to_contain_text("一矿")
    expect(page.locator("main table")).to_contain_text("综采一区")
    shot(page, "unit")

    page.locator('main a[href^="/org/people/?unit="]').click()
    rows = page.locator("#people-rows")
    expect(rows).to_contain_text(alice.name)
    expect(rows).to_contain_text(charlie.name)
    expect(rows).not_to_contain_text(bob.name)
    assert_assets_loaded(page)

    # Live search (htmx): Traditional 艾麗 finds Simplified 艾丽丝; the rows are swapped in place.
    page.evaluate("document.body.dataset.marker = 'same-page'")
    with page.expect_response(lambda r: query_of(r.url).get("q") == ["艾麗"]) as searched:
        page.locator("#id_q").press_sequentially("艾麗", delay=50)
    assert searched.value.request.headers.get("hx-request") == "true"
    expect(rows).not_to_contain_text(charlie.name)
    expect(rows.locator("tbody tr")).to_have_count(1)
    expect(rows).to_contain_text(alice.name)
    expect(rows).not_to_contain_text(bob.name)
    expect(page).to_have_url(re.compile(re.escape(f"q={quote('艾麗')}")))  # hx-push-url
    assert page.evaluate("document.body.dataset.marker") == "same-page", "search reloaded the whole page"
    shot(page, "search")
    assert not problems, "\n".join(problems)


def test_language_switch_persists(page, shot, problems, alice):
    html = page.locator("html")
    select = page.locator("#language-select")
    heading = page.locator("main h1")

    page.goto("/accounts/login/")  # the browser asks for zh-CN: Simplified Chinese
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(select).to_have_value("zh-hans")
    expect(select.locator("option")).to_have_text(["简体中文", "繁體中文", "English"])
    expect(heading).to_have_text(CJK)
    shot(page, "zh-hans")

    select.select_option("en")  # onchange submits the form: a full page load
    expect(html).to_have_attribute("lang", "en")
    expect(select).to_have_value("en")
    expect(heading).to_have_text("Log in")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))  # `next` brought us back
    shot(page, "en")

    log_in(page, alice.employee_no)  # navigation and login keep the choice (a cookie)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(html).to_have_attribute("lang", "en")
    expect(select).to_have_value("en")

    select.select_option("zh-hant")
    expect(html).to_have_attribute("lang", "zh-hant")
    expect(page).to_have_url(re.compile(r"/$"))
    page.locator('header nav details[data-menu="org"] summary').click()  # the navigation groups its links
    page.locator('header nav a[href="/org/units/"]').click()
    expect(page).to_have_url(re.compile(r"/org/units/$"))
    expect(html).to_have_attribute("lang", "zh-hant")
    expect(select).to_have_value("zh-hant")
    shot(page, "zh-hant")

    page.locator('header form[action="/accounts/logout/"] button').click()
    expect(html).to_have_attribute("lang", "zh-hant")  # also outlives the session
    expect(heading).to_have_text(CJK)
    expect(heading).not_to_have_text("Log in")
    assert not problems, "\n".join(problems)


def test_wrong_password_then_keyboard_login(page, shot, problems, alice):
    log_in(page, alice.employee_no, "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value(alice.employee_no)
    expect(page.locator("#id_password")).to_have_value("")
    shot(page, "wrong-password")

    # Keyboard only: from the top of the page (not the autofocus), Tab to the employee number (past the
    # skip link, the brand and the language select), type, Tab, type, Enter.
    page.goto("/accounts/login/")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    tabs = 0
    while tabs < 12 and page.evaluate("document.activeElement.id") != "id_username":
        page.keyboard.press("Tab")
        tabs += 1
    expect(page.locator("#id_username")).to_be_focused()
    assert tabs > 1
    page.keyboard.type(alice.employee_no)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    shot(page, "keyboard")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("main h1")).to_contain_text(alice.name)
    shot(page, "logged-in")
    assert not problems, "\n".join(problems)
