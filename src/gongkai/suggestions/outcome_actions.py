"""After adoption: implementation plan → implemented → benefit measured over the 12 months after implementation
(net = gross saving − cost, with its calculation) → award (grade from the configurable bands) → paid → archived.
Also the expert panels and the award bands that the managers maintain.

Same rules as `review_actions`: keyword-only `actor`, one transaction, the suggestion locked and its status and
revision checked, the revision bumped, one ledger entry and a public `SuggestionEvent` per step. A manager who is
among the authors neither measures the benefit nor grants the award (`access.refuse_own`). The authors are
notified of the award and of its payment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger, notify
from gongkai.core.access import require
from gongkai.org.models import Person, Unit

from .access import MANAGE_ROLES, refuse_own, require_manager
from .choices import EventKind, Status
from .common import add_event, lock, save, stale
from .dates import add_months
from .models import AwardBand, ReviewPanel, Suggestion
from .review_actions import notify_authors, plain_text, wrong_status

MEASURE_MONTHS = 12
MONEY_MAX = Decimal("999999999999.99")
ARCHIVABLE = (Status.PAID, Status.NOT_ACCEPTED, Status.REJECTED)
PANEL_MEMBERS_MAX = 50


def measurable_from(suggestion: Suggestion) -> dt.date | None:
    """The first day on which the benefit can be measured: 12 months after the implementation."""
    if suggestion.implemented_on is None:
        return None
    return add_months(suggestion.implemented_on, MEASURE_MONTHS)


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            _("%(field)s: give an amount in yuan.") % {"field": label}, code="amount"
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise ValidationError(
            _("%(field)s: give an amount in yuan, zero or more.") % {"field": label}, code="amount"
        )
    return amount


def _not_future(day: dt.date | None, label: str) -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError(_("%(field)s: give a date.") % {"field": label}, code="date")
    if day > timezone.localdate():
        raise ValidationError(_("%(field)s cannot be in the future.") % {"field": label}, code="future")
    return day


# ---------------------------------------------------------------------------------------- implementation


@transaction.atomic
def plan_implementation(
    *,
    actor: Person,
    suggestion: Suggestion,
    owner: Person,
    plan: str,
    planned_start: dt.date,
    planned_finish: dt.date,
    expected_revision: int,
) -> Suggestion:
    """Who implements the adopted suggestion, how, and when (may be re-planned while being implemented)."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.status not in (Status.ADOPTED, Status.IMPLEMENTING):
        raise wrong_status(s)
    if owner is None or not owner.is_active:
        raise ValidationError(_("Name an active person as the implementation owner."), code="owner")
    plan = plain_text(plan, message=_("Describe the implementation plan."))
    if not isinstance(planned_start, dt.date) or not isinstance(planned_finish, dt.date):
        raise ValidationError(_("Give the planned start and finish dates."), code="date")
    if planned_finish < planned_start:
        raise ValidationError(_("The planned finish must not be before the planned start."), code="dates")
    s.owner, s.plan, s.planned_start, s.planned_finish = owner, plan, planned_start, planned_finish
    s.status = Status.IMPLEMENTING
    save(s, "owner", "plan", "planned_start", "planned_finish", "status")
    add_event(
        s,
        EventKind.IMPLEMENTATION_PLANNED,
        actor,
        _("Owner: %(owner)s; planned %(start)s – %(finish)s.")
        % {"owner": owner.name, "start": planned_start.isoformat(), "finish": planned_finish.isoformat()},
    )
    ledger.record(
        "suggestions.plan",
        s,
        actor=actor,
        change={
            "owner": owner.pk,
            "plan": plan,
            "planned_start": planned_start.isoformat(),
            "planned_finish": planned_finish.isoformat(),
            "revision": s.revision,
        },
    )
    notify.notify(
        owner,
        "suggestions.owner",
        _("You implement the suggestion “%(title)s” (planned %(start)s – %(finish)s)")
        % {"title": s.title, "start": planned_start.isoformat(), "finish": planned_finish.isoformat()},
        key=f"suggestions.owner.{s.pk}.{s.revision}",
    )
    return s


