"""Round actions: creating and preparing a round, exemptions, duty reports, rater group, liaisons, opening it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry
from gongkai.disclosures.tests.disclosure_helpers import PDF, PNG, ooxml
from gongkai.org.models import Constituency, Person
from gongkai.ratings import round_actions
from gongkai.ratings.choices import Exemption, RoundKind, RoundStatus, Scale
from gongkai.ratings.models import Elector, Liaison, RatedPerson, RaterGroupMember, Round


def _window(days_from_now=1, length_days=3):
    opens = timezone.now() + dt.timedelta(days=days_from_now)
    return opens, opens + dt.timedelta(days=length_days)


def _create(actor, unit, **kw):
    opens, closes = _window()
    args = {
        "title": "2026年职工代表述职测评",
        "kind": RoundKind.DUTY_RATING,
        "scale": Scale.FITNESS,
        "year": 2026,
        "opens_at": opens,
        "closes_at": closes,
    }
    args.update(kw)
    return round_actions.create_round(actor=actor, unit=unit, **args)


def _snapshot():
    return (
        Round.objects.count(),
        list(Round.objects.order_by("pk").values_list("pk", "revision", "status", "title")),
        list(
            RatedPerson.objects.order_by("pk").values_list(
                "pk", "exemption", "exemption_note", "report", "report_file", "report_published_at"
            )
        ),
        Elector.objects.count(),
        RaterGroupMember.objects.count(),
        Liaison.objects.count(),
        AuditEntry.objects.count(),
    )


def _refused(code, call, *, exc=ValidationError):
    before = _snapshot()
    with pytest.raises(exc) as caught:
        call()
    if exc is ValidationError:
        assert caught.value.code == code, caught.value
    assert _snapshot() == before, "a refused action wrote something"
    return caught.value


@pytest.fixture
def draft(tree, uma, constituencies):
    """A draft duty rating of 一矿 (constituency C1 lies in it; C2 belongs to 二矿)."""
    return _create(uma, tree["MA"])


def _ready(round_, actor):
    """Populate and publish every report: the round can open."""
    round_actions.populate_rated(actor=actor, round_=round_)
    for rated in RatedPerson.objects.filter(round=round_):
        round_actions.publish_report(actor=actor, rated=rated, text=f"{rated.person.name}的述职报告")
    round_.refresh_from_db()
    return round_


# --------------------------------------------------------------------------------------------------- create


def test_create_round_with_defaults_and_ledger(tree, uma):
    round_ = _create(uma, tree["MA"])
    assert round_.status == RoundStatus.DRAFT
    assert (round_.talk_threshold, round_.recall_threshold) == (30, 50)
    assert round_.created_by == uma and round_.revision == 1
    entry = AuditEntry.objects.get(action="ratings.create_round")
    assert entry.object_id == str(round_.pk) and entry.change["unit"] == "MA"


def test_group_union_creates_a_group_wide_round(tree, diana):
    round_ = _create(diana, tree["G"], kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION)
    assert round_.unit == tree["G"] and round_.kind == RoundKind.APPRAISAL


def test_round_outside_my_scope_is_refused(tree, uma):
    _refused(None, lambda: _create(uma, tree["MB"]), exc=AccessDenied)
    _refused(None, lambda: _create(uma, tree["G"]), exc=AccessDenied)


def test_employee_cannot_create_a_round(tree, alice):
    _refused(None, lambda: _create(alice, tree["MA1"]), exc=AccessDenied)


def test_window_closing_before_opening_is_refused(tree, uma):
    opens = timezone.now() + dt.timedelta(days=2)
    _refused(
        "window", lambda: _create(uma, tree["MA"], opens_at=opens, closes_at=opens - dt.timedelta(hours=1))
    )
    _refused("window", lambda: _create(uma, tree["MA"], opens_at=opens, closes_at=opens))


@pytest.mark.parametrize(("talk", "recall"), [(50, 50), (60, 50), (30, 101), (-1, 50)])
def test_thresholds_are_validated(tree, uma, talk, recall):
    _refused("thresholds", lambda: _create(uma, tree["MA"], talk_threshold=talk, recall_threshold=recall))


def test_unknown_scale_kind_and_blank_title_are_refused(tree, uma):
    _refused("scale", lambda: _create(uma, tree["MA"], scale="stars"))
    _refused("kind", lambda: _create(uma, tree["MA"], kind="poll"))
    _refused("required", lambda: _create(uma, tree["MA"], title="   "))


# --------------------------------------------------------------------------------------------------- update


def test_update_round_while_draft(draft, uma):
    opens, closes = _window(2, 5)
    round_actions.update_round(
        actor=uma,
        round_=draft,
        expected_revision=draft.revision,
        title="改了的标题",
        opens_at=opens,
        closes_at=closes,
        talk_threshold=20,
        recall_threshold=40,
    )
    draft.refresh_from_db()
    assert (draft.title, draft.talk_threshold, draft.recall_threshold, draft.revision) == (
        "改了的标题",
        20,
        40,
        2,
    )
    entry = AuditEntry.objects.get(action="ratings.update_round")
    assert entry.change["title"] == ["2026年职工代表述职测评", "改了的标题"]


def test_update_round_stale_revision_is_refused(draft, uma):
    round_actions.update_round(actor=uma, round_=draft, expected_revision=1, title="第一次")
    _refused(
        "stale", lambda: round_actions.update_round(actor=uma, round_=draft, expected_revision=1, title="旧")
    )


def test_update_round_validates_thresholds_and_window(draft, uma):
    _refused(
        "thresholds",
        lambda: round_actions.update_round(actor=uma, round_=draft, expected_revision=1, talk_threshold=60),
    )
    _refused(
        "window",
        lambda: round_actions.update_round(
            actor=uma, round_=draft, expected_revision=1, closes_at=draft.opens_at - dt.timedelta(minutes=1)
        ),
    )
    _refused(
        "field", lambda: round_actions.update_round(actor=uma, round_=draft, expected_revision=1, unit=None)
    )


def test_update_round_by_someone_else_is_refused(draft, bob, diana):
    _refused(
        None,
        lambda: round_actions.update_round(actor=bob, round_=draft, expected_revision=1, title="x"),
        exc=AccessDenied,
    )
    round_actions.update_round(
        actor=diana, round_=draft, expected_revision=1, title="集团改"
    )  # an ancestor's union
    assert Round.objects.get(pk=draft.pk).title == "集团改"


# ------------------------------------------------------------------------------------------------ populate


def test_populate_adds_the_representatives_of_the_subtree_in_employee_number_order(
    draft, uma, constituencies
):
    assert round_actions.populate_rated(actor=uma, round_=draft) == 2
    rows = list(
        RatedPerson.objects.filter(round=draft)
        .order_by("position")
        .values_list("person__employee_no", "constituency__code", "position")
    )
    assert rows == [("A101", "C1", 1), ("A102", "C1", 2)]
    assert round_actions.populate_rated(actor=uma, round_=draft) == 0  # nobody twice
    assert AuditEntry.objects.filter(action="ratings.populate_rated").count() == 1


def test_populate_group_wide_round_covers_every_constituency(tree, diana, constituencies):
    round_ = _create(diana, tree["G"])
    assert round_actions.populate_rated(actor=diana, round_=round_) == 3
    by_constituency = dict(
        RatedPerson.objects.filter(round=round_, constituency__code="C2").values_list(
            "person__employee_no", "position"
        )
    )
    assert by_constituency == {"B101": 1}


def test_populate_appraisal_adds_nobody(tree, uma, constituencies):
    round_ = _create(uma, tree["MA"], kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION)
    assert round_actions.populate_rated(actor=uma, round_=round_) == 0
    assert not RatedPerson.objects.filter(round=round_).exists()


# ------------------------------------------------------------------------------------------------- add/remove


def test_add_rated_finds_the_constituency_they_represent(draft, uma, constituencies):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["ravi"])
    assert rated.constituency == constituencies["C1"] and rated.position == 1
    second = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    assert second.position == 2


def test_add_rated_refusals(draft, uma, constituencies, alice):
    round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    _refused(
        "duplicate", lambda: round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    )
    _refused("constituency_required", lambda: round_actions.add_rated(actor=uma, round_=draft, person=alice))
    _refused(
        "constituency_scope",
        lambda: round_actions.add_rated(
            actor=uma, round_=draft, person=constituencies["rob"], constituency=constituencies["C2"]
        ),
    )
    Person.objects.filter(pk=constituencies["ravi"].pk).update(is_active=False)
    ravi = Person.objects.get(pk=constituencies["ravi"].pk)
    _refused("inactive", lambda: round_actions.add_rated(actor=uma, round_=draft, person=ravi))


def test_add_leader_to_an_appraisal(tree, uma, lily):
    round_ = _create(uma, tree["MA"], kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION)
    rated = round_actions.add_rated(actor=uma, round_=round_, person=lily)
    assert rated.constituency is None and rated.position == 1


def test_remove_rated_while_draft(draft, uma, constituencies):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    round_actions.remove_rated(actor=uma, rated=rated)
    assert not RatedPerson.objects.filter(round=draft).exists()
    assert AuditEntry.objects.filter(action="ratings.remove_rated", object_id=str(rated.pk)).exists()


def test_remove_rated_with_a_stale_form_is_refused(draft, uma, constituencies):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    _refused("stale", lambda: round_actions.remove_rated(actor=uma, rated=rated, expected_revision=1))


# ------------------------------------------------------------------------------------------------ exemption


def test_set_and_clear_an_exemption(draft, uma, constituencies):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    round_actions.set_exemption(actor=uma, rated=rated, exemption=Exemption.AWAY, note="外派学习")
    rated.refresh_from_db()
    assert (rated.exemption, rated.exemption_note) == (Exemption.AWAY, "外派学习")
    round_actions.set_exemption(actor=uma, rated=rated, exemption="", note="ignored")
    rated.refresh_from_db()
    assert (rated.exemption, rated.exemption_note) == ("", "")
    assert AuditEntry.objects.filter(action="ratings.set_exemption").count() == 2


def test_exemption_with_an_unknown_reason_is_refused(draft, uma, constituencies):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    _refused("exemption", lambda: round_actions.set_exemption(actor=uma, rated=rated, exemption="holiday"))
    _refused("note", lambda: round_actions.set_exemption(actor=uma, rated=rated, exemption=Exemption.OTHER))


def test_exemption_by_someone_outside_is_refused(draft, uma, bob, constituencies):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    _refused(
        None,
        lambda: round_actions.set_exemption(actor=bob, rated=rated, exemption=Exemption.AWAY),
        exc=AccessDenied,
    )


# -------------------------------------------------------------------------------------------------- reports


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_publish_report_text_and_file(draft, uma, constituencies, media):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    round_actions.publish_report(
        actor=uma, rated=rated, text="一年来的履职情况", upload=SimpleUploadedFile("述职.pdf", PDF)
    )
    rated.refresh_from_db()
    assert rated.report == "一年来的履职情况" and rated.report_published_at is not None
    assert rated.report_file.startswith("disclosures/") and rated.report_file_name == "述职.pdf"
    assert (media / rated.report_file).read_bytes() == PDF
    # publishing again without a file keeps the file; a Word file replaces it
    round_actions.publish_report(actor=uma, rated=rated, text="修改后的报告")
    rated.refresh_from_db()
    assert rated.report_file_name == "述职.pdf"
    round_actions.publish_report(
        actor=uma, rated=rated, text="", upload=SimpleUploadedFile("述职.docx", ooxml("docx"))
    )
    rated.refresh_from_db()
    assert rated.report_file_name == "述职.docx" and rated.report == ""


def test_publish_report_refusals(draft, uma, constituencies, media):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    _refused("required", lambda: round_actions.publish_report(actor=uma, rated=rated, text="  "))
    _refused(
        "report_type",
        lambda: round_actions.publish_report(
            actor=uma, rated=rated, text="x", upload=SimpleUploadedFile("a.png", PNG)
        ),
    )
    _refused(
        "bad_type",
        lambda: round_actions.publish_report(
            actor=uma, rated=rated, text="x", upload=SimpleUploadedFile("a.pdf", b"not a pdf at all")
        ),
    )
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


# -------------------------------------------------------------------------------------------------- liaisons


def test_liaisons(draft, uma, lily, constituencies):
    everywhere = round_actions.add_liaison(actor=uma, round_=draft, person=lily)
    c1 = round_actions.add_liaison(actor=uma, round_=draft, person=lily, constituency=constituencies["C1"])
    assert everywhere.constituency is None and c1.constituency == constituencies["C1"]
    _refused("duplicate", lambda: round_actions.add_liaison(actor=uma, round_=draft, person=lily))
    _refused(
        "constituency_scope",
        lambda: round_actions.add_liaison(
            actor=uma, round_=draft, person=lily, constituency=constituencies["C2"]
        ),
    )
    round_actions.remove_liaison(actor=uma, liaison=c1)
    assert list(Liaison.objects.filter(round=draft)) == [everywhere]


def test_liaisons_can_be_named_while_open_but_not_once_closed(open_round, uma, lily):
    round_actions.add_liaison(actor=uma, round_=open_round, person=lily)
    Round.objects.filter(pk=open_round.pk).update(status=RoundStatus.CLOSED)
    liaison = Liaison.objects.get(round=open_round)
    _refused("closed", lambda: round_actions.remove_liaison(actor=uma, liaison=liaison))
    _refused("closed", lambda: round_actions.add_liaison(actor=uma, round_=open_round, person=uma))


# ---------------------------------------------------------------------------------------------- rater group


def test_rater_group_of_an_appraisal(tree, uma, alice, lily, constituencies):
    round_ = _create(uma, tree["MA"], kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION)
    assert round_actions.set_rater_group(actor=uma, round_=round_, people=[alice, lily, alice]) == 2
    assert round_actions.set_rater_group(actor=uma, round_=round_, people=[alice, constituencies["vic"]]) == 2
    members = set(RaterGroupMember.objects.filter(round=round_).values_list("person__employee_no", flat=True))
    assert members == {"A001", "A103"}


def test_rater_group_refusals(draft, tree, uma, alice):
    _refused("not_appraisal", lambda: round_actions.set_rater_group(actor=uma, round_=draft, people=[alice]))
    round_ = _create(uma, tree["MA"], kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION)
    Person.objects.filter(pk=alice.pk).update(is_active=False)
    gone = Person.objects.get(pk=alice.pk)
    _refused("inactive", lambda: round_actions.set_rater_group(actor=uma, round_=round_, people=[gone]))


# --------------------------------------------------------------------------------------------------- opening


def test_open_a_duty_rating_freezes_the_constituencies(draft, uma, constituencies, alice):
    _ready(draft, uma)
    Person.objects.filter(pk=constituencies["vera"].pk).update(is_active=False)
    preview = dict(round_actions.electorate_preview(draft))
    assert preview == {constituencies["C1"].pk: 4}
    opened = round_actions.open_round(actor=uma, round_=draft, expected_revision=draft.revision)
    assert opened.status == RoundStatus.OPEN and opened.opened_at is not None and opened.electorate == 4
    electors = set(
        Elector.objects.filter(round=draft).values_list("person__employee_no", "constituency__code")
    )
    assert electors == {("A001", "C1"), ("A101", "C1"), ("A102", "C1"), ("A103", "C1")}
    entry = AuditEntry.objects.get(action="ratings.open_round")
    assert entry.change["electorate"] == 4 and entry.change["rated"] == 2
    assert dict(round_actions.electorate_preview(opened)) == {constituencies["C1"].pk: 4}


def test_open_group_wide_round_and_exempted_constituency_does_not_vote(tree, diana, constituencies):
    round_ = _ready(_create(diana, tree["G"]), diana)
    rob = RatedPerson.objects.get(round=round_, person=constituencies["rob"])
    round_actions.set_exemption(actor=diana, rated=rob, exemption=Exemption.REPORTED_AT_CONGRESS)
    round_actions.open_round(actor=diana, round_=round_)
    codes = set(Elector.objects.filter(round=round_).values_list("constituency__code", flat=True))
    assert codes == {"C1"}  # C2's only representative is exempted: nobody there has anyone to rate


def test_open_an_appraisal_freezes_the_rater_group(tree, uma, lily, alice, constituencies):
    round_ = _create(uma, tree["MA"], kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION)
    rated = round_actions.add_rated(actor=uma, round_=round_, person=lily)
    round_actions.publish_report(actor=uma, rated=rated, text="任期述职")
    round_actions.set_rater_group(actor=uma, round_=round_, people=[alice, constituencies["vic"]])
    Person.objects.filter(pk=constituencies["vic"].pk).update(is_active=False)
    round_actions.open_round(actor=uma, round_=round_)
    assert list(Elector.objects.filter(round=round_).values_list("person__employee_no", "constituency")) == [
        ("A001", None)
    ]


def test_opening_twice_is_refused(draft, uma):
    _ready(draft, uma)
    round_actions.open_round(actor=uma, round_=draft)
    _refused("already_open", lambda: round_actions.open_round(actor=uma, round_=draft))


def test_open_with_nobody_to_rate_is_refused(draft, uma, constituencies):
    _refused("nobody_rated", lambda: round_actions.open_round(actor=uma, round_=draft))
    _ready(draft, uma)
    for rated in RatedPerson.objects.filter(round=draft):
        round_actions.set_exemption(actor=uma, rated=rated, exemption=Exemption.AWAY)
    _refused("nobody_rated", lambda: round_actions.open_round(actor=uma, round_=draft))


def test_open_with_missing_reports_is_refused(draft, uma, constituencies):
    round_actions.populate_rated(actor=uma, round_=draft)
    error = _refused("missing_reports", lambda: round_actions.open_round(actor=uma, round_=draft))
    assert "丽塔" in error.messages[0] and "拉维" in error.messages[0]
    # an exempted person needs no report
    for rated in RatedPerson.objects.filter(round=draft, person=constituencies["rita"]):
        round_actions.set_exemption(actor=uma, rated=rated, exemption=Exemption.REPORTED_AT_CONGRESS)
    error = _refused("missing_reports", lambda: round_actions.open_round(actor=uma, round_=draft))
    assert "丽塔" not in error.messages[0]


def test_open_with_no_electors_is_refused(draft, uma, constituencies, alice):
    _ready(draft, uma)
    Person.objects.filter(constituency=constituencies["C1"]).update(is_active=False)
    _refused("no_electors", lambda: round_actions.open_round(actor=uma, round_=draft))


def test_open_with_an_empty_rater_group_is_refused(tree, uma, lily):
    round_ = _create(uma, tree["MA"], kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION)
    rated = round_actions.add_rated(actor=uma, round_=round_, person=lily)
    round_actions.publish_report(actor=uma, rated=rated, text="任期述职")
    _refused("no_electors", lambda: round_actions.open_round(actor=uma, round_=round_))


def test_open_after_the_window_is_refused(draft, uma):
    _ready(draft, uma)
    Round.objects.filter(pk=draft.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=2), closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    _refused("window_over", lambda: round_actions.open_round(actor=uma, round_=draft))


def test_open_with_a_stale_form_is_refused(draft, uma, constituencies):
    _ready(draft, uma)
    seen = draft.revision
    rita = RatedPerson.objects.get(round=draft, person=constituencies["rita"])
    round_actions.set_exemption(actor=uma, rated=rita, exemption=Exemption.AWAY)  # someone changes the list
    _refused("stale", lambda: round_actions.open_round(actor=uma, round_=draft, expected_revision=seen))


def test_open_by_someone_else_is_refused(draft, uma, bob):
    _ready(draft, uma)
    _refused(None, lambda: round_actions.open_round(actor=bob, round_=draft), exc=AccessDenied)


def test_nothing_about_the_list_or_electorate_changes_once_open(open_round, uma, lily, constituencies, media):
    rated = RatedPerson.objects.filter(round=open_round).first()
    revision = open_round.revision
    _refused("not_draft", lambda: round_actions.remove_rated(actor=uma, rated=rated))
    _refused(
        "not_draft",
        lambda: round_actions.add_rated(
            actor=uma, round_=open_round, person=constituencies["vic"], constituency=constituencies["C1"]
        ),
    )
    _refused("not_draft", lambda: round_actions.populate_rated(actor=uma, round_=open_round))
    _refused(
        "not_draft", lambda: round_actions.set_exemption(actor=uma, rated=rated, exemption=Exemption.AWAY)
    )
    _refused("not_draft", lambda: round_actions.publish_report(actor=uma, rated=rated, text="换一份"))
    _refused("not_draft", lambda: round_actions.set_rater_group(actor=uma, round_=open_round, people=[lily]))
    _refused(
        "not_draft",
        lambda: round_actions.update_round(
            actor=uma, round_=open_round, expected_revision=revision, title="x"
        ),
    )


def test_open_round_costs_the_same_queries_for_5_or_2000_raters(tree, uma, constituencies):
    def prepared(constituency):
        round_ = _create(uma, tree["MA"])
        rated = round_actions.add_rated(
            actor=uma, round_=round_, person=constituencies["rita"], constituency=constituency
        )
        round_actions.publish_report(actor=uma, rated=rated, text="报告")
        round_.refresh_from_db()
        return round_

    small = prepared(constituencies["C1"])
    with CaptureQueriesContext(connection) as few:
        round_actions.open_round(actor=uma, round_=small)
    big_c = Constituency.objects.create(code="C9", name="大选区", unit=tree["MA1"])
    Person.objects.bulk_create(
        Person(employee_no=f"Z{i:05d}", name=f"矿工{i}", unit=tree["MA1"], constituency=big_c, password="!")
        for i in range(2000)
    )
    big = prepared(big_c)
    with CaptureQueriesContext(connection) as many:
        opened = round_actions.open_round(actor=uma, round_=big)
    assert opened.electorate == 2000 == Elector.objects.filter(round=big).count()
    assert len(many.captured_queries) == len(few.captured_queries)
