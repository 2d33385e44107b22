"""Rating rounds: preparing a round (who is rated, exemptions, duty reports, rater group, liaisons) and opening it.

Every action takes a keyword-only `actor`, runs in one transaction, checks that the actor manages the round's
unit (union or leading group on it or an ancestor: `MANAGE_ROLES`) and appends a ledger entry.

While a round is a draft everything can change. Opening it freezes the electorate into `Elector` rows (one
INSERT … SELECT, so a group-wide round of 20,000 raters costs the same few queries as a small one) and from then
on the list of people rated, their exemptions and reports, the rater group and the electorate no longer change:
every rater reads the same reports and rates the same list. Liaisons can still be named until the round closes.

Every change bumps `Round.revision`; forms carry the revision they were opened on and an older one is refused
(`stale`), so the union never opens a round on a list it has not seen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import require
from gongkai.disclosures import uploads
from gongkai.org.models import Constituency, Person, Unit

from .ballot_actions import MANAGE_ROLES, stale
from .choices import Exemption, RoundKind, RoundStatus, Scale
from .models import Elector, Liaison, RatedPerson, RaterGroupMember, Round

TITLE_MAX = 200
NOTE_MAX = 200
REPORT_MAX = 50000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # control characters but tab and line breaks
REPORT_KINDS = ("pdf", "docx")
EDITABLE_FIELDS = (
    "title",
    "scale",
    "year",
    "opens_at",
    "closes_at",
    "talk_threshold",
    "recall_threshold",
)
MISSING_NAMES_SHOWN = 10


# ------------------------------------------------------------------------------------------------ refusals


def _not_draft(round_: Round) -> ValidationError:
    return ValidationError(
        _(
            "This round is %(status)s: the people rated, their reports and the raters are frozen once voting "
            "opens, so that every rater sees the same list."
        )
        % {"status": round_.get_status_display()},
        code="not_draft",
    )


# ------------------------------------------------------------------------------------------------- helpers


def _clean_text(text: str, *, message: str, maximum: int, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(message, code="required")
    if len(text) > maximum:
        raise ValidationError(
            _("The text is longer than %(n)s characters.") % {"n": maximum}, code="too_long"
        )
    if _CONTROL.search(text):
        # invisible, and refused by the .xlsx format: a result export would fail
        raise ValidationError(
            _("The text contains invisible control characters; type it again without them."),
            code="control_characters",
        )
    return text


def _check_settings(
    *,
    title: str,
    scale: str,
    year: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    talk: int,
    recall: int,
) -> str:
    title = " ".join(_clean_text(title, message=_("A round needs a title."), maximum=TITLE_MAX).split())
    if scale not in Scale.values:
        raise ValidationError(_("Unknown rating scale."), code="scale")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError(_("The year must be a number such as 2026."), code="year") from None
    if not 2000 <= year <= 2100:
        raise ValidationError(_("The year must be a number such as 2026."), code="year")
    if opens_at is None or closes_at is None:
        raise ValidationError(_("Give the time voting opens and the time it closes."), code="window")
    if closes_at <= opens_at:
        raise ValidationError(_("Voting must close after it opens."), code="window")
    for value in (talk, recall):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise ValidationError(_("A threshold is a percentage between 0 and 100."), code="thresholds")
    if talk >= recall:
        raise ValidationError(
            _(
                "The threshold for a talk with the union must be lower than the threshold for advising "
                "resignation or recall."
            ),
            code="thresholds",
        )
    return title


def _lock(round_: Round, actor, expected_revision: int | None = None) -> Round:
    """The round, locked for the rest of the transaction, after the access and revision checks."""
    locked = Round.objects.select_for_update(of=("self",)).select_related("unit").get(pk=round_.pk)
    require(actor, MANAGE_ROLES, locked.unit.path)
    if expected_revision is not None and int(expected_revision) != locked.revision:
        raise stale()
    return locked


def _lock_draft(round_: Round, actor, expected_revision: int | None = None) -> Round:
    locked = _lock(round_, actor, expected_revision)
    if locked.status != RoundStatus.DRAFT:
        raise _not_draft(locked)
    return locked


def _bump(round_: Round, *fields: str) -> None:
    round_.revision += 1
    round_.save(update_fields=[*fields, "revision", "updated_at"])


def _in_subtree(unit: Unit, round_: Round) -> bool:
    return unit.path.startswith(round_.unit.path)


def _check_active(person: Person) -> None:
    if not person.is_active:
        raise ValidationError(_("%(name)s is no longer active.") % {"name": person.name}, code="inactive")


def subtree_constituencies(round_: Round):
    """The constituencies whose unit lies in the round's unit subtree (active units)."""
    return Constituency.objects.filter(unit__path__startswith=round_.unit.path, unit__active=True).order_by(
        "unit__path", "code"
    )


