"""Template context for the navigation: which organisation pages this person can use."""

from gongkai.core.access import get_scope
from gongkai.core.choices import Role

from .queries import PEOPLE_ROLES


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = get_scope(user)
    return {
        "nav_people": bool(scope.paths(*PEOPLE_ROLES)),
        "nav_import": bool(scope.paths(Role.ADMIN)),
    }
