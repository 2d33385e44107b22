"""Import pages: upload an HR file, preview what it will change, apply it (all or nothing).

The uploaded bytes are kept under MEDIA_ROOT/imports/<token>.bin (no model, no migration) and the session
remembers {token: kind, full, filename, user}. Applying claims the file by renaming it, so a second submission
of the same preview cannot import twice; the file is removed once applied.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.choices import Role

from . import actions, importing
from .forms import ImportForm

SESSION_KEY = "gongkai_imports"
SHOWN_ROWS = 200  # rows listed per section of the preview
SHOWN_ERRORS = 500
MAX_PENDING = 5  # uploads kept per session
STALE_AFTER = 24 * 3600  # seconds after which an abandoned upload is removed
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


FORM_OVERHEAD = 64 * 1024  # room for the multipart envelope and the other fields


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _require_importer(request: HttpRequest) -> None:
    if not get_scope(request.user).paths(Role.ADMIN):
        raise PermissionDenied


def _import_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_of(token: str) -> Path:
    return _import_dir() / f"{token}.bin"


def _pending(request: HttpRequest) -> dict:
    return request.session.get(SESSION_KEY, {})


def _entry(request: HttpRequest, token: str) -> dict | None:
    if not TOKEN_RE.match(token):
        return None
    entry = _pending(request).get(token)
    if entry is None or entry.get("user_id") != request.user.pk:
        return None
    return entry


def _forget(request: HttpRequest, token: str) -> None:
    pending = dict(_pending(request))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


def _sweep(folder: Path) -> None:
    """Remove uploads abandoned for more than a day."""
    limit = time.time() - STALE_AFTER
    for path in folder.glob("*.bin"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    limit_mb = settings.GONGKAI_MAX_UPLOAD_MB
    too_big = _(
        "The file is larger than %(limit)s MB; nothing was imported. Split it or ask the administrator to "
        "raise the limit."
    ) % {"limit": limit_mb}
    if request.method == "POST" and _content_length(request) > limit_mb * 1024 * 1024 + FORM_OVERHEAD:
        # refused before the body is parsed: the upload is not even stored in a temporary file
        context = {"form": ImportForm(), "limit_mb": limit_mb, "upload_error": too_big}
        return render(request, "org/import_upload.html", context, status=413)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > limit_mb * 1024 * 1024:
            form.add_error("file", too_big)
        else:
            data = upload.read()
            kind = form.cleaned_data["kind"]
            try:
                importing.inspect_file(data, kind, upload.name)
            except importing.ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                folder = _import_dir()
                _sweep(folder)
                token = secrets.token_urlsafe(24)
                _file_of(token).write_bytes(data)
                pending = dict(_pending(request))
                while len(pending) >= MAX_PENDING:  # drop the oldest upload of this session
                    old = next(iter(pending))
                    pending.pop(old)
                    _file_of(old).unlink(missing_ok=True)
                pending[token] = {
                    "kind": kind,
                    "full": bool(form.cleaned_data["full"]) and kind == importing.PEOPLE,
                    "filename": upload.name[:200],
                    "user_id": request.user.pk,
                }
                request.session[SESSION_KEY] = pending
                return redirect("org:import_preview", token=token)
    return render(request, "org/import_upload.html", {"form": form, "limit_mb": limit_mb})


def _plan_for(request: HttpRequest, entry: dict, data: bytes):
    """(plan, file error message)."""
    try:
        plan = importing.build_plan(
            entry["kind"], data, actor=request.user, full=entry["full"], filename=entry["filename"]
        )
    except importing.ImportFileError as exc:
        return None, exc.message
    return plan, ""


def _gone(request: HttpRequest) -> HttpResponse:
    messages.error(
        request,
        _(
            "This import is no longer available: it has already been applied, or it expired. "
            "Upload the file again if needed."
        ),
    )
    return redirect("org:import")


@login_required
@require_GET
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    _require_importer(request)
    entry = _entry(request, token)
    if entry is None:
        return _gone(request)
    try:
        data = _file_of(token).read_bytes()
    except FileNotFoundError:
        _forget(request, token)
        return _gone(request)
    plan, file_error = _plan_for(request, entry, data)
    context = {
        "token": token,
        "entry": entry,
        "plan": plan,
        "file_error": file_error,
        "shown_rows": SHOWN_ROWS,
    }
    if plan is not None:
        context["errors"] = plan.errors[:SHOWN_ERRORS]
        context["sections"] = [
            {"key": key, "entries": getattr(plan, key)[:SHOWN_ROWS], "total": len(getattr(plan, key))}
            for key in ("added", "changed", "deactivated")
        ]
    return render(request, "org/import_preview.html", context, status=200)


@login_required
@require_POST
def import_apply(request: HttpRequest, token: str) -> HttpResponse:
    _require_importer(request)
    entry = _entry(request, token)
    if entry is None:
        return _gone(request)
    source = _file_of(token)
    claimed = source.with_suffix(".applying")
    try:
        source.rename(claimed)  # atomic: of two submissions of the same preview, only one gets the file
    except FileNotFoundError:
        _forget(request, token)
        return _gone(request)
    done = False
    try:
        plan, file_error = _plan_for(request, entry, claimed.read_bytes())
        if plan is None or plan.errors:
            messages.error(request, file_error or _("The file has errors; nothing was imported."))
            return redirect("org:import_preview", token=token)
        if request.POST.get("fingerprint", "") != plan.fingerprint:
            messages.error(request, _("The data changed since the preview; please check the new preview."))
            return redirect("org:import_preview", token=token)
        try:
            if plan.kind == importing.PEOPLE:
                counts = actions.apply_people_import(actor=request.user, plan=plan, full=plan.full)
            else:
                counts = actions.apply_units_import(actor=request.user, plan=plan)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("org:import_preview", token=token)
        except AccessDenied:
            messages.error(request, _("You do not have the role needed to do this here."))
            return redirect("org:import")
        done = True
    finally:
        if done:
            claimed.unlink(missing_ok=True)
        else:
            with contextlib.suppress(OSError):
                claimed.rename(source)
    _forget(request, token)
    if plan.kind == importing.PEOPLE:
        messages.success(
            request,
            _(
                "Import done: %(added)s added, %(changed)s changed, %(deactivated)s deactivated, %(unchanged)s unchanged."
            )
            % counts,
        )
        return redirect("org:people")
    messages.success(
        request,
        _("Import done: %(added)s units added, %(changed)s changed, %(unchanged)s unchanged.") % counts,
    )
    return redirect("org:units")
