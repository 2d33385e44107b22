"""Pages of the disclosure workflow and the employees' board. Each view fetches through `queries`, validates a
form, calls one action and redirects (or re-renders the form with the error and the user's own input)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.choices import Role
from gongkai.org.models import Unit

from . import actions, diffs, queries, uploads
from .choices import Form, Status
from .forms import AnswerForm, BoardFilterForm, DraftForm, QuestionForm, ReasonForm, ReviewForm
from .models import Attachment, Disclosure, Question, ScheduleEntry

MAX_FILES_PER_FORM = 10
FORM_OVERHEAD = 256 * 1024

T = TypeVar("T")


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _status_of(exc: Exception) -> int:
    if isinstance(exc, AccessDenied):
        return 403
    code = getattr(exc, "code", None)
    return {"stale": 409, "too_large": 413}.get(code or "", 400)


def _post_form(
    request: HttpRequest, form, act: Callable[[dict[str, Any]], T], done: Callable[[T], HttpResponse]
) -> HttpResponse | int:
    """A form page's POST: validate `form`, call `act` with its data and answer with `done` of the result.

    Otherwise returns the status to show the form again with: 200 (a GET), 400 (the form is invalid) or the
    status of the action's refusal, whose message is then on the form.
    """
    if request.method != "POST":
        return 200
    if not form.is_valid():
        return 400
    try:
        result = act(form.cleaned_data)
    except (ValidationError, AccessDenied) as exc:
        form.add_error(None, _error_text(exc))
        return _status_of(exc)
    return done(result)


def _too_big(request: HttpRequest) -> bool:
    """A request body far beyond what a form may carry is refused before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > uploads.max_bytes() * MAX_FILES_PER_FORM + FORM_OVERHEAD


def _get(request: HttpRequest, pk: int) -> Disclosure:
    disclosure = queries.disclosure_for(request.user, pk)
    if disclosure is None:
        raise Http404
    return disclosure


def _officer_units(user):
    """Units the user drafts for (their officer grants' subtrees)."""
    paths = [g.path for g in get_scope(user).grants if g.role == Role.DISCLOSURE_OFFICER]
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(path__startswith=p)
    return Unit.objects.filter(q, active=True).order_by("path")


# -------------------------------------------------------------------------------------------------- board


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The employee's board: disclosures published to their unit and its ancestors."""
    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    q = (filters.get("q") or "").strip()
    qs = queries.board(request.user, category=filters.get("category"), period=filters.get("period"), q=q)
    page = Paginator(qs, queries.BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "form": form, "q": q, "query": query.urlencode()}
    template = "disclosures/_board_rows.html" if _htmx(request) else "disclosures/board.html"
    return render(request, template, context)


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """What waits for the officer (drafts, returned, in review) and for the reviewer (to approve)."""
    lists = queries.work_list(request.user)
    context = {
        "drafts": Paginator(lists["drafts"], 50).get_page(request.GET.get("dpage")),
        "to_review": Paginator(lists["to_review"], 50).get_page(request.GET.get("rpage")),
        "can_draft": _officer_units(request.user).exists(),
    }
    return render(request, "disclosures/work.html", context)


# ------------------------------------------------------------------------------------------------- drafts


def _entry_for(request: HttpRequest) -> ScheduleEntry | None:
    raw = request.GET.get("entry") or request.POST.get("entry")
    if not raw:
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    entry = (
        ScheduleEntry.objects.select_related("unit", "item__category", "responsible").filter(pk=pk).first()
    )
    if entry is None or not queries.may_draft(request.user, entry.unit, entry):
        raise Http404
    return entry


