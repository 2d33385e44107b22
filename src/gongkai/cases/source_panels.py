"""Home-page panel of the sources of cases (collected by `panels.FACTORIES`): reception days coming, inspections
under way, motions open for co-signing and motions awaiting the committee."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.choices import Role
from gongkai.core.home import Panel

from .actions import MANAGE_ROLES
from .choices import MotionDecision
from .models import Motion
from .source_views import inspections_for, motions_for, receptions_for


def sources_panel(request, scope):
    """The union, leading groups and representatives: what is coming and what waits for them."""
    manages = bool(scope.paths(*MANAGE_ROLES))
    represents = bool(scope.paths(Role.REPRESENTATIVE))
    if not manages and not represents:
        return None
    today = timezone.localdate()
    user = request.user
    context: dict[str, int | None] = {
        "receptions": None,
        "inspections": None,
        "signing": None,
        "to_decide": 0,
    }
    if manages:
        context["receptions"] = receptions_for(user).filter(date__gte=today).count()
        context["to_decide"] = Motion.objects.filter(
            scope.within("unit", *MANAGE_ROLES), decision=MotionDecision.PENDING, signing_deadline__lt=today
        ).count()
    context["inspections"] = inspections_for(user).filter(end_date__gte=today).count()
    if represents:
        context["signing"] = (
            motions_for(user).filter(decision=MotionDecision.PENDING, signing_deadline__gte=today).count()
        )
    return Panel(
        title=_("Receptions, inspections and motions"),
        template="cases/sources/panel.html",
        context=context,
        order=55,
    )


FACTORIES = [sources_panel]
