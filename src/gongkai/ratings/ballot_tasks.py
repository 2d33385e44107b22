"""The ballot box's clock: end the vote of rounds past their close, and mix the ballots waiting in open rounds.

django-tasks has no clock: run `gongkai end-voting` every few minutes from cron (or a systemd timer), or queue
the `end_voting_task` task (`gongkai end-voting --enqueue`). A run

- ends the vote of every open round whose `closes_at` has passed (`ballot_actions.end_voting`: all its waiting
  ballots are mixed; without paper sheets the results are certified at once, otherwise it waits in "counting");
- mixes the waiting ballots of the rounds still open (`ballot_actions.mix_ballots`: only once at least
  `GONGKAI_BALLOT_MIX_MIN` wait, so that a mixed batch never holds one or two ballots that line up with
  participation rows);
- reclaims the deleted rows of the ballot box on PostgreSQL (`vacuum_box`).

It is idempotent: a round already ended is not open any more and is left alone; a box with too few ballots
is left to wait.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks import task

from . import ballot_actions
from .choices import RoundStatus
from .models import Round

logger = logging.getLogger(__name__)


@dataclass
class EndVotingRun:
    ended: list[int] = field(default_factory=list)  # rounds whose vote ended
    certified: list[int] = field(default_factory=list)  # of those, closed at once (no paper sheets)
    mixed: int = 0  # ballots moved from the box of still-open rounds
    refused: dict[str, str] = field(default_factory=dict)  # round id: why it could not be ended

    def summary(self) -> str:
        line = (
            f"{len(self.ended)} round(s) ended ({len(self.certified)} certified, "
            f"{len(self.ended) - len(self.certified)} counting paper sheets); "
            f"{self.mixed} ballot(s) of open rounds mixed"
        )
        if self.refused:
            line += "; not ended: " + ", ".join(f"#{pk} ({why})" for pk, why in self.refused.items())
        return line


def run_end_voting(now=None) -> EndVotingRun:
    """End every open round past its close and mix the boxes of the others (see the module docstring)."""
    now = now or timezone.now()
    run = EndVotingRun()
    for round_ in Round.objects.filter(status=RoundStatus.OPEN, closes_at__lte=now).order_by(
        "closes_at", "pk"
    ):
        try:
            ended = ballot_actions.end_voting(actor=None, round_=round_)
        except ValidationError as exc:  # e.g. ended meanwhile by someone else, or a tampered paper batch
            run.refused[str(round_.pk)] = str(getattr(exc, "code", "") or "refused")
            logger.warning("ratings: the vote of round %s could not be ended: %s", round_.pk, exc.code)
            continue
        run.ended.append(round_.pk)
        if ended.status == RoundStatus.CLOSED:
            run.certified.append(round_.pk)
    for round_ in Round.objects.filter(status=RoundStatus.OPEN, closes_at__gt=now).order_by("pk"):
        run.mixed += ballot_actions.mix_ballots(round_)
    ballot_actions.vacuum_box()
    return run


@task()
def end_voting_task() -> dict:
    """The periodic job: end the vote of rounds past their close, mix the waiting ballots of open rounds."""
    return asdict(run_end_voting())
