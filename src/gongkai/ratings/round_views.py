"""Management pages of rating rounds: the scoped list, a new round, the round page (people rated by constituency,
exemptions, duty reports, rater group, liaisons, electorate preview, opening) and the duty report page.

Only the union and the leading group of the round's unit (or an ancestor) see these pages; anyone else gets 404.
Views read here and write only through `round_actions`. Before a round closes the page shows how many voted
(online / on paper), never how anyone was rated.
"""

from __future__ import annotations

from itertools import groupby
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongkai.core.access import AccessDenied, get_scope
from gongkai.org.models import Constituency, Person, Unit

from . import ballot_actions, round_actions
from .ballot_actions import MANAGE_ROLES, is_manager
from .choices import BatchStatus, Channel, RoundKind, RoundStatus
from .models import Elector, Liaison, PaperBatch, Participation, RatedPerson, RaterGroupMember, Round
from .round_forms import (
    EXEMPTION_CHOICES,
    THRESHOLD_HELP,
    AddRatedForm,
    ExemptionForm,
    LiaisonForm,
    ListFilterForm,
    RatersForm,
    ReportForm,
    RevisionForm,
    RoundEditForm,
    RoundForm,
)
from .subqueries import count_per_round

PAGE_SIZE = 30


def _me(request: HttpRequest) -> Person:
    return cast(Person, request.user)


def _refusal(exc: Exception) -> tuple[str, str]:
    """(message, code) of a refused action, for the page."""
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here."), "access"
    if isinstance(exc, ValidationError):
        codes = [e.code for e in exc.error_list if e.code] if hasattr(exc, "error_list") else []
        return " ".join(exc.messages), (codes[0] if codes else "invalid")
    return str(exc), "invalid"


def _managed_units(user) -> QuerySet[Unit]:
    return Unit.objects.filter(get_scope(user).within("", *MANAGE_ROLES), active=True).order_by("path")


def _managed_rounds(user) -> QuerySet[Round]:
    return Round.objects.filter(get_scope(user).within("unit", *MANAGE_ROLES))


def _get_round(request: HttpRequest, pk: int) -> Round:
    found = _managed_rounds(request.user).select_related("unit").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _get_rated(request: HttpRequest, pk: int) -> RatedPerson:
    found = (
        RatedPerson.objects.filter(pk=pk, round__in=_managed_rounds(request.user))
        .select_related("round__unit", "person", "constituency")
        .first()
    )
    if found is None:
        raise Http404
    return found


# ---------------------------------------------------------------------------------------------------- list


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    """The rounds of the units I manage, newest first; filter by year and status."""
    units = _managed_units(request.user)
    filters = ListFilterForm(request.GET or None)
    found = _managed_rounds(request.user).select_related("unit")
    year = status = None
    if filters.is_valid():
        year, status = filters.cleaned_data.get("year"), filters.cleaned_data.get("status")
        if year:
            found = found.filter(year=year)
        if status:
            found = found.filter(status=status)
    found = found.annotate(
        rated_count=count_per_round(RatedPerson, exemption=""),
        exempted_count=count_per_round(RatedPerson, exemption__gt=""),
        voted_online=count_per_round(Participation, channel=Channel.ONLINE),
        voted_paper=count_per_round(Participation, channel=Channel.PAPER),
        elector_count=count_per_round(Elector),
    ).order_by("-year", "-opens_at", "pk")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "year": year or "",
        "status": status or "",
        "can_create": units.exists(),
        "draft": RoundStatus.DRAFT,
    }
    return render(request, "ratings/rounds/list.html", context)


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    if not units.exists():
        raise Http404
    form = RoundForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = round_actions.create_round(actor=_me(request), **data)
        except (ValidationError, AccessDenied) as exc:
            message, code = _refusal(exc)
            form.add_error(None, ValidationError(message, code=code))
        else:
            messages.success(request, _("The round is created. Add the people rated, then open it."))
            return redirect("ratings:round", pk=created.pk)
    return render(request, "ratings/rounds/new.html", {"form": form, "threshold_help": THRESHOLD_HELP})


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round(request, pk)
    if round_.status != RoundStatus.DRAFT:
        messages.error(request, _("The settings of a round can be changed only before it opens."))
        return redirect("ratings:round", pk=round_.pk)
    initial = {name: getattr(round_, name) for name in round_actions.EDITABLE_FIELDS}
    form = RoundEditForm(request.POST or None, initial={**initial, "revision": round_.revision})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision")
        try:
            round_actions.update_round(actor=_me(request), round_=round_, expected_revision=revision, **data)
        except (ValidationError, AccessDenied) as exc:
            message, code = _refusal(exc)
            form.add_error(None, ValidationError(message, code=code))
        else:
            messages.success(request, _("The round's settings are saved."))
            return redirect("ratings:round", pk=round_.pk)
    status = 400 if form.errors else 200
    return render(request, "ratings/rounds/edit.html", {"round": round_, "form": form}, status=status)


