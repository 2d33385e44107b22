"""Insight pages: similar earlier suggestions (htmx fragments) and the theme grouping of a unit's suggestions.

`similar` (POST title/problem/proposal, called by htmx while an author types on the new/edit form) lists the most
similar suggestions submitted so far. `similar_to` <pk> (GET, on a suggestion's page, for its managers and panel
members) lists the similar suggestions submitted *before* it, marked "possible duplicate" from
similarity.DUPLICATE_SCORE: the first author gets the credit.

What a person sees of a similar suggestion depends on whether they may open it (`author_queries.visible_to`):
- one they may open: title, unit, status, score, and a link to it;
- one they may not (another unit's): only its category, unit, status, submission date and the score — never its
  title or text. The author learns that the idea was raised already and where (so they can talk to that unit, or
  add what is new), the reviewer learns that another unit had it first; neither reads another unit's proposal.
  Someone who types texts to probe learns at most "a suggestion of this category exists in that unit", which the
  statistics show anyway; the lookups are rate-limited per person (GONGKAI_SIMILAR_PER_MINUTE, default 60 —
  typing with htmx's 800 ms delay stays well under it) and answer 429 beyond, which htmx leaves unswapped.

`themes`: a manager (access.MANAGE_ROLES) picks one of their units and a period (the last calendar month by
default) and requests a grouping; the worker computes it (themes.compute) while the page shows "being computed"
and polls with htmx every two seconds; then the latest grouping of that unit is shown: themes by size, with
their label, terms, a few example titles and every member as a link.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.org.models import Unit

from . import similarity, themes
from .access import MANAGE_ROLES, is_manager, is_panel_member
from .author_queries import visible_to
from .choices import Status
from .models import Suggestion, Theme, ThemeRun

MIN_CHARS = 6  # fewer characters of text: nothing to compare yet
MAX_CHARS = 10_000
LIMIT = 5


def _rate_limited(request: HttpRequest) -> bool:
    """Count one lookup of the person in the current minute; True beyond GONGKAI_SIMILAR_PER_MINUTE."""
    limit = int(getattr(settings, "GONGKAI_SIMILAR_PER_MINUTE", 60))
    key = f"suggestions.similar.{request.user.pk}.{int(timezone.now().timestamp() // 60)}"
    if cache.add(key, 1, timeout=120):
        return limit < 1
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired meanwhile
        cache.add(key, 1, timeout=120)
        return False


def _rows(person, found: list[tuple[int, float]]) -> list[dict]:
    """The similar suggestions with what the person may see of each (a fixed number of queries)."""
    if not found:
        return []
    ids = [pk for pk, _score in found]
    by_pk = {s.pk: s for s in Suggestion.objects.filter(pk__in=ids).select_related("unit")}
    may_open = set(visible_to(person).filter(pk__in=ids).values_list("pk", flat=True))
    rows = []
    for pk, score in found:
        s = by_pk.get(pk)
        if s is None:
            continue
        rows.append(
            {
                "suggestion": s,
                "visible": pk in may_open,
                "percent": round(score * 100),
                "duplicate": score >= similarity.DUPLICATE_SCORE,
            }
        )
    return rows


@login_required
@require_POST
def similar(request: HttpRequest) -> HttpResponse:
    """Fragment: the suggestions most similar to the posted title, problem and proposal."""
    if _rate_limited(request):
        return render(request, "suggestions/insight/similar.html", {"rows": [], "limited": True}, status=429)
    text = " ".join(request.POST.get(name, "") for name in ("title", "problem", "proposal"))[:MAX_CHARS]
    exclude = request.POST.get("exclude", "")
    rows: list[dict] = []
    if len("".join(text.split())) >= MIN_CHARS:
        found = similarity.similar(
            text, limit=LIMIT, exclude_id=int(exclude) if exclude.isdigit() else None, before=timezone.now()
        )
        rows = _rows(request.user, found)
    return render(request, "suggestions/insight/similar.html", {"rows": rows, "checked": bool(text.strip())})


@login_required
@require_GET
def similar_to(request: HttpRequest, pk: int) -> HttpResponse:
    """Fragment for a suggestion's managers and panel members: similar suggestions submitted before it."""
    s = get_object_or_404(Suggestion.objects.select_related("unit"), pk=pk)
    if s.status == Status.DRAFT or not (is_manager(request.user, s) or is_panel_member(request.user, s)):
        raise Http404
    found = similarity.similar(
        f"{s.title} {s.problem} {s.proposal}", limit=LIMIT, exclude_id=s.pk, before=s.submitted_at
    )
    return render(
        request,
        "suggestions/insight/similar_to.html",
        {
            "rows": _rows(request.user, found),
            "suggestion": s,
            "threshold": round(similarity.DUPLICATE_SCORE * 100),
        },
    )


