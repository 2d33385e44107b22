"""Choices of the disclosure capability."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")
    ON_EVENT = "on_event", _("On event")


class Form(models.TextChoices):
    WEB = "web", _("Web board")
    BOARD = "board", _("Physical board")
    MEETING = "meeting", _("Meeting")
    CONGRESS = "congress", _("Workers' congress")


class Status(models.TextChoices):
    """Where a disclosure stands in its workflow. Whether readers see it is `Disclosure.is_public`."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned")


class Compliance(models.TextChoices):
    """Computed from the schedule entry's due date and first publication, never typed in."""

    PENDING = "pending", _("Not yet due")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    MISSING = "missing", _("Missing")


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Awaiting answer")
    PUBLISHED = "published", _("Answered by a disclosure")
    DECLINED = "declined", _("Answered: not disclosed")


class BoardLevel(models.TextChoices):
    """Three-level disclosure in a mine: 矿务, 部科务, 区队班务."""

    COMPANY = "company", _("Company level")
    DEPARTMENT = "department", _("Department level")
    SECTION = "section", _("Section and team level")
