"""Bulk import of units and people from the HR system's `.xlsx` and `.csv` files.

The flow is always: read the file → map its header (Chinese or English) → validate every row (row numbers as
the spreadsheet shows them, the header being row 1) → compare with the database → an `ImportPlan` that lists
what will be added, changed, left unchanged and deactivated. Nothing here writes; `actions.apply_people_import`
and `actions.apply_units_import` write a plan, all or nothing, after checking that its fingerprint still
matches the database (a preview cannot be applied after the data it was computed from changed).

Validation runs a handful of bulk queries whatever the number of rows: all units in one query, the
constituencies named in the file in one query, the existing people by employee number in chunks, and (full
imports) the active people of the actor's units in one query.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongkai.core.access import ROOT, get_scope
from gongkai.core.choices import Role
from gongkai.core.text import search_key

from .choices import UnitKind
from .models import Constituency, Person, Unit
from .validators import canonical_phone

CHUNK = 900  # ids per IN (...) query: below SQLite's historical limit of 999 parameters
PEOPLE = "people"
UNITS = "units"

XLSX_MAGIC = b"PK"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) format


class ImportFileError(Exception):
    """The file as a whole cannot be used: wrong format, unreadable text, missing columns, no rows."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """A problem in one row. `row` is the row number the spreadsheet shows (header = 1)."""

    row: int
    column: str  # the column's header as written in the file ("" when the problem is the whole row)
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


# --------------------------------------------------------------------------------------------- reading files


@dataclass
class Table:
    format: str  # "xlsx" or "csv"
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, cells) for the non-empty data rows


def detect_format(data: bytes, filename: str = "") -> str:
    """Return "xlsx" or "csv", decided by the content; the file name only serves to explain a refusal."""
    if not data or not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("This is an old-style Excel file (.xls). Please save it as .xlsx or as .csv.")
        )
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportFileError(
            _(
                "The file is named %(name)s but its content is not an Excel workbook. Please upload the file "
                "exactly as exported, as .xlsx or .csv."
            )
            % {"name": filename}
        )
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data[:8192]:
        raise ImportFileError(_("The file is neither an Excel workbook (.xlsx) nor a text (.csv) file."))
    return "csv"


def read_table(data: bytes, filename: str = "") -> Table:
    """Open a file: the first sheet of a workbook or a CSV text; row 1 is the header."""
    fmt = detect_format(data, filename)
    raw_rows = _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)
    header: list[str] | None = None
    for number, cells in raw_rows:
        if any(cells):
            if number != 1:
                raise ImportFileError(
                    _("Row 1 must hold the column names; it is empty (the first filled row is row %(row)s).")
                    % {"row": number}
                )
            header = cells
            break
        raise ImportFileError(_("Row 1 must hold the column names; it is empty."))
    if header is None:
        raise ImportFileError(_("The file is empty."))
    return Table(format=fmt, headers=header, rows=(r for r in raw_rows if any(r[1])))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13800138000.0 and 1001.0 typed as numbers in Excel
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).replace("\ufeff", "").replace("\u200b", "")
    return text.strip()


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors...
        raise ImportFileError(
            _("The file looks like a ZIP archive but is not a readable Excel workbook (.xlsx).")
        ) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some exporters write a wrong <dimension>: read every row that is there
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_("The Excel workbook could not be read: it seems damaged.")) from exc
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("The text of the file could not be read. Please save the CSV as UTF-8 or GB18030.")
    )


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if any(d in first_line for d in ",\t;") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [_cell(v) for v in values]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc


# ------------------------------------------------------------------------------------------------ headers

PEOPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "employee_no": (
        "工号",
        "员工编号",
        "职工编号",
        "员工号",
        "人员编号",
        "employee_no",
        "employee number",
        "employee id",
        "staff no",
    ),
    "name": ("姓名", "名字", "name", "full name"),
    "unit_code": ("单位编码", "部门编码", "组织编码", "unit_code", "unit code"),
    "unit_path": ("单位路径", "部门路径", "组织路径", "unit_path", "unit path"),
    "posts": ("岗位", "职务", "岗位职务", "posts", "post", "position"),
    "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "phone", "mobile", "telephone"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail"),
    "constituency": ("选区编码", "选区", "constituency", "constituency_code", "constituency code"),
}
UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("编码", "单位编码", "代码", "code", "unit code"),
    "name": ("名称", "单位名称", "name", "unit name"),
    "kind": ("类型", "单位类型", "类别", "kind", "type"),
    "parent_code": ("上级编码", "上级单位编码", "父级编码", "parent_code", "parent code", "parent"),
    "path": ("路径", "单位路径", "path", "unit path"),
}
COLUMN_HINTS = {
    "employee_no": "工号 / employee_no",
    "name": "姓名 / name",
    "unit": "单位编码 / unit_code, 单位路径 / unit_path",
    "code": "编码 / code",
    "unit_name": "名称 / name, 路径 / path",
}

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "unit": gettext_lazy("Unit"),
    "posts": gettext_lazy("Posts"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "constituency": gettext_lazy("Constituency"),
    "is_active": gettext_lazy("Active"),
    "kind": gettext_lazy("Kind"),
}

UNIT_KIND_ALIASES: dict[str, tuple[str, ...]] = {
    UnitKind.GROUP: ("集团公司", "集团", "总公司"),
    UnitKind.MINE: ("矿", "煤矿", "矿井"),
    UnitKind.PLANT: ("厂", "工厂", "分厂"),
    UnitKind.COMPANY: ("公司", "子公司", "分公司", "服务公司"),
    UnitKind.INSTITUTE: ("院", "研究院", "设计院", "研究所"),
    UnitKind.OFFICE: ("处",),
    UnitKind.DEPARTMENT: ("机关部室", "部室", "机关", "部门", "科室"),
    UnitKind.SECTION: ("区队", "区", "队"),
    UnitKind.WORKSHOP: ("车间",),
    UnitKind.TEAM: ("班组", "班"),
    UnitKind.PROJECT: ("项目部", "外地项目部", "项目"),
}

_HEADER_NOISE = re.compile(r"[\s_\-.*:：]+")
_PARENTHESES = re.compile(r"\(.*?\)")


def _header_key(text: str) -> str:
    """工号* / 工號（必填） / Employee No. / employee_no → one key."""
    key = search_key(text)  # NFKC (full-width → ASCII), Traditional → Simplified, lower case
    key = _PARENTHESES.sub("", key)
    return _HEADER_NOISE.sub("", key)


@lru_cache(maxsize=4)
def _aliases(kind: str) -> dict[str, str]:
    spec = PEOPLE_COLUMNS if kind == PEOPLE else UNIT_COLUMNS
    return {_header_key(alias): name for name, aliases in spec.items() for alias in aliases}


@dataclass
class Columns:
    index: dict[str, int]  # field → column position
    labels: dict[str, str]  # field → header as written in the file
    ignored: list[str]  # headers that mean nothing to the import

    def __contains__(self, name: str) -> bool:
        return name in self.index


def map_headers(headers: list[str], kind: str) -> Columns:
    aliases = _aliases(kind)
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for position, header in enumerate(headers):
        if not header:
            continue
        name = aliases.get(_header_key(header))
        if name is None:
            ignored.append(header)
            continue
        if name in index:
            raise ImportFileError(
                _("Columns %(first)s and %(second)s mean the same thing; keep only one.")
                % {"first": labels[name], "second": header}
            )
        index[name], labels[name] = position, header
    missing = []
    if kind == PEOPLE:
        for name in ("employee_no", "name"):
            if name not in index:
                missing.append(COLUMN_HINTS[name])
        if "unit_code" not in index and "unit_path" not in index:
            missing.append(COLUMN_HINTS["unit"])
    else:
        if "code" not in index:
            missing.append(COLUMN_HINTS["code"])
        if "name" not in index and "path" not in index:
            missing.append(COLUMN_HINTS["unit_name"])
    if missing:
        raise ImportFileError(_("Row 1 lacks the columns: %(columns)s.") % {"columns": "; ".join(missing)})
    return Columns(index=index, labels=labels, ignored=ignored)


def inspect_file(data: bytes, kind: str, filename: str = "") -> Columns:
    """Quick check at upload time: the format and the header (no database access)."""
    table = read_table(data, filename)
    columns = map_headers(table.headers, kind)
    if next(table.rows, None) is None:
        raise ImportFileError(_("The file has no data rows."))
    return columns


# ------------------------------------------------------------------------------------------------ values


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


@lru_cache(maxsize=1)
def _kind_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for value in UnitKind.values:
        table[search_key(value)] = value
    for value, aliases in UNIT_KIND_ALIASES.items():
        for alias in aliases:
            table[search_key(alias)] = value
    return table


def normalize_kind(text: str) -> str | None:
    """A UnitKind value from its value, its English label or a Chinese name (矿, 区队, 车间 …)."""
    key = search_key(text)
    found = _kind_lookup().get(key)
    if found:
        return found
    for value, label in UnitKind.choices:  # the labels in the language in use, and in English
        if search_key(str(label)) == key:
            return value
    return None


_PATH_SPLIT = re.compile(r"\s*[/\\>]\s*")


@lru_cache(maxsize=20000)
def path_key(text: str) -> tuple[str, ...]:
    """ "集团公司 / 一矿 / 综采一区" → ("集团公司", "一矿", "综采一区") normalized for comparison."""
    return tuple(search_key(part) for part in _PATH_SPLIT.split(_norm(text)) if part.strip())


# ------------------------------------------------------------------------------------------------ units index


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    code: str
    name: str
    kind: str
    path: str
    depth: int
    active: bool

    @property
    def label(self) -> str:
        return f"{self.name}（{self.code}）"

    def state(self) -> list:
        return [self.pk, self.code, self.name, self.kind, self.path, self.active]


class UnitIndex:
    """Every unit, loaded in one query, found by code or by its path of names from the root."""

    def __init__(self, units: Iterable[UnitInfo]):
        self.by_pk: dict[int, UnitInfo] = {}
        self.by_code: dict[str, UnitInfo] = {}
        self.by_names: dict[tuple[str, ...], UnitInfo] = {}
        self.by_path: dict[str, UnitInfo] = {}
        self.ambiguous: set[tuple[str, ...]] = set()
        names_of_path: dict[str, tuple[str, ...]] = {}
        for unit in sorted(units, key=lambda u: u.path):
            self.by_pk[unit.pk] = unit
            self.by_code[unit.code] = unit
            self.by_path[unit.path] = unit
            parent_names = names_of_path.get(unit.path[: -Unit.steplen], ())
            names = (*parent_names, search_key(unit.name))
            names_of_path[unit.path] = names
            if names in self.by_names:
                self.ambiguous.add(names)
            self.by_names[names] = unit
        self.names_of_pk = {unit.pk: names_of_path[unit.path] for unit in self.by_pk.values()}

    @classmethod
    def load(cls) -> UnitIndex:
        rows = Unit.objects.values_list("pk", "code", "name", "kind", "path", "depth", "active")
        return cls(UnitInfo(*row) for row in rows)

    def parent_of(self, unit: UnitInfo) -> UnitInfo | None:
        return self.by_path.get(unit.path[: -Unit.steplen]) if unit.depth > 1 else None

    def digest(self) -> str:
        return _sha(json.dumps(sorted(u.state() for u in self.by_pk.values()), ensure_ascii=False).encode())


def _in_scope(admin_paths: list[str], unit_path: str | None) -> bool:
    if unit_path is None:
        return ROOT in admin_paths
    return any(unit_path.startswith(p) for p in admin_paths)


# ------------------------------------------------------------------------------------------------ the plan


@dataclass
class PlanEntry:
    """One person or unit in the plan."""

    key: str  # employee number or unit code
    name: str
    unit: str = ""  # people: their unit (after the import); units: the parent unit
    row: int | None = None  # the row in the file (None for people deactivated because they are missing)
    pk: int | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)
    values: dict = field(default_factory=dict, repr=False)  # what the apply writes

    @property
    def change_rows(self) -> list[tuple[str, str, str]]:
        return [(str(FIELD_LABELS.get(name, name)), before, after) for name, before, after in self.changes]


@dataclass
class ImportPlan:
    kind: str  # PEOPLE or UNITS
    full: bool
    actor_id: int
    filename: str
    file_sha256: str
    rows: int = 0  # data rows read
    columns: list[str] = field(default_factory=list)  # fields the file provides
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    added: list[PlanEntry] = field(default_factory=list)
    changed: list[PlanEntry] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # keys only
    deactivated: list[PlanEntry] = field(default_factory=list)
    fingerprint: str = ""
    # what the fingerprint covers, to recompute it inside the apply's transaction
    state_keys: dict = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "deactivated": len(self.deactivated),
        }

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.deactivated)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fingerprint(plan: ImportPlan, admin_paths: list[str], state: object) -> str:
    payload = [plan.kind, plan.full, plan.actor_id, sorted(admin_paths), plan.file_sha256, state]
    return _sha(
        json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()
    )


def _admin_paths(actor) -> list[str]:
    paths = get_scope(actor).paths(Role.ADMIN)
    if not paths:
        raise ImportFileError(_("Only system administrators of a unit may import."))
    return paths


# ------------------------------------------------------------------------------------------------ people

PERSON_STATE = (
    "pk",
    "employee_no",
    "name",
    "unit_id",
    "posts",
    "phone",
    "email",
    "constituency_id",
    "is_active",
)


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def people_state(
    *,
    employee_nos: list[str],
    unit_ids: list[int],
    constituency_ids: list[int],
    admin_paths: list[str],
    actor_id: int,
    full: bool,
    lock: bool = False,
) -> dict:
    """The current state of every row a people import depends on (locked for update when `lock`)."""
    base = Person.objects.select_for_update(of=("self",)) if lock else Person.objects.all()
    existing: dict[str, tuple] = {}
    for chunk in _chunks(employee_nos):
        for row in base.filter(employee_no__in=chunk).values_list(*PERSON_STATE):
            existing[row[1]] = row
    units_q = Unit.objects.select_for_update() if lock else Unit.objects.all()
    units = sorted(units_q.filter(pk__in=unit_ids).values_list("pk", "code", "path", "active"))
    constituencies = sorted(
        Constituency.objects.filter(pk__in=constituency_ids).values_list("pk", "code", "unit_id")
    )
    missing: list[tuple] = []
    if full:
        in_file = set(employee_nos)
        scope_q = _scope_q(admin_paths)
        qs = base.filter(scope_q, is_active=True, unit__isnull=False).exclude(pk=actor_id)
        missing = sorted(
            row for row in qs.values_list("pk", "employee_no", "name", "unit_id") if row[1] not in in_file
        )
    return {"existing": existing, "units": units, "constituencies": constituencies, "missing": missing}


def _scope_q(admin_paths: list[str]) -> Q:
    if ROOT in admin_paths:
        return Q()
    q = Q(pk__in=[])
    for p in admin_paths:
        q |= Q(unit__path__startswith=p)
    return q


def _people_state_digest(state: dict) -> list:
    return [
        sorted(list(v) for v in state["existing"].values()),
        [list(u) for u in state["units"]],
        [list(c) for c in state["constituencies"]],
        [[m[0], m[1]] for m in state["missing"]],
    ]


def people_fingerprint_now(plan: ImportPlan, actor, *, lock: bool = False) -> str:
    """Recompute a people plan's fingerprint from the database as it is now."""
    admin_paths = get_scope(actor).paths(Role.ADMIN)
    state = people_state(
        admin_paths=admin_paths, actor_id=actor.pk, full=plan.full, lock=lock, **plan.state_keys
    )
    return _fingerprint(plan, admin_paths, _people_state_digest(state))