# --------------------------------------------------------------------------------------------------- round


@transaction.atomic
def create_round(
    *,
    actor,
    unit: Unit,
    title: str,
    kind: str,
    scale: str,
    year: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    talk_threshold: int = 30,
    recall_threshold: int = 50,
) -> Round:
    """Create a draft round of a unit (the root unit for a group-wide round)."""
    require(actor, MANAGE_ROLES, unit.path)
    if not unit.active:
        raise ValidationError(_("This unit is no longer active."), code="inactive_unit")
    if kind not in RoundKind.values:
        raise ValidationError(_("Unknown kind of round."), code="kind")
    title = _check_settings(
        title=title,
        scale=scale,
        year=year,
        opens_at=opens_at,
        closes_at=closes_at,
        talk=talk_threshold,
        recall=recall_threshold,
    )
    round_ = Round.objects.create(
        unit=unit,
        title=title,
        kind=kind,
        scale=scale,
        year=int(year),
        opens_at=opens_at,
        closes_at=closes_at,
        talk_threshold=talk_threshold,
        recall_threshold=recall_threshold,
        created_by=actor,
    )
    ledger.record(
        "ratings.create_round",
        round_,
        actor=actor,
        change={
            "unit": unit.code,
            "title": title,
            "kind": kind,
            "scale": scale,
            "year": int(year),
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "talk_threshold": talk_threshold,
            "recall_threshold": recall_threshold,
        },
    )
    return round_


