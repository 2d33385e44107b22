"""Choices of the case capability."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """Where a case was raised."""

    DIRECT = "direct", _("Raised directly")
    RECEPTION = "reception", _("Reception day")
    INSPECTION = "inspection", _("Representatives' inspection")
    CONSULTATION = "consultation", _("Consultation desk")
    MOTION = "motion", _("Congress motion")
    SURVEY = "survey", _("Survey")
    CHECK = "check", _("Inspection finding")


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    RATED = "rated", _("Rated")
    FOLLOW_UP = "follow_up", _("Follow-up visit done")
    CLOSED = "closed", _("Closed")


# a case in one of these is still waiting for someone to act (queues, overdue flags)
OPEN_STATUSES = (
    CaseStatus.REGISTERED,
    CaseStatus.ACCEPTED,
    CaseStatus.ASSIGNED,
    CaseStatus.IN_PROGRESS,
)
# the handler may reply in these
REPLYABLE_STATUSES = (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)
# finished: nothing more happens to the case
FINAL_STATUSES = (CaseStatus.RETURNED, CaseStatus.CLOSED)


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class Satisfaction(models.TextChoices):
    """The raiser's rating of the reply (满意 / 基本满意 / 不满意)."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class EventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    ASSIGNED = "assigned", _("Assigned")
    STARTED = "started", _("Handling started")
    CHASED = "chased", _("Chased")
    REPLIED = "replied", _("Replied")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")
    FOLLOWED_UP = "followed_up", _("Follow-up visit")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another case")
    MERGED_IN = "merged_in", _("A duplicate was merged in")
    ESCALATED = "escalated", _("Escalated to a meeting")
    DECIDED = "decided", _("Meeting decision")
    QUESTION = "question", _("Question to the raiser")
    RAISER_NOTE = "raiser_note", _("Information from the raiser")


class ConsultationTopic(models.TextChoices):
    ANNUITY = "annuity", _("Enterprise annuity")
    HOUSING_FUND = "housing_fund", _("Housing provident fund")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    RETIREMENT = "retirement", _("Retirement")
    MEDICAL = "medical", _("Medical insurance")
    WAGES = "wages", _("Wages and benefits")
    OTHER = "other", _("Other")


class MotionDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting the committee")
    ACCEPTED = "accepted", _("Accepted as a motion")
    RETURNED = "returned", _("Returned")


# 三查一听一看: the checklist of a representatives' inspection
CHECKLIST_KEYS = ("check_records", "check_documents", "questionnaire", "listen", "look_at_boards")