@transaction.atomic
def record_implemented(
    *, actor: Person, suggestion: Suggestion, implemented_on: dt.date, expected_revision: int
) -> Suggestion:
    """The day the suggestion was put into practice: the 12 months of the benefit start there."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.status != Status.IMPLEMENTING:
        raise wrong_status(s)
    implemented_on = _not_future(implemented_on, _("The implementation date"))
    s.implemented_on = implemented_on
    s.status = Status.IMPLEMENTED
    save(s, "implemented_on", "status")
    add_event(
        s,
        EventKind.IMPLEMENTED,
        actor,
        _("Implemented on %(date)s; the benefit is measured over the following 12 months.")
        % {"date": implemented_on.isoformat()},
    )
    ledger.record(
        "suggestions.implemented",
        s,
        actor=actor,
        change={"implemented_on": implemented_on.isoformat(), "revision": s.revision},
    )
    return s


@transaction.atomic
def measure_benefit(
    *,
    actor: Person,
    suggestion: Suggestion,
    gross_saving: Decimal,
    cost: Decimal,
    calculation: str,
    measured_on: dt.date,
    expected_revision: int,
) -> Suggestion:
    """The net annual saving (gross − cost) over the 12 months after implementation, with its calculation;
    refused before those 12 months have passed."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.status != Status.IMPLEMENTED:
        raise wrong_status(s)
    refuse_own(actor, s)
    measured_on = _not_future(measured_on, _("The measurement date"))
    start = measurable_from(s)
    if start is None or measured_on < start:
        raise ValidationError(
            _(
                "The benefit is measured over the 12 months after implementation: it can be measured from "
                "%(date)s."
            )
            % {"date": start.isoformat() if start else "—"},
            code="too_early",
        )
    gross = _money(gross_saving, _("Gross saving"))
    spent = _money(cost, _("Cost"))
    calculation = plain_text(calculation, message=_("Write down how the benefit was calculated."))
    s.gross_saving, s.cost, s.net_saving = gross, spent, gross - spent
    s.calculation, s.measured_on = calculation, measured_on
    s.status = Status.MEASURED
    save(s, "gross_saving", "cost", "net_saving", "calculation", "measured_on", "status")
    add_event(
        s,
        EventKind.MEASURED,
        actor,
        _("Net annual saving %(net)s yuan (gross %(gross)s − cost %(cost)s).")
        % {"net": s.net_saving, "gross": gross, "cost": spent},
    )
    ledger.record(
        "suggestions.measure",
        s,
        actor=actor,
        change={
            "gross_saving": str(gross),
            "cost": str(spent),
            "net_saving": str(s.net_saving),
            "calculation": calculation,
            "measured_on": measured_on.isoformat(),
            "revision": s.revision,
        },
    )
    return s


# ------------------------------------------------------------------------------------------- award, paid


def band_for(net_saving: Decimal) -> AwardBand | None:
    """The band of the highest threshold the net saving reaches (None below every threshold or negative)."""
    if net_saving < 0:
        return None
    return AwardBand.objects.filter(min_saving__lte=net_saving).order_by("-min_saving").first()


