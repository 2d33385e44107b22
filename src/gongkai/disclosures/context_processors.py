"""Template context for the navigation: which disclosure pages this person can use (no query: from the scope)."""

from gongkai.core.access import get_scope

from .board_queries import VIEW_ROLES as BOARD_VIEW_ROLES
from .compliance import DASHBOARD_ROLES
from .queries import DRAFT_ROLES


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = get_scope(user)
    return {
        "nav_disclosure_work": bool(scope.paths(*DRAFT_ROLES)),
        "nav_compliance": bool(scope.paths(*DASHBOARD_ROLES)),
        "nav_notice_boards": bool(scope.paths(*BOARD_VIEW_ROLES)),
    }
