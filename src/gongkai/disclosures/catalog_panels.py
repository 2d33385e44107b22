"""Home-page panels of the schedule: my schedule (what I must disclose soon or am late with) and, for the leading
group, the compliance of their units this year."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.choices import Role
from gongkai.core.home import Panel

from . import compliance

SHOWN = 8
SOON_DAYS = 14


def my_schedule(request, scope):
    """For disclosure officers (and anyone named responsible for an entry): overdue and due soon."""
    if Role.DISCLOSURE_OFFICER not in scope.roles():
        return None
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=max(SOON_DAYS, settings.GONGKAI_REMINDER_DAYS))
    entries = list(compliance.my_open_entries(request.user, today).filter(due_date__lte=horizon)[:SHOWN])
    return Panel(
        title=_("My disclosure schedule"),
        template="disclosures/compliance/panel_mine.html",
        context={
            "entries": entries,
            "summary": compliance.my_summary(request.user, today, SOON_DAYS),
            "soon_days": SOON_DAYS,
        },
        order=12,
    )


def compliance_summary(request, scope):
    """For the leading group: this year's on-time rate and what is missing in their units."""
    if Role.LEADING_GROUP not in scope.roles():
        return None
    today = timezone.localdate()
    counts = compliance.scope_summary(request.user, (Role.LEADING_GROUP,), today.year, today)
    return Panel(
        title=_("Disclosure compliance"),
        template="disclosures/compliance/panel_summary.html",
        context={"counts": counts, "year": today.year},
        order=25,
    )


FACTORIES = [my_schedule, compliance_summary]
