"""Cases: everything employees raise, from reception days, representatives' inspections, consultation desks and
congress motions (the sources), tracked through one lifecycle until it is answered, rated and closed.

Anonymous cases carry nothing that names their raiser: `raiser` is NULL (a database constraint holds it), the
events of the raiser have no actor, and the raiser holds a 16-digit receipt of which only a slow hash is stored
(`receipts.py`). The timeline (`CaseEvent`) is append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import AppendOnlyModel, TimeStampedModel

from .choices import (
    OPEN_STATUSES,
    REPLYABLE_STATUSES,
    CaseStatus,
    ConsultationTopic,
    EventKind,
    MotionDecision,
    Priority,
    Satisfaction,
    SourceKind,
)


class ReceptionDay(TimeStampedModel):
    """A reception day (民主接待): leaders of a unit receive employees on a fixed day, at a place."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reception_days"
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("leaders on duty"), blank=True, related_name="+"
    )
    people_received = models.PositiveIntegerField(_("people received"), default=0)

    class Meta:
        verbose_name = _("reception day")
        verbose_name_plural = _("reception days")
        ordering = ["-date", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "date"],
                name="cases_reception_unique",
                violation_error_message=_("This unit already has a reception on this day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.date:%Y-%m-%d}"


class Inspection(TimeStampedModel):
    """A representatives' inspection (视察调研): a visit plan, its checklist (三查一听一看) and its report."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="inspections"
    )
    title = models.CharField(_("title"), max_length=200)
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("representatives"), blank=True, related_name="+"
    )
    target_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units visited"), blank=True, related_name="+"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    checklist = models.JSONField(
        _("checklist"),
        default=dict,
        blank=True,
        help_text=_(
            "check records, check documents, questionnaire, listen to employees, look at the boards: "
            "done or not, with notes"
        ),
    )
    report = models.TextField(_("report"), blank=True)

    class Meta:
        verbose_name = _("representatives' inspection")
        verbose_name_plural = _("representatives' inspections")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="cases_inspection_dates",
                violation_error_message=_("The inspection cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class ConsultationDesk(TimeStampedModel):
    """A consultation desk (咨询站) of a unit on one topic, and the staff who answer there."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="consultation_desks"
    )
    topic = models.CharField(_("topic"), max_length=30, choices=ConsultationTopic.choices)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), blank=True, related_name="+"
    )
    active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("consultation desk")
        verbose_name_plural = _("consultation desks")
        ordering = ["unit__path", "topic"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "topic"],
                name="cases_desk_unique",
                violation_error_message=_("This unit already has a desk on this topic."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_topic_display()}"


class FaqEntry(TimeStampedModel):
    """A consultation question and its answer, promoted to the desk's public FAQ (rewritten by the desk's
    staff so that it names nobody)."""

    desk = models.ForeignKey(
        ConsultationDesk, verbose_name=_("consultation desk"), on_delete=models.PROTECT, related_name="faq"
    )
    case = models.OneToOneField(
        "Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="faq_entry",
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["desk", "-created_at"]

    def __str__(self) -> str:
        return self.question[:60]


class Motion(TimeStampedModel):
    """A congress motion (提案): a representative drafts it, others co-sign until a deadline, the motions
    committee accepts it (立案) or returns it with a reason."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("congress unit"), on_delete=models.PROTECT, related_name="motions"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    signing_deadline = models.DateField(_("co-signing until"))
    co_signers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-signers"),
        through="MotionSignature",
        blank=True,
        related_name="+",
    )
    decision = models.CharField(
        _("committee decision"), max_length=20, choices=MotionDecision.choices, default=MotionDecision.PENDING
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision=MotionDecision.RETURNED) | ~Q(decision_reason=""),
                name="cases_motion_return_reason",
                violation_error_message=_("A returned motion needs a reason."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class MotionSignature(models.Model):
    """A representative co-signing (附议) a motion; once per person."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="signatures"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("co-signer"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-signature")
        verbose_name_plural = _("co-signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "person"],
                name="cases_motion_signature_unique",
                violation_error_message=_("You have already co-signed this motion."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} co-signs {self.motion_id}"


class Case(TimeStampedModel):
    """Something an employee raised, and where it stands: registered → accepted (or returned) → assigned →
    in progress → replied → rated → follow-up → closed. Duplicates are merged into another case, never deleted.

    An anonymous case names nobody: `raiser` is NULL and the raiser's receipt is stored only as a slow hash.
    """

    source = models.CharField(
        _("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.DIRECT
    )
    reception = models.ForeignKey(
        ReceptionDay,
        verbose_name=_("reception day"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    consultation_desk = models.ForeignKey(
        ConsultationDesk,
        verbose_name=_("consultation desk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    motion = models.ForeignKey(
        Motion,
        verbose_name=_("motion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("raised in"), on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    raiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raised_cases",
        help_text=_("empty when raised anonymously"),
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    receipt_hash = models.CharField(
        _("receipt hash"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    handling_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("main handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    co_handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("co-handlers"), blank=True, related_name="co_handled_cases"
    )
    due_date = models.DateField(_("reply due by"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # Working days from assignment to the reply, `workdays.working_days_taken(assigned_at, replied_at)`: the
    # working days after the local day of `assigned_at` up to and including the local day of `replied_at` (a
    # reply on the day of assignment takes 0). Set with `replied_at` by `actions.reply`; a reopened case
    # replied again takes the figure of its latest reply, like `replied_at`. NULL until replied, or when the
    # case was never assigned. The dashboard averages it in SQL.
    reply_working_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    reopened = models.BooleanField(_("reopened once"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    escalated_to = models.CharField(_("escalated to meeting"), max_length=200, blank=True)
    escalation_decision = models.TextField(_("meeting decision"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1, help_text=_("bumped on every change"))

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(raiser__isnull=True),
                name="cases_anonymous_names_nobody",
                violation_error_message=_("An anonymous case cannot name its raiser."),
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=True) | Q(raiser__isnull=False),
                name="cases_named_has_raiser",
                violation_error_message=_("A case that is not anonymous needs the person who raised it."),
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=True) | Q(receipt_hash__isnull=True),
                name="cases_receipt_only_anonymous",
                violation_error_message=_("Only anonymous cases have a receipt."),
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")),
                name="cases_not_merged_into_itself",
                violation_error_message=_("A case cannot be merged into itself."),
            ),
        ]
        indexes = [
            models.Index(fields=["handler", "status", "due_date"], name="cases_handler_queue_idx"),
            models.Index(fields=["handling_unit", "status", "due_date"], name="cases_dept_queue_idx"),
            # the handler's queue (`queries.handler_queue`): the waiting cases of the departments, per department
            models.Index(
                fields=["handling_unit", "due_date"],
                condition=Q(status__in=REPLYABLE_STATUSES),
                name="cases_dept_waiting_idx",
            ),
            models.Index(fields=["unit", "status", "due_date"], name="cases_unit_status_idx"),
            models.Index(fields=["raiser", "-created_at"], name="cases_raiser_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


class CaseEvent(AppendOnlyModel):
    """One step of a case's timeline. Written once. `actor` is NULL for the anonymous raiser (and for the
    system); `public` events are shown to the raiser, the others only to the people handling the case."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    public = models.BooleanField(_("shown to the raiser"), default=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="cases_event_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_kind_display()}"


class CaseAttachment(TimeStampedModel):
    """A file sent with a reply (or another step) of a case. Checked from its content and stored by its SHA-256
    (`disclosures.uploads`); served only through a view that checks the reader may see the case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="attachments"
    )
    event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="cases/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
