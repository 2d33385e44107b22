"""A double click on "submit" at the same moment (two tabs, two app servers) submits once: `submit` locks the
suggestion's row and checks its status. Run on PostgreSQL, where the transactions really overlap (SQLite serialises
writers, so the test is skipped there)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongkai.core.models import AuditEntry
from gongkai.suggestions import author_actions as actions
from gongkai.suggestions.choices import Category, EventKind, Status
from gongkai.suggestions.models import Suggestion, SuggestionEvent

from .races import skip_unless_postgres, together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    skip_unless_postgres()


def _draft(alice):
    return actions.create_draft(
        actor=alice,
        category=Category.TECHNICAL,
        title="快速移架改进",
        problem="移架慢。",
        proposal="加装阀组。",
    )


def test_a_double_click_submits_once(tree, alice):
    s = _draft(alice)
    before = AuditEntry.objects.count()
    results = together(3, lambda i: actions.submit(actor=alice, suggestion=s, expected_revision=s.revision))
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(refusals) == 2 and {r.code for r in refusals} == {"submitted"}, results
    assert SuggestionEvent.objects.filter(suggestion=s, kind=EventKind.SUBMITTED).count() == 1
    assert AuditEntry.objects.count() == before + 1
    assert Suggestion.objects.get().status == Status.SUBMITTED
