"""The staff side of cases: the handler's queue, the union's list of the cases of its units, and the case page
with every step of the lifecycle (accept or return, assign with a due date in working days, start, chase,
reply, ask the raiser a question, escalate to a meeting and record its decision, merge a duplicate, follow-up
visit, close).

Views call `actions` and `queries` and never write a model. Every form carries the case's revision: a form
opened before someone else changed the case is refused (409) and nothing is written. A refusal shows the case
page again with the action's message and the status of the refusal (400, 403 or 409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.org.choices import UnitKind
from gongkai.org.models import Person, Unit

from . import actions, attachments, queries
from .actions import MANAGE_ROLES
from .choices import OPEN_STATUSES, REPLYABLE_STATUSES, CaseStatus
from .models import Case
from .work_forms import (
    AcceptForm,
    AskRaiserForm,
    AssignForm,
    DecisionForm,
    EscalateForm,
    FollowUpForm,
    MergeForm,
    NoteForm,
    ReplyForm,
    ReturnForm,
    StartForm,
)

PAGE_SIZE = 50
# units that do not handle cases themselves (their department does)
NOT_HANDLING_KINDS = (UnitKind.SECTION, UnitKind.WORKSHOP, UnitKind.TEAM)


def _me(request: HttpRequest) -> Person:
    """The signed-in person (every view here requires a login)."""
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


def _urgency() -> SqlCase:
    """0 overdue, 1 open, 2 the rest (an SQL expression to order by)."""
    return SqlCase(
        When(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate(), then=Value(0)),
        When(status__in=OPEN_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


# ------------------------------------------------------------------------------------------------ lists


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The handler's queue: overdue first, then the most urgent, then by due date."""
    cases = (
        queries.handler_queue(request.user)
        .annotate(urgency=_urgency())
        .order_by("urgency", "-priority", "due_date", "pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "cases/work/queue.html", {"page": page, "today": timezone.localdate(), "query": ""}
    )


@login_required
@require_GET
def managed(request: HttpRequest) -> HttpResponse:
    """The union's and the leading group's list: every case raised in their units, open and overdue first."""
    if not get_scope(request.user).paths(*MANAGE_ROLES):
        raise Http404
    everything = request.GET.get("all") == "1"
    cases = queries.managed_cases(request.user, open_only=not everything)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "today": timezone.localdate(),
        "everything": everything,
        "query": "all=1" if everything else "",
    }
    return render(request, "cases/work/managed.html", context)


# ------------------------------------------------------------------------------------------- the case


@dataclass
class Staff:
    """What the viewer may do on the case."""

    manager: bool
    handler: bool


def _staff_case(request: HttpRequest, pk: int) -> tuple[Case, Staff]:
    """The case, for the people who manage or handle it (a 404 for anyone else, the raiser included: the
    raiser reads the public timeline on their own pages)."""
    try:
        case = queries.case_for(request.user, pk)
    except Case.DoesNotExist:
        raise Http404 from None
    staff = Staff(
        manager=get_scope(request.user).has_any_role(MANAGE_ROLES, case.unit.path),
        handler=actions.may_handle(_me(request), case),
    )
    if not (staff.manager or staff.handler):
        raise Http404
    return case, staff


def _handling_units(user) -> Any:
    return (
        Unit.objects.filter(get_scope(user).within("", *MANAGE_ROLES), active=True)
        .exclude(kind__in=NOT_HANDLING_KINDS)
        .order_by("path")
    )


def _people(numbers: list[str]) -> dict[str, Person]:
    """Active people by employee number (one query)."""
    if not numbers:
        return {}
    return {
        p.employee_no: p
        for p in Person.objects.filter(employee_no__in=numbers, is_active=True).select_related("unit")
    }


def _check_revision(case: Case, data: dict) -> None:
    """For the actions that take no revision themselves: refuse a form opened on an older state of the case."""
    if data["revision"] != case.revision:
        raise actions.stale()


def _assign(request: HttpRequest, case: Case, data: dict) -> Case:
    found = _people([data["handler"], *data["co_handlers"]])
    missing = [n for n in [data["handler"], *data["co_handlers"]] if n not in found]
    if missing:
        raise ValidationError(
            _("No active person with employee number %(no)s.") % {"no": ", ".join(missing)}, code="person"
        )
    return actions.assign(
        case,
        actor=_me(request),
        handling_unit=data["handling_unit"],
        handler=found[data["handler"]],
        co_handlers=[found[n] for n in data["co_handlers"]],
        due_date=data["due_date"],
        priority=data["priority"],
        expected_revision=data["revision"],
    )


