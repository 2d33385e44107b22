"""Home-page panels of topic requests and the physical boards register (collected by `panels.FACTORIES`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongkai.core.choices import Role
from gongkai.core.home import Panel

from . import board_queries, topic_queries


def topics_panel(request, scope):
    """Everyone placed in a unit: the requests that concern them; those who answer: what awaits an answer."""
    if not scope.home_paths and not scope.paths(Role.DISCLOSURE_OFFICER, Role.LEADING_GROUP):
        return None
    context = {"counts": topic_queries.state_counts(request.user)}
    if any(g.role in (Role.DISCLOSURE_OFFICER, Role.LEADING_GROUP) for g in scope.grants):
        context["awaiting"] = topic_queries.awaiting_answer(request.user)
    return Panel(
        title=_("Topic requests"), template="disclosures/topics/panel.html", context=context, order=45
    )


def boards_panel(request, scope):
    """Union, leading groups and disclosure officers: the physical boards and those not updated lately."""
    if not scope.paths(*board_queries.VIEW_ROLES):
        return None
    return Panel(
        title=_("Notice boards"),
        template="disclosures/boards/panel.html",
        context={"counts": board_queries.level_counts(request.user), "days": board_queries.STALE_DAYS},
        order=70,
    )


FACTORIES = [topics_panel, boards_panel]
