"""What the management pages of suggestions look up: the suggestions a person manages, those waiting for their
review, the overdue first answers, people by employee number, and the links to the other parts' pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse

from gongkai.core.access import get_scope
from gongkai.org.models import Person

from .access import MANAGE_ROLES
from .choices import AWAITING_ANSWER, Status
from .models import Suggestion


def managed(user) -> QuerySet[Suggestion]:
    """The submitted suggestions of the units where the person manages suggestions."""
    return Suggestion.objects.filter(get_scope(user).within("unit", *MANAGE_ROLES)).exclude(
        status=Status.DRAFT
    )


def overdue_q(today) -> Q:
    """Still waiting for the first answer after its due date (a reopened suggestion was answered already)."""
    return Q(status__in=AWAITING_ANSWER, answered_at__isnull=True, answer_due_on__lt=today)


def to_review(user) -> QuerySet[Suggestion]:
    """The suggestions in review by a panel the person sits on, not yet reviewed by them, not their own."""
    me = user.pk
    return (
        Suggestion.objects.filter(status=Status.IN_REVIEW, panel__members=me)
        .exclude(reviews__reviewer=me)
        .exclude(author=me)
        .exclude(coauthors__person=me)
        .select_related("unit")
        .order_by("answer_due_on", "pk")
    )


def active_people(numbers: list[str]) -> dict[str, Person]:
    """The active people with these employee numbers, by number (one query)."""
    if not numbers:
        return {}
    return {p.employee_no: p for p in Person.objects.filter(employee_no__in=numbers, is_active=True)}


def similar_url(suggestion: Suggestion) -> str:
    """The similar-suggestions fragment of a suggestion (for its reviewers and managers)."""
    return reverse("suggestions:similar_to", args=[suggestion.pk])


def detail_url(suggestion: Suggestion) -> str:
    return reverse("suggestions:detail", args=[suggestion.pk])
