"""The reviewer's attempts to break the suggestions app: access across mines (pages, fragments, files, API), consent
of co-authors, edits after submission, reviews and awards by the wrong people, double submits, script in text,
formula injection in the export and script in chart data. Each real problem found has its test here."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry, Notification
from gongkai.org.models import RoleAssignment, Unit
from gongkai.suggestions import author_actions, drive_actions, outcome_actions, review_actions, similarity
from gongkai.suggestions.choices import Category, Consent, Decision, Status
from gongkai.suggestions.models import (
    Attachment,
    Coauthor,
    Drive,
    Review,
    ReviewPanel,
    Suggestion,
    SuggestionEvent,
    ThemeRun,
)

from .conftest import make_suggestion
from .races import skip_unless_postgres, together

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    similarity.forget()
    cache.clear()
    yield
    similarity.forget()
    cache.clear()


@pytest.fixture
def mbu(tree):
    """The union chair of 二矿 (a manager of the other mine)."""
    p = _person("B800", "贝塔", tree["MB"])
    RoleAssignment.objects.create(person=p, unit=tree["MB"], role=Role.UNION, title="工会主席")
    return p


def counts() -> tuple:
    return (
        Suggestion.objects.count(),
        SuggestionEvent.objects.count(),
        Coauthor.objects.count(),
        Attachment.objects.count(),
        Review.objects.count(),
        ReviewPanel.objects.count(),
        Drive.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        tuple(Suggestion.objects.order_by("pk").values_list("status", "revision", "title", "award_band")),
        tuple(Coauthor.objects.order_by("pk").values_list("consent", flat=True)),
    )


def refused(code: str, call, *args, **kwargs) -> ValidationError:
    before = counts()
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value
    assert counts() == before
    return info.value


def draft(actor, **extra) -> Suggestion:
    fields = {
        "actor": actor,
        "category": Category.TECHNICAL,
        "title": "综采工作面液压支架快速移架改进",
        "problem": "移架速度慢，影响推进。",
        "proposal": "加装快速移架阀组，优化操作顺序。",
    }
    fields.update(extra)
    return author_actions.create_draft(**fields)


def fresh(s: Suggestion) -> Suggestion:
    return Suggestion.objects.get(pk=s.pk)


# ------------------------------------------------------------------------------------------------ access


def test_another_mine_sees_nothing_of_a_suggestion(client, tree, alice, amy, bob, mbu, uma, panel, pete):
    s = draft(alice, files=[SimpleUploadedFile("计算.pdf", PDF)])
    author_actions.submit(actor=alice, suggestion=s, expected_revision=fresh(s).revision)
    s = fresh(s)
    review_actions.screen(actor=uma, suggestion=s, accept=True, panel=panel, expected_revision=s.revision)
    review_actions.review(
        actor=pete,
        suggestion=s,
        feasibility=8,
        benefit=7,
        innovation=6,
        recommendation=Decision.ADOPT,
        opinion="秘密意见",
    )
    attachment = Attachment.objects.get(suggestion=s)
    for person in (bob, mbu):
        client.force_login(person)
        for url in (
            reverse("suggestions:detail", args=[s.pk]),
            reverse("suggestions:attachment", args=[attachment.pk]),
            reverse("suggestions:manage", args=[s.pk]),
            reverse("suggestions:review", args=[s.pk]),
            reverse("suggestions:similar_to", args=[s.pk]),
            reverse("suggestions:edit", args=[s.pk]),
            f"/api/v1/suggestions/{s.pk}",
        ):
            response = client.get(url)
            assert response.status_code == 404, (person, url)
            assert "秘密意见" not in response.content.decode() and s.title not in response.content.decode()
        before = counts()
        response = client.post(
            reverse("suggestions:conclude", args=[s.pk]),
            {
                "conclude-decision": Decision.ADOPT,
                "conclude-reason": "",
                "conclude-revision": fresh(s).revision,
            },
        )
        assert response.status_code == 404
        assert counts() == before
        assert s.pk not in [i["id"] for i in client.get("/api/v1/suggestions/mine").json()["items"]]


def test_similar_fragments_never_show_another_units_text(client, tree, alice, bob, uma):
    theirs = make_suggestion(
        bob,
        title="掘进工作面锚杆支护机械化改造",
        problem="锚杆支护靠人工打眼，速度慢，劳动强度大。",
        proposal="引进锚杆钻车，实现掘锚一体化作业。",
    )
    client.force_login(alice)
    response = client.post(
        reverse("suggestions:similar"),
        {"title": theirs.title, "problem": theirs.problem, "proposal": theirs.proposal},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-pk="{theirs.pk}"' in html  # the idea is flagged…
    assert theirs.title not in html and theirs.problem not in html  # …but its text is not shown
    assert reverse("suggestions:detail", args=[theirs.pk]) not in html
    mine = make_suggestion(alice, title=theirs.title, problem=theirs.problem, proposal=theirs.proposal)
    client.force_login(uma)
    html = client.get(reverse("suggestions:similar_to", args=[mine.pk])).content.decode()
    assert f'data-pk="{theirs.pk}"' in html and theirs.problem not in html
    assert reverse("suggestions:detail", args=[theirs.pk]) not in html


def test_themes_stats_and_drives_of_another_mine_are_404(client, tree, alice, bob, mbu, uma):
    s = make_suggestion(alice)
    run = ThemeRun.objects.create(
        unit=tree["MA"], start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), finished_at=timezone.now()
    )
    drive = Drive.objects.create(
        unit=tree["MA"],
        title="一矿秘密动员",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=10),
        categories=[Category.SAFETY],
        created_by=uma,
    )
    client.force_login(mbu)
    assert client.get(reverse("suggestions:themes"), {"unit": tree["MA"].pk}).status_code == 404
    response = client.post(
        reverse("suggestions:themes"), {"unit": tree["MA"].pk, "start": "2026-01-01", "end": "2026-01-31"}
    )
    assert response.status_code == 400 and ThemeRun.objects.count() == 1 and run.unit_id == tree["MA"].pk
    assert client.get(reverse("suggestions:stats"), {"unit": tree["MA"].pk}).status_code == 404
    assert client.get("/api/v1/suggestions/stats", {"unit": "MA"}).status_code == 404
    for person in (bob, mbu):
        client.force_login(person)
        assert client.get(reverse("suggestions:drive", args=[drive.pk])).status_code == 404
        assert client.get(reverse("suggestions:drive_edit", args=[drive.pk])).status_code == 404
        assert drive.pk not in [d["id"] for d in client.get("/api/v1/suggestions/drives").json()["items"]]
        assert "一矿秘密动员" not in client.get(reverse("suggestions:drives")).content.decode()
    assert s.pk


def test_api_draft_with_another_units_drive_does_not_reveal_it(client, tree, alice, bob, uma):
    """Found: the API answered a drive id of another mine with "The drive “<its slogan>” is not running in your
    unit", telling anyone the slogans of every unit's drives by counting ids."""
    drive = Drive.objects.create(
        unit=tree["MA"],
        title="一矿秘密动员",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=10),
        categories=[Category.SAFETY],
        created_by=uma,
    )
    client.force_login(bob)
    before = counts()
    response = client.post(
        "/api/v1/suggestions/",
        {
            "category": "safety",
            "title": "题目",
            "problem": "问题描述",
            "proposal": "建议内容",
            "drive": drive.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "一矿秘密动员" not in response.json()["detail"]
    assert response.json()["code"] == "drive"
    assert counts() == before
    client.force_login(alice)  # alice's own unit runs it: accepted
    response = client.post(
        "/api/v1/suggestions/",
        {
            "category": "safety",
            "title": "题目",
            "problem": "问题描述",
            "proposal": "建议内容",
            "drive": drive.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["drive"] == drive.pk


# ---------------------------------------------------------------------------------------------- consent


def test_a_coauthor_added_after_the_others_confirmed_must_confirm_too(tree, alice, amy, pete):
    s = draft(alice)
    amy_row = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    author_actions.respond(actor=amy, coauthor=amy_row, confirm=True)
    author_actions.invite_coauthor(actor=alice, suggestion=s, person=pete)
    refused("consent", author_actions.submit, actor=alice, suggestion=s, expected_revision=None)
    refused(
        "stale", author_actions.submit, actor=alice, suggestion=s, expected_revision=fresh(s).revision - 1
    )


def test_a_declined_coauthor_reinvited_must_confirm_again(tree, alice, amy):
    s = draft(alice)
    row = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    author_actions.respond(actor=amy, coauthor=row, confirm=False)
    refused("declined", author_actions.submit, actor=alice, suggestion=s, expected_revision=None)
    refused("duplicate", author_actions.invite_coauthor, actor=alice, suggestion=s, person=amy)
    author_actions.remove_coauthor(actor=alice, coauthor=row)
    again = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    assert again.consent == Consent.INVITED
    refused("consent", author_actions.submit, actor=alice, suggestion=s, expected_revision=None)
    author_actions.respond(actor=amy, coauthor=again, confirm=True)
    assert author_actions.submit(actor=alice, suggestion=s, expected_revision=None).status == Status.SUBMITTED


def test_changing_the_text_after_a_coauthor_confirmed_asks_them_again(tree, alice, amy):
    """Found: a co-author confirmed one text, the lead author rewrote the proposal and submitted it in their
    name. Now a change of the proposal puts the confirmed co-authors back to "invited" (they are told)."""
    s = draft(alice)
    row = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    author_actions.respond(actor=amy, coauthor=row, confirm=True)
    author_actions.update_draft(
        actor=alice, suggestion=s, expected_revision=fresh(s).revision, proposal="完全不同的建议。"
    )
    row.refresh_from_db()
    assert row.consent == Consent.INVITED and row.responded_at is None
    assert Notification.objects.filter(person=amy, kind="suggestions.coauthor_changed").count() == 1
    refused("consent", author_actions.submit, actor=alice, suggestion=s, expected_revision=None)
    author_actions.respond(actor=amy, coauthor=row, confirm=True)
    # a save that changes nothing does not ask again
    author_actions.update_draft(
        actor=alice, suggestion=s, expected_revision=fresh(s).revision, proposal="完全不同的建议。"
    )
    row.refresh_from_db()
    assert row.consent == Consent.CONFIRMED
    assert author_actions.submit(actor=alice, suggestion=s, expected_revision=None).status == Status.SUBMITTED


def test_adding_or_removing_a_file_after_a_coauthor_confirmed_asks_them_again(tree, alice, amy, pete):
    """Found: a co-author confirmed a draft, the lead author then attached (or took off) a file and submitted it
    in their name. Now a change of the attachments asks the confirmed co-authors again, as a change of the text
    does (they are told); a co-author still invited is not told twice."""
    s = draft(alice)
    row = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    waiting = author_actions.invite_coauthor(actor=alice, suggestion=s, person=pete)
    author_actions.respond(actor=amy, coauthor=row, confirm=True)
    notes = Notification.objects.filter(kind="suggestions.coauthor_changed")

    attached = author_actions.add_attachment(
        actor=alice, suggestion=s, upload=SimpleUploadedFile("计算.pdf", PDF)
    )
    row.refresh_from_db()
    waiting.refresh_from_db()
    assert row.consent == Consent.INVITED and row.responded_at is None
    assert waiting.consent == Consent.INVITED
    assert notes.filter(person=amy).count() == 1 and not notes.filter(person=pete).exists()
    entry = AuditEntry.objects.filter(action="suggestions.attach").latest("pk")
    assert entry.change["consent_asked_again"] == [amy.pk]
    refused("consent", author_actions.submit, actor=alice, suggestion=s, expected_revision=None)
    # a refused attachment (the same file again) changes nothing and asks no one
    author_actions.respond(actor=amy, coauthor=row, confirm=True)
    refused(
        "duplicate_file",
        author_actions.add_attachment,
        actor=alice,
        suggestion=s,
        upload=SimpleUploadedFile("again.pdf", PDF),
    )
    row.refresh_from_db()
    assert row.consent == Consent.CONFIRMED and notes.filter(person=amy).count() == 1

    author_actions.remove_attachment(actor=alice, attachment=attached)
    row.refresh_from_db()
    assert row.consent == Consent.INVITED and row.responded_at is None
    assert notes.filter(person=amy).count() == 2 and not notes.filter(person=pete).exists()
    entry = AuditEntry.objects.filter(action="suggestions.remove_attachment").latest("pk")
    assert entry.change["consent_asked_again"] == [amy.pk]
    # removing it twice is refused, writes nothing and asks no one
    author_actions.respond(actor=amy, coauthor=row, confirm=True)
    refused("gone", author_actions.remove_attachment, actor=alice, attachment=attached)

    author_actions.respond(actor=pete, coauthor=waiting, confirm=True)
    assert author_actions.submit(actor=alice, suggestion=s, expected_revision=None).status == Status.SUBMITTED


def test_an_invited_coauthor_cannot_answer_for_someone_else(tree, alice, amy, bob):
    s = draft(alice)
    row = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    before = counts()
    with pytest.raises(AccessDenied):
        author_actions.respond(actor=bob, coauthor=row, confirm=True)
    with pytest.raises(AccessDenied):
        author_actions.respond(actor=alice, coauthor=row, confirm=True)
    assert counts() == before


# ------------------------------------------------------------------------------------- frozen after submission


def test_nothing_changes_a_submitted_suggestion(client, tree, alice, amy):
    s = draft(alice, files=[SimpleUploadedFile("a.pdf", PDF)])
    row = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    author_actions.respond(actor=amy, coauthor=row, confirm=True)
    author_actions.submit(actor=alice, suggestion=s, expected_revision=None)
    s = fresh(s)
    attachment = Attachment.objects.get(suggestion=s)
    refused(
        "frozen",
        author_actions.update_draft,
        actor=alice,
        suggestion=s,
        expected_revision=s.revision,
        title="改",
    )
    refused(
        "frozen",
        author_actions.add_attachment,
        actor=alice,
        suggestion=s,
        upload=SimpleUploadedFile("b.pdf", PDF),
    )
    refused("frozen", author_actions.remove_attachment, actor=alice, attachment=attachment)
    refused("frozen", author_actions.invite_coauthor, actor=alice, suggestion=s, person=amy)
    refused("frozen", author_actions.remove_coauthor, actor=alice, coauthor=row)
    client.force_login(alice)
    before = counts()
    response = client.post(
        reverse("suggestions:edit", args=[s.pk]),
        {
            "category": "technical",
            "title": "改",
            "problem": "p" * 10,
            "proposal": "q" * 10,
            "revision": s.revision,
        },
    )
    assert response.status_code == 400
    for url in (
        reverse("suggestions:author_attach", args=[s.pk]),
        reverse("suggestions:author_remove_attachment", args=[attachment.pk]),
        reverse("suggestions:author_remove_coauthor", args=[row.pk]),
    ):
        assert client.post(url, {"file": SimpleUploadedFile("c.pdf", PDF)}).status_code == 400, url
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(
            f"/api/v1/suggestions/{s.pk}", {"title": "改"}, content_type="application/json"
        )
        assert response.status_code == 405, method
    assert counts() == before


# ---------------------------------------------------------------------------------- reviews and awards


def test_a_coauthor_put_on_the_panel_later_cannot_review(tree, alice, amy, uma, panel):
    s = make_suggestion(alice, coauthors=[amy], status=Status.SUBMITTED)
    review_actions.screen(actor=uma, suggestion=s, accept=True, panel=panel, expected_revision=s.revision)
    outcome_actions.save_panel(
        actor=uma,
        unit=tree["MA"],
        name=panel.name,
        members=[*panel.members.all(), amy],
        panel=panel,
        expected_stamp=outcome_actions.panel_stamp(panel),
    )
    refused(
        "own_suggestion",
        review_actions.review,
        actor=amy,
        suggestion=s,
        feasibility=10,
        benefit=10,
        innovation=10,
        recommendation=Decision.ADOPT,
    )
    refused(
        "not_on_panel",
        review_actions.review,
        actor=uma,
        suggestion=s,
        feasibility=10,
        benefit=10,
        innovation=10,
        recommendation=Decision.ADOPT,
    )


def test_a_manager_does_not_decide_on_their_own_suggestion(tree, uma, amy, diana, panel, pete):
    """Found: the union chair of a mine could screen, conclude and grant the award of a suggestion she wrote or
    co-wrote. Now she is refused; a manager above (the group's union) decides."""
    s = make_suggestion(amy, coauthors=[uma], status=Status.SUBMITTED)
    refused(
        "own_suggestion",
        review_actions.screen,
        actor=uma,
        suggestion=s,
        accept=True,
        panel=panel,
        expected_revision=s.revision,
    )
    review_actions.screen(actor=diana, suggestion=s, accept=True, panel=panel, expected_revision=s.revision)
    s = fresh(s)
    review_actions.review(
        actor=pete, suggestion=s, feasibility=8, benefit=8, innovation=8, recommendation=Decision.ADOPT
    )
    refused(
        "own_suggestion",
        review_actions.conclude,
        actor=uma,
        suggestion=s,
        decision=Decision.ADOPT,
        reason="",
        expected_revision=fresh(s).revision,
    )
    s = fresh(s)
    s.status, s.implemented_on = Status.MEASURED, dt.date(2024, 1, 1)
    s.gross_saving, s.cost, s.net_saving = Decimal(200000), Decimal(0), Decimal(200000)
    s.save()
    refused(
        "own_suggestion", outcome_actions.grant_award, actor=uma, suggestion=s, expected_revision=s.revision
    )
    assert outcome_actions.grant_award(actor=diana, suggestion=s, expected_revision=s.revision).award_band


def test_no_award_without_measured_benefit_even_by_page(client, tree, alice, uma):
    s = make_suggestion(alice, status=Status.IMPLEMENTED)
    refused("no_benefit", outcome_actions.grant_award, actor=uma, suggestion=s, expected_revision=s.revision)
    s.status = Status.MEASURED  # forced, without the benefit
    s.save()
    refused("no_benefit", outcome_actions.grant_award, actor=uma, suggestion=s, expected_revision=s.revision)
    client.force_login(uma)
    before = counts()
    response = client.post(reverse("suggestions:award", args=[s.pk]), {"award-revision": s.revision})
    assert response.status_code == 400 and "measured benefit" in response.content.decode()
    assert counts() == before


# --------------------------------------------------------------------------------------------- double submits


def test_a_double_posted_new_suggestion_makes_one_draft(client, tree, alice):
    """Found: a double click on "Save" made two identical drafts."""
    client.force_login(alice)
    data = {
        "category": "technical",
        "title": "双击的建议",
        "problem": "问题描述足够长",
        "proposal": "建议内容足够长",
    }
    first = client.post(reverse("suggestions:new"), data)
    second = client.post(reverse("suggestions:new"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Suggestion.objects.filter(author=alice).count() == 1
    assert SuggestionEvent.objects.count() == 1
    # a different text is a different draft
    client.post(reverse("suggestions:new"), {**data, "title": "另一条建议"})
    assert Suggestion.objects.filter(author=alice).count() == 2


def test_a_double_posted_file_is_attached_once(client, tree, alice):
    """Found: posting the same file twice attached it twice."""
    s = draft(alice)
    author_actions.add_attachment(actor=alice, suggestion=s, upload=SimpleUploadedFile("a.pdf", PDF))
    refused(
        "duplicate_file",
        author_actions.add_attachment,
        actor=alice,
        suggestion=s,
        upload=SimpleUploadedFile("a.pdf", PDF),
    )
    client.force_login(alice)
    before = counts()
    response = client.post(
        reverse("suggestions:author_attach", args=[s.pk]), {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 400 and "already attached" in response.content.decode()
    assert counts() == before


def test_a_double_posted_panel_or_drive_is_made_once(tree, uma, pete):
    """Found: a double post of the panel or drive form made two panels (two drives) of the same name."""
    outcome_actions.save_panel(actor=uma, unit=tree["MA"], name="技术委员会", members=[pete])
    refused(
        "duplicate",
        outcome_actions.save_panel,
        actor=uma,
        unit=tree["MA"],
        name=" 技术委员会 ",
        members=[pete],
    )
    today = timezone.localdate()
    fields = {
        "actor": uma,
        "unit": tree["MA"],
        "title": "提合理化建议，创效益新高",
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=30),
        "categories": [Category.SAFETY],
    }
    drive_actions.create_drive(**fields)
    refused("duplicate", drive_actions.create_drive, **fields)


def test_a_double_posted_manage_step_applies_once(client, tree, alice, uma, panel):
    s = make_suggestion(alice)
    client.force_login(uma)
    data = {
        "screen-accept": "1",
        "screen-panel": panel.pk,
        "screen-reason": "",
        "screen-revision": s.revision,
    }
    url = reverse("suggestions:screen", args=[s.pk])
    assert client.post(url, data).status_code == 302
    before = counts()
    assert client.post(url, data).status_code == 409
    assert counts() == before


# ------------------------------------------------------------------------------------------- script in text


def _suggestion_in(status, alice, panel):
    return make_suggestion(alice, status=status, panel=panel)


@pytest.mark.parametrize(
    "script", [SCRIPT, '<img src=x onerror="alert(1)">', "javascript:alert(1)", "＜script＞"]
)
def test_script_is_refused_in_every_text_field(tree, alice, uma, pete, panel, script):
    for name in ("title", "problem", "proposal", "expected_benefit"):
        refused("markup", draft, alice, **{name: script})
    s = draft(alice)
    for name in ("title", "problem", "proposal", "expected_benefit"):
        refused(
            "markup",
            author_actions.update_draft,
            actor=alice,
            suggestion=s,
            expected_revision=None,
            **{name: script},
        )
    submitted = _suggestion_in(Status.SUBMITTED, alice, None)
    refused(
        "markup",
        review_actions.screen,
        actor=uma,
        suggestion=submitted,
        accept=False,
        reason=script,
        expected_revision=submitted.revision,
    )
    in_review = _suggestion_in(Status.IN_REVIEW, alice, panel)
    refused(
        "markup",
        review_actions.review,
        actor=pete,
        suggestion=in_review,
        feasibility=5,
        benefit=5,
        innovation=5,
        recommendation=Decision.ADOPT,
        opinion=script,
    )
    Review.objects.create(
        suggestion=in_review,
        reviewer=pete,
        feasibility=5,
        benefit=5,
        innovation=5,
        recommendation=Decision.ADOPT,
    )
    for decision in Decision.values:
        refused(
            "markup",
            review_actions.conclude,
            actor=uma,
            suggestion=in_review,
            decision=decision,
            reason=script,
            expected_revision=in_review.revision,
        )
    adopted = _suggestion_in(Status.ADOPTED, alice, panel)
    refused(
        "markup",
        outcome_actions.plan_implementation,
        actor=uma,
        suggestion=adopted,
        owner=pete,
        plan=script,
        planned_start=dt.date(2026, 1, 1),
        planned_finish=dt.date(2026, 2, 1),
        expected_revision=adopted.revision,
    )
    implemented = _suggestion_in(Status.IMPLEMENTED, alice, panel)
    implemented.implemented_on = dt.date(2020, 1, 1)
    implemented.save()
    refused(
        "markup",
        outcome_actions.measure_benefit,
        actor=uma,
        suggestion=implemented,
        gross_saving=100,
        cost=0,
        calculation=script,
        measured_on=dt.date(2021, 6, 1),
        expected_revision=implemented.revision,
    )
    refused("markup", outcome_actions.save_panel, actor=uma, unit=tree["MA"], name=script, members=[pete])
    refused(
        "markup",
        drive_actions.create_drive,
        actor=uma,
        unit=tree["MA"],
        title=script,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        categories=["safety"],
    )
    refused(
        "markup",
        drive_actions.create_drive,
        actor=uma,
        unit=tree["MA"],
        title="动员",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        categories=["safety"],
        description=script,
    )


def test_script_in_bands_and_the_api_is_refused(client, tree, alice, diana):
    rows = [{"grade": 1, "name": SCRIPT, "min_saving": "0", "award": "100"}]
    refused("markup", outcome_actions.save_bands, actor=diana, rows=rows)
    client.force_login(alice)
    before = counts()
    response = client.post(
        "/api/v1/suggestions/",
        {"category": "safety", "title": "题目", "problem": SCRIPT, "proposal": "建议内容"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "markup"
    assert "HTML or script" in response.json()["detail"]
    assert counts() == before


# ------------------------------------------------------------------------------------- exports and charts


def test_unit_names_in_the_xlsx_are_never_formulas(client, tree, alice, diana):
    import openpyxl

    Unit.objects.filter(pk=tree["MA"].pk).update(name='=HYPERLINK("http://evil","一矿")')
    Unit.objects.filter(pk=tree["MA1"].pk).update(name="@SUM(1+1)")
    alice.refresh_from_db()
    make_suggestion(alice)
    client.force_login(diana)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/suggestions/stats/?format=xlsx").content))
    risky = [
        c
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in "=+-@"
    ]
    assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky)


def test_names_in_chart_data_cannot_close_the_script(client, tree, alice, amy, uma, diana):
    Unit.objects.filter(pk=tree["MA"].pk).update(name=f"</script>{SCRIPT}")
    alice.refresh_from_db()
    make_suggestion(alice, coauthors=[amy])
    drive = Drive.objects.create(
        unit=tree["G"],
        title="动员",
        starts_on=timezone.localdate() - dt.timedelta(days=5),
        ends_on=timezone.localdate() + dt.timedelta(days=5),
        categories=[Category.SAFETY],
        created_by=diana,
    )
    Suggestion.objects.update(drive=drive)
    client.force_login(diana)
    for url in (reverse("suggestions:stats"), reverse("suggestions:drive", args=[drive.pk])):
        html = client.get(url).content.decode()
        assert 'data-chart="chart-units"' in html
        assert SCRIPT not in html and "</script><script>" not in html
        assert "\\u003C/script\\u003E" in html  # the name is in the chart data, escaped


def test_a_coauthor_cannot_confirm_a_text_changed_since_they_read_it(client, tree, alice, amy):
    """Found: the confirm button carried no revision, so a co-author who read one text confirmed the text the lead
    author had rewritten meanwhile. Now the page's revision is checked when confirming (declining needs none)."""
    s = draft(alice)
    row = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    client.force_login(amy)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    read = fresh(s).revision
    assert f'name="revision" value="{read}"' in page
    author_actions.update_draft(actor=alice, suggestion=s, expected_revision=read, proposal="改写后的建议。")
    before = counts()
    response = client.post(
        reverse("suggestions:coauthor_respond", args=[s.pk]), {"answer": "confirm", "revision": read}
    )
    assert response.status_code == 400 and "reload" in response.content.decode()
    assert counts() == before
    refused("stale", author_actions.respond, actor=amy, coauthor=row, confirm=True, expected_revision=read)
    response = client.post(
        reverse("suggestions:coauthor_respond", args=[s.pk]),
        {"answer": "confirm", "revision": fresh(s).revision},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.consent == Consent.CONFIRMED


# ------------------------------------------------------------------------------- races (PostgreSQL only)


@pytest.fixture
def _postgres_only():
    skip_unless_postgres()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_save_makes_one_draft_even_at_the_same_moment(_postgres_only, tree, alice):
    results = together(3, lambda i: draft(alice))
    assert all(isinstance(r, Suggestion) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Suggestion.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_racing_a_change_of_the_text_never_stands(_postgres_only, tree, alice, amy):
    s = draft(alice)
    row = author_actions.invite_coauthor(actor=alice, suggestion=s, person=amy)
    read = fresh(s).revision

    def work(i: int):
        if i == 0:
            return author_actions.respond(actor=amy, coauthor=row, confirm=True, expected_revision=read)
        return author_actions.update_draft(
            actor=alice, suggestion=s, expected_revision=read, proposal="改写。"
        )

    results = together(2, work)
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(refusals) == 1 and refusals[0].code == "stale", results  # one of them ran on an older revision
    row.refresh_from_db()
    if fresh(s).proposal == "改写。":  # the change won: the confirmation of the old text does not stand
        assert row.consent == Consent.INVITED
    else:  # the confirmation won: it confirmed the text as it still is
        assert row.consent == Consent.CONFIRMED
