"""The suggestion journey in Chromium: alice drafts a suggestion in Chinese, invites amy by her employee number;
amy finds the invitation on her list and confirms; alice submits and sees the status and the first answer's
deadline on the suggestion's page and on her list.

Assertions go through the markup (ids, classes, data attributes) and the data (Chinese titles, dates), not
through our own UI strings. Screenshots are taken only before the page is loaded again: a full-page capture can
leave Chromium's page scrolled under the pointer, so that the next click would land on another element.
"""

import re
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.suggestions import author_actions
from gongkai.suggestions.choices import Consent, Status
from gongkai.suggestions.models import Coauthor, Suggestion

from .test_journeys import log_in

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
expect = playwright.expect

pytestmark = pytest.mark.browser

TITLE = "综采工作面液压支架快速移架改进 ZY"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_draft_invite_confirm_submit(make_page, shot, problems, tree, alice):
    amy = _person("A002", "艾米", tree["MA1"])

    # alice drafts
    author = make_page()
    log_in(author, alice.employee_no)
    author.goto("/suggestions/new/")
    author.select_option("#id_category", "technical")
    author.fill("#id_problem", "移架速度慢，影响工作面推进。")
    author.fill("#id_proposal", "加装快速移架阀组，优化操作顺序。")
    # typing the title asks for similar earlier suggestions (htmx, on keyup after a pause in the typing; Playwright
    # types Chinese characters without key events, so the last characters are typed as keys)
    author.fill("#id_title", TITLE[:-2])
    with author.expect_response(lambda r: r.url.endswith("/suggestions/similar/")) as similar:
        author.locator("#id_title").press_sequentially(TITLE[-2:])
    assert similar.value.status == 200 and similar.value.request.method == "POST"
    sent = parse_qs(similar.value.request.post_data or "")
    assert sent["title"] == [TITLE] and sent["proposal"] == ["加装快速移架阀组，优化操作顺序。"]
    author.fill("#id_expected_saving", "120000")
    author.locator("#suggestion-form button[type=submit]").click()
    expect(author).to_have_url(re.compile(r"/suggestions/\d+/$"))
    suggestion = Suggestion.objects.get()
    assert suggestion.status == Status.DRAFT and suggestion.title == TITLE
    expect(author.locator(".badge.status-draft")).to_be_visible()

    # ... and invites amy by her employee number
    author.fill("#id_employee_no", amy.employee_no)
    author.locator("#invite button[type=submit]").click()
    expect(
        author.locator(f'#coauthors li[data-employee="{amy.employee_no}"][data-consent="invited"]')
    ).to_be_visible()
    shot(author, "author-invited")

    # amy sees the invitation on her list and confirms it there
    coauthor = make_page()
    log_in(coauthor, amy.employee_no)
    coauthor.goto("/suggestions/")
    invitation = coauthor.locator(f'#invitations li[data-suggestion="{suggestion.pk}"]')
    expect(invitation).to_contain_text(TITLE)
    invitation.locator('button[name="answer"][value="confirm"]').click()
    expect(coauthor).to_have_url(re.compile(rf"/suggestions/{suggestion.pk}/$"))
    shot(coauthor, "coauthor-confirmed")
    assert Coauthor.objects.get().consent == Consent.CONFIRMED

    # alice reloads her draft, sees amy confirmed, and submits
    author.reload()
    expect(
        author.locator(f'#coauthors li[data-employee="{amy.employee_no}"][data-consent="confirmed"]')
    ).to_be_visible()
    author.locator("#submit-button").click()
    expect(author.locator(".badge.status-submitted")).to_be_visible()
    suggestion.refresh_from_db()
    assert suggestion.status == Status.SUBMITTED
    due = author_actions.answer_due(timezone.localdate(), is_major=False).isoformat()
    assert suggestion.answer_due_on.isoformat() == due
    expect(author.locator("#deadline .due")).to_have_text(due)
    expect(author.locator("#timeline .event-submitted")).to_be_visible()
    expect(author.locator("#submit")).to_have_count(0)  # nothing more to submit, nothing to edit
    expect(author.locator("#edit-link")).to_have_count(0)
    shot(author, "author-submitted")

    # her list shows the status and the deadline; so does amy's
    for page in (author, coauthor):
        page.goto("/suggestions/")
        row = page.locator(f'#my-suggestions tr[data-suggestion="{suggestion.pk}"]')
        expect(row.locator(".badge.status-submitted")).to_be_visible()
        expect(row.locator(".due")).to_have_text(due)
    assert problems == []