@login_required
def draft_new(request: HttpRequest) -> HttpResponse:
    """Start a draft, free or from a schedule entry (?entry=<pk> pre-fills unit, item, category, period)."""
    entry = _entry_for(request)
    existing = getattr(entry, "disclosure", None) if entry else None
    if existing is not None and request.method == "GET":
        return redirect("disclosures:detail", pk=existing.pk)
    units = _officer_units(request.user)
    if entry is None and not units.exists():
        raise Http404
    audiences = _subtree(entry.unit) if entry else units
    if request.method == "POST" and _too_big(request):
        return _too_large_page(request)
    initial = {}
    if entry is not None:
        initial = {
            "category": entry.item.category_id,
            "item": entry.item_id,
            "period": entry.period,
            "title": f"{entry.item.title}（{entry.period}）",
            "channels": [c for c in entry.item.forms if c] or None,
        }
        initial = {k: v for k, v in initial.items() if v is not None}
    form = DraftForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        audiences=audiences,
        fixed_unit=entry is not None,
        initial=initial,
    )

    def create(data: dict[str, Any]) -> Disclosure:
        return actions.create_draft(
            actor=request.user,
            unit=entry.unit if entry else data["unit"],
            category=data["category"],
            item=data["item"],
            schedule_entry=entry,
            title=data["title"],
            body=data["body"],
            period=data["period"],
            audience=data["audience"],
            channels=data["channels"],
            board_numbers=data["board_numbers"],
            files=data["new_files"],
        )

    outcome = _post_form(request, form, create, partial(_saved, request))
    if isinstance(outcome, HttpResponse):
        return outcome
    return _draft_page(request, {"form": form, "entry": entry, "disclosure": None}, outcome)


def _draft_page(request: HttpRequest, context: dict, status: int) -> HttpResponse:
    context["max_mb"] = settings.GONGKAI_MAX_UPLOAD_MB
    return render(request, "disclosures/draft.html", context, status=status)


def _subtree(unit: Unit):
    return Unit.objects.filter(path__startswith=unit.path, active=True).order_by("path")


def _disclosure_form(request: HttpRequest, disclosure: Disclosure, *, correction: bool, **text) -> DraftForm:
    """The draft form of an existing disclosure (its unit fixed); `text` is the initial title, body, …"""
    initial = {
        "category": disclosure.category_id,
        "item": disclosure.item_id,
        "period": disclosure.period,
        "audience": disclosure.audience_id,
        "channels": disclosure.channels,
        "board_numbers": disclosure.board_numbers,
        "revision": disclosure.revision,
        **text,
    }
    return DraftForm(
        request.POST or None,
        request.FILES or None,
        audiences=_subtree(disclosure.unit),
        fixed_unit=True,
        correction=correction,
        initial=initial,
    )


def _disclosure_draft_page(
    request: HttpRequest,
    form: DraftForm,
    disclosure: Disclosure,
    save: Callable[[dict[str, Any]], Disclosure],
    **extra,
) -> HttpResponse:
    """The draft page of an existing disclosure: on POST `save` the form, else show it with `extra` context."""
    outcome = _post_form(request, form, save, partial(_saved, request))
    if isinstance(outcome, HttpResponse):
        return outcome
    context = {
        "form": form,
        "disclosure": disclosure,
        "entry": disclosure.schedule_entry,
        "attachments": queries.draft_attachments(disclosure),
        **extra,
    }
    return _draft_page(request, context, outcome)


