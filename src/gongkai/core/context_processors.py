"""Template context shared by every page: the number of unread notifications (for the navigation)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .models import Notification

UNREAD_CAP = 99  # "99+" beyond: the count never scans a huge inbox


def unread_count(person) -> int:
    """Unread notifications of a person, counted up to UNREAD_CAP + 1 (one indexed query)."""
    return Notification.objects.filter(person_id=person.pk, read_at__isnull=True)[: UNREAD_CAP + 1].count()


def inbox(request) -> dict:
    """`inbox_unread`: evaluated at most once per request, and only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user)), "inbox_unread_cap": UNREAD_CAP}
