"""Pages of the workflow: drafting (free and from a schedule entry), stale and doubled forms, review, the
disclosure page with its history and diff, withdrawal; and that bob, in a sibling mine, reaches none of it."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.disclosures import actions
from gongkai.disclosures.choices import Status
from gongkai.disclosures.models import Attachment, Disclosure, DisclosureVersion, ScheduleEntry
from gongkai.org.models import RoleAssignment

from .disclosure_helpers import PDF, corrected, draft, published, submitted, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary folder; the fixture people get a fast password hash (these tests never log in
    with a password)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def _form(wages, **extra):
    data = {
        "unit": extra.pop("unit", None),
        "category": wages.category.pk,
        "item": wages.pk,
        "period": "2026-03",
        "title": "2026年3月工资公示",
        "body": "<p>职工代表述职测评</p><script>alert(1)</script>",
        "channels": ["web", "board"],
        "board_numbers": "GK-01",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_new_draft_page_is_for_officers(client, tree, olga, alice, wages):
    client.force_login(alice)
    assert client.get(reverse("disclosures:draft_new")).status_code == 404
    client.force_login(olga)
    response = client.get(reverse("disclosures:draft_new"))
    assert response.status_code == 200 and 'name="title"' in response.content.decode()


def test_officer_creates_a_draft_and_a_double_click_makes_one(client, tree, olga, wages):
    client.force_login(olga)
    data = _form(wages, unit=tree["MA"].pk)
    first = client.post(reverse("disclosures:draft_new"), data)
    second = client.post(reverse("disclosures:draft_new"), data)
    d = Disclosure.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("disclosures:edit", args=[d.pk])
    assert "<script" not in d.draft_body and d.channels == ["web", "board"] and d.board_numbers == "GK-01"


def test_draft_from_a_schedule_entry_is_prefilled(client, tree, olga, wages):
    entry = ScheduleEntry.objects.create(
        unit=tree["MA"],
        item=wages,
        period="2026-03",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        due_date=dt.date(2026, 4, 10),
    )
    client.force_login(olga)
    url = reverse("disclosures:draft_new") + f"?entry={entry.pk}"
    body = client.get(url).content.decode()
    assert "工资奖金分配（2026-03）" in body
    response = client.post(url, _form(wages, title="工资奖金分配（2026-03）", period="1999"))
    d = Disclosure.objects.get()
    assert response.status_code == 302 and d.schedule_entry == entry and d.period == "2026-03"
    assert client.get(url)["Location"] == reverse("disclosures:detail", args=[d.pk])


def test_a_schedule_entry_of_another_mine_is_not_found(client, tree, olga, wages):
    entry = ScheduleEntry.objects.create(
        unit=tree["MB"],
        item=wages,
        period="2026-03",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        due_date=dt.date(2026, 4, 10),
    )
    client.force_login(olga)
    assert client.get(reverse("disclosures:draft_new") + f"?entry={entry.pk}").status_code == 404


def test_a_stale_edit_form_is_refused_with_a_clear_message(client, tree, olga, wages):
    d = draft(olga, tree["MA"], wages)
    client.force_login(olga)
    url = reverse("disclosures:edit", args=[d.pk])
    data = _form(wages, title="第一次保存", revision=d.revision)
    assert client.post(url, data).status_code == 302
    response = client.post(url, _form(wages, title="第二次保存", revision=d.revision))
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode() and "第二次保存" in response.content.decode()
    d.refresh_from_db()
    assert d.draft_title == "第一次保存"


def test_save_and_submit_sends_it_to_review(client, tree, olga, wages):
    d = draft(olga, tree["MA"], wages)
    client.force_login(olga)
    response = client.post(
        reverse("disclosures:edit", args=[d.pk]),
        _form(wages, revision=d.revision, then="submit", new_files=[upload("表.pdf", PDF)]),
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.IN_REVIEW and Attachment.objects.filter(disclosure=d).count() == 1


def test_the_officer_cannot_approve_by_posting_to_the_review_page(client, tree, olga, wages):
    d = submitted(olga, tree["MA"], wages)
    client.force_login(olga)
    url = reverse("disclosures:review", args=[d.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve", "revision": d.revision + 1}).status_code == 404
    d.refresh_from_db()
    assert d.status == Status.IN_REVIEW and not d.is_public and DisclosureVersion.objects.count() == 0


def test_the_leading_group_approves_on_the_review_page(client, tree, olga, leo, wages):
    d = submitted(olga, tree["MA"], wages)
    d.refresh_from_db()
    client.force_login(leo)
    url = reverse("disclosures:review", args=[d.pk])
    assert 'value="approve"' in client.get(url).content.decode()
    assert (
        client.post(url, {"decision": "approve", "comment": "同意", "revision": d.revision}).status_code
        == 302
    )
    d.refresh_from_db()
    assert d.is_public and d.current_version.approved_by == leo
    again = client.post(url, {"decision": "approve", "revision": d.revision})
    assert again.status_code == 400 and DisclosureVersion.objects.count() == 1


def test_returning_needs_comments(client, tree, olga, leo, wages):
    d = submitted(olga, tree["MA"], wages)
    d.refresh_from_db()
    client.force_login(leo)
    url = reverse("disclosures:review", args=[d.pk])
    assert client.post(url, {"decision": "return", "comment": "", "revision": d.revision}).status_code == 400
    d.refresh_from_db()
    assert d.status == Status.IN_REVIEW
    client.post(url, {"decision": "return", "comment": "请补充附件", "revision": d.revision})
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    client.force_login(olga)
    assert "请补充附件" in client.get(reverse("disclosures:edit", args=[d.pk])).content.decode()


def test_own_draft_has_no_approve_button_and_a_post_is_refused(client, tree, leo, wages):
    lena = _person("A300", "莉娜", tree["MA"])
    RoleAssignment.objects.create(person=lena, unit=tree["MA"], role=Role.DISCLOSURE_OFFICER)
    RoleAssignment.objects.create(person=lena, unit=tree["MA"], role=Role.LEADING_GROUP)
    d = submitted(lena, tree["MA"], wages)
    d.refresh_from_db()
    client.force_login(lena)
    url = reverse("disclosures:review", args=[d.pk])
    assert 'value="approve"' not in client.get(url).content.decode()
    response = client.post(url, {"decision": "approve", "revision": d.revision})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert DisclosureVersion.objects.count() == 0


def test_the_disclosure_page_shows_the_version_approval_history_and_badge(
    client, tree, olga, leo, alice, wages
):
    d = published(olga, leo, tree["MA"], wages, title="三月工资公示", files=[upload("工资表.pdf", PDF)])
    d = corrected(olga, leo, d, body="<p>一矿三月工资总额一千二百万元。</p>", reason="金额更正")
    client.force_login(alice)
    body = client.get(reverse("disclosures:detail", args=[d.pk])).content.decode()
    assert "三月工资公示" in body and "一千二百万" in body and "金额更正" in body and leo.name in body
    assert "data-log-badge" in body and f'data-object-id="{d.current_version_id}"' in body
    assert (
        reverse("disclosures:history", args=[d.pk]) in body
        and reverse("disclosures:diff", args=[d.pk]) in body
    )
    assert "工资表.pdf" in body
    history = client.get(reverse("disclosures:history", args=[d.pk])).content.decode()
    assert "金额更正" in history and history.count(leo.name) == 2
    old = client.get(reverse("disclosures:version", args=[d.pk, 1])).content.decode()
    assert "一千万元" in old


def test_the_diff_marks_changes_and_escapes_the_text(client, tree, olga, leo, alice, wages):
    d = published(
        olga, leo, tree["MA"], wages, body="<p>总额一千万元</p><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    d = corrected(olga, leo, d, body="<p>总额一千二百万元</p><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    client.force_login(alice)
    response = client.get(reverse("disclosures:diff", args=[d.pk]), {"a": 1, "b": 2})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<ins>二百</ins>" in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert client.get(reverse("disclosures:diff", args=[d.pk]), {"a": 1, "b": 9}).status_code == 404


def test_withdrawn_page_says_when_and_why(client, tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages, title="三月工资公示")
    client.force_login(leo)
    response = client.post(
        reverse("disclosures:withdraw", args=[d.pk]),
        {"reason": "数据有误，核实后重新公开", "revision": d.revision},
    )
    assert response.status_code == 302
    client.force_login(alice)
    body = client.get(reverse("disclosures:detail", args=[d.pk])).content.decode()
    assert "数据有误，核实后重新公开" in body and "三月工资公示" in body
    assert client.get(reverse("disclosures:history", args=[d.pk])).status_code == 200
    assert "三月工资公示" not in client.get(reverse("disclosures:board")).content.decode()


def test_correction_through_the_pages(client, tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages)
    client.force_login(olga)
    url = reverse("disclosures:correct", args=[d.pk])
    assert client.get(url).status_code == 200
    missing_reason = client.post(url, _form(wages, body="<p>新</p>", revision=d.revision))
    assert missing_reason.status_code == 400
    response = client.post(url, _form(wages, body="<p>新正文</p>", reason="更正金额", revision=d.revision))
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.DRAFT and d.draft_reason == "更正金额" and d.is_public
    client.force_login(alice)  # readers still see version 1
    assert "一千万元" in client.get(reverse("disclosures:detail", args=[d.pk])).content.decode()


def test_bob_reaches_nothing_of_a_sibling_mine(client, tree, olga, leo, bob, wages):
    d = published(olga, leo, tree["MA"], wages, files=[upload("工资表.pdf", PDF)])
    d = corrected(olga, leo, d, body="<p>更正</p>")
    a = Attachment.objects.get(disclosure=d)
    pending = draft(olga, tree["MA"], wages, title="草稿")
    client.force_login(bob)
    for url in [
        reverse("disclosures:detail", args=[d.pk]),
        reverse("disclosures:history", args=[d.pk]),
        reverse("disclosures:version", args=[d.pk, 1]),
        reverse("disclosures:diff", args=[d.pk]),
        reverse("disclosures:attachment", args=[d.pk, a.pk]),
        reverse("disclosures:detail", args=[pending.pk]),
        reverse("disclosures:edit", args=[pending.pk]),
        reverse("disclosures:review", args=[pending.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    board = client.get(reverse("disclosures:board")).content.decode()
    assert d.title not in board


def test_alice_cannot_see_drafts_of_her_mine(client, tree, olga, alice, wages):
    d = draft(olga, tree["MA"], wages, title="未公开的草稿")
    client.force_login(alice)
    assert client.get(reverse("disclosures:detail", args=[d.pk])).status_code == 404


def test_the_union_reads_published_disclosures_of_the_group(client, tree, olga, leo, diana, wages):
    d = published(olga, leo, tree["MA"], wages, title="三月工资公示")
    pending = draft(olga, tree["MA"], wages, title="未公开的草稿")
    client.force_login(diana)
    assert client.get(reverse("disclosures:detail", args=[d.pk])).status_code == 200
    assert client.get(reverse("disclosures:detail", args=[pending.pk])).status_code == 404


def test_the_work_page_links_to_review_and_edit(client, tree, olga, leo, wages):
    d = submitted(olga, tree["MA"], wages, title="待审核")
    mine = draft(olga, tree["MA"], wages, title="草稿")
    client.force_login(leo)
    assert (
        reverse("disclosures:review", args=[d.pk]) in client.get(reverse("disclosures:work")).content.decode()
    )
    client.force_login(olga)
    assert (
        reverse("disclosures:edit", args=[mine.pk])
        in client.get(reverse("disclosures:work")).content.decode()
    )


def test_home_panels_show_unread_and_work(client, tree, olga, leo, alice, wages):
    published(olga, leo, tree["MA"], wages)
    submitted(olga, tree["MA"], wages, title="待审核")
    client.force_login(alice)
    assert reverse("disclosures:board") in client.get(reverse("home")).content.decode()
    client.force_login(leo)
    assert reverse("disclosures:work") in client.get(reverse("home")).content.decode()


def test_a_get_on_post_only_actions_is_refused(client, tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    client.force_login(leo)
    for name in ("submit", "withdraw", "ask", "cancel_correction"):
        assert client.get(reverse(f"disclosures:{name}", args=[d.pk])).status_code == 405


def test_script_in_title_reason_and_comments_is_shown_as_text(client, tree, olga, leo, alice, wages):
    script = "<script>alert(1)</script>"
    d = submitted(olga, tree["MA"], wages, title=f"工资{script}")
    d.refresh_from_db()
    actions.return_draft(actor=leo, disclosure=d, comment=f"请改{script}")
    d.refresh_from_db()
    d = actions.update_draft(
        actor=olga, disclosure=d, expected_revision=d.revision, title=d.draft_title, body="<p>正</p>"
    )
    actions.submit(actor=olga, disclosure=d, expected_revision=d.revision)
    actions.approve(actor=leo, disclosure=d)
    actions.withdraw(actor=leo, disclosure=d, reason=f"撤回{script}")
    client.force_login(leo)
    for url in (reverse("disclosures:detail", args=[d.pk]), reverse("disclosures:history", args=[d.pk])):
        body = client.get(url).content.decode()
        assert script not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_body_written_around_the_actions_is_sanitized_when_shown(client, tree, olga, leo, alice, wages):
    d = draft(olga, tree["MA"], wages)
    Disclosure.objects.filter(pk=d.pk).update(draft_body='<p onclick="x()">正文</p><script>alert(1)</script>')
    client.force_login(olga)
    body = client.get(reverse("disclosures:detail", args=[d.pk])).content.decode()
    assert "<script>alert(1)" not in body and "onclick" not in body and "正文" in body
