"""Implementation, benefit, award, payment, archive, panels and bands — and every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry, Notification
from gongkai.org.models import RoleAssignment
from gongkai.suggestions import outcome_actions as oa
from gongkai.suggestions.choices import Decision, EventKind, Status
from gongkai.suggestions.models import AwardBand, ReviewPanel, Suggestion, SuggestionEvent
from gongkai.suggestions.tests.conftest import make_suggestion


@pytest.fixture(autouse=True)
def _default_bands(db):
    """The five default grades of migration 0002 (a transactional test elsewhere may have flushed them)."""
    defaults = importlib.import_module("gongkai.suggestions.migrations.0002_guards_and_bands").DEFAULT_BANDS
    for grade, name, min_saving, award in defaults:
        AwardBand.objects.get_or_create(
            grade=grade, defaults={"name": name, "min_saving": min_saving, "award": award}
        )


def snapshot(s: Suggestion) -> tuple:
    s.refresh_from_db()
    fields = [f.attname for f in Suggestion._meta.concrete_fields if f.attname != "updated_at"]
    return (
        tuple(getattr(s, f) for f in fields),
        SuggestionEvent.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        tuple(AwardBand.objects.order_by("grade").values_list("grade", "name", "min_saving", "award")),
    )


def refused(code: str, call, s: Suggestion, **kwargs) -> ValidationError:
    before = snapshot(s)
    with pytest.raises(ValidationError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value
    assert snapshot(s) == before
    return info.value


TODAY = timezone.localdate


def at(s: Suggestion, status: str, **fields) -> Suggestion:
    """Put a suggestion in a later status directly (set-up only)."""
    Suggestion.objects.filter(pk=s.pk).update(status=status, decision=Decision.ADOPT, **fields)
    s.refresh_from_db()
    return s


@pytest.fixture
def adopted(alice, amy, panel):
    return at(make_suggestion(alice, coauthors=[amy], panel=panel), Status.ADOPTED)


def implemented(s: Suggestion, days_ago: int) -> Suggestion:
    return at(s, Status.IMPLEMENTED, implemented_on=TODAY() - dt.timedelta(days=days_ago))


def measured(s: Suggestion, net: str) -> Suggestion:
    return at(
        s,
        Status.MEASURED,
        implemented_on=TODAY() - dt.timedelta(days=400),
        gross_saving=Decimal(net) + 100,
        cost=Decimal(100),
        net_saving=Decimal(net),
        measured_on=TODAY(),
        calculation="…",
    )


# --------------------------------------------------------------------------------------------- the whole way


def test_from_adoption_to_archive(uma, adopted, pete, alice, amy):
    s = oa.plan_implementation(
        actor=uma,
        suggestion=adopted,
        owner=pete,
        plan="先在综采一区试点",
        planned_start=TODAY() - dt.timedelta(days=500),
        planned_finish=TODAY() - dt.timedelta(days=420),
        expected_revision=1,
    )
    assert s.status == Status.IMPLEMENTING and s.owner == pete
    assert Notification.objects.filter(person=pete, kind="suggestions.owner").exists()
    s = oa.record_implemented(
        actor=uma, suggestion=s, implemented_on=TODAY() - dt.timedelta(days=400), expected_revision=s.revision
    )
    assert s.status == Status.IMPLEMENTED
    s = oa.measure_benefit(
        actor=uma,
        suggestion=s,
        gross_saving=Decimal("180000"),
        cost=Decimal("30000.50"),
        calculation="节约材料费 15 万 + 人工 3 万，减去阀组采购 3 万",
        measured_on=TODAY(),
        expected_revision=s.revision,
    )
    assert s.net_saving == Decimal("149999.50") and s.status == Status.MEASURED
    s = oa.grant_award(actor=uma, suggestion=s, expected_revision=s.revision)
    assert s.award_band.grade == 3 and s.award_amount == Decimal("5000") and s.awarded_on == TODAY()
    assert Notification.objects.filter(person=amy, kind="suggestions.awarded").exists()
    s = oa.mark_paid(actor=uma, suggestion=s, paid_on=TODAY(), expected_revision=s.revision)
    assert s.status == Status.PAID
    assert Notification.objects.filter(person=alice, kind="suggestions.paid").exists()
    s = oa.archive(actor=uma, suggestion=s, expected_revision=s.revision)
    assert s.status == Status.ARCHIVED
    kinds = list(SuggestionEvent.objects.filter(suggestion=s, public=True).values_list("kind", flat=True))
    assert kinds == [
        EventKind.IMPLEMENTATION_PLANNED,
        EventKind.IMPLEMENTED,
        EventKind.MEASURED,
        EventKind.AWARDED,
        EventKind.PAID,
        EventKind.ARCHIVED,
    ]
    assert AuditEntry.objects.filter(object_id=str(s.pk), action__startswith="suggestions.").count() == 6


# ----------------------------------------------------------------------------------------------- refusals


def test_plan_refusals(uma, adopted, pete, tree):
    kwargs = dict(actor=uma, suggestion=adopted, owner=pete, plan="计划", expected_revision=1)
    refused(
        "dates",
        oa.plan_implementation,
        adopted,
        planned_start=TODAY(),
        planned_finish=TODAY() - dt.timedelta(days=1),
        **kwargs,
    )
    refused(
        "stale",
        oa.plan_implementation,
        adopted,
        planned_start=TODAY(),
        planned_finish=TODAY(),
        **{**kwargs, "expected_revision": 0},
    )
    refused(
        "markup",
        oa.plan_implementation,
        adopted,
        planned_start=TODAY(),
        planned_finish=TODAY(),
        **{**kwargs, "plan": "<script>x</script>"},
    )


def test_implemented_not_in_future(uma, adopted):
    s = at(adopted, Status.IMPLEMENTING)
    refused(
        "future",
        oa.record_implemented,
        s,
        actor=uma,
        suggestion=s,
        implemented_on=TODAY() + dt.timedelta(days=1),
        expected_revision=s.revision,
    )


def test_benefit_before_12_months_refused_with_the_date(uma, adopted):
    s = implemented(adopted, 200)
    err = refused(
        "too_early",
        oa.measure_benefit,
        s,
        actor=uma,
        suggestion=s,
        gross_saving=Decimal(1000),
        cost=Decimal(0),
        calculation="估算",
        measured_on=TODAY(),
        expected_revision=s.revision,
    )
    assert oa.add_months(s.implemented_on, 12).isoformat() in err.messages[0]


def test_benefit_needs_calculation_and_no_script(uma, adopted):
    s = implemented(adopted, 400)
    kwargs = dict(
        actor=uma, suggestion=s, gross_saving=1000, cost=0, measured_on=TODAY(), expected_revision=1
    )
    refused("required", oa.measure_benefit, s, calculation="  ", **kwargs)
    refused("markup", oa.measure_benefit, s, calculation="<a href='javascript:x'>x</a>", **kwargs)
    refused("amount", oa.measure_benefit, s, calculation="x", **{**kwargs, "cost": -5})


def test_add_months_clamps():
    assert oa.add_months(dt.date(2025, 2, 28), 12) == dt.date(2026, 2, 28)
    assert oa.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert oa.add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)


def test_award_without_measured_benefit_refused(uma, adopted):
    s = implemented(adopted, 400)
    refused("no_benefit", oa.grant_award, s, actor=uma, suggestion=s, expected_revision=s.revision)
    s = at(s, Status.MEASURED)  # even in the right status, without a net saving
    refused("no_benefit", oa.grant_award, s, actor=uma, suggestion=s, expected_revision=s.revision)


def test_award_needs_benefit_in_the_database_too(adopted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.filter(pk=adopted.pk).update(award_band=AwardBand.objects.get(grade=5))


def test_negative_net_gets_no_award(uma, adopted):
    s = measured(adopted, "-500")
    refused("negative", oa.grant_award, s, actor=uma, suggestion=s, expected_revision=s.revision)


@pytest.mark.parametrize(
    ("net", "grade"), [("0", 5), ("9999.99", 5), ("10000", 4), ("500000", 2), ("1000000", 1), ("5000000", 1)]
)
def test_band_from_net_saving(uma, adopted, net, grade):
    s = measured(adopted, net)
    s = oa.grant_award(actor=uma, suggestion=s, expected_revision=s.revision)
    band = AwardBand.objects.get(grade=grade)
    assert s.award_band == band and s.award_amount == band.award


def test_paying_twice_refused(uma, adopted):
    s = measured(adopted, "20000")
    s = oa.grant_award(actor=uma, suggestion=s, expected_revision=s.revision)
    s = oa.mark_paid(actor=uma, suggestion=s, paid_on=TODAY(), expected_revision=s.revision)
    refused(
        "already_paid",
        oa.mark_paid,
        s,
        actor=uma,
        suggestion=s,
        paid_on=TODAY(),
        expected_revision=s.revision,
    )


def test_archive_only_when_finished(uma, adopted, alice):
    refused("status", oa.archive, adopted, actor=uma, suggestion=adopted, expected_revision=adopted.revision)
    rejected = make_suggestion(alice, status=Status.NOT_ACCEPTED)
    assert oa.archive(actor=uma, suggestion=rejected, expected_revision=1).status == Status.ARCHIVED


def test_manager_of_another_mine_cannot_act(tree, adopted, pete):
    other = _person("B800", "鲍玛", tree["MB"])
    RoleAssignment.objects.create(person=other, unit=tree["MB"], role=Role.UNION)
    before = snapshot(adopted)
    with pytest.raises(AccessDenied):
        oa.plan_implementation(
            actor=other,
            suggestion=adopted,
            owner=pete,
            plan="x",
            planned_start=TODAY(),
            planned_finish=TODAY(),
            expected_revision=1,
        )
    assert snapshot(adopted) == before


# ------------------------------------------------------------------------------------------- panels, bands


def test_save_panel(uma, tree, pete, paula):
    p = oa.save_panel(actor=uma, unit=tree["MA"], name="安全专家组", members=[pete])
    assert list(p.members.all()) == [pete]
    p = oa.save_panel(
        actor=uma,
        unit=tree["MA"],
        name="安全专家组",
        members=[pete, paula],
        panel=p,
        expected_stamp=oa.panel_stamp(p),
    )
    assert set(p.members.all()) == {pete, paula}
    assert AuditEntry.objects.filter(action__startswith="suggestions.panel").count() == 2
    with pytest.raises(AccessDenied):
        oa.save_panel(actor=uma, unit=tree["MB"], name="二矿", members=[pete])
    with pytest.raises(ValidationError) as info:
        oa.save_panel(actor=uma, unit=tree["MA"], name="空", members=[])
    assert info.value.code == "members"
    assert ReviewPanel.objects.count() == 1


def _panel_state() -> tuple:
    return (
        tuple(ReviewPanel.objects.order_by("pk").values_list("pk", "unit_id", "name", "updated_at")),
        tuple(ReviewPanel.members.through.objects.order_by("pk").values_list("reviewpanel_id", "person_id")),
        AuditEntry.objects.count(),
    )


def test_save_panel_refuses_a_stale_form(uma, tree, pete, paula):
    """Two managers open the same panel; the first saves; the second's older form is refused, not applied."""
    p = oa.save_panel(actor=uma, unit=tree["MA"], name="安全专家组", members=[pete])
    opened = oa.panel_stamp(p)  # both forms show this
    oa.save_panel(
        actor=uma, unit=tree["MA"], name="安全专家组", members=[paula], panel=p, expected_stamp=opened
    )
    before = _panel_state()
    for old in (opened, "", None, "not a stamp"):
        with pytest.raises(ValidationError) as info:
            oa.save_panel(
                actor=uma, unit=tree["MA"], name="另一个名字", members=[pete], panel=p, expected_stamp=old
            )
        assert info.value.code == "stale"
        assert "changed by someone else" in info.value.messages[0]
        assert _panel_state() == before
    p.refresh_from_db()
    assert p.name == "安全专家组" and list(p.members.all()) == [paula]
    # the fresh stamp is taken, and a new panel needs none
    oa.save_panel(
        actor=uma, unit=tree["MA"], name="新名字", members=[pete], panel=p, expected_stamp=oa.panel_stamp(p)
    )
    assert ReviewPanel.objects.get(pk=p.pk).name == "新名字"


