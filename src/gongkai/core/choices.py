"""Choices shared by every app: the roles a person can hold on a unit."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    REPRESENTATIVE = "representative", _("Representative")
    DISCLOSURE_OFFICER = "disclosure_officer", _("Disclosure officer")
    LEADING_GROUP = "leading_group", _("Leading group")
    UNION = "union", _("Union")
    DISCIPLINE = "discipline", _("Discipline inspection")
    HANDLER = "handler", _("Handler")
    INTERNAL_AUDITOR = "internal_auditor", _("Internal auditor")
    ADMIN = "admin", _("System admin")
