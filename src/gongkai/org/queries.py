"""Scoped reads of the organisation. Every function takes the viewer and returns only what they may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from gongkai.core.access import ROOT, Grant, Scope, get_scope
from gongkai.core.choices import Role
from gongkai.core.text import search_key

from .models import Constituency, Person, RoleAssignment, Unit

# Roles that let a person see the people of a unit's subtree.
PEOPLE_ROLES = (Role.ADMIN, Role.UNION, Role.LEADING_GROUP, Role.DISCIPLINE, Role.INTERNAL_AUDITOR)


def load_scope(user) -> Scope:
    """Build the scope of a user: two small queries (own unit path, role grants)."""
    home: tuple[str, ...] = ()
    if user.unit_id:
        unit_path = Unit.objects.filter(pk=user.unit_id).values_list("path", flat=True).first()
        if unit_path:
            step = Unit.steplen
            home = tuple(unit_path[:i] for i in range(step, len(unit_path) + 1, step))
    grants = tuple(
        Grant(role, path)
        for role, path in RoleAssignment.objects.filter(person_id=user.pk, unit__active=True).values_list(
            "role", "unit__path"
        )
    )
    if user.is_superuser:
        grants += (Grant(Role.ADMIN, ROOT),)
    return Scope(person_id=user.pk, home_paths=home, grants=grants, is_superuser=user.is_superuser)


def visible_units(viewer, *roles: str) -> QuerySet[Unit]:
    """Units the viewer may see: the subtrees where they hold a role, plus their own unit and its ancestors."""
    scope = get_scope(viewer)
    return Unit.objects.filter(
        scope.within("", *(roles or tuple(Role))) | scope.published_to_me("")
    ).order_by("path")


def managed_units(viewer, *roles: str) -> QuerySet[Unit]:
    """Units in the subtrees where the viewer holds one of `roles` (admin by default)."""
    scope = get_scope(viewer)
    return Unit.objects.filter(scope.within("", *(roles or (Role.ADMIN,)))).order_by("path")


def subtree(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path)


def people(
    viewer, *, unit: Unit | None = None, q: str = "", include_inactive: bool = False
) -> QuerySet[Person]:
    """People the viewer may list, optionally limited to a unit's subtree and a search text.

    Ordered by unit, then employee number, so that a page of one subtree is read from the unit path index
    rather than by walking every employee number of the group.
    """
    scope = get_scope(viewer)
    qs = Person.objects.select_related("unit", "constituency")
    if unit is not None and scope.has_any_role(PEOPLE_ROLES, unit.path):
        qs = qs.filter(unit__path__startswith=unit.path)  # the whole subtree is in scope: one predicate
    else:
        qs = qs.filter(scope.within("unit", *PEOPLE_ROLES))
        if unit is not None:
            qs = qs.filter(unit__path__startswith=unit.path)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(search_text__contains=search_key(q))
    if unit is None and ROOT in scope.paths(*PEOPLE_ROLES):
        return qs.order_by("employee_no")
    return qs.order_by("unit__path", "employee_no")


def person(viewer, pk: int) -> Person | None:
    """One person, if the viewer may see them (themselves always)."""
    if viewer.pk == pk:
        return Person.objects.select_related("unit", "constituency").get(pk=pk)
    return people(viewer, include_inactive=True).filter(pk=pk).first()


def unit_for(viewer, pk: int, *roles: str) -> Unit | None:
    return visible_units(viewer, *roles).filter(pk=pk).first()


def children_with_counts(viewer, unit: Unit | None) -> QuerySet[Unit]:
    """The visible children of a unit (or the visible roots) with their active head counts."""
    base = visible_units(viewer)
    if unit is None:
        scope = get_scope(viewer)
        tops = scope.paths(*tuple(Role)) or list(scope.home_paths[:1])
        if ROOT in tops:
            qs = base.filter(depth=1)
        else:
            qs = base.filter(path__in=tops)
    else:
        qs = base.filter(path__startswith=unit.path, depth=unit.depth + 1)
    return qs.annotate(head_count=Count("people", filter=Q(people__is_active=True)))


def roles_of(person: Person) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(person=person).select_related("unit").order_by("unit__path", "role")


def constituencies(viewer, *, unit: Unit | None = None) -> QuerySet[Constituency]:
    scope = get_scope(viewer)
    mine = Constituency.objects.filter(Q(members=viewer) | Q(representatives=viewer)).values("pk")
    qs = Constituency.objects.filter(
        scope.within("unit", *PEOPLE_ROLES, Role.REPRESENTATIVE) | Q(pk__in=mine)
    )
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return (
        qs.select_related("unit")
        .annotate(
            member_count=Count("members", distinct=True), rep_count=Count("representatives", distinct=True)
        )
        .order_by("unit__path", "code")
    )
