"""Catalog pages: the catalog by category (everyone signed in reads it), and for the group's administrators:
add and edit items (with a stale-form check) and categories, deactivate items, export and import `.xlsx`
with a preview (like the HR import: every row checked, errors listed with row numbers, all or nothing)."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.org.choices import UnitKind
from gongkai.org.importing import ImportFileError

from . import catalog, catalog_actions
from .choices import Form, Frequency
from .models import CatalogItem, Category

SESSION_KEY = "gongkai_catalog_imports"
MAX_IMPORT_BYTES = 2 * 1024 * 1024  # a catalog of a few hundred items is a few dozen kB
MAX_PENDING = 3
SHOWN_ERRORS = 500


# ----------------------------------------------------------------------------------- forms


class ItemForm(dj_forms.Form):
    category = dj_forms.ChoiceField(label=gettext_lazy("Category"))
    code = dj_forms.CharField(label=gettext_lazy("Code"), max_length=20)
    title = dj_forms.CharField(label=gettext_lazy("Title"), max_length=120)
    description = dj_forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=dj_forms.Textarea(attrs={"rows": 3})
    )
    unit_kinds = dj_forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of unit that must disclose it"),
        choices=UnitKind.choices,
        widget=dj_forms.CheckboxSelectMultiple,
    )
    frequency = dj_forms.ChoiceField(label=gettext_lazy("Frequency"), choices=Frequency.choices)
    forms = dj_forms.MultipleChoiceField(
        label=gettext_lazy("Forms"), choices=Form.choices, widget=dj_forms.CheckboxSelectMultiple
    )
    responsible_role = dj_forms.ChoiceField(
        label=gettext_lazy("Responsible role"), choices=[c for c in Role.choices if c[0] != Role.EMPLOYEE]
    )
    due_days = dj_forms.IntegerField(
        label=gettext_lazy("Due days after the end of the period"),
        min_value=0,
        max_value=catalog.MAX_DUE_DAYS,
    )
    order = dj_forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=0)
    version = dj_forms.CharField(widget=dj_forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, dj_forms.ChoiceField)  # noqa: S101 - for the type checker
        category.choices = list(Category.objects.order_by("order", "code").values_list("code", "name"))
        if editing:
            del self.fields["code"]
        else:
            del self.fields["version"]


class CategoryForm(dj_forms.Form):
    code = dj_forms.CharField(label=gettext_lazy("Code"), max_length=20)
    name = dj_forms.CharField(label=gettext_lazy("Name"), max_length=80)
    order = dj_forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=0)
    active = dj_forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = dj_forms.CharField(widget=dj_forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            del self.fields["version"]
            del self.fields["active"]


class ImportUploadForm(dj_forms.Form):
    file = dj_forms.FileField(label=gettext_lazy("Catalog workbook (.xlsx)"))


# ----------------------------------------------------------------------------------- helpers


def _require_editor(request: HttpRequest) -> None:
    if not catalog_actions.is_catalog_admin(request.user):
        raise PermissionDenied


def _form_error(form: dj_forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _item_or_404(pk: int) -> CatalogItem:
    item = CatalogItem.objects.select_related("category").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


# ----------------------------------------------------------------------------------- pages


@login_required
@require_GET
def catalog_list(request: HttpRequest) -> HttpResponse:
    categories = list(Category.objects.order_by("order", "code"))
    items: dict[int, list[CatalogItem]] = {c.pk: [] for c in categories}
    for item in CatalogItem.objects.order_by("order", "code"):
        items.setdefault(item.category_id, []).append(item)
    can_edit = catalog_actions.is_catalog_admin(request.user)
    context = {
        "sections": [(c, items[c.pk]) for c in categories],
        "can_edit": can_edit,
        "category_form": CategoryForm() if can_edit else None,
        "item_count": sum(len(v) for v in items.values()),
    }
    return render(request, "disclosures/catalog/list.html", context)


@login_required
def item_add(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = catalog_actions.create_item(actor=request.user, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        except AccessDenied as exc:
            raise PermissionDenied from exc
        else:
            messages.success(request, _("Item %(code)s added.") % {"code": item.code})
            return redirect("disclosures:catalog")
    status = 400 if request.method == "POST" else 200
    return render(request, "disclosures/catalog/item_form.html", {"form": form, "item": None}, status=status)


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    item = _item_or_404(pk)
    if request.method == "POST":
        form = ItemForm(request.POST, editing=True)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version") or None
            try:
                catalog_actions.update_item(
                    actor=request.user, item=item, expected_version=version, active=item.active, **data
                )
            except ValidationError as exc:
                _form_error(form, exc)
            except AccessDenied as exc:
                raise PermissionDenied from exc
            else:
                messages.success(request, _("Item %(code)s saved.") % {"code": item.code})
                return redirect("disclosures:catalog")
        return render(request, "disclosures/catalog/item_form.html", {"form": form, "item": item}, status=400)
    form = ItemForm(
        editing=True,
        initial={
            "category": item.category.code,
            "title": item.title,
            "description": item.description,
            "unit_kinds": item.unit_kinds,
            "frequency": item.frequency,
            "forms": item.forms,
            "responsible_role": item.responsible_role,
            "due_days": item.due_days,
            "order": item.order,
            "version": item.updated_at.isoformat(),
        },
    )
    return render(request, "disclosures/catalog/item_form.html", {"form": form, "item": item})


@login_required
@require_POST
def item_active(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    item = _item_or_404(pk)
    active = request.POST.get("active") == "1"
    catalog_actions.set_item_active(actor=request.user, item=item, active=active)
    if active:
        messages.success(request, _("Item %(code)s is active again.") % {"code": item.code})
    else:
        messages.success(
            request,
            _("Item %(code)s is deactivated: no new schedule entries; existing ones stay.")
            % {"code": item.code},
        )
    return redirect("disclosures:catalog")


@login_required
@require_POST
def category_add(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            catalog_actions.create_category(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Category added."))
    else:
        messages.error(request, _("A category needs a code, a name and an order (0 or more)."))
    return redirect("disclosures:catalog")


@login_required
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    category = Category.objects.filter(pk=pk).first()
    if category is None:
        raise Http404
    if request.method == "POST":
        form = CategoryForm(request.POST, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                catalog_actions.update_category(
                    actor=request.user,
                    category=category,
                    name=data["name"],
                    order=data["order"],
                    active=data["active"],
                    expected_version=data["version"] or None,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Category saved."))
                return redirect("disclosures:catalog")
        return render(
            request,
            "disclosures/catalog/category_form.html",
            {"form": form, "category": category},
            status=400,
        )
    form = CategoryForm(
        editing=True,
        initial={
            "name": category.name,
            "order": category.order,
            "active": category.active,
            "version": category.updated_at.isoformat(),
        },
    )
    return render(request, "disclosures/catalog/category_form.html", {"form": form, "category": category})


@login_required
@require_GET
def catalog_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        catalog.export_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, "catalog.xlsx")
    return response


# ----------------------------------------------------------------------------------- import with preview
# The uploaded workbook is small: it waits in the session (base64) between the preview and the apply.


def _pending(request: HttpRequest) -> dict:
    return request.session.get(SESSION_KEY, {})


def _pending_entry(request: HttpRequest, token: str) -> dict | None:
    entry = _pending(request).get(token)
    if entry is None or entry.get("user_id") != request.user.pk:
        return None
    return entry


def _drop(request: HttpRequest, token: str) -> None:
    pending = dict(_pending(request))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error(
                "file", _("The file is larger than 2 MB; a catalog is much smaller. Nothing was imported.")
            )
        else:
            data = upload.read()
            try:
                catalog.inspect_file(data, upload.name)
            except ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                token = secrets.token_urlsafe(18)
                pending = dict(_pending(request))
                while len(pending) >= MAX_PENDING:
                    pending.pop(next(iter(pending)))
                pending[token] = {
                    "filename": upload.name[:200],
                    "data": base64.b64encode(data).decode(),
                    "user_id": request.user.pk,
                }
                request.session[SESSION_KEY] = pending
                return redirect("disclosures:catalog_import_preview", token=token)
    status = 400 if request.method == "POST" else 200
    return render(request, "disclosures/catalog/import_upload.html", {"form": form}, status=status)


def _plan(entry: dict) -> tuple[catalog.CatalogPlan | None, str]:
    try:
        return catalog.build_import_plan(base64.b64decode(entry["data"]), entry["filename"]), ""
    except ImportFileError as exc:
        return None, exc.message


def _gone(request: HttpRequest) -> HttpResponse:
    messages.error(
        request, _("This import is no longer available: it was applied or replaced. Upload the file again.")
    )
    return redirect("disclosures:catalog_import")


@login_required
@require_GET
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    _require_editor(request)
    entry = _pending_entry(request, token)
    if entry is None:
        return _gone(request)
    plan, file_error = _plan(entry)
    context: dict[str, Any] = {"token": token, "entry": entry, "plan": plan, "file_error": file_error}
    if plan is not None:
        context["errors"] = plan.errors[:SHOWN_ERRORS]
    return render(request, "disclosures/catalog/import_preview.html", context)


@login_required
@require_POST
def import_apply(request: HttpRequest, token: str) -> HttpResponse:
    _require_editor(request)
    entry = _pending_entry(request, token)
    if entry is None:
        return _gone(request)
    plan, file_error = _plan(entry)
    if plan is None or plan.errors:
        messages.error(request, file_error or _("The file has errors; nothing was imported."))
        return redirect("disclosures:catalog_import_preview", token=token)
    if request.POST.get("fingerprint", "") != plan.fingerprint:
        messages.error(request, _("The catalog changed since the preview; please check the new preview."))
        return redirect("disclosures:catalog_import_preview", token=token)
    try:
        counts = catalog_actions.apply_catalog_import(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("disclosures:catalog_import_preview", token=token)
    _drop(request, token)
    messages.success(
        request,
        _("Catalog imported: %(added)s items added, %(changed)s changed, %(unchanged)s unchanged.") % counts,
    )
    return redirect("disclosures:catalog")


urlpatterns = [
    path("catalog/", catalog_list, name="catalog"),
    path("catalog/add/", item_add, name="catalog_add"),
    path("catalog/export.xlsx", catalog_export, name="catalog_export"),
    path("catalog/import/", import_upload, name="catalog_import"),
    path("catalog/import/<str:token>/", import_preview, name="catalog_import_preview"),
    path("catalog/import/<str:token>/apply/", import_apply, name="catalog_import_apply"),
    path("catalog/categories/add/", category_add, name="catalog_category_add"),
    path("catalog/categories/<int:pk>/edit/", category_edit, name="catalog_category_edit"),
    path("catalog/<int:pk>/edit/", item_edit, name="catalog_edit"),
    path("catalog/<int:pk>/active/", item_active, name="catalog_active"),
]
