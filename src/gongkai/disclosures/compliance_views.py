"""Compliance pages: the dashboard per level (heat map of child units × months, on-time rates, what is late
now), its `.xlsx` export, the drill-down to one item, naming a responsible person, and my schedule."""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongkai.core import xlsx
from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.choices import Role
from gongkai.org.models import Unit

from . import catalog_actions, compliance
from .choices import Compliance, Status
from .models import CatalogItem

PAGE_SIZE = 50
EXPORT_LATE_LIMIT = 50_000  # rows of the late list in the workbook
ASSIGN_ROLES = (Role.LEADING_GROUP, Role.ADMIN)


def _today() -> dt.date:
    return timezone.localdate()


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return _today().year
    return year if 2000 <= year <= 2100 else _today().year


def _years() -> list[int]:
    this = _today().year
    return list(range(this + 1, this - 6, -1))


def _unit_or_404(request: HttpRequest, pk: int) -> Unit:
    unit = compliance.dashboard_unit(request.user, pk)
    if unit is None:
        raise Http404
    return unit


def _breadcrumbs(request: HttpRequest, unit: Unit) -> list[tuple[Unit, bool]]:
    """The units above, each with whether the viewer may open its dashboard (one query)."""
    scope = get_scope(request.user)
    above = Unit.objects.filter(path__in=unit.ancestor_paths()[:-1]).order_by("path")
    return [(u, scope.has_any_role(compliance.DASHBOARD_ROLES, u.path)) for u in above]


@login_required
@require_GET
def compliance_index(request: HttpRequest) -> HttpResponse:
    """The dashboard of the highest unit the viewer oversees (or a choice when there are several)."""
    tops = list(compliance.top_units(request.user))
    if not tops:
        raise PermissionDenied
    if len(tops) == 1:
        url = reverse("disclosures:compliance_unit", args=[tops[0].pk])
        return redirect(f"{url}?year={_year(request)}")
    return render(request, "disclosures/compliance/index.html", {"units": tops, "year": _year(request)})


@login_required
@require_GET
def compliance_unit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, pk)
    year, today = _year(request), _today()
    data = compliance.dashboard(request.user, unit, year, today)
    paginator = Paginator(compliance.late_now(request.user, unit, today), PAGE_SIZE)
    paginator.count = data.late_count  # type: ignore[misc]  # counted (and cached) with the dashboard
    late = paginator.get_page(request.GET.get("page"))
    scope = get_scope(request.user)
    context = {
        "unit": unit,
        "year": year,
        "years": _years(),
        "today": today,
        "breadcrumbs": _breadcrumbs(request, unit),
        "heatmap": data.heatmap,
        "items": data.items,
        "late": late,
        "months": compliance.MONTHS,
        "can_generate": scope.has_any_role(ASSIGN_ROLES, unit.path),
    }
    return render(request, "disclosures/compliance/unit.html", context)


@login_required
@require_GET
def compliance_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    unit = _unit_or_404(request, pk)
    item = CatalogItem.objects.select_related("category").filter(pk=item_pk).first()
    if item is None:
        raise Http404
    year, today = _year(request), _today()
    own_only = request.GET.get("own") == "1"
    entries = compliance.item_entries(request.user, unit, item, year, today, own_only=own_only)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    scope = get_scope(request.user)
    assignable = {
        e.pk
        for e in page.object_list
        if e.published_on is None and scope.has_any_role(ASSIGN_ROLES, e.unit.path)
    }
    context = {
        "unit": unit,
        "item": item,
        "year": year,
        "years": _years(),
        "own_only": own_only,
        "page": page,
        "assignable": assignable,
        "breadcrumbs": _breadcrumbs(request, unit),
    }
    return render(request, "disclosures/compliance/item.html", context)


