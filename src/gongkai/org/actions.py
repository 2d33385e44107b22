"""Every change of state in the organisation: one function per user action, transactional, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import AccessDenied, forget, get_scope, require
from gongkai.core.choices import Role

from .models import Constituency, Person, RoleAssignment, Unit


def _require_admin(actor, unit: Unit | None) -> None:
    if unit is None:
        if not get_scope(actor).has_role(Role.ADMIN, ""):
            raise AccessDenied(Role.ADMIN)
        return
    require(actor, Role.ADMIN, unit.path)


@transaction.atomic
def create_unit(*, actor, parent: Unit | None, code: str, name: str, kind: str) -> Unit:
    _require_admin(actor, parent)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError(_("A unit needs a code and a name."))
    if Unit.objects.filter(code=code).exists():
        raise ValidationError(_("Unit code %(code)s is already used.") % {"code": code})
    fields = {"code": code, "name": name, "kind": kind}
    unit = Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)
    ledger.record(
        "org.create_unit",
        unit,
        actor=actor,
        change={"code": code, "name": name, "kind": kind, "parent": parent.code if parent else None},
    )
    return unit


@transaction.atomic
def update_unit(*, actor, unit: Unit, name: str, kind: str, active: bool) -> Unit:
    _require_admin(actor, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = {"name": unit.name, "kind": unit.kind, "active": unit.active}
    unit.name, unit.kind, unit.active = name.strip(), kind, active
    unit.save(update_fields=["name", "kind", "active", "updated_at"])
    ledger.record(
        "org.update_unit",
        unit,
        actor=actor,
        change={"before": before, "after": {"name": unit.name, "kind": kind, "active": active}},
    )
    return unit


@transaction.atomic
def move_unit(*, actor, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit (and so its whole subtree) under another unit."""
    _require_admin(actor, unit)
    _require_admin(actor, new_parent)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("A unit cannot be moved into its own subtree."))
    old_parent = Unit.objects.get_parent(unit)
    Unit.objects.move(unit, new_parent, "sorted-child")
    unit.refresh_from_db()
    ledger.record(
        "org.move_unit",
        unit,
        actor=actor,
        change={"from": old_parent.code if old_parent else None, "to": new_parent.code},
    )
    return unit


@transaction.atomic
def create_person(
    *,
    actor,
    unit: Unit,
    employee_no: str,
    name: str,
    posts: str = "",
    phone: str = "",
    email: str = "",
    password: str | None = None,
) -> Person:
    _require_admin(actor, unit)
    if Person.objects.filter(employee_no=employee_no).exists():
        raise ValidationError(_("Employee number %(no)s is already used.") % {"no": employee_no})
    person = Person(employee_no=employee_no, name=name, unit=unit, posts=posts, phone=phone, email=email)
    person.set_password(password)
    person.full_clean(exclude=["password"])
    person.save()
    ledger.record(
        "org.create_person",
        person,
        actor=actor,
        change={"employee_no": employee_no, "name": name, "unit": unit.code, "posts": posts, "phone": phone},
    )
    return person


PERSON_FIELDS = ("name", "posts", "phone", "email")


@transaction.atomic
def update_person(
    *, actor, person: Person, unit: Unit | None = None, expected_version: str | None = None, **fields
) -> Person:
    """Change a person's details. `expected_version` (the `updated_at` the form was built from) refuses a
    stale form: if someone else saved the person in the meantime, nothing is written."""
    _require_admin(actor, person.unit)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if expected_version is not None and expected_version != person.updated_at.isoformat():
        raise ValidationError(
            _("Someone else changed this person after you opened the form. Please reload and try again.")
        )
    changes: dict = {}
    for name in PERSON_FIELDS:
        if name in fields and fields[name] != getattr(person, name):
            changes[name] = [getattr(person, name), fields[name]]
            setattr(person, name, fields[name])
    if unit is not None and unit.pk != person.unit_id:
        _require_admin(actor, unit)
        changes["unit"] = [person.unit.code if person.unit else None, unit.code]
        person.unit = unit
    if not changes:
        return person
    person.full_clean(exclude=["password"])
    person.save()
    ledger.record("org.update_person", person, actor=actor, change=changes)
    return person


