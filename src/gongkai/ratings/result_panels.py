"""Home-page panel of the union and the leading group: the rounds of their units open for voting now (with the
participation so far) and the rounds waiting for certification (with the paper batches not reconciled yet).
One query whatever the number of rounds, electors and ballots."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.home import Panel

from .ballot_actions import MANAGE_ROLES, share
from .choices import BatchStatus, RoundStatus
from .models import Elector, PaperBatch, Participation, Round
from .subqueries import count_per_round

PANEL_LIMIT = 20


def _link(round_: Round) -> str:
    return reverse("ratings:round", args=[round_.pk])


def manager_rounds(scope):
    """Open and counting rounds of the units this person manages, with their figures (one query)."""
    now = timezone.now()
    return (
        Round.objects.filter(scope.within("unit", *MANAGE_ROLES))
        .filter(Q(status=RoundStatus.OPEN, opens_at__lte=now) | Q(status=RoundStatus.COUNTING))
        .select_related("unit")
        .annotate(
            elector_count=count_per_round(Elector),
            voted_count=count_per_round(Participation),
            pending_batches=count_per_round(
                PaperBatch, status__in=[BatchStatus.WAITING, BatchStatus.MISMATCH]
            ),
        )
        .order_by("closes_at", "pk")[:PANEL_LIMIT]
    )


def rounds_panel(request, scope):
    if not scope.paths(*MANAGE_ROLES):
        return None
    open_rounds: list[Round] = []
    counting: list[Round] = []
    for r in manager_rounds(scope):
        r.participation_pct = share(r.voted_count, r.elector_count)
        r.link = _link(r)
        (open_rounds if r.status == RoundStatus.OPEN else counting).append(r)
    if not open_rounds and not counting:
        return None
    return Panel(
        title=_("Rating rounds of my units"),
        template="ratings/results/panel.html",
        context={"open": open_rounds, "counting": counting},
        order=40,
    )


FACTORIES = [rounds_panel]
