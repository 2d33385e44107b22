"""The sources of cases, other than motions (see `motion_actions.py`): reception days, representatives'
inspections and consultation desks, and the consultation FAQ. Cases themselves are raised from them through
`actions.raise_case`, with the source record given.

The union and the leading group of a unit (roles reach down the tree) run its receptions, inspections and desks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.core.access import AccessDenied, get_scope, require
from gongkai.org.models import Person, Unit

from .actions import MANAGE_ROLES, NOTE_MAX, TEXT_MAX, TITLE_MAX, clean_text
from .choices import CHECKLIST_KEYS, CaseStatus, ConsultationTopic, SourceKind
from .models import Case, ConsultationDesk, FaqEntry, Inspection, ReceptionDay

PLACE_MAX = 200
REPORT_MAX = 50000


def _active(people: Iterable[Person]) -> list[Person]:
    chosen = list({p.pk: p for p in people}.values())
    inactive = [p.name for p in chosen if not p.is_active]
    if inactive:
        raise ValidationError(
            _("These people are no longer active: %(names)s.") % {"names": "、".join(inactive)},
            code="inactive",
        )
    return chosen


@transaction.atomic
def record_reception(
    *,
    actor: Person,
    unit: Unit,
    date: dt.date,
    place: str = "",
    leaders: Iterable[Person] = (),
    people_received: int = 0,
) -> ReceptionDay:
    """Schedule or record a reception day (民主接待) of a unit: where, which leaders are on duty, how many
    people came (the count can be corrected later with `set_people_received`)."""
    require(actor, MANAGE_ROLES, unit.path)
    place = clean_text(place, message="", maximum=PLACE_MAX, required=False)
    if people_received < 0:
        raise ValidationError(_("The number of people received cannot be negative."), code="count")
    on_duty = _active(leaders)
    try:
        with transaction.atomic():
            day = ReceptionDay.objects.create(
                unit=unit, date=date, place=place, people_received=people_received
            )
    except IntegrityError as exc:
        raise ValidationError(_("This unit already has a reception on this day."), code="duplicate") from exc
    day.leaders.set(on_duty)
    ledger.record(
        "cases.record_reception",
        day,
        actor=actor,
        change={
            "unit": unit.code,
            "date": date.isoformat(),
            "place": place,
            "leaders": sorted(p.pk for p in on_duty),
            "people_received": people_received,
        },
    )
    return day


@transaction.atomic
def set_people_received(day: ReceptionDay, *, actor: Person, people_received: int) -> ReceptionDay:
    """Correct the count of people received at a reception day."""
    day = ReceptionDay.objects.select_for_update(of=("self",)).select_related("unit").get(pk=day.pk)
    require(actor, MANAGE_ROLES, day.unit.path)
    if people_received < 0:
        raise ValidationError(_("The number of people received cannot be negative."), code="count")
    before = day.people_received
    day.people_received = people_received
    day.save(update_fields=["people_received", "updated_at"])
    ledger.record(
        "cases.set_people_received", day, actor=actor, change={"before": before, "after": people_received}
    )
    return day


@transaction.atomic
def plan_inspection(
    *,
    actor: Person,
    unit: Unit,
    title: str,
    start_date: dt.date,
    end_date: dt.date,
    representatives: Iterable[Person] = (),
    target_units: Iterable[Unit] = (),
) -> Inspection:
    """Plan a representatives' inspection (视察调研): who goes, which units they visit, when."""
    scope = require(actor, MANAGE_ROLES, unit.path)
    title = " ".join(clean_text(title, message=_("An inspection needs a title."), maximum=TITLE_MAX).split())
    if end_date < start_date:
        raise ValidationError(_("The inspection cannot end before it starts."), code="dates")
    targets = list({u.pk: u for u in target_units}.values())
    outside = [u.name for u in targets if not scope.has_any_role(MANAGE_ROLES, u.path)]
    if outside:
        raise ValidationError(
            _("These units are outside yours: %(names)s.") % {"names": "、".join(outside)}, code="scope"
        )
    team = _active(representatives)
    inspection = Inspection.objects.create(unit=unit, title=title, start_date=start_date, end_date=end_date)
    inspection.representatives.set(team)
    inspection.target_units.set(targets)
    ledger.record(
        "cases.plan_inspection",
        inspection,
        actor=actor,
        change={
            "unit": unit.code,
            "title": title,
            "start": start_date.isoformat(),
            "end": end_date.isoformat(),
            "representatives": sorted(p.pk for p in team),
            "targets": sorted(u.code for u in targets),
        },
    )
    return inspection


