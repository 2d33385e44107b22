"""The secret ballot: casting, mixing the ballot box, ending the vote, counting and certifying the results.

Casting writes two rows in one transaction: the rater's `Participation` (unique per round and person: the
database refuses a second one, so two simultaneous submissions store one ballot) and a `SealedBallot` carrying
only the round, a random tracker and the ratings. Casting writes no audit-ledger entry (the ledger would record
who acted when, next to the ballot box); the participation row is the record that someone voted.

`mix_ballots` moves sealed ballots, in a random order and under fresh random keys, into `Ballot` /
`BallotChoice` once at least ``GONGKAI_BALLOT_MIX_MIN`` (2 at the least) wait, so that neither the order of the
rows nor the transaction that wrote them lines a ballot up with its participation. When voting ends, every ballot
of the round (those mixed during the vote too) is mixed again in one transaction: the mixes made during the vote
follow the order of the participation rows, and in one of them the single ballot of a constituency, or the last
few ballots of the vote, would still be recognisable.

Results exist only after `certify`: online ballots plus reconciled paper batches, per person rated, with the
threshold flags; the tally digest goes into the ledger.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import AccessDenied, get_scope, require
from gongkai.core.choices import Role

from .choices import BLANK, BatchStatus, Channel, Flag, RoundKind, RoundStatus, levels_of, negative_level
from .models import (
    Ballot,
    BallotChoice,
    Elector,
    PaperBatch,
    PaperEntry,
    Participation,
    RatedPerson,
    ResultLine,
    Round,
    SealedBallot,
)

MANAGE_ROLES = (Role.UNION, Role.LEADING_GROUP)
TRACKER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


MIX_FLOOR = 2  # a mix of one ballot would be no mix at all


def mix_minimum() -> int:
    return max(MIX_FLOOR, int(getattr(settings, "GONGKAI_BALLOT_MIX_MIN", 25)))


def new_tracker() -> str:
    """A ballot tracker: 12 random base-32 characters (60 bits) in three groups of four, e.g. 7K2M-9QXD-4HTP."""
    raw = "".join(secrets.choice(TRACKER_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_tracker(text: str) -> str:
    """What a voter types back (lower case, spaces, O for 0…) as the stored form."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else raw


# --------------------------------------------------------------------------------------------------- lists


def ballot_list(round_: Round, constituency_id: int | None) -> list[RatedPerson]:
    """The people a rater of this constituency rates (exempted people are not on the ballot)."""
    rated = RatedPerson.objects.filter(round=round_, exemption="").select_related("person")
    if round_.kind == RoundKind.DUTY_RATING:
        rated = (
            rated.filter(constituency__isnull=True)
            if constituency_id is None
            else rated.filter(constituency_id=constituency_id)
        )
    return list(rated.order_by("position", "pk"))