# ---------------------------------------------------------------------------------------------- round page


def _participation(round_: Round, names: dict) -> dict | None:
    if round_.status == RoundStatus.DRAFT:
        return None
    electors = dict(round_actions.electorate_preview(round_))
    voted: dict = {}
    for constituency_id, channel, n in (
        Participation.objects.filter(round=round_)
        .values_list("constituency_id", "channel")
        .annotate(n=Count("id"))
        .order_by()
    ):
        voted.setdefault(constituency_id, {Channel.ONLINE: 0, Channel.PAPER: 0})[channel] = n
    rows = []
    for constituency_id in sorted(set(electors) | set(voted), key=lambda c: (c is None, names.get(c, ""))):
        v = voted.get(constituency_id, {Channel.ONLINE: 0, Channel.PAPER: 0})
        rows.append(
            {
                "name": names.get(constituency_id, ""),
                "electors": electors.get(constituency_id, 0),
                "online": v[Channel.ONLINE],
                "paper": v[Channel.PAPER],
                "voted": v[Channel.ONLINE] + v[Channel.PAPER],
            }
        )
    total = {
        "electors": sum(r["electors"] for r in rows),
        "online": sum(r["online"] for r in rows),
        "paper": sum(r["paper"] for r in rows),
    }
    total["voted"] = total["online"] + total["paper"]
    return {"rows": rows, "total": total}


def _round_context(request: HttpRequest, round_: Round, **forms) -> dict:
    revision = {"revision": round_.revision}
    rated = list(
        RatedPerson.objects.filter(round=round_)
        .select_related("person", "person__unit", "constituency")
        .order_by("constituency__code", "position", "pk")
    )
    preview = round_actions.electorate_preview(round_)
    constituency_ids = {r.constituency_id for r in rated} | {c for c, _n in preview}
    names = dict(
        Constituency.objects.filter(pk__in=[c for c in constituency_ids if c]).values_list("pk", "name")
    )
    electors = dict(preview)
    groups = [
        {"constituency": key, "rated": list(rows), "electors": electors.get(key[0] if key else None, 0)}
        for key, rows in groupby(
            rated,
            key=lambda r: (
                (r.constituency_id, r.constituency.code, r.constituency.name) if r.constituency else None
            ),
        )
    ]
    liaisons = list(
        Liaison.objects.filter(round=round_)
        .select_related("person", "constituency")
        .order_by("person__employee_no")
    )
    raters = (
        list(
            RaterGroupMember.objects.filter(round=round_)
            .select_related("person", "person__unit")
            .order_by("person__employee_no")
        )
        if round_.kind == RoundKind.APPRAISAL
        else []
    )
    to_rate = [r for r in rated if not r.exemption]
    return {
        "round": round_,
        "is_draft": round_.status == RoundStatus.DRAFT,
        "may_end_voting": round_.status == RoundStatus.OPEN and timezone.now() >= round_.closes_at,
        "unreconciled": (
            PaperBatch.objects.filter(round=round_).exclude(status=BatchStatus.RECONCILED).count()
            if round_.status == RoundStatus.COUNTING
            else 0
        ),
        "is_appraisal": round_.kind == RoundKind.APPRAISAL,
        "groups": groups,
        "rated_count": len(to_rate),
        "exempted_count": len(rated) - len(to_rate),
        "missing_reports": sum(1 for r in to_rate if r.report_published_at is None),
        "electorate": sum(electors.values()),
        "preview": [{"name": names.get(c, "") if c else "", "count": n} for c, n in preview],
        "participation": _participation(round_, names),
        "liaisons": liaisons,
        "raters": raters,
        "add_form": forms.get("add_form") or AddRatedForm(initial=revision),
        "exemption_form": ExemptionForm(initial=revision),
        "exemption_choices": EXEMPTION_CHOICES,
        "raters_form": forms.get("raters_form") or RatersForm(initial=revision),
        "liaison_form": forms.get("liaison_form") or LiaisonForm(initial=revision),
        "problem": forms.get("problem"),
    }


