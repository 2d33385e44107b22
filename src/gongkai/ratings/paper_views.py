"""Pages of the paper ballots of a round (see `paper_actions` for the rules).

- `paper` — the paper page of a round: per constituency the electors, who voted online or received a sheet, the
  sheets printed and counted; printing sheets; the batches and a form to open one.
- `sheets_pdf` — prints new numbered sheets (POST; a GET with ?constituency=<id>&count=<n> shows the form
  filled in, so that a link never prints by itself) and returns the PDF.
- `roster` — the electors of a constituency (?constituency=<id>): tick who received a sheet.
- `batch` — a batch: its entries side by side with the differences highlighted, the entry form, setting an
  entry aside.

Only the round's liaisons (of the constituency, or of the whole round) and its union / leading group see these
pages; anyone else gets 404. While a batch has a single entry its counts are not shown, so that the second entry
is made independently. Views write only through `paper_actions`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongkai.core.access import AccessDenied
from gongkai.org.models import Constituency, Person

from . import ballot_actions, paper_actions
from .ballot_actions import ballot_list
from .choices import BLANK, BatchStatus, Channel, Level, RoundStatus, levels_of
from .models import Elector, PaperBatch, PaperEntry, Participation, Round
from .paper_forms import BatchForm, EntryForm, HandOutForm, PrintForm


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _round(request: HttpRequest, pk: int) -> tuple[Round, list[int | None] | None]:
    """The round, if the user does paper work in it (else 404), and the constituencies they may work on."""
    round_ = Round.objects.select_related("unit").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    allowed = paper_actions.paper_constituencies(request.user, round_)
    if allowed == []:
        raise Http404
    return round_, allowed


def _constituencies(round_: Round, allowed: list[int | None] | None) -> list[Constituency | None]:
    found = paper_actions.round_constituencies(round_)
    return [c for c in found if allowed is None or (c.pk if c is not None else None) in allowed]


def _key(c: Constituency | None) -> int | None:
    return c.pk if c is not None else None


# ----------------------------------------------------------------------------------------------- the page


def _paper_context(request, round_, allowed, **extra) -> dict:
    constituencies = _constituencies(round_, allowed)
    summary = paper_actions.paper_summary(round_, [_key(c) for c in constituencies])
    rows = [(c, summary[_key(c)]) for c in constituencies]
    ids = [_key(c) for c in constituencies]
    batches = (
        PaperBatch.objects.filter(round=round_)
        .select_related("constituency", "created_by")
        .order_by("constituency__code", "number")
    )
    if allowed is not None:
        batches = batches.filter(constituency_id__in=[c for c in ids if c is not None])
    return {
        "round": round_,
        "rows": rows,
        "batches": list(batches) if ids else [],
        "print_form": extra.pop("print_form", None) or PrintForm(constituencies=constituencies),
        "batch_form": extra.pop("batch_form", None) or BatchForm(constituencies=constituencies),
        "can_print": round_.status in (RoundStatus.DRAFT, RoundStatus.OPEN),
        "can_batch": round_.status == RoundStatus.COUNTING,
        "is_manager": ballot_actions.is_manager(request.user, round_),
        **extra,
    }


@login_required
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    round_, allowed = _round(request, pk)
    return render(request, "ratings/paper/index.html", _paper_context(request, round_, allowed))


@login_required
def sheets_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    round_, allowed = _round(request, pk)
    constituencies = _constituencies(round_, allowed)
    if request.method != "POST":
        initial = {k: request.GET[k] for k in ("constituency", "count") if k in request.GET}
        form = PrintForm(initial=initial, constituencies=constituencies)
        return render(request, "ratings/paper/print.html", {"round": round_, "form": form})
    form = PrintForm(request.POST, constituencies=constituencies)
    if form.is_valid():
        try:
            printed, pdf = paper_actions.print_sheets(
                actor=request.user,
                round_=round_,
                constituency=form.cleaned_data["constituency"],
                count=form.cleaned_data["count"],
            )
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            name = f"sheets-{round_.pk}-{printed.first:06d}-{printed.last:06d}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "ratings/paper/print.html", {"round": round_, "form": form}, status=400)


@login_required
@require_POST
def batch_new(request: HttpRequest, pk: int) -> HttpResponse:
    round_, allowed = _round(request, pk)
    form = BatchForm(request.POST, constituencies=_constituencies(round_, allowed))
    if form.is_valid():
        try:
            batch = paper_actions.create_batch(actor=request.user, round_=round_, **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, _("Batch %(number)s is open: enter its counts.") % {"number": batch.number}
            )
            return redirect("ratings:batch", pk=batch.pk)
    context = _paper_context(request, round_, allowed, batch_form=form)
    return render(request, "ratings/paper/index.html", context, status=400)


# ------------------------------------------------------------------------------------------------- roster


@login_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    round_, allowed = _round(request, pk)
    constituencies = _constituencies(round_, allowed)
    chosen = request.POST.get("constituency") if request.method == "POST" else request.GET.get("constituency")
    by_key = {("" if c is None else str(c.pk)): c for c in constituencies}
    if chosen is None and len(constituencies) == 1:
        chosen = next(iter(by_key))
    if chosen not in by_key:
        raise Http404
    constituency = by_key[chosen]
    electors = list(
        Elector.objects.filter(round=round_, **paper_actions.of_list(round_, _key(constituency)))
        .select_related("person", "person__unit")
        .order_by("person__employee_no")
    )
    voted = dict(
        Participation.objects.filter(
            round=round_, **paper_actions.of_list(round_, _key(constituency))
        ).values_list("person_id", "channel")
    )
    # people who left since the round opened get no sheet (`hand_out_sheets` refuses them)
    open_ids = [e.person_id for e in electors if e.person_id not in voted and e.person.is_active]
    form = HandOutForm(request.POST or None, person_ids=open_ids)
    if request.method == "POST" and form.is_valid():
        people = Person.objects.filter(pk__in=form.cleaned_data["people"])
        try:
            n = paper_actions.hand_out_sheets(actor=request.user, round_=round_, people=people)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, _("%(count)s people are marked as having received a sheet.") % {"count": n}
            )
            return redirect(f"{reverse('ratings:roster', args=[round_.pk])}?constituency={chosen}")
    rows = [(e, voted.get(e.person_id, "")) for e in electors]
    context = {
        "round": round_,
        "constituency": constituency,
        "chosen": chosen,
        "constituencies": constituencies,
        "rows": rows,
        "form": form,
        "online": sum(1 for v in voted.values() if v == Channel.ONLINE),
        "paper": sum(1 for v in voted.values() if v == Channel.PAPER),
        "can_hand_out": round_.status == RoundStatus.OPEN,
        "ONLINE": Channel.ONLINE,
        "PAPER": Channel.PAPER,
    }
    return render(request, "ratings/paper/roster.html", context, status=400 if form.errors else 200)


# -------------------------------------------------------------------------------------------------- batch


def _batch(request: HttpRequest, pk: int) -> PaperBatch:
    batch = PaperBatch.objects.select_related("round", "round__unit", "constituency").filter(pk=pk).first()
    if batch is None or not paper_actions.may_do_paper(request.user, batch.round, batch.constituency_id):
        raise Http404
    return batch


def _comparison(batch: PaperBatch, people, columns, current: list[PaperEntry]) -> dict | None:
    """Both current entries side by side; None while there is only one (its counts stay hidden)."""
    if len(current) != 2:
        return None
    first, second = current
    rows = []
    for rated in people:
        a = first.counts.get(str(rated.pk), {})
        b = second.counts.get(str(rated.pk), {})
        rows.append(
            (rated, [(a.get(level), b.get(level), a.get(level) != b.get(level)) for level in columns])
        )
    return {
        "first": first,
        "second": second,
        "rows": rows,
        "invalid": (
            first.invalid_sheets,
            second.invalid_sheets,
            first.invalid_sheets != second.invalid_sheets,
        ),
        "differences": len(paper_actions.differences(first, second)),
    }


def _batch_context(request, batch: PaperBatch, form: EntryForm | None = None) -> dict:
    round_ = batch.round
    people = ballot_list(round_, batch.constituency_id)
    columns = [*levels_of(round_.scale), BLANK]
    labels = [_("Blank") if c == BLANK else Level(c).label for c in columns]
    entries = list(batch.entries.select_related("entered_by").order_by("entered_at", "pk"))
    current = sorted((e for e in entries if not e.superseded), key=lambda e: e.entry_no)
    is_manager = ballot_actions.is_manager(request.user, round_)
    open_for_entries = batch.status != BatchStatus.RECONCILED and round_.status in (
        RoundStatus.OPEN,
        RoundStatus.COUNTING,
    )
    may_enter = (
        open_for_entries and len(current) < 2 and all(e.entered_by_id != request.user.pk for e in current)
    )
    if may_enter and form is None:
        form = EntryForm(round_=round_, people=people)
    return {
        "round": round_,
        "batch": batch,
        "labels": labels,
        "entries": entries,
        "current": current,
        "comparison": _comparison(batch, people, columns, current),
        "form": form if may_enter else None,
        "may_redo": {
            e.pk for e in current if open_for_entries and (e.entered_by_id == request.user.pk or is_manager)
        },
        "RECONCILED": BatchStatus.RECONCILED,
        "MISMATCH": BatchStatus.MISMATCH,
    }


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    the_batch = _batch(request, pk)
    if request.method != "POST":
        return render(request, "ratings/paper/batch.html", _batch_context(request, the_batch))
    people = ballot_list(the_batch.round, the_batch.constituency_id)
    form = EntryForm(request.POST, round_=the_batch.round, people=people)
    if form.is_valid():
        try:
            entry = paper_actions.enter_batch(
                actor=request.user,
                batch=the_batch,
                counts=form.counts(),
                invalid_sheets=form.cleaned_data["invalid_sheets"],
            )
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            the_batch.refresh_from_db()
            if the_batch.status == BatchStatus.RECONCILED:
                messages.success(
                    request, _("Both entries agree: the batch is reconciled and will be counted.")
                )
            elif the_batch.status == BatchStatus.MISMATCH:
                messages.warning(
                    request, _("The two entries disagree: count the sheets again and correct one.")
                )
            else:
                messages.success(
                    request,
                    _("Entry %(no)s is saved. Someone else makes the other entry.") % {"no": entry.entry_no},
                )
            return redirect("ratings:batch", pk=the_batch.pk)
    context = _batch_context(request, the_batch, form=form)
    if context["form"] is None:  # no longer enterable (e.g. reconciled meanwhile): say why
        messages.error(
            request,
            " ".join(str(e) for errors in form.errors.values() for e in errors) or _("Nothing was saved."),
        )
    return render(request, "ratings/paper/batch.html", context, status=400)


@login_required
@require_POST
def entry_redo(request: HttpRequest, pk: int) -> HttpResponse:
    entry = PaperEntry.objects.filter(pk=pk).first()
    if entry is None:
        raise Http404
    the_batch = _batch(request, entry.batch_id)
    try:
        paper_actions.redo_entry(actor=request.user, entry=entry)
    except (ValidationError, AccessDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Entry %(no)s is set aside: enter it again.") % {"no": entry.entry_no})
    return redirect("ratings:batch", pk=the_batch.pk)


urlpatterns = [
    path("<int:pk>/paper/", paper, name="paper"),
    path("<int:pk>/paper/sheets.pdf", sheets_pdf, name="sheets_pdf"),
    path("<int:pk>/paper/roster/", roster, name="roster"),
    path("<int:pk>/paper/batches/new/", batch_new, name="paper_batch_new"),
    path("paper/batches/<int:pk>/", batch, name="batch"),
    path("paper/entries/<int:pk>/redo/", entry_redo, name="paper_entry_redo"),
]
