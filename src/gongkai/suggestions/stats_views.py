"""The suggestions statistics of the union and the leading group: a unit in their scope (default: their highest)
and a year (default: this one), with charts, accessible tables and the .xlsx export (`?format=xlsx`)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongkai.core import xlsx
from gongkai.org.models import Unit

from . import stats

FIRST_YEAR = 2000


def chosen(request: HttpRequest, unit_param: str, year_param: str) -> tuple[Unit, int, list[Unit]]:
    """The unit and year asked for (defaults: the viewer's highest unit, this year). PermissionDenied for someone
    who manages nothing; Http404 for a unit outside the viewer's scope."""
    tops = stats.top_units(request.user)
    if not tops:
        raise PermissionDenied
    today = timezone.localdate()
    try:
        year = int(year_param or today.year)
    except ValueError:
        year = today.year
    if not FIRST_YEAR <= year <= today.year + 1:
        year = today.year
    unit = tops[0]
    if unit_param:
        try:
            pk = int(unit_param)
        except ValueError:
            raise Http404 from None
        found = Unit.objects.filter(pk=pk).first()
        if found is None or not stats.can_view(request.user, found):
            raise Http404
        unit = found
    return unit, year, tops


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    unit, year, tops = chosen(request, request.GET.get("unit", ""), request.GET.get("year", ""))
    today = timezone.localdate()
    start, end = stats.year_bounds(year)
    data = stats.figures(unit, start=start, end=end, today=today)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            workbook(data, year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"suggestions-{unit.code}-{year}.xlsx"
        )
        return response
    units = tops if unit in tops else [*tops, unit]
    above = [u for u in Unit.objects.filter(path__in=unit.ancestor_paths()[:-1]).order_by("path")]
    context = {
        "unit": unit,
        "year": year,
        "years": list(range(today.year, today.year - 6, -1)),
        "units": units,
        "above": [u for u in above if stats.can_view(request.user, u)],
        "today": today,
        "data": data,
        "chart_units": data.chart_units(),
        "chart_categories": data.chart_categories(),
        "chart_series": data.chart_series(),
        "chart_stages": data.chart_stages(),
    }
    return render(request, "suggestions/stats/page.html", context)


def _append(sheet, values: list) -> None:
    sheet.append(xlsx.row(sheet, values))


def _figures(f: stats.Figures) -> list:
    return [
        f.submitted,
        f.screened,
        f.decided,
        f.adopted,
        f.adoption_rate,
        f.measured,
        f.net_saving,
        f.awards,
        f.awarded,
        f.paid_count,
        f.paid,
        f.overdue,
    ]


def workbook(data: stats.Stats, year: int) -> bytes:
    """A sheet per table of the page: units, categories, stages, top contributors (no text becomes a formula)."""
    import openpyxl

    heads = [
        _("Submitted"),
        _("Screened"),
        _("Decided"),
        _("Adopted"),
        _("Adoption rate (%)"),
        _("Benefits measured"),
        _("Net annual saving (yuan)"),
        _("Awards granted"),
        _("Awards granted (yuan)"),
        _("Awards paid"),
        _("Awards paid (yuan)"),
        _("First answers overdue"),
    ]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("By unit"))
    _append(sheet, [_("Suggestions of %(unit)s in %(year)s") % {"unit": data.unit.name, "year": year}])
    _append(sheet, [_("Unit code"), _("Unit"), *heads])
    for line in data.units:
        _append(sheet, [line.unit.code if line.unit else "", line.label, *_figures(line.figures)])
    _append(sheet, ["", _("Total"), *_figures(data.total)])

    sheet = book.create_sheet(_("By category"))
    _append(sheet, [_("Category"), *heads])
    for line in data.categories:
        _append(sheet, [line.label, *_figures(line.figures)])

    sheet = book.create_sheet(_("By stage"))
    _append(sheet, [_("Stage"), _("Suggestions")])
    for line in data.stages:
        _append(sheet, [line.label, line.figures.submitted])

    sheet = book.create_sheet(_("By month"))
    _append(sheet, [_("Month"), _("Submitted"), _("Adopted so far")])
    for when, n, adopted in data.series:
        _append(sheet, [when.strftime("%Y-%m"), n, adopted])

    sheet = book.create_sheet(_("Top contributors"))
    _append(
        sheet,
        [_("Employee number"), _("Person"), _("Unit"), _("Suggestions"), _("As lead author"), _("Adopted")],
    )
    for c in data.contributors:
        person = c.person
        _append(
            sheet,
            [
                person.employee_no,
                person.name,
                person.unit.name if person.unit else "",
                c.suggestions,
                c.as_lead,
                c.adopted,
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


urlpatterns = [
    path("stats/", stats_page, name="stats"),
]
