"""The rater's pages: my rounds, the ballot (duty reports and one rating per person on my list), the published
ballot trackers of a closed round (with a recount) and the check of one's own ballot by its tracker.

The ballot is secret over HTTP too: the answer to a cast ballot renders the receipt with the tracker directly
(no redirect, nothing put in the session, a message, a cookie, a URL, a notification or the ledger, and
`Cache-Control: no-store`). The tracker check is POST only, so a tracker never goes into a URL or a server log.
Trackers and their ratings are shown only once the round is closed (certified); before, the pages say when.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, OperationalError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.xlsx import FORMULA_STARTS

from . import ballot_actions
from .ballot_forms import FIELD_PREFIX, TrackerForm, choices_from_post
from .choices import BLANK, BatchStatus, Level, RoundStatus, levels_of
from .models import Ballot, BallotChoice, Elector, PaperBatch, Participation, RatedPerson, ResultLine, Round

TRACKERS_PAGE_SIZE = 100
BUSY_RETRIES = 3
CLOSED_PAGE_SIZE = 20

# refusals of `cast_ballot` and the HTTP status of the page that shows them
_STATUS_OF_CODE = {"not_elector": 403, "no_round": 404, "already_voted": 409}


def _private(response: HttpResponse) -> HttpResponse:
    """A page with a ballot on it (choices, tracker): kept by no cache, sent to no other site."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, " + response["Cache-Control"]
    # same-origin, not no-referrer: with no-referrer the browser sends "Origin: null" and CSRF refuses the form
    response["Referrer-Policy"] = "same-origin"
    return response


def _level_label(level: str) -> str:
    if level == BLANK:
        return _("Blank")
    try:
        return str(Level(level).label)
    except ValueError:
        return level


# ------------------------------------------------------------------------------------------------ access


def _me(request: HttpRequest) -> int:
    """The signed-in user's id (the views are behind login_required)."""
    pk = request.user.pk
    if pk is None:  # pragma: no cover
        raise Http404
    return int(pk)


def _round_for(request: HttpRequest, pk: int) -> tuple[Round, Elector | None]:
    """The round and the user's elector row; 404 for a round the user may not see (other units, drafts)."""
    round_ = Round.objects.select_related("unit").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    elector = Elector.objects.filter(round=round_, person_id=_me(request)).first()
    if elector is None:
        may_manage = ballot_actions.is_manager(request.user, round_)
        if round_.status == RoundStatus.DRAFT and not may_manage:
            raise Http404
        if not (may_manage or round_.unit.path in get_scope(request.user).home_paths):
            raise Http404
    return round_, elector