def _lock_round_shared(round_id: int) -> Round:
    """Read the round under a shared row lock on PostgreSQL: many voters at once, but not while it is closed.

    `end_voting` takes FOR UPDATE on the same row, so a ballot either commits before the vote ends or sees the
    round closed. (SQLite serialises writers: a ballot whose read is older than the close fails to write.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM ratings_round WHERE id = %s FOR SHARE", [round_id])
    try:
        return Round.objects.get(pk=round_id)
    except Round.DoesNotExist:
        raise ValidationError(_("This rating round does not exist."), code="no_round") from None


# ---------------------------------------------------------------------------------------------------- cast


def cast_ballot(*, actor, round_id: int, choices: dict) -> str:
    """Cast the actor's ballot: a rating for each person on their list. Returns the ballot tracker (shown once).

    `choices` maps the id of each `RatedPerson` on the list to a level of the round's scale. Everything is
    checked before anything is written; a refused ballot writes nothing.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise AccessDenied(Role.EMPLOYEE)
    if not getattr(actor, "is_active", True):
        raise ValidationError(_("Your account is no longer active; you cannot vote."), code="inactive")
    try:
        round_id = int(round_id)
    except (TypeError, ValueError):
        raise ValidationError(_("This rating round does not exist."), code="no_round") from None
    with transaction.atomic():
        round_ = _lock_round_shared(round_id)
        now = timezone.now()
        if round_.status != RoundStatus.OPEN or now < round_.opens_at:
            raise ValidationError(_("Voting in this round is not open."), code="not_open")
        if now >= round_.closes_at:
            raise ValidationError(_("Voting in this round has ended."), code="ended")
        elector = Elector.objects.filter(round=round_, person_id=actor.pk).first()
        if elector is None:
            raise ValidationError(_("You are not a rater in this round."), code="not_elector")
        expected = {str(r.pk) for r in ballot_list(round_, elector.constituency_id)}
        given = {str(k): v for k, v in (choices or {}).items()}
        foreign = set(given) - expected
        if foreign:
            raise ValidationError(
                _("The ballot rates someone who is not on your list; nothing was recorded."),
                code="not_on_list",
            )
        missing = expected - {k for k, v in given.items() if v}
        if missing:
            raise ValidationError(
                _("Rate every person on your list (%(count)s missing); nothing was recorded.")
                % {"count": len(missing)},
                code="missing",
            )
        allowed = set(levels_of(round_.scale))
        if any(level not in allowed for level in given.values()):
            raise ValidationError(
                _("A rating is not on this round's scale; nothing was recorded."), code="level"
            )
        try:
            with transaction.atomic():
                Participation.objects.create(
                    round=round_,
                    person_id=actor.pk,
                    constituency_id=elector.constituency_id,
                    channel=Channel.ONLINE,
                )
        except IntegrityError:
            raise ValidationError(
                _("You have already voted in this round; a ballot is final once cast."), code="already_voted"
            ) from None
        for _attempt in range(5):
            tracker = new_tracker()
            try:
                with transaction.atomic():
                    SealedBallot.objects.create(round=round_, tracker=tracker, choices=given)
                break
            except IntegrityError:  # pragma: no cover - 60 random bits; a collision is astronomically rare
                continue
        else:  # pragma: no cover
            raise ValidationError(_("The ballot could not be stored; please try again."), code="tracker")
    return tracker


# ----------------------------------------------------------------------------------------------------- mix


def mix_ballots(round_: Round, *, everything: bool = False) -> int:
    """Move waiting ballots into the counted table in a random order, under fresh keys. Returns how many.

    Does nothing while fewer than `mix_minimum()` wait, unless `everything` (at the end of voting): then the
    ballots mixed before are taken back and mixed again with the last ones, all together.
    """
    rng = secrets.SystemRandom()
    with transaction.atomic():
        sealed = list(SealedBallot.objects.select_for_update(skip_locked=True).filter(round_id=round_.pk))
        if len(sealed) < mix_minimum() and not everything:
            return 0
        waiting: list[tuple[str, dict]] = [(s.tracker, s.choices) for s in sealed]
        if everything:
            # The mixes made during the vote stay apart on disk (and in their transactions), in the order of the
            # participation rows: the last few ballots would be a mix of their own, and in an earlier mix the one
            # ballot of a constituency is its one voter's of that time. At the end, every ballot of the round is
            # mixed again, together, under fresh keys.
            waiting += _take_mixed(round_)
        if not waiting:
            return 0
        rng.shuffle(waiting)
        ballots: list[Ballot] = []
        choices: list[BallotChoice] = []
        for tracker, given in waiting:
            ballot = Ballot(round_id=round_.pk, tracker=tracker)
            ballots.append(ballot)
            for rated_id, level in given.items():
                choices.append(BallotChoice(ballot=ballot, rated_id=int(rated_id), level=level))
        rng.shuffle(choices)
        Ballot.objects.bulk_create(ballots, batch_size=2000)
        BallotChoice.objects.bulk_create(choices, batch_size=5000)
        SealedBallot.objects.filter(pk__in=[s.pk for s in sealed]).delete()
    return len(sealed)


