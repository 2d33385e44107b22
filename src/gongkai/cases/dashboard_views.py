"""The cases dashboard of the union and the leading group: open, overdue, average working days to reply and
satisfaction rate per child unit and per handler, the drill-down to the cases behind a figure, and the .xlsx
export."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongkai.core import xlsx
from gongkai.core.access import get_scope
from gongkai.org.models import Unit

from . import dashboard
from .actions import MANAGE_ROLES

PAGE_SIZE = 50
STATES = ("open", "overdue", "replied", "dissatisfied")
EXPORT_CASE_LIMIT = 50_000


def _today() -> dt.date:
    return timezone.localdate()


def _unit_or_404(request: HttpRequest, pk: int) -> Unit:
    unit = dashboard.dashboard_unit(request.user, pk)
    if unit is None:
        raise Http404
    return unit


def _breadcrumbs(request: HttpRequest, unit: Unit) -> list[tuple[Unit, bool]]:
    """The units above, each with whether the viewer may open its dashboard (one query)."""
    scope = get_scope(request.user)
    above = Unit.objects.filter(path__in=unit.ancestor_paths()[:-1]).order_by("path")
    return [(u, scope.has_any_role(MANAGE_ROLES, u.path)) for u in above]


@login_required
@require_GET
def dashboard_index(request: HttpRequest) -> HttpResponse:
    """The dashboard of the highest unit the viewer oversees (or a choice when there are several)."""
    tops = list(dashboard.top_units(request.user))
    if not tops:
        raise PermissionDenied
    if len(tops) == 1:
        return redirect("cases:dashboard_unit", tops[0].pk)
    return render(request, "cases/dashboard/index.html", {"units": tops})


@login_required
@require_GET
def dashboard_unit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, pk)
    today = _today()
    data = dashboard.dashboard(request.user, unit, today)
    context = {
        "unit": unit,
        "today": today,
        "data": data,
        "breadcrumbs": _breadcrumbs(request, unit),
        "handler_rows": dashboard.HANDLER_ROWS,
    }
    return render(request, "cases/dashboard/unit.html", context)


def _state_and_handler(request: HttpRequest) -> tuple[str, int | None]:
    state = request.GET.get("state", "")
    if state not in STATES:
        state = ""
    try:
        handler = int(request.GET.get("handler", ""))
    except ValueError:
        handler = None
    return state, handler


@login_required
@require_GET
def dashboard_cases(request: HttpRequest, pk: int) -> HttpResponse:
    """The cases behind a figure of the dashboard (drill-down)."""
    unit = _unit_or_404(request, pk)
    today = _today()
    state, handler = _state_and_handler(request)
    page = Paginator(dashboard.drill_down(request.user, unit, today, state=state, handler=handler), PAGE_SIZE)
    query = f"state={state}" + (f"&handler={handler}" if handler is not None else "")
    context = {
        "unit": unit,
        "today": today,
        "page": page.get_page(request.GET.get("page")),
        "state": state,
        "handler": handler,
        "query": query,
        "breadcrumbs": _breadcrumbs(request, unit),
    }
    return render(request, "cases/dashboard/cases.html", context)


# ----------------------------------------------------------------------------------- .xlsx export


def _append(sheet, values: list) -> None:
    """Append a row in which no text becomes a formula (see core.xlsx)."""
    sheet.append(xlsx.row(sheet, values))


def _figures(figures: dashboard.Figures) -> list:
    return [
        figures.total,
        figures.open,
        figures.overdue,
        figures.replied,
        figures.avg_reply_days,
        figures.rated,
        figures.satisfaction_rate,
    ]


def _workbook(data: dashboard.Dashboard, cases, today: dt.date) -> bytes:
    """Sheet 1: per unit; sheet 2: per handler; sheet 3: the open cases of the subtree, overdue first."""
    import openpyxl

    heads = [
        _("Cases"),
        _("Open"),
        _("Overdue"),
        _("Replied"),
        _("Average working days to reply"),
        _("Rated"),
        _("Satisfaction rate (%)"),
    ]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Per unit"))
    _append(
        sheet, [_("%(unit)s: cases as of %(today)s") % {"unit": data.unit.name, "today": today.isoformat()}]
    )
    _append(sheet, [_("Unit code"), _("Unit"), *heads])
    for line in data.units:
        if line.unit is None:
            continue
        name = _("%(unit)s (own cases)") % {"unit": line.unit.name} if line.own else line.unit.name
        _append(sheet, [line.unit.code, name, *_figures(line.figures)])
    _append(sheet, ["", _("Total"), *_figures(data.total)])

    sheet = workbook.create_sheet(_("Per handler"))
    _append(sheet, [_("Employee number"), _("Handler"), _("Unit"), *heads])
    for line in data.handlers:
        person = line.handler
        if person is None:
            continue
        _append(
            sheet,
            [
                person.employee_no,
                person.name,
                person.unit.name if person.unit else "",
                *_figures(line.figures),
            ],
        )

    sheet = workbook.create_sheet(_("Open cases"))
    _append(
        sheet,
        [
            _("Case"),
            _("Title"),
            _("Raised in"),
            _("Status"),
            _("Priority"),
            _("Handling department"),
            _("Main handler"),
            _("Reply due by"),
            _("Days overdue"),
        ],
    )
    written = 0
    for case in cases.iterator(chunk_size=2000):
        if written >= EXPORT_CASE_LIMIT:
            _append(sheet, [_("Only the first %(n)s are listed.") % {"n": EXPORT_CASE_LIMIT}])
            break
        late = (today - case.due_date).days if case.due_date and case.due_date < today else 0
        _append(
            sheet,
            [
                case.pk,
                case.title,
                case.unit.name,
                str(case.get_status_display()),
                str(case.get_priority_display()),
                case.handling_unit.name if case.handling_unit else "",
                case.handler.name if case.handler else "",
                case.due_date,
                late,
            ],
        )
        written += 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@login_required
@require_GET
def dashboard_export(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, pk)
    today = _today()
    data = _workbook(
        dashboard.dashboard(request.user, unit, today),
        dashboard.drill_down(request.user, unit, today, state="open"),
        today,
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"cases-{unit.code}-{today.isoformat()}.xlsx"
    )
    return response


def dashboard_url(unit: Unit) -> str:
    return reverse("cases:dashboard_unit", args=[unit.pk])


urlpatterns = [
    path("dashboard/", dashboard_index, name="dashboard"),
    path("dashboard/<int:pk>/", dashboard_unit, name="dashboard_unit"),
    path("dashboard/<int:pk>/cases/", dashboard_cases, name="dashboard_cases"),
    path("dashboard/<int:pk>/export.xlsx", dashboard_export, name="dashboard_export"),
]
