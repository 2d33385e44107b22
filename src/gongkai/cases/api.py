"""Cases API: my cases, the handler's queue, a case with its public timeline, raising a case under one's name,
and the figures of the cases the caller oversees. The same queries and actions as the pages, so the same access
rules: what a caller may not see is a 404, never a hint that it exists.

Anonymous cases are not raised through the API (the receipt must be shown once, on a page, with advice to
write it down); the API never returns anything naming the raiser of an anonymous case.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongkai.core.access import get_scope
from gongkai.org.models import Person, Unit

from . import actions, queries
from .choices import OPEN_STATUSES, Priority, Satisfaction
from .models import Case, CaseEvent

router = Router(tags=["cases"])


class Error(Schema):
    code: str
    detail: str


class CaseOut(Schema):
    id: int
    title: str
    source: str
    status: str
    status_label: str
    priority: int
    unit: str
    handling_unit: str | None
    handler: str | None
    due_date: dt.date | None
    overdue: bool
    anonymous: bool
    created_at: dt.datetime
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    satisfaction: str

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_unit(obj: Case) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_handling_unit(obj: Case) -> str | None:
        return obj.handling_unit.name if obj.handling_unit is not None else None

    @staticmethod
    def resolve_handler(obj: Case) -> str | None:
        return obj.handler.name if obj.handler is not None else None

    @staticmethod
    def resolve_overdue(obj: Case) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_anonymous(obj: Case) -> bool:
        return obj.is_anonymous


class EventOut(Schema):
    kind: str
    label: str
    by: str | None = Field(..., description="null for the anonymous raiser and for the system")
    text: str
    at: dt.datetime


class CaseDetailOut(CaseOut):
    text: str
    merged_into: int | None
    timeline: list[EventOut] = Field(..., description="the public events, oldest first")

    @staticmethod
    def resolve_merged_into(obj: Case) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_timeline(obj: Case) -> list[dict]:
        return [_event(e) for e in queries.timeline(obj)]


class RaiseIn(Schema):
    title: str = Field(..., max_length=200)
    text: str = Field(..., max_length=20000)
    unit: str = Field("", description="code of the unit it concerns: your own unit (default) or an ancestor")


class FiguresOut(Schema):
    unit: str | None = Field(..., description="code of the unit (subtree) counted; null: all you oversee")
    total: int
    open: int
    overdue: int
    replied: int
    rated: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    satisfaction_rate: float | None = Field(
        ..., description="(satisfied + basically satisfied) / rated; null when nothing is rated"
    )
    average_days_to_reply: float | None = Field(..., description="calendar days from raising to reply")


def _event(e: CaseEvent) -> dict:
    return {
        "kind": e.kind,
        "label": str(e.get_kind_display()),
        "by": e.actor.name if e.actor is not None else None,
        "text": e.text,
        "at": e.at,
    }


def _not_found() -> dict:
    return {"code": "not_found", "detail": _("No such case, or you may not see it.")}


def _invalid(exc: ValidationError) -> dict:
    return {"code": exc.code or "invalid", "detail": " ".join(str(m) for m in exc.messages)}


@router.get("/mine", response=list[CaseOut])
@paginate(LimitOffsetPagination)
def mine(request: HttpRequest):
    """The cases the caller raised under their name, newest first."""
    return queries.my_cases(request.user)


@router.get("/queue", response=list[CaseOut])
@paginate(LimitOffsetPagination)
def queue(request: HttpRequest):
    """The cases waiting for the caller's reply, most urgent first (by due date, then priority)."""
    return queries.handler_queue(request.user)


@router.get("/figures", response={200: FiguresOut, 404: Error})
def figures(request: HttpRequest, unit: str = ""):
    """Figures of the cases raised in the units where the caller is union or leading group; `unit` (a code)
    narrows them to that unit's subtree. One SQL query whatever the number of cases."""
    qs = queries.managed_cases(request.user).order_by()
    if unit:
        found = Unit.objects.filter(code=unit[:50]).only("pk", "path", "code").first()
        if found is None or not get_scope(request.user).has_any_role(actions.MANAGE_ROLES, found.path):
            return Status(404, {"code": "not_found", "detail": _("No such unit, or you do not oversee it.")})
        qs = qs.filter(unit__path__startswith=found.path)
    today = timezone.localdate()
    rated = Q(satisfaction__gt="")
    row = qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        rated=Count("pk", filter=rated),
        satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically_satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
        dissatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
        to_reply=Avg(
            ExpressionWrapper(F("replied_at") - F("created_at"), output_field=DurationField()),
            filter=Q(replied_at__isnull=False),
        ),
    )
    to_reply = row.pop("to_reply")
    good = row["satisfied"] + row["basically_satisfied"]
    return Status(
        200,
        {
            **row,
            "unit": unit or None,
            "satisfaction_rate": round(good / row["rated"], 4) if row["rated"] else None,
            "average_days_to_reply": round(to_reply.total_seconds() / 86400, 2) if to_reply else None,
        },
    )


@router.get("/{int:pk}", response={200: CaseDetailOut, 404: Error})
def case(request: HttpRequest, pk: int):
    """A case the caller raised, handles or oversees, with its public timeline."""
    try:
        found = queries.case_for(request.user, pk)
    except Case.DoesNotExist:
        return Status(404, _not_found())
    return Status(200, found)


@router.post("/", response={201: CaseDetailOut, 400: Error})
def raise_case(request: HttpRequest, payload: RaiseIn):
    """Raise a case under one's name, in one's own unit (default) or an ancestor. Anonymous cases are raised
    on the page, which shows the receipt once."""
    person = cast(Person, request.user)  # django_auth: a signed-in person
    if payload.unit:
        unit = Unit.objects.filter(code=payload.unit[:50]).first()
        if unit is None:
            return Status(400, {"code": "unit", "detail": _("There is no unit with this code.")})
    else:
        unit = getattr(person, "unit", None)
        if unit is None:
            return Status(
                400, {"code": "unit", "detail": _("You belong to no unit; say which unit the case concerns.")}
            )
    try:
        raised = actions.raise_case(
            actor=person, unit=unit, title=payload.title, text=payload.text, priority=Priority.NORMAL
        )
    except ValidationError as exc:
        return Status(400, _invalid(exc))
    return Status(201, queries.case_for(person, raised.case.pk))
