"""Access scopes: the one place that answers "may this person see / do this here".

A scope is built from the person's role grants (role, unit path) and the paths of their own unit and its
ancestors. Units form a materialized-path tree, so "unit X is in the subtree of unit Y" is
``X.path.startswith(Y.path)`` and every check below is a string comparison or one SQL predicate — no walking
of the tree in Python. Roles on a unit reach its whole subtree. An employee sees what is published to their
own unit and its ancestors.

`core` knows nothing about the org app: the org app registers the loader that builds a scope for a user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from .choices import Role

ROOT = ""  # the path prefix that matches every unit (superusers)


@dataclass(frozen=True)
class Grant:
    role: str
    path: str


@dataclass
class Scope:
    person_id: int | None
    home_paths: tuple[str, ...] = ()  # own unit and its ancestors, root first
    grants: tuple[Grant, ...] = ()
    is_superuser: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def home_path(self) -> str | None:
        return self.home_paths[-1] if self.home_paths else None

    def paths(self, *roles: str) -> list[str]:
        """The minimal set of unit paths on which the person holds any of `roles` (admins: everything)."""
        key = ("paths", roles)
        if key not in self._cache:
            if self.is_superuser or any(g.role == Role.ADMIN for g in self.grants if g.path == ROOT):
                found = [ROOT]
            else:
                wanted = set(roles) | {Role.ADMIN}
                found = sorted({g.path for g in self.grants if g.role in wanted})
                # drop paths already covered by a shorter prefix
                minimal: list[str] = []
                for p in found:
                    if not any(p.startswith(m) for m in minimal):
                        minimal.append(p)
                found = minimal
            self._cache[key] = found
        return self._cache[key]

    def has_role(self, role: str, unit_path: str) -> bool:
        """True if the person holds `role` (or admin) on the unit or one of its ancestors."""
        return any(unit_path.startswith(p) for p in self.paths(role))

    def has_any_role(self, roles: Iterable[str], unit_path: str) -> bool:
        return any(unit_path.startswith(p) for p in self.paths(*roles))

    def roles(self) -> set[str]:
        names = {g.role for g in self.grants}
        if self.person_id is not None:
            names.add(Role.EMPLOYEE)
        if self.is_superuser:
            names.add(Role.ADMIN)
        return names

    def within(self, unit_field: str, *roles: str) -> Q:
        """A filter for rows whose unit lies in a subtree where the person holds one of `roles`.

        `unit_field` is the lookup to the unit from the filtered model ("unit", "person__unit"); use ""
        when filtering units themselves.
        """
        lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
        paths = self.paths(*roles)
        if not paths:
            return Q(pk__in=[])
        if ROOT in paths:
            return Q()
        q = Q()
        for p in paths:
            q |= Q(**{lookup: p})
        return q

    def published_to_me(self, unit_field: str) -> Q:
        """A filter for rows published to the person's own unit or one of its ancestors."""
        lookup = f"{unit_field}__path__in" if unit_field else "path__in"
        if not self.home_paths:
            return Q(pk__in=[])
        return Q(**{lookup: list(self.home_paths)})

    def can_see_unit(self, unit_path: str, *roles: str) -> bool:
        return unit_path in self.home_paths or self.has_any_role(roles or tuple(Role), unit_path)


ANONYMOUS = Scope(person_id=None)

_loader: Callable[[object], Scope] | None = None


def register_loader(loader: Callable[[object], Scope]) -> None:
    global _loader
    _loader = loader


def get_scope(user) -> Scope:
    """The scope of a user, computed once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_gongkai_scope", None)
    if cached is not None:
        return cached
    if _loader is None:  # pragma: no cover - the org app always registers one
        raise RuntimeError("no scope loader registered")
    scope = _loader(user)
    user._gongkai_scope = scope
    return scope


def forget(user) -> None:
    """Drop a cached scope after the user's roles changed."""
    if hasattr(user, "_gongkai_scope"):
        del user._gongkai_scope


class AccessDenied(Exception):
    """Raised by actions when the actor lacks the role the action needs."""


def require(user, role: str | Iterable[str], unit_path: str) -> Scope:
    scope = get_scope(user)
    roles = (role,) if isinstance(role, str) else tuple(role)
    if not scope.has_any_role(roles, unit_path):
        raise AccessDenied(role)
    return scope
