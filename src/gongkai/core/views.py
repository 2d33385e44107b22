from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import tasks
from .access import ROOT, get_scope
from .choices import Role
from .home import panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What this person has to do: the panels every app contributes for the person's roles."""
    scope = get_scope(request.user)
    return render(request, "core/home.html", {"panels": panels_for(request, scope), "scope": scope})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_POST
def ledger_check(request: HttpRequest) -> HttpResponse:
    """Queue a verification of the whole ledger for the background worker."""
    if ROOT not in get_scope(request.user).paths(Role.ADMIN):
        raise PermissionDenied
    tasks.verify_ledger.enqueue()
    messages.info(request, _("The ledger check is queued; the worker will report the result here."))
    return redirect("home")