def _merge(request: HttpRequest, case: Case, data: dict) -> Case:
    _check_revision(case, data)
    try:
        into = queries.case_for(request.user, data["into"])
    except Case.DoesNotExist:
        raise ValidationError(
            _("There is no case %(id)s among the cases you can see.") % {"id": data["into"]}, code="merge"
        ) from None
    return actions.merge(case, actor=_me(request), into=into, reason=data["reason"])


def _then(check: Callable[[Case, dict], None], act: Callable[[HttpRequest, Case, dict], Case]):
    def run(request: HttpRequest, case: Case, data: dict) -> Case:
        check(case, data)
        return act(request, case, data)

    return run


@dataclass(frozen=True)
class Step:
    form: type[forms.Form]
    run: Callable[[HttpRequest, Case, dict], Case]
    done: Any  # a lazy message
    allowed: Callable[[Case, Staff], bool]


def _open(case: Case) -> bool:
    return case.status not in (CaseStatus.CLOSED, CaseStatus.RETURNED)


STEPS: dict[str, Step] = {
    "accept": Step(
        AcceptForm,
        lambda r, c, d: actions.accept(
            c, actor=_me(r), priority=d["priority"], expected_revision=d["revision"]
        ),
        gettext_lazy("The case is accepted."),
        lambda c, s: s.manager and c.status == CaseStatus.REGISTERED,
    ),
    "return": Step(
        ReturnForm,
        lambda r, c, d: actions.return_case(
            c, actor=_me(r), reason=d["reason"], expected_revision=d["revision"]
        ),
        gettext_lazy("The case is returned; the raiser sees the reason."),
        lambda c, s: s.manager and c.status in (CaseStatus.REGISTERED, CaseStatus.ACCEPTED),
    ),
    "assign": Step(
        AssignForm,
        _assign,
        gettext_lazy("The case is assigned; the handlers are notified."),
        lambda c, s: (
            s.manager and c.status in (CaseStatus.ACCEPTED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)
        ),
    ),
    "start": Step(
        StartForm,
        lambda r, c, d: actions.start(c, actor=_me(r), expected_revision=d["revision"]),
        gettext_lazy("Handling started."),
        lambda c, s: s.handler and c.status == CaseStatus.ASSIGNED,
    ),
    "chase": Step(
        NoteForm,
        _then(_check_revision, lambda r, c, d: actions.chase(c, actor=_me(r), text=d["text"])),
        gettext_lazy("The handlers are reminded."),
        lambda c, s: s.manager and c.status in REPLYABLE_STATUSES,
    ),
    "ask": Step(
        AskRaiserForm,
        _then(_check_revision, lambda r, c, d: actions.ask_raiser(c, actor=_me(r), text=d["text"])),
        gettext_lazy("The question is sent to the raiser; the answer will appear in the timeline."),
        lambda c, s: (s.manager or s.handler) and _open(c),
    ),
    "reply": Step(
        ReplyForm,
        lambda r, c, d: attachments.reply_with_files(
            c, actor=_me(r), text=d["text"], files=d["attached"], expected_revision=d["revision"]
        ),
        gettext_lazy("The reply is sent to the raiser."),
        lambda c, s: s.handler and c.status in REPLYABLE_STATUSES,
    ),
    "escalate": Step(
        EscalateForm,
        _then(_check_revision, lambda r, c, d: actions.escalate(c, actor=_me(r), meeting=d["meeting"])),
        gettext_lazy("The case is put before the meeting."),
        lambda c, s: s.manager and _open(c) and not (c.escalated_to and not c.escalation_decision),
    ),
    "decide": Step(
        DecisionForm,
        _then(
            _check_revision, lambda r, c, d: actions.record_decision(c, actor=_me(r), decision=d["decision"])
        ),
        gettext_lazy("The meeting's decision is recorded."),
        lambda c, s: s.manager and bool(c.escalated_to) and not c.escalation_decision,
    ),
    "merge": Step(
        MergeForm,
        _merge,
        gettext_lazy("The case is merged; it goes on in the other case."),
        lambda c, s: s.manager and _open(c),
    ),
    "follow_up": Step(
        FollowUpForm,
        _then(_check_revision, lambda r, c, d: actions.follow_up(c, actor=_me(r), text=d["text"])),
        gettext_lazy("The follow-up visit is recorded."),
        lambda c, s: s.manager and c.status in (CaseStatus.REPLIED, CaseStatus.RATED),
    ),
    "close": Step(
        NoteForm,
        lambda r, c, d: actions.close(c, actor=_me(r), text=d["text"], expected_revision=d["revision"]),
        gettext_lazy("The case is closed."),
        lambda c, s: s.manager and c.status in (CaseStatus.REPLIED, CaseStatus.RATED, CaseStatus.FOLLOW_UP),
    ),
}


