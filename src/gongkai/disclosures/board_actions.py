"""The physical boards register (公开栏): every change of state, one function per user action, audited.

A unit's disclosure officer (or an admin of the unit) registers its boards, edits them, attaches a photo and marks
a board "updated today" after renewing what it shows. Photos are JPEG or PNG only, judged from the content (not
the name), at most `PHOTO_MAX_MB`; they are stored by content hash under ``boards/`` and served only through the
register's photo view, which checks the viewer's access.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.choices import Role

from .choices import BoardLevel
from .models import Board

PHOTO_MAX_MB = 5
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png"}  # kind -> content type
EDIT_ROLES = (Role.DISCLOSURE_OFFICER,)  # admins of the unit pass every role check too
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def can_edit(actor, unit) -> bool:
    return get_scope(actor).has_any_role(EDIT_ROLES, unit.path)


def _require_edit(actor, unit) -> None:
    if not can_edit(actor, unit):
        raise AccessDenied(Role.DISCLOSURE_OFFICER)


def check_photo(upload) -> tuple[bytes, str]:
    """Read and check a board photo; returns (content, kind). Raises ValidationError with a clear message."""
    limit = PHOTO_MAX_MB * 1024 * 1024
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The photo is larger than %(mb)s MB; please send a smaller one.") % {"mb": PHOTO_MAX_MB},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The photo is larger than %(mb)s MB; please send a smaller one.") % {"mb": PHOTO_MAX_MB},
            code="too_large",
        )
    guess = filetype.guess(data[:8192]) if data else None
    kind = guess.extension if guess is not None else None
    well_formed = (kind == "jpg" and b"\xff\xd9" in data[-4096:]) or (
        kind == "png" and data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR"
    )
    if kind not in PHOTO_TYPES or not well_formed:
        raise ValidationError(
            _("%(name)s is not a JPEG or PNG photo (judged from its content, not its name).")
            % {"name": upload.name},
            code="bad_type",
        )
    return data, kind


def _store_photo(data: bytes, kind: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    name = f"boards/{digest[:2]}/{digest}.{kind}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return name


def _clean_fields(number: str, location: str, level: str, last_updated: dt.date | None) -> tuple[str, str]:
    number, location = (number or "").strip(), (location or "").strip()
    if not number or not location:
        raise ValidationError(_("A board needs a number and a location."))
    if len(number) > 40 or len(location) > 200:
        raise ValidationError(_("The board number (40) or the location (200 characters) is too long."))
    if level not in BoardLevel.values:
        raise ValidationError(_("Unknown board level."))
    if last_updated is not None and last_updated > timezone.localdate():
        raise ValidationError(_("The date of the last update cannot be in the future."))
    return number, location


@transaction.atomic
def add_board(
    *,
    actor,
    unit,
    number: str,
    location: str,
    level: str,
    last_updated: dt.date | None = None,
    photo=None,
    active: bool = True,
) -> Board:
    """Register a physical board of a unit."""
    _require_edit(actor, unit)
    number, location = _clean_fields(number, location, level, last_updated)
    if Board.objects.filter(number=number).exists():
        raise ValidationError(_("Board number %(number)s is already registered.") % {"number": number})
    content = check_photo(photo) if photo else None  # checked before anything is written
    board = Board(
        unit=unit, number=number, location=location, level=level, last_updated=last_updated, active=active
    )
    if content is not None:
        board.photo.name = _store_photo(*content)
    board.save()
    ledger.record(
        "disclosures.add_board",
        board,
        actor=actor,
        change={
            "unit": unit.code,
            "number": number,
            "location": location,
            "level": level,
            "last_updated": last_updated.isoformat() if last_updated else None,
            "photo": board.photo.name or None,
            "active": active,
        },
    )
    return board


@transaction.atomic
def update_board(
    *,
    actor,
    board: Board,
    number: str,
    location: str,
    level: str,
    active: bool,
    last_updated: dt.date | None = None,
    photo=None,
) -> Board:
    """Change a board's details; a new photo replaces the old one (the file stays, other boards may share it)."""
    board = Board.objects.select_for_update(of=("self",)).select_related("unit").get(pk=board.pk)
    _require_edit(actor, board.unit)
    number, location = _clean_fields(number, location, level, last_updated)
    if number != board.number and Board.objects.filter(number=number).exists():
        raise ValidationError(_("Board number %(number)s is already registered.") % {"number": number})
    content = check_photo(photo) if photo else None
    changes: dict = {}
    for name, value in (
        ("number", number),
        ("location", location),
        ("level", level),
        ("active", active),
        ("last_updated", last_updated),
    ):
        if getattr(board, name) != value:
            changes[name] = [_plain(getattr(board, name)), _plain(value)]
            setattr(board, name, value)
    if content is not None:
        name = _store_photo(*content)
        if name != board.photo.name:
            changes["photo"] = [board.photo.name or None, name]
            board.photo.name = name
    if not changes:
        return board
    board.save()
    ledger.record("disclosures.update_board", board, actor=actor, change=changes)
    return board


@transaction.atomic
def mark_updated(*, actor, board: Board, on: dt.date | None = None) -> Board:
    """The board's content was renewed today (the unit's disclosure officer says so)."""
    board = Board.objects.select_for_update(of=("self",)).select_related("unit").get(pk=board.pk)
    _require_edit(actor, board.unit)
    today = on or timezone.localdate()
    if not board.active:
        raise ValidationError(_("This board is no longer in use."))
    before = board.last_updated
    board.last_updated = today
    board.save(update_fields=["last_updated", "updated_at"])
    ledger.record(
        "disclosures.mark_board_updated",
        board,
        actor=actor,
        change={"before": _plain(before), "after": today.isoformat()},
    )
    return board


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value
