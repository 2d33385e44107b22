"""Ratings API: the rounds the caller may see, a round, its results once closed, and casting a ballot.

The same queries and actions as the pages, so the same rules: a round the caller may not see is a 404 (never a
hint that it exists); results are a 404 with code "not_closed" until the round is closed, and show no figure
before; a ballot goes through `ballot_actions.cast_ballot` (all checks before anything is written) and its
tracker is returned once, in the response, and stored nowhere tied to the caller.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongkai.core.access import AccessDenied, get_scope

from . import ballot_actions, result_queries
from .choices import levels_of
from .models import Round

router = Router(tags=["ratings"])


class Error(Schema):
    code: str
    detail: str


class RoundOut(Schema):
    id: int
    title: str
    kind: str
    scale: str
    levels: list[str] = Field(
        ..., description="the levels of the round's scale, best first; the last is negative"
    )
    year: int
    unit: str = Field(..., description="code of the round's unit")
    unit_name: str
    status: str
    status_label: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    results_published: bool = Field(..., description="true once the round is closed and its results public")

    @staticmethod
    def resolve_levels(obj: Round) -> list[str]:
        return list(levels_of(obj.scale))

    @staticmethod
    def resolve_unit(obj: Round) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj: Round) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_status_label(obj: Round) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_results_published(obj: Round) -> bool:
        return result_queries.results_public(obj)


class RoundDetailOut(RoundOut):
    talk_threshold: int
    recall_threshold: int
    electorate: int | None = Field(..., description="null until the round is closed")
    ballots_online: int | None = Field(..., description="null until the round is closed")
    ballots_paper: int | None = Field(..., description="paper sheets counted; null until the round is closed")
    tally_digest: str | None = Field(..., description="null until the round is closed")
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_electorate(obj: Round) -> int | None:
        return obj.electorate if result_queries.results_public(obj) else None

    @staticmethod
    def resolve_ballots_online(obj: Round) -> int | None:
        return obj.ballots_online if result_queries.results_public(obj) else None

    @staticmethod
    def resolve_ballots_paper(obj: Round) -> int | None:
        return obj.ballots_paper if result_queries.results_public(obj) else None

    @staticmethod
    def resolve_tally_digest(obj: Round) -> str | None:
        return obj.tally_digest if result_queries.results_public(obj) else None


class LevelOut(Schema):
    level: str
    label: str
    count: int
    pct: Decimal = Field(..., description="percentage of the ratings given (blanks excluded), one decimal")


class PersonResultOut(Schema):
    rated_id: int = Field(..., description="id of the person rated in this round")
    employee_no: str
    name: str
    constituency: str | None
    levels: list[LevelOut]
    blank: int
    total: int = Field(..., description="ratings given (blanks excluded)")
    negative_share: Decimal
    flag: str = Field(..., description='"", "talk" or "recall"')
    flag_label: str


class ExemptedOut(Schema):
    rated_id: int
    employee_no: str
    name: str
    constituency: str | None
    exemption: str
    exemption_label: str
    note: str


class ResultsOut(Schema):
    round: RoundDetailOut
    participation_pct: Decimal
    people: list[PersonResultOut]
    exempted: list[ExemptedOut]
    distribution: list[LevelOut] = Field(..., description="all ratings of the round by level")
    blank: int
    total: int
    flags: int


class BallotIn(Schema):
    choices: dict[str, str] = Field(
        ..., description="the id of each person on your list (rated_id) → a level of the round's scale"
    )


class BallotOut(Schema):
    tracker: str = Field(
        ..., description="your ballot tracker, shown once: write it down to check your ballot"
    )


def _not_found() -> dict:
    return {"code": "not_found", "detail": _("No such rating round, or you may not see it.")}


def _visible(request: HttpRequest):
    return result_queries.visible_rounds(get_scope(request.user)).select_related("unit")


def _cells(cells) -> list[dict]:
    return [{"level": c.level, "label": c.label, "count": c.count, "pct": c.pct} for c in cells]


def _results(data: result_queries.RoundResults) -> dict:
    return {
        "round": data.round,
        "participation_pct": data.participation_pct,
        "people": [
            {
                "rated_id": line.rated.pk,
                "employee_no": line.person.employee_no,
                "name": line.person.name,
                "constituency": line.rated.constituency.name if line.rated.constituency else None,
                "levels": _cells(line.cells),
                "blank": line.blank,
                "total": line.total,
                "negative_share": line.negative_share,
                "flag": line.flag,
                "flag_label": line.flag_label if line.flag else "",
            }
            for line in data.lines
        ],
        "exempted": [
            {
                "rated_id": r.pk,
                "employee_no": r.person.employee_no,
                "name": r.person.name,
                "constituency": r.constituency.name if r.constituency else None,
                "exemption": r.exemption,
                "exemption_label": str(r.get_exemption_display()),
                "note": r.exemption_note,
            }
            for r in data.exempted
        ],
        "distribution": _cells(data.distribution),
        "blank": data.blank,
        "total": data.total,
        "flags": data.flags,
    }


@router.get("/rounds", response=list[RoundOut])
@paginate(LimitOffsetPagination)
def rounds(request: HttpRequest, year: int | None = None, status: str = ""):
    """The rounds the caller may see (managers of the unit, its employees, the electors), newest first."""
    qs = _visible(request).order_by("-year", "-opens_at", "-pk")
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get("/rounds/{int:pk}", response={200: RoundDetailOut, 404: Error})
def round_detail(request: HttpRequest, pk: int):
    """A round; its figures (electorate, ballots, tally digest) are null until it is closed."""
    try:
        found = _visible(request).get(pk=pk)
    except Round.DoesNotExist:
        return Status(404, _not_found())
    return Status(200, found)


@router.get("/rounds/{int:pk}/results", response={200: ResultsOut, 404: Error})
def round_results(request: HttpRequest, pk: int):
    """The results of a closed round: a line per person rated, the exempted people, the distribution.
    Before the close: 404 with code "not_closed" and no figure."""
    try:
        found = _visible(request).get(pk=pk)
    except Round.DoesNotExist:
        return Status(404, _not_found())
    if not result_queries.results_public(found):
        return Status(
            404,
            {
                "code": "not_closed",
                "detail": _("The results are published when the round is closed (voting closes at %(time)s).")
                % {"time": found.closes_at.isoformat()},
            },
        )
    return Status(200, _results(result_queries.round_results(found)))


@router.post("/rounds/{int:pk}/ballot", response={201: BallotOut, 400: Error, 404: Error})
def cast_ballot(request: HttpRequest, response: HttpResponse, pk: int, payload: BallotIn):
    """Cast your ballot: a level for each person on your list. Final once cast; the tracker is returned once.
    A round the caller may not see is a 404, like one that does not exist."""
    # the answer carries the tracker (or the ratings just refused): kept by no cache
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    if not _visible(request).filter(pk=pk).exists():
        return Status(404, _not_found())
    try:
        tracker = ballot_actions.cast_ballot(actor=request.user, round_id=pk, choices=payload.choices)
    except ValidationError as exc:
        return Status(400, {"code": exc.code or "invalid", "detail": " ".join(exc.messages)})
    except AccessDenied:
        return Status(400, {"code": "forbidden", "detail": _("You may not vote here.")})
    return Status(201, {"tracker": tracker})
