"""Who does what with suggestions.

The union and the leading group of a unit (roles reach down the tree) screen the suggestions of their units,
choose the expert panel, record the panel's conclusion, follow implementation, record the benefit and grant and pay
awards — never on a suggestion they wrote or co-wrote (a manager above them decides). Panel members score the
suggestions given to their panel (never their own). Authors — the lead author and the co-authors who confirmed —
see every public step of their suggestions.

The one place for these questions: actions, views, fragments and the API import them from here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongkai.core.access import get_scope, require
from gongkai.core.choices import Role

from .choices import Consent
from .models import Coauthor, ReviewPanel, Suggestion

MANAGE_ROLES = (Role.UNION, Role.LEADING_GROUP)


def is_manager(person, suggestion: Suggestion) -> bool:
    """Union or leading group on the suggestion's unit or a unit above it."""
    return get_scope(person).has_any_role(MANAGE_ROLES, suggestion.unit.path)


def require_manager(actor, suggestion: Suggestion) -> None:
    """AccessDenied unless the actor manages the suggestion's unit (see `is_manager`)."""
    require(actor, MANAGE_ROLES, suggestion.unit.path)


def author_ids(suggestion: Suggestion) -> set[int]:
    """The lead author and every co-author who did not decline (one query)."""
    ids = set(
        Coauthor.objects.filter(suggestion=suggestion)
        .exclude(consent=Consent.DECLINED)
        .values_list("person_id", flat=True)
    )
    ids.add(suggestion.author_id)
    return ids


def is_author(person, suggestion: Suggestion) -> bool:
    """The lead author or a co-author who did not decline (one who is still invited counts: they may not judge
    the suggestion either)."""
    return person.pk in author_ids(suggestion)


def is_confirmed_author(person, suggestion: Suggestion, coauthors: Iterable[Coauthor]) -> bool:
    """The lead author or a confirmed co-author, from the suggestion's co-authors already loaded (no query)."""
    return person.pk == suggestion.author_id or any(
        c.person_id == person.pk and c.consent == Consent.CONFIRMED for c in coauthors
    )


def is_panel_member(person, suggestion: Suggestion) -> bool:
    """A member of the expert panel given the suggestion (one query; False before a panel is chosen)."""
    if suggestion.panel_id is None:
        return False
    return ReviewPanel.members.through.objects.filter(
        reviewpanel_id=suggestion.panel_id, person_id=person.pk
    ).exists()


def refuse_own(actor, suggestion: Suggestion) -> None:
    """A manager does not decide on a suggestion they wrote or co-wrote (ValidationError `own_suggestion`)."""
    if is_author(actor, suggestion):
        raise ValidationError(
            _(
                "You are an author of this suggestion: a manager who is not among its authors decides on it "
                "(for instance the union of a unit above)."
            ),
            code="own_suggestion",
        )