def build_people_plan(data: bytes, *, actor, full: bool = False, filename: str = "") -> ImportPlan:
    """Validate a people file and compare it with the database. Raises ImportFileError for a file that
    cannot be used at all; row problems are listed in `plan.errors`."""
    admin_paths = _admin_paths(actor)
    table = read_table(data, filename)
    cols = map_headers(table.headers, PEOPLE)
    plan = ImportPlan(
        kind=PEOPLE,
        full=full,
        actor_id=actor.pk,
        filename=filename,
        file_sha256=_sha(data),
        columns=list(cols.index),
        ignored_columns=cols.ignored,
    )
    units = UnitIndex.load()
    label = cols.labels
    idx = cols.index
    errors = plan.errors
    seen: dict[str, int] = {}
    parsed: list[dict] = []
    phone_cache: dict[str, str | None] = {}

    def get(cells: list[str], name: str) -> str:
        position = idx.get(name)
        return cells[position] if position is not None and position < len(cells) else ""

    for number, cells in table.rows:
        plan.rows += 1
        row_ok = True

        def fail(column: str, message: str, number=number) -> None:
            nonlocal row_ok
            row_ok = False
            errors.append(RowError(number, label.get(column, ""), message))

        employee_no = _norm(get(cells, "employee_no"))
        if not employee_no:
            fail("employee_no", _("The employee number is missing."))
        elif len(employee_no) > 32:
            fail("employee_no", _("The employee number is longer than 32 characters."))
        elif any(ch.isspace() for ch in employee_no):
            fail("employee_no", _("The employee number must not contain spaces."))
        elif employee_no in seen:
            fail(
                "employee_no",
                _("Employee number %(no)s already appears on row %(row)s.")
                % {"no": employee_no, "row": seen[employee_no]},
            )
        else:
            seen[employee_no] = number

        name = get(cells, "name")
        if not name:
            fail("name", _("The name is missing."))
        elif len(name) > 60:
            fail("name", _("The name is longer than 60 characters."))

        unit: UnitInfo | None = None
        code = _norm(get(cells, "unit_code"))
        path_text = get(cells, "unit_path")
        if code:
            unit = units.by_code.get(code)
            if unit is None:
                fail("unit_code", _("Unknown unit code %(code)s.") % {"code": code})
        if path_text and (unit is not None or not code):
            key = path_key(path_text)
            by_path = units.by_names.get(key)
            if by_path is None:
                fail("unit_path", _("Unknown unit path %(path)s.") % {"path": path_text})
            elif key in units.ambiguous:
                fail(
                    "unit_path",
                    _("Several units have the path %(path)s; use the unit code.") % {"path": path_text},
                )
            elif unit is not None and unit.pk != by_path.pk:
                fail(
                    "unit_path",
                    _("The unit code %(code)s and the path %(path)s name different units.")
                    % {"code": code, "path": path_text},
                )
            else:
                unit = by_path
        if not code and not path_text:
            fail("unit_code" if "unit_code" in idx else "unit_path", _("The unit is missing."))
        if unit is not None:
            if not unit.active:
                fail(
                    "unit_code" if code else "unit_path",
                    _("Unit %(unit)s is deactivated.") % {"unit": unit.label},
                )
            elif not _in_scope(admin_paths, unit.path):
                fail(
                    "unit_code" if code else "unit_path",
                    _("Unit %(unit)s is outside the units you administer.") % {"unit": unit.label},
                )

        values: dict = {"name": name, "unit_id": unit.pk if unit else None}
        if "posts" in idx:
            posts = get(cells, "posts")
            if len(posts) > 200:
                fail("posts", _("The posts are longer than 200 characters."))
            values["posts"] = posts
        if "phone" in idx:
            raw = get(cells, "phone")
            phone = ""
            if raw:
                if raw not in phone_cache:
                    try:
                        phone_cache[raw] = canonical_phone(raw)
                    except ValueError:
                        phone_cache[raw] = None
                phone = phone_cache[raw]
                if phone is None:
                    fail("phone", _("%(phone)s is not a valid mobile or landline number.") % {"phone": raw})
            values["phone"] = phone or ""
        if "email" in idx:
            email = _norm(get(cells, "email"))
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    fail("email", _("%(email)s is not a valid email address.") % {"email": email})
                if len(email) > 254:
                    fail("email", _("The email address is too long."))
            values["email"] = email
        if "constituency" in idx:
            values["constituency_code"] = _norm(get(cells, "constituency"))
        if row_ok:
            parsed.append({"row": number, "employee_no": employee_no, "unit": unit, **values})

    if plan.rows == 0:
        raise ImportFileError(_("The file has no data rows."))

    # constituencies named in the file: one query
    constituencies: dict[str, tuple[int, str, str]] = {}
    if "constituency" in idx:
        codes = sorted({p["constituency_code"] for p in parsed if p["constituency_code"]})
        for chunk in _chunks(codes):
            for pk, c_code, unit_path in Constituency.objects.filter(code__in=chunk).values_list(
                "pk", "code", "unit__path"
            ):
                constituencies[c_code] = (pk, c_code, unit_path)
        for p in parsed:
            c_code = p.pop("constituency_code")
            p["constituency_id"] = None
            if not c_code:
                continue
            found = constituencies.get(c_code)
            if found is None:
                errors.append(
                    RowError(
                        p["row"],
                        label["constituency"],
                        _("Unknown constituency code %(code)s.") % {"code": c_code},
                    )
                )
            elif not p["unit"].path.startswith(found[2]):
                errors.append(
                    RowError(
                        p["row"],
                        label["constituency"],
                        _("Constituency %(code)s does not cover unit %(unit)s.")
                        % {"code": c_code, "unit": p["unit"].label},
                    )
                )
            else:
                p["constituency_id"] = found[0]

    plan.state_keys = {
        "employee_nos": sorted(seen),
        "unit_ids": sorted({p["unit"].pk for p in parsed}),
        "constituency_ids": sorted(c[0] for c in constituencies.values()),
    }
    state = people_state(admin_paths=admin_paths, actor_id=actor.pk, full=full, **plan.state_keys)
    plan.fingerprint = _fingerprint(plan, admin_paths, _people_state_digest(state))

    existing: dict[str, tuple] = state["existing"]
    constituency_code = {c[0]: c[1] for c in constituencies.values()}
    for p in parsed:
        old = existing.get(p["employee_no"])
        unit = p["unit"]
        if old is not None:
            old_unit = units.by_pk.get(old[3]) if old[3] else None
            if not _in_scope(admin_paths, old_unit.path if old_unit else None):
                errors.append(
                    RowError(
                        p["row"],
                        label["employee_no"],
                        _("Employee number %(no)s belongs to %(unit)s, outside the units you administer.")
                        % {"no": p["employee_no"], "unit": old_unit.label if old_unit else _("no unit")},
                    )
                )
    if errors:
        errors.sort(key=lambda e: e.row)
        return plan

    for p in parsed:
        old = existing.get(p["employee_no"])
        unit = p["unit"]
        values = {k: v for k, v in p.items() if k not in ("row", "employee_no", "unit")}
        values["is_active"] = True
        entry = PlanEntry(key=p["employee_no"], name=p["name"], unit=unit.label, row=p["row"], values=values)
        if old is None:
            plan.added.append(entry)
            continue
        entry.pk = old[0]
        before = dict(zip(PERSON_STATE, old, strict=True))
        for name in ("name", "posts", "phone", "email"):
            if name in values and values[name] != before[name]:
                entry.changes.append((name, before[name], values[name]))
        if values["unit_id"] != before["unit_id"]:
            old_unit = units.by_pk.get(before["unit_id"])
            entry.changes.append(("unit", old_unit.label if old_unit else "", unit.label))
        if "constituency_id" in values and values["constituency_id"] != before["constituency_id"]:
            old_c = before["constituency_id"]
            entry.changes.append(
                (
                    "constituency",
                    _constituency_label(old_c, constituency_code),
                    _constituency_label(values["constituency_id"], constituency_code),
                )
            )
        if not before["is_active"]:
            entry.changes.append(("is_active", _("no"), _("yes")))
        if entry.changes:
            plan.changed.append(entry)
        else:
            plan.unchanged.append(entry.key)
    for pk, employee_no, name, unit_id in state["missing"]:
        unit = units.by_pk.get(unit_id)
        plan.deactivated.append(PlanEntry(key=employee_no, name=name, unit=unit.label if unit else "", pk=pk))
    return plan


