"""Campaign drives: starting and changing a drive, and every refusal (with nothing written)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry
from gongkai.suggestions import drive_actions
from gongkai.suggestions.choices import Category
from gongkai.suggestions.models import Drive

from .conftest import make_suggestion

pytestmark = pytest.mark.django_db

SLOGAN = "提合理化建议，创效益新高"


def _today() -> dt.date:
    return timezone.localdate()


def _create(actor, unit, **over):
    fields = {
        "title": SLOGAN,
        "starts_on": _today(),
        "ends_on": _today() + dt.timedelta(days=30),
        "categories": [Category.SAFETY, Category.MANAGEMENT],
        "target": 100,
    }
    fields.update(over)
    return drive_actions.create_drive(actor=actor, unit=unit, **fields)


def test_union_starts_a_drive_of_its_unit(tree, uma):
    drive = _create(
        uma, tree["MA"], description="全矿开展合理化建议活动", categories=["management", "safety"]
    )
    assert drive.unit == tree["MA"]
    assert drive.created_by == uma
    assert drive.categories == ["safety", "management"]  # in the list's order
    assert drive.target == 100
    assert AuditEntry.objects.filter(action="suggestions.drive_create", object_id=str(drive.pk)).exists()


def test_union_of_a_unit_above_may_start_one_below(tree, diana):
    assert _create(diana, tree["MB1"]).unit == tree["MB1"]


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"title": "  "}, "required"),
        ({"title": "<script>alert(1)</script>"}, "markup"),
        ({"description": "好<img src=x onerror=alert(1)>"}, "markup"),
        ({"categories": []}, "categories"),
        ({"categories": ["safety", "bogus"]}, "categories"),
        ({"target": 0}, "target"),
        ({"target": "many"}, "target"),
        ({"ends_on": _today() - dt.timedelta(days=1)}, "period"),
        (
            {"starts_on": _today() - dt.timedelta(days=40), "ends_on": _today() - dt.timedelta(days=10)},
            "period",
        ),
        ({"ends_on": _today() + dt.timedelta(days=400)}, "period"),
        ({"starts_on": None}, "period"),
    ],
)
def test_bad_drives_are_refused_and_nothing_is_written(tree, uma, over, code):
    with pytest.raises(ValidationError) as info:
        _create(uma, tree["MA"], **over)
    assert info.value.code == code
    assert not Drive.objects.exists()
    assert not AuditEntry.objects.filter(action="suggestions.drive_create").exists()


def test_an_employee_or_a_manager_of_another_unit_may_not_start_a_drive(tree, uma, alice, bob):
    with pytest.raises(AccessDenied):
        _create(alice, tree["MA1"])
    with pytest.raises(AccessDenied):
        _create(uma, tree["MB"])  # uma is union on 一矿 only
    assert not Drive.objects.exists()


def test_update_with_the_current_stamp(tree, uma):
    drive = _create(uma, tree["MA"])
    changed = drive_actions.update_drive(
        actor=uma,
        drive=drive,
        expected_stamp=drive_actions.stamp(drive),
        title="安全生产合理化建议月",
        starts_on=drive.starts_on,
        ends_on=drive.ends_on + dt.timedelta(days=5),
        categories=[Category.SAFETY],
        target=None,
    )
    drive.refresh_from_db()
    assert drive.title == "安全生产合理化建议月" == changed.title
    assert drive.categories == ["safety"] and drive.target is None
    assert AuditEntry.objects.filter(action="suggestions.drive_update").count() == 1


def test_a_stale_form_is_refused(tree, uma):
    drive = _create(uma, tree["MA"])
    old = drive_actions.stamp(drive)
    drive_actions.update_drive(
        actor=uma,
        drive=drive,
        expected_stamp=old,
        title="第一次修改",
        starts_on=drive.starts_on,
        ends_on=drive.ends_on,
        categories=["safety"],
    )
    with pytest.raises(ValidationError) as info:
        drive_actions.update_drive(
            actor=uma,
            drive=drive,
            expected_stamp=old,
            title="第二次修改",
            starts_on=drive.starts_on,
            ends_on=drive.ends_on,
            categories=["safety"],
        )
    assert info.value.code == "stale"
    drive.refresh_from_db()
    assert drive.title == "第一次修改"
    assert AuditEntry.objects.filter(action="suggestions.drive_update").count() == 1


def test_update_refuses_a_period_leaving_out_filed_suggestions_and_markup(tree, uma, alice):
    drive = _create(uma, tree["MA"])
    s = make_suggestion(alice)
    s.drive = drive
    s.save()
    for over, code in (
        ({"starts_on": _today() + dt.timedelta(days=1)}, "period"),
        ({"title": "<b>新高</b>"}, "markup"),
    ):
        fields = {
            "title": "新口号",
            "starts_on": drive.starts_on,
            "ends_on": drive.ends_on,
            "categories": ["safety"],
        }
        fields.update(over)
        with pytest.raises(ValidationError) as info:
            drive_actions.update_drive(
                actor=uma, drive=drive, expected_stamp=drive_actions.stamp(drive), **fields
            )
        assert info.value.code == code
    drive.refresh_from_db()
    assert drive.title == SLOGAN
    assert not AuditEntry.objects.filter(action="suggestions.drive_update").exists()


def test_only_managers_of_the_drive_unit_may_change_it(tree, uma, bob, diana):
    drive = _create(diana, tree["MB"])
    with pytest.raises(AccessDenied):
        drive_actions.update_drive(
            actor=uma,
            drive=drive,
            expected_stamp=drive_actions.stamp(drive),
            title="改",
            starts_on=drive.starts_on,
            ends_on=drive.ends_on,
            categories=["safety"],
        )
    drive.refresh_from_db()
    assert drive.title == SLOGAN
