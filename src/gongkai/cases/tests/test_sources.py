"""The sources of cases: reception days, representatives' inspections, consultation desks and their FAQ."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.cases import actions, source_actions
from gongkai.cases.choices import ConsultationTopic, SourceKind
from gongkai.cases.models import Case, FaqEntry, Inspection, ReceptionDay
from gongkai.core.access import AccessDenied


def test_a_reception_day_once_per_unit_and_day(uma, tree, english):
    day = source_actions.record_reception(
        actor=uma,
        unit=tree["MA"],
        date=dt.date(2026, 9, 25),
        place="工会接待室",
        leaders=[uma],
        people_received=9,
    )
    assert list(day.leaders.all()) == [uma]
    with pytest.raises(ValidationError, match="already has a reception on this day"):
        source_actions.record_reception(actor=uma, unit=tree["MA"], date=dt.date(2026, 9, 25))
    day = source_actions.set_people_received(day, actor=uma, people_received=12)
    assert ReceptionDay.objects.get(pk=day.pk).people_received == 12


def test_receptions_of_other_units_are_refused(uma, alice, tree):
    with pytest.raises(AccessDenied):
        source_actions.record_reception(actor=uma, unit=tree["MB"], date=dt.date(2026, 9, 25))
    with pytest.raises(AccessDenied):
        source_actions.record_reception(actor=alice, unit=tree["MA"], date=dt.date(2026, 9, 25))


def test_a_case_from_a_reception_concerns_its_unit(uma, alice, tree, english):
    day = source_actions.record_reception(actor=uma, unit=tree["MA"], date=dt.date(2026, 9, 25))
    case = actions.raise_case(
        actor=uma, raiser=alice, unit=tree["MA1"], title="班车", text="……", reception=day
    ).case
    assert case.source == SourceKind.RECEPTION
    with pytest.raises(ValidationError, match="source does not match"):
        actions.raise_case(actor=alice, unit=tree["MA1"], title="x", text="y", reception=day, source="motion")
    other_day = ReceptionDay.objects.create(unit=tree["MB"], date=dt.date(2026, 9, 25))
    with pytest.raises(ValidationError, match="unit of its source"):
        actions.raise_case(actor=alice, unit=tree["MA1"], title="x", text="y", reception=other_day)


def test_an_inspection_plan_checklist_and_report(diana, alice, tree, english):
    inspection = source_actions.plan_inspection(
        actor=diana,
        unit=tree["G"],
        title="职工代表巡视一矿",
        start_date=dt.date(2026, 9, 21),
        end_date=dt.date(2026, 9, 23),
        representatives=[alice],
        target_units=[tree["MA"]],
    )
    inspection = source_actions.record_inspection(
        inspection,
        actor=alice,
        checklist={"check_records": {"done": True, "notes": "台账齐全"}, "listen": {"done": True}},
        report="一矿公开栏更新及时。",
    )
    assert inspection.checklist["check_records"] == {"done": True, "notes": "台账齐全"}
    assert Inspection.objects.get(pk=inspection.pk).report.startswith("一矿")
    with pytest.raises(ValidationError, match="Unknown checklist items"):
        source_actions.record_inspection(inspection, actor=alice, checklist={"guess": {}})
    finding = actions.raise_case(
        actor=diana, raiser=alice, unit=tree["MA1"], title="工资条不公开", text="……", inspection=inspection
    ).case
    assert finding.source == SourceKind.INSPECTION


def test_an_inspection_ends_after_it_starts(diana, tree, english):
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        source_actions.plan_inspection(
            actor=diana,
            unit=tree["G"],
            title="x",
            start_date=dt.date(2026, 9, 2),
            end_date=dt.date(2026, 9, 1),
        )


def test_an_inspection_visits_only_units_within_scope(uma, tree, english):
    with pytest.raises(ValidationError, match="outside yours"):
        source_actions.plan_inspection(
            actor=uma,
            unit=tree["MA"],
            title="x",
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2026, 9, 1),
            target_units=[tree["MB"]],
        )


def test_a_consultation_answered_goes_on_the_faq(uma, alice, hank, depts, tree, today, english):
    desk = source_actions.open_desk(actor=uma, unit=tree["MA"], topic=ConsultationTopic.ANNUITY, staff=[hank])
    with pytest.raises(ValidationError, match="already has a desk"):
        source_actions.open_desk(actor=uma, unit=tree["MA"], topic=ConsultationTopic.ANNUITY)
    case = actions.raise_case(
        actor=alice,
        unit=tree["MA1"],
        title="年金怎么领",
        text="退休后企业年金如何领取？",
        consultation_desk=desk,
    ).case
    with pytest.raises(ValidationError, match="Only an answered question"):
        source_actions.promote_to_faq(case, actor=hank, question="q", answer="a")
    actions.accept(case, actor=uma)
    actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank)
    actions.reply(case, actor=hank, text="退休时可一次或按月领取。")
    entry = source_actions.promote_to_faq(
        case, actor=hank, question="退休后企业年金如何领取？", answer="可一次领取或按月领取。"
    )
    assert entry.desk == desk and FaqEntry.objects.count() == 1
    with pytest.raises(ValidationError, match="already on the FAQ"):
        source_actions.promote_to_faq(case, actor=uma, question="q", answer="a")
    assert Case.objects.get(pk=case.pk).faq_entry == entry
