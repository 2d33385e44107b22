"""The inbox: a person's notifications (reminders, escalations, answers), newest first; mark read with htmx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import notify
from .models import Notification

PAGE_SIZE = 30


def _mine(request: HttpRequest):
    return Notification.objects.filter(person_id=request.user.pk or 0)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    qs = _mine(request).only("pk", "kind", "title", "body", "url", "created_at", "read_at")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page, "unread_only": unread_only})


def _note(request: HttpRequest, pk: int) -> Notification:
    note = _mine(request).filter(pk=pk).first()
    if note is None:
        raise Http404
    return note


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read (or unread again with `unread=1`); htmx gets the row back."""
    note = notify.mark_read(request.user, _note(request, pk), unread=request.POST.get("unread") == "1")
    if getattr(request, "htmx", False):
        return render(request, "core/inbox_row.html", {"note": note})
    return redirect("inbox:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notify.mark_all_read(request.user)
    return redirect("inbox:list")


@login_required
@require_POST
def open_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read."""
    note = _note(request, pk)
    if note.read_at is None:
        notify.mark_read(request.user, note)
    if note.url and url_has_allowed_host_and_scheme(
        note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(note.url)
    return redirect("inbox:list")
