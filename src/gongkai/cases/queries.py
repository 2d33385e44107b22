"""Scoped reads of cases: every function takes the viewer and returns only what the viewer may see.

- the raiser: their own named cases (an anonymous raiser reads theirs through `receipts.case_by_receipt`);
- a handler: the cases of their departments and those they are named on;
- the union and the leading group: every case raised in their units.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import F, Func, Q, QuerySet, Value, When
from django.utils import timezone

from gongkai.core.access import ROOT, get_scope
from gongkai.core.choices import Role
from gongkai.org.models import Unit

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
    urgent first — overdue, then by due date, then by priority.

    The candidates are the UNION of three lookups that each use an index (main handler, co-handler through the
    M2M table, handling department among the viewer's), never one OR read over every case."""
    if not getattr(viewer, "is_authenticated", False):
        return Case.objects.none()
    scope = get_scope(viewer)
    paths = scope.paths(Role.HANDLER)
    if ROOT in paths:  # handler of every department: every waiting case
        return _base().filter(status__in=REPLYABLE_STATUSES).order_by("due_date", "-priority", "pk")
    waiting = Case.objects.filter(status__in=REPLYABLE_STATUSES).order_by()
    parts = [
        waiting.filter(handler_id=viewer.pk).values("pk"),
        waiting.filter(co_handlers__id=viewer.pk).values("pk"),
    ]
    if paths:
        departments = Unit.objects.filter(scope.within("", Role.HANDLER)).values("pk")
        parts.append(waiting.filter(_among("handling_unit_id", departments)).values("pk"))
    ids = parts[0].union(*parts[1:])
    return _base().filter(_among("pk", ids)).order_by("due_date", "-priority", "pk")


def _among(field: str, ids: QuerySet):
    """A filter: `field` is one of the ids the subquery selects. On PostgreSQL written `= ANY(ARRAY(subquery))`,
    so that the few ids are fetched first and the rows then looked up through the index on `field` (with `IN`
    or a join the planner, which cannot tell how few they are, would rather read and hash the whole table)."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    from django.contrib.postgres.expressions import ArraySubquery

    return Func(
        F(field),
        ArraySubquery(ids),
        arg_joiner=" = ANY(",
        template="(%(expressions)s))",
        output_field=models.BooleanField(),
    )


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
