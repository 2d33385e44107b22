"""Suggestions API: my suggestions, one suggestion with its public timeline, the figures of a unit the caller
oversees, the drives the caller can see, and creating a draft. The same queries and actions as the pages, so the
same access rules: what a caller may not see is a 404, never a hint that it exists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongkai.org.models import Person, Unit

from . import author_actions, stats
from . import author_queries as queries
from .choices import Category
from .choices import Status as SuggestionStatus
from .drive_views import visible_drives
from .models import Drive, Suggestion, SuggestionEvent

router = Router(tags=["suggestions"])


class Error(Schema):
    code: str
    detail: str


class SuggestionOut(Schema):
    id: int
    title: str
    category: str
    category_label: str
    status: str
    status_label: str
    unit: str
    author: str
    drive: int | None
    is_major: bool
    submitted_at: dt.datetime | None
    answer_due_on: dt.date | None
    overdue: bool = Field(..., description="the first answer is due and not given yet")

    @staticmethod
    def resolve_category_label(obj: Suggestion) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_status_label(obj: Suggestion) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_unit(obj: Suggestion) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_author(obj: Suggestion) -> str:
        return obj.author.name

    @staticmethod
    def resolve_drive(obj: Suggestion) -> int | None:
        return obj.drive_id

    @staticmethod
    def resolve_overdue(obj: Suggestion) -> bool:
        return queries.is_overdue(obj)


class EventOut(Schema):
    kind: str
    label: str
    by: str | None
    note: str
    at: dt.datetime


class SuggestionDetailOut(SuggestionOut):
    problem: str
    proposal: str
    expected_benefit: str
    expected_saving: Decimal | None
    coauthors: list[str] = Field(..., description="names of the confirmed co-authors")
    decision: str
    decision_reason: str
    duplicate_of: int | None
    implemented_on: dt.date | None
    net_saving: Decimal | None
    award_amount: Decimal | None
    paid_on: dt.date | None
    timeline: list[EventOut] = Field(..., description="the public steps, oldest first")

    @staticmethod
    def resolve_coauthors(obj: Suggestion) -> list[str]:
        return [c.person.name for c in obj.coauthors.all() if c.consent == "confirmed"]

    @staticmethod
    def resolve_duplicate_of(obj: Suggestion) -> int | None:
        return obj.duplicate_of_id

    @staticmethod
    def resolve_timeline(obj: Suggestion) -> list[dict]:
        return [_event(e) for e in obj.events.all()]


class FiguresOut(Schema):
    submitted: int
    screened: int
    decided: int
    adopted: int
    adoption_rate: float | None = Field(..., description="adopted in percent of the decided")
    measured: int
    net_saving: Decimal
    awards: int
    awarded: Decimal
    paid_count: int
    paid: Decimal
    overdue: int = Field(..., description="first answers overdue today")


class LineOut(Schema):
    key: str = Field(..., description="unit code, category or stage")
    label: str
    figures: FiguresOut


class ContributorOut(Schema):
    employee_no: str
    name: str
    unit: str | None
    suggestions: int
    as_lead: int
    adopted: int


class StatsOut(Schema):
    unit: str = Field(..., description="code of the unit (subtree) counted")
    year: int
    total: FiguresOut
    participants: int = Field(..., description="distinct lead authors and confirmed co-authors")
    units: list[LineOut]
    categories: list[LineOut]
    stages: list[LineOut]
    contributors: list[ContributorOut]


class DriveOut(Schema):
    id: int
    title: str
    unit: str
    starts_on: dt.date
    ends_on: dt.date
    categories: list[str]
    target: int | None
    suggestions: int = Field(..., description="suggestions filed under the drive (drafts left out)")
    running: bool

    @staticmethod
    def resolve_unit(obj: Drive) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_suggestions(obj: Drive) -> int:
        return obj.n  # type: ignore[attr-defined]

    @staticmethod
    def resolve_running(obj: Drive) -> bool:
        return obj.starts_on <= timezone.localdate() <= obj.ends_on


class DraftIn(Schema):
    category: str = Field(..., description="one of: " + ", ".join(Category.values))
    title: str = Field(..., max_length=200)
    problem: str = Field(..., max_length=10000)
    proposal: str = Field(..., max_length=10000)
    expected_benefit: str = Field("", max_length=10000)
    expected_saving: Decimal | None = None
    is_major: bool = False
    drive: int | None = Field(None, description="id of a drive running in your unit or a unit above it")


def _event(e: SuggestionEvent) -> dict:
    return {
        "kind": e.kind,
        "label": str(e.get_kind_display()),
        "by": e.actor.name if e.actor is not None else None,
        "note": e.note,
        "at": e.at,
    }


def _not_found() -> dict:
    return {"code": "not_found", "detail": _("No such suggestion, or you may not see it.")}


def _detail(person, pk: int) -> Suggestion | None:
    return (
        queries.visible_to(person)
        .select_related("unit", "author")
        .prefetch_related(
            "coauthors__person",
            Prefetch(
                "events",
                queryset=SuggestionEvent.objects.filter(public=True)
                .select_related("actor")
                .order_by("at", "pk"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


@router.get("/mine", response=list[SuggestionOut])
@paginate(LimitOffsetPagination)
def mine(request: HttpRequest):
    """The caller's suggestions as lead author or confirmed co-author; drafts first, then the newest."""
    return queries.my_suggestions(request.user)


