"""Home-page panel of the rater (collected by `panels.FACTORIES`): the rounds open now in which they have not
voted yet. One query: the rounds with an elector row of theirs and no participation."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.home import Panel

from .choices import RoundStatus
from .models import Elector, Participation, Round

SHOWN = 5


def my_ballots_panel(request, scope):
    """Electors of a round open now who have not voted in it: a link to each ballot (nothing when none)."""
    me = request.user.pk
    if me is None:
        return None
    now = timezone.now()
    rounds = list(
        Round.objects.filter(status=RoundStatus.OPEN, opens_at__lte=now, closes_at__gt=now)
        .filter(Exists(Elector.objects.filter(round=OuterRef("pk"), person_id=me)))
        .exclude(Exists(Participation.objects.filter(round=OuterRef("pk"), person_id=me)))
        .only("pk", "title", "closes_at")
        .order_by("closes_at", "pk")[: SHOWN + 1]
    )
    if not rounds:
        return None
    return Panel(
        title=_("Ratings waiting for your ballot"),
        template="ratings/ballot/panels/open.html",
        context={"rounds": rounds[:SHOWN], "more": len(rounds) > SHOWN},
        order=8,
    )


FACTORIES = [my_ballots_panel]
