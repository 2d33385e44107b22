"""Who sees which suggestion, and the author's lists (each a fixed number of queries whatever the rows).

- Authors — the lead author and the co-authors who confirmed — see their suggestions, drafts included; an invited
  co-author sees the draft to decide on the invitation.
- The union and the leading group (access.MANAGE_ROLES on the suggestion's unit or a unit above it) see the
  submitted suggestions of their units; panel members see the submitted suggestions given to their panel.
Everyone else gets a 404.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from gongkai.core.access import get_scope

from .access import MANAGE_ROLES
from .choices import AWAITING_ANSWER, Consent, Status
from .models import Coauthor, ReviewPanel, Suggestion

# no further step is expected from anyone (the home panel leaves them out)
FINISHED_STATUSES = (Status.NOT_ACCEPTED, Status.SHELVED, Status.REJECTED, Status.PAID, Status.ARCHIVED)


def _coauthor_of(person, *consents: str) -> Q:
    return Q(
        pk__in=Coauthor.objects.filter(person_id=person.pk, consent__in=consents).values("suggestion_id")
    )


def authored_by(person) -> QuerySet[Suggestion]:
    """The suggestions of which the person is the lead author or a confirmed co-author."""
    if person is None or not getattr(person, "is_authenticated", False):
        return Suggestion.objects.none()
    return Suggestion.objects.filter(Q(author_id=person.pk) | _coauthor_of(person, Consent.CONFIRMED))


def visible_to(person) -> QuerySet[Suggestion]:
    """Every suggestion the person may open (see the module's docstring)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return Suggestion.objects.none()
    scope = get_scope(person)
    panels = ReviewPanel.members.through.objects.filter(person_id=person.pk).values("reviewpanel_id")
    staff = ~Q(status=Status.DRAFT) & (scope.within("unit", *MANAGE_ROLES) | Q(panel_id__in=panels))
    return Suggestion.objects.filter(
        Q(author_id=person.pk) | _coauthor_of(person, Consent.CONFIRMED, Consent.INVITED) | staff
    )


def my_suggestions(person) -> QuerySet[Suggestion]:
    """The `mine` list: newest first, drafts (no submission date) at the top."""
    return (
        authored_by(person)
        .select_related("unit", "author", "drive")
        .order_by(F("submitted_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def invitations(person) -> QuerySet[Coauthor]:
    """Co-author invitations waiting for the person's answer (on drafts only)."""
    return (
        Coauthor.objects.filter(person_id=person.pk, consent=Consent.INVITED, suggestion__status=Status.DRAFT)
        .select_related("suggestion", "suggestion__author")
        .order_by("-suggestion__created_at", "-pk")
    )


def is_overdue(suggestion: Suggestion, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        suggestion.status in AWAITING_ANSWER
        and suggestion.answer_due_on is not None
        and suggestion.answer_due_on < today
    )