def _constituency_label(pk: int | None, codes: dict[int, str]) -> str:
    if pk is None:
        return ""
    return codes.get(pk) or str(pk)


# ------------------------------------------------------------------------------------------------ units


def units_fingerprint_now(plan: ImportPlan, actor, *, lock: bool = False) -> str:
    admin_paths = get_scope(actor).paths(Role.ADMIN)
    if lock:
        list(Unit.objects.select_for_update().values_list("pk", flat=True))
    return _fingerprint(plan, admin_paths, UnitIndex.load().digest())


def build_units_plan(data: bytes, *, actor, filename: str = "") -> ImportPlan:
    """Validate a units file and compare it with the tree. New units go under their parent (an existing unit
    or one in the file, named by code or by path); existing units (same code) get their name and kind
    updated. The import never moves a unit."""
    admin_paths = _admin_paths(actor)
    table = read_table(data, filename)
    cols = map_headers(table.headers, UNITS)
    plan = ImportPlan(
        kind=UNITS,
        full=False,
        actor_id=actor.pk,
        filename=filename,
        file_sha256=_sha(data),
        columns=list(cols.index),
        ignored_columns=cols.ignored,
    )
    index = UnitIndex.load()
    plan.fingerprint = _fingerprint(plan, admin_paths, index.digest())
    label, idx, errors = cols.labels, cols.index, plan.errors

    def get(cells: list[str], name: str) -> str:
        position = idx.get(name)
        return cells[position] if position is not None and position < len(cells) else ""

    rows: dict[str, dict] = {}  # code → parsed row, in file order
    failed: set[str] = set()  # codes of rows with errors
    for number, cells in table.rows:
        plan.rows += 1
        row_ok = True

        def fail(column: str, message: str, number=number) -> None:
            nonlocal row_ok
            row_ok = False
            errors.append(RowError(number, label.get(column, ""), message))

        code = _norm(get(cells, "code"))
        name = get(cells, "name")
        path_text = get(cells, "path")
        path = path_key(path_text) if path_text else ()
        if not code:
            fail("code", _("The unit code is missing."))
        elif len(code) > 40:
            fail("code", _("The unit code is longer than 40 characters."))
        elif code in rows:
            fail(
                "code",
                _("Unit code %(code)s already appears on row %(row)s.")
                % {"code": code, "row": rows[code]["row"]},
            )
        if path and not name:
            name = _PATH_SPLIT.split(_norm(path_text).strip("/\\> "))[-1]
        elif path and name and search_key(name) != path[-1]:
            fail(
                "path",
                _("The last part of the path must be the unit's own name (%(name)s).") % {"name": name},
            )
        if not name:
            fail("name", _("The unit name is missing."))
        elif len(name) > 120:
            fail("name", _("The unit name is longer than 120 characters."))
        kind_text = get(cells, "kind")
        kind = normalize_kind(kind_text) if kind_text else ""
        if kind is None:
            fail("kind", _("Unknown unit kind %(kind)s.") % {"kind": kind_text})
        elif not kind and code not in index.by_code:
            fail("kind" if "kind" in idx else "code", _("The unit kind is missing."))
        if not row_ok and code:
            failed.add(code)
        if row_ok:
            rows[code] = {
                "row": number,
                "code": code,
                "name": name,
                "kind": kind,
                "parent_code": _norm(get(cells, "parent_code")),
                "path": path,
                "path_text": path_text,
            }

    if plan.rows == 0:
        raise ImportFileError(_("The file has no data rows."))

    # name paths of the units in the file, to find parents named by path
    names_cache: dict[str, tuple[str, ...] | None] = {}

    def names_of(code: str, visiting: frozenset = frozenset()) -> tuple[str, ...] | None:
        if code in names_cache:
            return names_cache[code]
        r = rows.get(code)
        if r is None:
            unit = index.by_code.get(code)
            return index.names_of_pk[unit.pk] if unit else None
        if r["path"]:
            result = r["path"]
        elif code in visiting:
            result = None
        elif r["parent_code"]:
            parent = names_of(r["parent_code"], visiting | {code})
            result = (*parent, search_key(r["name"])) if parent is not None else None
        else:
            result = (search_key(r["name"]),)
        names_cache[code] = result
        return result

    file_by_names = {}
    for code in rows:
        names = names_of(code)
        if names is not None:
            file_by_names[names] = code

    # resolve each row's parent: ("unit", UnitInfo) for an existing unit, ("row", code) for one in the file
    parents: dict[str, tuple[str, object] | None] = {}
    for code, r in rows.items():
        by_code = by_path = None
        column = "parent_code"
        if r["parent_code"]:
            if r["parent_code"] in rows:
                by_code = ("row", r["parent_code"])
            elif r["parent_code"] in index.by_code:
                by_code = ("unit", index.by_code[r["parent_code"]])
            elif r["parent_code"] in failed:
                errors.append(
                    RowError(
                        r["row"],
                        label["parent_code"],
                        _("The parent unit %(code)s cannot be added: its own row has errors.")
                        % {"code": r["parent_code"]},
                    )
                )
                continue
            else:
                errors.append(
                    RowError(
                        r["row"],
                        label["parent_code"],
                        _("Unknown parent unit code %(code)s.") % {"code": r["parent_code"]},
                    )
                )
                continue
        if len(r["path"]) > 1:
            column = "path"
            parent_names = r["path"][:-1]
            if parent_names in file_by_names and file_by_names[parent_names] != code:
                by_path = ("row", file_by_names[parent_names])
            elif parent_names in index.ambiguous:
                errors.append(
                    RowError(
                        r["row"],
                        label["path"],
                        _("Several units have the path %(path)s; use the parent code.")
                        % {"path": r["path_text"]},
                    )
                )
                continue
            elif parent_names in index.by_names:
                by_path = ("unit", index.by_names[parent_names])
            else:
                errors.append(
                    RowError(
                        r["row"],
                        label["path"],
                        _("The parent of %(path)s is unknown.") % {"path": r["path_text"]},
                    )
                )
                continue
        if by_code and by_path and _parent_code(by_code) != _parent_code(by_path):
            errors.append(
                RowError(
                    r["row"], label["path"], _("The parent code and the path name different parent units.")
                )
            )
            continue
        ref = by_code or by_path
        if ref is not None and ref[0] == "row" and ref[1] in index.by_code:
            ref = ("unit", index.by_code[ref[1]])  # an existing unit that the file also updates
        parents[code] = ref
        r["column"] = column

    # depth of each new unit (parents before children), cycles, scope, and the comparison with the tree
    depth_cache: dict[str, int] = {}
    LOOP, BROKEN = -1, -2

    def depth_of(code: str, visiting: frozenset = frozenset()) -> int:
        if code in depth_cache:
            return depth_cache[code]
        if code in visiting:
            return LOOP
        if code not in parents:
            return BROKEN
        parent = parents[code]
        if parent is None:
            result = 1
        elif parent[0] == "unit":
            result = parent[1].depth + 1
        else:
            above = depth_of(parent[1], visiting | {code})
            result = above + 1 if above > 0 else above
        depth_cache[code] = result
        return result

    for code, r in rows.items():
        if code not in parents:
            continue
        parent = parents[code]
        existing = index.by_code.get(code)
        column = r.get("column", "parent_code")
        if existing is not None:
            current_parent = index.parent_of(existing)
            if r["parent_code"] or r["path"]:
                wanted_code = _parent_code(parent) if parent else None
                if wanted_code != (current_parent.code if current_parent else None):
                    errors.append(
                        RowError(
                            r["row"],
                            label.get(column, ""),
                            _("Unit %(unit)s exists under %(parent)s; the import does not move units.")
                            % {
                                "unit": existing.label,
                                "parent": current_parent.label if current_parent else "—",
                            },
                        )
                    )
                    continue
            if not _in_scope(admin_paths, existing.path):
                errors.append(
                    RowError(
                        r["row"],
                        label["code"],
                        _("Unit %(unit)s is outside the units you administer.") % {"unit": existing.label},
                    )
                )
                continue
            kind = r["kind"] or existing.kind
            entry = PlanEntry(
                key=code,
                name=r["name"],
                unit=current_parent.label if current_parent else "",
                row=r["row"],
                pk=existing.pk,
                values={"name": r["name"], "kind": kind},
            )
            if r["name"] != existing.name:
                entry.changes.append(("name", existing.name, r["name"]))
            if kind != existing.kind:
                entry.changes.append(("kind", str(UnitKind(existing.kind).label), str(UnitKind(kind).label)))
            if entry.changes:
                plan.changed.append(entry)
            else:
                plan.unchanged.append(code)
            continue
        depth = depth_of(code)
        if depth == LOOP:
            errors.append(
                RowError(
                    r["row"],
                    label.get(column, ""),
                    _("The parents of unit %(code)s form a loop.") % {"code": code},
                )
            )
            continue
        if depth == BROKEN:
            errors.append(
                RowError(
                    r["row"],
                    label.get(column, ""),
                    _("The parent unit of %(code)s cannot be added because of errors in its row.")
                    % {"code": code},
                )
            )
            continue
        if parent is None:
            parent_label, parent_code = "", None
            if ROOT not in admin_paths:
                errors.append(
                    RowError(
                        r["row"],
                        label.get(column, label["code"]),
                        _("Only an administrator of the whole group may add a top-level unit."),
                    )
                )
                continue
        elif parent[0] == "unit":
            parent_label, parent_code = parent[1].label, parent[1].code
            if not _in_scope(admin_paths, parent[1].path):
                errors.append(
                    RowError(
                        r["row"],
                        label.get(column, ""),
                        _("Unit %(unit)s is outside the units you administer.") % {"unit": parent[1].label},
                    )
                )
                continue
        else:
            parent_row = rows[parent[1]]
            parent_label, parent_code = f"{parent_row['name']}（{parent[1]}）", parent[1]
        plan.added.append(
            PlanEntry(
                key=code,
                name=r["name"],
                unit=parent_label,
                row=r["row"],
                values={"name": r["name"], "kind": r["kind"], "parent_code": parent_code, "depth": depth},
            )
        )
    if errors:
        errors.sort(key=lambda e: e.row)
        plan.added, plan.changed, plan.unchanged = [], [], []
        return plan
    plan.added.sort(key=lambda e: (e.values["depth"], e.row))  # parents before children
    return plan


def _parent_code(ref: tuple[str, object]) -> str:
    return ref[1].code if ref[0] == "unit" else ref[1]


def build_plan(kind: str, data: bytes, *, actor, full: bool = False, filename: str = "") -> ImportPlan:
    if kind == PEOPLE:
        return build_people_plan(data, actor=actor, full=full, filename=filename)
    if kind == UNITS:
        return build_units_plan(data, actor=actor, filename=filename)
    raise ValueError(kind)
