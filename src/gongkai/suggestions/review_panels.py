"""Home-page panels of the management side of suggestions (collected by `panels.FACTORIES`): for the union and
the leading group, the suggestions of their units waiting for screening or for the panel's conclusion with the
overdue first answers; for panel members, the suggestions waiting for their review. One aggregate query each."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.home import Panel

from .access import MANAGE_ROLES
from .choices import AWAITING_ANSWER, Status
from .models import Suggestion
from .review_queries import to_review


def managed_panel(request, scope):
    """Managers: to screen, to conclude (in review), overdue first answers."""
    if not scope.paths(*MANAGE_ROLES):
        return None
    today = timezone.localdate()
    counts = (
        Suggestion.objects.filter(scope.within("unit", *MANAGE_ROLES), status__in=AWAITING_ANSWER)
        .order_by()
        .aggregate(
            to_screen=Count("pk", filter=Q(status=Status.SUBMITTED)),
            to_conclude=Count("pk", filter=Q(status=Status.IN_REVIEW)),
            overdue=Count("pk", filter=Q(answer_due_on__lt=today, answered_at__isnull=True)),
        )
    )
    return Panel(
        title=_("Suggestions of my units"),
        template="suggestions/review/panel_managed.html",
        context=counts,
        order=40,
    )


def review_panel(request, scope):
    """Panel members: the suggestions waiting for my review (none: no panel)."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    counts = to_review(user).order_by().aggregate(waiting=Count("pk", distinct=True))
    if not counts["waiting"]:
        return None
    return Panel(
        title=_("Suggestions to review"),
        template="suggestions/review/panel_review.html",
        context=counts,
        order=41,
    )


FACTORIES = [managed_panel, review_panel]
