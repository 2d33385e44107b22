"""The management page of one suggestion: everything about it (proposal, co-authors, files, reviews with their
summary and the quorum, the full timeline, similar earlier suggestions) and the forms of its next steps — screen,
conclude, mark as a duplicate, reopen, plan, implemented, benefit, award, paid, archive — each shown only in the
statuses where it applies and posted to its own URL.

Views call the actions and never write a model. A refusal shows the page again with the action's message and the
status of the refusal (400, 403 or 409 for a stale form or a step no longer possible). Managers see the
suggestions of their units only; a suggestion of another unit is a 404.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongkai.core.access import AccessDenied
from gongkai.org.models import Unit

from . import outcome_actions, review_actions
from .choices import AWAITING_ANSWER, Decision, Status
from .common import error_text, me, status_of
from .models import Review, ReviewPanel, Suggestion, SuggestionEvent
from .review_forms import (
    AwardForm,
    BenefitForm,
    ConcludeForm,
    DuplicateForm,
    ImplementedForm,
    PaidForm,
    PlanForm,
    RevisionForm,
    ScreenForm,
)
from .review_queries import active_people, detail_url, managed, similar_url


def _managed_suggestion(request: HttpRequest, pk: int) -> Suggestion:
    try:
        return (
            managed(request.user)
            .select_related("unit", "author", "panel", "decided_by", "owner", "award_band", "duplicate_of")
            .get(pk=pk)
        )
    except Suggestion.DoesNotExist:
        raise Http404 from None


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
        actor=me(request),
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
        actor=me(request), suggestion=s, original=original, expected_revision=d["revision"]
    )


def _plan(request: HttpRequest, s: Suggestion, d: dict) -> Suggestion:
    owner = active_people([d["owner"]]).get(d["owner"])
    if owner is None:
        raise ValidationError(
            _("No active person with employee number %(no)s.") % {"no": d["owner"]}, code="owner"
        )
    return outcome_actions.plan_implementation(
        actor=me(request),
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
            actor=me(r),
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
        lambda r, s, d: review_actions.reopen(actor=me(r), suggestion=s, expected_revision=d["revision"]),
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
            actor=me(r), suggestion=s, implemented_on=d["implemented_on"], expected_revision=d["revision"]
        ),
        gettext_lazy("The implementation date is recorded."),
        (Status.IMPLEMENTING,),
        gettext_lazy("Implemented"),
        gettext_lazy("Record"),
    ),
    "benefit": Step(
        BenefitForm,
        lambda r, s, d: outcome_actions.measure_benefit(
            actor=me(r),
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
            actor=me(r), suggestion=s, expected_revision=d["revision"]
        ),
        gettext_lazy("The award is granted; the authors are told."),
        (Status.MEASURED,),
        gettext_lazy("Award"),
        gettext_lazy("Grant the award"),
    ),
    "paid": Step(
        PaidForm,
        lambda r, s, d: outcome_actions.mark_paid(
            actor=me(r), suggestion=s, paid_on=d["paid_on"], expected_revision=d["revision"]
        ),
        gettext_lazy("The payment is recorded; the authors are told."),
        (Status.AWARDED,),
        gettext_lazy("Award paid"),
        gettext_lazy("Record the payment"),
    ),
    "archive": Step(
        RevisionForm,
        lambda r, s, d: outcome_actions.archive(actor=me(r), suggestion=s, expected_revision=d["revision"]),
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
        form.add_error(None, error_text(exc))
        s = _managed_suggestion(request, pk)  # nothing was written: show it as it is
        return _manage_page(request, s, bound=(name, form), status=status_of(exc))
    messages.success(request, str(step.done))
    return redirect("suggestions:manage", pk=result.pk)


def _step_view(name: str):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _act(request, pk, name)

    view.__name__ = f"step_{name}"
    return view


urlpatterns: list = [
    path("manage/<int:pk>/", manage, name="manage"),
    *[path(f"manage/<int:pk>/{name}/", _step_view(name), name=name) for name in STEPS],
]
