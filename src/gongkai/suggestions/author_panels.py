"""Home-page panel of an employee as suggestion author: the suggestions in progress and the co-author invitations
waiting for an answer (collected by `panels.FACTORIES`). Two queries, whatever the rows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongkai.core.home import Panel

from . import author_queries as queries
from .choices import AWAITING_ANSWER

SHOWN = 5


def my_suggestions_panel(request, scope):
    """Everyone placed in a unit (an employee can make suggestions)."""
    if not scope.home_paths:
        return None
    user = request.user
    in_progress = list(queries.my_suggestions(user).exclude(status__in=queries.FINISHED_STATUSES)[:SHOWN])
    invitations = list(queries.invitations(user)[:SHOWN])
    context = {"in_progress": in_progress, "invitations": invitations, "awaiting": list(AWAITING_ANSWER)}
    return Panel(
        title=_("My suggestions"), template="suggestions/author/panels/mine.html", context=context, order=16
    )


FACTORIES = [my_suggestions_panel]