@login_required
@require_POST
def assign(request: HttpRequest, entry_pk: int) -> HttpResponse:
    """Name the responsible person of an entry by employee number (optionally for the later periods too)."""
    entry = compliance.entry_for_assignment(request.user, entry_pk)
    if entry is None:
        raise Http404
    back = reverse("disclosures:compliance_item", args=[entry.unit_id, entry.item_id])
    back += f"?year={entry.period_start.year}&own=1"
    employee_no = request.POST.get("employee_no", "").strip()[:32]
    person = compliance.assignable_people(request.user, entry.unit).filter(employee_no=employee_no).first()
    if person is None:
        messages.error(
            request,
            _(
                "No active person with employee number %(no)s in %(unit)s, its sub-units or the units above it."
            )
            % {"no": employee_no or "—", "unit": entry.unit.name},
        )
        return redirect(back)
    try:
        n = catalog_actions.assign_responsible(
            actor=request.user, entry=entry, person=person, following=request.POST.get("following") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except AccessDenied:
        messages.error(request, _("You do not have the role needed to do this here."))
    else:
        messages.success(
            request,
            _("%(name)s is now responsible (%(n)s entries).") % {"name": person.name, "n": n},
        )
    return redirect(back)


@login_required
@require_POST
def generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Create the year's missing schedule entries of the unit's subtree from the catalog."""
    unit = _unit_or_404(request, pk)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = _today().year
    try:
        n = catalog_actions.generate_schedule(request.user, unit, year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except AccessDenied:
        messages.error(request, _("You do not have the role needed to do this here."))
    else:
        messages.success(request, _("%(n)s schedule entries created for %(year)s.") % {"n": n, "year": year})
    return redirect(reverse("disclosures:compliance_unit", args=[unit.pk]) + f"?year={year}")


@login_required
@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    today = _today()
    entries = compliance.my_open_entries(request.user, today)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosures/compliance/mine.html",
        {"page": page, "today": today, "soon": today + dt.timedelta(days=settings.GONGKAI_REMINDER_DAYS)},
    )


# ----------------------------------------------------------------------------------- .xlsx export


def _append(sheet, values: list) -> None:
    """Append a row in which no text becomes a formula (see core.xlsx)."""
    sheet.append(xlsx.row(sheet, values))


def _workbook(heatmap: compliance.Heatmap, late, today: dt.date) -> bytes:
    """Sheet 1: the heat map (per unit and month: on time, late, missing, pending; the year; on-time rate).
    Sheet 2: what is late now (at most EXPORT_LATE_LIMIT rows)."""
    import openpyxl

    states = [str(Compliance(s).label) for s in compliance.STATES]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Compliance"))
    _append(
        sheet,
        [
            _("%(unit)s, %(year)s: disclosures on schedule (as of %(today)s)")
            % {"unit": heatmap.unit.name, "year": heatmap.year, "today": today.isoformat()}
        ],
    )
    header_1: list = [_("Unit code"), _("Unit")]
    header_2: list = ["", ""]
    for month in compliance.MONTHS:
        header_1 += [_("Month %(month)s") % {"month": month}, "", "", ""]
        header_2 += states
    header_1 += [_("Year"), "", "", "", _("On-time rate (%)")]
    header_2 += [*states, ""]
    _append(sheet, header_1)
    _append(sheet, header_2)

    def line(code: str, name: str, row: compliance.Row) -> list:
        values: list = [code, name]
        for counts in row.cells:
            values += counts.as_list()
        return [*values, *row.total.as_list(), row.total.rate]

    for row in heatmap.rows:
        name = _("%(unit)s (own items)") % {"unit": row.unit.name} if row.own else row.unit.name
        _append(sheet, line(row.unit.code, name, row))
    _append(sheet, line("", _("Total"), heatmap.total))

    late_sheet = workbook.create_sheet(_("Late now"))
    _append(
        late_sheet,
        [
            _("Due date"),
            _("Days overdue"),
            _("Unit code"),
            _("Unit"),
            _("Item code"),
            _("Item"),
            _("Period"),
            _("Responsible person"),
            _("Employee number"),
            _("Progress"),
        ],
    )
    written = 0
    for entry in late.iterator(chunk_size=2000):
        if written >= EXPORT_LATE_LIMIT:
            _append(late_sheet, [_("Only the first %(n)s are listed.") % {"n": EXPORT_LATE_LIMIT}])
            break
        person = entry.responsible
        status = str(Status(entry.disclosure_status).label) if entry.disclosure_status else _("Not started")
        _append(
            late_sheet,
            [
                entry.due_date,
                (today - entry.due_date).days,
                entry.unit.code,
                entry.unit.name,
                entry.item.code,
                entry.item.title,
                entry.period,
                person.name if person else _("Unassigned"),
                person.employee_no if person else "",
                status,
            ],
        )
        written += 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@login_required
@require_GET
def compliance_export(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, pk)
    year, today = _year(request), _today()
    data = _workbook(
        compliance.dashboard(request.user, unit, year, today).heatmap,
        compliance.late_now(request.user, unit, today),
        today,
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"compliance-{unit.code}-{year}.xlsx")
    return response


urlpatterns = [
    path("compliance/", compliance_index, name="compliance"),
    path("compliance/<int:pk>/", compliance_unit, name="compliance_unit"),
    path("compliance/<int:pk>/export.xlsx", compliance_export, name="compliance_export"),
    path("compliance/<int:pk>/generate/", generate, name="compliance_generate"),
    path("compliance/<int:pk>/items/<int:item_pk>/", compliance_item, name="compliance_item"),
    path("schedule/mine/", my_schedule, name="my_schedule"),
    path("schedule/<int:entry_pk>/assign/", assign, name="schedule_assign"),
]
