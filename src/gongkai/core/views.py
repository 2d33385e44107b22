from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .access import get_scope
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
