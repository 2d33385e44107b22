"""Template context for the navigation: which case pages this person can use (no query: from the scope)."""

from gongkai.core.access import get_scope
from gongkai.core.choices import Role

from .actions import MANAGE_ROLES


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = get_scope(user)
    return {
        "nav_case_queue": bool(scope.paths(Role.HANDLER)),
        "nav_case_manage": bool(scope.paths(*MANAGE_ROLES)),
        "nav_case_sources": bool(scope.paths(*MANAGE_ROLES, Role.REPRESENTATIVE)),
    }