def _page(request: HttpRequest, round_: Round, status: int = 200, **forms) -> HttpResponse:
    # a form shown again carries the revision of the page it is now shown on (the round as it is now)
    for form in forms.values():
        if isinstance(form, RevisionForm) and form.is_bound:
            data = QueryDict(mutable=True)
            data.update(form.data)
            data["revision"] = str(round_.revision)
            form.data = data
    return render(
        request, "ratings/rounds/round.html", _round_context(request, round_, **forms), status=status
    )


def _refused(request: HttpRequest, round_: Round, exc: Exception, **forms) -> HttpResponse:
    message, code = _refusal(exc)
    round_.refresh_from_db()
    return _page(request, round_, status=400, problem={"message": message, "code": code}, **forms)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _get_round(request, pk))


def _revision(request: HttpRequest) -> int | None:
    form = RevisionForm(request.POST)
    return form.cleaned_data["revision"] if form.is_valid() else None


def _stale_or_missing(request: HttpRequest, round_: Round) -> HttpResponse | None:
    """A button's POST must carry the round's revision."""
    if _revision(request) is None:
        return _refused(request, round_, ballot_actions.stale())
    return None


def _round_button(request: HttpRequest, pk: int, act, done) -> HttpResponse:
    """A button of the round page: it carries the revision it was shown at; `act(actor, round_, revision)` is the
    action, `done(result)` the (level, message) to show after it."""
    round_ = _get_round(request, pk)
    refused = _stale_or_missing(request, round_)
    if refused:
        return refused
    try:
        result = act(_me(request), round_, _revision(request))
    except (ValidationError, AccessDenied) as exc:
        return _refused(request, round_, exc)
    level, text = done(result)
    messages.add_message(request, level, text)
    return redirect("ratings:round", pk=round_.pk)


