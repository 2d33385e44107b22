"""Choices of the ratings capability: round kinds, scales and their levels, exemptions, channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RoundKind(models.TextChoices):
    DUTY_RATING = "duty_rating", _("Representatives' duty rating")  # 述职测评: rated by their constituency
    APPRAISAL = "appraisal", _("Democratic appraisal of leaders")  # 民主评议: rated by a named rater group


class Scale(models.TextChoices):
    FITNESS = "fitness", _("Fit / basically fit / unfit")
    FITNESS4 = "fitness4", _("Excellent / fit / basically fit / unfit")
    SATISFACTION = "satisfaction", _("Satisfied / basically satisfied / dissatisfied")


class Level(models.TextChoices):
    EXCELLENT = "excellent", pgettext_lazy("rating", "Excellent")
    FIT = "fit", pgettext_lazy("rating", "Fit")
    BASICALLY_FIT = "basically_fit", pgettext_lazy("rating", "Basically fit")
    UNFIT = "unfit", pgettext_lazy("rating", "Unfit")
    SATISFIED = "satisfied", pgettext_lazy("rating", "Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", pgettext_lazy("rating", "Basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("rating", "Dissatisfied")


# the levels of each scale, best first; the last one is the negative level that the thresholds look at
SCALE_LEVELS: dict[str, tuple[str, ...]] = {
    Scale.FITNESS: (Level.FIT, Level.BASICALLY_FIT, Level.UNFIT),
    Scale.FITNESS4: (Level.EXCELLENT, Level.FIT, Level.BASICALLY_FIT, Level.UNFIT),
    Scale.SATISFACTION: (Level.SATISFIED, Level.BASICALLY_SATISFIED, Level.DISSATISFIED),
}

# paper sheets may leave a person unmarked; the tally counts it apart from the levels
BLANK = "blank"


def levels_of(scale: str) -> tuple[str, ...]:
    return SCALE_LEVELS[scale]


def negative_level(scale: str) -> str:
    return SCALE_LEVELS[scale][-1]


class RoundStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("round status", "Being prepared")
    OPEN = "open", pgettext_lazy("round status", "Open for voting")
    COUNTING = "counting", pgettext_lazy("round status", "Counting paper sheets")
    CLOSED = "closed", pgettext_lazy("round status", "Closed")


class Exemption(models.TextChoices):
    REPORTED_AT_CONGRESS = "reported_at_congress", _("Reported at the congress")
    AWAY = "away", _("Away on business")
    OTHER = "other", _("Other reason")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper sheet")


class BatchStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for both entries")
    MISMATCH = "mismatch", _("Entries disagree")
    RECONCILED = "reconciled", _("Reconciled")


class Flag(models.TextChoices):
    NONE = "", _("No action")
    TALK = "talk", _("Talk with the union")
    RECALL = "recall", _("Resignation advised / recall procedure")