def _take_mixed(round_: Round) -> list[tuple[str, dict]]:
    """The round's mixed ballots as (tracker, {rated id: level}), deleted so that they can be mixed again."""
    found: dict = {}
    for ballot_id, tracker in Ballot.objects.filter(round_id=round_.pk).values_list("pk", "tracker"):
        found[ballot_id] = (tracker, {})
    if not found:
        return []
    for ballot_id, rated_id, level in BallotChoice.objects.filter(ballot__round_id=round_.pk).values_list(
        "ballot_id", "rated_id", "level"
    ):
        found[ballot_id][1][str(rated_id)] = level
    BallotChoice.objects.filter(ballot__round_id=round_.pk).delete()
    Ballot.objects.filter(round_id=round_.pk).delete()
    return list(found.values())


def vacuum_box() -> None:
    """On PostgreSQL, reclaim the deleted box rows, and the mixed ballots a last mix rewrote (VACUUM cannot run
    inside a transaction)."""
    if connection.vendor == "postgresql" and connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ratings_sealedballot, ratings_ballot, ratings_ballotchoice")


# ------------------------------------------------------------------------------------------------ end vote


def is_manager(user, round_: Round) -> bool:
    """Whether `user` is of the union or the leading group of the round's unit (or of an ancestor)."""
    return get_scope(user).has_any_role(MANAGE_ROLES, round_.unit.path)


def stale() -> ValidationError:
    return ValidationError(
        _("This round was changed by someone else since you opened the page; reload to see the changes."),
        code="stale",
    )


def _require_revision(round_: Round, expected_revision: int | None) -> None:
    """A form (a button) that changes the round carries the revision it was shown at; an older one is refused."""
    if expected_revision is not None and expected_revision != round_.revision:
        raise stale()


def _require_manager(actor, round_: Round) -> None:
    if actor is not None:
        require(actor, MANAGE_ROLES, round_.unit.path)


def end_voting(*, actor=None, round_: Round, expected_revision: int | None = None) -> Round:
    """End the vote of an open round after its window (the worker does it at `closes_at`).

    All waiting ballots are mixed. With no paper sheets handed out the results are certified at once; otherwise
    the round waits in "counting" until its paper batches are reconciled and the union certifies.
    """
    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("unit").get(pk=round_.pk)
        _require_manager(actor, round_)
        _require_revision(round_, expected_revision)
        if round_.status != RoundStatus.OPEN:
            raise ValidationError(_("Voting in this round is not open."), code="not_open")
        if timezone.now() < round_.closes_at:
            raise ValidationError(
                _("Voting ends at %(time)s; it cannot be ended earlier.")
                % {"time": timezone.localtime(round_.closes_at).strftime("%Y-%m-%d %H:%M")},
                code="too_early",
            )
        mixed = mix_ballots(round_, everything=True)
        round_.status = RoundStatus.COUNTING
        round_.revision += 1
        round_.save(update_fields=["status", "revision", "updated_at"])
        ledger.record("ratings.end_voting", round_, actor=actor, change={"mixed": mixed})
        has_paper = Participation.objects.filter(round=round_, channel=Channel.PAPER).exists()
    if not has_paper:
        round_ = certify(actor=actor, round_=round_)
    return round_


# ---------------------------------------------------------------------------------------------------- tally


@dataclass
class Tally:
    """Counts per person rated: {rated id: {level or "blank": n}}, with the ballots they came from."""

    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    ballots_online: int = 0
    sheets_paper: int = 0

    def digest(self) -> str:
        payload = {
            "counts": {str(k): dict(sorted(v.items())) for k, v in sorted(self.counts.items())},
            "ballots_online": self.ballots_online,
            "sheets_paper": self.sheets_paper,
        }
        return hashlib.sha256(ledger.canonical(payload)).hexdigest()


def batch_digest(counts: dict, invalid_sheets: int) -> str:
    """The digest of a batch's counts, stored when its two entries agree and checked again by every tally."""
    normal = {str(k): {str(lv): int(n) for lv, n in sorted(v.items())} for k, v in sorted(counts.items())}
    return hashlib.sha256(ledger.canonical({"counts": normal, "invalid": int(invalid_sheets)})).hexdigest()


def current_entries(batch: PaperBatch) -> list[PaperEntry]:
    return list(batch.entries.filter(superseded=False).order_by("entry_no"))