def _checklist(checklist: Mapping) -> dict:
    unknown = set(checklist) - set(CHECKLIST_KEYS)
    if unknown:
        raise ValidationError(_("Unknown checklist items: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
    cleaned = {}
    for key in CHECKLIST_KEYS:
        if key in checklist:
            value = checklist[key] or {}
            if not isinstance(value, Mapping):
                raise ValidationError(_("Each checklist item is done or not, with notes."), code="checklist")
            cleaned[key] = {
                "done": bool(value.get("done")),
                "notes": clean_text(
                    str(value.get("notes", "")), message="", maximum=NOTE_MAX, required=False
                ),
            }
    return cleaned


@transaction.atomic
def record_inspection(
    inspection: Inspection, *, actor: Person, checklist: Mapping | None = None, report: str | None = None
) -> Inspection:
    """Record the checklist (三查一听一看) and the report of an inspection: by its representatives or by the union
    and leading group of its unit. Findings become cases through `raise_case(inspection=...)`."""
    inspection = (
        Inspection.objects.select_for_update(of=("self",)).select_related("unit").get(pk=inspection.pk)
    )
    is_member = inspection.representatives.filter(pk=actor.pk).exists()
    if not is_member and not get_scope(actor).has_any_role(MANAGE_ROLES, inspection.unit.path):
        raise AccessDenied(MANAGE_ROLES)
    fields = []
    if checklist is not None:
        inspection.checklist = {**inspection.checklist, **_checklist(checklist)}
        fields.append("checklist")
    if report is not None:
        inspection.report = clean_text(report, message="", maximum=REPORT_MAX, required=False)
        fields.append("report")
    if not fields:
        raise ValidationError(_("Nothing to record."), code="empty")
    inspection.save(update_fields=[*fields, "updated_at"])
    ledger.record(
        "cases.record_inspection",
        inspection,
        actor=actor,
        change={"checklist": inspection.checklist, "report_chars": len(inspection.report)},
    )
    return inspection


@transaction.atomic
def open_desk(*, actor: Person, unit: Unit, topic: str, staff: Iterable[Person] = ()) -> ConsultationDesk:
    """Open a consultation desk (咨询站) of a unit on a topic (annuity, housing fund, social insurance …)."""
    require(actor, MANAGE_ROLES, unit.path)
    if topic not in ConsultationTopic.values:
        raise ValidationError(_("Unknown topic."), code="topic")
    people = _active(staff)
    try:
        with transaction.atomic():
            desk = ConsultationDesk.objects.create(unit=unit, topic=topic)
    except IntegrityError as exc:
        raise ValidationError(_("This unit already has a desk on this topic."), code="duplicate") from exc
    desk.staff.set(people)
    ledger.record(
        "cases.open_desk",
        desk,
        actor=actor,
        change={"unit": unit.code, "topic": topic, "staff": sorted(p.pk for p in people)},
    )
    return desk


ANSWERED = (CaseStatus.REPLIED, CaseStatus.RATED, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED)


@transaction.atomic
def promote_to_faq(case: Case, *, actor: Person, question: str, answer: str) -> FaqEntry:
    """Put an answered consultation question on the desk's public FAQ. The question and answer are written
    afresh by the desk's staff (or the union), so that the FAQ names nobody."""
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("consultation_desk__unit").get(pk=case.pk)
    )
    desk = case.consultation_desk
    if case.source != SourceKind.CONSULTATION or desk is None:
        raise ValidationError(
            _("Only a question asked at a consultation desk can go on its FAQ."), code="source"
        )
    is_staff = desk.staff.filter(pk=actor.pk).exists()
    if not is_staff and not get_scope(actor).has_any_role(MANAGE_ROLES, desk.unit.path):
        raise AccessDenied(MANAGE_ROLES)
    if case.status not in ANSWERED:
        raise ValidationError(_("Only an answered question can go on the FAQ."), code="status")
    if FaqEntry.objects.filter(case=case).exists():
        raise ValidationError(_("This question is already on the FAQ."), code="duplicate")
    question = clean_text(question, message=_("Write the question."), maximum=TEXT_MAX)
    answer = clean_text(answer, message=_("Write the answer."), maximum=TEXT_MAX)
    entry = FaqEntry.objects.create(
        desk=desk, case=case, question=question, answer=answer, published_by=actor
    )
    ledger.record("cases.promote_to_faq", entry, actor=actor, change={"desk": desk.pk, "case": case.pk})
    return entry
