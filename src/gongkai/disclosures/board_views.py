"""Pages of the physical boards register (公开栏): a unit subtree's boards with counts by level, add, edit,
"updated today", and the photo (served only to those who may see the board)."""

from __future__ import annotations

import mimetypes
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.org.forms import UnitChoiceField
from gongkai.org.models import Unit

from . import board_actions, board_queries
from .choices import BoardLevel
from .models import Board

PAGE_SIZE = 50


class BoardForm(forms.Form):
    unit = UnitChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    number = forms.CharField(label=gettext_lazy("Board number"), max_length=40)
    location = forms.CharField(label=gettext_lazy("Location"), max_length=200)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=BoardLevel.choices)
    last_updated = forms.DateField(
        label=gettext_lazy("Last updated"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)
    photo = forms.FileField(
        label=gettext_lazy("Photo (JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", board_queries.STALE_DAYS))
    except ValueError:
        return board_queries.STALE_DAYS
    return min(max(days, 1), 3650)


@login_required
def board_list(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not scope.paths(*board_queries.VIEW_ROLES):
        raise Http404
    unit = None
    if request.GET.get("unit"):
        try:
            unit = board_queries.unit_for(request.user, int(request.GET["unit"]))
        except ValueError:
            unit = None
        if unit is None:
            raise Http404
    tops = board_queries.top_units(request.user)
    if unit is None and len(tops) == 1:
        unit = tops[0]
    level = request.GET.get("level", "")
    if level not in BoardLevel.values:
        level = ""
    stale = request.GET.get("stale") == "1"
    days = _days(request)
    qs = board_queries.boards(request.user, unit=unit, level=level, stale=stale, days=days)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = {b.pk for b in page if scope.has_any_role(board_actions.EDIT_ROLES, b.unit.path)}
    context = {
        "unit": unit,
        "tops": tops if unit is None else [],
        "ancestors": list(
            board_queries.viewable_units(request.user)
            .filter(path__in=unit.ancestor_paths()[:-1])
            .order_by("path")
        )
        if unit
        else [],
        "counts": board_queries.level_counts(request.user, unit=unit, days=days),
        "children": board_queries.child_counts(unit, days=days) if unit else [],
        "levels": BoardLevel.choices,
        "level": level,
        "stale": stale,
        "days": days,
        "page": page,
        "editable": editable,
        "can_add": unit is not None and board_actions.can_edit(request.user, unit),
    }
    return render(request, "disclosures/boards/list.html", context)


@login_required
def board_new(request: HttpRequest) -> HttpResponse:
    try:
        unit = board_queries.unit_for(request.user, int(request.GET.get("unit", "")))
    except ValueError:
        unit = None
    if unit is None or not board_actions.can_edit(request.user, unit):
        raise Http404
    scope = get_scope(request.user)
    units = Unit.objects.filter(
        scope.within("", *board_actions.EDIT_ROLES), path__startswith=unit.path, depth__lte=unit.depth + 1
    ).order_by("path")
    form = BoardForm(request.POST or None, request.FILES or None, units=units, initial={"unit": unit})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            board = board_actions.add_board(actor=request.user, **data)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Board %(number)s registered.") % {"number": board.number})
            return redirect(f"{reverse('disclosures:boards')}?unit={unit.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "disclosures/boards/form.html", {"form": form, "unit": unit}, status=status)


def _editable_board(request: HttpRequest, pk: int) -> Board:
    board = board_queries.board_for(request.user, pk)
    if board is None or not board_actions.can_edit(request.user, board.unit):
        raise Http404
    return board


@login_required
def board_edit(request: HttpRequest, pk: int) -> HttpResponse:
    board = _editable_board(request, pk)
    initial = {
        "number": board.number,
        "location": board.location,
        "level": board.level,
        "last_updated": board.last_updated,
        "active": board.active,
    }
    form = BoardForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            board_actions.update_board(actor=request.user, board=board, **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('disclosures:boards')}?unit={board.unit_id}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "unit": board.unit, "board": board}
    return render(request, "disclosures/boards/form.html", context, status=status)


@login_required
@require_POST
def board_updated(request: HttpRequest, pk: int) -> HttpResponse:
    board = _editable_board(request, pk)
    try:
        board_actions.mark_updated(actor=request.user, board=board)
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Board %(number)s marked as updated on %(date)s.")
            % {"number": board.number, "date": timezone.localdate().isoformat()},
        )
    return redirect(f"{reverse('disclosures:boards')}?unit={board.unit_id}")


@login_required
def board_photo(request: HttpRequest, pk: int) -> FileResponse:
    board = board_queries.board_for(request.user, pk)
    if board is None or not board.photo.name or not default_storage.exists(board.photo.name):
        raise Http404
    content_type = mimetypes.guess_type(board.photo.name)[0] or "application/octet-stream"
    return FileResponse(default_storage.open(board.photo.name, "rb"), content_type=content_type)


urlpatterns = [
    path("boards/", board_list, name="boards"),
    path("boards/new/", board_new, name="board_new"),
    path("boards/<int:pk>/edit/", board_edit, name="board_edit"),
    path("boards/<int:pk>/updated/", board_updated, name="board_updated"),
    path("boards/<int:pk>/photo/", board_photo, name="board_photo"),
]
