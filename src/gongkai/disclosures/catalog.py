"""The disclosure catalog (《企务公开管理手册》的公开目录): the standard catalog shipped as data, the validation of
an item's values (shared by the edit form, the JSON loader and the `.xlsx` import), and the `.xlsx` export and
import plan.

The import flow follows the HR import (`gongkai.org.importing`, whose file reader and row errors it reuses):
read the file → map the header (Chinese or English) → validate every row, with the row numbers the spreadsheet
shows → compare with the database → a `CatalogPlan` listing what is added, changed and unchanged. Nothing here
writes: `catalog_actions.apply_catalog_import` writes a plan, all or nothing, after checking its fingerprint.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongkai.core import xlsx
from gongkai.core.choices import Role
from gongkai.core.text import search_key
from gongkai.org.importing import UNIT_KIND_ALIASES, ImportFileError, RowError, normalize_kind, read_table

from .choices import Form, Frequency
from .models import CatalogItem, Category

STANDARD_CATALOG = Path(__file__).resolve().parent / "data" / "catalog.json"
MAX_DUE_DAYS = 365
ITEM_FIELDS = (
    "category_id",
    "title",
    "description",
    "unit_kinds",
    "frequency",
    "forms",
    "responsible_role",
    "due_days",
    "order",
    "active",
)

# ----------------------------------------------------------------------------------- names in the workbook
# The export writes the first name of each list; the import accepts any of them, the code and English words.

FREQUENCY_NAMES: dict[str, tuple[str, ...]] = {
    Frequency.MONTHLY: ("每月", "月度", "按月", "月", "monthly", "month"),
    Frequency.QUARTERLY: ("每季度", "季度", "按季", "每季", "季", "quarterly", "quarter"),
    Frequency.HALF_YEARLY: ("每半年", "半年", "半年度", "half-yearly", "half yearly", "semiannual"),
    Frequency.YEARLY: ("每年", "年度", "按年", "年", "yearly", "annual", "year"),
    Frequency.ON_EVENT: ("随时", "适时", "不定期", "事项发生时", "on event", "on-event", "as needed"),
}
FORM_NAMES: dict[str, tuple[str, ...]] = {
    Form.WEB: ("公开网", "网上公开", "网站", "web board", "web"),
    Form.BOARD: ("公开栏", "公示栏", "physical board", "board"),
    Form.MEETING: ("会议", "会议公开", "meeting"),
    Form.CONGRESS: ("职代会", "职工代表大会", "workers' congress", "congress"),
}
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    Role.DISCLOSURE_OFFICER: ("公开责任人", "公开干事", "disclosure officer"),
    Role.LEADING_GROUP: ("企务公开领导小组", "领导小组", "leading group"),
    Role.UNION: ("工会", "union"),
    Role.DISCIPLINE: ("纪委", "纪检", "discipline inspection", "discipline"),
    Role.HANDLER: ("承办部门", "承办人", "handler"),
    Role.INTERNAL_AUDITOR: ("内审员", "internal auditor"),
    Role.REPRESENTATIVE: ("职工代表", "representative"),
    Role.ADMIN: ("管理员", "系统管理员", "system admin", "admin"),
}
YES = ("是", "启用", "有效", "1", "yes", "y", "true", "active")
NO = ("否", "停用", "无效", "0", "no", "n", "false", "inactive")

_NOISE = re.compile(r"[\s_\-.'*:：]+")
_SPLIT = re.compile(r"[、,，;；/|\s]+")


def _key(text: str) -> str:
    return _NOISE.sub("", search_key(text))


@lru_cache(maxsize=4)
def _lookup(table: str) -> dict[str, str]:
    names = {"frequency": FREQUENCY_NAMES, "form": FORM_NAMES, "role": ROLE_NAMES}[table]
    found: dict[str, str] = {}
    for value, aliases in names.items():
        found[_key(value)] = value
        for alias in aliases:
            found[_key(alias)] = value
    return found


def kind_name(kind: str) -> str:
    return UNIT_KIND_ALIASES[kind][0] if kind in UNIT_KIND_ALIASES else kind


def frequency_name(value: str) -> str:
    return FREQUENCY_NAMES[value][0] if value in FREQUENCY_NAMES else value


def form_name(value: str) -> str:
    return FORM_NAMES[value][0] if value in FORM_NAMES else value


def role_name(value: str) -> str:
    return ROLE_NAMES[value][0] if value in ROLE_NAMES else value


# ----------------------------------------------------------------------------------- validating one item

LABELS = {
    "category": gettext_lazy("Category"),
    "code": gettext_lazy("Code"),
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "unit_kinds": gettext_lazy("Unit kinds"),
    "frequency": gettext_lazy("Frequency"),
    "forms": gettext_lazy("Forms"),
    "responsible_role": gettext_lazy("Responsible role"),
    "due_days": gettext_lazy("Days after the period"),
    "order": gettext_lazy("Order"),
    "active": gettext_lazy("Active"),
}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part for part in _SPLIT.split(str(value or "").strip()) if part]


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text))
    return None


def clean_item(
    raw: dict[str, Any], categories: dict[str, int]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate an item's values given as codes, Chinese names or English words.

    `categories` maps category codes to primary keys. Returns (values ready for the model, [(field, problem)]);
    `values` is only complete when there are no problems. Empty "order" and "active" keep their defaults.
    """
    errors: list[tuple[str, str]] = []
    values: dict[str, Any] = {}

    code = str(raw.get("code") or "").strip()
    if not code:
        errors.append(("code", _("A code is required.")))
    elif len(code) > 20 or not re.fullmatch(r"[A-Za-z0-9_.\-]+", code):
        errors.append(("code", _("The code must be at most 20 letters, digits, dots or dashes.")))
    values["code"] = code

    category = str(raw.get("category") or "").strip()
    if not category:
        errors.append(("category", _("A category code is required.")))
    elif category not in categories:
        errors.append(
            ("category", _("There is no category with code %(code)s; add it first.") % {"code": category})
        )
    else:
        values["category_id"] = categories[category]

    title = str(raw.get("title") or "").strip()
    if not title:
        errors.append(("title", _("A title is required.")))
    elif len(title) > 120:
        errors.append(("title", _("The title must be at most 120 characters.")))
    values["title"] = title
    values["description"] = str(raw.get("description") or "").strip()

    kinds: list[str] = []
    for token in _as_list(raw.get("unit_kinds")):
        kind = normalize_kind(token)
        if kind is None:
            errors.append(("unit_kinds", _("Unknown unit kind: %(value)s.") % {"value": token}))
        elif kind not in kinds:
            kinds.append(kind)
    if not kinds and not any(f == "unit_kinds" for f, _m in errors):
        errors.append(("unit_kinds", _("Name at least one kind of unit that must disclose it.")))
    values["unit_kinds"] = kinds

    frequency_text = str(raw.get("frequency") or "").strip()
    frequency = _lookup("frequency").get(_key(frequency_text)) if frequency_text else None
    if frequency is None:
        errors.append(
            (
                "frequency",
                _("Unknown frequency: %(value)s (monthly, quarterly, half-yearly, yearly or on event).")
                % {"value": frequency_text or "—"},
            )
        )
    values["frequency"] = frequency

    forms: list[str] = []
    for token in _as_list(raw.get("forms")):
        form = _lookup("form").get(_key(token))
        if form is None:
            errors.append(("forms", _("Unknown form: %(value)s.") % {"value": token}))
        elif form not in forms:
            forms.append(form)
    if not forms and not any(f == "forms" for f, _m in errors):
        errors.append(("forms", _("Name at least one form (web board, physical board, meeting, congress).")))
    values["forms"] = forms

    role_text = str(raw.get("responsible_role") or "").strip()
    role = _lookup("role").get(_key(role_text)) if role_text else Role.DISCLOSURE_OFFICER
    if role is None:
        errors.append(("responsible_role", _("Unknown role: %(value)s.") % {"value": role_text}))
    values["responsible_role"] = role

    due_days = _as_int(raw.get("due_days"))
    if due_days is None or not 0 <= due_days <= MAX_DUE_DAYS:
        errors.append(
            (
                "due_days",
                _("The days after the period must be a whole number from 0 to %(max)s.")
                % {"max": MAX_DUE_DAYS},
            )
        )
    values["due_days"] = due_days

    order_text = raw.get("order")
    if order_text in (None, ""):
        values["order"] = None  # keep the current order (or 0 for a new item)
    else:
        order = _as_int(order_text)
        if order is None or order < 0:
            errors.append(("order", _("The order must be a whole number, 0 or more.")))
        values["order"] = order

    active_text = raw.get("active")
    if isinstance(active_text, bool):
        values["active"] = active_text
    elif active_text in (None, ""):
        values["active"] = True
    else:
        key = _key(str(active_text))
        if key in {_key(y) for y in YES}:
            values["active"] = True
        elif key in {_key(n) for n in NO}:
            values["active"] = False
        else:
            errors.append(("active", _("Write 是 (yes) or 否 (no).")))
    return values, errors


