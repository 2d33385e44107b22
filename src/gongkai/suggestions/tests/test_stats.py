"""Statistics of the union and the leading group: the figures, their access, a fixed number of queries, the
.xlsx export (formula-safe), and the drive page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.suggestions import stats
from gongkai.suggestions.choices import Category, Consent, Decision, Status
from gongkai.suggestions.models import Coauthor, Drive

from .conftest import make_suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def _today():
    return timezone.localdate()


def _set(s, **fields):
    for name, value in fields.items():
        setattr(s, name, value)
    s.save()
    return s


@pytest.fixture
def data(tree, alice, amy, bob, uma, diana):
    today = _today()
    this_year = dt.datetime(today.year, 1, 15, 10, tzinfo=timezone.get_current_timezone())
    last_year = dt.datetime(today.year - 1, 6, 1, 10, tzinfo=timezone.get_current_timezone())
    a1 = make_suggestion(alice, coauthors=[amy], submitted=this_year, category=Category.SAFETY)
    _set(a1, status=Status.ADOPTED, decision=Decision.ADOPT)
    a2 = make_suggestion(alice, submitted=this_year, category=Category.SAFETY)
    _set(a2, status=Status.REJECTED, decision=Decision.REJECT)
    a3 = make_suggestion(
        amy, submitted=this_year, category=Category.TECHNICAL
    )  # awaiting, overdue (due ~Mar)
    a4 = make_suggestion(alice, submitted=last_year, category=Category.TECHNICAL)
    _set(
        a4,
        status=Status.PAID,
        decision=Decision.ADOPT,
        gross_saving=Decimal("120000"),
        cost=Decimal("20000"),
        net_saving=Decimal("100000"),
        measured_on=dt.date(today.year, 1, 5),
        award_amount=Decimal("5000"),
        awarded_on=dt.date(today.year, 1, 10),
        paid_on=dt.date(today.year, 1, 20),
    )
    b1 = make_suggestion(bob, submitted=this_year, category=Category.GOING_OUT)
    _set(b1, status=Status.ARCHIVED, decision=Decision.ADOPT)
    draft = make_suggestion(bob, status=Status.DRAFT)
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": b1, "draft": draft}


def _figures(unit, year=None):
    start, end = stats.year_bounds(year or _today().year)
    return stats.figures(unit, start=start, end=end, today=_today())


def test_figures_of_the_group(tree, data):
    f = _figures(tree["G"])
    t = f.total
    assert t.submitted == 4  # a1, a2, a3, b1 (a4 last year, the draft never)
    assert t.screened == 3
    assert t.decided == 3 and t.adopted == 2  # a1, b1 (archived with adopt)
    assert t.adoption_rate == pytest.approx(66.7)
    # results recorded this year, whenever the suggestion was made
    assert t.measured == 1 and t.net_saving == Decimal("100000")
    assert t.awards == 1 and t.awarded == Decimal("5000") and t.paid == Decimal("5000")
    assert t.overdue == (1 if data["a3"].answer_due_on < _today() else 0)
    units = {line.label: line.figures for line in f.units}
    assert units["一矿"].submitted == 3 and units["二矿"].submitted == 1
    assert units["一矿"].net_saving == Decimal("100000")
    cats = {line.key: line.figures.submitted for line in f.categories}
    assert cats["safety"] == 2 and cats["technical"] == 1 and cats["going_out"] == 1
    stages = {line.key: line.figures.submitted for line in f.stages}
    assert stages["adopted"] == 1 and stages["rejected"] == 1 and stages["screening"] == 1
    assert stages["archived"] == 1
    # contributors: alice (lead of a1, a2), amy (co-author of a1, lead of a3), bob
    people = {c.person.name: c for c in f.contributors}
    assert f.participants == 3
    assert (
        people["艾丽丝"].suggestions == 2 and people["艾丽丝"].as_lead == 2 and people["艾丽丝"].adopted == 1
    )
    assert people["艾米"].suggestions == 2 and people["艾米"].as_lead == 1 and people["艾米"].adopted == 1
    assert f.contributors[0].suggestions == 2
    assert [(when.month, n, adopted) for when, n, adopted in f.series] == [(1, 4, 2)]


def test_an_invited_coauthor_is_no_contributor(tree, alice, bob):
    s = make_suggestion(alice)
    Coauthor.objects.create(suggestion=s, person=bob, consent=Consent.DECLINED)
    f = stats.compute(tree["G"], today=_today())
    assert [c.person for c in f.contributors] == [alice]
    assert f.participants == 1


def test_figures_of_a_mine_and_of_last_year(tree, data):
    f = _figures(tree["MA"])
    assert f.total.submitted == 3
    assert [line.label for line in f.units] == ["综采一区"]
    assert _figures(tree["MA"], _today().year - 1).total.submitted == 1


def _many(alice, amy, bob, n):
    for i in range(n):
        make_suggestion([alice, amy, bob][i % 3], coauthors=[amy] if i % 3 == 0 else [])


def test_a_fixed_number_of_queries(tree, alice, amy, bob, diana, client, django_assert_num_queries):
    client.force_login(diana)
    _many(alice, amy, bob, 2)
    start, end = stats.year_bounds(_today().year)
    with django_assert_num_queries(stats.QUERIES):
        stats.figures(tree["G"], start=start, end=end, today=_today())
    cache.clear()
    _many(alice, amy, bob, 30)
    with django_assert_num_queries(stats.QUERIES):
        stats.figures(tree["G"], start=start, end=end, today=_today())
    with django_assert_num_queries(1):  # cached: only the stamp
        stats.figures(tree["G"], start=start, end=end, today=_today())
    client.get("/suggestions/stats/")  # warm the session
    cache.clear()
    _many(alice, amy, bob, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/suggestions/stats/").status_code == 200
    cache.clear()
    _many(alice, amy, bob, 40)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/suggestions/stats/").status_code == 200


def test_the_page_for_managers_only(tree, data, client, uma, alice, diana):
    client.force_login(alice)
    assert client.get("/suggestions/stats/").status_code == 403
    client.force_login(uma)
    page = client.get("/suggestions/stats/")
    assert page.status_code == 200
    assert page.context["unit"] == tree["MA"]  # the highest unit uma manages
    assert client.get(f"/suggestions/stats/?unit={tree['MB'].pk}").status_code == 404
    assert client.get(f"/suggestions/stats/?unit={tree['MA1'].pk}&year=abc").status_code == 200
    client.force_login(diana)
    page = client.get("/suggestions/stats/")
    html = page.content.decode()
    assert page.context["unit"] == tree["G"]
    assert 'data-chart="chart-units"' in html and "echarts.min.js" in html
    assert "一矿" in html and "<table>" in html


def test_xlsx_export_is_formula_safe(tree, data, client, diana):
    import openpyxl

    alice = data["a1"].author
    alice.name = '=HYPERLINK("http://evil")'
    alice.save()
    client.force_login(diana)
    response = client.get("/suggestions/stats/?format=xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5
    units = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert any(r[1] == "一矿" and r[2] == 3 for r in units)
    people = book.worksheets[4]
    names = [c for row in people.iter_rows() for c in row if c.value and str(c.value).startswith("=")]
    assert names and all(c.data_type == "s" and c.quotePrefix for c in names)


def test_drive_page_shows_participation_and_results(
    tree, uma, alice, amy, bob, client, django_assert_num_queries
):
    today = _today()
    drive = Drive.objects.create(
        unit=tree["MA"],
        title="提合理化建议，创效益新高",
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=20),
        categories=["safety", "management"],
        target=10,
        created_by=uma,
    )
    s = make_suggestion(alice, coauthors=[amy], category=Category.SAFETY)
    _set(s, drive=drive, status=Status.ADOPTED, decision=Decision.ADOPT)
    make_suggestion(alice, category=Category.SAFETY)  # not in the drive
    client.force_login(bob)  # 二矿: neither his unit nor above it
    assert client.get(f"/suggestions/drives/{drive.pk}/").status_code == 404
    client.force_login(amy)
    page = client.get(f"/suggestions/drives/{drive.pk}/")
    assert page.status_code == 200
    data = page.context["data"]
    assert data.total.submitted == 1 and data.total.adopted == 1 and data.participants == 2
    assert page.context["target_percent"] == 10
    assert [(n, adopted) for _day, n, adopted in data.series] == [(1, 1)] and data.by_day
    assert [line.key for line in data.categories][:2] == ["safety", "management"]
    assert "提合理化建议，创效益新高" in page.content.decode()
    listing = client.get("/suggestions/drives/")
    assert listing.status_code == 200 and listing.context["running"] == [drive]
    assert listing.context["running"][0].filed == 1
