from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    GROUP = "group", _("Group company")
    MINE = "mine", _("Mine")
    PLANT = "plant", _("Plant")
    COMPANY = "company", _("Company")
    INSTITUTE = "institute", _("Institute")
    OFFICE = "office", _("Office")
    DEPARTMENT = "department", _("Head-office department")
    SECTION = "section", _("Section")
    WORKSHOP = "workshop", _("Workshop")
    TEAM = "team", _("Team")
    PROJECT = "project", _("Project department")


BASE_UNIT_KINDS = {
    UnitKind.MINE,
    UnitKind.PLANT,
    UnitKind.COMPANY,
    UnitKind.INSTITUTE,
    UnitKind.OFFICE,
    UnitKind.DEPARTMENT,
    UnitKind.PROJECT,
}
