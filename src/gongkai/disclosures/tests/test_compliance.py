"""Compliance: states computed in SQL, the dashboard per level (scoped, fixed query count), its .xlsx export,
the drill-down to an item, my schedule and the home panels."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.core.choices import Role
from gongkai.disclosures import compliance
from gongkai.disclosures.choices import Compliance
from gongkai.disclosures.models import Disclosure, DisclosureVersion, ScheduleEntry
from gongkai.org.models import RoleAssignment, Unit

D = dt.date


def _entry(unit, item, end, due, published=None, responsible=None, period=None):
    start = end.replace(day=1)
    return ScheduleEntry.objects.create(
        unit=unit,
        item=item,
        period=period or f"{end:%Y-%m}",
        period_start=start,
        period_end=end,
        due_date=due,
        published_on=published,
        responsible=responsible,
    )


def test_the_state_is_computed_from_due_date_and_publication(tree, wages):
    ma = tree["MA"]
    today = D(2026, 5, 1)
    on_time = _entry(ma, wages, D(2026, 1, 31), D(2026, 2, 10), published=D(2026, 2, 10), period="a")
    late = _entry(ma, wages, D(2026, 2, 28), D(2026, 3, 10), published=D(2026, 3, 11), period="b")
    missing = _entry(ma, wages, D(2026, 3, 31), D(2026, 4, 30), period="c")
    due_today = _entry(ma, wages, D(2026, 4, 30), D(2026, 5, 1), period="d")
    early = _entry(ma, wages, D(2026, 4, 30), D(2026, 5, 10), published=D(2026, 4, 20), period="e")
    states = dict(
        ScheduleEntry.objects.annotate(state=compliance.compliance_state(today)).values_list("pk", "state")
    )
    assert states == {
        on_time.pk: Compliance.ON_TIME,
        late.pk: Compliance.LATE,
        missing.pk: Compliance.MISSING,
        due_today.pk: Compliance.PENDING,
        early.pk: Compliance.ON_TIME,
    }
    # the day after, what was due today is missing
    assert (
        ScheduleEntry.objects.annotate(state=compliance.compliance_state(D(2026, 5, 2)))
        .get(pk=due_today.pk)
        .state
        == Compliance.MISSING
    )


@pytest.fixture
def year_of_entries(tree, wages):
    """2025: MA 3 months (on time, late, missing), MA1 1 missing (March), MB 2 on time, G 1 on time (Dec)."""
    e = _entry
    e(tree["MA"], wages, D(2025, 1, 31), D(2025, 2, 10), published=D(2025, 2, 9))
    e(tree["MA"], wages, D(2025, 2, 28), D(2025, 3, 10), published=D(2025, 3, 20))
    e(tree["MA"], wages, D(2025, 3, 31), D(2025, 4, 10))
    e(tree["MA1"], wages, D(2025, 3, 31), D(2025, 4, 5))
    e(tree["MB"], wages, D(2025, 1, 31), D(2025, 2, 10), published=D(2025, 2, 1))
    e(tree["MB"], wages, D(2025, 2, 28), D(2025, 3, 10), published=D(2025, 3, 1))
    e(tree["G"], wages, D(2025, 12, 31), D(2026, 1, 10), published=D(2026, 1, 2), period="2025")
    return D(2026, 3, 1)


def test_heat_map_counts_each_child_subtree_by_month(gina, tree, year_of_entries):
    heat = compliance.heatmap(gina, tree["G"], 2025, year_of_entries)
    rows = {(r.unit.code, r.own): r for r in heat.rows}
    assert list(rows) == [("G", True), ("MA", False), ("MB", False)]
    ma = rows[("MA", False)]
    assert ma.months[1].as_list() == [1, 0, 0, 0]
    assert ma.months[2].as_list() == [0, 1, 0, 0]
    assert ma.months[3].as_list() == [0, 0, 2, 0]  # MA's own and MA1's
    assert (ma.total.as_list(), ma.total.rate) == ([1, 1, 2, 0], 25.0)
    assert rows[("MB", False)].total.rate == 100.0
    assert rows[("G", True)].months[12].as_list() == [1, 0, 0, 0]
    assert heat.total.total.as_list() == [4, 1, 2, 0]
    # colour by on-time rate band: March 0 of 2 on time, January 1 of 1
    assert heat.total.months[3].level == "r0" and heat.total.months[1].level == "r95"
    # one level down: MA's own row and its section
    rows = {
        (r.unit.code, r.own): r.total.as_list()
        for r in compliance.heatmap(gina, tree["MA"], 2025, year_of_entries).rows
    }
    assert rows == {("MA", True): [1, 1, 1, 0], ("MA1", False): [0, 0, 1, 0]}


def test_late_now_is_oldest_first_and_per_subtree(gina, tree, year_of_entries):
    late = list(compliance.late_now(gina, tree["G"], year_of_entries))
    assert [(e.unit.code, e.due_date) for e in late] == [("MA1", D(2025, 4, 5)), ("MA", D(2025, 4, 10))]
    assert late[0].state == Compliance.MISSING and late[0].disclosure_status is None
    assert not compliance.late_now(gina, tree["MB"], year_of_entries).exists()


def test_by_item_and_item_entries(gina, tree, wages, year_of_entries):
    [(item, counts)] = compliance.by_item(gina, tree["G"], 2025, year_of_entries)
    assert item == wages and counts.as_list() == [4, 1, 2, 0]
    entries = compliance.item_entries(gina, tree["MA"], wages, 2025, year_of_entries)
    assert [e.unit.code for e in entries] == ["MA", "MA", "MA", "MA1"]
    own = compliance.item_entries(gina, tree["MA"], wages, 2025, year_of_entries, own_only=True)
    assert own.count() == 3


# ----------------------------------------------------------------------------------- who sees which dashboard


def _dash(unit, year=2025):
    return reverse("disclosures:compliance_unit", args=[unit.pk]) + f"?year={year}"


def test_employees_see_no_dashboard(client, alice, bob, tree, year_of_entries):
    for person in (alice, bob):
        client.force_login(person)
        assert client.get(reverse("disclosures:compliance")).status_code == 403
        for code in ("G", "MA", "MB"):
            assert client.get(_dash(tree[code])).status_code == 404


def test_sibling_units_see_nothing_of_each_other(client, alice, bob, tree, wages, year_of_entries):
    _entry(tree["MB1"], wages, D(2025, 5, 31), D(2025, 6, 10))
    RoleAssignment.objects.create(person=alice, unit=tree["MA1"], role=Role.LEADING_GROUP)
    RoleAssignment.objects.create(person=bob, unit=tree["MB1"], role=Role.LEADING_GROUP)
    client.force_login(alice)
    assert client.get(_dash(tree["MB1"])).status_code == 404
    response = client.get(_dash(tree["MA1"]))
    assert response.status_code == 200
    assert "掘进一区" not in response.content.decode()
    assert [e.unit.code for e in response.context["late"].object_list] == ["MA1"]
    client.force_login(bob)
    assert client.get(_dash(tree["MA1"])).status_code == 404
    assert [e.unit.code for e in client.get(_dash(tree["MB1"])).context["late"].object_list] == ["MB1"]


def test_a_leading_group_member_of_a_mine_sees_that_mine_only(client, leo, tree, wages, year_of_entries):
    client.force_login(leo)
    response = client.get(reverse("disclosures:compliance") + "?year=2025")
    assert response.status_code == 302 and response["Location"] == _dash(tree["MA"])
    body = client.get(_dash(tree["MA"])).content.decode()
    assert "综采一区" in body and "二矿" not in body
    for code in ("G", "MB", "MB1"):
        assert client.get(_dash(tree[code])).status_code == 404
    assert client.get(reverse("disclosures:compliance_export", args=[tree["MB"].pk])).status_code == 404
    item_url = reverse("disclosures:compliance_item", args=[tree["MB"].pk, wages.pk])
    assert client.get(item_url).status_code == 404


def test_group_roles_see_the_whole_group(client, gina, diana, root, tree, year_of_entries):
    for person in (gina, diana, root):
        client.force_login(person)
        response = client.get(_dash(tree["G"]))
        assert response.status_code == 200
        assert response.context["heatmap"].total.total.as_list() == [4, 1, 2, 0]


# ----------------------------------------------------------------------------------- fixed query counts


def _many_entries(tree, wages, n_units):
    g = Unit.objects.get(code="G")
    created = []
    for i in range(n_units):
        unit = Unit.objects.add_child(
            Unit.objects.get(pk=g.pk), {"code": f"X{i:02d}", "name": f"新矿{i}", "kind": "mine"}
        )
        created.append(unit)
    rows = []
    for unit in created:
        for month in range(1, 13):
            end = (D(2025, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            published = end + dt.timedelta(days=month % 3 * 6) if month % 4 else None
            rows.append(
                ScheduleEntry(
                    unit=unit,
                    item=wages,
                    period=f"2025-{month:02d}",
                    period_start=end.replace(day=1),
                    period_end=end,
                    due_date=end + dt.timedelta(days=10),
                    published_on=published,
                )
            )
    ScheduleEntry.objects.bulk_create(rows)


@pytest.mark.parametrize("page", ["dashboard", "item", "mine", "export"])
def test_pages_cost_a_fixed_number_of_queries(client, gina, olga, tree, wages, year_of_entries, page):
    urls = {
        "dashboard": (gina, _dash(tree["G"])),
        "item": (gina, reverse("disclosures:compliance_item", args=[tree["G"].pk, wages.pk]) + "?year=2025"),
        "mine": (olga, reverse("disclosures:my_schedule")),
        "export": (gina, reverse("disclosures:compliance_export", args=[tree["G"].pk]) + "?year=2025"),
    }
    person, url = urls[page]
    ScheduleEntry.objects.filter(unit__code="MA").update(responsible=olga)
    client.force_login(person)
    client.get(url)
    cache.clear()  # the dashboard's figures are cached: compare the cost of computing them
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _many_entries(tree, wages, 12)
    ScheduleEntry.objects.filter(published_on__isnull=True).update(responsible=olga)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    if page == "dashboard":
        assert len(response.context["heatmap"].rows) == 15 and response.context["late"].paginator.count > 30
    assert len(few) == len(many)


def test_the_figures_are_cached_until_something_is_published(
    client, gina, olga, tree, wages, year_of_entries
):
    cache.clear()
    client.force_login(gina)
    url = _dash(tree["G"])
    with CaptureQueriesContext(connection) as computed:
        client.get(url)
    with CaptureQueriesContext(connection) as cached:
        response = client.get(url)
    assert len(cached) < len(computed)
    assert response.context["heatmap"].total.total.as_list() == [4, 1, 2, 0]
    assert response.context["late"].paginator.count == 2
    # a publication, as the approve action does it: the entry's date of publication and a published version
    entry = ScheduleEntry.objects.get(unit__code="MA1")
    ScheduleEntry.objects.filter(pk=entry.pk).update(published_on=D(2025, 5, 1))
    disclosure = Disclosure.objects.create(
        unit=tree["MA1"], audience=tree["MA1"], category=wages.category, draft_title="t", created_by=olga
    )
    DisclosureVersion.objects.create(
        disclosure=disclosure,
        number=1,
        title="t",
        body="b",
        unit_code="MA1",
        audience_code="MA1",
        category_code=wages.category.code,
        published_at=timezone.now(),
        published_by=olga,
        approved_by=gina,
    )
    response = client.get(url)
    assert response.context["heatmap"].total.total.as_list() == [4, 2, 1, 0]
    assert response.context["late"].paginator.count == 1


# ----------------------------------------------------------------------------------- export


def test_the_export_opens_and_has_the_numbers_of_the_page(client, gina, tree, year_of_entries):
    client.force_login(gina)
    response = client.get(reverse("disclosures:compliance_export", args=[tree["G"].pk]) + "?year=2025")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    heat, late = wb.worksheets
    rows = list(heat.iter_rows(values_only=True))
    by_code = {r[0]: r for r in rows[3:]}
    ma = by_code["MA"]
    assert ma[1] == "一矿"
    assert list(ma[2:6]) == [1, 0, 0, 0]  # January
    assert list(ma[10:14]) == [0, 0, 2, 0]  # March: 2 missing
    assert list(ma[50:54]) == [1, 1, 2, 0] and ma[54] == 25.0  # the year and the on-time rate
    total = rows[-1]
    assert list(total[50:54]) == [4, 1, 2, 0]
    late_rows = list(late.iter_rows(values_only=True))[1:]
    assert [(r[2], r[1]) for r in late_rows] == [
        ("MA1", (timezone.localdate() - D(2025, 4, 5)).days),
        ("MA", (timezone.localdate() - D(2025, 4, 10)).days),
    ]


# ----------------------------------------------------------------------------------- my schedule and panels


def test_my_schedule_and_the_home_panels(client, olga, leo, tree, wages):
    today = timezone.localdate()
    jan = D(today.year, 1, 1)  # periods of this year, due dates around today

    def due(days):
        return today + dt.timedelta(days=days)

    _entry(tree["MA"], wages, jan, due(-5), responsible=olga, period="p1")
    _entry(tree["MA"], wages, jan, due(2), responsible=olga, period="p2")
    _entry(tree["MA"], wages, jan, due(2), period="p3")  # nobody's
    _entry(tree["MA"], wages, jan, due(-30), published=due(-31), responsible=olga, period="p4")
    client.force_login(olga)
    page = client.get(reverse("disclosures:my_schedule"))
    assert [e.period for e in page.context["page"].object_list] == ["p1", "p2"]
    home = client.get(reverse("home")).content.decode()
    assert reverse("disclosures:my_schedule") in home
    client.force_login(leo)
    home = client.get(reverse("home"))
    panels = {str(p.title): p for p in home.context["panels"]}
    summary = next(p for p in panels.values() if p.template.endswith("panel_summary.html"))
    assert summary.context["counts"].as_list()[:3] == [1, 0, 1]