def _too_large_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "disclosures/too_large.html",
        {"message": uploads.too_large().messages[0], "back": request.path},
        status=413,
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft, a returned draft or a correction in preparation (its attachments too)."""
    disclosure = _get(request, pk)
    if not queries.may_edit(request.user, disclosure):
        raise Http404
    if disclosure.status in (Status.PUBLISHED, Status.WITHDRAWN, Status.IN_REVIEW):
        return redirect("disclosures:detail", pk=pk)
    if request.method == "POST" and _too_big(request):
        return _too_large_page(request)
    correction = disclosure.current_version_id is not None
    form = _disclosure_form(
        request,
        disclosure,
        correction=correction,
        title=disclosure.draft_title,
        body=disclosure.draft_body,
        reason=disclosure.draft_reason,
    )

    def update(data: dict[str, Any]) -> Disclosure:
        return actions.update_draft(
            actor=request.user,
            disclosure=disclosure,
            expected_revision=data["revision"] or 0,
            title=data["title"],
            body=data["body"],
            period=data["period"],
            category=data["category"],
            item=data["item"],
            audience=data["audience"],
            channels=data["channels"],
            board_numbers=data["board_numbers"],
            reason=data.get("reason"),
            files=data["new_files"],
            remove=_ints(request.POST.getlist("remove")),
        )

    return _disclosure_draft_page(
        request,
        form,
        disclosure,
        update,
        reviews=disclosure.reviews.select_related("reviewer"),
        correction=correction,
    )


def _saved(request: HttpRequest, disclosure: Disclosure) -> HttpResponse:
    """After a draft form was saved: stay on it, or (the "save and submit" button) send it for review."""
    if request.POST.get("then") == "submit" and disclosure.status == Status.IN_REVIEW:
        # the same "save and submit" form sent twice: the first one did both
        messages.success(request, _("Submitted to the leading group for review."))
        return redirect("disclosures:detail", pk=disclosure.pk)
    if request.POST.get("then") != "submit":
        messages.success(request, _("Draft saved. Submit it for review when it is ready."))
        return redirect("disclosures:edit", pk=disclosure.pk)
    try:
        actions.submit(actor=request.user, disclosure=disclosure, expected_revision=disclosure.revision)
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _("Draft saved, but not submitted: %(error)s") % {"error": _error_text(exc)})
        return redirect("disclosures:edit", pk=disclosure.pk)
    messages.success(request, _("Submitted to the leading group for review."))
    return redirect("disclosures:detail", pk=disclosure.pk)


def _ints(values) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return 0


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    try:
        actions.submit(actor=request.user, disclosure=disclosure, expected_revision=_revision(request))
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect(
            "disclosures:edit" if queries.may_edit(request.user, disclosure) else "disclosures:detail", pk=pk
        )
    messages.success(request, _("Submitted to the leading group for review."))
    return redirect("disclosures:detail", pk=pk)


@login_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a correction of a published disclosure: the new text and the reason, in one form."""
    disclosure = _get(request, pk)
    version = disclosure.current_version
    if not queries.may_edit(request.user, disclosure) or version is None:
        raise Http404
    if disclosure.status != Status.PUBLISHED:
        return redirect(
            "disclosures:edit" if disclosure.status != Status.WITHDRAWN else "disclosures:detail", pk=pk
        )
    if request.method == "POST" and _too_big(request):
        return _too_large_page(request)
    form = _disclosure_form(request, disclosure, correction=True, title=version.title, body=version.body)

    def start(data: dict[str, Any]) -> Disclosure:
        return actions.start_correction(
            actor=request.user,
            disclosure=disclosure,
            title=data["title"],
            body=data["body"],
            reason=data["reason"],
            expected_revision=data["revision"] or 0,
            files=data["new_files"],
            remove=_ints(request.POST.getlist("remove")),
        )

    return _disclosure_draft_page(request, form, disclosure, start, correction=True, starting_correction=True)


