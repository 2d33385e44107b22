"""Paper ballots: many miners vote on a numbered paper sheet rather than online.

Who: the round's liaisons (a `Liaison` row for the constituency, or one with constituency empty for every
constituency of the round) and the union / leading group of the round's unit (or an ancestor).

The rules:

- **Printing.** Sheets are printed per constituency (a democratic appraisal has one list: constituency empty).
  Each print is a `SheetPrint` row whose numbers continue after the last number printed for that constituency,
  so a sheet number is never printed twice. Printing is possible while the round is being prepared or open.
  A sheet carries the round, the constituency, its number, the instructions and the list; nothing identifying
  the voter (handing out does not record which number went to whom).
- **Handing out.** On the roster (the electors of a constituency, showing who already voted online or got a
  sheet) the liaison marks who received a sheet. That writes their `Participation` with channel "paper"; its
  unique constraint (one participation per rater and round) means someone who voted online cannot get a sheet,
  and someone who got a sheet cannot vote online. Refusals name the people and write nothing (all or nothing).
  Only while the round is open and before voting closes.
- **Batches.** Filled-in sheets are counted in batches of one constituency, once voting has ended (the round is
  counting): no partial result exists while people still vote, and a batch cannot hold the sheets of the few who
  had received one so far (the ledger says when each sheet was handed out). The sheet numbers of a batch are written like "1-40, 43, 45-50" and checked strictly: every number
  must have been printed for that constituency and may not be in another batch of the round; the number of
  sheets is how many numbers there are. All batches of a constituency together may not hold more sheets than
  the raters of that constituency who received one.
- **Entries.** Each batch is entered twice, independently, by two different people: for every person on the
  constituency's list, how many sheets have each level of the scale and how many leave the person blank (a
  sheet with more than one tick for a person counts as blank for that person); minus the invalid sheets, each
  person's counts add up to the sheets of the batch. When both entries exist they are compared: equal, the batch
  is reconciled (its counts digest is stored, see `ballot_actions.batch_digest`, and only then does it count);
  different, the batch is marked as a mismatch and the differing cells are shown side by side: nothing is ever
  resolved silently. `redo_entry` sets one entry aside (by its author or a manager) so it can be entered again.
  A reconciled batch is frozen.

Every action runs in one transaction and records a ledger entry; a refusal writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import AccessDenied
from gongkai.org.models import Constituency, Person

from . import ballot_actions
from .ballot_actions import ballot_list, batch_digest, is_manager
from .choices import BLANK, BatchStatus, Channel, RoundKind, RoundStatus, levels_of
from .models import (
    Elector,
    Liaison,
    PaperBatch,
    PaperEntry,
    Participation,
    RatedPerson,
    Round,
    SheetPrint,
)
from .paper_numbers import (
    BATCH_MAX,
    SHEET_NUMBER_MAX,
    SHEET_NUMBERS_MAX,
    format_sheet_numbers,
    parse_sheet_numbers,
)

PRINT_MAX = 5000  # sheets in one print
HAND_OUT_MAX = 2000  # people marked at once


def of_constituency(constituency_id: int | None) -> dict:
    """A filter for rows of a constituency, or of the round's single list (constituency empty)."""
    return {"constituency__isnull": True} if constituency_id is None else {"constituency_id": constituency_id}


def of_list(round_: Round, constituency_id: int | None) -> dict:
    """A filter for the electors / participations of a list: a democratic appraisal has one list for all its
    raters, whatever constituency they belong to."""
    return of_constituency(constituency_id) if round_.kind == RoundKind.DUTY_RATING else {}


def list_key(round_: Round, constituency_id: int | None) -> int | None:
    """The list (constituency, or None for an appraisal) an elector or participation belongs to."""
    return constituency_id if round_.kind == RoundKind.DUTY_RATING else None


# ------------------------------------------------------------------------------------------------- access


