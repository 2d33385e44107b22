"""Changes of state of the catalog and the schedule: one function per action, transactional, audited.

The catalog is group-wide: only an administrator of the root unit edits it. A schedule is generated from the
catalog for a unit's subtree (its leading group or admin) or for the whole group (a group admin), and the unit's
leading group or admin assigns a responsible person where the catalog's role has no holder on the unit.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import ROOT, AccessDenied, get_scope, require
from gongkai.core.choices import Role
from gongkai.core.notify import notify
from gongkai.org.models import Person, RoleAssignment, Unit

from . import catalog
from .choices import Frequency
from .models import CatalogItem, Category, ScheduleEntry

CHUNK = 900  # ids per IN (...): below SQLite's historical limit of 999 parameters

# ----------------------------------------------------------------------------------- who may edit


def is_catalog_admin(user) -> bool:
    """An administrator of a root unit (or a superuser): the catalog is the whole group's."""
    paths = get_scope(user).paths(Role.ADMIN)
    return any(p == ROOT or len(p) == Unit.steplen for p in paths)


def _require_catalog_admin(actor) -> None:
    if actor is not None and not is_catalog_admin(actor):
        raise AccessDenied(Role.ADMIN)


def _stale(what: str) -> ValidationError:
    return ValidationError(
        _("Someone else changed this %(what)s after you opened the form. Please reload and try again.")
        % {"what": what},
        code="stale",
    )


# ----------------------------------------------------------------------------------- categories


@transaction.atomic
def create_category(*, actor, code: str, name: str, order: int = 0) -> Category:
    _require_catalog_admin(actor)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError(_("A category needs a code and a name."))
    if len(code) > 20 or len(name) > 80:
        raise ValidationError(_("The code must be at most 20 characters and the name at most 80."))
    if Category.objects.filter(code=code).exists():
        raise ValidationError(_("Category code %(code)s is already used.") % {"code": code})
    category = Category.objects.create(code=code, name=name, order=max(0, order))
    ledger.record(
        "disclosures.create_category",
        category,
        actor=actor,
        change={"code": code, "name": name, "order": order},
    )
    return category