@transaction.atomic
def update_round(*, actor, round_: Round, expected_revision: int | None, **fields) -> Round:
    """Change the title, scale, year, voting window or thresholds of a draft round."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These settings cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="field",
        )
    round_ = _lock_draft(round_, actor, expected_revision)
    before = {name: getattr(round_, name) for name in EDITABLE_FIELDS}
    after = {**before, **fields}
    after["title"] = _check_settings(
        title=after["title"],
        scale=after["scale"],
        year=after["year"],
        opens_at=after["opens_at"],
        closes_at=after["closes_at"],
        talk=after["talk_threshold"],
        recall=after["recall_threshold"],
    )
    after["year"] = int(after["year"])
    changed = [name for name in EDITABLE_FIELDS if after[name] != before[name]]
    if not changed:
        return round_
    for name in changed:
        setattr(round_, name, after[name])
    _bump(round_, *changed)

    def text(value):
        return value.isoformat() if isinstance(value, dt.datetime) else value

    ledger.record(
        "ratings.update_round",
        round_,
        actor=actor,
        change={name: [text(before[name]), text(after[name])] for name in changed},
    )
    return round_


# ------------------------------------------------------------------------------------------- people rated


@transaction.atomic
def populate_rated(*, actor, round_: Round, expected_revision: int | None = None) -> int:
    """Duty rating: add every representative of each constituency in the round's unit subtree who is not rated
    yet, in employee-number order per constituency (appraisal: nothing). Returns how many were added."""
    round_ = _lock_draft(round_, actor, expected_revision)
    if round_.kind != RoundKind.DUTY_RATING:
        return 0
    through = Constituency.representatives.through
    pairs = list(
        through.objects.filter(
            constituency__unit__path__startswith=round_.unit.path,
            constituency__unit__active=True,
            person__is_active=True,
        )
        .exclude(person_id__in=RatedPerson.objects.filter(round=round_).values("person_id"))
        .order_by("constituency__unit__path", "constituency__code", "person__employee_no")
        .values_list("constituency_id", "person_id")
    )
    if not pairs:
        return 0
    last: dict[int | None, int] = {}
    for constituency_id, position in RatedPerson.objects.filter(round=round_).values_list(
        "constituency_id", "position"
    ):
        last[constituency_id] = max(last.get(constituency_id, 0), position)
    seen: set[int] = set()
    rows = []
    for constituency_id, person_id in pairs:
        if person_id in seen:  # a representative of two constituencies is rated once, in the first
            continue
        seen.add(person_id)
        last[constituency_id] = last.get(constituency_id, 0) + 1
        rows.append(
            RatedPerson(
                round=round_,
                person_id=person_id,
                constituency_id=constituency_id,
                position=last[constituency_id],
            )
        )
    RatedPerson.objects.bulk_create(rows, batch_size=2000)
    _bump(round_)
    ledger.record("ratings.populate_rated", round_, actor=actor, change={"added": len(rows)})
    return len(rows)


@transaction.atomic
def add_rated(
    *,
    actor,
    round_: Round,
    person: Person,
    constituency: Constituency | None = None,
    expected_revision: int | None = None,
) -> RatedPerson:
    """Add one person to a draft round. A duty rating needs the constituency they report to (found from the
    constituencies they represent in the round's units when not given); an appraisal has none."""
    round_ = _lock_draft(round_, actor, expected_revision)
    _check_active(person)
    if round_.kind == RoundKind.DUTY_RATING:
        if constituency is None:
            represented = list(subtree_constituencies(round_).filter(representatives=person)[:2])
            if len(represented) != 1:
                raise ValidationError(
                    _(
                        "%(name)s represents no constituency of this round's units, or several: "
                        "say which constituency they report to."
                    )
                    % {"name": person.name},
                    code="constituency_required",
                )
            constituency = represented[0]
        constituency = Constituency.objects.select_related("unit").get(pk=constituency.pk)
        if not _in_subtree(constituency.unit, round_):
            raise ValidationError(
                _("Constituency %(name)s is outside this round's unit.") % {"name": constituency.name},
                code="constituency_scope",
            )
    else:
        constituency = None
    siblings = RatedPerson.objects.filter(round=round_, constituency=constituency)
    position = max(siblings.values_list("position", flat=True), default=0) + 1
    try:
        with transaction.atomic():
            rated = RatedPerson.objects.create(
                round=round_, person=person, constituency=constituency, position=position
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already rated in this round.") % {"name": person.name}, code="duplicate"
        ) from None
    _bump(round_)
    ledger.record(
        "ratings.add_rated",
        rated,
        actor=actor,
        change={
            "round": round_.pk,
            "person": person.employee_no,
            "constituency": constituency.code if constituency else None,
            "position": position,
        },
    )
    return rated


def _lock_rated(rated: RatedPerson, actor, expected_revision: int | None) -> tuple[RatedPerson, Round]:
    round_ = _lock_draft(Round(pk=rated.round_id), actor, expected_revision)
    try:
        locked = RatedPerson.objects.select_related("person").get(pk=rated.pk, round=round_)
    except RatedPerson.DoesNotExist:
        raise ValidationError(_("This person is no longer rated in this round."), code="gone") from None
    return locked, round_


@transaction.atomic
def remove_rated(*, actor, rated: RatedPerson, expected_revision: int | None = None) -> None:
    """Take a person off a draft round (the others keep their positions)."""
    rated, round_ = _lock_rated(rated, actor, expected_revision)
    change = {"round": round_.pk, "person": rated.person.employee_no}
    pk = rated.pk
    rated.delete()
    _bump(round_)
    ledger.record(
        "ratings.remove_rated",
        object_type="ratings.ratedperson",
        object_id=str(pk),
        actor=actor,
        change=change,
    )


@transaction.atomic
def set_exemption(
    *, actor, rated: RatedPerson, exemption: str, note: str = "", expected_revision: int | None = None
) -> RatedPerson:
    """Exempt a person rated (reported at the congress, away on business, other: with a note) or clear it ("").
    An exempted person is not on the ballot; the results show the exemption and its reason."""
    if exemption not in ("", *Exemption.values):
        raise ValidationError(_("Unknown reason for an exemption."), code="exemption")
    note = _clean_text(note, message="", maximum=NOTE_MAX, required=False)
    if exemption == Exemption.OTHER and not note:
        raise ValidationError(
            _("Say why the person is exempted (a note is needed for another reason)."), code="note"
        )
    if not exemption:
        note = ""
    rated, round_ = _lock_rated(rated, actor, expected_revision)
    before = [rated.exemption, rated.exemption_note]
    rated.exemption, rated.exemption_note = exemption, note
    rated.save(update_fields=["exemption", "exemption_note", "updated_at"])
    _bump(round_)
    ledger.record(
        "ratings.set_exemption", rated, actor=actor, change={"before": before, "after": [exemption, note]}
    )
    return rated


@transaction.atomic
def publish_report(
    *, actor, rated: RatedPerson, text: str, upload=None, expected_revision: int | None = None
) -> RatedPerson:
    """Publish the duty report of a person rated: its text and optionally a PDF or Word (.docx) file.

    Publishing again replaces the report (while the round is a draft; once voting opens it is frozen). A new
    file replaces the old one; without a new file the old one stays.
    """
    text = _clean_text(text, message="", maximum=REPORT_MAX, required=False)
    info = None
    if upload is not None:
        info = uploads.inspect(upload)
        if info.kind not in REPORT_KINDS:
            raise ValidationError(
                _("A duty report is attached as a PDF or Word (.docx) file; %(name)s is neither.")
                % {"name": info.name},
                code="report_type",
            )
    rated, round_ = _lock_rated(rated, actor, expected_revision)
    if not text and info is None and not rated.report_file:
        raise ValidationError(_("Write the report or attach it as a file."), code="required")
    rated.report = text
    if info is not None:
        rated.report_file = uploads.store(info, upload)
        rated.report_file_name = info.name
    rated.report_published_at = timezone.now()
    rated.save(
        update_fields=["report", "report_file", "report_file_name", "report_published_at", "updated_at"]
    )
    _bump(round_)
    ledger.record(
        "ratings.publish_report",
        rated,
        actor=actor,
        change={
            "round": round_.pk,
            "person": rated.person.employee_no,
            "report_chars": len(text),
            "file": info.sha256 if info is not None else None,
        },
    )
    return rated


# ----------------------------------------------------------------------------------- raters and liaisons


@transaction.atomic
def set_rater_group(
    *, actor, round_: Round, people: Iterable[Person], expected_revision: int | None = None
) -> int:
    """Appraisal: the named rater group (replaces the present one). Returns its size."""
    round_ = _lock_draft(round_, actor, expected_revision)
    if round_.kind != RoundKind.APPRAISAL:
        raise ValidationError(
            _("A duty rating is rated by the constituencies; only an appraisal has a rater group."),
            code="not_appraisal",
        )
    chosen = list({p.pk: p for p in people}.values())
    inactive = [p.name for p in chosen if not p.is_active]
    if inactive:
        raise ValidationError(
            _("These people are no longer active: %(names)s.") % {"names": "、".join(inactive)},
            code="inactive",
        )
    wanted = {p.pk for p in chosen}
    present = set(RaterGroupMember.objects.filter(round=round_).values_list("person_id", flat=True))
    added, removed = wanted - present, present - wanted
    if not added and not removed:
        return len(wanted)
    RaterGroupMember.objects.filter(round=round_, person_id__in=removed).delete()
    RaterGroupMember.objects.bulk_create(
        [RaterGroupMember(round=round_, person_id=pk) for pk in sorted(added)], batch_size=2000
    )
    _bump(round_)
    ledger.record(
        "ratings.set_rater_group",
        round_,
        actor=actor,
        change={"added": sorted(added), "removed": sorted(removed), "size": len(wanted)},
    )
    return len(wanted)


@transaction.atomic
def add_liaison(
    *,
    actor,
    round_: Round,
    person: Person,
    constituency: Constituency | None = None,
    expected_revision: int | None = None,
) -> Liaison:
    """Name a liaison of the round (for one constituency, or for all of them when none is given)."""
    round_ = _lock(round_, actor, expected_revision)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."), code="closed")
    _check_active(person)
    if constituency is not None:
        if round_.kind != RoundKind.DUTY_RATING:
            raise ValidationError(
                _("An appraisal has no constituencies: name the liaison for the whole round."),
                code="constituency_scope",
            )
        constituency = Constituency.objects.select_related("unit").get(pk=constituency.pk)
        if not _in_subtree(constituency.unit, round_):
            raise ValidationError(
                _("Constituency %(name)s is outside this round's unit.") % {"name": constituency.name},
                code="constituency_scope",
            )
    duplicate = ValidationError(
        _("%(name)s is already a liaison here.") % {"name": person.name}, code="duplicate"
    )
    # the round is locked, so this check holds (SQLite has no NULLS NOT DISTINCT for the unique constraint)
    if Liaison.objects.filter(round=round_, person=person, constituency=constituency).exists():
        raise duplicate
    try:
        with transaction.atomic():
            liaison = Liaison.objects.create(round=round_, person=person, constituency=constituency)
    except IntegrityError:
        raise duplicate from None
    _bump(round_)
    ledger.record(
        "ratings.add_liaison",
        liaison,
        actor=actor,
        change={
            "round": round_.pk,
            "person": person.employee_no,
            "constituency": constituency.code if constituency else None,
        },
    )
    return liaison


@transaction.atomic
def remove_liaison(*, actor, liaison: Liaison, expected_revision: int | None = None) -> None:
    round_ = _lock(Round(pk=liaison.round_id), actor, expected_revision)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."), code="closed")
    found = (
        Liaison.objects.filter(pk=liaison.pk, round=round_).select_related("person", "constituency").first()
    )
    if found is None:
        raise ValidationError(_("This person is no longer a liaison of this round."), code="gone")
    change = {
        "round": round_.pk,
        "person": found.person.employee_no,
        "constituency": found.constituency.code if found.constituency else None,
    }
    found.delete()
    _bump(round_)
    ledger.record(
        "ratings.remove_liaison",
        object_type="ratings.liaison",
        object_id=str(liaison.pk),
        actor=actor,
        change=change,
    )


# ------------------------------------------------------------------------------------------------- opening


def _electorate_sql(round_: Round) -> tuple[str, list]:
    """SELECT round_id, person_id, constituency_id of the raters the round would have, one row per person."""
    person = Person._meta.db_table
    if round_.kind == RoundKind.DUTY_RATING:
        rated = RatedPerson._meta.db_table
        sql = (
            f"SELECT %s, p.id, p.constituency_id FROM {person} p "  # noqa: S608 - table names from the models
            f"WHERE p.is_active AND p.constituency_id IN "
            f"(SELECT r.constituency_id FROM {rated} r WHERE r.round_id = %s AND r.exemption = '' "
            f"AND r.constituency_id IS NOT NULL)"
        )
        return sql, [round_.pk, round_.pk]
    group = RaterGroupMember._meta.db_table
    sql = (
        f"SELECT %s, p.id, NULL FROM {group} g JOIN {person} p ON p.id = g.person_id "  # noqa: S608
        f"WHERE g.round_id = %s AND p.is_active"
    )
    return sql, [round_.pk, round_.pk]


def electorate_preview(round_: Round) -> list[tuple[int | None, int]]:
    """How many vote per constituency (None for an appraisal), in one query: for a draft, how many would vote if
    it opened now; once open, the frozen electorate."""
    rows: Iterable[tuple]
    if round_.status != RoundStatus.DRAFT:
        rows = (
            Elector.objects.filter(round=round_)
            .values_list("constituency_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    elif round_.kind == RoundKind.DUTY_RATING:
        rated = RatedPerson.objects.filter(round=round_, exemption="", constituency__isnull=False)
        rows = (
            Person.objects.filter(is_active=True, constituency_id__in=rated.values("constituency_id"))
            .values_list("constituency_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    else:
        size = RaterGroupMember.objects.filter(round=round_, person__is_active=True).count()
        return [(None, size)] if size else []
    return [(c, n) for c, n in rows]


@transaction.atomic
def open_round(*, actor, round_: Round, expected_revision: int | None = None) -> Round:
    """Open a draft round for voting: check it is complete, then freeze its electorate into `Elector` rows.

    Refused (nothing written) when nobody is to be rated, a person rated (not exempted) has no published duty
    report, the voting window is already over, or nobody would vote.
    """
    round_ = _lock(round_, actor, expected_revision)
    if round_.status != RoundStatus.DRAFT:
        raise ValidationError(
            _("This round was already opened (it is %(status)s).") % {"status": round_.get_status_display()},
            code="already_open",
        )
    now = timezone.now()
    if round_.closes_at <= now:
        raise ValidationError(
            _("The voting window of this round is already over (it closed at %(time)s); change it first.")
            % {"time": timezone.localtime(round_.closes_at).strftime("%Y-%m-%d %H:%M")},
            code="window_over",
        )
    to_rate = RatedPerson.objects.filter(round=round_, exemption="")
    if not to_rate.exists():
        raise ValidationError(
            _("Nobody is to be rated in this round: add the people rated (or lift an exemption) first."),
            code="nobody_rated",
        )
    missing = list(
        to_rate.filter(report_published_at__isnull=True)
        .order_by("constituency_id", "position")
        .values_list("person__name", flat=True)[: MISSING_NAMES_SHOWN + 1]
    )
    if missing:
        names = "、".join(missing[:MISSING_NAMES_SHOWN]) + ("…" if len(missing) > MISSING_NAMES_SHOWN else "")
        raise ValidationError(
            _(
                "Duty reports are published to the raters before voting opens; these people have none yet: "
                "%(names)s. Publish their reports or record an exemption."
            )
            % {"names": names},
            code="missing_reports",
        )
    sql, params = _electorate_sql(round_)
    table = Elector._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (round_id, person_id, constituency_id) {sql}", params)  # noqa: S608
    electorate = Elector.objects.filter(round=round_).count()
    if not electorate:
        raise ValidationError(
            _(
                "Nobody would vote in this round: the constituencies of the people rated have no active "
                "members, or the rater group is empty."
            )
            if round_.kind == RoundKind.DUTY_RATING
            else _("Nobody would vote in this round: the rater group is empty or has no active members."),
            code="no_electors",
        )
    round_.status = RoundStatus.OPEN
    round_.opened_at = now
    round_.electorate = electorate
    _bump(round_, "status", "opened_at", "electorate")
    ledger.record(
        "ratings.open_round",
        round_,
        actor=actor,
        change={
            "electorate": electorate,
            "rated": to_rate.count(),
            "opens_at": round_.opens_at.isoformat(),
            "closes_at": round_.closes_at.isoformat(),
        },
    )
    return round_
