"""Ratings: representatives' duty ratings (述职测评) and democratic appraisal of leaders (民主评议) by secret ballot.

The secret ballot, in the tables:

- `Elector` is the electorate, frozen when the round opens (who may vote, and in which constituency).
- `Participation` records who voted in which round and how (online or on a paper sheet), and nothing else: no time,
  no ballot. Its unique constraint on (round, person) is the database's guarantee of one ballot per rater: the
  participation row and the ballot are written in one transaction, so a second submission (two tabs, two servers)
  fails on the constraint and writes nothing.
- `SealedBallot` is the ballot box: a cast ballot waits there (random UUID key, no rater, no session, no time).
  Because a row's physical position and transaction id would still tell when it was written, and so line it up
  with its participation row, the worker *mixes* the box (`actions.mix_ballots`): once enough ballots wait (or at
  the close), they are moved in one transaction, in a random order, into `Ballot` / `BallotChoice`, and deleted
  from the box. After mixing, nothing in a stored ballot tells which participation it belongs to.
- `Ballot` carries its tracker (a random code shown once to the voter), published with its ratings after the close
  so that every voter can check their ballot and anyone can recount.

Paper sheets are counted in batches (`PaperBatch`), each entered twice by different people (`PaperEntry`); only a
batch whose two entries agree is counted. A rater who received a paper sheet has a paper participation, so they
cannot vote online too, and a batch may not count more sheets than its constituency's paper participations.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import TimeStampedModel

from .choices import BatchStatus, Channel, Exemption, Flag, Level, RoundKind, RoundStatus, Scale


def constituency_field(**extra) -> models.ForeignKey:
    """The constituency of a row (empty for an appraisal, whose raters form one list)."""
    return models.ForeignKey(
        "org.Constituency",
        verbose_name=_("constituency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        **extra,
    )


class Round(TimeStampedModel):
    """A rating round of a unit (or of the whole group, on the root unit)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="rating_rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=RoundKind.choices, default=RoundKind.DUTY_RATING
    )
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, default=Scale.FITNESS)
    year = models.PositiveSmallIntegerField(_("year"))
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    talk_threshold = models.PositiveSmallIntegerField(
        _("talk threshold (%)"),
        default=30,
        help_text=_("Over this share of the negative level, the union talks with the person rated."),
    )
    recall_threshold = models.PositiveSmallIntegerField(
        _("recall threshold (%)"),
        default=50,
        help_text=_(
            "Over this share of the negative level, resignation is advised or the recall procedure starts."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT, db_index=True
    )
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # filled when the round closes (the tally); the results are never shown before
    electorate = models.PositiveIntegerField(_("electorate"), default=0)
    ballots_online = models.PositiveIntegerField(_("online ballots"), default=0)
    ballots_paper = models.PositiveIntegerField(_("paper sheets counted"), default=0)
    tally_digest = models.CharField(_("tally digest"), max_length=64, blank=True)
    disclosure = models.ForeignKey(
        "disclosures.Disclosure",
        verbose_name=_("results disclosure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rating round")
        verbose_name_plural = _("rating rounds")
        ordering = ["-year", "-opens_at", "pk"]
        indexes = [models.Index(fields=["unit", "year"], name="ratings_round_unit_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="ratings_round_window",
                violation_error_message=_("Voting must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(talk_threshold__lte=100) & Q(recall_threshold__lte=100),
                name="ratings_round_thresholds",
                violation_error_message=_("A threshold is a percentage between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RatedPerson(TimeStampedModel):
    """A person rated in a round: a representative (with their constituency) or a leader; maybe exempted."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="rated")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person rated"), on_delete=models.PROTECT, related_name="+"
    )
    constituency = constituency_field()
    position = models.PositiveIntegerField(_("position on the ballot"), default=0)
    exemption = models.CharField(_("exemption"), max_length=30, choices=Exemption.choices, blank=True)
    exemption_note = models.CharField(_("exemption note"), max_length=200, blank=True)
    # the duty report (述职报告), published to the raters before voting opens
    report = models.TextField(_("duty report"), blank=True)
    report_file = models.CharField(
        _("report file"), max_length=200, blank=True
    )  # sha256/name in the upload store
    report_file_name = models.CharField(_("report file name"), max_length=200, blank=True)
    report_published_at = models.DateTimeField(_("report published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person rated")
        verbose_name_plural = _("people rated")
        ordering = ["round", "constituency_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"],
                name="ratings_rated_unique",
                violation_error_message=_("This person is already rated in this round."),
            )
        ]
        indexes = [models.Index(fields=["round", "constituency"], name="ratings_rated_constituency_idx")]

    def __str__(self) -> str:
        return str(self.person)


class Elector(models.Model):
    """Who may vote in a round (frozen when it opens), and for which constituency's list."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="electors"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rater"), on_delete=models.PROTECT, related_name="+"
    )
    constituency = constituency_field()

    class Meta:
        verbose_name = _("elector")
        verbose_name_plural = _("electors")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="ratings_elector_unique")]
        indexes = [
            models.Index(fields=["round", "constituency"], name="ratings_elector_const_idx"),
            models.Index(fields=["person"], name="ratings_elector_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"


class RaterGroupMember(models.Model):
    """For a democratic appraisal: the named raters (e.g. middle managers and workers' representatives)."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="rater_group"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rater"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("rater group member")
        verbose_name_plural = _("rater group")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="ratings_rater_group_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"


class Participation(models.Model):
    """Who voted in which round and how. Deliberately without time and without any link to a ballot."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="participations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rater"), on_delete=models.PROTECT, related_name="+"
    )
    constituency = constituency_field()
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"],
                name="ratings_one_ballot_per_rater",
                violation_error_message=_("You have already voted in this round."),
            )
        ]
        indexes = [models.Index(fields=["round", "constituency", "channel"], name="ratings_part_const_idx")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id} ({self.channel})"


class SealedBallot(models.Model):
    """The ballot box: a cast ballot waiting to be mixed. No rater, no session, no time; a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    tracker = models.CharField(max_length=20)
    choices = models.JSONField()  # {"<rated person id>": "<level>"}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "tracker"], name="ratings_sealed_tracker_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.tracker}"


class Ballot(models.Model):
    """A mixed online ballot. Random key, no rater, no session, no time; its tracker is published after the close."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="ballots"
    )
    tracker = models.CharField(_("ballot tracker"), max_length=20)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["round", "tracker"], name="ratings_ballot_tracker_unique")
        ]

    def __str__(self) -> str:
        return self.tracker


