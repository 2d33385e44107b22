"""Home-page panel of the raiser: their cases being handled and the replies waiting for their rating
(collected by `panels.FACTORIES`)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gongkai.core.home import Panel

from .choices import OPEN_STATUSES, CaseStatus
from .models import Case


def my_cases_panel(request, scope):
    """Everyone placed in a unit: how many of their named cases are open, and how many replies to rate."""
    if not scope.home_paths:
        return None
    figures = Case.objects.filter(raiser_id=request.user.pk).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        waiting=Count("pk", filter=Q(status=CaseStatus.REPLIED)),
    )
    return Panel(title=_("My cases"), template="cases/raiser/panels/mine.html", context=figures, order=14)


FACTORIES = [my_cases_panel]
