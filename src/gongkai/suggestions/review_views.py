"""The management side of suggestions: the queue of my units (overdue first answers first), the panel member's
review page, the expert panels and the award bands. The management page of one suggestion and its steps are in
`manage_views` (their URLs are served from here too).

Views call the actions and never write a model. A refusal shows the page again with the action's message and the
status of the refusal (400, 403 or 409 for a stale form). Managers see the suggestions of their units only; a
suggestion of another unit is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core.access import AccessDenied, get_scope
from gongkai.org.models import Unit

from . import access, manage_views, outcome_actions, review_actions
from .access import MANAGE_ROLES
from .choices import AWAITING_ANSWER, Status
from .common import error_text, me, status_of
from .models import AwardBand, Review, ReviewPanel, Suggestion
from .review_forms import (
    BandFormSet,
    PanelForm,
    QueueFilter,
    ReviewForm,
)
from .review_queries import active_people, managed, overdue_q, similar_url, to_review

PAGE_SIZE = 50
TO_REVIEW_MAX = 100


# --------------------------------------------------------------------------------------------------- queue

PanelMember = ReviewPanel.members.through


def _count_of(rows: QuerySet, key: str) -> Subquery:
    """COUNT(*) of `rows` as a correlated subquery (0 when none)."""
    return Subquery(
        rows.order_by().values(key).annotate(n=Count("*")).values("n")[:1], output_field=IntegerField()
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Screening queue of my units (overdue first answers first; filters) and my suggestions to review."""
    scope = get_scope(request.user)
    is_manager = bool(scope.paths(*MANAGE_ROLES))
    reviewing = list(to_review(request.user)[:TO_REVIEW_MAX])
    if not is_manager and not reviewing and not ReviewPanel.objects.filter(members=request.user.pk).exists():
        raise Http404
    today = timezone.localdate()
    context: dict[str, Any] = {"to_review": reviewing, "today": today, "is_manager": is_manager}
    if is_manager:
        units = list(Unit.objects.filter(scope.within("", *MANAGE_ROLES), active=True).order_by("path"))
        filters = QueueFilter(request.GET or None, units=units)
        rows = managed(request.user)
        if filters.is_valid():
            data = filters.cleaned_data
            if data["status"]:
                rows = rows.filter(status=data["status"])
            if data["category"]:
                rows = rows.filter(category=data["category"])
            if data["unit"]:
                chosen = next((u for u in units if u.pk == data["unit"]), None)
                if chosen is not None:
                    rows = rows.filter(unit__path__startswith=chosen.path)
            if data["overdue"]:
                rows = rows.filter(overdue_q(today))
        rows = (
            rows.annotate(
                urgency=SqlCase(
                    When(overdue_q(today), then=Value(0)),
                    When(status__in=AWAITING_ANSWER, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .annotate(reviews_given=_count_of(Review.objects.filter(suggestion=OuterRef("pk")), "suggestion"))
            .annotate(
                panel_size=_count_of(PanelMember.objects.filter(reviewpanel=OuterRef("panel")), "reviewpanel")
            )
            .select_related("unit", "author")
            .order_by("urgency", "answer_due_on", "-submitted_at", "-pk")
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update({"filters": filters, "page": page, "query": query.urlencode()})
    return render(request, "suggestions/review/queue.html", context)


# ------------------------------------------------------------------------------------------- review page


def _reviewable(request: HttpRequest, pk: int) -> Suggestion:
    """A suggestion given to a panel the person sits on (404 for anyone else)."""
    try:
        return (
            Suggestion.objects.filter(panel__members=request.user.pk)
            .exclude(status=Status.DRAFT)
            .select_related("unit", "panel")
            .get(pk=pk)
        )
    except Suggestion.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel member's page: the proposal, similar earlier suggestions, and the scoring form (once)."""
    s = _reviewable(request, pk)
    mine = Review.objects.filter(suggestion=s, reviewer=request.user.pk).first()
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                review_actions.review(actor=me(request), suggestion=s, **form.cleaned_data)
            except (ValidationError, AccessDenied) as exc:
                form.add_error(None, error_text(exc))
                status = status_of(exc)
            else:
                messages.success(request, _("Your review is recorded. Thank you."))
                return redirect("suggestions:review", pk=s.pk)
        else:
            status = 400
    context = {
        "s": s,
        "mine": mine,
        "form": form,
        "own": access.is_author(me(request), s),
        "attachments": list(s.attachments.order_by("pk")),
        "similar_url": similar_url(s),
        "open": s.status == Status.IN_REVIEW,
    }
    return render(request, "suggestions/review/review.html", context, status=status)


# ------------------------------------------------------------------------------------------------ panels


def _managed_units(request: HttpRequest) -> list[Unit]:
    scope = get_scope(request.user)
    if not scope.paths(*MANAGE_ROLES):
        raise Http404
    return list(Unit.objects.filter(scope.within("", *MANAGE_ROLES), active=True).order_by("path"))


@login_required
@require_http_methods(["GET", "POST"])
def panels(request: HttpRequest) -> HttpResponse:
    """The expert panels of my units: create one or change its name and members (by employee number)."""
    units = _managed_units(request)
    scope = get_scope(request.user)
    rows = list(
        ReviewPanel.objects.filter(scope.within("unit", *MANAGE_ROLES))
        .select_related("unit")
        .prefetch_related("members")
        .order_by("unit__path", "name")
    )
    form = PanelForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                unit = next((u for u in units if u.pk == d["unit"]), None)
                if unit is None:
                    raise AccessDenied(MANAGE_ROLES)
                editing = next((p for p in rows if p.pk == d["panel"]), None) if d["panel"] else None
                if d["panel"] and editing is None:
                    raise Http404
                found = active_people(d["members"])
                missing = [n for n in d["members"] if n not in found]
                if missing:
                    raise ValidationError(
                        _("No active person with employee number %(no)s.") % {"no": ", ".join(missing)},
                        code="person",
                    )
                outcome_actions.save_panel(
                    actor=me(request),
                    unit=unit,
                    name=d["name"],
                    members=[found[n] for n in d["members"]],
                    panel=editing,
                    expected_stamp=d["stamp"] or "",
                )
            except (ValidationError, AccessDenied) as exc:
                form.add_error(None, error_text(exc))
                status = status_of(exc)
            else:
                messages.success(request, _("The panel is saved."))
                return redirect("suggestions:panels")
        else:
            status = 400
    edit_forms = [
        (
            p,
            PanelForm(
                initial={
                    "panel": p.pk,
                    "stamp": outcome_actions.panel_stamp(p),
                    "unit": p.unit_id,
                    "name": p.name,
                    "members": " ".join(
                        m.employee_no for m in sorted(p.members.all(), key=lambda m: m.employee_no)
                    ),
                },
                units=units,
                prefix=f"p{p.pk}",
            ),
        )
        for p in rows
    ]
    return render(
        request, "suggestions/review/panels.html", {"form": form, "rows": edit_forms}, status=status
    )


# ------------------------------------------------------------------------------------------------- bands


@login_required
@require_http_methods(["GET", "POST"])
def bands(request: HttpRequest) -> HttpResponse:
    """The award bands (grades by net annual saving): managers see them; managers at the top change them."""
    _managed_units(request)
    root = Unit.objects.get_first_root_node()
    may_edit = root is not None and get_scope(request.user).has_any_role(MANAGE_ROLES, root.path)
    current = list(AwardBand.objects.order_by("grade"))
    initial = [
        {"grade": b.grade, "name": b.name, "min_saving": b.min_saving, "award": b.award} for b in current
    ]
    fingerprint = outcome_actions.bands_fingerprint()
    formset = BandFormSet(request.POST or None, initial=initial, prefix="bands")
    error = ""
    status = 200
    if request.method == "POST":
        if not formset.is_valid():
            status = 400
        else:
            rows = [
                f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                outcome_actions.save_bands(
                    actor=me(request), rows=rows, expected=request.POST.get("fingerprint", "")
                )
            except (ValidationError, AccessDenied) as exc:
                error = error_text(exc)
                status = status_of(exc)
            else:
                messages.success(request, _("The award bands are saved."))
                return redirect("suggestions:bands")
    return render(
        request,
        "suggestions/review/bands.html",
        {
            "bands": current,
            "formset": formset,
            "fingerprint": request.POST.get("fingerprint", fingerprint)
            if request.method == "POST"
            else fingerprint,
            "may_edit": may_edit,
            "error": error,
        },
        status=status,
    )


urlpatterns: list = [
    path("manage/", queue, name="queue"),
    path("manage/panels/", panels, name="panels"),
    path("manage/bands/", bands, name="bands"),
    *manage_views.urlpatterns,
    path("<int:pk>/review/", review, name="review"),
]
