"""What an author types and uploads, checked and normalised before an action writes anything: the proposal's
fields (plain text without HTML or script, lengths, the category, the expected saving, a drive running in the
author's units) and the files (checked from their content by `disclosures.uploads`, stored by content)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core.access import get_scope
from gongkai.core.text import has_markup
from gongkai.disclosures import uploads
from gongkai.org.models import Person

from .choices import Category
from .models import Attachment, Drive, Suggestion

TITLE_MAX = 200
TEXT_MAX = 10000
MAX_FILES = 10
SAVING_MAX = Decimal("999999999999.99")
EDITABLE_FIELDS = (
    "category",
    "title",
    "problem",
    "proposal",
    "expected_benefit",
    "expected_saving",
    "is_major",
    "drive",
)


def _text(value: Any, *, label: str, maximum: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_("%(field)s is empty: please fill it in.") % {"field": label}, code="required")
    if len(text) > maximum:
        raise ValidationError(
            _("%(field)s is longer than %(n)s characters.") % {"field": label, "n": maximum}, code="too_long"
        )
    if has_markup(text):
        raise ValidationError(
            _("%(field)s contains HTML or script, which is not allowed: please write plain text.")
            % {"field": label},
            code="markup",
        )
    return text


def _saving(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(
            _("The expected annual saving must be an amount in yuan."), code="saving"
        ) from None
    if not amount.is_finite() or amount < 0 or amount > SAVING_MAX:
        raise ValidationError(
            _("The expected annual saving must be an amount in yuan, zero or more."), code="saving"
        )
    return amount.quantize(Decimal("0.01"))


def _category(value: Any) -> str:
    if value not in Category.values:
        raise ValidationError(_("Choose a category from the list."), code="category")
    return str(value)


def running_drives(person: Person):
    """The drives running today in the person's own unit or a unit above it."""
    today = timezone.localdate()
    return Drive.objects.filter(
        unit__path__in=get_scope(person).home_paths, starts_on__lte=today, ends_on__gte=today
    ).order_by("-starts_on", "pk")


def _drive(actor: Person, drive: Drive | None) -> Drive | None:
    if drive is None:
        return None
    if not running_drives(actor).filter(pk=drive.pk).exists():
        raise ValidationError(
            _("The drive “%(drive)s” is not running in your unit today; choose a running drive or none.")
            % {"drive": drive.title},
            code="drive",
        )
    return drive


def clean_fields(actor: Person, fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the proposal's fields that are given (a partial dict for an update)."""
    labels = {
        "title": (_("The title"), TITLE_MAX, True),
        "problem": (_("The problem"), TEXT_MAX, True),
        "proposal": (_("The proposal"), TEXT_MAX, True),
        "expected_benefit": (_("The expected benefit"), TEXT_MAX, False),
    }
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "category":
            clean[name] = _category(value)
        elif name in labels:
            label, maximum, required = labels[name]
            text = _text(value, label=label, maximum=maximum, required=required)
            clean[name] = " ".join(text.split()) if name == "title" else text
        elif name == "expected_saving":
            clean[name] = _saving(value)
        elif name == "is_major":
            clean[name] = bool(value)
        elif name == "drive":
            clean[name] = _drive(actor, value)
        else:
            raise ValidationError(_("%(field)s cannot be changed here.") % {"field": name}, code="field")
    return clean


def check_files(files: Sequence) -> list[tuple[uploads.Inspected, Any]]:
    """Check every file before anything is written (raises ValidationError)."""
    if len(files) > MAX_FILES:
        raise ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_FILES}, code="too_many")
    return [(uploads.inspect(f), f) for f in files]


def store_files(
    suggestion: Suggestion, actor: Person, checked: list[tuple[uploads.Inspected, Any]]
) -> list[dict]:
    stored = []
    for info, upload in checked:
        uploads.store(info, upload)
        Attachment.objects.create(
            suggestion=suggestion,
            sha256=info.sha256,
            name=info.name,
            size=info.size,
            content_type=info.content_type,
            uploaded_by=actor,
        )
        stored.append({"name": info.name, "sha256": info.sha256})
    return stored


def storage_name(attachment: Attachment) -> str:
    """Where an attachment's bytes are kept (by content, as `disclosures.uploads.store` names them)."""
    kind = next(
        (k for k, (_exts, content_type) in uploads.KINDS.items() if content_type == attachment.content_type),
        "bin",
    )
    return f"disclosures/{attachment.sha256[:2]}/{attachment.sha256}.{kind}"