# ---------------------------------------------------------------------------------------------- my rounds


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My rounds as a rater: those I may vote in (voted or not), and the closed rounds of my units.

    A fixed number of queries whatever the number of rounds: the electorate rows of open and counting rounds
    with their round and whether I took part (one query), and a page of closed rounds (two).
    """
    me = _me(request)
    voted = Participation.objects.filter(round=OuterRef("round"), person_id=me)
    current = list(
        Elector.objects.filter(person_id=me, round__status__in=[RoundStatus.OPEN, RoundStatus.COUNTING])
        .select_related("round", "round__unit")
        .annotate(voted=Exists(voted))
        .order_by("round__closes_at", "round__pk")
    )
    now = timezone.now()
    for elector in current:
        r = elector.round
        elector.can_vote = (  # type: ignore[attr-defined]
            not elector.voted  # type: ignore[attr-defined]
            and r.status == RoundStatus.OPEN
            and r.opens_at <= now < r.closes_at
        )
        elector.not_yet = r.status == RoundStatus.OPEN and now < r.opens_at  # type: ignore[attr-defined]
    scope = get_scope(request.user)
    closed_rounds = (
        Round.objects.filter(status=RoundStatus.CLOSED)
        .filter(
            Q(unit__path__in=list(scope.home_paths))
            | Q(Exists(Elector.objects.filter(round=OuterRef("pk"), person_id=me)))
        )
        .select_related("unit")
        .annotate(voted=Exists(Participation.objects.filter(round=OuterRef("pk"), person_id=me)))
        .order_by("-closed_at", "-pk")
    )
    page = Paginator(closed_rounds, CLOSED_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "current": current,
        "page": page,
    }
    return render(request, "ratings/ballot/mine.html", context)


# ------------------------------------------------------------------------------------------------- ballot


def _ballot_state(round_: Round, elector: Elector | None, participation: Participation | None) -> str:
    if elector is None:
        return "not_elector"
    if participation is not None:
        return "voted"
    now = timezone.now()
    if round_.status == RoundStatus.DRAFT or (round_.status == RoundStatus.OPEN and now < round_.opens_at):
        return "not_yet"
    if round_.status != RoundStatus.OPEN or now >= round_.closes_at:
        return "ended"
    return "open"


def _ballot_page(
    request: HttpRequest,
    round_: Round,
    elector: Elector | None,
    *,
    chosen: dict[str, str] | None = None,
    error: ValidationError | None = None,
    status: int = 200,
) -> HttpResponse:
    participation = None
    if elector is not None:
        try:
            participation = Participation.objects.filter(round=round_, person_id=_me(request)).first()
        except DatabaseError:
            # still locked by a simultaneous submission (SQLite): show the ballot with the error
            if error is None:
                raise
    state = _ballot_state(round_, elector, participation)
    chosen = chosen or {}
    levels = [(level, _level_label(level)) for level in levels_of(round_.scale)]
    rows = []
    if elector is not None:
        for rated in ballot_actions.ballot_list(round_, elector.constituency_id):
            rows.append(
                {
                    "rated": rated,
                    "field": f"{FIELD_PREFIX}{rated.pk}",
                    "chosen": chosen.get(str(rated.pk), ""),
                    "file_url": reverse("ratings:rated_report_file", args=[rated.pk])
                    if rated.report_file
                    else None,
                }
            )
    context = {
        "round": round_,
        "elector": elector,
        "participation": participation,
        "state": state,
        "rows": rows,
        "levels": levels,
        "error": " ".join(error.messages) if error is not None else "",
        "error_code": (error.code or "") if error is not None else "",
    }
    return _private(render(request, "ratings/ballot/ballot.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the ballot with the duty reports. POST: cast it; the answer is the receipt with the tracker."""
    round_, elector = _round_for(request, pk)
    if request.method != "POST":
        return _ballot_page(request, round_, elector, status=200 if elector is not None else 403)
    chosen = choices_from_post(request.POST)
    tracker = None
    for attempt in range(BUSY_RETRIES + 1):
        try:
            tracker = ballot_actions.cast_ballot(actor=request.user, round_id=round_.pk, choices=chosen)
            break
        except ValidationError as exc:
            status = _STATUS_OF_CODE.get(str(exc.code), 400)
            return _ballot_page(request, round_, elector, chosen=chosen, error=exc, status=status)
        except AccessDenied:  # pragma: no cover - login_required lets only signed-in users through
            raise Http404 from None
        except OperationalError:
            # SQLite's "database is locked" when two submissions meet: the transaction wrote nothing; try again
            # (the second try usually finds the other submission's participation: "already voted")
            if attempt < BUSY_RETRIES:
                time.sleep(0.05 * (attempt + 1))
    if tracker is None:
        busy = ValidationError(
            _("The server is busy and your ballot was not recorded. Please cast it again."), code="busy"
        )
        return _ballot_page(request, round_, elector, chosen=chosen, error=busy, status=503)
    context = {
        "round": round_,
        "tracker": tracker,
        "trackers_url": reverse("ratings:trackers", args=[round_.pk]),
        "check_url": reverse("ratings:tracker_check", args=[round_.pk]),
    }
    return _private(render(request, "ratings/ballot/receipt.html", context))


# ----------------------------------------------------------------------------------------------- trackers