# ------------------------------------------------------------------------------------------------- themes


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class ThemesForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=gettext_lazy("Unit")
    )
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units

    def clean(self):
        data = super().clean() or {}
        if data.get("start") and data.get("end"):
            try:
                themes.check_period(data["start"], data["end"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


def _manager_units(person):
    """The units a manager may group: those where they hold a manage role and the level below them."""
    scope = get_scope(person)
    paths = scope.paths(*MANAGE_ROLES)
    if not paths:
        return Unit.objects.none()
    units = Unit.objects.filter(scope.within("", *MANAGE_ROLES))
    depths = Unit.objects.filter(path__in=paths).values_list("depth", flat=True)
    deepest = max(depths, default=1) + 1
    return units.filter(depth__lte=deepest).order_by("path")


WORKER_SILENT_AFTER = dt.timedelta(minutes=3)


def _run_context(run: ThemeRun | None) -> dict:
    """The themes of a finished run with the titles of their members (two queries whatever the size)."""
    if run is None or run.finished_at is None:
        # the worker picks a request up within seconds; after a few minutes it is most likely not running
        waiting = run is not None and timezone.now() - run.requested_at > WORKER_SILENT_AFTER
        return {"run": run, "themes": [], "worker_silent": waiting}
    theme_rows = list(Theme.objects.filter(run=run).order_by("-size", "pk"))
    titles = dict(themes.period_suggestions(run.unit, run.start, run.end).values_list("pk", "title"))
    out = []
    for t in theme_rows:
        members = [(pk, titles[pk]) for pk in t.members if pk in titles]
        out.append(
            {
                "theme": t,
                "examples": [(pk, titles[pk]) for pk in t.examples if pk in titles],
                "members": members,
            }
        )
    return {"run": run, "themes": out}


@login_required
@require_http_methods(["GET", "POST"])
def themes_page(request: HttpRequest) -> HttpResponse:
    units = _manager_units(request.user)
    unit: Unit | None
    if not get_scope(request.user).paths(*MANAGE_ROLES):
        raise PermissionDenied
    start, end = last_month(timezone.localdate())
    if request.method == "POST":
        form = ThemesForm(request.POST, units=units)
        if form.is_valid():
            try:
                requested = themes.request_grouping(
                    actor=request.user,
                    unit=form.cleaned_data["unit"],
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                )
            except AccessDenied:
                raise Http404 from None
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(f"{reverse('suggestions:themes')}?unit={requested.unit_id}")
        status = 400
        unit = form.cleaned_data.get("unit") if hasattr(form, "cleaned_data") else None
    else:
        status = 200
        unit = None
        if request.GET.get("unit", "").isdigit():
            unit = units.filter(pk=int(request.GET["unit"])).first()
            if unit is None:
                raise Http404
        unit = unit or units.first()
        form = ThemesForm(initial={"unit": unit, "start": start, "end": end}, units=units)
    run = (
        ThemeRun.objects.filter(unit=unit)
        .select_related("unit", "requested_by")
        .order_by("-requested_at", "-pk")
        .first()
        if unit is not None
        else None
    )
    if run is not None and request.method == "GET":
        form = ThemesForm(initial={"unit": unit, "start": run.start, "end": run.end}, units=units)
    context = {"form": form, "unit": unit, **_run_context(run)}
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "suggestions/insight/themes_result.html", context)
    return render(request, "suggestions/insight/themes.html", context, status=status)


urlpatterns: list = [
    path("similar/", similar, name="similar"),
    path("<int:pk>/similar/", similar_to, name="similar_to"),
    path("themes/", themes_page, name="themes"),
]