@login_required
@require_POST
def round_populate(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_button(
        request,
        pk,
        lambda actor, r, rev: round_actions.populate_rated(actor=actor, round_=r, expected_revision=rev),
        lambda added: (
            (messages.SUCCESS, _("%(n)s representatives added from the constituencies.") % {"n": added})
            if added
            else (messages.INFO, _("Every representative of the constituencies is already rated."))
        ),
    )


@login_required
@require_POST
def round_add_rated(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round(request, pk)
    form = AddRatedForm(request.POST)
    if not form.is_valid():
        return _page(request, round_, status=400, add_form=form)
    try:
        rated = round_actions.add_rated(
            actor=_me(request),
            round_=round_,
            person=form.cleaned_data["employee_no"],
            constituency=form.cleaned_data["constituency"],
            expected_revision=form.cleaned_data["revision"],
        )
    except (ValidationError, AccessDenied) as exc:
        return _refused(request, round_, exc, add_form=form)
    messages.success(request, _("%(name)s is added to the people rated.") % {"name": rated.person.name})
    return redirect("ratings:round", pk=round_.pk)


@login_required
@require_POST
def rated_remove(request: HttpRequest, pk: int) -> HttpResponse:
    rated = _get_rated(request, pk)
    round_ = rated.round
    refused = _stale_or_missing(request, round_)
    if refused:
        return refused
    try:
        round_actions.remove_rated(actor=_me(request), rated=rated, expected_revision=_revision(request))
    except (ValidationError, AccessDenied) as exc:
        return _refused(request, round_, exc)
    messages.success(request, _("%(name)s is no longer rated in this round.") % {"name": rated.person.name})
    return redirect("ratings:round", pk=round_.pk)


@login_required
@require_POST
def rated_exemption(request: HttpRequest, pk: int) -> HttpResponse:
    rated = _get_rated(request, pk)
    round_ = rated.round
    form = ExemptionForm(request.POST)
    if not form.is_valid():
        problem = {
            "message": " ".join(str(e) for errors in form.errors.values() for e in errors),
            "code": "invalid",
        }
        if "exemption" in form.errors:
            problem["code"] = "exemption"
        return _page(request, round_, status=400, problem=problem)
    try:
        round_actions.set_exemption(
            actor=_me(request),
            rated=rated,
            exemption=form.cleaned_data["exemption"],
            note=form.cleaned_data["note"],
            expected_revision=form.cleaned_data["revision"],
        )
    except (ValidationError, AccessDenied) as exc:
        return _refused(request, round_, exc)
    messages.success(request, _("The exemption of %(name)s is saved.") % {"name": rated.person.name})
    return redirect("ratings:round", pk=round_.pk)


@login_required
@require_POST
def round_raters(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round(request, pk)
    form = RatersForm(request.POST)
    if not form.is_valid():
        return _page(request, round_, status=400, raters_form=form)
    present = list(
        Person.objects.filter(pk__in=RaterGroupMember.objects.filter(round=round_).values("person_id"))
    )
    try:
        size = round_actions.set_rater_group(
            actor=_me(request),
            round_=round_,
            people=present + form.cleaned_data["numbers"],
            expected_revision=form.cleaned_data["revision"],
        )
    except (ValidationError, AccessDenied) as exc:
        return _refused(request, round_, exc, raters_form=form)
    messages.success(request, _("The rater group has %(n)s people.") % {"n": size})
    return redirect("ratings:round", pk=round_.pk)


@login_required
@require_POST
def round_rater_remove(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    round_ = _get_round(request, pk)
    refused = _stale_or_missing(request, round_)
    if refused:
        return refused
    members = RaterGroupMember.objects.filter(round=round_)
    if not members.filter(person_id=person_pk).exists():
        raise Http404
    keep = Person.objects.filter(pk__in=members.exclude(person_id=person_pk).values("person_id"))
    try:
        size = round_actions.set_rater_group(
            actor=_me(request), round_=round_, people=keep, expected_revision=_revision(request)
        )
    except (ValidationError, AccessDenied) as exc:
        return _refused(request, round_, exc)
    messages.success(request, _("The rater group has %(n)s people.") % {"n": size})
    return redirect("ratings:round", pk=round_.pk)


@login_required
@require_POST
def round_liaison_add(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round(request, pk)
    form = LiaisonForm(request.POST)
    if not form.is_valid():
        return _page(request, round_, status=400, liaison_form=form)
    try:
        liaison = round_actions.add_liaison(
            actor=_me(request),
            round_=round_,
            person=form.cleaned_data["employee_no"],
            constituency=form.cleaned_data["constituency"],
            expected_revision=form.cleaned_data["revision"],
        )
    except (ValidationError, AccessDenied) as exc:
        return _refused(request, round_, exc, liaison_form=form)
    messages.success(request, _("%(name)s is a liaison of this round.") % {"name": liaison.person.name})
    return redirect("ratings:round", pk=round_.pk)


@login_required
@require_POST
def liaison_remove(request: HttpRequest, pk: int) -> HttpResponse:
    liaison = (
        Liaison.objects.filter(pk=pk, round__in=_managed_rounds(request.user))
        .select_related("round__unit", "person")
        .first()
    )
    if liaison is None:
        raise Http404
    round_ = liaison.round
    refused = _stale_or_missing(request, round_)
    if refused:
        return refused
    try:
        round_actions.remove_liaison(
            actor=_me(request), liaison=liaison, expected_revision=_revision(request)
        )
    except (ValidationError, AccessDenied) as exc:
        return _refused(request, round_, exc)
    messages.success(
        request, _("%(name)s is no longer a liaison of this round.") % {"name": liaison.person.name}
    )
    return redirect("ratings:round", pk=round_.pk)


@login_required
@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_button(
        request,
        pk,
        lambda actor, r, rev: round_actions.open_round(actor=actor, round_=r, expected_revision=rev),
        lambda opened: (
            messages.SUCCESS,
            _("The round is open: %(n)s raters may vote in the voting window.") % {"n": opened.electorate},
        ),
    )


@login_required
@require_POST
def round_end_voting(request: HttpRequest, pk: int) -> HttpResponse:
    """End the vote of an open round whose window is over (the worker does it too, at `closes_at`)."""
    return _round_button(
        request,
        pk,
        lambda actor, r, rev: ballot_actions.end_voting(actor=actor, round_=r, expected_revision=rev),
        lambda ended: (
            messages.SUCCESS,
            _("Voting has ended and the results are certified.")
            if ended.status == RoundStatus.CLOSED
            else _(
                "Voting has ended. Count the paper sheets in batches; certify the results once every batch is reconciled."
            ),
        ),
    )


@login_required
@require_POST
def round_certify(request: HttpRequest, pk: int) -> HttpResponse:
    """Count the round (online ballots and reconciled paper batches) and publish its results."""
    return _round_button(
        request,
        pk,
        lambda actor, r, rev: ballot_actions.certify(actor=actor, round_=r, expected_revision=rev),
        lambda _certified: (
            messages.SUCCESS,
            _("The results are certified and published to the round's unit."),
        ),
    )


# -------------------------------------------------------------------------------------------- duty reports


@login_required
def rated_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Write and publish the duty report of a person rated (while the round is a draft)."""
    rated = _get_rated(request, pk)
    round_ = rated.round
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        initial={"text": rated.report, "revision": round_.revision},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                round_actions.publish_report(
                    actor=_me(request),
                    rated=rated,
                    text=form.cleaned_data["text"],
                    upload=form.cleaned_data.get("file") or None,
                    expected_revision=form.cleaned_data["revision"],
                )
            except (ValidationError, AccessDenied) as exc:
                message, code = _refusal(exc)
                form.add_error(None, ValidationError(message, code=code))
            else:
                messages.success(
                    request, _("The duty report of %(name)s is published.") % {"name": rated.person.name}
                )
                return redirect("ratings:round", pk=round_.pk)
        status = 400
    context = {"rated": rated, "round": round_, "form": form, "is_draft": round_.status == RoundStatus.DRAFT}
    return render(request, "ratings/rounds/report.html", context, status=status)


@login_required
def rated_report_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file of a duty report: for the managers of the round and its raters (never as a public media URL)."""
    rated = RatedPerson.objects.filter(pk=pk).select_related("round__unit").first()
    if rated is None or not rated.report_file or rated.report_published_at is None:
        raise Http404
    round_ = rated.round
    manager = is_manager(request.user, round_)
    if not manager and not Elector.objects.filter(round=round_, person=_me(request)).exists():
        raise Http404
    if not default_storage.exists(rated.report_file):
        raise Http404
    content_type = (
        "application/pdf"
        if rated.report_file.endswith(".pdf")
        else ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    )
    response = FileResponse(
        default_storage.open(rated.report_file, "rb"),
        as_attachment=not rated.report_file.endswith(".pdf"),
        filename=rated.report_file_name or "report",
        content_type=content_type,
    )
    response["Cache-Control"] = "private, max-age=0"
    return response


urlpatterns = [
    path("rounds/", rounds, name="rounds"),
    path("rounds/new/", round_new, name="round_new"),
    path("rounds/<int:pk>/", round_detail, name="round"),
    path("rounds/<int:pk>/edit/", round_edit, name="round_edit"),
    path("rounds/<int:pk>/populate/", round_populate, name="round_populate"),
    path("rounds/<int:pk>/rated/", round_add_rated, name="round_add_rated"),
    path("rounds/<int:pk>/raters/", round_raters, name="round_raters"),
    path("rounds/<int:pk>/raters/<int:person_pk>/remove/", round_rater_remove, name="round_rater_remove"),
    path("rounds/<int:pk>/liaisons/", round_liaison_add, name="round_liaison_add"),
    path("rounds/<int:pk>/open/", round_open, name="round_open"),
    path("rounds/<int:pk>/end-voting/", round_end_voting, name="round_end_voting"),
    path("rounds/<int:pk>/certify/", round_certify, name="round_certify"),
    path("rated/<int:pk>/report/", rated_report, name="rated_report"),
    path("rated/<int:pk>/report/file/", rated_report_file, name="rated_report_file"),
    path("rated/<int:pk>/remove/", rated_remove, name="rated_remove"),
    path("rated/<int:pk>/exemption/", rated_exemption, name="rated_exemption"),
    path("liaisons/<int:pk>/remove/", liaison_remove, name="liaison_remove"),
]
