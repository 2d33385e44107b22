"""Pieces every suggestion action and page shares: the stale-form refusal, locking the suggestion row, saving with
a new revision, the timeline, and how a view tells a refusal."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from gongkai.core.access import AccessDenied
from gongkai.org.models import Person

from .models import Suggestion, SuggestionEvent


def stale(message: str | None = None) -> ValidationError:
    """A form opened on an older state of the thing it changes (code `stale`)."""
    return ValidationError(
        message
        or _(
            "This suggestion was changed by someone else or in another window since you opened it; reload to "
            "see the changes."
        ),
        code="stale",
    )


def lock(suggestion: Suggestion, expected_revision: int | None = None) -> Suggestion:
    """The suggestion's row, locked for the transaction, after checking the form's revision (None: no form)."""
    locked = (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("unit", "panel")
        .get(pk=suggestion.pk)
    )
    check_revision(locked, expected_revision)
    return locked


def check_revision(suggestion: Suggestion, expected_revision: int | None) -> None:
    """Refuse a form opened on another revision than the suggestion's (None: no form, nothing to check)."""
    if expected_revision is not None and int(expected_revision) != suggestion.revision:
        raise stale()


def save(suggestion: Suggestion, *fields: str) -> None:
    """Save the fields named and a new revision (an older form is now stale)."""
    suggestion.revision += 1
    suggestion.save(update_fields=[*fields, "revision", "updated_at"])


def add_event(
    suggestion: Suggestion, kind: str, actor: Person | None, note: str = "", *, public: bool = True
) -> SuggestionEvent:
    return SuggestionEvent.objects.create(
        suggestion=suggestion, kind=kind, actor=actor, note=note, public=public
    )


def detail_url(suggestion: Suggestion) -> str:
    """The page of the suggestion that its authors, managers and panel members open."""
    return reverse("suggestions:detail", args=[suggestion.pk])


def me(request: HttpRequest) -> Person:
    return cast(Person, request.user)


def status_of(exc: Exception) -> int:
    """The HTTP status of a refusal: 403 without the role, 409 for a stale form, 400 otherwise."""
    if isinstance(exc, AccessDenied):
        return 403
    return 409 if getattr(exc, "code", None) == "stale" else 400


def error_text(exc: Exception) -> str:
    """A refusal as the page shows it."""
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
