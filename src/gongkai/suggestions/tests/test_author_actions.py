"""The author's actions: draft, co-authors who confirm or decline, files, submission with its deadline; and every
refusal, each asserting its code and that nothing was written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry, Notification
from gongkai.suggestions import author_actions as actions
from gongkai.suggestions import author_input, dates
from gongkai.suggestions.choices import Category, Consent, EventKind, Status
from gongkai.suggestions.models import Attachment, Coauthor, Drive, Suggestion, SuggestionEvent

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def draft(actor, **extra):
    fields = {
        "actor": actor,
        "category": Category.TECHNICAL,
        "title": "  综采工作面  液压支架快速移架改进 ",
        "problem": "移架速度慢，影响推进。",
        "proposal": "加装快速移架阀组，優化操作順序。",
    }
    fields.update(extra)
    return actions.create_draft(**fields)


def counts() -> tuple:
    """What the actions write: compared before and after a refusal."""
    return (
        Suggestion.objects.count(),
        SuggestionEvent.objects.count(),
        Coauthor.objects.count(),
        Attachment.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        tuple(Suggestion.objects.order_by("pk").values_list("status", "revision", "title", "problem")),
        tuple(Coauthor.objects.order_by("pk").values_list("consent", flat=True)),
    )


def refused(code: str, call, *args, **kwargs) -> ValidationError:
    before = counts()
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value
    assert counts() == before
    return info.value


def denied(call, *args, **kwargs) -> None:
    before = counts()
    with pytest.raises(AccessDenied):
        call(*args, **kwargs)
    assert counts() == before


# ------------------------------------------------------------------------------------------------ the way


def test_draft_invite_confirm_submit(tree, alice, amy, uma, diana, bob):
    s = draft(alice, expected_benefit="每班多推进两刀。", expected_saving="120000", is_major=False)
    assert s.status == Status.DRAFT and s.unit == tree["MA1"] and s.author == alice
    assert s.title == "综采工作面 液压支架快速移架改进"  # spaces folded
    assert s.expected_saving == Decimal("120000.00")
    assert s.submitted_at is None and s.answer_due_on is None
    assert list(s.events.values_list("kind", flat=True)) == [EventKind.CREATED]

    coauthor = actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    assert coauthor.consent == Consent.INVITED
    note = Notification.objects.get(person=amy)
    assert s.title in note.title and note.url == f"/suggestions/{s.pk}/"

    actions.respond(actor=amy, coauthor=coauthor, confirm=True)
    coauthor.refresh_from_db()
    assert coauthor.consent == Consent.CONFIRMED and coauthor.responded_at is not None
    assert Notification.objects.filter(person=alice, kind="suggestions.coauthor_answer").exists()

    s.refresh_from_db()
    submitted = actions.submit(actor=alice, suggestion=s, expected_revision=s.revision)
    assert submitted.status == Status.SUBMITTED
    today = timezone.localdate()
    assert submitted.answer_due_on == dates.add_months(today, 2)
    assert submitted.search_text.startswith("综采工作面 液压支架快速移架改进 移架速度慢")
    assert "优化操作顺序" in submitted.search_text  # Traditional folded to Simplified for search
    kinds = list(s.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.COAUTHOR_INVITED,
        EventKind.COAUTHOR_CONFIRMED,
        EventKind.SUBMITTED,
    ]
    # the managers of the unit and the units above it are told; nobody of the sibling mine
    told = set(Notification.objects.filter(kind="suggestions.submitted").values_list("person_id", flat=True))
    assert told == {uma.pk, diana.pk}
    assert bob.pk not in told
    assert AuditEntry.objects.filter(action="suggestions.submit", object_id=str(s.pk)).count() == 1


def test_major_suggestion_gets_three_months(tree, alice, settings):
    settings.GONGKAI_SUGGESTION_MAJOR_ANSWER_MONTHS = 3
    s = draft(alice, is_major=True)
    s = actions.submit(actor=alice, suggestion=s, expected_revision=s.revision)
    assert s.answer_due_on == dates.add_months(timezone.localdate(), 3)


def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month():
    assert dates.add_months(dt.date(2026, 1, 15), 2) == dt.date(2026, 3, 15)
    assert dates.add_months(dt.date(2026, 12, 31), 2) == dt.date(2027, 2, 28)
    assert dates.add_months(dt.date(2027, 12, 31), 2) == dt.date(2028, 2, 29)


def test_update_draft_changes_and_bumps_revision(tree, alice):
    s = draft(alice)
    updated = actions.update_draft(
        actor=alice, suggestion=s, expected_revision=s.revision, title="新标题", expected_saving=Decimal("5")
    )
    assert updated.title == "新标题" and updated.expected_saving == Decimal("5.00")
    assert updated.revision == s.revision + 1


def test_decliner_removed_then_submit(tree, alice, amy):
    s = draft(alice)
    c = actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    actions.respond(actor=amy, coauthor=c, confirm=False)
    s.refresh_from_db()
    refused("declined", actions.submit, actor=alice, suggestion=s, expected_revision=s.revision)
    actions.remove_coauthor(actor=alice, coauthor=c)
    assert not Coauthor.objects.exists()
    s.refresh_from_db()
    assert actions.submit(actor=alice, suggestion=s, expected_revision=s.revision).status == Status.SUBMITTED


def test_drive_running_in_my_unit(tree, alice, uma, bob):
    today = timezone.localdate()
    running = Drive.objects.create(
        unit=tree["MA"], title="提合理化建议，创效益新高", starts_on=today, ends_on=today, created_by=uma
    )
    s = draft(alice, drive=running)
    assert s.drive == running


def test_files_with_the_draft_and_later(tree, alice, media):
    s = draft(alice, files=[SimpleUploadedFile("计算.pdf", PDF)])
    assert s.attachments.get().name == "计算.pdf"
    extra = actions.add_attachment(actor=alice, suggestion=s, upload=SimpleUploadedFile("b.pdf", PDF + b"x"))
    assert extra.name == "b.pdf" and s.attachments.count() == 2
    assert (media / author_input.storage_name(extra)).exists()


def test_remove_a_file_from_the_draft_only(tree, alice, amy):
    s = draft(alice, files=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF + b"b")])
    first, second = s.attachments.order_by("pk")
    actions.remove_attachment(actor=alice, attachment=first)
    assert list(s.attachments.values_list("name", flat=True)) == ["b.pdf"]
    denied(actions.remove_attachment, actor=amy, attachment=second)
    s.refresh_from_db()
    actions.submit(actor=alice, suggestion=s, expected_revision=s.revision)
    refused("frozen", actions.remove_attachment, actor=alice, attachment=second)


def test_confirmed_coauthors_are_told_of_the_submission(tree, alice, amy):
    s = draft(alice)
    c = actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    actions.respond(actor=amy, coauthor=c, confirm=True)
    s.refresh_from_db()
    s = actions.submit(actor=alice, suggestion=s, expected_revision=s.revision)
    note = Notification.objects.get(person=amy, kind="suggestions.coauthor_submitted")
    assert s.answer_due_on.isoformat() in note.title


# --------------------------------------------------------------------------------------------- refusals


def test_submission_without_a_coauthors_consent_is_refused(tree, alice, amy):
    s = draft(alice)
    actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    s.refresh_from_db()
    error = refused("consent", actions.submit, actor=alice, suggestion=s, expected_revision=s.revision)
    assert amy.name in error.messages[0]
    assert Suggestion.objects.get().status == Status.DRAFT


def test_editing_after_submission_is_refused(tree, alice):
    s = draft(alice)
    s = actions.submit(actor=alice, suggestion=s, expected_revision=s.revision)
    refused(
        "frozen", actions.update_draft, actor=alice, suggestion=s, expected_revision=s.revision, title="改"
    )
    refused(
        "frozen", actions.add_attachment, actor=alice, suggestion=s, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    refused("frozen", actions.invite_coauthor, actor=alice, suggestion=s, person=alice)


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "<script>alert(1)</script>"),
        ("problem", "见 <img src=x onerror=alert(1)>"),
        ("proposal", "点击 javascript:alert(1)"),
        ("expected_benefit", "＜script＞alert(1)＜/script＞"),
    ],
)
def test_script_in_text_is_refused(tree, alice, field, value):
    error = refused("markup", draft, alice, **{field: value})
    assert "plain text" in error.messages[0]
    s = draft(alice)
    refused(
        "markup",
        actions.update_draft,
        actor=alice,
        suggestion=s,
        expected_revision=s.revision,
        **{field: value},
    )


def test_empty_or_unknown_fields_are_refused(tree, alice):
    refused("required", draft, alice, title="  ")
    refused("category", draft, alice, category="nonsense")
    refused("saving", draft, alice, expected_saving="-5")
    refused("saving", draft, alice, expected_saving="abc")
    s = draft(alice)
    refused(
        "field", actions.update_draft, actor=alice, suggestion=s, expected_revision=s.revision, status="paid"
    )


def test_a_wrong_type_or_oversized_attachment_is_refused(tree, alice, settings, media):
    refused("bad_type", draft, alice, files=[SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)])
    refused("wrong_extension", draft, alice, files=[SimpleUploadedFile("a.png", PDF)])
    settings.GONGKAI_MAX_UPLOAD_MB = 1
    big = PDF + b"\x00" * (1024 * 1024)
    refused("too_large", draft, alice, files=[SimpleUploadedFile("big.pdf", big)])
    s = draft(alice)
    refused(
        "too_large",
        actions.add_attachment,
        actor=alice,
        suggestion=s,
        upload=SimpleUploadedFile("b.pdf", big),
    )
    assert not (media / "disclosures").exists()


def test_inviting_an_inactive_unknown_or_myself_is_refused(tree, alice, amy, bob):
    s = draft(alice)
    amy.is_active = False
    amy.save()
    error = refused("inactive", actions.invite_coauthor, actor=alice, suggestion=s, person=amy)
    assert amy.name in error.messages[0]
    refused("self", actions.invite_coauthor, actor=alice, suggestion=s, person=alice)
    refused("unknown_person", actions.person_by_number, "Z9999")
    actions.invite_coauthor(actor=alice, suggestion=s, person=bob)
    refused("duplicate", actions.invite_coauthor, actor=alice, suggestion=s, person=bob)


def test_a_stale_form_is_refused(tree, alice, amy):
    s = draft(alice)
    old = s.revision
    actions.invite_coauthor(actor=alice, suggestion=s, person=amy)  # the page opened before is now stale
    refused("stale", actions.update_draft, actor=alice, suggestion=s, expected_revision=old, title="改")
    refused("stale", actions.submit, actor=alice, suggestion=s, expected_revision=old)


def test_submitting_twice_makes_one_submission(tree, alice):
    s = draft(alice)
    revision = s.revision
    actions.submit(actor=alice, suggestion=s, expected_revision=revision)
    refused("submitted", actions.submit, actor=alice, suggestion=s, expected_revision=revision)
    assert SuggestionEvent.objects.filter(kind=EventKind.SUBMITTED).count() == 1


def test_someone_not_the_lead_author_may_not_submit_or_edit(tree, alice, amy, bob, uma):
    s = draft(alice)
    c = actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    actions.respond(actor=amy, coauthor=c, confirm=True)
    s.refresh_from_db()
    for person in (bob, uma, amy):
        denied(actions.submit, actor=person, suggestion=s, expected_revision=s.revision)
        denied(actions.update_draft, actor=person, suggestion=s, expected_revision=s.revision, title="改")
        denied(actions.add_attachment, actor=person, suggestion=s, upload=SimpleUploadedFile("a.pdf", PDF))
        denied(actions.invite_coauthor, actor=person, suggestion=s, person=bob)
        denied(actions.remove_coauthor, actor=person, coauthor=c)


def test_only_the_invited_person_answers_once(tree, alice, amy, bob):
    s = draft(alice)
    c = actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    denied(actions.respond, actor=bob, coauthor=c, confirm=True)
    denied(actions.respond, actor=alice, coauthor=c, confirm=True)
    actions.respond(actor=amy, coauthor=c, confirm=True)
    refused("answered", actions.respond, actor=amy, coauthor=c, confirm=False)


def test_answering_after_submission_is_refused(tree, alice, amy):
    s = draft(alice)
    c = actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    actions.remove_coauthor(actor=alice, coauthor=c)
    s.refresh_from_db()
    actions.submit(actor=alice, suggestion=s, expected_revision=s.revision)
    # a late click on an invitation that no longer exists
    denied(actions.respond, actor=amy, coauthor=c, confirm=True)


def test_a_drive_not_running_or_of_another_unit_is_refused(tree, alice, uma, diana):
    today = timezone.localdate()
    ended = Drive.objects.create(
        unit=tree["MA"],
        title="去年的活动",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today - dt.timedelta(days=1),
        created_by=uma,
    )
    elsewhere = Drive.objects.create(
        unit=tree["MB"], title="二矿活动", starts_on=today, ends_on=today, created_by=diana
    )
    refused("drive", draft, alice, drive=ended)
    refused("drive", draft, alice, drive=elsewhere)


def test_someone_without_a_unit_cannot_draft(tree, alice):
    alice.unit = None
    alice.save()
    refused("no_unit", draft, alice)
