"""Home-page panels of the disclosure capability: this module's own (the board, the work list) and those of the
other modules of the app (`catalog_panels`, `topic_panels`), collected in `FACTORIES` when they exist."""

from __future__ import annotations

import importlib
import importlib.util

from django.utils.translation import gettext_lazy as _

from gongkai.core.choices import Role
from gongkai.core.home import Panel

from . import queries


def board_panel(request, scope):
    """Everyone placed in a unit: how many disclosures on their board they have not read yet."""
    if not scope.home_paths:
        return None
    unread = queries.unread_count(request.user)
    return Panel(
        title=_("Disclosure board"),
        template="disclosures/panels/board.html",
        context={"unread": unread},
        order=12,
    )


def work_panel(request, scope):
    """Officers and the leading group: drafts to finish and drafts to review."""
    if not any(g.role in (Role.DISCLOSURE_OFFICER, Role.LEADING_GROUP) for g in scope.grants):
        return None
    lists = queries.work_list(request.user)
    return Panel(
        title=_("Disclosure work"),
        template="disclosures/panels/work.html",
        context={
            "drafts": lists["drafts"].count(),
            "to_review": lists["to_review"].count(),
            "officer": any(g.role == Role.DISCLOSURE_OFFICER for g in scope.grants),
        },
        order=25,
    )


def _others() -> list:
    found = []
    for name in ("catalog_panels", "topic_panels"):
        module_name = f"{__package__}.{name}"
        if importlib.util.find_spec(module_name) is not None:
            found += list(getattr(importlib.import_module(module_name), "FACTORIES", []))
    return found


FACTORIES: list = [board_panel, work_panel, *_others()]
