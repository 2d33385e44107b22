"""The union's cases dashboard: figures per child unit (over subtrees) and per handler, average working days to
reply (holidays counted out), satisfaction rate, drill-down, .xlsx export, scopes and fixed query counts."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.cases import actions, dashboard
from gongkai.cases.choices import CaseStatus, Satisfaction
from gongkai.cases.models import Case
from gongkai.conftest import _person
from gongkai.core import workdays
from gongkai.core.choices import Role
from gongkai.org.models import RoleAssignment, Unit

TODAY = dt.date(2026, 9, 25)


def at(day, hour=10):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def ursula(tree):
    """union on 二矿 (MB)."""
    p = _person("B300", "乌苏拉", tree["MB"])
    RoleAssignment.objects.create(person=p, unit=tree["MB"], role=Role.UNION)
    return p


def _case(raiser, unit, manager, dept, handler, title="问题"):
    case = actions.raise_case(actor=raiser, unit=unit, title=title, text="…").case
    actions.accept(case, actor=manager)
    return actions.assign(case, actor=manager, handling_unit=dept, handler=handler)


def _timed(assigned_at, replied_at):
    """The columns `actions.reply` writes, for cases stored behind its back."""
    days = workdays.working_days_taken(assigned_at, replied_at) if replied_at else None
    return {"assigned_at": assigned_at, "replied_at": replied_at, "reply_working_days": days}


@pytest.fixture
def figures(tree, depts, alice, bob, uma, hank, henri, diana, today):
    """一矿: four cases handled by hank — two replied (5 and 6 working days; the second over the National Day
    holiday), rated satisfied and dissatisfied-then-closed; one open and overdue; one open in time.
    二矿: one open case handled by henri."""
    ma = [_case(alice, tree["MA1"], uma, depts["MAHR"], hank, title=f"一矿问题{i}") for i in range(4)]
    Case.objects.filter(pk=ma[0].pk).update(
        status=CaseStatus.RATED,
        **_timed(at(dt.date(2026, 9, 1)), at(dt.date(2026, 9, 8))),
        satisfaction=Satisfaction.SATISFIED,
    )
    Case.objects.filter(pk=ma[1].pk).update(
        status=CaseStatus.CLOSED,
        # late evening: still the 12th in Shanghai
        **_timed(at(dt.date(2026, 9, 28)), at(dt.date(2026, 10, 12), hour=23)),
        satisfaction=Satisfaction.DISSATISFIED,
    )
    Case.objects.filter(pk=ma[2].pk).update(due_date=TODAY - dt.timedelta(days=2))
    mb = _case(bob, tree["MB1"], diana, depts["MBHR"], henri, title="二矿问题")
    return {"ma": ma, "mb": mb}


def test_figures_per_child_subtree_and_per_handler(diana, tree, figures, hank, henri):
    data = dashboard.dashboard(diana, Unit.objects.get(pk=tree["G"].pk), TODAY)
    rows = {line.unit.code: line.figures for line in data.units}
    assert set(rows) == {"MA", "MB"}
    ma, mb = rows["MA"], rows["MB"]
    assert (ma.total, ma.open, ma.overdue, ma.replied, ma.rated, ma.satisfied) == (4, 2, 1, 2, 2, 1)
    assert ma.avg_reply_days == 5.5  # (5 + 6) / 2: the National Day holiday is not counted
    assert ma.satisfaction_rate == 50.0
    assert (mb.total, mb.open, mb.overdue, mb.avg_reply_days, mb.satisfaction_rate) == (1, 1, 0, None, None)
    assert (data.total.total, data.total.open, data.total.avg_reply_days) == (5, 3, 5.5)
    handlers = {line.handler.pk: line.figures for line in data.handlers}
    assert handlers[hank.pk].open == 2 and handlers[hank.pk].avg_reply_days == 5.5
    assert handlers[henri.pk].total == 1
    # a mine's own dashboard: its sections as rows
    data = dashboard.dashboard(diana, Unit.objects.get(pk=tree["MA"].pk), TODAY)
    assert [line.unit.code for line in data.units] == ["MA1", "MAHR"]
    assert data.units[0].figures.total == 4


def test_a_reply_stores_its_working_days(tree, depts, alice, uma, hank):
    """From the local day of assignment (not counted) to the local day of the reply (counted), holidays and
    weekends out; a reopened case replied again is timed to its latest reply."""
    assert workdays.working_days_taken(at(dt.date(2026, 9, 1)), at(dt.date(2026, 9, 8))) == 5
    late = at(dt.date(2026, 10, 12), hour=23)  # 15:00 UTC, but the 12th in Shanghai
    assert workdays.working_days_taken(at(dt.date(2026, 9, 28)), late) == 6  # over the National Day holiday
    assert workdays.working_days_taken(at(dt.date(2026, 9, 4), hour=8), at(dt.date(2026, 9, 4), hour=17)) == 0
    case = _case(alice, tree["MA1"], uma, depts["MAHR"], hank)
    assert case.reply_working_days is None
    Case.objects.filter(pk=case.pk).update(assigned_at=at(dt.date(2026, 9, 1)))
    case = actions.reply(Case.objects.get(pk=case.pk), actor=hank, text="答复")
    expected = workdays.working_days_taken(at(dt.date(2026, 9, 1)), case.replied_at)
    assert Case.objects.get(pk=case.pk).reply_working_days == expected > 0
    actions.rate(case, actor=alice, satisfaction=Satisfaction.DISSATISFIED)  # reopened
    Case.objects.filter(pk=case.pk).update(assigned_at=case.replied_at)
    case = actions.reply(Case.objects.get(pk=case.pk), actor=hank, text="再次答复")
    assert Case.objects.get(pk=case.pk).reply_working_days == 0  # the latest reply, the same day


def test_who_sees_which_dashboard(client, tree, figures, alice, bob, uma, ursula, hank, diana, today):
    url = lambda code: reverse("cases:dashboard_unit", args=[tree[code].pk])  # noqa: E731
    for person in (alice, bob, hank):
        client.force_login(person)
        assert client.get(reverse("cases:dashboard")).status_code == 403
        assert client.get(url("MA")).status_code == 404
    client.force_login(uma)
    assert client.get(reverse("cases:dashboard")).url == url("MA")
    assert client.get(url("MA")).status_code == 200
    for code in ("G", "MB", "MB1"):
        assert client.get(url(code)).status_code == 404
        assert client.get(url(code).replace("/dashboard/", "/dashboard/") + "cases/").status_code == 404
        assert client.get(reverse("cases:dashboard_export", args=[tree[code].pk])).status_code == 404
    client.force_login(ursula)
    assert client.get(url("MA")).status_code == 404
    body = client.get(url("MB")).content.decode()
    assert "二矿问题" not in body  # titles are on the drill-down, not the figures
    cases = client.get(reverse("cases:dashboard_cases", args=[tree["MB"].pk])).content.decode()
    assert "二矿问题" in cases and "一矿问题" not in cases
    client.force_login(diana)
    assert client.get(url("G")).status_code == 200


def test_drill_down_by_state_and_handler(client, tree, figures, diana, hank, henri, today):
    client.force_login(diana)
    base = reverse("cases:dashboard_cases", args=[tree["G"].pk])
    overdue = client.get(base + "?state=overdue").context["page"].object_list
    assert [c.pk for c in overdue] == [figures["ma"][2].pk]
    opened = client.get(base + f"?state=open&handler={henri.pk}").context["page"].object_list
    assert [c.pk for c in opened] == [figures["mb"].pk]
    replied = client.get(base + f"?state=replied&handler={hank.pk}").context["page"].object_list
    assert {c.pk for c in replied} == {figures["ma"][0].pk, figures["ma"][1].pk}
    # nonsense parameters are ignored, not an error
    assert client.get(base + "?state=nope&handler=x").status_code == 200


def test_the_export_has_the_figures_and_runs_no_formula(client, tree, figures, diana, today):
    Case.objects.filter(pk=figures["ma"][2].pk).update(title='=HYPERLINK("http://evil","x")')
    client.force_login(diana)
    response = client.get(reverse("cases:dashboard_export", args=[tree["G"].pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    units, handlers, cases = book.worksheets
    rows = {r[0]: r for r in units.iter_rows(min_row=3, values_only=True)}
    assert rows["MA"][2:] == (4, 2, 1, 2, 5.5, 2, 50)
    assert [r[1] for r in handlers.iter_rows(min_row=2, values_only=True)] == ["汉克", "亨利"]
    titles = {row[1].value: row[1] for row in cases.iter_rows(min_row=2)}
    cell = titles['=HYPERLINK("http://evil","x")']
    assert cell.data_type == "s"  # text, not a formula
    assert len(titles) == 3  # the open cases only


def _many(tree, depts, alice, uma, diana, n_units):
    """More child units of the group, each with a handling department, a handler and cases."""
    group = Unit.objects.get(pk=tree["G"].pk)
    for i in range(n_units):
        mine = Unit.objects.add_child(
            Unit.objects.get(pk=group.pk), {"code": f"M{i}", "name": f"{i}号矿", "kind": "mine"}
        )
        dept = Unit.objects.add_child(
            Unit.objects.get(pk=mine.pk), {"code": f"M{i}HR", "name": f"{i}号矿人力部", "kind": "department"}
        )
        dept = Unit.objects.get(pk=dept.pk)
        handler = _person(f"H{i}", f"处理人{i}", dept)
        Case.objects.bulk_create(
            [
                Case(
                    unit=mine,
                    title=f"x{i}{j}",
                    text="…",
                    raiser=alice,
                    status=CaseStatus.RATED if j else CaseStatus.ASSIGNED,
                    handling_unit=dept,
                    handler=handler,
                    due_date=TODAY + dt.timedelta(days=j - 1),
                    **_timed(at(dt.date(2026, 9, 1 + i)), at(dt.date(2026, 9, 10 + i % 5)) if j else None),
                    satisfaction=Satisfaction.BASICALLY_SATISFIED if j else "",
                )
                for j in range(2)
            ]
        )


@pytest.mark.parametrize("which", ["unit", "cases", "export"])
def test_pages_cost_a_fixed_number_of_queries(client, which, tree, depts, figures, alice, uma, diana, today):
    url = {
        "unit": reverse("cases:dashboard_unit", args=[tree["G"].pk]),
        "cases": reverse("cases:dashboard_cases", args=[tree["G"].pk]) + "?state=open",
        "export": reverse("cases:dashboard_export", args=[tree["G"].pk]),
    }[which]
    client.force_login(diana)
    client.get(url)
    cache.clear()  # the figures are cached: compare the cost of computing them
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _many(tree, depts, alice, uma, diana, 8)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    if which == "unit":
        assert len(response.context["data"].units) == 10 and len(response.context["data"].handlers) == 10
    assert len(few) == len(many), (len(few), len(many))


def test_the_figures_are_cached_until_a_case_changes(diana, uma, tree, figures, today):
    group = Unit.objects.get(pk=tree["G"].pk)
    assert dashboard.dashboard(diana, group, TODAY).total.open == 3
    Case.objects.filter(pk=figures["mb"].pk).update(status=CaseStatus.REPLIED)  # behind the actions' back
    assert dashboard.dashboard(diana, group, TODAY).total.open == 3  # still cached
    with CaptureQueriesContext(connection) as cached:
        dashboard.dashboard(diana, group, TODAY)
    assert len(cached) == 1  # the stamp only
    actions.chase(figures["ma"][3], actor=uma)  # any step of any case writes an event
    assert dashboard.dashboard(diana, group, TODAY).total.open == 2
    assert dashboard.dashboard(diana, group, TODAY + dt.timedelta(days=1)).total.open == 2
