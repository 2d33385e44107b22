"""Organisation API: scoped lists of units and people, and the caller's own profile."""

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from gongkai.core.access import get_scope

from . import queries

router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    path: str
    depth: int
    active: bool


class PersonOut(Schema):
    id: int
    employee_no: str
    name: str
    unit_id: int | None
    posts: str
    is_active: bool


class MeOut(Schema):
    id: int
    employee_no: str
    name: str
    unit_id: int | None
    roles: list[str]


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    user = request.user
    return {
        "id": user.pk,
        "employee_no": user.employee_no,
        "name": user.name,
        "unit_id": user.unit_id,
        "roles": sorted(get_scope(user).roles()),
    }


@router.get("/units", response=list[UnitOut])
@paginate(LimitOffsetPagination)
def list_units(request: HttpRequest):
    """Units the caller may see: subtrees where they hold a role, their own unit and its ancestors."""
    return queries.visible_units(request.user)


@router.get("/people", response=list[PersonOut])
@paginate(LimitOffsetPagination)
def list_people(request: HttpRequest, unit: int | None = None, q: str = ""):
    """People the caller may list (admins, union, leading group, discipline, auditors of the units)."""
    scope_unit = queries.unit_for(request.user, unit) if unit else None
    if unit and scope_unit is None:
        return queries.people(request.user).none()
    return queries.people(request.user, unit=scope_unit, q=q)