class BallotChoice(models.Model):
    """One rating on a mixed ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    rated = models.ForeignKey(RatedPerson, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=20, choices=Level.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "rated"], name="ratings_choice_unique")]
        indexes = [models.Index(fields=["rated", "level"], name="ratings_choice_rated_idx")]

    def __str__(self) -> str:
        return f"{self.rated_id}:{self.level}"


class Liaison(models.Model):
    """A liaison (联络员) of a round: prints sheets, hands them out and enters paper batches."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="liaisons"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("liaison"), on_delete=models.PROTECT, related_name="+"
    )
    constituency = constituency_field(help_text=_("Empty: every constituency of the round."))

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person", "constituency"],
                name="ratings_liaison_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"


class SheetPrint(models.Model):
    """Numbered paper sheets printed for a constituency (or for the whole round of an appraisal)."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="prints")
    constituency = constituency_field()
    first = models.PositiveIntegerField(_("first sheet number"))
    last = models.PositiveIntegerField(_("last sheet number"))
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("printed by"), on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(_("printed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("printed sheets")
        verbose_name_plural = _("printed sheets")
        ordering = ["round", "first"]

    def __str__(self) -> str:
        return f"{self.first}–{self.last}"


class PaperBatch(TimeStampedModel):
    """A pile of filled-in paper sheets of one constituency, counted twice by different people."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="batches"
    )
    constituency = constituency_field()
    number = models.PositiveIntegerField(_("batch number"))
    sheet_numbers = models.CharField(_("sheet numbers"), max_length=2000, help_text=_("e.g. 1-40, 43, 45-50"))
    sheets = models.PositiveIntegerField(_("sheets"))
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.WAITING, db_index=True
    )
    counts_digest = models.CharField(_("digest of the reconciled counts"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper batch")
        verbose_name_plural = _("paper batches")
        ordering = ["round", "constituency_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "constituency", "number"],
                name="ratings_batch_unique",
                nulls_distinct=False,
                violation_error_message=_("A batch with this number exists for this constituency."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.number}"


class PaperEntry(models.Model):
    """One independent entry of a batch's tallies: {"<rated person id>": {"<level>" | "blank": count}}."""

    batch = models.ForeignKey(
        PaperBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="entries"
    )
    entry_no = models.PositiveSmallIntegerField(_("entry"))  # 1 or 2
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    counts = models.JSONField(_("counts"))
    invalid_sheets = models.PositiveIntegerField(_("invalid sheets"), default=0)
    superseded = models.BooleanField(_("superseded"), default=False)

    class Meta:
        verbose_name = _("paper entry")
        verbose_name_plural = _("paper entries")
        ordering = ["batch", "entry_no", "entered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "entry_no"],
                condition=Q(superseded=False),
                name="ratings_entry_current_unique",
                violation_error_message=_("This entry of the batch has already been made."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.entry_no}"


class ResultLine(models.Model):
    """The tally of one person rated, written when the round closes (online ballots + reconciled paper)."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="results"
    )
    rated = models.OneToOneField(
        RatedPerson, verbose_name=_("person rated"), on_delete=models.CASCADE, related_name="result"
    )
    counts = models.JSONField(_("counts"))  # {"<level>": n, ..., "blank": n}
    total = models.PositiveIntegerField(_("ratings"))  # ratings given (blanks excluded)
    negative_share = models.DecimalField(_("negative share (%)"), max_digits=5, decimal_places=1)
    flag = models.CharField(_("consequence"), max_length=10, choices=Flag.choices, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["round", "rated__constituency_id", "rated__position"]

    def __str__(self) -> str:
        return f"{self.rated_id}: {self.negative_share}%"
