"""Organisation pages: the unit tree, people, roles, constituencies, password. Imports live in import_views."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.choices import Role

from . import actions, queries
from .forms import AddUnitForm, GrantRoleForm, MoveUnitForm, PersonForm
from .models import RoleAssignment, Unit

PAGE_SIZE = 50


@login_required
def unit_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    unit = None
    if pk is not None:
        unit = queries.unit_for(request.user, pk)
        if unit is None:
            raise Http404
    scope = get_scope(request.user)
    is_admin = unit is not None and scope.has_role(Role.ADMIN, unit.path)
    context = {
        "unit": unit,
        "ancestors": list(Unit.objects.get_ancestors(unit)) if unit else [],
        "children": queries.children_with_counts(request.user, unit),
        "can_admin": is_admin,
        "add_form": AddUnitForm() if is_admin else None,
        "move_form": MoveUnitForm(
            units=queries.managed_units(request.user).exclude(path__startswith=unit.path)
        )
        if is_admin and unit.depth > 1
        else None,
        "can_see_people": unit is not None and scope.has_any_role(queries.PEOPLE_ROLES, unit.path),
    }
    return render(request, "org/unit_list.html", context)


@login_required
@require_POST
def unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    parent = queries.unit_for(request.user, pk, Role.ADMIN)
    if parent is None:
        raise Http404
    form = AddUnitForm(request.POST)
    if form.is_valid():
        try:
            unit = actions.create_unit(actor=request.user, parent=parent, **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Unit %(name)s added.") % {"name": unit.name})
    else:
        messages.error(request, _("Please correct the unit's code, name and kind."))
    return redirect("org:unit", pk=parent.pk)


@login_required
@require_POST
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = queries.unit_for(request.user, pk, Role.ADMIN)
    if unit is None:
        raise Http404
    form = MoveUnitForm(request.POST, units=queries.managed_units(request.user))
    if form.is_valid():
        try:
            actions.move_unit(actor=request.user, unit=unit, new_parent=form.cleaned_data["new_parent"])
        except (ValidationError, AccessDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Unit moved with its whole subtree."))
    else:
        messages.error(request, _("Choose a unit you manage as the new parent."))
    return redirect("org:unit", pk=unit.pk)


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    unit = None
    if request.GET.get("unit"):
        try:
            unit = queries.unit_for(request.user, int(request.GET["unit"]))
        except ValueError:
            unit = None
        if unit is None:
            raise Http404
    q = request.GET.get("q", "").strip()[:50]
    inactive = request.GET.get("inactive") == "1"
    qs = queries.people(request.user, unit=unit, q=q, include_inactive=inactive)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "org/_people_rows.html" if request.htmx else "org/people_list.html"
    return render(request, template, {"page": page, "unit": unit, "q": q, "inactive": inactive})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.person(request.user, pk)
    if person is None:
        raise Http404
    return _render_person(request, person)


def _render_person(request: HttpRequest, person, edit_form: PersonForm | None = None, status: int = 200):
    scope = get_scope(request.user)
    can_admin = person.unit is not None and scope.has_role(Role.ADMIN, person.unit.path)
    units = queries.managed_units(request.user)
    if can_admin and edit_form is None:
        initial = {
            "name": person.name,
            "posts": person.posts,
            "phone": person.phone,
            "email": person.email,
            "unit": person.unit_id,
            "version": person.updated_at.isoformat(),
        }
        edit_form = PersonForm(initial=initial, units=units)
    context = {
        "person": person,
        "roles": queries.roles_of(person),
        "can_admin": can_admin,
        "grant_form": GrantRoleForm(units=units) if can_admin else None,
        "edit_form": edit_form if can_admin else None,
    }
    return render(request, "org/person_detail.html", context, status=status)


@login_required
@require_POST
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.person(request.user, pk)
    if person is None:
        raise Http404
    form = PersonForm(request.POST, units=queries.managed_units(request.user))
    if not form.is_valid():
        return _render_person(request, person, edit_form=form, status=400)
    data = form.cleaned_data
    try:
        actions.update_person(
            actor=request.user,
            person=person,
            unit=data["unit"],
            expected_version=data["version"],
            name=data["name"],
            posts=data["posts"],
            phone=data["phone"],
            email=data["email"],
        )
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("org:person", pk=pk)


@login_required
@require_POST
def person_grant(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.person(request.user, pk)
    if person is None:
        raise Http404
    form = GrantRoleForm(request.POST, units=queries.managed_units(request.user))
    if form.is_valid():
        try:
            actions.grant_role(actor=request.user, person=person, **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Role granted."))
    else:
        messages.error(request, _("Choose a unit you manage and a role."))
    return redirect("org:person", pk=person.pk)


@login_required
@require_POST
def person_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    person = queries.person(request.user, pk)
    assignment = (
        RoleAssignment.objects.filter(pk=assignment_pk, person_id=pk).select_related("unit", "person").first()
    )
    if person is None or assignment is None:
        raise Http404
    try:
        actions.revoke_role(actor=request.user, assignment=assignment)
    except AccessDenied as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Role removed."))
    return redirect("org:person", pk=pk)


@login_required
@require_POST
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.person(request.user, pk)
    if person is None:
        raise Http404
    try:
        actions.set_person_active(
            actor=request.user,
            person=person,
            active=request.POST.get("active") == "1",
            reason=request.POST.get("reason", "")[:200],
        )
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("org:person", pk=pk)


@login_required
def constituency_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.constituencies(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/constituency_list.html", {"page": page})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_password(
            actor=request.user, person=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(request, "org/password_change.html", {"form": form})


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