def raise_errors(errors: list[tuple[str, str]]) -> None:
    """Raise the problems of `clean_item` as a ValidationError keyed by field (form fields have these names)."""
    if errors:
        grouped: dict[str, list[str]] = {}
        for name, message in errors:
            grouped.setdefault(name, []).append(message)
        raise ValidationError(grouped)


# ----------------------------------------------------------------------------------- the standard catalog


def read_catalog_file(path: Path | str | None = None) -> dict:
    """The catalog as data: {"categories": [{"code", "name", "order", "items": [item, ...]}, ...]}."""
    target = Path(path) if path else STANDARD_CATALOG
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(_("The catalog file %(name)s cannot be read.") % {"name": target.name}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise ValidationError(_("The catalog file has no list of categories."))
    return data


def load_standard_catalog(*, actor=None, path: Path | str | None = None) -> dict[str, int]:
    """Load the catalog shipped with Gongkai (or another JSON file of the same shape): categories and items are
    added or updated by code; nothing else is touched. Running it again changes nothing."""
    from . import catalog_actions

    return catalog_actions.load_catalog(actor=actor, data=read_catalog_file(path))


# ----------------------------------------------------------------------------------- .xlsx export

COLUMNS: dict[str, tuple[str, ...]] = {
    "category": ("类别编码", "类别", "category", "category code"),
    "category_name": ("类别名称", "category name"),
    "code": ("编码", "事项编码", "code", "item code"),
    "title": ("公开事项", "事项名称", "名称", "title", "item"),
    "description": ("说明", "内容说明", "description"),
    "unit_kinds": ("单位类型", "公开单位类型", "unit kinds", "unit kind", "kinds"),
    "frequency": ("频次", "公开频次", "frequency"),
    "forms": ("公开形式", "形式", "forms", "form"),
    "responsible_role": ("责任角色", "责任人角色", "responsible role", "role"),
    "due_days": ("期后天数", "期满后天数", "公开时限（天）", "due days", "days after the period"),
    "order": ("排序", "order"),
    "active": ("启用", "是否启用", "active"),
}
REQUIRED_COLUMNS = ("category", "code", "title", "unit_kinds", "frequency", "forms", "due_days")


def export_rows(items) -> list[list[Any]]:
    rows: list[list[Any]] = [[aliases[0] for aliases in COLUMNS.values()]]
    for item in items:
        rows.append(
            [
                item.category.code,
                item.category.name,
                item.code,
                item.title,
                item.description,
                "、".join(kind_name(k) for k in item.unit_kinds),
                frequency_name(item.frequency),
                "、".join(form_name(f) for f in item.forms),
                role_name(item.responsible_role),
                item.due_days,
                item.order,
                "是" if item.active else "否",
            ]
        )
    return rows


def export_xlsx(items=None) -> bytes:
    """The catalog as a workbook: one sheet, row 1 the column names, one row per item (every item by default)."""
    import openpyxl
    from openpyxl.styles import Font

    if items is None:
        items = CatalogItem.objects.select_related("category").order_by("category__order", "order", "code")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "公开目录"
    for row in export_rows(items):
        sheet.append(xlsx.row(sheet, row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJKL", (10, 16, 10, 30, 40, 28, 8, 20, 14, 9, 6, 6), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------------- .xlsx import


@dataclass
class PlanItem:
    code: str
    title: str
    row: int
    pk: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, before, after)


@dataclass
class CatalogPlan:
    filename: str
    file_sha256: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    added: list[PlanItem] = field(default_factory=list)
    changed: list[PlanItem] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed)

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "unchanged": len(self.unchanged)}