@transaction.atomic
def set_person_active(*, actor, person: Person, active: bool, reason: str = "") -> Person:
    """Deactivate (never delete) or reactivate a person."""
    _require_admin(actor, person.unit)
    if person.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate yourself."))
    Person.objects.filter(pk=person.pk).update(is_active=active)
    person.is_active = active
    ledger.record(
        "org.activate_person" if active else "org.deactivate_person",
        person,
        actor=actor,
        change={"reason": reason},
    )
    return person


@transaction.atomic
def grant_role(*, actor, person: Person, unit: Unit, role: str, title: str = "") -> RoleAssignment:
    _require_admin(actor, unit)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if RoleAssignment.objects.filter(person=person, unit=unit, role=role).exists():
        raise ValidationError(_("This person already holds this role on this unit."))
    assignment = RoleAssignment.objects.create(person=person, unit=unit, role=role, title=title)
    forget(person)
    ledger.record(
        "org.grant_role",
        assignment,
        actor=actor,
        change={"person": person.employee_no, "unit": unit.code, "role": role, "title": title},
    )
    return assignment


@transaction.atomic
def revoke_role(*, actor, assignment: RoleAssignment) -> None:
    _require_admin(actor, assignment.unit)
    change = {"person": assignment.person.employee_no, "unit": assignment.unit.code, "role": assignment.role}
    pk = assignment.pk
    assignment.delete()
    forget(assignment.person)
    ledger.record(
        "org.revoke_role", actor=actor, object_type="org.roleassignment", object_id=str(pk), change=change
    )


@transaction.atomic
def create_constituency(*, actor, unit: Unit, code: str, name: str) -> Constituency:
    _require_admin(actor, unit)
    if Constituency.objects.filter(code=code).exists():
        raise ValidationError(_("Constituency code %(code)s is already used.") % {"code": code})
    constituency = Constituency.objects.create(unit=unit, code=code, name=name)
    ledger.record(
        "org.create_constituency",
        constituency,
        actor=actor,
        change={"unit": unit.code, "code": code, "name": name},
    )
    return constituency


@transaction.atomic
def set_constituency_members(
    *, actor, constituency: Constituency, members: list[Person], representatives: list[Person]
) -> Constituency:
    """Set who a constituency's representatives are and whom they stand for."""
    _require_admin(actor, constituency.unit)
    outside = [
        p
        for p in members + representatives
        if p.unit is None or not p.unit.path.startswith(constituency.unit.path)
    ]
    if outside:
        raise ValidationError(
            _("%(name)s does not belong to the constituency's unit.") % {"name": outside[0].name}
        )
    missing = [p for p in representatives if p not in members]
    if missing:
        raise ValidationError(
            _("Representative %(name)s must be a member of the constituency.") % {"name": missing[0].name}
        )
    Person.objects.filter(constituency=constituency).exclude(pk__in=[p.pk for p in members]).update(
        constituency=None
    )
    Person.objects.filter(pk__in=[p.pk for p in members]).update(constituency=constituency)
    constituency.representatives.set(representatives)
    ledger.record(
        "org.set_constituency_members",
        constituency,
        actor=actor,
        change={
            "members": sorted(p.employee_no for p in members),
            "representatives": sorted(p.employee_no for p in representatives),
        },
    )
    return constituency


@transaction.atomic
def change_password(*, actor, person: Person, new_password: str) -> None:
    """A person changes their own password, or an admin resets someone's."""
    if actor.pk != person.pk:
        _require_admin(actor, person.unit)
    person.set_password(new_password)
    person.save(update_fields=["password"])
    ledger.record("org.change_password", person, actor=actor, change={"by_self": actor.pk == person.pk})


# --------------------------------------------------------------------------------------------- bulk imports
# Plans come from gongkai.org.importing (parse, validate, compare); these functions write them, all or nothing.

IMPORT_BATCH = 1000


def _check_import_plan(actor, plan, kind: str) -> None:
    if plan.kind != kind:
        raise ValidationError(
            _("This preview is not a people import.")
            if kind == "people"
            else _("This preview is not a units import.")
        )
    if plan.actor_id != actor.pk:
        raise ValidationError(_("This preview was made by someone else."))
    if plan.errors:
        raise ValidationError(_("The file has errors; nothing was imported."))
    forget(actor)  # the roles as they are now, not as they were when the actor object was loaded
    if not get_scope(actor).paths(Role.ADMIN):
        raise AccessDenied(Role.ADMIN)


def _stale_import() -> ValidationError:
    return ValidationError(
        _("The data changed since the preview; please check the new preview."), code="stale"
    )


