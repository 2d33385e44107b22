"""The author's pages: my suggestions (and the co-author invitations waiting for me), a new suggestion with the
"similar earlier suggestions" panel fed by htmx while typing, editing a draft, and the page of one suggestion:
its proposal, co-authors, files and every public step with dates, the first answer's deadline, the conclusion
with its reason, implementation, benefit with its calculation and the award. On a draft the lead author invites
co-authors, adds files and submits; an invited co-author confirms or declines there.

Views call `author_actions` and never write a model. Forms that change a suggestion carry its revision. Someone
who may not see a suggestion gets a 404; someone who sees it but may not do the thing gets a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongkai.core.access import AccessDenied

from . import access, author_input
from . import author_actions as actions
from . import author_queries as queries
from .author_forms import (
    AttachForm,
    EditSuggestionForm,
    InviteForm,
    NewSuggestionForm,
    RespondForm,
    SubmitForm,
)
from .choices import Consent, Status
from .common import error_text, me
from .models import Attachment, Coauthor, Suggestion

PAGE_SIZE = 20


def _visible(request: HttpRequest, pk: int) -> Suggestion:
    found = (
        queries.visible_to(request.user)
        .select_related(
            "unit", "author", "drive", "panel", "decided_by", "owner", "award_band", "duplicate_of"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


# ------------------------------------------------------------------------------------------------- my list


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """My suggestions (as lead author or confirmed co-author) with their status and deadline, and the co-author
    invitations waiting for my answer. A fixed number of queries per page."""
    page = Paginator(queries.my_suggestions(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(s, queries.is_overdue(s, today)) for s in page.object_list]
    context = {"page": page, "rows": rows, "invitations": list(queries.invitations(request.user))}
    return render(request, "suggestions/author/mine.html", context)


# ------------------------------------------------------------------------------------------ new and edit


def _similar_url() -> str:
    """The htmx source of the "similar earlier suggestions" panel."""
    return reverse("suggestions:similar")


def _drives(request: HttpRequest):
    return author_input.running_drives(request.user).select_related("unit")  # type: ignore[arg-type]


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """A new suggestion, kept as a draft (co-authors are invited and it is submitted from its page)."""
    drives = _drives(request)
    form = NewSuggestionForm(
        request.POST or None, request.FILES or None, drives=drives, similar_url=_similar_url()
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                suggestion = actions.create_draft(
                    actor=me(request),
                    files=form.cleaned_data["attachments"],
                    **form.proposal_fields(),
                )
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            except AccessDenied:
                raise PermissionDenied from None
            else:
                messages.success(
                    request,
                    _("Your draft is saved. Invite co-authors if you have any, then submit it."),
                )
                return redirect("suggestions:detail", suggestion.pk)
    context = {"form": form, "similar_url": _similar_url()}
    return render(request, "suggestions/author/form.html", context, status=status)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead author changes a draft. A submitted suggestion is frozen."""
    suggestion = _visible(request, pk)
    if suggestion.author_id != request.user.pk:
        raise PermissionDenied
    if request.method != "POST" and suggestion.status != Status.DRAFT:
        messages.error(request, error_text(actions.frozen()))
        return redirect("suggestions:detail", suggestion.pk)
    drives = _drives(request)
    initial = {
        "category": suggestion.category,
        "title": suggestion.title,
        "problem": suggestion.problem,
        "proposal": suggestion.proposal,
        "expected_benefit": suggestion.expected_benefit,
        "expected_saving": suggestion.expected_saving,
        "is_major": suggestion.is_major,
        "drive": suggestion.drive_id,
        "revision": suggestion.revision,
    }
    form = EditSuggestionForm(
        request.POST or None,
        initial=initial,
        drives=drives,
        similar_url=_similar_url(),
        exclude=suggestion.pk,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.update_draft(
                    actor=me(request),
                    suggestion=suggestion,
                    expected_revision=form.cleaned_data["revision"],
                    **form.proposal_fields(),
                )
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            except AccessDenied:
                raise PermissionDenied from None
            else:
                messages.success(request, _("Your draft is saved."))
                return redirect("suggestions:detail", suggestion.pk)
    context = {"form": form, "suggestion": suggestion, "similar_url": _similar_url()}
    return render(request, "suggestions/author/form.html", context, status=status)


# ------------------------------------------------------------------------------------------ the suggestion


def _detail_context(request: HttpRequest, suggestion: Suggestion, **bound) -> dict:
    person = me(request)
    coauthors = list(Coauthor.objects.filter(suggestion=suggestion).select_related("person").order_by("pk"))
    is_lead = suggestion.author_id == person.pk
    is_draft = suggestion.status == Status.DRAFT
    my_invitation = next(
        (c for c in coauthors if c.person_id == person.pk and c.consent == Consent.INVITED and is_draft), None
    )
    is_manager = access.is_manager(person, suggestion)
    return {
        "suggestion": suggestion,
        "coauthors": coauthors,
        "attachments": list(Attachment.objects.filter(suggestion=suggestion).order_by("pk")),
        "events": list(
            suggestion.events.filter(public=True).select_related("actor").order_by("at", "pk")  # type: ignore[attr-defined]
        ),
        "overdue": queries.is_overdue(suggestion),
        "is_lead": is_lead,
        "is_author": access.is_confirmed_author(person, suggestion, coauthors),
        "is_manager": is_manager,
        "is_panel_member": access.is_panel_member(person, suggestion),
        "editable": is_lead and is_draft,
        "all_confirmed": all(c.consent == Consent.CONFIRMED for c in coauthors),
        "my_invitation": my_invitation,
        "invite_form": bound.get("invite_form") or InviteForm(),
        "attach_form": bound.get("attach_form") or AttachForm(),
        "submit_form": bound.get("submit_form") or SubmitForm(initial={"revision": suggestion.revision}),
        "respond_form": bound.get("respond_form") or RespondForm(),
        "error": bound.get("error"),
    }


def _detail_page(request: HttpRequest, suggestion: Suggestion, status: int = 200, **bound) -> HttpResponse:
    context = _detail_context(request, suggestion, **bound)
    return render(request, "suggestions/author/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The page of one suggestion, for its authors, the managers of its unit and the members of its panel."""
    return _detail_page(request, _visible(request, pk))


def _act(
    request: HttpRequest, pk: int, form_class, name: str, run, done: str, files: bool = False
) -> HttpResponse:
    """Run one action from a form on the suggestion's page; on a refusal show the page again with the reason."""
    suggestion = _visible(request, pk)
    form = form_class(request.POST, request.FILES) if files else form_class(request.POST)
    error = None
    status = 400
    if form.is_valid():
        try:
            run(suggestion, form.cleaned_data)
        except ValidationError as exc:
            error = error_text(exc)
        except AccessDenied:
            raise PermissionDenied from None
        else:
            messages.success(request, done)
            return redirect("suggestions:detail", suggestion.pk)
    suggestion.refresh_from_db()
    return _detail_page(request, suggestion, status=status, error=error, **{name: form})


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead author invites a co-author by employee number."""

    def run(suggestion, data):
        person = actions.person_by_number(data["employee_no"])
        actions.invite_coauthor(actor=me(request), suggestion=suggestion, person=person)

    return _act(request, pk, InviteForm, "invite_form", run, _("The co-author is invited and notified."))


def _remove(request: HttpRequest, row: Coauthor | Attachment | None, run, done: str) -> HttpResponse:
    """Take a co-author or a file off a draft the reader may see; on a refusal show the page with the reason."""
    if row is None:
        raise Http404
    suggestion = _visible(request, row.suggestion_id)
    try:
        run(row)
    except ValidationError as exc:
        return _detail_page(request, suggestion, status=400, error=error_text(exc))
    except AccessDenied:
        raise PermissionDenied from None
    messages.success(request, done)
    return redirect("suggestions:detail", suggestion.pk)


@login_required
@require_POST
def remove_coauthor(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead author takes a co-author off the draft (`pk` is the co-author row)."""
    return _remove(
        request,
        Coauthor.objects.filter(pk=pk).select_related("suggestion").first(),
        lambda row: actions.remove_coauthor(actor=me(request), coauthor=row),
        _("The co-author is removed."),
    )


@login_required
@require_POST
def remove_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead author takes a file off the draft (`pk` is the attachment)."""
    return _remove(
        request,
        Attachment.objects.filter(pk=pk).select_related("suggestion").first(),
        lambda row: actions.remove_attachment(actor=me(request), attachment=row),
        _("The file is removed."),
    )


@login_required
@require_POST
def coauthor_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """An invited co-author confirms or declines (`pk` is the suggestion)."""
    suggestion = _visible(request, pk)
    coauthor = Coauthor.objects.filter(suggestion=suggestion, person_id=int(request.user.pk or 0)).first()
    if coauthor is None:
        raise PermissionDenied
    form = RespondForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, suggestion, status=400, respond_form=form)
    confirm = form.cleaned_data["answer"] == "confirm"
    try:
        actions.respond(
            actor=me(request),
            coauthor=coauthor,
            confirm=confirm,
            expected_revision=form.cleaned_data["revision"],
        )
    except ValidationError as exc:
        return _detail_page(request, suggestion, status=400, error=error_text(exc))
    except AccessDenied:
        raise PermissionDenied from None
    if confirm:
        messages.success(request, _("You are now a co-author of this suggestion."))
        return redirect("suggestions:detail", suggestion.pk)
    messages.success(request, _("You declined; the lead author is told."))
    return redirect("suggestions:mine")


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead author adds a file to the draft."""

    def run(suggestion, data):
        actions.add_attachment(actor=me(request), suggestion=suggestion, upload=data["file"])

    return _act(request, pk, AttachForm, "attach_form", run, _("The file is attached."), files=True)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead author submits the draft (every co-author must have confirmed)."""

    def run(suggestion, data):
        actions.submit(
            actor=me(request),
            suggestion=suggestion,
            expected_revision=data["revision"],
        )

    return _act(
        request,
        pk,
        SubmitForm,
        "submit_form",
        run,
        _("Your suggestion is submitted. The first answer is due by the date shown."),
    )


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download a file of a suggestion after checking the reader may see the suggestion."""
    found = Attachment.objects.filter(pk=pk).first()
    if found is None or not queries.visible_to(request.user).filter(pk=found.suggestion_id).exists():
        raise Http404
    try:
        handle = default_storage.open(author_input.storage_name(found), "rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = found.content_type.startswith("image/")
    response = FileResponse(
        handle, as_attachment=not inline, filename=found.name, content_type=found.content_type
    )
    response["Cache-Control"] = "private, max-age=0"
    return response


urlpatterns = [
    path("", mine, name="mine"),
    path("new/", new, name="new"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/respond/", coauthor_respond, name="coauthor_respond"),
    path("<int:pk>/invite/", invite, name="author_invite"),
    path("<int:pk>/attach/", attach, name="author_attach"),
    path("<int:pk>/submit/", submit, name="author_submit"),
    path("coauthors/<int:pk>/remove/", remove_coauthor, name="author_remove_coauthor"),
    path("files/<int:pk>/", attachment, name="attachment"),
    path("files/<int:pk>/remove/", remove_attachment, name="author_remove_attachment"),
]