@lru_cache(maxsize=1)
def _column_aliases() -> dict[str, str]:
    return {_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def _map_columns(headers: list[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    aliases = _column_aliases()
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for position, header in enumerate(headers):
        if not header:
            continue
        name = aliases.get(_key(header))
        if name is None:
            ignored.append(header)
            continue
        if name in index:
            raise ImportFileError(
                _("Columns %(first)s and %(second)s mean the same thing; keep only one.")
                % {"first": labels[name], "second": header}
            )
        index[name], labels[name] = position, header
    missing = [COLUMNS[name][0] for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        raise ImportFileError(_("Row 1 lacks the columns: %(columns)s.") % {"columns": "、".join(missing)})
    return index, labels, ignored


def inspect_file(data: bytes, filename: str = "") -> None:
    """Quick check at upload time: the format, the header and at least one row (no database access)."""
    table = read_table(data, filename)
    _map_columns(table.headers)
    if next(table.rows, None) is None:
        raise ImportFileError(_("The file has no data rows."))


def fingerprint(codes: list[str]) -> str:
    """The state of the database that an import of these item codes depends on."""
    state = {
        "categories": sorted(Category.objects.values_list("code", "pk")),
        "items": sorted(
            [code, pk, updated.isoformat()]
            for code, pk, updated in CatalogItem.objects.filter(code__in=codes).values_list(
                "code", "pk", "updated_at"
            )
        ),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def _shown(name: str, value: Any) -> str:
    if name == "category_id":
        return str(value)
    if name == "unit_kinds":
        return "、".join(kind_name(k) for k in value)
    if name == "forms":
        return "、".join(form_name(f) for f in value)
    if name == "frequency":
        return frequency_name(value)
    if name == "responsible_role":
        return role_name(value)
    if name == "active":
        return "是" if value else "否"
    return str(value)


def build_import_plan(data: bytes, filename: str = "") -> CatalogPlan:
    """Read and check a catalog workbook (or CSV); raises ImportFileError when the file as a whole is unusable."""
    plan = CatalogPlan(filename=filename[:200], file_sha256=hashlib.sha256(data).hexdigest())
    table = read_table(data, filename)
    index, labels, plan.ignored_columns = _map_columns(table.headers)
    categories = dict(Category.objects.values_list("code", "pk"))
    category_codes = {pk: code for code, pk in categories.items()}
    parsed: list[tuple[int, dict[str, Any]]] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        raw = {name: (cells[pos] if pos < len(cells) else "") for name, pos in index.items()}
        values, problems = clean_item(raw, categories)
        for name, message in problems:
            plan.errors.append(RowError(number, labels.get(name, ""), message))
        code = values["code"]
        if code:
            if code in first_row:
                plan.errors.append(
                    RowError(
                        number,
                        labels["code"],
                        _("Code %(code)s is already used in row %(row)s.")
                        % {"code": code, "row": first_row[code]},
                    )
                )
            else:
                first_row[code] = number
        plan.rows += 1
        if not problems:
            parsed.append((number, values))
    if plan.rows == 0:
        raise ImportFileError(_("The file has no data rows."))
    if plan.errors:
        plan.errors.sort(key=lambda e: e.row)
        return plan
    existing = {item.code: item for item in CatalogItem.objects.filter(code__in=list(first_row))}
    for number, values in parsed:
        item = existing.get(values["code"])
        if item is None:
            values["order"] = values["order"] if values["order"] is not None else 0
            plan.added.append(PlanItem(values["code"], values["title"], number, values=values))
            continue
        if values["order"] is None:
            values["order"] = item.order
        entry = PlanItem(values["code"], values["title"], number, pk=item.pk, values=values)
        for name in ITEM_FIELDS:
            before, after = getattr(item, name), values[name]
            if before != after:
                label = LABELS["category" if name == "category_id" else name]
                if name == "category_id":
                    before, after = category_codes.get(before, before), category_codes.get(after, after)
                entry.changes.append((str(label), _shown(name, before), _shown(name, after)))
        if entry.changes:
            plan.changed.append(entry)
        else:
            plan.unchanged.append(values["code"])
    plan.fingerprint = fingerprint(list(first_row))
    return plan