@transaction.atomic
def apply_people_import(*, actor, plan, full: bool) -> dict[str, int]:
    """Write a people import plan: add, update by employee number, deactivate (full imports) — never delete.

    The plan's fingerprint is recomputed inside the transaction, with the affected rows locked: if anything it
    depends on changed since the preview, nothing is written.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import IntegrityError
    from django.utils import timezone

    from gongkai.core.text import search_key

    from . import importing

    _check_import_plan(actor, plan, importing.PEOPLE)
    if bool(full) != plan.full:
        raise ValidationError(
            _("The preview was made for another kind of import (full or not); please preview again.")
        )
    if importing.people_fingerprint_now(plan, actor, lock=True) != plan.fingerprint:
        raise _stale_import()
    now = timezone.now()
    new_people = []
    for entry in plan.added:
        v = entry.values
        new_people.append(
            Person(
                employee_no=entry.key,
                name=v["name"],
                unit_id=v["unit_id"],
                posts=v.get("posts", ""),
                phone=v.get("phone", ""),
                email=v.get("email", ""),
                constituency_id=v.get("constituency_id"),
                is_active=True,
                password=make_password(None),
                search_text=search_key(f"{v['name']} {entry.key}"),
            )
        )
    try:
        with transaction.atomic():
            Person.objects.bulk_create(new_people, batch_size=IMPORT_BATCH)
    except IntegrityError as exc:  # an employee number created by someone else meanwhile
        raise _stale_import() from exc
    del new_people

    fields = {"name", "unit_id", "is_active"} | (
        {"posts", "phone", "email", "constituency_id"}
        & set(k for entry in plan.changed for k in entry.values)
    )
    updated = []
    for entry in plan.changed:
        person = Person(
            pk=entry.pk,
            employee_no=entry.key,
            updated_at=now,
            search_text=search_key(f"{entry.values['name']} {entry.key}"),
        )
        for name in fields:
            setattr(person, name, entry.values.get(name))
        updated.append(person)
    if updated:
        names = sorted({name.removesuffix("_id") for name in fields} | {"search_text", "updated_at"})
        Person.objects.bulk_update(updated, names, batch_size=IMPORT_BATCH)
    del updated

    deactivated_pks = [entry.pk for entry in plan.deactivated]
    for start in range(0, len(deactivated_pks), importing.CHUNK):
        Person.objects.filter(pk__in=deactivated_pks[start : start + importing.CHUNK]).update(
            is_active=False, updated_at=now
        )

    counts = plan.counts
    ledger.record(
        "org.import_people",
        actor=actor,
        object_type="org.person",
        change={
            "file": plan.filename,
            "sha256": plan.file_sha256,
            "full": plan.full,
            "rows": plan.rows,
            "counts": counts,
            "added": [e.key for e in plan.added],
            "changed": [e.key for e in plan.changed],
            "deactivated": [e.key for e in plan.deactivated],
        },
    )
    return counts


@transaction.atomic
def apply_units_import(*, actor, plan) -> dict[str, int]:
    """Write a units import plan: new units under their parent (parents first), name and kind of existing ones."""
    from django.utils import timezone

    from . import importing

    _check_import_plan(actor, plan, importing.UNITS)
    if importing.units_fingerprint_now(plan, actor, lock=True) != plan.fingerprint:
        raise _stale_import()
    for entry in plan.added:  # sorted parents first
        v = entry.values
        if v["parent_code"]:
            # re-read the parent each time: sorted insertion may shift the paths of siblings
            parent = Unit.objects.get(code=v["parent_code"])
            Unit.objects.add_child(parent, {"code": entry.key, "name": v["name"], "kind": v["kind"]})
        else:
            Unit.objects.add_root({"code": entry.key, "name": v["name"], "kind": v["kind"]})
    if plan.changed:
        now = timezone.now()
        Unit.objects.bulk_update(
            [
                Unit(pk=e.pk, name=e.values["name"], kind=e.values["kind"], updated_at=now)
                for e in plan.changed
            ],
            ["name", "kind", "updated_at"],
            batch_size=IMPORT_BATCH,
        )
    counts = plan.counts
    del counts["deactivated"]
    ledger.record(
        "org.import_units",
        actor=actor,
        object_type="org.unit",
        change={
            "file": plan.filename,
            "sha256": plan.file_sha256,
            "rows": plan.rows,
            "counts": counts,
            "added": [e.key for e in plan.added],
            "changed": [e.key for e in plan.changed],
        },
    )
    return counts