def paper_constituencies(user, round_: Round) -> list[int | None] | None:
    """The constituencies whose paper work `user` may do in the round: None = all (a manager or a liaison of the
    whole round), [] = none, else the listed constituency ids."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if is_manager(user, round_):
        return None
    mine: list[int | None] = list(
        Liaison.objects.filter(round=round_, person_id=user.pk).values_list("constituency_id", flat=True)
    )
    if None in mine:
        return None
    return mine


def may_do_paper(user, round_: Round, constituency_id: int | None = None, *, any_constituency=False) -> bool:
    allowed = paper_constituencies(user, round_)
    if allowed is None:
        return True
    if any_constituency:
        return bool(allowed)
    return constituency_id in allowed


def _require_paper(actor, round_: Round, constituency_id: int | None) -> None:
    if not may_do_paper(actor, round_, constituency_id):
        raise AccessDenied("liaison")


def round_constituencies(round_: Round) -> list[Constituency | None]:
    """The constituencies that have a list in this round (appraisal: the one list, None)."""
    if round_.kind != RoundKind.DUTY_RATING:
        return [None]
    ids = set(
        RatedPerson.objects.filter(round=round_, constituency__isnull=False).values_list(
            "constituency_id", flat=True
        )
    )
    return list(Constituency.objects.filter(pk__in=ids).order_by("code"))


def _check_constituency(round_: Round, constituency: Constituency | None) -> int | None:
    if round_.kind != RoundKind.DUTY_RATING:
        if constituency is not None:
            raise ValidationError(
                _("A democratic appraisal has one list for everyone: choose no constituency."),
                code="constituency",
            )
        return None
    if (
        constituency is None
        or not RatedPerson.objects.filter(round=round_, constituency=constituency).exists()
    ):
        raise ValidationError(
            _("Choose a constituency whose representatives are rated in this round."), code="constituency"
        )
    return constituency.pk


def _lock_round(round_: Round) -> Round:
    return Round.objects.select_for_update(of=("self",)).select_related("unit").get(pk=round_.pk)


def _label(constituency: Constituency | None) -> str:
    return constituency.name if constituency is not None else _("all raters")


# ------------------------------------------------------------------------------------------------ print


def print_sheets(
    *, actor, round_: Round, constituency: Constituency | None, count: int
) -> tuple[SheetPrint, bytes]:
    """Number `count` new sheets for a constituency and render them (one A4 page each). Returns the print and
    the PDF. The numbers are recorded in one short transaction; the PDF is rendered after it (the font is loaded
    first, so a missing font refuses before anything is written)."""
    from . import paper_pdf

    font = paper_pdf.font_name()  # a missing font fails here, before anything is written
    with transaction.atomic():
        round_ = _lock_round(round_)
        _require_paper(actor, round_, constituency.pk if constituency is not None else None)
        if round_.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
            raise ValidationError(
                _("Sheets can be printed only while the round is being prepared or open."),
                code="not_printable",
            )
        constituency_id = _check_constituency(round_, constituency)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= PRINT_MAX:
            raise ValidationError(
                _("Print between 1 and %(max)s sheets at a time.") % {"max": PRINT_MAX}, code="count"
            )
        last = SheetPrint.objects.filter(round=round_, **of_constituency(constituency_id)).aggregate(
            m=Max("last")
        )["m"]
        first = (last or 0) + 1
        if first + count - 1 > SHEET_NUMBER_MAX:
            raise ValidationError(_("No more sheet numbers are left for this constituency."), code="count")
        people = ballot_list(round_, constituency_id)
        if not people:
            raise ValidationError(_("No one is on this list: there is nothing to print."), code="empty_list")
        printed = SheetPrint.objects.create(
            round=round_,
            constituency_id=constituency_id,
            first=first,
            last=first + count - 1,
            printed_by=actor,
        )
        ledger.record(
            "ratings.print_sheets",
            printed,
            actor=actor,
            change={
                "round": round_.pk,
                "constituency": constituency_id,
                "first": first,
                "last": printed.last,
            },
        )
    pdf = paper_pdf.render_sheets(
        round_=round_,
        constituency=constituency,
        first=printed.first,
        last=printed.last,
        people=people,
        font=font,
    )
    return printed, pdf


# -------------------------------------------------------------------------------------------- hand out


def _names(people: Iterable) -> str:
    return "、".join(f"{p.name} ({p.employee_no})" for p in people)


def hand_out_sheets(*, actor, round_: Round, people: Iterable[Person]) -> int:
    """Record that these electors received a paper sheet (their participation, channel paper). All or nothing."""
    chosen = list({p.pk: p for p in people}.values())
    if not chosen:
        raise ValidationError(_("Mark at least one person who received a sheet."), code="nobody")
    if len(chosen) > HAND_OUT_MAX:
        raise ValidationError(
            _("Mark at most %(max)s people at once.") % {"max": HAND_OUT_MAX}, code="too_many"
        )
    with transaction.atomic():
        if connection.vendor == "postgresql":  # like a voter: many at once, but not while the vote is ending
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM ratings_round WHERE id = %s FOR SHARE", [round_.pk])
        round_ = Round.objects.select_related("unit").get(pk=round_.pk)
        allowed = paper_constituencies(actor, round_)
        if allowed == []:
            raise AccessDenied("liaison")
        now = timezone.now()
        if round_.status != RoundStatus.OPEN or now < round_.opens_at or now >= round_.closes_at:
            raise ValidationError(_("Sheets can be handed out only while voting is open."), code="not_open")
        electors = {
            e.person_id: e
            for e in Elector.objects.filter(
                round=round_, person_id__in=[p.pk for p in chosen]
            ).select_related("person")
        }
        strangers = [p for p in chosen if p.pk not in electors]
        if strangers:
            raise ValidationError(
                _("These people are not raters in this round; nothing was recorded: %(names)s.")
                % {"names": _names(strangers)},
                code="not_elector",
            )
        # a rater who left since the round opened cannot sign in to vote; nobody may take a sheet in their name
        inactive = [electors[p.pk].person for p in chosen if not electors[p.pk].person.is_active]
        if inactive:
            raise ValidationError(
                _(
                    "These people are no longer active and cannot receive a sheet; nothing was recorded: %(names)s."
                )
                % {"names": _names(inactive)},
                code="inactive",
            )
        if allowed is not None and any(
            list_key(round_, electors[p.pk].constituency_id) not in allowed for p in chosen
        ):
            raise AccessDenied("liaison")
        refused = []
        for p in chosen:
            try:
                with transaction.atomic():
                    Participation.objects.create(
                        round=round_,
                        person_id=p.pk,
                        constituency_id=electors[p.pk].constituency_id,
                        channel=Channel.PAPER,
                    )
            except IntegrityError:
                refused.append(p)
        if refused:
            raise ValidationError(
                _(
                    "These people have already voted online or already received a sheet; nobody was marked: "
                    "%(names)s."
                )
                % {"names": _names(refused)},
                code="already_voted",
            )
        ledger.record(
            "ratings.hand_out_sheets",
            round_,
            actor=actor,
            change={"people": sorted(p.pk for p in chosen)},
        )
    return len(chosen)


# ------------------------------------------------------------------------------------------------ batches


def _printed_ranges(round_: Round, constituency_id: int | None) -> list[tuple[int, int]]:
    return list(
        SheetPrint.objects.filter(round=round_, **of_constituency(constituency_id))
        .order_by("first")
        .values_list("first", "last")
    )


def create_batch(
    *, actor, round_: Round, constituency: Constituency | None, number: int | None, sheet_numbers: str
) -> PaperBatch:
    """Open a batch of filled-in sheets of a constituency (number None: the next free number)."""
    with transaction.atomic():
        round_ = _lock_round(round_)
        constituency_id = constituency.pk if constituency is not None else None
        _require_paper(actor, round_, constituency_id)
        if round_.status != RoundStatus.COUNTING:
            raise ValidationError(
                _(
                    "Paper sheets are counted once voting has ended: counts made while people still vote would "
                    "show results early, and a batch could hold the sheets of the few who had one so far."
                )
                if round_.status in (RoundStatus.DRAFT, RoundStatus.OPEN)
                else _("The paper count of this round is over."),
                code="not_counting",
            )
        constituency_id = _check_constituency(round_, constituency)
        others = PaperBatch.objects.filter(round=round_, **of_constituency(constituency_id))
        if number is None:
            number = (others.aggregate(m=Max("number"))["m"] or 0) + 1
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 1_000_000:
            raise ValidationError(_("A batch number is a whole number from 1."), code="batch_number")
        if others.filter(number=number).exists():
            raise ValidationError(
                _("Batch %(number)s already exists for %(where)s.")
                % {"number": number, "where": _label(constituency)},
                code="batch_number_taken",
            )
        numbers = parse_sheet_numbers(sheet_numbers)
        ranges = _printed_ranges(round_, constituency_id)
        unprinted = [n for n in numbers if not any(a <= n <= b for a, b in ranges)]
        if unprinted:
            raise ValidationError(
                _("These sheets were never printed for %(where)s: %(numbers)s.")
                % {"where": _label(constituency), "numbers": format_sheet_numbers(unprinted)},
                code="not_printed",
            )
        wanted = set(numbers)
        for other in others.order_by("number"):
            reused = wanted.intersection(parse_sheet_numbers(other.sheet_numbers, limit=BATCH_MAX * 10))
            if reused:
                raise ValidationError(
                    _("These sheets are already in batch %(batch)s: %(numbers)s.")
                    % {"batch": other.number, "numbers": format_sheet_numbers(reused)},
                    code="sheet_in_other_batch",
                )
        already = others.aggregate(s=Sum("sheets"))["s"] or 0
        received = Participation.objects.filter(
            round=round_, **of_list(round_, constituency_id), channel=Channel.PAPER
        ).count()
        if already + len(numbers) > received:
            raise ValidationError(
                _(
                    "More paper sheets than raters who received one: %(received)s people of %(where)s received a "
                    "sheet, and the batches would hold %(sheets)s."
                )
                % {"received": received, "where": _label(constituency), "sheets": already + len(numbers)},
                code="more_sheets_than_raters",
            )
        text = format_sheet_numbers(numbers)
        if len(text) > SHEET_NUMBERS_MAX:
            raise ValidationError(
                _("Too many separate sheet numbers for one batch; split the pile."), code="batch_too_large"
            )
        try:
            with transaction.atomic():
                batch = PaperBatch.objects.create(
                    round=round_,
                    constituency_id=constituency_id,
                    number=number,
                    sheet_numbers=text,
                    sheets=len(numbers),
                    created_by=actor,
                )
        except IntegrityError:
            raise ValidationError(
                _("Batch %(number)s already exists for %(where)s.")
                % {"number": number, "where": _label(constituency)},
                code="batch_number_taken",
            ) from None
        ledger.record(
            "ratings.create_batch",
            batch,
            actor=actor,
            change={"round": round_.pk, "constituency": constituency_id, "number": number, "sheets": text},
        )
    return batch


# ------------------------------------------------------------------------------------------------ entries


def _lock_batch(batch: PaperBatch) -> tuple[PaperBatch, Round]:
    batch = PaperBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
    round_ = Round.objects.select_related("unit").get(pk=batch.round_id)
    return batch, round_


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,9}", value.strip()):
        return int(value)
    return None


def normalise_counts(round_: Round, batch: PaperBatch, counts: Mapping, invalid_sheets) -> tuple[dict, int]:
    """Check an entry: every person of the list, every level and "blank", whole numbers that add up."""
    people = ballot_list(round_, batch.constituency_id)
    expected = {str(r.pk): r for r in people}
    if not isinstance(counts, Mapping):
        raise ValidationError(_("The counts could not be read; nothing was recorded."), code="counts")
    given = {str(k): v for k, v in counts.items()}
    foreign = sorted(set(given) - set(expected))
    if foreign:
        raise ValidationError(
            _("The counts name someone who is not on this list; nothing was recorded."), code="not_on_list"
        )
    missing = [r for k, r in expected.items() if k not in given]
    if missing:
        raise ValidationError(
            _("Enter the counts of every person on the list; missing: %(names)s.")
            % {"names": "、".join(r.person.name for r in missing)},
            code="missing_person",
        )
    invalid = _whole(invalid_sheets)
    if invalid is None or invalid < 0:
        raise ValidationError(_("Invalid sheets are a whole number, 0 or more."), code="invalid_sheets")
    if invalid > batch.sheets:
        raise ValidationError(
            _("The batch has %(sheets)s sheets; it cannot have %(invalid)s invalid ones.")
            % {"sheets": batch.sheets, "invalid": invalid},
            code="invalid_sheets",
        )
    columns = [*levels_of(round_.scale), BLANK]
    valid = batch.sheets - invalid
    result: dict[str, dict[str, int]] = {}
    for key, rated in expected.items():
        row = given[key]
        if not isinstance(row, Mapping) or set(map(str, row)) != set(columns):
            raise ValidationError(
                _("For %(name)s, enter a count for each level and for blank, and nothing else.")
                % {"name": rated.person.name},
                code="levels",
            )
        clean: dict[str, int] = {}
        for level, value in row.items():
            n = _whole(value)
            if n is None or n < 0:
                raise ValidationError(
                    _("The counts for %(name)s must be whole numbers, 0 or more.")
                    % {"name": rated.person.name},
                    code="count_not_whole",
                )
            clean[str(level)] = n
        if sum(clean.values()) != valid:
            raise ValidationError(
                _(
                    "The counts for %(name)s add up to %(sum)s, but the batch has %(valid)s valid sheets "
                    "(%(sheets)s sheets, %(invalid)s invalid). Count again."
                )
                % {
                    "name": rated.person.name,
                    "sum": sum(clean.values()),
                    "valid": valid,
                    "sheets": batch.sheets,
                    "invalid": invalid,
                },
                code="sum",
            )
        result[key] = {level: clean[level] for level in columns}
    return result, invalid


@dataclass
class Difference:
    rated_id: str
    level: str  # a level, "blank", or "invalid_sheets" (rated_id "")
    first: int
    second: int


def differences(first: PaperEntry, second: PaperEntry) -> list[Difference]:
    """The cells in which two entries of a batch disagree."""
    found = []
    if first.invalid_sheets != second.invalid_sheets:
        found.append(Difference("", "invalid_sheets", first.invalid_sheets, second.invalid_sheets))
    for key in sorted(set(first.counts) | set(second.counts), key=lambda k: (len(k), k)):
        a = first.counts.get(key, {})
        b = second.counts.get(key, {})
        for level in list(dict.fromkeys([*a, *b])):
            if a.get(level) != b.get(level):
                found.append(Difference(key, level, int(a.get(level, 0)), int(b.get(level, 0))))
    return found


def _frozen(round_: Round, batch: PaperBatch) -> None:
    if batch.status == BatchStatus.RECONCILED:
        raise ValidationError(
            _("Batch %(number)s is reconciled: its counts are final and cannot be changed.")
            % {"number": batch.number},
            code="batch_reconciled",
        )
    if round_.status != RoundStatus.COUNTING:
        raise ValidationError(_("The paper count of this round is over."), code="not_counting")


def enter_batch(*, actor, batch: PaperBatch, counts: Mapping, invalid_sheets=0) -> PaperEntry:
    """One of the two independent entries of a batch. With both, the batch is reconciled or marked a mismatch."""
    with transaction.atomic():
        batch, round_ = _lock_batch(batch)
        _require_paper(actor, round_, batch.constituency_id)
        _frozen(round_, batch)
        current = ballot_actions.current_entries(batch)
        if len(current) >= 2:
            raise ValidationError(
                _(
                    "Batch %(number)s has been entered twice already. If an entry is wrong, set it aside first "
                    "and enter it again."
                )
                % {"number": batch.number},
                code="already_entered",
            )
        if current and current[0].entered_by_id == actor.pk:
            raise ValidationError(
                _("You made the other entry of this batch: the second entry must be made by someone else."),
                code="same_person",
            )
        clean, invalid = normalise_counts(round_, batch, counts, invalid_sheets)
        entry_no = 1 if not current or current[0].entry_no == 2 else 2
        try:
            with transaction.atomic():
                entry = PaperEntry.objects.create(
                    batch=batch, entry_no=entry_no, entered_by=actor, counts=clean, invalid_sheets=invalid
                )
        except IntegrityError:  # pragma: no cover - the batch row is locked; kept as the database's guarantee
            raise ValidationError(
                _("This entry of the batch has already been made."), code="already_entered"
            ) from None
        ledger.record(
            "ratings.enter_batch",
            entry,
            actor=actor,
            change={"batch": batch.pk, "entry_no": entry_no, "digest": batch_digest(clean, invalid)},
        )
        if current:
            other = current[0]
            if other.counts == clean and other.invalid_sheets == invalid:
                batch.status = BatchStatus.RECONCILED
                batch.counts_digest = batch_digest(clean, invalid)
                batch.reconciled_at = timezone.now()
                batch.save(update_fields=["status", "counts_digest", "reconciled_at", "updated_at"])
                ledger.record(
                    "ratings.reconcile_batch",
                    batch,
                    actor=actor,
                    change={
                        "round": round_.pk,
                        "number": batch.number,
                        "sheets": batch.sheets,
                        "counts_digest": batch.counts_digest,
                        "entries": sorted([other.pk, entry.pk]),
                    },
                )
            else:
                batch.status = BatchStatus.MISMATCH
                batch.save(update_fields=["status", "updated_at"])
                ledger.record(
                    "ratings.batch_mismatch",
                    batch,
                    actor=actor,
                    change={"cells": len(differences(other, entry)), "entries": sorted([other.pk, entry.pk])},
                )
    return entry


def redo_entry(*, actor, entry: PaperEntry) -> PaperEntry:
    """Set an entry aside (its author or a manager) so that it can be entered again."""
    with transaction.atomic():
        batch, round_ = _lock_batch(entry.batch)
        entry = PaperEntry.objects.get(pk=entry.pk)
        _require_paper(actor, round_, batch.constituency_id)
        if entry.entered_by_id != actor.pk and not is_manager(actor, round_):
            raise AccessDenied("author or manager")
        _frozen(round_, batch)
        if entry.superseded:
            raise ValidationError(_("This entry has already been set aside."), code="superseded")
        entry.superseded = True
        entry.save(update_fields=["superseded"])
        batch.status = BatchStatus.WAITING
        batch.save(update_fields=["status", "updated_at"])
        ledger.record(
            "ratings.redo_entry", entry, actor=actor, change={"batch": batch.pk, "entry_no": entry.entry_no}
        )
    return entry


def paper_summary(round_: Round, constituency_ids: Iterable[int | None]) -> dict[int | None, dict]:
    """Per constituency: electors, online and paper participations, sheets printed, batches and their sheets.

    A fixed number of queries whatever the size of the round."""
    ids = list(constituency_ids)
    summary = {
        c: {
            "electors": 0,
            "online": 0,
            "paper": 0,
            "printed": 0,
            "last_printed": 0,
            "batches": 0,
            "sheets": 0,
            "reconciled": 0,
        }
        for c in ids
    }
    if not ids:
        return summary
    duty = round_.kind == RoundKind.DUTY_RATING
    where = Q(constituency_id__in=[c for c in ids if c is not None])
    if None in ids:
        where |= Q(constituency__isnull=True)
    people_where = where if duty else Q()

    def row(c: int | None) -> dict | None:
        return summary.get(c if duty else None)

    for c, n in (
        Elector.objects.filter(people_where, round=round_)
        .values_list("constituency_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if (r := row(c)) is not None:
            r["electors"] += n
    for c, channel, n in (
        Participation.objects.filter(people_where, round=round_)
        .values_list("constituency_id", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if (r := row(c)) is not None:
            r["online" if channel == Channel.ONLINE else "paper"] += n
    for c, first, last in SheetPrint.objects.filter(where, round=round_).values_list(
        "constituency_id", "first", "last"
    ):
        if c in summary:
            summary[c]["printed"] += last - first + 1
            summary[c]["last_printed"] = max(summary[c]["last_printed"], last)
    for c, status, sheets in PaperBatch.objects.filter(where, round=round_).values_list(
        "constituency_id", "status", "sheets"
    ):
        if c in summary:
            summary[c]["batches"] += 1
            summary[c]["sheets"] += sheets
            summary[c]["reconciled"] += status == BatchStatus.RECONCILED
    return summary
