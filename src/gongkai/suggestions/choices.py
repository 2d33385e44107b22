"""Choices of the suggestions capability."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    SAFETY = "safety", _("Safe production")  # 安全生产
    MANAGEMENT = "management", _("Business management")  # 经营管理
    TECHNICAL = "technical", _("Technical improvement")  # 技术改造
    GOING_OUT = "going_out", _("Going-out business")  # 走出去创业
    DISCLOSURE = "disclosure", _("Deepening disclosure")  # 深化企务公开
    EFFICIENCY = "efficiency", _("Saving and efficiency")  # 节能降耗、提质增效
    OTHER = "other", pgettext_lazy("suggestion category", "Other")


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("suggestion status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("suggestion status", "Submitted, awaiting screening")
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("suggestion status", "Not accepted")
    IN_REVIEW = "in_review", pgettext_lazy("suggestion status", "In expert review")
    ADOPTED = "adopted", pgettext_lazy("suggestion status", "Adopted")
    SHELVED = "shelved", pgettext_lazy("suggestion status", "Shelved for later")
    REJECTED = "rejected", pgettext_lazy("suggestion status", "Rejected")
    IMPLEMENTING = "implementing", pgettext_lazy("suggestion status", "Being implemented")
    IMPLEMENTED = "implemented", pgettext_lazy("suggestion status", "Implemented, benefit being measured")
    MEASURED = "measured", pgettext_lazy("suggestion status", "Benefit measured")
    AWARDED = "awarded", pgettext_lazy("suggestion status", "Award granted")
    PAID = "paid", pgettext_lazy("suggestion status", "Award paid")
    ARCHIVED = "archived", pgettext_lazy("suggestion status", "Archived")


# waiting for the first answer (screening or the panel's conclusion): the deadline applies
AWAITING_ANSWER = (Status.SUBMITTED, Status.IN_REVIEW)
# counted as adopted in statistics (adopted and everything that follows adoption)
ADOPTED_STATUSES = (
    Status.ADOPTED,
    Status.IMPLEMENTING,
    Status.IMPLEMENTED,
    Status.MEASURED,
    Status.AWARDED,
    Status.PAID,
)
# a decision was reached (the denominator of the adoption rate)
DECIDED_STATUSES = (*ADOPTED_STATUSES, Status.NOT_ACCEPTED, Status.SHELVED, Status.REJECTED)


class Consent(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class Decision(models.TextChoices):
    ADOPT = "adopt", _("Adopt")
    SHELVE = "shelve", _("Shelve for later")
    REJECT = "reject", _("Reject")


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft created")
    COAUTHOR_INVITED = "coauthor_invited", _("Co-author invited")
    COAUTHOR_CONFIRMED = "coauthor_confirmed", _("Co-author confirmed")
    COAUTHOR_DECLINED = "coauthor_declined", _("Co-author declined")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted for expert review")
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("suggestion event", "Not accepted")
    REVIEWED = "reviewed", _("Reviewer scored")
    ADOPTED = "adopted", pgettext_lazy("suggestion event", "Adopted")
    SHELVED = "shelved", pgettext_lazy("suggestion event", "Shelved for later")
    REJECTED = "rejected", pgettext_lazy("suggestion event", "Rejected")
    REOPENED = "reopened", _("Taken up again")
    DUPLICATE = "duplicate", _("Marked as the same idea as an earlier suggestion")
    IMPLEMENTATION_PLANNED = "implementation_planned", _("Implementation planned")
    IMPLEMENTED = "implemented", pgettext_lazy("suggestion event", "Implemented")
    MEASURED = "measured", pgettext_lazy("suggestion event", "Benefit measured")
    AWARDED = "awarded", pgettext_lazy("suggestion event", "Award granted")
    PAID = "paid", pgettext_lazy("suggestion event", "Award paid")
    ARCHIVED = "archived", pgettext_lazy("suggestion event", "Archived")
    COMMENT = "comment", _("Note")
