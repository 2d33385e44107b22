"""A double submission at the same moment (two tabs, two app servers) applies once: the actions lock the
suggestion's row and check its status and revision. Run on PostgreSQL, where the two transactions really overlap
(SQLite serialises writers, so the test is skipped there)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.core.models import AuditEntry
from gongkai.suggestions import outcome_actions, review_actions
from gongkai.suggestions.choices import Status
from gongkai.suggestions.models import AwardBand, Review, Suggestion, SuggestionEvent
from gongkai.suggestions.tests.conftest import make_suggestion

from .races import skip_unless_postgres, together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    skip_unless_postgres()


def test_paying_twice_at_once_pays_once(uma, alice):
    AwardBand.objects.get_or_create(grade=4, defaults={"name": "四等奖", "min_saving": 10000, "award": 1000})
    s = make_suggestion(alice)
    Suggestion.objects.filter(pk=s.pk).update(
        status=Status.MEASURED, gross_saving=Decimal(20000), cost=Decimal(0), net_saving=Decimal(20000)
    )
    s = outcome_actions.grant_award(actor=uma, suggestion=s, expected_revision=1)
    before = AuditEntry.objects.count()
    today = timezone.localdate()
    results = together(
        2,
        lambda i: outcome_actions.mark_paid(
            actor=uma, suggestion=s, paid_on=today, expected_revision=s.revision
        ),
    )
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(refusals) == 1 and refusals[0].code in ("stale", "already_paid"), results
    assert AuditEntry.objects.count() == before + 1
    assert SuggestionEvent.objects.filter(suggestion=s, kind="paid").count() == 1


def test_one_review_per_reviewer_at_once(alice, panel, pete):
    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    results = together(
        2,
        lambda i: review_actions.review(
            actor=pete, suggestion=s, feasibility=5 + i, benefit=5, innovation=5, recommendation="adopt"
        ),
    )
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(refusals) == 1 and refusals[0].code == "already_reviewed", results
    assert Review.objects.filter(suggestion=s).count() == 1
    assert SuggestionEvent.objects.filter(suggestion=s, kind="reviewed").count() == 1
