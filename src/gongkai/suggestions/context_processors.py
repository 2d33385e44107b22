"""Template context for the navigation: which suggestion pages this person can use (no query: from the scope)."""

from gongkai.core.access import get_scope

from .access import MANAGE_ROLES


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = get_scope(user)
    return {"nav_suggestions_manage": bool(scope.paths(*MANAGE_ROLES))}
