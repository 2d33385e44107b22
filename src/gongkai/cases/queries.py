"""Scoped reads of cases: every function takes the viewer and returns only what the viewer may see.

- the raiser: their own named cases (an anonymous raiser reads theirs through `receipts.case_by_receipt`);
- a handler: the cases of their departments and those they are named on;
- the union and the leading group: every case raised in their units.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q, QuerySet, Value, When
from django.utils import timezone

from gongkai.core.access import get_scope
from gongkai.core.choices import Role

from .actions import MANAGE_ROLES
from .choices import OPEN_STATUSES, REPLYABLE_STATUSES
from .models import Case, CaseEvent


def _base() -> QuerySet[Case]:
    return Case.objects.select_related("unit", "handling_unit", "handler")


def my_cases(viewer) -> QuerySet[Case]:
    """The cases the viewer raised under their name, newest first."""
    if not getattr(viewer, "is_authenticated", False):
        return Case.objects.none()
    return _base().filter(raiser_id=viewer.pk).order_by("-created_at", "-pk")


def _handling(viewer) -> Q:
    scope = get_scope(viewer)
    q = Q(handler_id=viewer.pk) | Q(co_handlers__id=viewer.pk)
    if scope.paths(Role.HANDLER):
        q |= scope.within("handling_unit", Role.HANDLER)
    return q


def handler_queue(viewer) -> QuerySet[Case]:
    """The cases waiting for the viewer's reply (named on them, or handler of their department): the most
    urgent first — overdue, then by due date, then by priority."""
    if not getattr(viewer, "is_authenticated", False):
        return Case.objects.none()
    ids = Case.objects.filter(_handling(viewer), status__in=REPLYABLE_STATUSES).values("pk")
    return _base().filter(pk__in=ids).order_by("due_date", "-priority", "pk")


def managed_cases(viewer, *, open_only: bool = False) -> QuerySet[Case]:
    """The cases raised in the units where the viewer is union or leading group: open and overdue first."""
    scope = get_scope(viewer)
    qs = _base().filter(scope.within("unit", *MANAGE_ROLES))
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    overdue = models.Case(
        When(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate(), then=Value(0)),
        When(status__in=OPEN_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=models.IntegerField(),
    )
    return qs.annotate(urgency=overdue).order_by("urgency", "-priority", "due_date", "pk")


def may_see(viewer, case: Case) -> bool:
    """The raiser, the people handling it, and the union or leading group of its unit see a case."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if case.raiser_id is not None and case.raiser_id == viewer.pk:
        return True
    scope = get_scope(viewer)
    if scope.has_any_role(MANAGE_ROLES, case.unit.path):
        return True
    return Case.objects.filter(_handling(viewer), pk=case.pk).exists()


def case_for(viewer, pk: int) -> Case:
    """The case with this id if the viewer may see it; `Case.DoesNotExist` otherwise (a 404, never a hint)."""
    case = _base().select_related("merged_into").get(pk=pk)
    if not may_see(viewer, case):
        raise Case.DoesNotExist
    return case


def timeline(case: Case, *, staff: bool = False) -> QuerySet[CaseEvent]:
    """The case's events in order; the raiser sees the public ones, the people handling it (`staff`) all."""
    qs = CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "pk")
    return qs if staff else qs.filter(public=True)
