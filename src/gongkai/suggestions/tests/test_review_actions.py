"""Screening, reviews, the conclusion, duplicates and reopening — and every refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry, Notification
from gongkai.org.models import RoleAssignment
from gongkai.suggestions import review_actions as ra
from gongkai.suggestions.choices import Decision, EventKind, Status
from gongkai.suggestions.models import Review, ReviewPanel, Suggestion, SuggestionEvent
from gongkai.suggestions.tests.conftest import make_suggestion


def snapshot(s: Suggestion) -> tuple:
    s.refresh_from_db()
    return (
        s.status,
        s.revision,
        s.decision,
        s.decision_reason,
        s.panel_id,
        s.answered_at,
        s.duplicate_of_id,
        Review.objects.count(),
        SuggestionEvent.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def refused(code: str, call, s: Suggestion, **kwargs) -> ValidationError:
    before = snapshot(s)
    with pytest.raises(ValidationError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value
    assert snapshot(s) == before
    return info.value


@pytest.fixture
def sugg(alice, amy):
    return make_suggestion(alice, coauthors=[amy])


@pytest.fixture
def in_review(alice, amy, panel):
    return make_suggestion(alice, coauthors=[amy], status=Status.IN_REVIEW, panel=panel)


def give(s, person, rec=Decision.ADOPT, scores=(7, 8, 6)):
    return ra.review(
        actor=person,
        suggestion=s,
        feasibility=scores[0],
        benefit=scores[1],
        innovation=scores[2],
        recommendation=rec,
        opinion="可行",
    )


# ------------------------------------------------------------------------------------------------ screening


def test_accept_sets_panel_event_ledger_and_notifies(uma, sugg, panel, alice, amy, pete, paula):
    s = ra.screen(actor=uma, suggestion=sugg, accept=True, panel=panel, expected_revision=1)
    assert s.status == Status.IN_REVIEW and s.panel == panel and s.revision == 2
    assert s.answered_at is None  # accepting is not an answer yet
    event = SuggestionEvent.objects.get(suggestion=s)
    assert event.kind == EventKind.ACCEPTED and event.public
    assert AuditEntry.objects.filter(action="suggestions.accept", object_id=str(s.pk)).exists()
    told = set(Notification.objects.values_list("person_id", flat=True))
    assert {alice.pk, amy.pk, pete.pk, paula.pk} <= told


def test_not_accepted_needs_reason_shown_to_authors(uma, sugg, alice):
    refused(
        "required",
        ra.screen,
        sugg,
        actor=uma,
        suggestion=sugg,
        accept=False,
        reason="  ",
        expected_revision=1,
    )
    s = ra.screen(
        actor=uma, suggestion=sugg, accept=False, reason="属于日常工作职责范围", expected_revision=1
    )
    assert s.status == Status.NOT_ACCEPTED and s.answered_at is not None
    event = SuggestionEvent.objects.get(suggestion=s)
    assert event.kind == EventKind.NOT_ACCEPTED and event.public and event.note == "属于日常工作职责范围"
    assert Notification.objects.filter(person=alice, body="属于日常工作职责范围").exists()


def test_script_in_reason_refused(uma, sugg):
    refused(
        "markup",
        ra.screen,
        sugg,
        actor=uma,
        suggestion=sugg,
        accept=False,
        reason="<script>alert(1)</script>",
        expected_revision=1,
    )


def test_accept_needs_panel_of_unit_or_ancestor(uma, sugg, tree):
    refused("panel", ra.screen, sugg, actor=uma, suggestion=sugg, accept=True, expected_revision=1)
    other = ReviewPanel.objects.create(unit=tree["MB"], name="二矿专家组")
    refused(
        "panel", ra.screen, sugg, actor=uma, suggestion=sugg, accept=True, panel=other, expected_revision=1
    )


def test_stale_screen_refused(uma, sugg, panel):
    refused(
        "stale", ra.screen, sugg, actor=uma, suggestion=sugg, accept=True, panel=panel, expected_revision=0
    )


def test_double_screen_refused(uma, sugg, panel):
    ra.screen(actor=uma, suggestion=sugg, accept=True, panel=panel, expected_revision=1)
    refused(
        "status", ra.screen, sugg, actor=uma, suggestion=sugg, accept=True, panel=panel, expected_revision=2
    )


def test_manager_of_another_mine_cannot_screen(tree, sugg, panel):
    other = _person("B800", "鲍玛", tree["MB"])
    RoleAssignment.objects.create(person=other, unit=tree["MB"], role=Role.UNION)
    before = snapshot(sugg)
    with pytest.raises(AccessDenied):
        ra.screen(actor=other, suggestion=sugg, accept=True, panel=panel, expected_revision=1)
    assert snapshot(sugg) == before


def test_group_union_may_screen(diana, sugg, panel):
    assert ra.screen(actor=diana, suggestion=sugg, accept=True, panel=panel, expected_revision=1).status == (
        Status.IN_REVIEW
    )


# ---------------------------------------------------------------------------------------------------- review


def test_review_by_panel_member(in_review, pete):
    r = give(in_review, pete)
    assert r.total == 21
    in_review.refresh_from_db()
    assert in_review.revision == 2
    event = SuggestionEvent.objects.get(suggestion=in_review)
    assert event.kind == EventKind.REVIEWED and not event.public
    assert AuditEntry.objects.filter(action="suggestions.review").count() == 1


def test_review_by_someone_not_on_panel_refused(in_review, uma):
    refused(
        "not_on_panel",
        ra.review,
        in_review,
        actor=uma,
        suggestion=in_review,
        feasibility=5,
        benefit=5,
        innovation=5,
        recommendation=Decision.ADOPT,
    )


def test_review_by_author_refused(alice, amy, panel, pete):
    panel.members.add(amy)
    s = make_suggestion(alice, coauthors=[amy], status=Status.IN_REVIEW, panel=panel)
    refused(
        "own_suggestion",
        ra.review,
        s,
        actor=amy,
        suggestion=s,
        feasibility=5,
        benefit=5,
        innovation=5,
        recommendation=Decision.ADOPT,
    )


def test_second_review_refused(in_review, pete):
    give(in_review, pete)
    refused(
        "already_reviewed",
        ra.review,
        in_review,
        actor=pete,
        suggestion=in_review,
        feasibility=1,
        benefit=1,
        innovation=1,
        recommendation=Decision.REJECT,
    )


def test_second_review_is_refused_by_the_database_too(in_review, pete):
    from django.db import IntegrityError, transaction

    give(in_review, pete)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            suggestion=in_review,
            reviewer=pete,
            feasibility=1,
            benefit=1,
            innovation=1,
            recommendation="adopt",
        )


@pytest.mark.parametrize("scores", [(11, 5, 5), (5, -1, 5), (5, 5, "x"), (5, 5, 2.5)])
def test_scores_out_of_range_refused(in_review, pete, scores):
    refused(
        "score",
        ra.review,
        in_review,
        actor=pete,
        suggestion=in_review,
        feasibility=scores[0],
        benefit=scores[1],
        innovation=scores[2],
        recommendation=Decision.ADOPT,
    )


def test_review_with_script_or_bad_recommendation_refused(in_review, pete):
    kwargs = dict(actor=pete, suggestion=in_review, feasibility=5, benefit=5, innovation=5)
    refused("recommendation", ra.review, in_review, recommendation="maybe", **kwargs)
    refused(
        "markup", ra.review, in_review, recommendation="adopt", opinion='<img src=x onerror="a()">', **kwargs
    )


def test_review_before_acceptance_refused(sugg, panel, pete):
    sugg.panel = panel
    sugg.save()
    refused(
        "status",
        ra.review,
        sugg,
        actor=pete,
        suggestion=sugg,
        feasibility=5,
        benefit=5,
        innovation=5,
        recommendation="adopt",
    )


# ------------------------------------------------------------------------------------------------ conclusion


def test_conclusion_before_half_of_panel_refused(uma, in_review, pete, paula, tree):
    third = _person("A303", "第三", tree["MA"])
    in_review.panel.members.add(third)  # 3 members: 2 reviews needed
    give(in_review, pete)
    in_review.refresh_from_db()
    err = refused(
        "not_enough_reviews",
        ra.conclude,
        in_review,
        actor=uma,
        suggestion=in_review,
        decision=Decision.ADOPT,
        reason="",
        expected_revision=in_review.revision,
    )
    assert "1" in err.messages[0] and "2" in err.messages[0]
    give(in_review, paula)
    in_review.refresh_from_db()
    s = ra.conclude(
        actor=uma,
        suggestion=in_review,
        decision=Decision.ADOPT,
        reason="",
        expected_revision=in_review.revision,
    )
    assert s.status == Status.ADOPTED and s.answered_at is not None and s.decided_by == uma


def test_conclusion_without_any_review_refused(uma, in_review):
    refused(
        "not_enough_reviews",
        ra.conclude,
        in_review,
        actor=uma,
        suggestion=in_review,
        decision=Decision.ADOPT,
        reason="",
        expected_revision=1,
    )


@pytest.mark.parametrize("decision", [Decision.SHELVE, Decision.REJECT])
def test_conclusion_without_reason_refused(uma, in_review, pete, alice, decision):
    give(in_review, pete, rec=decision)
    refused(
        "required",
        ra.conclude,
        in_review,
        actor=uma,
        suggestion=in_review,
        decision=decision,
        reason=" ",
        expected_revision=2,
    )
    s = ra.conclude(
        actor=uma, suggestion=in_review, decision=decision, reason="成本过高", expected_revision=2
    )
    assert s.status == {Decision.SHELVE: Status.SHELVED, Decision.REJECT: Status.REJECTED}[decision]
    event = SuggestionEvent.objects.filter(suggestion=s, public=True).last()
    assert event.note == "成本过高"
    assert Notification.objects.filter(person=alice, body="成本过高").exists()


def test_conclusion_stale_and_of_another_mine(uma, in_review, pete, tree):
    give(in_review, pete)
    refused(
        "stale",
        ra.conclude,
        in_review,
        actor=uma,
        suggestion=in_review,
        decision=Decision.ADOPT,
        reason="",
        expected_revision=1,  # opened before the review
    )
    other = _person("B800", "鲍玛", tree["MB"])
    RoleAssignment.objects.create(person=other, unit=tree["MB"], role=Role.LEADING_GROUP)
    before = snapshot(in_review)
    with pytest.raises(AccessDenied):
        ra.conclude(actor=other, suggestion=in_review, decision="adopt", reason="", expected_revision=2)
    assert snapshot(in_review) == before


def test_shelve_then_reopen_keeps_first_answer(uma, in_review, pete):
    give(in_review, pete)
    s = ra.conclude(
        actor=uma, suggestion=in_review, decision="shelve", reason="待条件成熟", expected_revision=2
    )
    first = s.answered_at
    s = ra.reopen(actor=uma, suggestion=s, expected_revision=s.revision)
    assert s.status == Status.IN_REVIEW
    s = ra.conclude(actor=uma, suggestion=s, decision="adopt", reason="", expected_revision=s.revision)
    assert s.status == Status.ADOPTED and s.answered_at == first
    refused("status", ra.reopen, s, actor=uma, suggestion=s, expected_revision=s.revision)


# ----------------------------------------------------------------------------------------------- duplicates


def test_mark_duplicate_credits_the_earlier_authors(uma, alice, amy, bob, tree):
    earlier = make_suggestion(amy, title="支架快速移架", submitted=timezone.now() - dt.timedelta(days=30))
    later = make_suggestion(alice, title="快速移架阀组")
    s = ra.mark_duplicate(actor=uma, suggestion=later, original=earlier, expected_revision=1)
    assert s.status == Status.REJECTED and s.duplicate_of == earlier and str(earlier.pk) in s.decision_reason
    assert s.answered_at is not None
    assert SuggestionEvent.objects.filter(suggestion=s, kind=EventKind.DUPLICATE, public=True).exists()
    assert SuggestionEvent.objects.filter(suggestion=earlier, public=True).exists()
    assert Notification.objects.filter(person=amy, key=f"suggestions.credited.{earlier.pk}.{s.pk}").exists()
    assert Notification.objects.filter(person=alice, key=f"suggestions.duplicate.{s.pk}").exists()


def test_mark_duplicate_refusals(uma, alice, amy, bob):
    later = make_suggestion(alice, submitted=timezone.now() - dt.timedelta(days=30))
    newer = make_suggestion(amy)
    other_mine = make_suggestion(bob, submitted=timezone.now() - dt.timedelta(days=60))
    refused(
        "original", ra.mark_duplicate, later, actor=uma, suggestion=later, original=newer, expected_revision=1
    )
    refused(
        "original", ra.mark_duplicate, later, actor=uma, suggestion=later, original=later, expected_revision=1
    )
    refused(
        "original",
        ra.mark_duplicate,
        later,
        actor=uma,
        suggestion=later,
        original=other_mine,
        expected_revision=1,
    )


def test_quorum_leaves_out_authors_on_the_panel(uma, alice, amy, panel, pete):
    panel.members.add(amy)  # three members, one of them a co-author: two may review, one review is enough
    s = make_suggestion(alice, coauthors=[amy], status=Status.IN_REVIEW, panel=panel)
    assert ra.reviews_needed(s) == (0, 2, 1)
    give(s, pete)
    s = ra.conclude(actor=uma, suggestion=s, decision="adopt", reason="", expected_revision=2)
    assert s.status == Status.ADOPTED


def test_accept_needs_a_panel_with_someone_who_may_review(uma, alice, tree):
    empty = ReviewPanel.objects.create(unit=tree["MA"], name="空组")
    s = make_suggestion(alice)
    refused("panel", ra.screen, s, actor=uma, suggestion=s, accept=True, panel=empty, expected_revision=1)
    empty.members.add(alice)  # only the author
    refused("panel", ra.screen, s, actor=uma, suggestion=s, accept=True, panel=empty, expected_revision=1)


def test_screener_is_told_when_enough_reviews_arrived(uma, alice, panel, pete, paula):
    s = ra.screen(actor=uma, suggestion=make_suggestion(alice), accept=True, panel=panel, expected_revision=1)
    give(s, pete)  # one of two: enough
    note = Notification.objects.get(person=uma, kind="suggestions.ready")
    assert note.url.endswith(f"/manage/{s.pk}/")
    give(s, paula)
    assert Notification.objects.filter(person=uma, kind="suggestions.ready").count() == 1
