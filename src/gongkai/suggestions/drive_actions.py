"""Campaign drives (e.g. 提合理化建议，创效益新高): the union or the leading group of a unit starts a drive with a
period and the categories it targets; authors of the unit and of the units under it can file their suggestions
under it while it runs (S1's form offers the running drives).

One transaction per action, keyword-only `actor`, one audit-ledger entry. A drive has no revision counter: the
edit form carries the drive's `updated_at` (`stamp(drive)`) and an older one is refused as stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import require
from gongkai.core.text import has_markup
from gongkai.org.models import Person, Unit

from .access import MANAGE_ROLES
from .choices import Category
from .common import stale
from .models import Drive

TITLE_MAX = 200
TEXT_MAX = 5000
TARGET_MAX = 1_000_000
LONGEST_DAYS = 366


def stamp(drive: Drive) -> str:
    """The token an edit form carries to detect a stale form (the drive's last change)."""
    return drive.updated_at.isoformat()


def _text(value: Any, *, label: str, maximum: int, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_("Please fill in the %(field)s.") % {"field": label}, code="required")
    if len(text) > maximum:
        raise ValidationError(
            _("The %(field)s is longer than %(n)s characters.") % {"field": label, "n": maximum},
            code="too_long",
        )
    if has_markup(text):
        raise ValidationError(
            _("The %(field)s may not contain HTML or script; write plain text.") % {"field": label},
            code="markup",
        )
    return text


def _categories(values: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(str(v) for v in (values or ())))
    if not chosen:
        raise ValidationError(_("Choose at least one category the drive targets."), code="categories")
    unknown = [v for v in chosen if v not in Category.values]
    if unknown:
        raise ValidationError(_("Choose the categories from the list."), code="categories")
    return [v for v in Category.values if v in chosen]  # in the list's order


def _target(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or number > TARGET_MAX:
        raise ValidationError(
            _("The target is a whole number of suggestions, at least 1 (or leave it empty)."), code="target"
        )
    return number


def _period(starts_on: Any, ends_on: Any) -> tuple[dt.date, dt.date]:
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise ValidationError(_("Give the first and the last day of the drive."), code="period")
    if ends_on < starts_on:
        raise ValidationError(_("A drive must end on or after the day it starts."), code="period")
    if (ends_on - starts_on).days >= LONGEST_DAYS:
        raise ValidationError(_("A drive lasts at most a year."), code="period")
    return starts_on, ends_on


def _clean(
    *, title: Any, starts_on: Any, ends_on: Any, categories: Any, description: Any, target: Any
) -> dict[str, Any]:
    start, end = _period(starts_on, ends_on)
    return {
        "title": _text(title, label=_("slogan"), maximum=TITLE_MAX, required=True),
        "description": _text(description, label=_("description"), maximum=TEXT_MAX, required=False),
        "starts_on": start,
        "ends_on": end,
        "categories": _categories(categories),
        "target": _target(target),
    }


def _record(action: str, drive: Drive, actor: Person) -> None:
    ledger.record(
        action,
        drive,
        actor=actor,
        change={
            "unit": drive.unit_id,
            "title": drive.title,
            "starts_on": drive.starts_on.isoformat(),
            "ends_on": drive.ends_on.isoformat(),
            "categories": drive.categories,
            "target": drive.target,
        },
    )


@transaction.atomic
def create_drive(
    *,
    actor: Person,
    unit: Unit,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    categories: Iterable[str],
    description: str = "",
    target: int | None = None,
) -> Drive:
    """A new drive of `unit` (the actor is union or leading group on it or a unit above it)."""
    require(actor, MANAGE_ROLES, unit.path)
    clean = _clean(
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        categories=categories,
        description=description,
        target=target,
    )
    if clean["ends_on"] < timezone.localdate():
        raise ValidationError(
            _("This period is already over; a new drive must end today or later."), code="period"
        )
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one new drive of a unit at a time
    if Drive.objects.filter(
        unit=unit, title=clean["title"], starts_on=clean["starts_on"], ends_on=clean["ends_on"]
    ).exists():
        raise ValidationError(
            _("%(unit)s already runs the drive “%(title)s” in this period.")
            % {"unit": unit.name, "title": clean["title"]},
            code="duplicate",
        )
    drive = Drive.objects.create(unit=unit, created_by=actor, **clean)
    _record("suggestions.drive_create", drive, actor)
    return drive


@transaction.atomic
def update_drive(
    *,
    actor: Person,
    drive: Drive,
    expected_stamp: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    categories: Iterable[str],
    description: str = "",
    target: int | None = None,
) -> Drive:
    """Change a drive (slogan, period, categories, target). Its unit does not change; the first day of a drive
    that has started does not move past a suggestion already filed under it."""
    locked = Drive.objects.select_for_update(of=("self",)).select_related("unit").get(pk=drive.pk)
    require(actor, MANAGE_ROLES, locked.unit.path)
    if expected_stamp != stamp(locked):
        raise stale(
            _("This drive was changed by someone else since you opened it; reload to see the changes.")
        )
    clean = _clean(
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        categories=categories,
        description=description,
        target=target,
    )
    filed = locked.suggestions.aggregate(first=Min("created_at"), last=Max("created_at"))
    for moment in (filed["first"], filed["last"]):
        if moment is None:
            continue
        day = timezone.localdate(moment)
        if not clean["starts_on"] <= day <= clean["ends_on"]:
            raise ValidationError(
                _(
                    "Suggestions were already filed under this drive on %(day)s; keep that day within the period."
                )
                % {"day": day.isoformat()},
                code="period",
            )
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.save()
    _record("suggestions.drive_update", locked, actor)
    return locked
