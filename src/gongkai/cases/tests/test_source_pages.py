"""Pages of the sources of cases: reception days, representatives' inspections, congress motions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.cases import actions, motion_actions, receipts, source_actions
from gongkai.cases.choices import CaseStatus, MotionDecision, SourceKind
from gongkai.cases.models import Case, CaseEvent, Inspection, Motion, ReceptionDay
from gongkai.cases.source_panels import sources_panel
from gongkai.conftest import _person
from gongkai.core.access import get_scope
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry
from gongkai.org.models import RoleAssignment


@pytest.fixture
def rita(tree):
    """A representative on 一矿."""
    p = _person("A500", "丽塔", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.REPRESENTATIVE)
    return p


@pytest.fixture
def rex(tree):
    """Another representative on 一矿."""
    p = _person("A501", "雷克斯", tree["MA1"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.REPRESENTATIVE)
    return p


@pytest.fixture
def mb_union(tree):
    p = _person("B300", "贝拉", tree["MB"])
    RoleAssignment.objects.create(person=p, unit=tree["MB"], role=Role.UNION)
    return p


@pytest.fixture
def day(uma, tree, today):
    return source_actions.record_reception(
        actor=uma, unit=tree["MA"], date=today, place="工会接待室", leaders=[uma], people_received=3
    )


@pytest.fixture
def mb_day(mb_union, tree, today):
    return source_actions.record_reception(actor=mb_union, unit=tree["MB"], date=today, place="二矿会议室")


@pytest.fixture
def inspection(uma, alice, tree, today):
    return source_actions.plan_inspection(
        actor=uma,
        unit=tree["MA"],
        title="巡视综采一区",
        start_date=today,
        end_date=today + dt.timedelta(days=2),
        representatives=[alice],
        target_units=[tree["MA1"]],
    )


@pytest.fixture
def motion(rita, tree, today):
    return motion_actions.draft_motion(
        actor=rita,
        unit=tree["MA"],
        title="提高井下津贴",
        text="建议提高井下作业津贴标准。",
        signing_deadline=today + dt.timedelta(days=3),
    )


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# ------------------------------------------------------------------------------------------ reception days


def test_reception_days_are_seen_by_their_unit_only(client, day, mb_day, uma, bob, alice):
    client.force_login(uma)
    page = client.get(reverse("cases:receptions")).content.decode()
    assert "工会接待室" in page and "二矿会议室" not in page
    assert client.get(reverse("cases:reception", args=[mb_day.pk])).status_code == 404
    for outsider in (bob, alice):
        client.force_login(outsider)
        assert "工会接待室" not in client.get(reverse("cases:receptions")).content.decode()
        assert client.get(reverse("cases:reception", args=[day.pk])).status_code == 404
        response = client.post(
            reverse("cases:reception_walk_in", args=[day.pk]),
            {"unit": day.unit.pk, "anonymous": "on", "title": "x", "text": "y"},
        )
        assert response.status_code == 404
    assert not Case.objects.exists()


def test_a_leader_on_duty_sees_the_day(client, uma, tree, today, rita):
    day = source_actions.record_reception(actor=uma, unit=tree["MA"], date=today, leaders=[rita])
    client.force_login(rita)
    assert client.get(reverse("cases:reception", args=[day.pk])).status_code == 200


def test_scheduling_a_reception_day(client, uma, rita, tree, today, english):
    client.force_login(uma)
    assert client.get(reverse("cases:reception_new")).status_code == 200
    data = {"unit": tree["MA"].pk, "date": "2026-10-25", "place": "接待室", "leaders": "A300, A500"}
    response = client.post(reverse("cases:reception_new"), data)
    day = ReceptionDay.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:reception", args=[day.pk])
    assert set(day.leaders.all()) == {uma, rita}
    again = client.post(reverse("cases:reception_new"), data)
    assert again.status_code == 200 and "already has a reception on this day" in again.content.decode()
    unknown = client.post(
        reverse("cases:reception_new"), {**data, "date": "2026-11-25", "leaders": "A300 Z999"}
    )
    assert "Unknown employee numbers: Z999." in unknown.content.decode()
    other = client.post(reverse("cases:reception_new"), {**data, "unit": tree["MB"].pk, "date": "2026-11-25"})
    assert "Select a valid choice" in other.content.decode()
    assert ReceptionDay.objects.count() == 1


def test_an_employee_cannot_schedule(client, alice, tree, english):
    client.force_login(alice)
    assert (
        "Only the union or the leading group" in client.get(reverse("cases:reception_new")).content.decode()
    )
    client.post(reverse("cases:reception_new"), {"unit": tree["MA"].pk, "date": "2026-10-25"})
    assert not ReceptionDay.objects.exists()


def test_a_named_walk_in_becomes_a_case_of_the_day(client, day, uma, alice, tree):
    client.force_login(uma)
    response = client.post(
        reverse("cases:reception_walk_in", args=[day.pk]),
        {"unit": tree["MA1"].pk, "employee_no": "A001", "title": "班车太挤", "text": "早班班车太挤。"},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.raiser, case.reception, case.source, case.unit) == (
        alice,
        day,
        SourceKind.RECEPTION,
        tree["MA1"],
    )
    page = client.get(reverse("cases:reception", args=[day.pk])).content.decode()
    assert "班车太挤" in page and alice.name in page


def test_an_anonymous_walk_in_shows_the_receipt_once_and_keeps_nobody(client, day, uma, tree, english):
    client.force_login(uma)
    response = client.post(
        reverse("cases:reception_walk_in", args=[day.pk]),
        {"unit": tree["MA1"].pk, "anonymous": "on", "title": "食堂卫生", "text": "食堂卫生差。"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    case = Case.objects.get()
    assert case.is_anonymous and case.raiser is None and case.reception == day
    shown = response.context["receipt"]
    receipt = shown.replace(" ", "")
    assert shown in response.content.decode() and "write it down" in response.content.decode()
    assert case.receipt_hash == receipts.receipt_hash(receipt)
    assert all(e.actor is None for e in CaseEvent.objects.filter(case=case))
    assert not any(receipt in repr(e.change) for e in AuditEntry.objects.all())
    assert receipt not in str(dict(client.session))
    # shown once: the page afterwards does not carry it
    assert shown not in client.get(reverse("cases:reception", args=[day.pk])).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "x", "text": "y"}, "Give the person&#x27;s employee number, or tick anonymous."),
        (
            {"title": "x", "text": "y", "employee_no": "A001", "anonymous": "on"},
            "leave the employee number empty",
        ),
        ({"title": "x", "text": "y", "employee_no": "Z999"}, "Unknown employee number."),
        ({"title": "", "text": "y", "anonymous": "on"}, "This field is required."),
    ],
)
def test_a_bad_walk_in_is_refused_with_a_message(client, day, uma, alice, tree, english, data, message):
    client.force_login(uma)
    response = client.post(
        reverse("cases:reception_walk_in", args=[day.pk]), {"unit": tree["MA1"].pk, **data}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not Case.objects.exists()


def test_people_received_is_corrected(client, day, uma, english):
    client.force_login(uma)
    url = reverse("cases:reception_count", args=[day.pk])
    assert client.post(url, {"people_received": "12"}).status_code == 302
    assert ReceptionDay.objects.get(pk=day.pk).people_received == 12
    response = client.post(url, {"people_received": "-1"})
    assert response.status_code == 400 and "greater than or equal to 0" in response.content.decode()
    assert ReceptionDay.objects.get(pk=day.pk).people_received == 12


def test_a_leader_on_duty_who_does_not_manage_cannot_change_the_count(client, uma, tree, today, bob, english):
    day = source_actions.record_reception(actor=uma, unit=tree["MA"], date=today, leaders=[bob])
    client.force_login(bob)
    response = client.post(reverse("cases:reception_count", args=[day.pk]), {"people_received": "40"})
    assert response.status_code == 400 and "do not have the role" in response.content.decode()
    assert ReceptionDay.objects.get(pk=day.pk).people_received == 0


def test_the_reception_list_has_a_fixed_number_of_queries(client, uma, alice, tree, today):
    client.force_login(uma)
    source_actions.record_reception(actor=uma, unit=tree["MA"], date=today, leaders=[uma])
    url = reverse("cases:receptions")
    few = _count_queries(client, url)
    for i in range(1, 9):
        day = source_actions.record_reception(
            actor=uma, unit=tree["MA1"], date=today + dt.timedelta(days=i), leaders=[uma, alice]
        )
        actions.raise_case(
            actor=uma, raiser=alice, unit=tree["MA1"], title=f"事{i}", text="……", reception=day
        )
    assert _count_queries(client, url) == few


def test_the_reception_page_has_a_fixed_number_of_queries(client, day, uma, alice, tree):
    client.force_login(uma)
    url = reverse("cases:reception", args=[day.pk])
    actions.raise_case(actor=uma, raiser=alice, unit=tree["MA1"], title="一", text="……", reception=day)
    few = _count_queries(client, url)
    for i in range(6):
        actions.raise_case(
            actor=uma, raiser=alice, unit=tree["MA1"], title=f"事{i}", text="……", reception=day
        )
        actions.raise_case(
            actor=uma, anonymous=True, unit=tree["MA"], title=f"匿{i}", text="……", reception=day
        )
    assert _count_queries(client, url) == few


# ------------------------------------------------------------------------------------------- inspections


def test_planning_an_inspection(client, uma, alice, rita, tree, english):
    client.force_login(uma)
    data = {
        "unit": tree["MA"].pk,
        "title": "巡视 综采一区",
        "start_date": "2026-10-12",
        "end_date": "2026-10-13",
        "representatives": "A001 A500",
        "target_units": "MA1",
    }
    response = client.post(reverse("cases:inspection_new"), data)
    inspection = Inspection.objects.get()
    assert response["Location"] == reverse("cases:inspection", args=[inspection.pk])
    assert set(inspection.representatives.all()) == {alice, rita}
    assert list(inspection.target_units.all()) == [tree["MA1"]]

    bad = [
        ({"end_date": "2026-10-11"}, "cannot end before it starts"),
        ({"target_units": "MB1"}, "These units are outside yours: 掘进一区."),
        ({"target_units": "NOPE"}, "Unknown unit codes: NOPE."),
        ({"title": "  "}, "This field is required."),
    ]
    for change, message in bad:
        response = client.post(reverse("cases:inspection_new"), {**data, **change})
        assert response.status_code == 200 and message in response.content.decode(), message
    assert Inspection.objects.count() == 1


def test_an_inspection_is_seen_by_its_unit_and_its_representatives_only(client, inspection, alice, bob, uma):
    for viewer in (uma, alice):
        client.force_login(viewer)
        assert client.get(reverse("cases:inspection", args=[inspection.pk])).status_code == 200
        assert "巡视综采一区" in client.get(reverse("cases:inspections")).content.decode()
    client.force_login(bob)
    assert "巡视综采一区" not in client.get(reverse("cases:inspections")).content.decode()
    for name in ("cases:inspection", "cases:inspection_print"):
        assert client.get(reverse(name, args=[inspection.pk])).status_code == 404
    response = client.post(reverse("cases:inspection_record", args=[inspection.pk]), {"report": "x"})
    assert response.status_code == 404
    assert Inspection.objects.get().report == ""


def test_the_checklist_and_report_are_recorded_and_printed(client, inspection, alice, english):
    client.force_login(alice)
    response = client.post(
        reverse("cases:inspection_record", args=[inspection.pk]),
        {
            "check_records_done": "on",
            "check_records_notes": "考勤记录齐全",
            "listen_done": "on",
            "report": "总体良好。",
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.checklist["check_records"] == {"done": True, "notes": "考勤记录齐全"}
    assert inspection.checklist["look_at_boards"] == {"done": False, "notes": ""}
    assert inspection.report == "总体良好。"
    page = client.get(reverse("cases:inspection_print", args=[inspection.pk])).content.decode()
    assert "@media print" in page and "考勤记录齐全" in page and "总体良好。" in page
    assert "Listen to employees" in page and "Inspection report" in page


def test_a_report_too_long_is_refused(client, inspection, alice, english):
    client.force_login(alice)
    response = client.post(reverse("cases:inspection_record", args=[inspection.pk]), {"report": "长" * 50001})
    assert response.status_code == 400 and "at most 50000 characters" in response.content.decode()
    assert Inspection.objects.get().report == ""


def test_a_finding_on_the_spot_becomes_a_case(client, inspection, uma, tree, bob, english):
    client.force_login(uma)
    url = reverse("cases:inspection_finding", args=[inspection.pk])
    response = client.post(url, {"unit": tree["MA1"].pk, "title": "公示栏未更新", "text": "八月工资未公示。"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.source, case.inspection, case.raiser) == (SourceKind.INSPECTION, inspection, uma)
    assert (
        "公示栏未更新" in client.get(reverse("cases:inspection_print", args=[inspection.pk])).content.decode()
    )
    outside = client.post(url, {"unit": tree["MB1"].pk, "title": "x", "text": "y"})
    assert outside.status_code == 400 and "Select a valid choice" in outside.content.decode()
    assert Case.objects.count() == 1


def test_the_inspection_list_has_a_fixed_number_of_queries(client, uma, alice, rita, tree, today):
    client.force_login(uma)
    url = reverse("cases:inspections")
    source_actions.plan_inspection(actor=uma, unit=tree["MA"], title="一", start_date=today, end_date=today)
    few = _count_queries(client, url)
    for i in range(8):
        inspection = source_actions.plan_inspection(
            actor=uma,
            unit=tree["MA"],
            title=f"巡视{i}",
            start_date=today,
            end_date=today,
            representatives=[alice, rita],
            target_units=[tree["MA"], tree["MA1"]],
        )
        actions.raise_case(actor=uma, unit=tree["MA1"], title="发现", text="……", inspection=inspection)
    assert _count_queries(client, url) == few


# ----------------------------------------------------------------------------------------------- motions


def test_a_representative_puts_a_motion_forward(client, rita, tree, today, english):
    client.force_login(rita)
    data = {
        "unit": tree["MA"].pk,
        "title": "增加班车",
        "text": "建议增加夜班班车。",
        "signing_deadline": "2026-10-09",
    }
    response = client.post(reverse("cases:motion_new"), data)
    motion = Motion.objects.get()
    assert response["Location"] == reverse("cases:motion", args=[motion.pk])
    assert motion.proposer == rita
    late = client.post(reverse("cases:motion_new"), {**data, "signing_deadline": "2026-09-01"})
    assert "The co-signing deadline has already passed." in late.content.decode()
    assert Motion.objects.count() == 1


def test_an_employee_cannot_put_a_motion_forward(client, alice, tree, today, english):
    client.force_login(alice)
    assert (
        "Only representatives put motions forward."
        in client.get(reverse("cases:motion_new")).content.decode()
    )
    data = {"unit": tree["MA"].pk, "title": "x", "text": "y", "signing_deadline": "2026-10-09"}
    client.post(reverse("cases:motion_new"), data)
    assert not Motion.objects.exists()


def test_co_signing_until_the_deadline(client, motion, rita, rex, today, monkeypatch, english):
    client.force_login(rex)
    url = reverse("cases:motion", args=[motion.pk])
    assert "Co-sign this motion" in client.get(url).content.decode()
    client.post(reverse("cases:motion_sign", args=[motion.pk]))
    assert list(motion.signatures.values_list("person", flat=True)) == [rex.pk]
    again = client.post(reverse("cases:motion_sign", args=[motion.pk]), follow=True)
    assert "You have already co-signed this motion." in again.content.decode()
    client.force_login(rita)
    own = client.post(reverse("cases:motion_sign", args=[motion.pk]), follow=True)
    assert "others co-sign it" in own.content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: motion.signing_deadline + dt.timedelta(days=1))
    late_rep = _person("A502", "莉娜", motion.unit)
    RoleAssignment.objects.create(person=late_rep, unit=motion.unit, role=Role.REPRESENTATIVE)
    client.force_login(late_rep)
    assert "Co-sign this motion" not in client.get(url).content.decode()
    late = client.post(reverse("cases:motion_sign", args=[motion.pk]), follow=True)
    assert "Co-signing closed on 2026-09-28." in late.content.decode()
    assert motion.signatures.count() == 1


def test_motions_of_another_mine_are_not_seen(client, motion, bob, mb_union, alice):
    for outsider in (bob, mb_union, alice):
        client.force_login(outsider)
        assert "提高井下津贴" not in client.get(reverse("cases:motions")).content.decode()
        assert client.get(reverse("cases:motion", args=[motion.pk])).status_code == 404
        assert client.post(reverse("cases:motion_sign", args=[motion.pk])).status_code == 404
        assert (
            client.post(reverse("cases:motion_decide", args=[motion.pk]), {"decision": "accept"}).status_code
            == 404
        )
    assert motion.signatures.count() == 0
    assert Motion.objects.get().decision == MotionDecision.PENDING


def test_the_committee_decides_after_the_deadline(client, motion, uma, rex, monkeypatch, english):
    motion_actions.co_sign(motion, actor=rex)
    client.force_login(uma)
    url = reverse("cases:motion_decide", args=[motion.pk])
    early = client.post(url, {"decision": "accept"})
    assert early.status_code == 400 and "decide after that" in early.content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: motion.signing_deadline + dt.timedelta(days=1))
    assert "Record the decision" in client.get(reverse("cases:motion", args=[motion.pk])).content.decode()
    no_reason = client.post(url, {"decision": "return"})
    assert no_reason.status_code == 400 and "Say why: a reason is required." in no_reason.content.decode()
    assert Motion.objects.get().decision == MotionDecision.PENDING
    assert client.post(url, {"decision": "accept", "reason": "符合立案条件"}).status_code == 302
    motion.refresh_from_db()
    assert motion.decision == MotionDecision.ACCEPTED
    case = Case.objects.get()
    assert (case.motion, case.status, case.raiser) == (motion, CaseStatus.ACCEPTED, motion.proposer)
    twice = client.post(url, {"decision": "return", "reason": "x"})
    assert twice.status_code == 400 and "already decided" in twice.content.decode()
    assert Case.objects.count() == 1


def test_a_representative_cannot_decide(client, motion, rex, monkeypatch, english):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: motion.signing_deadline + dt.timedelta(days=1))
    client.force_login(rex)
    response = client.post(reverse("cases:motion_decide", args=[motion.pk]), {"decision": "accept"})
    assert response.status_code == 400 and "do not have the role" in response.content.decode()
    assert Motion.objects.get().decision == MotionDecision.PENDING


def test_the_motion_list_has_a_fixed_number_of_queries(client, rita, rex, uma, tree, today):
    client.force_login(uma)
    url = reverse("cases:motions")
    deadline = today + dt.timedelta(days=3)
    motion_actions.draft_motion(actor=rita, unit=tree["MA"], title="一", text="……", signing_deadline=deadline)
    few = _count_queries(client, url)
    for i in range(8):
        m = motion_actions.draft_motion(
            actor=rex if i % 2 else rita,
            unit=tree["MA"],
            title=f"提案{i}",
            text="……",
            signing_deadline=deadline,
        )
        motion_actions.co_sign(m, actor=rita if i % 2 else rex)
    assert _count_queries(client, url) == few


# ------------------------------------------------------------------------------------------------- panel


def test_the_home_panel(rf, day, motion, uma, rita, alice, bob, inspection, today):
    def panel(person):
        request = rf.get("/")
        request.user = person
        return sources_panel(request, get_scope(person))

    assert panel(alice) is None and panel(bob) is None
    ctx = panel(uma).context
    assert (ctx["receptions"], ctx["inspections"], ctx["to_decide"], ctx["signing"]) == (1, 1, 0, None)
    ctx = panel(rita).context
    assert (ctx["receptions"], ctx["signing"]) == (None, 1)


# ------------------------------------------------------------------------------- filters, admins, details


def test_an_admin_of_the_whole_tree_sees_every_source(client, root, day, mb_day, inspection, motion):
    client.force_login(root)
    assert "二矿会议室" in client.get(reverse("cases:receptions")).content.decode()
    assert "工会接待室" in client.get(reverse("cases:receptions")).content.decode()
    assert "巡视综采一区" in client.get(reverse("cases:inspections")).content.decode()
    assert "提高井下津贴" in client.get(reverse("cases:motions")).content.decode()


def test_the_reception_list_filters_coming_and_past(client, uma, tree, today):
    source_actions.record_reception(
        actor=uma, unit=tree["MA"], date=today + dt.timedelta(days=30), place="未来室"
    )
    source_actions.record_reception(
        actor=uma, unit=tree["MA"], date=today - dt.timedelta(days=30), place="过去室"
    )
    client.force_login(uma)
    coming = client.get(reverse("cases:receptions"), {"when": "upcoming"}).content.decode()
    past = client.get(reverse("cases:receptions"), {"when": "past"}).content.decode()
    assert "未来室" in coming and "过去室" not in coming
    assert "过去室" in past and "未来室" not in past
    everything = client.get(reverse("cases:receptions"), {"when": "bogus"}).content.decode()
    assert "未来室" in everything and "过去室" in everything


def test_the_motion_list_filters_by_state(client, motion, uma, rita, tree, today, monkeypatch):
    client.force_login(uma)
    assert "提高井下津贴" in client.get(reverse("cases:motions"), {"state": "signing"}).content.decode()
    assert "提高井下津贴" not in client.get(reverse("cases:motions"), {"state": "awaiting"}).content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: motion.signing_deadline + dt.timedelta(days=1))
    assert "提高井下津贴" in client.get(reverse("cases:motions"), {"state": "awaiting"}).content.decode()
    motion_actions.decide_motion(motion, actor=uma, accept=False, reason="不属于职代会职权")
    assert "提高井下津贴" in client.get(reverse("cases:motions"), {"state": "decided"}).content.decode()
    assert "提高井下津贴" not in client.get(reverse("cases:motions"), {"state": "awaiting"}).content.decode()
    client.force_login(rita)
    assert "不属于职代会职权" in client.get(reverse("cases:motion", args=[motion.pk])).content.decode()


def test_the_inspection_page_has_a_fixed_number_of_queries(client, inspection, uma, tree):
    client.force_login(uma)
    urls = [reverse(n, args=[inspection.pk]) for n in ("cases:inspection", "cases:inspection_print")]
    actions.raise_case(actor=uma, unit=tree["MA1"], title="一", text="……", inspection=inspection)
    few = [_count_queries(client, url) for url in urls]
    for i in range(6):
        actions.raise_case(actor=uma, unit=tree["MA1"], title=f"发现{i}", text="……", inspection=inspection)
    assert [_count_queries(client, url) for url in urls] == few


def test_the_motion_page_has_a_fixed_number_of_queries(client, motion, uma, tree):
    client.force_login(uma)
    url = reverse("cases:motion", args=[motion.pk])
    few = _count_queries(client, url)
    for i in range(6):
        rep = _person(f"A6{i:02}", f"代表{i}", tree["MA1"])
        RoleAssignment.objects.create(person=rep, unit=tree["MA"], role=Role.REPRESENTATIVE)
        motion_actions.co_sign(motion, actor=rep)
    page = client.get(url).content.decode()
    assert "代表5" in page
    assert _count_queries(client, url) == few


def test_the_forms_render_for_those_who_use_them(client, uma, rita, inspection, day, english):
    client.force_login(uma)
    for name in ("cases:reception_new", "cases:inspection_new"):
        page = client.get(reverse(name)).content.decode()
        assert 'name="unit"' in page and "一矿" in page and "二矿" not in page
    detail = client.get(reverse("cases:inspection", args=[inspection.pk])).content.decode()
    assert "Look at the notice boards" in detail and 'name="look_at_boards_done"' in detail
    walk_in = client.get(reverse("cases:reception", args=[day.pk])).content.decode()
    assert 'name="employee_no"' in walk_in and 'name="people_received"' in walk_in
    client.force_login(rita)
    page = client.get(reverse("cases:motion_new")).content.decode()
    assert 'name="signing_deadline"' in page and "一矿" in page
