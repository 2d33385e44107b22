"""Pages of the person who raises a case: raise one (under their name or anonymously), their cases and the
timeline of each, rating a reply, adding information or answering a question of the people handling it, reading
an anonymous case with its receipt (and rating or adding information there), and the consultation desks with
their public FAQ where a question can be asked.

Anonymity over HTTP: the page that answers an anonymous raise renders the receipt directly (no redirect, nothing
put in the session or in a message, `Cache-Control: no-store`) and nothing is logged about it. Receipt lookups are
POST only and limited per client address (`receipts`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.org.models import Unit

from . import actions, queries, receipts
from .choices import CaseStatus
from .models import Case, ConsultationDesk, FaqEntry
from .raiser_forms import (
    AnonymousNoteForm,
    AnonymousRateForm,
    QuestionForm,
    RaiseForm,
    RaiserNoteForm,
    RateForm,
    ReceiptForm,
)

PAGE_SIZE = 20


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AccessDenied):
        return _("You cannot raise a case in this unit.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _status_of(exc: Exception) -> int:
    if isinstance(exc, AccessDenied):
        return 403
    return 429 if getattr(exc, "code", None) == "rate_limited" else 400


def client_key(request: HttpRequest) -> str:
    """The key the receipt limiter counts wrong receipts under: the client's network address."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _private(response: HttpResponse) -> HttpResponse:
    """A page showing a receipt or an anonymous case: kept by no cache."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, " + response["Cache-Control"]
    # same-origin: no address leaves the site; "no-referrer" would make browsers send "Origin: null" on the
    # page's own forms, which the CSRF check refuses
    response["Referrer-Policy"] = "same-origin"
    return response


def _receipt_page(request: HttpRequest, raised: actions.Raised, back: str) -> HttpResponse:
    context = {"receipt": receipts.display(raised.receipt or ""), "case": raised.case, "back": back}
    return _private(render(request, "cases/raiser/receipt_once.html", context))


def _home_units(request: HttpRequest):
    scope = get_scope(request.user)
    return Unit.objects.filter(path__in=scope.home_paths, active=True).order_by("path")


# --------------------------------------------------------------------------------------------- raising


@login_required
def raise_case(request: HttpRequest) -> HttpResponse:
    """Raise a case in one's own unit or a unit above it."""
    units = _home_units(request)
    initial = {"unit": getattr(request.user, "unit_id", None)}
    form = RaiseForm(request.POST or None, units=units, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                raised = actions.raise_case(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=data["unit"],
                    title=data["title"],
                    text=data["text"],
                    anonymous=data["anonymous"],
                )
            except (ValidationError, AccessDenied) as exc:
                form.add_error(None, _error_text(exc))
                status = _status_of(exc)
            else:
                if raised.receipt is not None:
                    return _receipt_page(request, raised, back="cases:raise")
                messages.success(request, _("Your case is registered. You can follow it here."))
                return redirect("cases:my_case", raised.case.pk)
    return render(request, "cases/raiser/raise.html", {"form": form}, status=status)


# -------------------------------------------------------------------------------------------- my cases


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """The cases the user raised under their name, newest first (a fixed number of queries per page)."""
    page = Paginator(queries.my_cases(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/raiser/mine.html", {"page": page})


def _mine(request: HttpRequest, pk: int) -> Case:
    case = queries.my_cases(request.user).select_related("merged_into").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _case_context(case: Case) -> dict:
    return {
        "case": case,
        "events": list(queries.timeline(case)),
        "may_rate": case.status == CaseStatus.REPLIED,
        "may_add_note": case.status not in (CaseStatus.CLOSED, CaseStatus.RETURNED),
    }


@login_required
def my_case(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the user's cases and its public timeline; the rating form once it has a reply."""
    case = _mine(request, pk)
    context = _case_context(case) | {"form": RateForm(), "note_form": RaiserNoteForm()}
    return render(request, "cases/raiser/case.html", context)


@login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The raiser rates the reply of their named case."""
    case = _mine(request, pk)
    form = RateForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.rate(
                case,
                actor=request.user,  # type: ignore[arg-type]
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Thank you: your rating is recorded."))
            return redirect("cases:my_case", case.pk)
    case.refresh_from_db()
    context = _case_context(case) | {"form": form, "note_form": RaiserNoteForm()}
    return render(request, "cases/raiser/case.html", context, status=status)


@login_required
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The raiser adds information to their named case or answers a question asked of them."""
    case = _mine(request, pk)
    form = RaiserNoteForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.add_raiser_note(
                case,
                actor=request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Thank you: your information is added to the case."))
            return redirect("cases:my_case", case.pk)
    case.refresh_from_db()
    context = _case_context(case) | {"form": RateForm(), "note_form": form}
    return render(request, "cases/raiser/case.html", context, status=status)


# ------------------------------------------------------------------------------------ anonymous receipt


def _anonymous_page(
    request: HttpRequest,
    case: Case,
    receipt: str,
    rate_form=None,
    status: int = 200,
    rated: bool = False,
    note_form=None,
    noted: bool = False,
) -> HttpResponse:
    context = _case_context(case) | {
        "form": rate_form or AnonymousRateForm(initial={"receipt": receipt}),
        "note_form": note_form or AnonymousNoteForm(initial={"receipt": receipt}),
        "receipt": receipt,
        "rated": rated,
        "noted": noted,
    }
    return _private(render(request, "cases/raiser/anonymous.html", context, status=status))


def receipt_lookup(request: HttpRequest) -> HttpResponse:
    """Open an anonymous case with its receipt. POST only (the receipt never goes into a URL); wrong receipts are
    counted per client address and refused for a while after too many."""
    form = ReceiptForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        key = client_key(request)
        if form.is_valid():
            receipt = form.cleaned_data["receipt"]
            try:
                case = receipts.case_by_receipt(receipt, client_key=key)
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
                status = _status_of(exc)
            else:
                return _anonymous_page(request, case, receipt)
        elif receipts.is_locked_out(key):
            form.add_error(None, _error_text(receipts.rate_limited()))
            status = 429
        else:
            receipts.count_failure(key)
    return _private(render(request, "cases/raiser/receipt.html", {"form": form}, status=status))


def _lookup_page(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The receipt form again, with the refusal on it (the receipt typed is not shown back)."""
    context = {"form": ReceiptForm(), "error": _error_text(exc)}
    return _private(render(request, "cases/raiser/receipt.html", context, status=_status_of(exc)))


@require_POST
def receipt_rate(request: HttpRequest) -> HttpResponse:
    """Whoever holds the receipt of an anonymous case rates its reply."""
    form = AnonymousRateForm(request.POST)
    key = client_key(request)
    receipt_ok = form.is_valid() or "receipt" not in form.errors
    if not receipt_ok:
        if receipts.is_locked_out(key):
            return _lookup_page(request, receipts.rate_limited())
        receipts.count_failure(key)
        return _lookup_page(request, ValidationError(_("A receipt has 16 digits."), code="format"))
    receipt = form.cleaned_data["receipt"]
    try:
        case = receipts.case_by_receipt(receipt, client_key=key)
    except ValidationError as exc:
        return _lookup_page(request, exc)
    if form.errors:
        return _anonymous_page(request, case, receipt, rate_form=form, status=400)
    try:
        case = actions.rate(
            case,
            actor=None,
            satisfaction=form.cleaned_data["satisfaction"],
            comment=form.cleaned_data["comment"],
            receipt=receipt,
            client_key=key,
        )
    except ValidationError as exc:
        form.add_error(None, _error_text(exc))
        case.refresh_from_db()
        return _anonymous_page(request, case, receipt, rate_form=form, status=_status_of(exc))
    return _anonymous_page(request, case, receipt, rated=True)


@require_POST
def receipt_note(request: HttpRequest) -> HttpResponse:
    """Whoever holds the receipt of an anonymous case adds information to it or answers a question (the receipt
    comes again in a hidden field, as for rating; nothing about the sender is stored)."""
    form = AnonymousNoteForm(request.POST)
    key = client_key(request)
    receipt_ok = form.is_valid() or "receipt" not in form.errors
    if not receipt_ok:
        if receipts.is_locked_out(key):
            return _lookup_page(request, receipts.rate_limited())
        receipts.count_failure(key)
        return _lookup_page(request, ValidationError(_("A receipt has 16 digits."), code="format"))
    receipt = form.cleaned_data["receipt"]
    try:
        case = receipts.case_by_receipt(receipt, client_key=key)
    except ValidationError as exc:
        return _lookup_page(request, exc)
    if form.errors:
        return _anonymous_page(request, case, receipt, note_form=form, status=400)
    try:
        case = actions.add_raiser_note(
            case, actor=None, text=form.cleaned_data["text"], receipt=receipt, client_key=key
        )
    except ValidationError as exc:
        form.add_error(None, _error_text(exc))
        case.refresh_from_db()
        return _anonymous_page(request, case, receipt, note_form=form, status=_status_of(exc))
    return _anonymous_page(request, case, receipt, noted=True)


# ------------------------------------------------------------------------------- consultation desks, FAQ


def _my_desks(request: HttpRequest):
    scope = get_scope(request.user)
    return (
        ConsultationDesk.objects.filter(unit__path__in=scope.home_paths, active=True)
        .select_related("unit")
        .order_by("unit__path", "topic")
    )


@login_required
def desks(request: HttpRequest) -> HttpResponse:
    """The consultation desks of the user's unit and the units above it."""
    return render(request, "cases/raiser/desks.html", {"desks": list(_my_desks(request))})


@login_required
def desk(request: HttpRequest, pk: int) -> HttpResponse:
    """A desk's public FAQ, and a form to ask it a question (a case from the consultation source)."""
    found = _my_desks(request).filter(pk=pk).first()
    if found is None:
        raise Http404
    form = QuestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            person_unit = getattr(request.user, "unit", None)
            unit = person_unit if person_unit is not None else found.unit
            try:
                raised = actions.raise_case(
                    actor=request.user,  # type: ignore[arg-type]
                    unit=unit,
                    title=data["title"],
                    text=data["text"],
                    anonymous=data["anonymous"],
                    consultation_desk=found,
                )
            except (ValidationError, AccessDenied) as exc:
                form.add_error(None, _error_text(exc))
                status = _status_of(exc)
            else:
                if raised.receipt is not None:
                    return _receipt_page(request, raised, back="cases:desks")
                messages.success(
                    request, _("Your question is sent to the desk. The answer will appear here.")
                )
                return redirect("cases:my_case", raised.case.pk)
    faq = FaqEntry.objects.filter(desk=found, active=True).order_by("-created_at", "-pk")
    context = {"desk": found, "faq": list(faq), "form": form}
    return render(request, "cases/raiser/desk.html", context, status=status)


urlpatterns = [
    path("raise/", raise_case, name="raise"),
    path("mine/", my_cases, name="mine"),
    path("mine/<int:pk>/", my_case, name="my_case"),
    path("mine/<int:pk>/rate/", rate, name="rate"),
    path("mine/<int:pk>/note/", add_note, name="my_case_note"),
    path("receipt/", receipt_lookup, name="receipt"),
    path("receipt/rate/", receipt_rate, name="receipt_rate"),
    path("receipt/note/", receipt_note, name="receipt_note"),
    path("desks/", desks, name="desks"),
    path("desks/<int:pk>/", desk, name="desk"),
]