def tally(round_: Round) -> Tally:
    """Count a round from the stored ballots and the reconciled paper batches (also a recount)."""
    result = Tally()
    rated_ids = list(RatedPerson.objects.filter(round=round_, exemption="").values_list("pk", flat=True))
    for pk in rated_ids:
        result.counts[pk] = defaultdict(int)
    rows = (
        BallotChoice.objects.filter(ballot__round_id=round_.pk)
        .values("rated_id", "level")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("rated_id", "level", "n")
    )
    for rated_id, level, n in rows:
        result.counts.setdefault(rated_id, defaultdict(int))[level] += n
    result.ballots_online = Ballot.objects.filter(round_id=round_.pk).count()
    batches = PaperBatch.objects.filter(round=round_, status=BatchStatus.RECONCILED).prefetch_related(
        "entries"
    )
    for batch in batches:
        entries = [e for e in batch.entries.all() if not e.superseded]
        if len(entries) != 2 or any(
            batch_digest(e.counts, e.invalid_sheets) != batch.counts_digest for e in entries
        ):
            raise ValidationError(
                _("Paper batch %(number)s was changed after it was reconciled; the round cannot be counted.")
                % {"number": batch.number},
                code="tampered_batch",
            )
        result.sheets_paper += batch.sheets
        for rated_id, levels in entries[0].counts.items():
            bucket = result.counts.setdefault(int(rated_id), defaultdict(int))
            for level, n in levels.items():
                bucket[level] += int(n)
    result.counts = {k: dict(v) for k, v in result.counts.items()}
    return result


def share(part: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def flag_for(round_: Round, negative_pct: Decimal) -> str:
    if negative_pct > round_.recall_threshold:
        return Flag.RECALL
    if negative_pct > round_.talk_threshold:
        return Flag.TALK
    return Flag.NONE


def certify(*, actor=None, round_: Round, expected_revision: int | None = None) -> Round:
    """Count the round and publish its results: every paper batch must be reconciled first."""
    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("unit").get(pk=round_.pk)
        _require_manager(actor, round_)
        _require_revision(round_, expected_revision)
        if round_.status != RoundStatus.COUNTING:
            raise ValidationError(
                _("Results can be certified only after voting has ended."), code="not_counting"
            )
        pending = PaperBatch.objects.filter(round=round_).exclude(status=BatchStatus.RECONCILED).count()
        if pending:
            raise ValidationError(
                _("%(count)s paper batch(es) are not reconciled yet; only reconciled batches count.")
                % {"count": pending},
                code="unreconciled",
            )
        if SealedBallot.objects.filter(round_id=round_.pk).exists():
            mix_ballots(round_, everything=True)
        counted = tally(round_)
        negative = negative_level(round_.scale)
        ResultLine.objects.filter(round=round_).delete()
        lines = []
        for rated_id, counts in counted.counts.items():
            total = sum(n for level, n in counts.items() if level != BLANK)
            pct = share(counts.get(negative, 0), total)
            lines.append(
                ResultLine(
                    round=round_,
                    rated_id=rated_id,
                    counts=counts,
                    total=total,
                    negative_share=pct,
                    flag=flag_for(round_, pct),
                )
            )
        ResultLine.objects.bulk_create(lines, batch_size=2000)
        round_.electorate = Elector.objects.filter(round=round_).count()
        round_.ballots_online = counted.ballots_online
        round_.ballots_paper = counted.sheets_paper
        round_.tally_digest = counted.digest()
        round_.status = RoundStatus.CLOSED
        round_.closed_at = timezone.now()
        round_.revision += 1
        round_.save(
            update_fields=[
                "electorate",
                "ballots_online",
                "ballots_paper",
                "tally_digest",
                "status",
                "closed_at",
                "revision",
                "updated_at",
            ]
        )
        ledger.record(
            "ratings.certify",
            round_,
            actor=actor,
            change={
                "tally_digest": round_.tally_digest,
                "ballots_online": round_.ballots_online,
                "sheets_paper": round_.ballots_paper,
                "electorate": round_.electorate,
                "flags": sorted((line.rated_id, line.flag) for line in lines if line.flag),
            },
        )
    return round_
