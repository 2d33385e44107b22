"""Drive pages: the list (my units and those above me), starting and changing a drive through the form, the
drive's page, access (404 outside), and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.suggestions import drive_actions
from gongkai.suggestions.choices import Category
from gongkai.suggestions.models import Drive

from .conftest import make_suggestion

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _drive(unit, by, *, start=0, end=10, title="提合理化建议，创效益新高"):
    return Drive.objects.create(
        unit=unit,
        title=title,
        starts_on=_today() + dt.timedelta(days=start),
        ends_on=_today() + dt.timedelta(days=end),
        categories=[Category.SAFETY],
        created_by=by,
    )


def _form(**over):
    data = {
        "title": "安全生产合理化建议月",
        "description": "",
        "starts_on": _today().isoformat(),
        "ends_on": (_today() + dt.timedelta(days=30)).isoformat(),
        "categories": ["safety", "technical"],
        "target": "50",
    }
    data.update(over)
    return data


def test_the_group_union_chooses_among_the_group_and_its_base_units(client, tree, diana):
    client.force_login(diana)
    page = client.get("/suggestions/drives/new/")
    assert list(page.context["form"].fields["unit"].queryset) == [tree["G"], tree["MA"], tree["MB"]]


def test_start_a_drive_through_the_form(client, tree, uma):
    client.force_login(uma)
    page = client.get("/suggestions/drives/new/")
    assert page.status_code == 200
    assert list(page.context["form"].fields["unit"].queryset) == [tree["MA"], tree["MA1"]]
    response = client.post("/suggestions/drives/new/", _form(unit=tree["MA"].pk))
    drive = Drive.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/suggestions/drives/{drive.pk}/"
    assert drive.categories == ["safety", "technical"] and drive.target == 50


def test_the_form_refuses_script_and_other_units(client, tree, uma, alice):
    client.force_login(uma)
    page = client.post("/suggestions/drives/new/", _form(unit=tree["MA"].pk, title="<script>x</script>"))
    assert page.status_code == 200
    assert [e.code for e in page.context["form"].errors.as_data()["__all__"]] == ["markup"]
    page = client.post("/suggestions/drives/new/", _form(unit=tree["MB"].pk))  # not in uma's scope
    assert page.status_code == 200 and page.context["form"].errors["unit"]
    assert not Drive.objects.exists()
    client.force_login(alice)
    assert client.get("/suggestions/drives/new/").status_code == 403


def test_change_a_drive_and_a_stale_form(client, tree, uma, alice):
    drive = _drive(tree["MA"], uma)
    client.force_login(uma)
    stamp = drive_actions.stamp(drive)
    response = client.post(f"/suggestions/drives/{drive.pk}/edit/", _form(stamp=stamp, title="改过的口号"))
    assert response.status_code == 302
    page = client.post(f"/suggestions/drives/{drive.pk}/edit/", _form(stamp=stamp, title="又改"))
    assert page.status_code == 200
    assert [e.code for e in page.context["form"].errors.as_data()["__all__"]] == ["stale"]
    drive.refresh_from_db()
    assert drive.title == "改过的口号"
    client.force_login(alice)  # sees the drive, may not change it
    assert client.get(f"/suggestions/drives/{drive.pk}/").status_code == 200
    assert client.get(f"/suggestions/drives/{drive.pk}/edit/").status_code == 404


def test_the_list_shows_my_units_and_those_above(client, tree, uma, diana, alice, bob):
    group = _drive(tree["G"], diana, title="集团建议月")
    mine = _drive(tree["MA"], uma, start=5, end=20, title="一矿建议月")
    past = _drive(tree["MA"], uma, start=-30, end=-2, title="上月")
    other = _drive(tree["MB"], diana, title="二矿建议月")
    client.force_login(alice)
    page = client.get("/suggestions/drives/")
    assert page.context["running"] == [group]
    assert page.context["upcoming"] == [mine] and page.context["past"] == [past]
    assert client.get(f"/suggestions/drives/{other.pk}/").status_code == 404
    client.force_login(diana)  # the group's union sees every drive of the group
    page = client.get("/suggestions/drives/")
    assert set(page.context["running"]) == {group, other}


def test_fixed_number_of_queries(client, tree, uma, alice, amy, bob):
    client.force_login(alice)
    drive = _drive(tree["MA"], uma)
    make_suggestion(alice).__class__.objects.update(drive=drive)
    client.get("/suggestions/drives/")
    cache.clear()
    with CaptureQueriesContext(connection) as few_list:
        client.get("/suggestions/drives/")
    with CaptureQueriesContext(connection) as few_page:
        client.get(f"/suggestions/drives/{drive.pk}/")
    for i in range(20):
        _drive(tree["MA"], uma, title=f"第{i}次")
        s = make_suggestion([alice, amy][i % 2], coauthors=[bob] if i % 2 else [])
        s.drive = drive
        s.save()
    cache.clear()
    with CaptureQueriesContext(connection) as many_list:
        client.get("/suggestions/drives/")
    with CaptureQueriesContext(connection) as many_page:
        page = client.get(f"/suggestions/drives/{drive.pk}/")
    assert len(many_list) == len(few_list)
    assert len(many_page) == len(few_page)
    assert page.context["data"].total.submitted == 21
