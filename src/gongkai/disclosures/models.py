"""Disclosures (公开事项): the catalog, schedules, drafts and their review, published versions, attachments,
questions, read marks, topic requests (点题公开) and physical boards (公开栏).

What was published is never changed: a `DisclosureVersion` is written once (the model refuses updates, a database
trigger refuses UPDATE and DELETE on PostgreSQL) and goes into the transparency log (`core.tlog`). A correction is
a new version with a reason; withdrawal keeps every version and records why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongkai.core.choices import Role
from gongkai.core.models import AppendOnlyModel, TimeStampedModel

from .choices import BoardLevel, Decision, Frequency, Status, TopicStatus


class Category(TimeStampedModel):
    """A chapter of the disclosure catalog (e.g. 职工切身利益)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CatalogItem(TimeStampedModel):
    """An item of the catalog: what must be disclosed, by which kinds of unit, how often, how and by whom."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    unit_kinds = models.JSONField(
        _("unit kinds"), default=list, help_text=_("kinds of unit that must disclose it")
    )
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    forms = models.JSONField(_("forms"), default=list)
    responsible_role = models.CharField(
        _("responsible role"), max_length=30, choices=Role.choices, default=Role.DISCLOSURE_OFFICER
    )
    due_days = models.PositiveSmallIntegerField(_("due days after the period"), default=10)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")
        ordering = ["category__order", "order", "code"]

    def __str__(self) -> str:
        return self.title


class ScheduleEntry(models.Model):
    """One expected disclosure: a unit, a catalog item, a period, its due date and responsible person.

    Its compliance (on time / late / missing / not yet due) is computed from `due_date` and `published_on`, the
    date the disclosure that fulfils it was first published (set by the publish action, never typed).
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="schedule_entries"
    )
    item = models.ForeignKey(
        CatalogItem, verbose_name=_("catalog item"), on_delete=models.PROTECT, related_name="schedule_entries"
    )
    period = models.CharField(_("period"), max_length=10, help_text=_("2026-03, 2026-Q1, 2026-H1 or 2026"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_on = models.DateField(_("first published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")
        ordering = ["due_date", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "item", "period"], name="disc_schedule_unique")
        ]
        indexes = [
            models.Index(fields=["due_date", "published_on"], name="disc_schedule_due_idx"),
            models.Index(fields=["responsible", "due_date"], name="disc_schedule_resp_idx"),
            models.Index(fields=["period_start", "unit"], name="disc_schedule_period_idx"),
            # what is not published yet, per unit: the late lists of the compliance dashboard of any subtree
            models.Index(
                fields=["unit", "due_date"],
                condition=Q(published_on__isnull=True),
                name="disc_schedule_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.item} · {self.period}"


class Disclosure(TimeStampedModel):
    """A disclosure and its workflow. The draft fields hold the text being written or corrected; readers see only
    `current_version` (the latest published version) while `is_public`."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="disclosures"
    )
    audience = models.ForeignKey(
        "org.Unit",
        verbose_name=_("audience"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "the unit whose subtree may read it: the unit itself by default, or one of its sub-units"
        ),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="disclosures"
    )
    item = models.ForeignKey(
        CatalogItem,
        verbose_name=_("catalog item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    schedule_entry = models.OneToOneField(
        ScheduleEntry,
        verbose_name=_("schedule entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosure",
    )
    topic_request = models.ForeignKey(
        "TopicRequest",
        verbose_name=_("topic request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disclosures",
    )
    period = models.CharField(_("period"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    is_public = models.BooleanField(_("public"), default=False)
    draft_title = models.CharField(_("title"), max_length=200)
    draft_body = models.TextField(_("body"), blank=True)
    draft_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    channels = models.JSONField(_("channels"), default=list)
    board_numbers = models.CharField(_("physical board numbers"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("who last changed or submitted the draft; they cannot approve it"),
    )
    current_version = models.OneToOneField(
        "DisclosureVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("published title"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    updated_version_at = models.DateTimeField(_("current version published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1, help_text=_("bumped on every change"))

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(
                fields=["audience", "-published_at"], condition=Q(is_public=True), name="disc_board_idx"
            ),
            models.Index(
                fields=["audience", "category", "-published_at"],
                condition=Q(is_public=True),
                name="disc_board_cat_idx",
            ),
            models.Index(fields=["unit", "status"], name="disc_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.draft_title


class DisclosureVersion(AppendOnlyModel):
    """A published version: written once, never changed; logged in the transparency log."""

    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("disclosure"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("sanitized HTML"))
    reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    attachments = models.JSONField(
        _("attachments"), default=list, help_text=_("name, size, type and SHA-256 of each file")
    )
    unit_code = models.CharField(_("unit code"), max_length=40)
    audience_code = models.CharField(_("audience unit code"), max_length=40)
    category_code = models.CharField(_("category code"), max_length=20)
    period = models.CharField(_("period"), max_length=10, blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["disclosure", "number"]
        constraints = [models.UniqueConstraint(fields=["disclosure", "number"], name="disc_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Attachment(TimeStampedModel):
    """A file attached to a disclosure's draft. Files are stored by content hash and never deleted while a
    published version names them; `removed` detaches a file from the draft without touching published versions."""

    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("disclosure"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="disclosures/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    removed = models.BooleanField(_("removed from the draft"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """A leading-group member's decision on a draft (or a correction): approve, or return with comments."""

    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("disclosure"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.disclosure}"


class Question(TimeStampedModel):
    """An employee's question or opinion on a published disclosure, and the responsible person's answer."""

    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("disclosure"), on_delete=models.PROTECT, related_name="questions"
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    is_opinion = models.BooleanField(_("an opinion, not a question"), default=False)
    text = models.TextField(_("text"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_public = models.BooleanField(_("answer shown to all readers"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["disclosure", "answered_at"], name="disc_question_idx")]

    def __str__(self) -> str:
        return self.text[:40]


class ReadMark(models.Model):
    """That a person has read a disclosure, and which version (a newer version makes it unread again)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("disclosure"), on_delete=models.CASCADE, related_name="read_marks"
    )
    version_number = models.PositiveIntegerField(_("version read"))
    at = models.DateTimeField(_("read at"), auto_now=True)

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [models.UniqueConstraint(fields=["person", "disclosure"], name="disc_readmark_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.disclosure_id} v{self.version_number}"


class TopicRequest(TimeStampedModel):
    """点题公开: an employee asks a unit to disclose a topic; others second it; the unit answers by a deadline,
    with a disclosure or with its reasons for not disclosing."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit asked"), on_delete=models.PROTECT, related_name="topic_requests"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("topic"), max_length=200)
    text = models.TextField(_("what employees want to know"))
    deadline = models.DateField(_("answer due by"))
    status = models.CharField(
        _("status"), max_length=20, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    second_count = models.PositiveIntegerField(_("seconds"), default=0)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("topic request")
        verbose_name_plural = _("topic requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "status", "deadline"], name="disc_topic_idx")]

    def __str__(self) -> str:
        return self.title


class TopicSecond(models.Model):
    """One employee seconding (附议) a topic request; once per person."""

    request = models.ForeignKey(
        TopicRequest, verbose_name=_("topic request"), on_delete=models.CASCADE, related_name="seconds"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("second")
        verbose_name_plural = _("seconds")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "person"],
                name="disc_topic_second_unique",
                violation_error_message=_("You have already seconded this request."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} seconds {self.request_id}"


class Board(TimeStampedModel):
    """A physical notice board (公开栏): where it stands, whose it is, its level, a photo, when it was updated."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="boards"
    )
    number = models.CharField(_("board number"), max_length=40, unique=True)
    location = models.CharField(_("location"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=BoardLevel.choices)
    photo = models.FileField(_("photo"), upload_to="boards/", blank=True, max_length=200)
    last_updated = models.DateField(_("last updated"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("notice board")
        verbose_name_plural = _("notice boards")
        ordering = ["unit__path", "number"]

    def __str__(self) -> str:
        return f"{self.number} · {self.location}"