@transaction.atomic
def grant_award(
    *, actor: Person, suggestion: Suggestion, expected_revision: int, band: AwardBand | None = None
) -> Suggestion:
    """The award grade from the measured net saving (or the band given), its amount from the band."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.net_saving is None:
        raise ValidationError(
            _("An award needs a measured benefit: record the net saving first."), code="no_benefit"
        )
    if s.status != Status.MEASURED:
        raise wrong_status(s)
    refuse_own(actor, s)
    if s.net_saving < 0:
        raise ValidationError(
            _("The net saving is negative (%(net)s yuan): no award.") % {"net": s.net_saving}, code="negative"
        )
    chosen = AwardBand.objects.get(pk=band.pk) if band is not None else band_for(s.net_saving)
    if chosen is None:
        raise ValidationError(
            _("No award band covers a net saving of %(net)s yuan.") % {"net": s.net_saving}, code="no_band"
        )
    s.award_band = chosen
    s.award_amount = chosen.award
    s.awarded_on = timezone.localdate()
    s.status = Status.AWARDED
    save(s, "award_band", "award_amount", "awarded_on", "status")
    add_event(
        s,
        EventKind.AWARDED,
        actor,
        _("%(band)s: %(amount)s yuan.") % {"band": chosen.name, "amount": chosen.award},
    )
    ledger.record(
        "suggestions.award",
        s,
        actor=actor,
        change={
            "band": chosen.grade,
            "amount": str(chosen.award),
            "net_saving": str(s.net_saving),
            "revision": s.revision,
        },
    )
    notify_authors(
        s,
        "suggestions.awarded",
        _("Your suggestion “%(title)s” receives the %(band)s: %(amount)s yuan")
        % {"title": s.title, "band": chosen.name, "amount": chosen.award},
        key=f"suggestions.awarded.{s.pk}",
    )
    return s


@transaction.atomic
def mark_paid(
    *, actor: Person, suggestion: Suggestion, paid_on: dt.date, expected_revision: int
) -> Suggestion:
    """The award was paid out on `paid_on` (once)."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.paid_on is not None or s.status in (Status.PAID, Status.ARCHIVED):
        raise ValidationError(
            _("The award was already paid on %(date)s.")
            % {"date": s.paid_on.isoformat() if s.paid_on else "—"},
            code="already_paid",
        )
    if s.status != Status.AWARDED:
        raise wrong_status(s)
    paid_on = _not_future(paid_on, _("The payment date"))
    if s.awarded_on is not None and paid_on < s.awarded_on:
        raise ValidationError(
            _("The payment date cannot be before the award (%(date)s).") % {"date": s.awarded_on.isoformat()},
            code="date",
        )
    s.paid_on = paid_on
    s.status = Status.PAID
    save(s, "paid_on", "status")
    add_event(s, EventKind.PAID, actor, _("Paid on %(date)s.") % {"date": paid_on.isoformat()})
    ledger.record(
        "suggestions.paid",
        s,
        actor=actor,
        change={"paid_on": paid_on.isoformat(), "amount": str(s.award_amount), "revision": s.revision},
    )
    notify_authors(
        s,
        "suggestions.paid",
        _("The award for your suggestion “%(title)s” was paid on %(date)s")
        % {"title": s.title, "date": paid_on.isoformat()},
        key=f"suggestions.paid.{s.pk}",
    )
    return s


