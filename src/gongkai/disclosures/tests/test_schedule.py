"""Schedules from the catalog: periods and due dates, idempotent bulk generation, responsible people."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.core.models import Notification
from gongkai.disclosures.catalog_actions import assign_responsible, generate_schedule, period_bounds
from gongkai.disclosures.choices import Form, Frequency
from gongkai.disclosures.models import CatalogItem, ScheduleEntry
from gongkai.org.models import Person, RoleAssignment, Unit

D = dt.date


def test_period_bounds_of_each_frequency():
    months = period_bounds(Frequency.MONTHLY, 2028)
    assert len(months) == 12
    assert months[1] == ("2028-02", D(2028, 2, 1), D(2028, 2, 29))  # a leap year
    assert period_bounds(Frequency.QUARTERLY, 2026)[1] == ("2026-Q2", D(2026, 4, 1), D(2026, 6, 30))
    assert period_bounds(Frequency.HALF_YEARLY, 2026) == [
        ("2026-H1", D(2026, 1, 1), D(2026, 6, 30)),
        ("2026-H2", D(2026, 7, 1), D(2026, 12, 31)),
    ]
    assert period_bounds(Frequency.YEARLY, 2026) == [("2026", D(2026, 1, 1), D(2026, 12, 31))]
    assert period_bounds(Frequency.ON_EVENT, 2026) == []


def _item(wages, code, frequency, due_days, kinds=("mine",), role=Role.DISCLOSURE_OFFICER, **extra):
    return CatalogItem.objects.create(
        category=wages.category,
        code=code,
        title=f"事项{code}",
        unit_kinds=list(kinds),
        frequency=frequency,
        forms=[Form.WEB],
        responsible_role=role,
        due_days=due_days,
        **extra,
    )


def test_generation_creates_each_period_of_each_unit_with_its_due_date(tree, wages):
    _item(wages, "Q", Frequency.QUARTERLY, 15)
    _item(wages, "H", Frequency.HALF_YEARLY, 20, kinds=("mine", "section"))
    _item(wages, "Y", Frequency.YEARLY, 30, kinds=("group",))
    _item(wages, "E", Frequency.ON_EVENT, 5, kinds=("mine", "group", "section"))
    created = generate_schedule(None, None, 2026)
    # wages (monthly, mines): 2 × 12; Q: 2 × 4; H: (2 mines + 2 sections) × 2; Y: the group once; E: none
    assert created == 24 + 8 + 8 + 1 == ScheduleEntry.objects.count()
    due = {
        (e.unit.code, e.item.code, e.period): e.due_date
        for e in ScheduleEntry.objects.select_related("unit", "item")
    }
    assert due[("MA", "C03-01", "2026-02")] == D(2026, 3, 10)
    assert due[("MB", "C03-01", "2026-12")] == D(2027, 1, 10)
    assert due[("MA", "Q", "2026-Q1")] == D(2026, 4, 15)
    assert due[("MA1", "H", "2026-H2")] == D(2027, 1, 20)
    assert due[("G", "Y", "2026")] == D(2027, 1, 30)
    assert not ScheduleEntry.objects.filter(item__code="E").exists()
    entry = ScheduleEntry.objects.get(unit__code="MA", item__code="Q", period="2026-Q2")
    assert (entry.period_start, entry.period_end) == (D(2026, 4, 1), D(2026, 6, 30))


def test_generation_is_idempotent(tree, wages):
    assert generate_schedule(None, None, 2026) == 24
    assert generate_schedule(None, None, 2026) == 0
    assert ScheduleEntry.objects.count() == 24
    assert generate_schedule(None, None, 2027) == 24


def test_inactive_items_categories_and_units_get_no_entries(tree, wages):
    _item(wages, "OFF", Frequency.MONTHLY, 5, active=False)
    Unit.objects.filter(code="MB").update(active=False)
    assert generate_schedule(None, None, 2026) == 12  # wages for MA only
    wages.category.active = False
    wages.category.save()
    ScheduleEntry.objects.all().delete()
    assert generate_schedule(None, None, 2026) == 0


def test_generation_for_a_unit_covers_its_subtree_only(tree, wages):
    _item(wages, "S", Frequency.QUARTERLY, 5, kinds=("section",))
    assert generate_schedule(None, tree["MA"], 2026) == 12 + 4
    assert set(ScheduleEntry.objects.values_list("unit__code", flat=True)) == {"MA", "MA1"}


def test_the_responsible_person_is_the_role_holder_on_the_unit(tree, wages, olga, leo):
    _item(wages, "LG", Frequency.YEARLY, 30, role=Role.LEADING_GROUP)
    generate_schedule(None, None, 2026)
    ma = ScheduleEntry.objects.filter(unit__code="MA")
    assert set(ma.filter(item=wages).values_list("responsible", flat=True)) == {olga.pk}
    assert ma.get(item__code="LG").responsible == leo
    # 二矿 has no disclosure officer: unassigned, not someone from elsewhere
    assert set(ScheduleEntry.objects.filter(unit__code="MB").values_list("responsible", flat=True)) == {None}


def test_a_holder_appointed_later_is_filled_in_by_the_next_run(tree, wages, bob):
    generate_schedule(None, None, 2026)
    mb = ScheduleEntry.objects.filter(unit__code="MB")
    mb.filter(period="2026-01").update(published_on=D(2026, 2, 5))
    RoleAssignment.objects.create(person=bob, unit=tree["MB"], role=Role.DISCLOSURE_OFFICER)
    assert generate_schedule(None, None, 2026) == 0
    assert mb.filter(responsible=bob).count() == 11
    assert mb.get(period="2026-01").responsible is None  # published already: left as it was


def test_who_may_generate(tree, wages, alice, leo, charlie, root):
    with pytest.raises(AccessDenied):
        generate_schedule(alice, tree["MA"], 2026)
    with pytest.raises(AccessDenied):
        generate_schedule(leo, tree["MB"], 2026)
    with pytest.raises(AccessDenied):
        generate_schedule(charlie, None, 2026)  # the whole group needs a group administrator
    assert generate_schedule(leo, tree["MA"], 2026) == 12
    assert generate_schedule(charlie, tree["MA"], 2026) == 0
    assert generate_schedule(root, None, 2026) == 12
    with pytest.raises(ValidationError):
        generate_schedule(root, None, 20260)


def _more_mines(tree, n):
    for i in range(n):
        mine = Unit.objects.add_child(
            Unit.objects.get(code="G"), {"code": f"M{i:03d}", "name": f"第{i}矿", "kind": "mine"}
        )
        p = Person.objects.create(employee_no=f"DO{i:03d}", name=f"公开员{i}", unit=mine)
        RoleAssignment.objects.create(person=p, unit=mine, role=Role.DISCLOSURE_OFFICER)


def _split(queries):
    """(inserts of schedule entries, every other query)"""
    sql = [q["sql"] for q in queries.captured_queries]
    inserts = [s for s in sql if s.startswith("INSERT") and 'INTO "disclosures_scheduleentry"' in s]
    return len(inserts), len(sql) - len(inserts)


def test_generation_costs_the_same_queries_for_few_or_many_units(tree, wages, olga):
    generate_schedule(None, None, 2025)  # warm up (the ledger's head row)
    with CaptureQueriesContext(connection) as few:
        generate_schedule(None, None, 2026)
    _more_mines(tree, 25)
    with CaptureQueriesContext(connection) as many:
        created = generate_schedule(None, None, 2027)
    assert created == 27 * 12
    few_inserts, few_other = _split(few)
    many_inserts, many_other = _split(many)
    assert many_other == few_other  # reads, updates and the ledger: the same whatever the number of units
    assert many_inserts <= 1 + created // 100  # bulk inserts of at least 100 rows (SQLite's parameter limit)
    assert ScheduleEntry.objects.filter(unit__code="M007", responsible__employee_no="DO007").count() == 12


def test_generate_schedule_command(tree, wages, capsys):
    call_command("generate_schedule", "--year", "2026", "--unit", "MB")
    assert "12 schedule entries created for 2026" in capsys.readouterr().out
    assert set(ScheduleEntry.objects.values_list("unit__code", flat=True)) == {"MB"}


# ----------------------------------------------------------------------------------- naming a responsible person


def test_the_leading_group_names_a_responsible_person(tree, wages, leo, alice):
    generate_schedule(None, None, 2026)
    entry = ScheduleEntry.objects.get(unit__code="MA", period="2026-03")
    ScheduleEntry.objects.filter(unit__code="MA", period="2026-06").update(published_on=D(2026, 7, 1))
    changed = assign_responsible(actor=leo, entry=entry, person=alice, following=True)
    assert changed == 9  # March to December, except June published already
    assert ScheduleEntry.objects.filter(unit__code="MA", responsible=alice).count() == 9
    assert ScheduleEntry.objects.get(unit__code="MA", period="2026-02").responsible is None
    note = Notification.objects.get(person=alice)
    assert note.key == f"disclosures.assigned.{entry.pk}" and "工资奖金分配" in note.title


def test_naming_a_responsible_person_is_checked(tree, wages, leo, alice, bob, olga):
    generate_schedule(None, None, 2026)
    ma = ScheduleEntry.objects.get(unit__code="MA", period="2026-03")
    mb = ScheduleEntry.objects.get(unit__code="MB", period="2026-03")
    with pytest.raises(AccessDenied):
        assign_responsible(actor=leo, entry=mb, person=bob)  # not leo's unit
    with pytest.raises(AccessDenied):
        assign_responsible(actor=olga, entry=ma, person=alice)  # officers do not assign
    with pytest.raises(ValidationError):
        assign_responsible(actor=leo, entry=ma, person=bob)  # bob works in 二矿
    ScheduleEntry.objects.filter(pk=ma.pk).update(published_on=D(2026, 4, 2))
    with pytest.raises(ValidationError):
        assign_responsible(actor=leo, entry=ma, person=alice)
    assert not ScheduleEntry.objects.filter(responsible__in=[alice, bob]).exists()


def test_assign_page(client, tree, wages, leo, alice, bob):
    generate_schedule(None, None, 2026)
    entry = ScheduleEntry.objects.get(unit__code="MA", period="2026-03")
    client.force_login(leo)
    url = reverse("disclosures:schedule_assign", args=[entry.pk])
    client.post(url, {"employee_no": bob.employee_no})
    assert ScheduleEntry.objects.get(pk=entry.pk).responsible is None
    response = client.post(url, {"employee_no": alice.employee_no})
    assert response.status_code == 302
    assert ScheduleEntry.objects.get(pk=entry.pk).responsible == alice
    assert ScheduleEntry.objects.get(unit__code="MA", period="2026-04").responsible is None  # this one only
    client.force_login(bob)
    assert client.post(url, {"employee_no": bob.employee_no}).status_code == 404
