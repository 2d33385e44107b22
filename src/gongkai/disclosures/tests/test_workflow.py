"""The disclosure workflow: draft → review → publication → corrections → withdrawal, and every refusal on the
way (each writes nothing)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from gongkai.conftest import _person
from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry, LedgerImmutable, LogLeaf
from gongkai.disclosures import actions, logleaf
from gongkai.disclosures.choices import Decision, Status, TopicStatus
from gongkai.disclosures.models import Disclosure, DisclosureVersion, Review, ScheduleEntry, TopicRequest
from gongkai.org.models import RoleAssignment

from .disclosure_helpers import corrected, draft, published, submitted


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary folder; the fixture people get a fast password hash (these tests never log in
    with a password)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lena(tree):
    """Both disclosure officer and leading-group member of 一矿."""
    p = _person("A300", "莉娜", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.DISCLOSURE_OFFICER)
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.LEADING_GROUP)
    return p


def _counts():
    return (Disclosure.objects.count(), DisclosureVersion.objects.count(), AuditEntry.objects.count())


def test_officer_drafts_and_the_body_is_sanitized(tree, olga, wages):
    d = draft(
        olga,
        tree["MA"],
        wages,
        body='<p onclick="x()">工资<script>alert(1)</script><img src=x onerror=alert(2)>'
        '<a href="javascript:alert(3)">链接</a><a href="https://example.com">官网</a></p>',
    )
    assert d.status == Status.DRAFT and not d.is_public and d.current_version is None
    assert d.audience == tree["MA"] and d.category == wages.category and d.channels == ["web"]
    body = d.draft_body
    assert "<script" not in body and "alert(1)" not in body
    assert (
        "onerror" not in body and "onclick" not in body and "javascript:" not in body and "<img" not in body
    )
    assert 'href="https://example.com"' in body and 'rel="noopener noreferrer"' in body
    assert AuditEntry.objects.filter(action="disclosures.create_draft", object_id=str(d.pk)).exists()


def test_the_sanitizer_keeps_structure(tree, olga, wages):
    kept = (
        "<h2>一</h2><h3>二</h3><h4>三</h4><p><strong>粗</strong><em>斜</em><u>下</u><br></p>"
        "<ul><li>甲</li></ul><ol><li>乙</li></ol><blockquote>引</blockquote>"
        '<table><thead><tr><th colspan="2">表头</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>'
    )
    d = draft(olga, tree["MA"], wages, body=kept + '<style>p{}</style><iframe src="x"></iframe><h1>大</h1>')
    assert d.draft_body == kept + "大"


def test_plain_text_body_becomes_paragraphs(tree, olga, wages):
    d = draft(olga, tree["MA"], wages, body="第一行\n\n第二行 3<5 & 6>4")
    assert d.draft_body == "<p>第一行</p><p>第二行 3&lt;5 &amp; 6&gt;4</p>"


def test_an_employee_cannot_draft(tree, alice, wages):
    with pytest.raises(AccessDenied):
        draft(alice, tree["MA"], wages)
    assert Disclosure.objects.count() == 0


def test_an_officer_cannot_draft_for_a_sibling_unit(tree, olga, wages):
    with pytest.raises(AccessDenied):
        draft(olga, tree["MB"], wages)
    assert Disclosure.objects.count() == 0


def test_audience_outside_the_unit_is_refused(tree, olga, wages):
    with pytest.raises(ValidationError):
        draft(olga, tree["MA"], wages, audience=tree["MB1"])
    d = draft(olga, tree["MA"], wages, audience=tree["MA1"])
    assert d.audience == tree["MA1"]


def test_bad_period_is_refused(tree, olga, wages):
    with pytest.raises(ValidationError):
        draft(olga, tree["MA"], wages, period="March")
    assert Disclosure.objects.count() == 0


def test_the_same_draft_submitted_twice_is_created_once(tree, olga, wages):
    first = draft(olga, tree["MA"], wages)
    second = draft(olga, tree["MA"], wages)
    assert first.pk == second.pk
    assert Disclosure.objects.count() == 1
    assert AuditEntry.objects.filter(action="disclosures.create_draft").count() == 1


def test_the_responsible_person_of_a_schedule_entry_drafts_from_it(tree, alice, wages):
    entry = ScheduleEntry.objects.create(
        unit=tree["MA"],
        item=wages,
        period="2026-03",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        due_date=dt.date(2026, 4, 10),
        responsible=alice,
    )
    d = actions.create_draft(
        actor=alice,
        unit=tree["MB"],
        category=None,
        title="三月工资",
        body="<p>正文</p>",
        schedule_entry=entry,
    )
    assert (d.unit, d.item, d.period, d.schedule_entry) == (tree["MA"], wages, "2026-03", entry)
    again = actions.create_draft(
        actor=alice,
        unit=tree["MA"],
        category=None,
        title="三月工资",
        body="<p>正文</p>",
        schedule_entry=entry,
    )
    assert again.pk == d.pk and Disclosure.objects.count() == 1


def test_submit_then_approve_publishes_version_one(tree, olga, leo, wages):
    entry = ScheduleEntry.objects.create(
        unit=tree["MA"],
        item=wages,
        period="2026-03",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        due_date=dt.date(2026, 4, 10),
    )
    d = submitted(olga, tree["MA"], wages, schedule_entry=entry, title="职工代表述职测评结果公示")
    assert d.status == Status.IN_REVIEW
    version = actions.approve(actor=leo, disclosure=d, comment="同意公开")
    d.refresh_from_db()
    assert version.number == 1 and version.approved_by == leo and version.published_by == leo
    assert (version.unit_code, version.audience_code, version.category_code, version.period) == (
        "MA",
        "MA",
        "C03",
        "2026-03",
    )
    assert d.current_version == version and d.is_public and d.status == Status.PUBLISHED
    assert (
        d.title == "职工代表述职测评结果公示"
        and d.published_at == d.updated_version_at == version.published_at
    )
    assert "述职测评" in d.search_text
    review = Review.objects.get(disclosure=d)
    assert review.decision == Decision.APPROVE and review.reviewer == leo and review.comment == "同意公开"
    entry.refresh_from_db()
    assert entry.published_on is not None
    leaf = LogLeaf.objects.get(object_type=logleaf.OBJECT_TYPE, object_id=str(version.pk))
    assert leaf.index == 0
    assert AuditEntry.objects.filter(action="disclosures.publish", object_id=str(version.pk)).exists()


def test_stale_revision_is_refused_and_nothing_is_written(tree, olga, wages):
    d = draft(olga, tree["MA"], wages)
    old = d.revision
    actions.update_draft(actor=olga, disclosure=d, expected_revision=old, title="新标题", body="<p>一</p>")
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        actions.update_draft(
            actor=olga, disclosure=d, expected_revision=old, title="另一个", body="<p>二</p>"
        )
    assert caught.value.code == "stale"
    with pytest.raises(ValidationError):
        actions.submit(actor=olga, disclosure=d, expected_revision=old)
    d.refresh_from_db()
    assert d.draft_title == "新标题" and d.status == Status.DRAFT
    assert _counts() == before


def test_the_officer_cannot_approve(tree, olga, wages):
    d = submitted(olga, tree["MA"], wages)
    with pytest.raises(AccessDenied):
        actions.approve(actor=olga, disclosure=d)
    d.refresh_from_db()
    assert d.status == Status.IN_REVIEW and not d.is_public and DisclosureVersion.objects.count() == 0


def test_a_draft_cannot_be_approved_without_being_submitted(tree, olga, leo, wages):
    d = draft(olga, tree["MA"], wages)
    with pytest.raises(ValidationError):
        actions.approve(actor=leo, disclosure=d)
    assert DisclosureVersion.objects.count() == 0


def test_nobody_approves_their_own_draft(tree, lena, leo, wages):
    d = submitted(lena, tree["MA"], wages)
    with pytest.raises(ValidationError) as caught:
        actions.approve(actor=lena, disclosure=d)
    assert caught.value.code == "own_draft"
    assert DisclosureVersion.objects.count() == 0
    actions.approve(actor=leo, disclosure=d)
    assert DisclosureVersion.objects.count() == 1


def test_the_last_editor_cannot_approve(tree, olga, lena, leo, wages):
    d = draft(olga, tree["MA"], wages)
    d = actions.update_draft(
        actor=lena, disclosure=d, expected_revision=d.revision, title="改过的标题", body="<p>改</p>"
    )
    actions.submit(actor=lena, disclosure=d, expected_revision=d.revision)
    with pytest.raises(ValidationError) as caught:
        actions.approve(actor=lena, disclosure=d)
    assert caught.value.code == "own_draft" and DisclosureVersion.objects.count() == 0
    assert actions.approve(actor=leo, disclosure=d).title == "改过的标题"


def test_approving_twice_creates_one_version(tree, olga, leo, gina, wages):
    d = submitted(olga, tree["MA"], wages)
    actions.approve(actor=leo, disclosure=d)
    with pytest.raises(ValidationError) as caught:
        actions.approve(actor=gina, disclosure=d)
    assert caught.value.code == "published"
    assert DisclosureVersion.objects.count() == 1 and LogLeaf.objects.count() == 1


def test_return_needs_comments_and_makes_the_draft_editable(tree, olga, leo, wages):
    d = submitted(olga, tree["MA"], wages)
    with pytest.raises(ValidationError):
        actions.return_draft(actor=leo, disclosure=d, comment="  ")
    with pytest.raises(ValidationError):  # in review: locked for the author
        actions.update_draft(actor=olga, disclosure=d, expected_revision=d.revision, title="x", body="y")
    actions.return_draft(actor=leo, disclosure=d, comment="金额请核对")
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    d = actions.update_draft(
        actor=olga, disclosure=d, expected_revision=d.revision, title="更正后", body="<p>正</p>"
    )
    actions.submit(actor=olga, disclosure=d, expected_revision=d.revision)
    assert actions.approve(actor=leo, disclosure=d).title == "更正后"


def test_an_empty_draft_cannot_be_submitted(tree, olga, wages):
    d = draft(olga, tree["MA"], wages, body="")
    with pytest.raises(ValidationError):
        actions.submit(actor=olga, disclosure=d, expected_revision=d.revision)
    d.refresh_from_db()
    assert d.status == Status.DRAFT


def test_published_text_is_never_edited_in_place(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    with pytest.raises(ValidationError) as caught:
        actions.update_draft(
            actor=olga, disclosure=d, expected_revision=d.revision, title="改", body="<p>改</p>"
        )
    assert caught.value.code == "published"
    version = d.current_version
    version.body = "<p>偷改</p>"
    with pytest.raises(LedgerImmutable):
        version.save()
    with pytest.raises(LedgerImmutable):
        DisclosureVersion.objects.filter(pk=version.pk).update(body="偷改")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE disclosures_disclosureversion SET body = %s WHERE id = %s", ["偷改", version.pk]
        )
    assert DisclosureVersion.objects.get(pk=version.pk).body == "<p>一矿三月工资总额一千万元。</p>"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="DELETE is refused by the trigger on PostgreSQL"
)
def test_the_database_refuses_deleting_a_version(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM disclosures_disclosureversion WHERE id = %s", [d.current_version_id])


def test_a_correction_is_a_new_version_with_a_reason(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    v1 = d.current_version
    with pytest.raises(ValidationError):  # a reason is required
        actions.start_correction(actor=olga, disclosure=d, title=d.title, body="<p>新</p>", reason="")
    d = actions.start_correction(
        actor=olga, disclosure=d, title=d.title, body=v1.body, reason="更正", expected_revision=d.revision
    )
    assert d.status == Status.DRAFT and d.is_public and d.current_version == v1  # readers keep v1
    with pytest.raises(ValidationError) as caught:  # the correction changes nothing
        actions.submit(actor=olga, disclosure=d, expected_revision=d.revision)
    assert caught.value.code == "unchanged"
    d = actions.update_draft(
        actor=olga,
        disclosure=d,
        expected_revision=d.revision,
        title=d.title,
        body="<p>一矿三月工资总额一千二百万元。</p>",
    )
    actions.submit(actor=olga, disclosure=d, expected_revision=d.revision)
    v2 = actions.approve(actor=leo, disclosure=d)
    d.refresh_from_db()
    assert v2.number == 2 and v2.reason == "更正" and d.current_version == v2
    assert d.published_at == v1.published_at and d.updated_version_at == v2.published_at
    assert list(d.versions.values_list("number", flat=True)) == [1, 2]
    assert DisclosureVersion.objects.get(pk=v1.pk).body == "<p>一矿三月工资总额一千万元。</p>"
    assert "一千二百万" in d.search_text


def test_a_second_correction_cannot_start_while_one_is_open(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    d = actions.start_correction(actor=olga, disclosure=d, title=d.title, body="<p>一</p>", reason="更正")
    with pytest.raises(ValidationError) as caught:
        actions.start_correction(actor=olga, disclosure=d, title=d.title, body="<p>二</p>", reason="再更正")
    assert caught.value.code == "in_correction"


def test_a_correction_can_be_dropped(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    d = actions.start_correction(actor=olga, disclosure=d, title="错", body="<p>错</p>", reason="更正")
    d = actions.cancel_correction(actor=olga, disclosure=d, expected_revision=d.revision)
    assert d.status == Status.PUBLISHED and d.draft_title == d.title and d.draft_reason == ""


def test_withdrawal_keeps_the_record_and_says_why(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    with pytest.raises(AccessDenied):
        actions.withdraw(actor=olga, disclosure=d, reason="错误")
    with pytest.raises(ValidationError):
        actions.withdraw(actor=leo, disclosure=d, reason="")
    actions.withdraw(actor=leo, disclosure=d, reason="数据有误，核实后重新公开")
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN and not d.is_public and d.withdrawn_at is not None
    assert d.withdrawn_reason == "数据有误，核实后重新公开" and d.current_version is not None
    assert DisclosureVersion.objects.filter(disclosure=d).count() == 1
    with pytest.raises(ValidationError):
        actions.withdraw(actor=leo, disclosure=d, reason="再撤")
    with pytest.raises(ValidationError):
        actions.start_correction(actor=olga, disclosure=d, title="x", body="<p>y</p>", reason="z")


def test_corrections_bump_the_version_each_time(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    d = corrected(olga, leo, d, body="<p>二</p>")
    d = corrected(olga, leo, d, body="<p>三</p>", reason="再次更正")
    assert d.current_version.number == 3 and d.current_version.reason == "再次更正"


def test_publishing_answers_its_topic_request(tree, olga, leo, alice, wages):
    request = TopicRequest.objects.create(
        unit=tree["MA"], proposer=alice, title="食堂承包", text="请公开承包合同", deadline=dt.date(2026, 5, 1)
    )
    d = published(olga, leo, tree["MA"], wages, topic_request=request)
    request.refresh_from_db()
    assert request.status == TopicStatus.PUBLISHED and d.topic_request == request


def test_a_topic_request_of_another_unit_is_refused(tree, olga, bob, wages):
    request = TopicRequest.objects.create(
        unit=tree["MB"], proposer=bob, title="x", text="y", deadline=dt.date(2026, 5, 1)
    )
    with pytest.raises(ValidationError):
        draft(olga, tree["MA"], wages, topic_request=request)
