"""The management side of suggestions: the queue of my units (overdue first answers first), the management page
of a suggestion with its next steps (screen, conclude, mark as a duplicate, reopen, plan, implemented, benefit,
award, paid, archive), the panel member's review page, the expert panels and the award bands.

Views call the actions and never write a model. A refusal shows the page again with the action's message and the
status of the refusal (400, 403 or 409 for a stale form). Managers see the suggestions of their units only; a
suggestion of another unit is a 404.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core.access import AccessDenied, get_scope
from gongkai.org.models import Person, Unit

from . import outcome_actions, review_actions
from .access import MANAGE_ROLES
from .choices import AWAITING_ANSWER, Decision, Status
from .models import AwardBand, Review, ReviewPanel, Suggestion, SuggestionEvent
from .review_forms import (
    AwardForm,
    BandFormSet,
    BenefitForm,
    ConcludeForm,
    DuplicateForm,
    ImplementedForm,
    PaidForm,
    PanelForm,
    PlanForm,
    QueueFilter,
    ReviewForm,
    RevisionForm,
    ScreenForm,
)

PAGE_SIZE = 50
TO_REVIEW_MAX = 100


def _me(request: HttpRequest) -> Person:
    return cast(Person, request.user)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _status_of(exc: Exception) -> int:
    if isinstance(exc, AccessDenied):
        return 403
    return 409 if getattr(exc, "code", None) == "stale" else 400


def similar_url(suggestion: Suggestion) -> str | None:
    """The similar-suggestions fragment of the insight part (None while it is not installed)."""
    try:
        return reverse("suggestions:similar_to", args=[suggestion.pk])
    except NoReverseMatch:
        return None


def detail_url(suggestion: Suggestion) -> str | None:
    try:
        return reverse("suggestions:detail", args=[suggestion.pk])
    except NoReverseMatch:
        return None


# ------------------------------------------------------------------------------------------------- queries


def managed(user) -> QuerySet[Suggestion]:
    """The submitted suggestions of the units where the person manages suggestions."""
    return Suggestion.objects.filter(get_scope(user).within("unit", *MANAGE_ROLES)).exclude(
        status=Status.DRAFT
    )


def overdue_q(today) -> Q:
    """Still waiting for the first answer after its due date (a reopened suggestion was answered already)."""
    return Q(status__in=AWAITING_ANSWER, answered_at__isnull=True, answer_due_on__lt=today)


def to_review(user) -> QuerySet[Suggestion]:
    """The suggestions in review by a panel the person sits on, not yet reviewed by them, not their own."""
    me = user.pk
    return (
        Suggestion.objects.filter(status=Status.IN_REVIEW, panel__members=me)
        .exclude(reviews__reviewer=me)
        .exclude(author=me)
        .exclude(coauthors__person=me)
        .select_related("unit")
        .order_by("answer_due_on", "pk")
    )


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


# ------------------------------------------------------------------------------------- the management page


def _managed_suggestion(request: HttpRequest, pk: int) -> Suggestion:
    try:
        return (
            managed(request.user)
            .select_related("unit", "author", "panel", "decided_by", "owner", "award_band", "duplicate_of")
            .get(pk=pk)
        )
    except Suggestion.DoesNotExist:
        raise Http404 from None


def _people(numbers: list[str]) -> dict[str, Person]:
    if not numbers:
        return {}
    return {p.employee_no: p for p in Person.objects.filter(employee_no__in=numbers, is_active=True)}


def _panels_for(suggestion: Suggestion) -> QuerySet[ReviewPanel]:
    """Panels of the suggestion's unit and its ancestors."""
    path = suggestion.unit.path
    step = Unit.steplen
    ancestors = [path[:end] for end in range(step, len(path) + 1, step)]
    return (
        ReviewPanel.objects.filter(unit__path__in=ancestors)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


def _screen(request: HttpRequest, s: Suggestion, d: dict) -> Suggestion:
    return review_actions.screen(
        actor=_me(request),
        suggestion=s,
        accept=d["accept"],
        reason=d["reason"],
        panel=d["panel"] if d["accept"] else None,
        expected_revision=d["revision"],
    )


def _duplicate(request: HttpRequest, s: Suggestion, d: dict) -> Suggestion:
    try:
        original = managed(request.user).get(pk=d["original"])
    except Suggestion.DoesNotExist:
        raise ValidationError(
            _("Suggestion %(id)s is not among the suggestions of your units.") % {"id": d["original"]},
            code="original",
        ) from None
    return review_actions.mark_duplicate(
        actor=_me(request), suggestion=s, original=original, expected_revision=d["revision"]
    )


def _plan(request: HttpRequest, s: Suggestion, d: dict) -> Suggestion:
    owner = _people([d["owner"]]).get(d["owner"])
    if owner is None:
        raise ValidationError(
            _("No active person with employee number %(no)s.") % {"no": d["owner"]}, code="owner"
        )
    return outcome_actions.plan_implementation(
        actor=_me(request),
        suggestion=s,
        owner=owner,
        plan=d["plan"],
        planned_start=d["planned_start"],
        planned_finish=d["planned_finish"],
        expected_revision=d["revision"],
    )


@dataclass(frozen=True)
class Step:
    form: type[forms.Form]
    run: Callable[[HttpRequest, Suggestion, dict], Suggestion]
    done: Any  # a lazy message
    statuses: tuple[str, ...]
    heading: Any
    button: Any


STEPS: dict[str, Step] = {
    "screen": Step(
        ScreenForm,
        _screen,
        gettext_lazy("The screening is recorded; the authors are told."),
        (Status.SUBMITTED,),
        gettext_lazy("Screening"),
        gettext_lazy("Record the screening"),
    ),
    "conclude": Step(
        ConcludeForm,
        lambda r, s, d: review_actions.conclude(
            actor=_me(r),
            suggestion=s,
            decision=d["decision"],
            reason=d["reason"],
            expected_revision=d["revision"],
        ),
        gettext_lazy("The panel's conclusion is recorded; the authors are told."),
        (Status.IN_REVIEW,),
        gettext_lazy("The panel's conclusion"),
        gettext_lazy("Record the conclusion"),
    ),
    "duplicate": Step(
        DuplicateForm,
        _duplicate,
        gettext_lazy("Marked as the same idea as the earlier suggestion; its authors get the credit."),
        tuple(AWAITING_ANSWER),
        gettext_lazy("The same idea as an earlier suggestion"),
        gettext_lazy("Mark as duplicate"),
    ),
    "reopen": Step(
        RevisionForm,
        lambda r, s, d: review_actions.reopen(actor=_me(r), suggestion=s, expected_revision=d["revision"]),
        gettext_lazy("The suggestion is back with the panel."),
        (Status.SHELVED,),
        gettext_lazy("Take up the shelved suggestion again"),
        gettext_lazy("Reopen"),
    ),
    "implementation": Step(
        PlanForm,
        _plan,
        gettext_lazy("The implementation plan is recorded."),
        (Status.ADOPTED, Status.IMPLEMENTING),
        gettext_lazy("Implementation plan"),
        gettext_lazy("Save the plan"),
    ),
    "implemented": Step(
        ImplementedForm,
        lambda r, s, d: outcome_actions.record_implemented(
            actor=_me(r), suggestion=s, implemented_on=d["implemented_on"], expected_revision=d["revision"]
        ),
        gettext_lazy("The implementation date is recorded."),
        (Status.IMPLEMENTING,),
        gettext_lazy("Implemented"),
        gettext_lazy("Record"),
    ),
    "benefit": Step(
        BenefitForm,
        lambda r, s, d: outcome_actions.measure_benefit(
            actor=_me(r),
            suggestion=s,
            gross_saving=d["gross_saving"],
            cost=d["cost"],
            calculation=d["calculation"],
            measured_on=d["measured_on"],
            expected_revision=d["revision"],
        ),
        gettext_lazy("The benefit is recorded."),
        (Status.IMPLEMENTED,),
        gettext_lazy("Measured benefit (12 months after implementation)"),
        gettext_lazy("Record the benefit"),
    ),
    "award": Step(
        AwardForm,
        lambda r, s, d: outcome_actions.grant_award(
            actor=_me(r), suggestion=s, expected_revision=d["revision"]
        ),
        gettext_lazy("The award is granted; the authors are told."),
        (Status.MEASURED,),
        gettext_lazy("Award"),
        gettext_lazy("Grant the award"),
    ),
    "paid": Step(
        PaidForm,
        lambda r, s, d: outcome_actions.mark_paid(
            actor=_me(r), suggestion=s, paid_on=d["paid_on"], expected_revision=d["revision"]
        ),
        gettext_lazy("The payment is recorded; the authors are told."),
        (Status.AWARDED,),
        gettext_lazy("Award paid"),
        gettext_lazy("Record the payment"),
    ),
    "archive": Step(
        RevisionForm,
        lambda r, s, d: outcome_actions.archive(actor=_me(r), suggestion=s, expected_revision=d["revision"]),
        gettext_lazy("The suggestion is archived."),
        tuple(outcome_actions.ARCHIVABLE),
        gettext_lazy("Archive"),
        gettext_lazy("Archive"),
    ),
}


def _make_form(name: str, s: Suggestion, data=None) -> forms.Form:
    initial: dict[str, Any] = {"revision": s.revision}
    kwargs: dict[str, Any] = {}
    if name == "screen":
        kwargs["panels"] = _panels_for(s)
    if name == "implementation":
        initial.update(
            {
                "owner": s.owner.employee_no if s.owner else "",
                "plan": s.plan,
                "planned_start": s.planned_start,
                "planned_finish": s.planned_finish,
            }
        )
    if name in ("implemented", "paid"):
        initial[f"{name}_on"] = timezone.localdate()
    if name == "benefit":
        initial["measured_on"] = timezone.localdate()
    return STEPS[name].form(data, initial=initial, prefix=name, **kwargs)


def _review_summary(reviews: list[Review]) -> dict[str, Any]:
    n = len(reviews)
    if not n:
        return {"count": 0}
    counts = Counter(r.recommendation for r in reviews)
    return {
        "count": n,
        "feasibility": sum(r.feasibility for r in reviews) / n,
        "benefit": sum(r.benefit for r in reviews) / n,
        "innovation": sum(r.innovation for r in reviews) / n,
        "total": sum(r.total for r in reviews) / n,
        "recommendations": [(Decision(k).label, counts[k]) for k in Decision.values if counts[k]],
    }


def _manage_page(
    request: HttpRequest, s: Suggestion, bound: tuple[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    steps = {name: step for name, step in STEPS.items() if s.status in step.statuses}
    built = {name: _make_form(name, s) for name in steps}
    if bound is not None:
        built[bound[0]] = bound[1]
    reviews = list(
        Review.objects.filter(suggestion=s).select_related("reviewer").order_by("reviewed_at", "pk")
    )
    given, size, needed = review_actions.reviews_needed(s) if s.panel_id else (len(reviews), 0, 1)
    today = timezone.localdate()
    context = {
        "s": s,
        "steps": [(name, steps[name], built[name]) for name in steps],
        "bound": bound[0] if bound else None,
        "reviews": reviews,
        "summary": _review_summary(reviews),
        "quorum": {"given": given, "size": size, "needed": needed, "ready": given >= needed},
        "coauthors": list(s.coauthors.select_related("person").order_by("pk")),
        "attachments": list(s.attachments.order_by("pk")),
        "events": list(
            SuggestionEvent.objects.filter(suggestion=s).select_related("actor").order_by("at", "pk")
        ),
        "overdue": s.status in AWAITING_ANSWER
        and s.answered_at is None
        and s.answer_due_on is not None
        and s.answer_due_on < today,
        "measurable_from": outcome_actions.measurable_from(s),
        "band_preview": outcome_actions.band_for(s.net_saving)
        if s.status == Status.MEASURED and s.net_saving is not None
        else None,
        "similar_url": similar_url(s),
        "detail_url": detail_url(s),
        "today": today,
    }
    return render(request, "suggestions/review/manage.html", context, status=status)


@login_required
@require_GET
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage_page(request, _managed_suggestion(request, pk))


def _act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    s = _managed_suggestion(request, pk)
    if request.method != "POST":
        return redirect(reverse("suggestions:manage", args=[pk]) + f"#step-{name}")
    step = STEPS[name]
    form = _make_form(name, s, data=request.POST)
    if s.status not in step.statuses:
        form.is_valid()
        form.add_error(
            None,
            _(
                "This step is not possible any more on this suggestion (it has changed since the page was opened)."
            ),
        )
        return _manage_page(request, s, bound=(name, form), status=409)
    if not form.is_valid():
        return _manage_page(request, s, bound=(name, form), status=400)
    try:
        result = step.run(request, s, form.cleaned_data)
    except (ValidationError, AccessDenied) as exc:
        form.add_error(None, _error_text(exc))
        s = _managed_suggestion(request, pk)  # nothing was written: show it as it is
        return _manage_page(request, s, bound=(name, form), status=_status_of(exc))
    messages.success(request, str(step.done))
    return redirect("suggestions:manage", pk=result.pk)


def _step_view(name: str):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _act(request, pk, name)

    view.__name__ = f"step_{name}"
    return view


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
                review_actions.review(actor=_me(request), suggestion=s, **form.cleaned_data)
            except (ValidationError, AccessDenied) as exc:
                form.add_error(None, _error_text(exc))
                status = _status_of(exc)
            else:
                messages.success(request, _("Your review is recorded. Thank you."))
                return redirect("suggestions:review", pk=s.pk)
        else:
            status = 400
    context = {
        "s": s,
        "mine": mine,
        "form": form,
        "own": review_actions.is_author(_me(request), s),
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
                found = _people(d["members"])
                missing = [n for n in d["members"] if n not in found]
                if missing:
                    raise ValidationError(
                        _("No active person with employee number %(no)s.") % {"no": ", ".join(missing)},
                        code="person",
                    )
                outcome_actions.save_panel(
                    actor=_me(request),
                    unit=unit,
                    name=d["name"],
                    members=[found[n] for n in d["members"]],
                    panel=editing,
                )
            except (ValidationError, AccessDenied) as exc:
                form.add_error(None, _error_text(exc))
                status = _status_of(exc)
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
                    actor=_me(request), rows=rows, expected=request.POST.get("fingerprint", "")
                )
            except (ValidationError, AccessDenied) as exc:
                error = _error_text(exc)
                status = _status_of(exc)
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
    path("manage/<int:pk>/", manage, name="manage"),
    *[path(f"manage/<int:pk>/{name}/", _step_view(name), name=name) for name in STEPS],
    path("<int:pk>/review/", review, name="review"),
]