@router.get("/stats", response={200: StatsOut, 404: Error})
def figures(request: HttpRequest, unit: str = "", year: int | None = None):
    """The figures of a unit the caller oversees as union or leading group (`unit`: its code; default: the
    caller's highest such unit) in a year (default: this one). The same figures as the statistics page."""
    tops = stats.top_units(request.user)
    if unit:
        found = Unit.objects.filter(code=unit[:50]).first()
        if found is None or not stats.can_view(request.user, found):
            return Status(404, {"code": "not_found", "detail": _("No such unit, or you do not oversee it.")})
    elif tops:
        found = tops[0]
    else:
        return Status(404, {"code": "not_found", "detail": _("You oversee no unit's suggestions.")})
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= today.year + 1:
        return Status(404, {"code": "not_found", "detail": _("No figures for this year.")})
    start, end = stats.year_bounds(year)
    data = stats.figures(found, start=start, end=end, today=today)

    def lines(items: list[stats.Line], *, units: bool = False) -> list[dict]:
        return [
            {
                "key": line.unit.code if units and line.unit else line.key,
                "label": line.label,
                "figures": line.figures.as_dict(),
            }
            for line in items
        ]

    return Status(
        200,
        {
            "unit": found.code,
            "year": year,
            "total": data.total.as_dict(),
            "participants": data.participants,
            "units": lines(data.units, units=True),
            "categories": lines(data.categories),
            "stages": lines(data.stages),
            "contributors": [
                {
                    "employee_no": c.person.employee_no,
                    "name": c.person.name,
                    "unit": c.person.unit.name if c.person.unit else None,
                    "suggestions": c.suggestions,
                    "as_lead": c.as_lead,
                    "adopted": c.adopted,
                }
                for c in data.contributors
            ],
        },
    )


@router.get("/drives", response=list[DriveOut])
@paginate(LimitOffsetPagination)
def drives(request: HttpRequest):
    """The drives of the caller's unit and the units above it, and of the units the caller manages; newest
    first, each with the number of suggestions filed under it."""
    return (
        visible_drives(request.user)
        .select_related("unit")
        .annotate(n=Count("suggestions", filter=~Q(suggestions__status=SuggestionStatus.DRAFT)))
        .order_by("-starts_on", "pk")
    )


@router.get("/{int:pk}", response={200: SuggestionDetailOut, 404: Error})
def suggestion(request: HttpRequest, pk: int):
    """A suggestion the caller wrote, co-wrote, oversees or reviews on a panel, with its public timeline."""
    found = _detail(request.user, pk)
    if found is None:
        return Status(404, _not_found())
    return Status(200, found)


@router.post("/", response={201: SuggestionDetailOut, 400: Error})
def create_draft(request: HttpRequest, payload: DraftIn):
    """Create a draft as lead author, in the caller's own unit. Co-authors, files and submission are done on the
    draft's page."""
    person = cast(Person, request.user)
    drive = None
    if payload.drive is not None:
        drive = visible_drives(person).filter(pk=payload.drive).first()  # another unit's drive: not named
        if drive is None:
            return Status(400, {"code": "drive", "detail": _("There is no such drive.")})
    try:
        draft = author_actions.create_draft(
            actor=person,
            category=payload.category,
            title=payload.title,
            problem=payload.problem,
            proposal=payload.proposal,
            expected_benefit=payload.expected_benefit,
            expected_saving=payload.expected_saving,
            is_major=payload.is_major,
            drive=drive,
        )
    except ValidationError as exc:
        return Status(400, {"code": exc.code or "invalid", "detail": " ".join(str(m) for m in exc.messages)})
    return Status(201, _detail(person, draft.pk))
