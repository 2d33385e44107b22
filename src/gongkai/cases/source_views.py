"""Pages of the sources of cases: reception days (schedule, leaders on duty, walk-in registration on a tablet,
people received), representatives' inspections (plan, checklist 三查一听一看, findings on the spot, a printable
report) and congress motions (draft, co-sign until the deadline, the committee's decision).

Views read through the scoped helpers below and write only through `source_actions`, `motion_actions` and
`actions.raise_case`. Who sees what:

- reception days: the union and leading group of the unit (and above), and the leaders on duty;
- inspections: the union and leading group of the organising unit, and the representatives on it;
- motions: representatives, union and leading group of the congress unit (and above), and the proposer.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.choices import Role
from gongkai.org.models import Person, Unit

from . import actions, motion_actions, receipts, source_actions
from .actions import MANAGE_ROLES
from .choices import CHECKLIST_KEYS, MotionDecision
from .models import Case, Inspection, Motion, MotionSignature, ReceptionDay
from .source_forms import (
    CHECKLIST_LABELS,
    ChecklistForm,
    DecideForm,
    FindingForm,
    InspectionForm,
    MotionForm,
    PeopleReceivedForm,
    ReceptionForm,
    WalkInForm,
    checklist_initial,
)

PAGE_SIZE = 30


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _me(request: HttpRequest) -> Person:
    """The signed-in person (every view here requires a login)."""
    return cast(Person, request.user)


def _managed_units(user) -> QuerySet[Unit]:
    return Unit.objects.filter(get_scope(user).within("", *MANAGE_ROLES), active=True).order_by("path")


def _subtree(*bases: Unit) -> QuerySet[Unit]:
    q = Q(pk__in=[])
    for base in bases:
        q |= Q(path__startswith=base.path)
    return Unit.objects.filter(q, active=True).order_by("path")


# ------------------------------------------------------------------------------------------ scoped reads


def _or(within: Q, mine: Q) -> Q:
    """`within` OR `mine`; an empty `within` means everything (an admin of the whole tree), which `|` would
    otherwise drop."""
    return Q() if not within.children else within | mine


def receptions_for(user) -> QuerySet[ReceptionDay]:
    scope = get_scope(user)
    ids = ReceptionDay.objects.filter(
        _or(scope.within("unit", *MANAGE_ROLES), Q(leaders__id=user.pk))
    ).values("pk")
    return (
        ReceptionDay.objects.filter(pk__in=ids)
        .select_related("unit")
        .prefetch_related(Prefetch("leaders", queryset=Person.objects.order_by("name")))
        .annotate(case_count=Count("cases"))
        .order_by("-date", "unit__path", "pk")
    )


def inspections_for(user) -> QuerySet[Inspection]:
    scope = get_scope(user)
    ids = Inspection.objects.filter(
        _or(scope.within("unit", *MANAGE_ROLES), Q(representatives__id=user.pk))
    ).values("pk")
    return (
        Inspection.objects.filter(pk__in=ids)
        .select_related("unit")
        .prefetch_related(
            Prefetch("representatives", queryset=Person.objects.order_by("name")),
            Prefetch("target_units", queryset=Unit.objects.order_by("path")),
        )
        .annotate(case_count=Count("cases"))
        .order_by("-start_date", "-pk")
    )


def motions_for(user) -> QuerySet[Motion]:
    scope = get_scope(user)
    visible = _or(scope.within("unit", Role.REPRESENTATIVE, *MANAGE_ROLES), Q(proposer_id=user.pk))
    return (
        Motion.objects.filter(visible)
        .select_related("unit", "proposer")
        .annotate(signature_count=Count("signatures"))
        .order_by("-created_at", "-pk")
    )


def _get(qs: QuerySet, pk: int):
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc


def _page(request: HttpRequest, qs: QuerySet):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------------------------------- reception days


@login_required
def reception_list(request: HttpRequest) -> HttpResponse:
    when = request.GET.get("when", "")
    qs = receptions_for(request.user)
    today = timezone.localdate()
    if when == "upcoming":
        qs = qs.filter(date__gte=today).order_by("date", "unit__path", "pk")
    elif when == "past":
        qs = qs.filter(date__lt=today)
    else:
        when = ""
    context = {
        "page": _page(request, qs),
        "when": when,
        "can_schedule": bool(get_scope(request.user).paths(*MANAGE_ROLES)),
    }
    return render(request, "cases/sources/reception_list.html", context)


@login_required
def reception_new(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    form = ReceptionForm(request.POST or None, units=units, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            day = source_actions.record_reception(actor=_me(request), **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("The reception day is scheduled."))
            return redirect("cases:reception", pk=day.pk)
    return render(request, "cases/sources/reception_new.html", {"form": form})


def _reception_context(request: HttpRequest, day: ReceptionDay, **extra) -> dict:
    cases = Case.objects.filter(reception=day).select_related("unit", "raiser").order_by("created_at", "pk")
    return {
        "day": day,
        "cases": cases,
        "walk_in": extra.pop("walk_in", None) or WalkInForm(units=_subtree(day.unit)),
        "count_form": extra.pop("count_form", None)
        or PeopleReceivedForm(initial={"people_received": day.people_received}),
        "can_manage": get_scope(request.user).has_any_role(MANAGE_ROLES, day.unit.path),
        **extra,
    }


@login_required
def reception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    day = _get(receptions_for(request.user), pk)
    return render(request, "cases/sources/reception_detail.html", _reception_context(request, day))


@login_required
@require_POST
def reception_walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a walk-in as a case of the day. After an anonymous one the receipt is shown on this response
    only (never stored, never redirected), for the person to write down."""
    day = _get(receptions_for(request.user), pk)
    form = WalkInForm(request.POST, units=_subtree(day.unit))
    if form.is_valid():
        data = form.cleaned_data
        try:
            raised = actions.raise_case(
                actor=_me(request),
                unit=data["unit"],
                title=data["title"],
                text=data["text"],
                anonymous=bool(data["anonymous"]),
                raiser=data["raiser"],
                reception=day,
            )
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            if raised.receipt:
                shown = receipts.display(raised.receipt)
                context = _reception_context(request, day, receipt=shown, new_case=raised.case)
                response = render(request, "cases/sources/reception_detail.html", context)
                response["Cache-Control"] = "no-store"
                return response
            messages.success(request, _("Case %(id)s is registered.") % {"id": raised.case.pk})
            return redirect("cases:reception", pk=day.pk)
    context = _reception_context(request, day, walk_in=form)
    return render(request, "cases/sources/reception_detail.html", context, status=400)