def _csv_text(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _rated_of(round_: Round) -> list[RatedPerson]:
    return list(
        RatedPerson.objects.filter(round=round_, exemption="")
        .select_related("person")
        .order_by("constituency_id", "position", "pk")
    )


def _trackers_csv(round_: Round, rated: list[RatedPerson]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-trackers-{round_.pk}.csv"'
    response.write("\ufeff")  # a BOM, so that spreadsheets read the Chinese names as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("Ballot tracker"), *(_csv_text(f"{r.person.name} ({r.person.employee_no})") for r in rated)]
    )
    ids = [r.pk for r in rated]
    trackers = list(Ballot.objects.filter(round=round_).order_by("tracker").values_list("pk", "tracker"))
    for start in range(0, len(trackers), 2000):
        chunk = trackers[start : start + 2000]
        levels: dict = defaultdict(dict)
        for ballot_id, rated_id, level in BallotChoice.objects.filter(
            ballot_id__in=[pk for pk, _t in chunk]
        ).values_list("ballot_id", "rated_id", "level"):
            levels[ballot_id][rated_id] = level
        for ballot_id, tracker in chunk:
            writer.writerow([tracker, *(levels[ballot_id].get(i, "") for i in ids)])
    return response


def _paper_batches(round_: Round, rated_ids: list[int], level_keys: list[str]) -> list[dict]:
    """The reconciled paper batches with the counts of their current entries, in the order of the rated."""
    batches = (
        PaperBatch.objects.filter(round=round_, status=BatchStatus.RECONCILED)
        .select_related("constituency")
        .prefetch_related("entries")
        .order_by("constituency_id", "number")
    )
    found = []
    for batch in batches:
        entries = [e for e in batch.entries.all() if not e.superseded]
        entries.sort(key=lambda e: e.entry_no)
        agree = len(entries) == 2 and all(
            ballot_actions.batch_digest(e.counts, e.invalid_sheets) == batch.counts_digest for e in entries
        )
        counts = entries[0].counts if entries else {}
        lines = {int(k): {lv: int(n) for lv, n in v.items()} for k, v in counts.items() if str(k).isdigit()}
        found.append(
            {
                "batch": batch,
                "agree": agree,
                "invalid": entries[0].invalid_sheets if entries else 0,
                "counts": lines,
                "rows": [(rid, [lines.get(rid, {}).get(lv, 0) for lv in level_keys]) for rid in rated_ids],
            }
        )
    return found


@login_required
def trackers(request: HttpRequest, pk: int) -> HttpResponse:
    """Every online ballot's tracker with its ratings, and the reconciled paper batches: after the close only."""
    round_, _elector = _round_for(request, pk)
    if round_.status != RoundStatus.CLOSED:
        return render(request, "ratings/ballot/trackers.html", {"round": round_, "published": False})
    rated = _rated_of(round_)
    if request.GET.get("format") == "csv":
        return _trackers_csv(round_, rated)
    level_keys = [*levels_of(round_.scale), BLANK]
    names = {r.pk: r for r in rated}
    page = Paginator(
        Ballot.objects.filter(round=round_).order_by("tracker").only("id", "tracker"), TRACKERS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    on_page = list(page.object_list)
    ratings: dict = defaultdict(dict)
    for ballot_id, rated_id, level in BallotChoice.objects.filter(ballot__in=on_page).values_list(
        "ballot_id", "rated_id", "level"
    ):
        ratings[ballot_id][rated_id] = level
    ballots = [
        {
            "tracker": b.tracker,
            "ratings": [
                (names[rid], _level_label(ratings[b.pk][rid])) for rid in names if rid in ratings[b.pk]
            ],
        }
        for b in on_page
    ]
    # the recount: every online rating (not only this page) plus the reconciled paper batches
    recount: dict[int, dict[str, int]] = {r.pk: defaultdict(int) for r in rated}
    for rated_id, level, n in (
        BallotChoice.objects.filter(ballot__round=round_)
        .values("rated_id", "level")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("rated_id", "level", "n")
    ):
        recount.setdefault(rated_id, defaultdict(int))[level] += n
    batches = _paper_batches(round_, list(names), level_keys)
    for b in batches:
        for rid, levels in b["counts"].items():
            for level, n in levels.items():
                recount.setdefault(rid, defaultdict(int))[level] += n
    results = {line.rated_id: line.counts for line in ResultLine.objects.filter(round=round_)}
    recount_rows = []
    all_match = True
    for r in rated:
        counts = {k: v for k, v in recount.get(r.pk, {}).items() if v}
        certified = {k: int(v) for k, v in (results.get(r.pk) or {}).items() if v}
        match = counts == certified
        all_match = all_match and match
        recount_rows.append(
            {
                "rated": r,
                "cells": [counts.get(lv, 0) for lv in level_keys],
                "total": sum(n for lv, n in counts.items() if lv != BLANK),
                "match": match,
            }
        )
    context = {
        "round": round_,
        "published": True,
        "page": page,
        "ballots": ballots,
        "level_heads": [_level_label(lv) for lv in level_keys],
        "recount_rows": recount_rows,
        "all_match": all_match,
        "ballots_online": page.paginator.count,
        "sheets_paper": sum(b["batch"].sheets for b in batches),
        "batches": [b | {"rows": [(names[rid], cells) for rid, cells in b["rows"]]} for b in batches],
    }
    return render(request, "ratings/ballot/trackers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def tracker_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Type a tracker (POST only: it never goes into a URL), see the ballot as it was counted."""
    round_, _elector = _round_for(request, pk)
    published = round_.status == RoundStatus.CLOSED
    form = TrackerForm(request.POST if request.method == "POST" and published else None)
    context: dict = {"round": round_, "published": published, "form": form, "looked_up": False}
    if published and request.method == "POST" and form.is_valid():
        tracker = form.cleaned_data["tracker"]
        found = Ballot.objects.filter(round=round_, tracker=tracker).first()
        context["looked_up"] = True
        context["tracker"] = tracker
        if found is not None:
            rated = {r.pk: r for r in _rated_of(round_)}
            context["ratings"] = [
                (rated.get(rated_id), _level_label(level))
                for rated_id, level in BallotChoice.objects.filter(ballot=found)
                .order_by("rated__constituency_id", "rated__position", "rated_id")
                .values_list("rated_id", "level")
            ]
            context["found"] = True
    return _private(render(request, "ratings/ballot/tracker_check.html", context))


urlpatterns = [
    path("", mine, name="mine"),
    path("<int:pk>/ballot/", ballot, name="ballot"),
    path("<int:pk>/trackers/", trackers, name="trackers"),
    path("<int:pk>/tracker-check/", tracker_check, name="tracker_check"),
]
