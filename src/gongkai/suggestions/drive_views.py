"""Campaign drives: the list (drives of my units and of the units above me, and of the units I manage), starting
and changing a drive (union and leading group), and a drive's page with its participation and results."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core.access import AccessDenied, get_scope
from gongkai.org.models import Person, Unit

from . import drive_actions, stats
from .access import MANAGE_ROLES
from .choices import Category, Status
from .models import Drive


def visible_drives(person) -> QuerySet[Drive]:
    """Drives of the person's own unit and the units above it, and of every unit the person manages."""
    scope = get_scope(person)
    q = Q(unit__path__in=list(scope.home_paths)) | scope.within("unit", *MANAGE_ROLES)
    return Drive.objects.filter(q)


def can_manage(person, drive: Drive) -> bool:
    return get_scope(person).has_any_role(MANAGE_ROLES, drive.unit.path)


def managed_units(person) -> QuerySet[Unit]:
    """The units where the person may start a drive: those they manage and the level under them (a drive of a
    whole mine or of one of its sections; a short list even for the group's union)."""
    scope = get_scope(person)
    paths = scope.paths(*MANAGE_ROLES)
    if not paths:
        return Unit.objects.none()
    top = min(max(1, len(p) // Unit.steplen) for p in paths)
    return Unit.objects.filter(scope.within("", *MANAGE_ROLES), depth__lte=top + 1).order_by("path")


class DriveForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none()
    )
    title = forms.CharField(label=gettext_lazy("Slogan"), max_length=drive_actions.TITLE_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    starts_on = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Target categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    target = forms.IntegerField(
        label=gettext_lazy("Target number of suggestions"), required=False, min_value=1
    )
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, person=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]
        else:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = managed_units(person)


def _drive_or_404(request: HttpRequest, pk: int) -> Drive:
    drive = visible_drives(request.user).select_related("unit", "created_by").filter(pk=pk).first()
    if drive is None:
        raise Http404
    return drive


@login_required
@require_GET
def drives(request: HttpRequest) -> HttpResponse:
    """Running, upcoming and past drives, each with the number of suggestions filed under it (3 queries)."""
    today = timezone.localdate()
    found = list(
        visible_drives(request.user)
        .select_related("unit")
        .annotate(filed=Count("suggestions", filter=~Q(suggestions__status=Status.DRAFT)))
        .order_by("-starts_on", "pk")[:300]
    )
    running = [d for d in found if d.starts_on <= today <= d.ends_on]
    upcoming = sorted((d for d in found if d.starts_on > today), key=lambda d: d.starts_on)
    past = [d for d in found if d.ends_on < today]
    context = {
        "running": running,
        "upcoming": upcoming,
        "past": past,
        "today": today,
        "may_start": bool(get_scope(request.user).paths(*MANAGE_ROLES)),
    }
    return render(request, "suggestions/drives/list.html", context)


def _save(request: HttpRequest, form: DriveForm, drive: Drive | None) -> Drive | None:
    data = form.cleaned_data
    actor = cast(Person, request.user)
    fields = {
        "title": data["title"],
        "description": data.get("description", ""),
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "categories": data["categories"],
        "target": data.get("target"),
    }
    try:
        if drive is None:
            return drive_actions.create_drive(actor=actor, unit=data["unit"], **fields)
        return drive_actions.update_drive(
            actor=actor, drive=drive, expected_stamp=data.get("stamp") or "", **fields
        )
    except ValidationError as exc:
        form.add_error(None, exc)
    except AccessDenied as exc:
        raise PermissionDenied from exc
    return None


@login_required
@require_http_methods(["GET", "POST"])
def drive_new(request: HttpRequest) -> HttpResponse:
    if not get_scope(request.user).paths(*MANAGE_ROLES):
        raise PermissionDenied
    today = timezone.localdate()
    if request.method == "POST":
        form = DriveForm(request.POST, person=request.user)
        if form.is_valid():
            drive = _save(request, form, None)
            if drive is not None:
                return redirect("suggestions:drive", drive.pk)
    else:
        tops = stats.top_units(request.user)
        form = DriveForm(
            person=request.user,
            initial={
                "unit": tops[0].pk if tops else None,
                "starts_on": today,
                "ends_on": today + dt.timedelta(days=30),
                "title": "提合理化建议，创效益新高",
            },
        )
    return render(request, "suggestions/drives/form.html", {"form": form, "drive": None})


@login_required
@require_http_methods(["GET", "POST"])
def drive_edit(request: HttpRequest, pk: int) -> HttpResponse:
    drive = _drive_or_404(request, pk)
    if not can_manage(request.user, drive):
        raise Http404
    if request.method == "POST":
        form = DriveForm(request.POST, editing=True)
        if form.is_valid():
            saved = _save(request, form, drive)
            if saved is not None:
                return redirect("suggestions:drive", saved.pk)
    else:
        form = DriveForm(
            editing=True,
            initial={
                "title": drive.title,
                "description": drive.description,
                "starts_on": drive.starts_on,
                "ends_on": drive.ends_on,
                "categories": drive.categories,
                "target": drive.target,
                "stamp": drive_actions.stamp(drive),
            },
        )
    return render(request, "suggestions/drives/form.html", {"form": form, "drive": drive})


@login_required
@require_GET
def drive(request: HttpRequest, pk: int) -> HttpResponse:
    found = _drive_or_404(request, pk)
    today = timezone.localdate()
    data = stats.figures(found.unit, drive=found, today=today)
    days = (found.ends_on - found.starts_on).days + 1
    elapsed = min(days, max(0, (today - found.starts_on).days + 1))
    labels = dict(Category.choices)
    context = {
        "drive": found,
        "data": data,
        "today": today,
        "days": days,
        "elapsed": elapsed,
        "time_percent": round(100 * elapsed / days) if days else 0,
        "target_percent": (
            min(100, round(100 * data.total.submitted / found.target)) if found.target else None
        ),
        "category_names": [str(labels.get(c, c)) for c in found.categories],
        "may_edit": can_manage(request.user, found),
        "chart_units": data.chart_units(),
        "chart_categories": data.chart_categories(),
        "chart_series": data.chart_series(),
    }
    return render(request, "suggestions/drives/detail.html", context)


urlpatterns = [
    path("drives/", drives, name="drives"),
    path("drives/new/", drive_new, name="drive_new"),
    path("drives/<int:pk>/", drive, name="drive"),
    path("drives/<int:pk>/edit/", drive_edit, name="drive_edit"),
]