@login_required
@require_POST
def reception_count(request: HttpRequest, pk: int) -> HttpResponse:
    day = _get(receptions_for(request.user), pk)
    form = PeopleReceivedForm(request.POST)
    if form.is_valid():
        try:
            source_actions.set_people_received(
                day, actor=_me(request), people_received=form.cleaned_data["people_received"]
            )
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("The number of people received is saved."))
            return redirect("cases:reception", pk=day.pk)
    context = _reception_context(request, day, count_form=form)
    return render(request, "cases/sources/reception_detail.html", context, status=400)


# -------------------------------------------------------------------------------------------- inspections


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page": _page(request, inspections_for(request.user)),
        "can_plan": bool(get_scope(request.user).paths(*MANAGE_ROLES)),
    }
    return render(request, "cases/sources/inspection_list.html", context)


@login_required
def inspection_new(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    form = InspectionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = source_actions.plan_inspection(actor=_me(request), **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("The inspection is planned."))
            return redirect("cases:inspection", pk=inspection.pk)
    return render(request, "cases/sources/inspection_new.html", {"form": form})


def _checklist_rows(inspection: Inspection) -> list[tuple]:
    rows = []
    for key in CHECKLIST_KEYS:
        item = inspection.checklist.get(key) or {}
        rows.append((CHECKLIST_LABELS[key], bool(item.get("done")), item.get("notes", "")))
    return rows


def _inspection_context(request: HttpRequest, inspection: Inspection, **extra) -> dict:
    targets = list(inspection.target_units.all())
    return {
        "inspection": inspection,
        "cases": Case.objects.filter(inspection=inspection)
        .select_related("unit", "raiser")
        .order_by("created_at", "pk"),
        "rows": _checklist_rows(inspection),
        "checklist_form": extra.pop("checklist_form", None)
        or ChecklistForm(initial=checklist_initial(inspection)),
        "finding_form": extra.pop("finding_form", None)
        or FindingForm(units=_subtree(inspection.unit, *targets)),
        **extra,
    }


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _get(inspections_for(request.user), pk)
    return render(request, "cases/sources/inspection_detail.html", _inspection_context(request, inspection))


@login_required
@require_POST
def inspection_record(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _get(inspections_for(request.user), pk)
    form = ChecklistForm(request.POST)
    if form.is_valid():
        try:
            source_actions.record_inspection(
                inspection, actor=_me(request), checklist=form.checklist(), report=form.cleaned_data["report"]
            )
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("The checklist and report are saved."))
            return redirect("cases:inspection", pk=inspection.pk)
    context = _inspection_context(request, inspection, checklist_form=form)
    return render(request, "cases/sources/inspection_detail.html", context, status=400)


@login_required
@require_POST
def inspection_finding(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _get(inspections_for(request.user), pk)
    form = FindingForm(request.POST, units=_subtree(inspection.unit, *inspection.target_units.all()))
    if form.is_valid():
        try:
            raised = actions.raise_case(actor=_me(request), inspection=inspection, **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("The finding is registered as case %(id)s.") % {"id": raised.case.pk})
            return redirect("cases:inspection", pk=inspection.pk)
    context = _inspection_context(request, inspection, finding_form=form)
    return render(request, "cases/sources/inspection_detail.html", context, status=400)


@login_required
def inspection_print(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _get(inspections_for(request.user), pk)
    context = {
        "inspection": inspection,
        "rows": _checklist_rows(inspection),
        "cases": Case.objects.filter(inspection=inspection)
        .select_related("unit")
        .order_by("created_at", "pk"),
        "printed": timezone.localdate(),
    }
    return render(request, "cases/sources/inspection_print.html", context)


# ---------------------------------------------------------------------------------------------- motions


@login_required
def motion_list(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    today = timezone.localdate()
    state = request.GET.get("state", "")
    qs = motions_for(request.user)
    pending = Q(decision=MotionDecision.PENDING)
    if state == "signing":
        qs = qs.filter(pending, signing_deadline__gte=today)
    elif state == "awaiting":
        qs = qs.filter(pending, signing_deadline__lt=today)
    elif state == "decided":
        qs = qs.exclude(pending)
    else:
        state = ""
    context = {
        "page": _page(request, qs),
        "state": state,
        "can_draft": bool(scope.paths(Role.REPRESENTATIVE)),
    }
    return render(request, "cases/sources/motion_list.html", context)


@login_required
def motion_new(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    units = Unit.objects.filter(scope.within("", Role.REPRESENTATIVE), active=True).order_by("path")
    form = MotionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            motion = motion_actions.draft_motion(actor=_me(request), **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("The motion is put forward; representatives may now co-sign it."))
            return redirect("cases:motion", pk=motion.pk)
    return render(request, "cases/sources/motion_new.html", {"form": form})


def _motion_context(request: HttpRequest, motion: Motion, **extra) -> dict:
    scope = get_scope(request.user)
    today = timezone.localdate()
    pending = motion.decision == MotionDecision.PENDING
    signatures = list(
        MotionSignature.objects.filter(motion=motion).select_related("person").order_by("at", "pk")
    )
    signed = any(s.person_id == request.user.pk for s in signatures)
    return {
        "motion": motion,
        "signatures": signatures,
        "signed": signed,
        "signing_open": pending and today <= motion.signing_deadline,
        "can_sign": pending
        and today <= motion.signing_deadline
        and not signed
        and motion.proposer_id != request.user.pk
        and scope.has_role(Role.REPRESENTATIVE, motion.unit.path),
        "can_decide": pending
        and today > motion.signing_deadline
        and scope.has_any_role(MANAGE_ROLES, motion.unit.path),
        "cases": list(Case.objects.filter(motion=motion).order_by("pk")),
        "decide_form": extra.pop("decide_form", None) or DecideForm(),
        **extra,
    }


@login_required
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _get(motions_for(request.user), pk)
    return render(request, "cases/sources/motion_detail.html", _motion_context(request, motion))


@login_required
@require_POST
def motion_sign(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _get(motions_for(request.user), pk)
    try:
        motion_actions.co_sign(motion, actor=_me(request))
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("You co-signed this motion."))
    return redirect("cases:motion", pk=motion.pk)


@login_required
@require_POST
def motion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _get(motions_for(request.user), pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            case = motion_actions.decide_motion(
                motion, actor=_me(request), accept=accept, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            if case is not None:
                messages.success(
                    request, _("The motion is accepted; case %(id)s is opened.") % {"id": case.pk}
                )
            else:
                messages.success(request, _("The motion is returned to its proposer."))
            return redirect("cases:motion", pk=motion.pk)
    motion = _get(motions_for(request.user), pk)
    context = _motion_context(request, motion, decide_form=form)
    return render(request, "cases/sources/motion_detail.html", context, status=400)


urlpatterns = [
    path("receptions/", reception_list, name="receptions"),
    path("receptions/new/", reception_new, name="reception_new"),
    path("receptions/<int:pk>/", reception_detail, name="reception"),
    path("receptions/<int:pk>/walk-in/", reception_walk_in, name="reception_walk_in"),
    path("receptions/<int:pk>/count/", reception_count, name="reception_count"),
    path("inspections/", inspection_list, name="inspections"),
    path("inspections/new/", inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection"),
    path("inspections/<int:pk>/checklist/", inspection_record, name="inspection_record"),
    path("inspections/<int:pk>/finding/", inspection_finding, name="inspection_finding"),
    path("inspections/<int:pk>/report/", inspection_print, name="inspection_print"),
    path("motions/", motion_list, name="motions"),
    path("motions/new/", motion_new, name="motion_new"),
    path("motions/<int:pk>/", motion_detail, name="motion"),
    path("motions/<int:pk>/co-sign/", motion_sign, name="motion_sign"),
    path("motions/<int:pk>/decide/", motion_decide, name="motion_decide"),
]