def _make_form(name: str, case: Case, request: HttpRequest, data=None, files=None) -> forms.Form:
    step = STEPS[name]
    initial: dict[str, Any] = {"revision": case.revision}
    kwargs: dict[str, Any] = {}
    if name in ("accept", "assign"):
        initial["priority"] = case.priority
    if name == "assign":
        kwargs["units"] = _handling_units(request.user)
        if case.handling_unit_id:
            initial["handling_unit"] = case.handling_unit_id
        if case.handler is not None:
            initial["handler"] = case.handler.employee_no
    return step.form(data, files, initial=initial, prefix=name, **kwargs)


def _case_page(
    request: HttpRequest, case: Case, staff: Staff, bound: tuple[str, forms.Form] | None = None, status=200
) -> HttpResponse:
    forms_ = {
        name: _make_form(name, case, request) for name, step in STEPS.items() if step.allowed(case, staff)
    }
    if bound is not None:
        forms_[bound[0]] = bound[1]
    context = {
        "case": case,
        "staff": staff,
        "forms": forms_,
        "events": queries.timeline(case, staff=True).prefetch_related("attachments"),
        "co_handlers": list(case.co_handlers.select_related("unit").order_by("employee_no")),
        "merged_cases": list(case.merged_cases.order_by("pk").values_list("pk", "title")),
        "today": timezone.localdate(),
    }
    return render(request, "cases/work/case.html", context, status=status)


@login_required
@require_GET
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case, staff = _staff_case(request, pk)
    return _case_page(request, case, staff)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of the lifecycle, from its form on the case page."""
    if step not in STEPS:
        raise Http404
    case, staff = _staff_case(request, pk)
    form = _make_form(step, case, request, data=request.POST, files=request.FILES)
    if not STEPS[step].allowed(case, staff):
        form.is_valid()
        if STEPS[step].allowed(case, Staff(manager=True, handler=True)):
            # possible on the case as it is, but not for this viewer
            form.add_error(None, _("You do not have the role needed to do this here."))
            return _case_page(request, case, staff, bound=(step, form), status=403)
        # a form from an older page: the case has moved on since
        form.add_error(
            None,
            _("This step is not possible any more on this case (it has changed since the page was opened)."),
        )
        return _case_page(request, case, staff, bound=(step, form), status=409)
    if not form.is_valid():
        return _case_page(request, case, staff, bound=(step, form), status=400)
    try:
        result = STEPS[step].run(request, case, form.cleaned_data)
    except (ValidationError, AccessDenied) as exc:
        form.add_error(None, _error_text(exc))
        case, staff = _staff_case(request, pk)  # nothing was written: show the case as it is
        return _case_page(request, case, staff, bound=(step, form), status=_status_of(exc))
    messages.success(request, str(STEPS[step].done))
    return redirect("cases:work_case", pk=result.pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download a file of a case after checking the reader may see the case (never served as public media)."""
    found = attachments.attachment_for(request.user, pk)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = found.content_type.startswith("image/")
    response = FileResponse(
        handle, as_attachment=not inline, filename=found.name, content_type=found.content_type
    )
    response["Cache-Control"] = "private, max-age=0"
    return response


urlpatterns = [
    path("work/", queue, name="work_queue"),
    path("work/all/", managed, name="work_managed"),
    path("work/<int:pk>/", case_page, name="work_case"),
    path("attachments/<int:pk>/", attachment, name="attachment"),
    path("work/<int:pk>/<slug:step>/", act, name="work_act"),
]
