"""Rationalization suggestions (合理化建议): from a co-authored draft to measured benefit and a paid award.

draft → submitted (every co-author confirmed) → screening: not accepted (reason) | accepted for expert review
→ the panel scores (feasibility, benefit, innovation) → the conclusion: adopted | shelved for later | rejected
(a reason is required and shown to the authors) → implementation (owner, plan, dates) → implemented → benefit
measured (net annual saving after cost over the 12 months after implementation, with its calculation) → award
(grade from the configurable bands) → paid → archived.

The first answer (screening refusal or the panel's conclusion) is due `answer_due_on`: two months after
submission, three for a major suggestion. The timeline (`SuggestionEvent`) is append-only and the authors see
every public step. After submission the text is frozen: no field of the proposal is edited again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import AppendOnlyModel, TimeStampedModel

from .choices import Category, Consent, Decision, EventKind, Status


class AwardBand(models.Model):
    """An award grade by net annual saving (the defaults follow DOMAIN.md: five grades)."""

    grade = models.PositiveSmallIntegerField(_("grade"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    min_saving = models.DecimalField(_("from net annual saving (yuan)"), max_digits=14, decimal_places=2)
    award = models.DecimalField(_("award (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("award band")
        verbose_name_plural = _("award bands")
        ordering = ["-min_saving"]

    def __str__(self) -> str:
        return self.name


class ReviewPanel(TimeStampedModel):
    """A standing expert panel of a unit (e.g. the mine's technical committee)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="suggestion_panels"
    )
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="+")

    class Meta:
        verbose_name = _("expert panel")
        verbose_name_plural = _("expert panels")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name


class Drive(TimeStampedModel):
    """A campaign drive of a unit (e.g. 提合理化建议，创效益新高): a period and the categories it targets."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="suggestion_drives"
    )
    title = models.CharField(_("slogan"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    categories = models.JSONField(_("target categories"), default=list, blank=True)
    target = models.PositiveIntegerField(_("target number of suggestions"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign drive")
        verbose_name_plural = _("campaign drives")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="suggestions_drive_period",
                violation_error_message=_("A drive must end on or after the day it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class Suggestion(TimeStampedModel):
    """A rationalization suggestion. `unit` is the lead author's unit at creation (it decides who screens it)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="suggestions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lead author"), on_delete=models.PROTECT, related_name="+"
    )
    drive = models.ForeignKey(
        Drive,
        verbose_name=_("drive"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("the problem"))
    proposal = models.TextField(_("the proposal"))
    expected_benefit = models.TextField(_("expected benefit"), blank=True)
    expected_saving = models.DecimalField(
        _("expected annual saving (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_major = models.BooleanField(_("major suggestion"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(default=1, editable=False)
    search_text = models.TextField(
        editable=False, blank=True
    )  # core.text.search_key of title/problem/proposal
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    answer_due_on = models.DateField(_("first answer due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    # screening and the panel's conclusion
    panel = models.ForeignKey(
        ReviewPanel,
        verbose_name=_("expert panel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same idea as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # implementation
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("implementation owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan = models.TextField(_("implementation plan"), blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    # benefit (the 12 months after implementation) and award
    gross_saving = models.DecimalField(
        _("gross saving (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cost = models.DecimalField(_("cost (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    net_saving = models.DecimalField(
        _("net annual saving (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    calculation = models.TextField(_("how the benefit was calculated"), blank=True)
    measured_on = models.DateField(_("measured on"), null=True, blank=True)
    award_band = models.ForeignKey(
        AwardBand,
        verbose_name=_("award grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    award_amount = models.DecimalField(
        _("award (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "status"], name="sugg_unit_status_idx"),
            models.Index(fields=["status", "answer_due_on"], name="sugg_status_due_idx"),
            models.Index(fields=["submitted_at"], name="sugg_submitted_idx"),
            models.Index(fields=["author", "status"], name="sugg_author_idx"),
            models.Index(fields=["drive", "status"], name="sugg_drive_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(net_saving__isnull=True) | Q(gross_saving__isnull=False, cost__isnull=False),
                name="sugg_net_needs_gross_and_cost",
            ),
            models.CheckConstraint(
                condition=Q(award_band__isnull=True) | Q(net_saving__isnull=False),
                name="sugg_award_needs_benefit",
                violation_error_message=_("An award needs a measured benefit."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Coauthor(models.Model):
    """A co-author: invited by the lead author, must confirm before the suggestion can be submitted."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="coauthors")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("co-author"), on_delete=models.PROTECT, related_name="+"
    )
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices, default=Consent.INVITED)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-author")
        verbose_name_plural = _("co-authors")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "person"],
                name="sugg_coauthor_unique",
                violation_error_message=_("This person is already a co-author."),
            )
        ]
        indexes = [models.Index(fields=["person", "consent"], name="sugg_coauthor_person_idx")]

    def __str__(self) -> str:
        return f"{self.suggestion_id}:{self.person_id}"


class Attachment(models.Model):
    """A file of a suggestion (drawings, photos, calculations), stored by content hash like disclosures' files."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="attachments")
    sha256 = models.CharField(max_length=64)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """One panel member's scores (0–10 each) and opinion. One per reviewer and suggestion; final once given."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    feasibility = models.PositiveSmallIntegerField(_("feasibility"))
    benefit = models.PositiveSmallIntegerField(_("benefit"))
    innovation = models.PositiveSmallIntegerField(_("innovation"))
    opinion = models.TextField(_("opinion"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Decision.choices)
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "reviewer"],
                name="sugg_review_unique",
                violation_error_message=_("You have already reviewed this suggestion."),
            ),
            models.CheckConstraint(
                condition=Q(feasibility__lte=10) & Q(benefit__lte=10) & Q(innovation__lte=10),
                name="sugg_review_scores",
                violation_error_message=_("Scores are from 0 to 10."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id}:{self.reviewer_id}"

    @property
    def total(self) -> int:
        return self.feasibility + self.benefit + self.innovation


class SuggestionEvent(AppendOnlyModel):
    """The timeline of a suggestion (append-only). Public events are shown to the authors."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown to the authors"), default=True)

    class Meta:
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        ordering = ["suggestion", "at", "pk"]
        indexes = [models.Index(fields=["suggestion", "at"], name="sugg_event_idx")]

    def __str__(self) -> str:
        return f"{self.suggestion_id}:{self.kind}"


class ThemeRun(models.Model):
    """Automatic grouping of the suggestions submitted in a period into themes (computed by the worker)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    suggestions = models.PositiveIntegerField(_("suggestions grouped"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("theme grouping")
        verbose_name_plural = _("theme groupings")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.start}–{self.end}"


class Theme(models.Model):
    run = models.ForeignKey(ThemeRun, on_delete=models.CASCADE, related_name="themes")
    label = models.CharField(_("theme"), max_length=200)  # the top terms, joined
    terms = models.JSONField(default=list)
    size = models.PositiveIntegerField(_("suggestions"))
    examples = models.JSONField(default=list)  # ids of the suggestions nearest the theme's centre
    members = models.JSONField(default=list)  # ids of all suggestions of the theme

    class Meta:
        ordering = ["run", "-size"]

    def __str__(self) -> str:
        return self.label
