"""The organisation: a unit tree of any depth, people, their roles per unit, and constituencies."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node

from gongkai.core.choices import Role
from gongkai.core.models import TimeStampedModel
from gongkai.core.text import search_key

from .choices import UnitKind


class Unit(MP_Node, TimeStampedModel):
    """An org unit. Materialized path (treebeard): the subtree of a unit is every unit whose path starts with
    its path; moving a unit rewrites the paths of its whole subtree in one statement."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def ancestor_paths(self) -> list[str]:
        """Own path and those of all ancestors, root first (computed from the path, no query)."""
        step = self.steplen
        return [self.path[:i] for i in range(step, len(self.path) + 1, step)]


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, employee_no: str, name: str = "", password: str | None = None, **extra):
        person = self.model(employee_no=employee_no, name=name or employee_no, **extra)
        person.set_password(password)
        person.save()
        return person

    def create_superuser(self, employee_no: str, name: str = "", password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(employee_no, name, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    """A person of the group. The employee number is the login name. People are deactivated, never deleted."""

    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    posts = models.CharField(_("posts"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    constituency = models.ForeignKey(
        "Constituency",
        verbose_name=_("constituency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    search_text = models.CharField(max_length=200, blank=True, editable=False)

    objects = PersonManager()

    USERNAME_FIELD = "employee_no"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["unit", "is_active"], name="org_person_unit_active_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"

    def save(self, *args, **kwargs):
        self.search_text = search_key(f"{self.name} {self.employee_no}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_text"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class RoleAssignment(TimeStampedModel):
    """A role held by a person on a unit; it reaches the unit's whole subtree."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    title = models.CharField(
        pgettext_lazy("role", "title"), max_length=60, blank=True, help_text=_("e.g. union chair")
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "unit", "role"],
                name="org_role_unique",
                violation_error_message=_("This person already holds this role on this unit."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.unit}"


class Constituency(TimeStampedModel):
    """A constituency (选区): the employees that a set of representatives stand for."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="constituencies"
    )
    representatives = models.ManyToManyField(
        Person, verbose_name=_("representatives"), blank=True, related_name="represents"
    )

    class Meta:
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "unit",
                name="org_constituency_name_unique",
                violation_error_message=_("A constituency with this name exists in this unit."),
            )
        ]

    def __str__(self) -> str:
        return self.name