@login_required
@require_POST
def cancel_correction(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    try:
        actions.cancel_correction(
            actor=request.user, disclosure=disclosure, expected_revision=_revision(request)
        )
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The correction was dropped; the published version stays as it is."))
    return redirect("disclosures:detail", pk=pk)


# ------------------------------------------------------------------------------------------------- review


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The leading group reads the draft (and, for a correction, what it changes) and decides."""
    disclosure = _get(request, pk)
    if not queries.may_review(request.user, disclosure):
        raise Http404
    form = ReviewForm(request.POST or None, initial={"revision": disclosure.revision})

    def decide(data: dict[str, Any]) -> None:
        if data["decision"] == "approve":
            actions.approve(
                actor=request.user,
                disclosure=disclosure,
                comment=data["comment"],
                expected_revision=data["revision"],
            )
            messages.success(request, _("Approved and published."))
        else:
            actions.return_draft(
                actor=request.user,
                disclosure=disclosure,
                comment=data["comment"],
                expected_revision=data["revision"],
            )
            messages.success(request, _("Returned to the author with your comments."))

    outcome = _post_form(request, form, decide, lambda _none: redirect("disclosures:detail", pk=pk))
    if isinstance(outcome, HttpResponse):
        return outcome
    rows = None
    version = disclosure.current_version
    attachments = list(queries.draft_attachments(disclosure))
    if version is not None:
        snapshot = [{"name": a.name, "sha256": a.sha256} for a in attachments]
        rows = diffs.diff_rows(
            diffs.version_lines(version.title, version.body, version.attachments),
            diffs.version_lines(disclosure.draft_title, disclosure.draft_body, snapshot),
        )
    context = {
        "disclosure": disclosure,
        "form": form,
        "attachments": attachments,
        "rows": rows,
        "own_work": queries.is_own_work(request.user, disclosure),
        "channels": [Form(c).label for c in disclosure.channels if c in Form.values],
        "reviews": disclosure.reviews.select_related("reviewer"),
    }
    return render(request, "disclosures/review.html", context, status=outcome)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why: a reason is required."))
        return redirect("disclosures:detail", pk=pk)
    try:
        actions.withdraw(
            actor=request.user,
            disclosure=disclosure,
            reason=form.cleaned_data["reason"],
            expected_revision=form.cleaned_data["revision"],
        )
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Withdrawn. Its page and history stay, with your reason."))
    return redirect("disclosures:detail", pk=pk)


# --------------------------------------------------------------------------------------- reading a disclosure


def _can_read_published(request: HttpRequest, disclosure: Disclosure) -> bool:
    """Readers and managers read the published versions; a never-published draft has none."""
    if disclosure.current_version_id is None:
        return False
    scope = get_scope(request.user)
    return disclosure.audience.path in scope.home_paths or queries.is_manager(request.user, disclosure)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    user = request.user
    version = disclosure.current_version if _can_read_published(request, disclosure) else None
    was_unread = False
    if version is not None and disclosure.is_public and not queries.is_read(user, disclosure):
        actions.mark_read(user, disclosure)
        was_unread = True
    context = {
        "disclosure": disclosure,
        "version": version,
        "was_unread": was_unread,
        "versions_count": disclosure.versions.count() if version else 0,
        "sees_drafts": queries.sees_drafts(user, disclosure),
        "may_edit": queries.may_edit(user, disclosure),
        "may_review": queries.may_review(user, disclosure),
        "may_answer": queries.may_answer(user, disclosure),
        "draft_attachments": queries.draft_attachments(disclosure) if version is None else [],
        "reviews": disclosure.reviews.select_related("reviewer"),
        "questions": queries.questions_for(user, disclosure) if version else [],
        "question_form": QuestionForm() if disclosure.is_public else None,
        "answer_form": AnswerForm(),
        "reason_form": ReasonForm(initial={"revision": disclosure.revision}),
        "Status": Status,
    }
    return render(request, "disclosures/detail.html", context)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    if not _can_read_published(request, disclosure):
        raise Http404
    return render(
        request,
        "disclosures/history.html",
        {"disclosure": disclosure, "versions": queries.versions(disclosure)},
    )


@login_required
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    disclosure = _get(request, pk)
    if not _can_read_published(request, disclosure):
        raise Http404
    found = queries.version(disclosure, number)
    if found is None:
        raise Http404
    return render(request, "disclosures/version.html", {"disclosure": disclosure, "version": found})


@login_required
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between two versions (?a=1&b=2; by default the current version and the one before)."""
    disclosure = _get(request, pk)
    if not _can_read_published(request, disclosure):
        raise Http404
    all_versions = list(queries.versions(disclosure))
    numbers = [v.number for v in all_versions]
    try:
        b = int(request.GET.get("b") or numbers[-1])
        a = int(request.GET.get("a") or (b - 1 if b > 1 else b))
    except ValueError:
        raise Http404 from None
    by_number = {v.number: v for v in all_versions}
    if a not in by_number or b not in by_number:
        raise Http404
    old, new = by_number[a], by_number[b]
    rows = diffs.diff_rows(
        diffs.version_lines(old.title, old.body, old.attachments),
        diffs.version_lines(new.title, new.body, new.attachments),
    )
    context = {"disclosure": disclosure, "old": old, "new": new, "rows": rows, "numbers": numbers}
    return render(request, "disclosures/diff.html", context)


@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Download an attachment after checking the reader's access (files are never served as public media)."""
    disclosure = _get(request, pk)
    found: Attachment | None = queries.attachment_for(request.user, disclosure, attachment_pk)
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


# ------------------------------------------------------------------------------------- questions, answers


def _questions_fragment(request: HttpRequest, disclosure: Disclosure, **extra) -> HttpResponse:
    context = {
        "disclosure": disclosure,
        "questions": queries.questions_for(request.user, disclosure),
        "question_form": extra.pop("question_form", None) or QuestionForm(),
        "answer_form": AnswerForm(),
        "may_answer": queries.may_answer(request.user, disclosure),
        **extra,
    }
    return render(request, "disclosures/_questions.html", context, status=extra.get("status", 200))


def _form_error(form, act: Callable[[dict[str, Any]], object], invalid: str) -> str:
    """Validate `form` and call `act` with its data; returns the error to show, or "" when it worked."""
    if not form.is_valid():
        return invalid
    try:
        act(form.cleaned_data)
    except (ValidationError, AccessDenied) as exc:
        return _error_text(exc)
    return ""


def _questions_reply(
    request: HttpRequest, disclosure: Disclosure, error: str, success: str, **extra
) -> HttpResponse:
    """After a question or an answer: the questions again for htmx, else back to the page with a message."""
    if _htmx(request):
        return _questions_fragment(request, disclosure, error=error, status=400 if error else 200, **extra)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect("disclosures:detail", pk=disclosure.pk)


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    form = QuestionForm(request.POST)
    error = _form_error(
        form,
        lambda data: actions.ask(
            actor=request.user, disclosure=disclosure, text=data["text"], is_opinion=data["is_opinion"]
        ),
        invalid=_("Please write your question (at most 2,000 characters)."),
    )
    if not error:
        form = QuestionForm()
    return _questions_reply(
        request,
        disclosure,
        error,
        _("Thank you. The responsible person will answer."),
        question_form=form,
    )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    question = Question.objects.filter(pk=question_pk, disclosure=disclosure).first()
    if question is None:
        raise Http404
    error = _form_error(
        AnswerForm(request.POST),
        lambda data: actions.answer(
            actor=request.user, question=question, text=data["text"], public=data["public"]
        ),
        invalid=_("Please write the answer (at most 2,000 characters)."),
    )
    return _questions_reply(request, disclosure, error, _("Answer saved."))


urlpatterns = [
    path("", board, name="board"),
    path("work/", work, name="work"),
    path("new/", draft_new, name="draft_new"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/submit/", submit, name="submit"),
    path("<int:pk>/review/", review, name="review"),
    path("<int:pk>/correct/", correct, name="correct"),
    path("<int:pk>/correct/cancel/", cancel_correction, name="cancel_correction"),
    path("<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("<int:pk>/history/", history, name="history"),
    path("<int:pk>/versions/<int:number>/", version, name="version"),
    path("<int:pk>/diff/", diff, name="diff"),
    path("<int:pk>/attachments/<int:attachment_pk>/", attachment, name="attachment"),
    path("<int:pk>/questions/", ask, name="ask"),
    path("<int:pk>/questions/<int:question_pk>/answer/", answer, name="answer"),
]
