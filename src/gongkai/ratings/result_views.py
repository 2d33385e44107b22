"""Pages of the results: a round's results (with its `.xlsx` export and a printable sheet), the summary per unit
and group, and the one-click publication as a disclosure.

Reads go through `result_queries` (who may see a round, the lines, the summary); the only write goes through
`result_actions.publish_results`. A round someone may not see is a 404; before a round is closed its results
page says when the results come and shows no figure.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.disclosures import queries as disclosure_queries

from . import ballot_actions, result_actions, result_queries, result_xlsx
from .choices import RoundKind
from .models import Liaison, Round


def _round_or_404(request: HttpRequest, pk: int) -> Round:
    try:
        return result_queries.round_for(get_scope(request.user), pk)
    except Round.DoesNotExist as exc:
        raise Http404 from exc


def _trackers_url(round_: Round) -> str:
    return reverse("ratings:trackers", args=[round_.pk])


def _pending(request: HttpRequest, round_: Round) -> HttpResponse:
    return render(request, "ratings/results/pending.html", {"round": round_})


CHART_COLOURS = {"excellent": "#2e7d32", "fit": "#4a7bd0", "basically_fit": "#f0ad4e", "unfit": "#c0392b"}
CHART_COLOURS |= {"satisfied": "#4a7bd0", "basically_satisfied": "#f0ad4e", "dissatisfied": "#c0392b"}


def _chart(results: result_queries.RoundResults) -> dict:
    """An ECharts option: a stacked bar per person rated, the share of each level (the table has the figures)."""
    names = [line.person.name for line in reversed(results.lines)]
    series = [
        {
            "name": label,
            "type": "bar",
            "stack": "share",
            "itemStyle": {"color": CHART_COLOURS.get(level, "#888")},
            "data": [float(line.cells[i].pct) for line in reversed(results.lines)],
        }
        for i, (level, label) in enumerate(results.levels)
    ]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": names},
        "series": series,
    }


def _context(request: HttpRequest, round_: Round) -> dict:
    results = result_queries.round_results(round_)
    return {
        "round": round_,
        "results": results,
        "chart": _chart(results),
        "chart_height": 60 + 22 * len(results.lines),
        "trackers_url": _trackers_url(round_),
        "can_manage": ballot_actions.is_manager(request.user, round_),
        "can_publish": round_.disclosure_id is None
        and disclosure_queries.may_draft(request.user, round_.unit),
        "printed": timezone.localdate(),
    }


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_or_404(request, pk)
    if not result_queries.results_public(round_):
        return _pending(request, round_)
    return render(request, "ratings/results/results.html", _context(request, round_))


@login_required
@require_GET
def results_print(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_or_404(request, pk)
    if not result_queries.results_public(round_):
        return _pending(request, round_)
    liaisons = list(
        Liaison.objects.filter(round=round_).select_related("person").order_by("person__employee_no", "pk")
    )
    names = list(dict.fromkeys(liaison.person.name for liaison in liaisons))
    context = _context(request, round_) | {"liaisons": names or ["", ""]}
    return render(request, "ratings/results/print.html", context)


@login_required
@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_or_404(request, pk)
    if not result_queries.results_public(round_):
        raise Http404
    data = result_queries.round_results(round_)
    response = HttpResponse(result_xlsx.workbook(data), content_type=result_xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, result_xlsx.file_name(data))
    return response


@login_required
@require_POST
def publish_results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_or_404(request, pk)
    try:
        disclosure = result_actions.publish_results(actor=request.user, round_=round_)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except AccessDenied:
        messages.error(request, _("You do not have the role needed to do this here."))
    else:
        messages.success(
            request,
            _("The results disclosure “%(title)s” is drafted and waiting for the leading group's review.")
            % {"title": disclosure.draft_title},
        )
    return redirect("ratings:results", pk=round_.pk)


def _summary(request: HttpRequest) -> result_queries.Summary:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    kind = request.GET.get("kind", RoundKind.DUTY_RATING)
    if kind not in RoundKind.values:
        kind = RoundKind.DUTY_RATING
    return result_queries.group_summary(get_scope(request.user), year, kind)


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    data = _summary(request)
    context = {
        "summary": data,
        "kinds": RoundKind.choices,
        "exemptions": result_queries.exemption_heads(),
    }
    return render(request, "ratings/results/summary.html", context)


@login_required
@require_GET
def summary_xlsx(request: HttpRequest) -> HttpResponse:
    """The summary per unit and a sheet per closed round of the year."""
    data = _summary(request)
    if not data.lines:
        raise Http404
    rounds = [r for line in data.lines for r in line.round_list]
    content = result_xlsx.summary_workbook(data, result_queries.many_results(rounds))
    response = HttpResponse(content, content_type=result_xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"ratings-{data.kind}-{data.year}.xlsx"
    )
    return response


urlpatterns = [
    path("<int:pk>/results/", results, name="results"),
    path("<int:pk>/results.xlsx", results_xlsx, name="results_xlsx"),
    path("<int:pk>/results/print/", results_print, name="results_print"),
    path("<int:pk>/results/publish/", publish_results, name="publish_results"),
    path("summary/", summary, name="summary"),
    path("summary.xlsx", summary_xlsx, name="summary_xlsx"),
]
