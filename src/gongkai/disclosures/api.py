"""Disclosures API: the caller's board, a disclosure with its current version and history, any published
version, and asking a question. The same queries and actions as the pages, so the same access rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongkai.core.access import get_scope

from . import actions, queries
from .models import Category, Disclosure, DisclosureVersion

router = Router(tags=["disclosures"])


class Error(Schema):
    code: str
    detail: str


class BoardItemOut(Schema):
    id: int
    title: str
    unit: str
    category: str
    period: str
    published_at: dt.datetime
    version: int
    unread: bool

    @staticmethod
    def resolve_unit(obj: Disclosure) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_category(obj: Disclosure) -> str:
        return obj.category.name

    @staticmethod
    def resolve_version(obj: Disclosure) -> int:
        return obj.current_version.number if obj.current_version is not None else 0


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    type: str
    sha256: str


class VersionSummaryOut(Schema):
    number: int
    title: str
    published_at: dt.datetime
    approved_by: str = Field(..., description="name of the leading-group member who approved it")
    reason: str = Field(..., description="why this version corrects the one before ('' for the first)")


class VersionOut(VersionSummaryOut):
    body: str = Field(..., description="sanitized HTML")
    attachments: list[AttachmentOut]
    unit_code: str
    audience_code: str
    category_code: str
    period: str


class DisclosureOut(Schema):
    id: int
    title: str
    unit: str
    audience: str
    category: str
    period: str
    status: str
    public: bool
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str
    current_version: VersionOut
    history: list[VersionSummaryOut]


class QuestionIn(Schema):
    text: str = Field(..., max_length=2000)
    is_opinion: bool = False


class QuestionOut(Schema):
    id: int
    text: str
    is_opinion: bool
    created_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


def _summary(v: DisclosureVersion) -> dict:
    return {
        "number": v.number,
        "title": v.title,
        "published_at": v.published_at,
        "approved_by": v.approved_by.name,
        "reason": v.reason,
    }


def _version(v: DisclosureVersion) -> dict:
    return {
        **_summary(v),
        "body": v.body,
        "attachments": v.attachments,
        "unit_code": v.unit_code,
        "audience_code": v.audience_code,
        "category_code": v.category_code,
        "period": v.period,
    }


def _readable(request: HttpRequest, pk: int) -> Disclosure | None:
    """A published disclosure the caller may read (drafts are not served by the API)."""
    disclosure = queries.disclosure_for(request.user, pk)
    if disclosure is None or disclosure.current_version_id is None:
        return None
    scope = get_scope(request.user)
    if disclosure.audience.path in scope.home_paths or queries.is_manager(request.user, disclosure):
        return disclosure
    return None


NOT_FOUND = {"code": "not_found", "detail": "No such disclosure, or you may not read it."}


@router.get("/board", response=list[BoardItemOut])
@paginate(LimitOffsetPagination)
def board(request: HttpRequest, category: str = "", period: str = "", q: str = ""):
    """The caller's board: public disclosures for their unit and its ancestors, newest first. `category` is a
    category code; `q` searches title and text (Simplified and Traditional Chinese find each other)."""
    found = Category.objects.filter(code=category).first() if category else None
    qs = queries.board(request.user, category=found, period=period[:10], q=q[:50])
    return qs.none() if category and found is None else qs


@router.get("/{int:pk}", response={200: DisclosureOut, 404: Error})
def disclosure(request: HttpRequest, pk: int):
    """A disclosure with its current version and the list of all its versions."""
    found = _readable(request, pk)
    if found is None:
        return Status(404, NOT_FOUND)
    history = list(queries.versions(found))
    current = next(v for v in history if v.pk == found.current_version_id)
    return Status(
        200,
        {
            "id": found.pk,
            "title": found.title,
            "unit": found.unit.name,
            "audience": found.audience.name,
            "category": found.category.name,
            "period": found.period,
            "status": found.status,
            "public": found.is_public,
            "published_at": found.published_at,
            "withdrawn_at": found.withdrawn_at,
            "withdrawn_reason": found.withdrawn_reason,
            "current_version": _version(current),
            "history": [_summary(v) for v in history],
        },
    )


@router.get("/{int:pk}/versions/{int:number}", response={200: VersionOut, 404: Error})
def version(request: HttpRequest, pk: int, number: int):
    """One published version, as it was published."""
    found = _readable(request, pk)
    item = queries.version(found, number) if found is not None else None
    if item is None:
        return Status(404, {"code": "not_found", "detail": "No such version, or you may not read it."})
    return Status(200, _version(item))


@router.post("/{int:pk}/questions", response={201: QuestionOut, 400: Error, 404: Error})
def ask(request: HttpRequest, pk: int, payload: QuestionIn):
    """Ask a question (or leave an opinion) on a published disclosure; the responsible person answers."""
    found = _readable(request, pk)
    if found is None:
        return Status(404, NOT_FOUND)
    try:
        question = actions.ask(
            actor=request.user, disclosure=found, text=payload.text, is_opinion=payload.is_opinion
        )
    except ValidationError as exc:
        return Status(400, {"code": exc.code or "invalid", "detail": " ".join(exc.messages)})
    return Status(201, question)