def band_rows(*thresholds):
    return [
        {"grade": i + 1, "name": f"{i + 1}等奖", "min_saving": t, "award": 100 * (5 - i)}
        for i, t in enumerate(thresholds)
    ]


def test_save_bands(diana, uma, alice):
    rows = band_rows(800000, 200000, 0)
    saved = oa.save_bands(actor=diana, rows=rows, expected=oa.bands_fingerprint())
    assert [b.grade for b in saved] == [1, 2, 3] and AwardBand.objects.count() == 3
    assert oa.band_for(Decimal("300000")).grade == 2
    # a mine's union cannot change the group's bands
    s = make_suggestion(alice)
    before = snapshot(s)
    with pytest.raises(AccessDenied):
        oa.save_bands(actor=uma, rows=band_rows(1, 0))
    assert snapshot(s) == before


def test_bands_refusals(diana, alice):
    s = make_suggestion(alice)
    fp = oa.bands_fingerprint()
    refused("thresholds", oa.save_bands, s, actor=diana, rows=band_rows(100, 100, 0), expected=fp)
    refused("thresholds", oa.save_bands, s, actor=diana, rows=band_rows(0, 100), expected=fp)
    dup = band_rows(100, 0)
    dup[1]["grade"] = 1
    refused("grade", oa.save_bands, s, actor=diana, rows=dup, expected=fp)
    refused("bands", oa.save_bands, s, actor=diana, rows=[], expected=fp)
    refused("stale", oa.save_bands, s, actor=diana, rows=band_rows(100, 0), expected="old")
    bad = band_rows(100, 0)
    bad[0]["name"] = "<b>一</b>"
    refused("markup", oa.save_bands, s, actor=diana, rows=bad, expected=fp)


def test_band_in_use_cannot_be_removed(diana, uma, adopted):
    s = measured(adopted, "5")
    oa.grant_award(actor=uma, suggestion=s, expected_revision=s.revision)  # grade 5
    refused(
        "band_in_use",
        oa.save_bands,
        s,
        actor=diana,
        rows=band_rows(1000, 10),
        expected=oa.bands_fingerprint(),
    )
