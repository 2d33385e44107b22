"""The author's pages: new (with the similar-suggestions hook), edit, the suggestion's page for authors, managers
and panel members, invitations, submission, files, `mine` with constant queries, the home panel; refusals over
HTTP with their status and nothing written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongkai.core.models import Notification
from gongkai.suggestions import author_actions as actions
from gongkai.suggestions.choices import Category, Consent, Decision, EventKind, Status
from gongkai.suggestions.models import Attachment, AwardBand, Coauthor, Drive, Suggestion, SuggestionEvent

from .conftest import make_suggestion
from .test_author_actions import PDF, counts

FORM = {
    "category": Category.SAFETY,
    "title": "井下巷道照明改造",
    "problem": "巷道照明不足，存在安全隐患。",
    "proposal": "更换为LED防爆灯具。",
    "expected_benefit": "降低电耗。",
    "expected_saving": "8000",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _draft(alice, **extra):
    return actions.create_draft(
        actor=alice,
        category=Category.SAFETY,
        title="井下巷道照明改造",
        problem="照明不足。",
        proposal="换灯。",
        **extra,
    )


def test_new_form_makes_a_draft_with_files(client, tree, alice, uma):
    today = timezone.localdate()
    drive = Drive.objects.create(
        unit=tree["MA"], title="提合理化建议，创效益新高", starts_on=today, ends_on=today, created_by=uma
    )
    client.force_login(alice)
    page = client.get(reverse("suggestions:new"))
    assert page.status_code == 200
    assert "提合理化建议，创效益新高" in page.content.decode()
    data = FORM | {"drive": str(drive.pk), "attachments": [SimpleUploadedFile("说明.pdf", PDF)]}
    response = client.post(reverse("suggestions:new"), data)
    s = Suggestion.objects.get()
    assert response.status_code == 302 and response.url == reverse("suggestions:detail", args=[s.pk])
    assert s.status == Status.DRAFT and s.drive == drive and s.attachments.get().name == "说明.pdf"


def test_no_drive_field_when_no_drive_runs(client, tree, alice):
    client.force_login(alice)
    assert 'name="drive"' not in client.get(reverse("suggestions:new")).content.decode()
    response = client.post(reverse("suggestions:new"), FORM)
    assert response.status_code == 302 and Suggestion.objects.get().drive is None


def test_the_similar_panel_is_wired_when_its_view_exists(client, tree, alice):
    client.force_login(alice)
    html = client.get(reverse("suggestions:new")).content.decode()
    url = reverse("suggestions:similar")
    assert f'hx-post="{url}"' in html and 'hx-trigger="keyup changed delay:800ms"' in html
    assert 'id="similar-panel"' in html


def test_new_form_refuses_script_and_bad_files_and_writes_nothing(client, tree, alice, settings):
    client.force_login(alice)
    before = counts()
    response = client.post(reverse("suggestions:new"), FORM | {"problem": "<script>alert(1)</script>"})
    assert response.status_code == 400 and "plain text" in response.content.decode()
    response = client.post(
        reverse("suggestions:new"),
        FORM | {"attachments": [SimpleUploadedFile("x.pdf", b"MZ" + b"\x00" * 64)]},
    )
    assert response.status_code == 400 and "x.pdf" in response.content.decode()
    settings.GONGKAI_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", PDF + b"\x00" * (1024 * 1024))
    response = client.post(reverse("suggestions:new"), FORM | {"attachments": [big]})
    assert response.status_code == 400
    assert counts() == before


def test_edit_a_draft_then_refused_after_submission(client, tree, alice):
    s = _draft(alice)
    client.force_login(alice)
    url = reverse("suggestions:edit", args=[s.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert f'hx-vals="{{&quot;exclude&quot;: {s.pk}}}"' in page.content.decode()  # not similar to itself
    response = client.post(url, FORM | {"title": "新的标题", "revision": s.revision})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.title == "新的标题"
    actions.submit(actor=alice, suggestion=s, expected_revision=s.revision)
    s.refresh_from_db()
    before = counts()
    response = client.post(url, FORM | {"title": "提交后再改", "revision": s.revision})
    assert response.status_code == 400 and "can no longer be changed" in response.content.decode()
    assert counts() == before
    assert client.get(url).status_code == 302  # the form is not even offered


def test_edit_with_a_stale_revision_is_refused(client, tree, alice):
    s = _draft(alice)
    client.force_login(alice)
    before = counts()
    response = client.post(reverse("suggestions:edit", args=[s.pk]), FORM | {"revision": s.revision - 1})
    assert response.status_code == 400 and "reload" in response.content.decode()
    assert counts() == before


def test_invite_confirm_submit_over_http(client, tree, alice, amy, uma):
    s = _draft(alice)
    client.force_login(alice)
    detail = reverse("suggestions:detail", args=[s.pk])
    response = client.post(
        reverse("suggestions:author_invite", args=[s.pk]), {"employee_no": amy.employee_no}
    )
    assert response.status_code == 302
    assert Notification.objects.filter(person=amy, kind="suggestions.coauthor").exists()

    # submitting before amy confirmed is refused with her name
    s.refresh_from_db()
    before = counts()
    response = client.post(reverse("suggestions:author_submit", args=[s.pk]), {"revision": s.revision})
    assert response.status_code == 400 and amy.name in response.content.decode()
    assert counts() == before

    client.force_login(amy)
    assert client.get(reverse("suggestions:mine")).content.decode().count(f'data-suggestion="{s.pk}"') == 1
    page = client.get(detail).content.decode()
    assert 'id="invitation"' in page and s.problem in page
    response = client.post(reverse("suggestions:coauthor_respond", args=[s.pk]), {"answer": "confirm"})
    assert response.status_code == 302
    assert Coauthor.objects.get().consent == Consent.CONFIRMED

    client.force_login(alice)
    s.refresh_from_db()
    response = client.post(reverse("suggestions:author_submit", args=[s.pk]), {"revision": s.revision})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.SUBMITTED
    page = client.get(detail).content.decode()
    assert s.answer_due_on.isoformat() in page and 'id="submit"' not in page

    # a double click: the second post changes nothing and makes no second event
    before = counts()
    response = client.post(reverse("suggestions:author_submit", args=[s.pk]), {"revision": s.revision - 1})
    assert response.status_code == 400
    assert counts() == before
    assert SuggestionEvent.objects.filter(kind=EventKind.SUBMITTED).count() == 1


def test_declining_then_removal(client, tree, alice, amy):
    s = _draft(alice)
    c = actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    client.force_login(amy)
    response = client.post(reverse("suggestions:coauthor_respond", args=[s.pk]), {"answer": "decline"})
    assert response.status_code == 302
    assert client.get(reverse("suggestions:detail", args=[s.pk])).status_code == 404  # no longer invited
    client.force_login(alice)
    s.refresh_from_db()
    before = counts()
    response = client.post(reverse("suggestions:author_submit", args=[s.pk]), {"revision": s.revision})
    assert response.status_code == 400 and "remove them" in response.content.decode()
    assert counts() == before
    response = client.post(reverse("suggestions:author_remove_coauthor", args=[c.pk]))
    assert response.status_code == 302 and not Coauthor.objects.exists()


def test_inviting_unknown_inactive_or_myself_over_http(client, tree, alice, amy):
    s = _draft(alice)
    amy.is_active = False
    amy.save()
    client.force_login(alice)
    url = reverse("suggestions:author_invite", args=[s.pk])
    before = counts()
    for number, words in (
        ("Z9999", "Nobody has"),
        (amy.employee_no, "no longer an active"),
        (alice.employee_no, "lead author"),
    ):
        response = client.post(url, {"employee_no": number})
        assert response.status_code == 400 and words in response.content.decode(), number
    assert counts() == before


def test_someone_else_may_not_submit_edit_or_see(client, tree, alice, amy, bob, uma):
    s = _draft(alice)
    actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    s.refresh_from_db()
    before = counts()
    client.force_login(bob)  # another mine: not even the page
    assert client.get(reverse("suggestions:detail", args=[s.pk])).status_code == 404
    assert (
        client.post(reverse("suggestions:author_submit", args=[s.pk]), {"revision": s.revision}).status_code
        == 404
    )
    assert (
        client.post(reverse("suggestions:edit", args=[s.pk]), FORM | {"revision": s.revision}).status_code
        == 404
    )
    client.force_login(uma)  # the union does not see drafts
    assert client.get(reverse("suggestions:detail", args=[s.pk])).status_code == 404
    client.force_login(amy)  # invited: sees the draft, may not submit or edit it
    assert (
        client.post(reverse("suggestions:author_submit", args=[s.pk]), {"revision": s.revision}).status_code
        == 403
    )
    assert (
        client.post(reverse("suggestions:edit", args=[s.pk]), FORM | {"revision": s.revision}).status_code
        == 403
    )
    assert counts() == before


def test_the_page_shows_everything_the_authors_are_entitled_to(
    client, tree, alice, amy, uma, panel, pete, bob
):
    s = make_suggestion(alice, status=Status.PAID, coauthors=[amy], panel=panel)
    band = AwardBand.objects.get(grade=4)
    Suggestion.objects.filter(pk=s.pk).update(
        decision=Decision.ADOPT,
        decision_reason="可行性强，效益明显。",
        owner=uma,
        plan="分两期改造。",
        implemented_on=dt.date(2025, 1, 10),
        gross_saving=30000,
        cost=5000,
        net_saving=25000,
        calculation="每月节电2083元×12。",
        measured_on=dt.date(2026, 1, 15),
        award_band=band,
        award_amount=band.award,
        awarded_on=dt.date(2026, 2, 1),
        paid_on=dt.date(2026, 2, 10),
    )
    SuggestionEvent.objects.create(suggestion=s, kind=EventKind.SUBMITTED, actor=alice)
    SuggestionEvent.objects.create(
        suggestion=s, kind=EventKind.REVIEWED, actor=pete, note="内部评分", public=False
    )
    url = reverse("suggestions:detail", args=[s.pk])
    for person in (alice, amy, uma, pete):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        html = response.content.decode()
        for text in (
            "可行性强，效益明显。",
            "分两期改造。",
            "25000",
            "每月节电2083元×12。",
            band.name,
            "2026-02-10",
        ):
            assert text in html, (person, text)
        assert "内部评分" not in html
    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_overdue_is_shown(client, tree, alice):
    s = make_suggestion(alice, submitted=timezone.now() - dt.timedelta(days=90))
    client.force_login(alice)
    html = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="overdue"' in html and s.answer_due_on.isoformat() in html
    mine = client.get(reverse("suggestions:mine")).content.decode()
    assert "badge overdue" in mine


def test_panel_members_see_a_review_link_when_there_is_one(client, tree, alice, panel, pete):
    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    client.force_login(pete)
    html = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    review = reverse("suggestions:review", args=[s.pk])
    assert f'href="{review}"' in html and 'id="manage-link"' not in html


def test_managers_see_a_link_to_their_page_when_there_is_one(client, tree, alice, uma):
    s = make_suggestion(alice)
    client.force_login(uma)
    html = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    manage = reverse("suggestions:manage", args=[s.pk])
    assert f'href="{manage}"' in html
    client.force_login(alice)  # the author has no manager's link
    assert 'id="manage-link"' not in client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()


def test_remove_a_file_on_the_page(client, tree, alice, amy):
    s = _draft(alice, files=[SimpleUploadedFile("说明.pdf", PDF)])
    a = Attachment.objects.get()
    actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    url = reverse("suggestions:author_remove_attachment", args=[a.pk])
    client.force_login(amy)  # invited, not the lead author
    before = counts()
    assert client.post(url).status_code == 403
    assert counts() == before
    client.force_login(alice)
    assert client.post(url).status_code == 302 and not Attachment.objects.exists()


def test_attachment_download_is_access_checked(client, tree, alice, bob):
    s = _draft(alice, files=[SimpleUploadedFile("说明.pdf", PDF)])
    a = Attachment.objects.get()
    url = reverse("suggestions:attachment", args=[a.pk])
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(bob)
    assert client.get(url).status_code == 404
    assert s.attachments.count() == 1


def test_attach_on_the_page_and_refusals(client, tree, alice):
    s = _draft(alice)
    client.force_login(alice)
    url = reverse("suggestions:author_attach", args=[s.pk])
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 302
    before = counts()
    response = client.post(url, {"file": SimpleUploadedFile("a.docx", PDF)})
    assert response.status_code == 400 and "a.docx" in response.content.decode()
    assert counts() == before


def _many(alice, amy, n):
    for i in range(n):
        make_suggestion(alice, title=f"建议{i}", coauthors=[amy] if i % 2 else ())
        make_suggestion(amy, title=f"艾米的建议{i}", coauthors=[alice], status=Status.DRAFT)  # invitations
        make_suggestion(amy, title=f"合写{i}", coauthors=[alice])  # alice confirmed as co-author


@pytest.mark.parametrize("n", [1, 8])
def test_mine_costs_the_same_whatever_the_rows(client, tree, alice, amy, django_assert_num_queries, n):
    _many(alice, amy, n)
    client.force_login(alice)
    client.get(reverse("suggestions:mine"))  # warm the session
    with django_assert_num_queries(8):
        response = client.get(reverse("suggestions:mine"))
    html = response.content.decode()
    assert len(re.findall(r'<tr data-suggestion="', html)) == 2 * n
    assert html.count('class="muted small coauthored"') == n
    assert len(re.findall(r'<li data-suggestion="', html)) == n


@pytest.mark.parametrize("n", [1, 8])
def test_home_panel_costs_the_same_whatever_the_rows(client, tree, alice, amy, django_assert_num_queries, n):
    from gongkai.core.access import get_scope
    from gongkai.suggestions.author_panels import my_suggestions_panel

    _many(alice, amy, n)
    request = type("R", (), {"user": alice})()
    scope = get_scope(alice)
    with django_assert_num_queries(2):
        panel = my_suggestions_panel(request, scope)
    assert panel is not None
    assert len(panel.context["in_progress"]) == min(2 * n, 5)
    assert len(panel.context["invitations"]) == min(n, 5)
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert f"艾米的建议{n - 1}" in html and f">合写{n - 1}<" in html
