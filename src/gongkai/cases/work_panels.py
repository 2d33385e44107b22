"""Home-page panels of the staff side of cases (collected by `panels.FACTORIES`): the handler's queue and the
union's / leading group's cases. One aggregate query each."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.choices import Role
from gongkai.core.home import Panel

from . import queries
from .actions import MANAGE_ROLES
from .choices import OPEN_STATUSES, CaseStatus


def queue_panel(request, scope):
    """Whoever has cases waiting for their reply (or holds the handler role): waiting, overdue, due soon."""
    today = timezone.localdate()
    counts = (
        queries.handler_queue(request.user)
        .order_by()
        .aggregate(
            waiting=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
            soon=Count(
                "pk",
                filter=Q(
                    due_date__gte=today,
                    due_date__lte=today + dt.timedelta(days=settings.GONGKAI_REMINDER_DAYS),
                ),
            ),
        )
    )
    if not counts["waiting"] and not scope.paths(Role.HANDLER):
        return None
    return Panel(title=_("Cases to handle"), template="cases/work/panel_queue.html", context=counts, order=30)


def managed_panel(request, scope):
    """The union and the leading group: cases to accept, open and overdue in their units."""
    if not scope.paths(*MANAGE_ROLES):
        return None
    today = timezone.localdate()
    counts = (
        queries.managed_cases(request.user, open_only=True)
        .order_by()
        .aggregate(
            to_accept=Count("pk", filter=Q(status=CaseStatus.REGISTERED)),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
        )
    )
    return Panel(
        title=_("Cases of my units"), template="cases/work/panel_managed.html", context=counts, order=31
    )


FACTORIES = [queue_panel, managed_panel]