@transaction.atomic
def archive(*, actor: Person, suggestion: Suggestion, expected_revision: int) -> Suggestion:
    """Archive (归档) a suggestion whose award was paid, or that was not accepted or rejected."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.status not in ARCHIVABLE:
        raise wrong_status(s)
    previous = s.status
    s.status = Status.ARCHIVED
    save(s, "status")
    add_event(s, EventKind.ARCHIVED, actor)
    ledger.record("suggestions.archive", s, actor=actor, change={"from": previous, "revision": s.revision})
    return s


# ------------------------------------------------------------------------------------------------ panels


def panel_stamp(panel: ReviewPanel) -> str:
    """The token a panel's edit form carries to detect a stale form (the panel's last change)."""
    return panel.updated_at.isoformat()


@transaction.atomic
def save_panel(
    *,
    actor: Person,
    unit: Unit,
    name: str,
    members: Iterable[Person],
    panel: ReviewPanel | None = None,
    expected_stamp: str | None = None,
) -> ReviewPanel:
    """Create or change an expert panel of a unit the actor manages. A change carries the `panel_stamp` of the
    panel as the form showed it; an older (or missing) one is refused as stale, so that two managers editing
    the same panel do not silently overwrite each other."""
    require(actor, MANAGE_ROLES, unit.path)
    if panel is not None:
        panel = ReviewPanel.objects.select_for_update().select_related("unit").get(pk=panel.pk)
        require(actor, MANAGE_ROLES, panel.unit.path)
        if expected_stamp != panel_stamp(panel):
            raise stale(
                _("This panel was changed by someone else since you opened it; reload to see the changes.")
            )
    name = plain_text(name, message=_("Give the panel a name."), maximum=120)
    people = list({p.pk: p for p in members}.values())
    if not people:
        raise ValidationError(_("A panel needs at least one member."), code="members")
    if len(people) > PANEL_MEMBERS_MAX:
        raise ValidationError(
            _("A panel has at most %(n)s members.") % {"n": PANEL_MEMBERS_MAX}, code="members"
        )
    inactive = [p for p in people if not p.is_active]
    if inactive:
        raise ValidationError(
            _("%(name)s is not active and cannot sit on a panel.") % {"name": inactive[0].name},
            code="members",
        )
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one panel change of a unit at a time
    same_name = ReviewPanel.objects.filter(unit=unit, name=name)
    if panel is not None:
        same_name = same_name.exclude(pk=panel.pk)
    if same_name.exists():
        raise ValidationError(
            _("%(unit)s already has a panel named “%(name)s”.") % {"unit": unit.name, "name": name},
            code="duplicate",
        )
    created = panel is None
    if panel is None:
        panel = ReviewPanel.objects.create(unit=unit, name=name)
    else:
        panel.unit, panel.name = unit, name
        panel.save(update_fields=["unit", "name", "updated_at"])
    panel.members.set(people)
    ledger.record(
        "suggestions.panel_create" if created else "suggestions.panel_change",
        panel,
        actor=actor,
        change={"unit": unit.pk, "name": name, "members": sorted(p.pk for p in people)},
    )
    return panel


# ------------------------------------------------------------------------------------------------- bands


def bands_fingerprint() -> str:
    """A digest of the award bands as they are: a bands form carries it, so that an older form is refused."""
    rows = list(AwardBand.objects.order_by("grade").values_list("grade", "name", "min_saving", "award"))
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()[:32]


def _band_rows(rows: Sequence[dict]) -> list[tuple[int, str, Decimal, Decimal]]:
    if not rows:
        raise ValidationError(_("Keep at least one award band."), code="bands")
    clean: list[tuple[int, str, Decimal, Decimal]] = []
    for row in rows:
        try:
            grade = int(row["grade"])
        except (KeyError, TypeError, ValueError):
            raise ValidationError(_("Every band needs a grade number."), code="grade") from None
        if grade < 1:
            raise ValidationError(_("Grades are numbered from 1."), code="grade")
        name = plain_text(row.get("name"), message=_("Every band needs a name."), maximum=60)
        clean.append(
            (grade, name, _money(row.get("min_saving"), _("Threshold")), _money(row.get("award"), _("Award")))
        )
    grades = [g for g, *_rest in clean]
    if len(set(grades)) != len(grades):
        raise ValidationError(_("Each grade may appear only once."), code="grade")
    clean.sort()
    for (g1, _n1, t1, _a1), (g2, _n2, t2, _a2) in zip(clean, clean[1:], strict=False):
        if t2 >= t1:
            raise ValidationError(
                _(
                    "Thresholds must decrease with the grade: grade %(g2)s needs a lower threshold than grade %(g1)s."
                )
                % {"g1": g1, "g2": g2},
                code="thresholds",
            )
    return clean


@transaction.atomic
def save_bands(*, actor: Person, rows: Sequence[dict], expected: str | None = None) -> list[AwardBand]:
    """Replace the award bands (grade, name, min_saving, award). Only managers at the top of the tree change them
    (they apply everywhere). `expected`: the `bands_fingerprint` the form was opened on (an older one is refused).
    A band already granted to a suggestion cannot be removed."""
    root = Unit.objects.get_first_root_node()
    require(actor, MANAGE_ROLES, root.path if root is not None else "")
    list(AwardBand.objects.select_for_update().order_by("pk"))
    if expected is not None and expected != bands_fingerprint():
        raise ValidationError(
            _(
                "The award bands were changed by someone else since you opened them; reload to see the changes."
            ),
            code="stale",
        )
    clean = _band_rows(rows)
    existing = {b.grade: b for b in AwardBand.objects.all()}
    removed = [b for g, b in existing.items() if g not in {row[0] for row in clean}]
    used = set(
        Suggestion.objects.filter(award_band__in=removed)
        .values_list("award_band__grade", flat=True)
        .distinct()
    )
    if used:
        raise ValidationError(
            _("Grade %(grade)s was granted to suggestions and cannot be removed; change it instead.")
            % {"grade": min(used)},
            code="band_in_use",
        )
    AwardBand.objects.filter(pk__in=[b.pk for b in removed]).delete()
    saved = []
    for grade, name, threshold, award in clean:
        band = existing.get(grade) or AwardBand(grade=grade)
        band.name, band.min_saving, band.award = name, threshold, award
        band.save()
        saved.append(band)
    ledger.record(
        "suggestions.bands",
        None,
        actor=actor,
        object_type="suggestions.awardband",
        object_id="*",
        change={"bands": [[g, n, str(t), str(a)] for g, n, t, a in clean]},
    )
    return saved