@transaction.atomic
def update_category(
    *, actor, category: Category, name: str, order: int, active: bool, expected_version: str | None = None
) -> Category:
    _require_catalog_admin(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    if expected_version is not None and expected_version != category.updated_at.isoformat():
        raise _stale(_("category"))
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationError(_("The name is required and must be at most 80 characters."))
    before: dict[str, Any] = {"name": category.name, "order": category.order, "active": category.active}
    after: dict[str, Any] = {"name": name, "order": max(0, order), "active": active}
    if before == after:
        return category
    category.name, category.order, category.active = after["name"], after["order"], active
    category.save(update_fields=["name", "order", "active", "updated_at"])
    ledger.record(
        "disclosures.update_category", category, actor=actor, change={"before": before, "after": after}
    )
    return category


# ----------------------------------------------------------------------------------- items


def _categories() -> dict[str, int]:
    return dict(Category.objects.values_list("code", "pk"))


def _item_change(item: CatalogItem) -> dict[str, Any]:
    return {
        "category": item.category_id,
        "title": item.title,
        "description": item.description,
        "unit_kinds": list(item.unit_kinds),
        "frequency": item.frequency,
        "forms": list(item.forms),
        "responsible_role": item.responsible_role,
        "due_days": item.due_days,
        "order": item.order,
        "active": item.active,
    }


@transaction.atomic
def create_item(*, actor, **raw: Any) -> CatalogItem:
    """Add an item. `raw` holds the values as `catalog.clean_item` takes them (codes or names)."""
    _require_catalog_admin(actor)
    values, errors = catalog.clean_item(raw, _categories())
    if not errors and CatalogItem.objects.filter(code=values["code"]).exists():
        errors.append(("code", _("Item code %(code)s is already used.") % {"code": values["code"]}))
    catalog.raise_errors(errors)
    values["order"] = values["order"] or 0
    item = CatalogItem.objects.create(**values)
    ledger.record("disclosures.create_catalog_item", item, actor=actor, change=_item_change(item))
    return item


@transaction.atomic
def update_item(*, actor, item: CatalogItem, expected_version: str | None = None, **raw: Any) -> CatalogItem:
    """Change an item (its code stays). `expected_version` is the `updated_at` the form was built from: if
    someone saved the item in the meantime, nothing is written."""
    _require_catalog_admin(actor)
    item = CatalogItem.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and expected_version != item.updated_at.isoformat():
        raise _stale(_("item"))
    values, errors = catalog.clean_item({**raw, "code": item.code}, _categories())
    catalog.raise_errors(errors)
    if values["order"] is None:
        values["order"] = item.order
    before = _item_change(item)
    for name in catalog.ITEM_FIELDS:
        setattr(item, name, values[name])
    after = _item_change(item)
    if before == after:
        return item
    item.save()
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    ledger.record("disclosures.update_catalog_item", item, actor=actor, change=changed)
    return item


@transaction.atomic
def set_item_active(*, actor, item: CatalogItem, active: bool) -> CatalogItem:
    """Deactivate an item (no new schedule entries; existing ones stay) or activate it again."""
    _require_catalog_admin(actor)
    updated = (
        CatalogItem.objects.filter(pk=item.pk)
        .exclude(active=active)
        .update(active=active, updated_at=timezone.now())
    )
    item.refresh_from_db()
    if updated:
        ledger.record(
            "disclosures.activate_catalog_item" if active else "disclosures.deactivate_catalog_item",
            item,
            actor=actor,
            change={"code": item.code},
        )
    return item


def _upsert_items(rows: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Add or update items from cleaned values (keyed by code); returns the codes added and changed."""
    rows = list(rows)
    existing = {
        i.code: i for i in CatalogItem.objects.select_for_update().filter(code__in=[r["code"] for r in rows])
    }
    now = timezone.now()
    added: list[CatalogItem] = []
    changed: list[CatalogItem] = []
    for values in rows:
        item = existing.get(values["code"])
        if item is None:
            added.append(CatalogItem(**{**values, "order": values["order"] or 0}))
            continue
        values = {**values, "order": item.order if values["order"] is None else values["order"]}
        if any(getattr(item, name) != values[name] for name in catalog.ITEM_FIELDS):
            for name in catalog.ITEM_FIELDS:
                setattr(item, name, values[name])
            item.updated_at = now
            changed.append(item)
    CatalogItem.objects.bulk_create(added)
    CatalogItem.objects.bulk_update(changed, [*catalog.ITEM_FIELDS, "updated_at"])
    return {"added": [i.code for i in added], "changed": [i.code for i in changed]}


@transaction.atomic
def load_catalog(*, actor, data: dict) -> dict[str, int]:
    """Add or update (by code) the categories and items of a catalog given as data (see catalog.json).

    Every item is validated first; one bad item and nothing is written. Items and categories that the data
    does not name are left as they are. Running it twice changes nothing the second time.
    """
    _require_catalog_admin(actor)
    problems: list[str] = []
    categories = _categories()
    now = timezone.now()
    cats_added: list[str] = []
    cats_changed: list[str] = []
    for position, spec in enumerate(data["categories"], start=1):
        code, name = str(spec.get("code", "")).strip(), str(spec.get("name", "")).strip()
        if not code or not name:
            problems.append(_("Category %(n)s has no code or no name.") % {"n": position})
            continue
        order = int(spec.get("order", position))
        if code not in categories:
            category = Category.objects.create(code=code, name=name, order=order)
            categories[code] = category.pk
            cats_added.append(code)
        else:
            n = (
                Category.objects.filter(code=code)
                .exclude(name=name, order=order)
                .update(name=name, order=order, updated_at=now)
            )
            if n:
                cats_changed.append(code)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for spec in data["categories"]:
        for raw in spec.get("items", []):
            values, errors = catalog.clean_item({**raw, "category": spec.get("code", "")}, categories)
            for name, message in errors:
                problems.append(f"{raw.get('code') or '?'} · {catalog.LABELS[name]}: {message}")
            if values["code"] in seen:
                problems.append(_("Item code %(code)s appears twice.") % {"code": values["code"]})
            seen.add(values["code"])
            rows.append(values)
    if problems:
        raise ValidationError(problems)
    result = _upsert_items(rows)
    counts = {
        "categories_added": len(cats_added),
        "categories_changed": len(cats_changed),
        "items_added": len(result["added"]),
        "items_changed": len(result["changed"]),
        "items_unchanged": len(rows) - len(result["added"]) - len(result["changed"]),
    }
    if cats_added or cats_changed or result["added"] or result["changed"]:
        ledger.record(
            "disclosures.load_catalog",
            actor=actor,
            object_type="disclosures.catalogitem",
            change={"counts": counts, "categories": cats_added + cats_changed, **result},
        )
    return counts


@transaction.atomic
def apply_catalog_import(*, actor, plan: catalog.CatalogPlan) -> dict[str, int]:
    """Write an import plan, all or nothing, if the data it was computed from has not changed since."""
    _require_catalog_admin(actor)
    if plan.errors:
        raise ValidationError(_("The file has errors; nothing was imported."))
    codes = [e.code for e in plan.added + plan.changed] + plan.unchanged
    list(CatalogItem.objects.select_for_update().filter(code__in=codes).values_list("pk"))
    if catalog.fingerprint(codes) != plan.fingerprint:
        raise ValidationError(
            _("The catalog changed since the preview; please check the new preview."), code="stale"
        )
    result = _upsert_items(e.values for e in plan.added + plan.changed)
    counts = plan.counts
    ledger.record(
        "disclosures.import_catalog",
        actor=actor,
        object_type="disclosures.catalogitem",
        change={"file": plan.filename, "sha256": plan.file_sha256, "counts": counts, **result},
    )
    return counts


# ----------------------------------------------------------------------------------- schedule


def period_bounds(frequency: str, year: int) -> list[tuple[str, dt.date, dt.date]]:
    """The periods of a year for a frequency: [(label, first day, last day)]; none for on-event items.

    Labels: "2026-03" (monthly), "2026-Q1" (quarterly), "2026-H1" (half-yearly), "2026" (yearly).
    """

    def month_end(month: int) -> dt.date:
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    if frequency == Frequency.MONTHLY:
        return [(f"{year}-{m:02d}", dt.date(year, m, 1), month_end(m)) for m in range(1, 13)]
    if frequency == Frequency.QUARTERLY:
        return [(f"{year}-Q{q}", dt.date(year, 3 * q - 2, 1), month_end(3 * q)) for q in range(1, 5)]
    if frequency == Frequency.HALF_YEARLY:
        return [
            (f"{year}-H1", dt.date(year, 1, 1), month_end(6)),
            (f"{year}-H2", dt.date(year, 7, 1), month_end(12)),
        ]
    if frequency == Frequency.YEARLY:
        return [(str(year), dt.date(year, 1, 1), month_end(12))]
    return []


def _require_schedule_rights(actor, unit: Unit | None) -> None:
    if actor is None:  # the system: management commands, the demo
        return
    if unit is None:
        if not is_catalog_admin(actor):
            raise AccessDenied(Role.ADMIN)
        return
    require(actor, (Role.ADMIN, Role.LEADING_GROUP), unit.path)


def _insert_entries(item: CatalogItem, year: int, unit: Unit | None) -> int:
    """Insert the missing entries of one item for a year with one INSERT ... SELECT: every active unit of a kind
    the item names (in the subtree of `unit`), crossed with the item's periods, minus the entries that exist,
    with the holder of the responsible role on the unit (the lowest person pk) or none. Returns the rows added.

    Done in the database, not by building model objects in Python: a year of the `large` demo group is
    330,000 entries. The unique (unit, item, period) constraint settles concurrent runs (rows are skipped).
    """
    periods = period_bounds(item.frequency, year)
    if not periods:
        return 0
    postgres = connection.vendor == "postgresql"
    date = "CAST(%s AS DATE)" if postgres else "%s"

    def day(value: dt.date):
        return value if postgres else value.isoformat()

    qn = connection.ops.quote_name
    entry_t, unit_t = qn(ScheduleEntry._meta.db_table), qn(Unit._meta.db_table)
    role_t, person_t = qn(RoleAssignment._meta.db_table), qn(Person._meta.db_table)
    period_sql = " UNION ALL ".join(
        f"SELECT %s AS period, {date} AS period_start, {date} AS period_end, {date} AS due_date"
        for _ in periods
    )
    period_params: list = []
    for label, start, end in periods:
        period_params += [label, day(start), day(end), day(end + dt.timedelta(days=item.due_days))]
    kinds = ", ".join(["%s"] * len(item.unit_kinds))
    subtree = "AND u.path LIKE %s" if unit is not None else ""
    sql = f"""
        INSERT {"" if postgres else "OR IGNORE "}INTO {entry_t}
            (unit_id, item_id, period, period_start, period_end, due_date, responsible_id, published_on)
        SELECT u.id, %s, p.period, p.period_start, p.period_end, p.due_date, h.person_id, NULL
        FROM {unit_t} u
        CROSS JOIN ({period_sql}) p
        LEFT JOIN (
            SELECT ra.unit_id, MIN(ra.person_id) AS person_id
            FROM {role_t} ra JOIN {person_t} pe ON pe.id = ra.person_id
            WHERE ra.role = %s AND pe.is_active = %s
            GROUP BY ra.unit_id
        ) h ON h.unit_id = u.id
        WHERE u.active = %s AND u.kind IN ({kinds}) {subtree}
          AND NOT EXISTS (
            SELECT 1 FROM {entry_t} e WHERE e.unit_id = u.id AND e.item_id = %s AND e.period = p.period
          )
        {"ON CONFLICT DO NOTHING" if postgres else ""}
    """  # noqa: S608 - table names from the models, every value a parameter
    params = [item.pk, *period_params, item.responsible_role, True, True, *item.unit_kinds]
    if unit is not None:
        params.append(f"{unit.path}%")
    params.append(item.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


@transaction.atomic
def generate_schedule(actor, unit: Unit | None, year: int) -> int:
    """Create the missing schedule entries of a year for every active unit of the subtree (or of the whole group)
    whose kind the catalog's active items name. Returns how many were created; running it again creates none.

    The responsible person of a new entry is the holder of the item's responsible role on the unit itself (the
    first by primary key if several hold it); without one the entry is unassigned. Entries left unassigned by
    an earlier run get the holder appointed since. Bulk: a few queries whatever the number of units.
    """
    if not 1900 < year < 3000:
        raise ValidationError(_("Choose a year between 1901 and 2999."))
    _require_schedule_rights(actor, unit)
    items = list(
        CatalogItem.objects.filter(active=True, category__active=True)
        .exclude(frequency=Frequency.ON_EVENT)
        .order_by("pk")
    )
    roles = sorted({i.responsible_role for i in items})
    created = sum(_insert_entries(item, year, unit) for item in items if item.unit_kinds)

    # entries left unassigned by an earlier run, on units where someone holds the item's role now
    holders = RoleAssignment.objects.filter(role__in=roles, person__is_active=True, unit__active=True)
    if unit is not None:
        holders = holders.filter(unit__path__startswith=unit.path)
    held: dict[str, list[int]] = {}
    for unit_id, role in sorted(set(holders.values_list("unit_id", "role"))):
        held.setdefault(role, []).append(unit_id)
    assigned = 0
    for role, unit_ids in held.items():
        holder = (
            RoleAssignment.objects.filter(unit_id=OuterRef("unit_id"), role=role, person__is_active=True)
            .order_by("person_id")
            .values("person_id")[:1]
        )
        item_ids = [i.pk for i in items if i.responsible_role == role]
        for start in range(0, len(unit_ids), CHUNK):
            assigned += ScheduleEntry.objects.filter(
                unit_id__in=unit_ids[start : start + CHUNK],
                item_id__in=item_ids,
                period_start__gte=dt.date(year, 1, 1),
                period_start__lte=dt.date(year, 12, 31),
                responsible__isnull=True,
                published_on__isnull=True,
            ).update(responsible=Subquery(holder))
    ledger.record(
        "disclosures.generate_schedule",
        actor=actor,
        object_type="disclosures.scheduleentry",
        change={
            "unit": unit.code if unit else None,
            "year": year,
            "created": created,
            "assigned": assigned,
        },
    )
    return created


@transaction.atomic
def assign_responsible(*, actor, entry: ScheduleEntry, person: Person, following: bool = False) -> int:
    """Name the responsible person of a schedule entry (and, with `following`, of the later unpublished entries
    of the same unit and item). Returns how many entries changed."""
    unit = entry.unit
    require(actor, (Role.ADMIN, Role.LEADING_GROUP), unit.path)
    if not person.is_active or person.unit is None:
        raise ValidationError(_("%(name)s is not an active member of the group.") % {"name": person.name})
    person_path = person.unit.path
    if not (person_path.startswith(unit.path) or unit.path.startswith(person_path)):
        raise ValidationError(
            _("The responsible person must belong to %(unit)s, one of its sub-units or a unit above it.")
            % {"unit": unit.name}
        )
    entry = ScheduleEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.published_on is not None:
        raise ValidationError(
            _("This disclosure is already published; its responsible person stays as it was.")
        )
    targets = ScheduleEntry.objects.filter(pk=entry.pk)
    if following:
        targets = ScheduleEntry.objects.filter(
            unit_id=entry.unit_id,
            item_id=entry.item_id,
            period_start__gte=entry.period_start,
            published_on__isnull=True,
        )
    changed = targets.exclude(responsible_id=person.pk).update(responsible_id=person.pk)
    if changed:
        ledger.record(
            "disclosures.assign_responsible",
            entry,
            actor=actor,
            change={"person": person.employee_no, "following": following, "entries": changed},
        )
        notify(
            person,
            "disclosures.assigned",
            _("You are responsible for %(item)s of %(unit)s") % {"item": entry.item.title, "unit": unit.name},
            url=reverse("disclosures:compliance_item", args=[unit.pk, entry.item_id])
            + f"?year={entry.period_start.year}",
            body=_("From period %(period)s, due %(due)s.") % {"period": entry.period, "due": entry.due_date},
            key=f"disclosures.assigned.{entry.pk}",
        )
    return changed
