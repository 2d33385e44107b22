"""Round management pages: the scoped list, a new round, the round page and its forms, the duty report page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry
from gongkai.disclosures.tests.disclosure_helpers import PDF
from gongkai.org.models import RoleAssignment
from gongkai.ratings import ballot_actions, round_actions
from gongkai.ratings.choices import Channel, Exemption, RoundKind, RoundStatus, Scale
from gongkai.ratings.models import Elector, Liaison, Participation, RatedPerson, RaterGroupMember, Round

from .conftest import ballot_for, make_round


@pytest.fixture
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mb_union(tree):
    p = _person("B300", "贝拉", tree["MB"])
    RoleAssignment.objects.create(person=p, unit=tree["MB"], role=Role.UNION)
    return p


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _new_round_data(unit, **kw):
    opens = timezone.now() + dt.timedelta(days=1)
    data = {
        "unit": unit.pk,
        "title": "2026年职工代表述职测评",
        "kind": RoundKind.DUTY_RATING,
        "scale": Scale.FITNESS,
        "year": 2026,
        "opens_at": _local(opens),
        "closes_at": _local(opens + dt.timedelta(days=3)),
        "talk_threshold": 30,
        "recall_threshold": 50,
    }
    data.update(kw)
    return data


@pytest.fixture
def draft(tree, uma, constituencies):
    opens = timezone.now() + dt.timedelta(days=1)
    return round_actions.create_round(
        actor=uma,
        unit=tree["MA"],
        title="一矿述职测评",
        kind=RoundKind.DUTY_RATING,
        scale=Scale.FITNESS,
        year=2026,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=3),
    )


def _writes():
    return (
        Round.objects.count(),
        list(Round.objects.values_list("pk", "revision", "status")),
        list(RatedPerson.objects.values_list("pk", "exemption", "exemption_note", "report_published_at")),
        Elector.objects.count(),
        RaterGroupMember.objects.count(),
        Liaison.objects.count(),
        AuditEntry.objects.count(),
    )


def _code(response) -> str:
    body = response.content.decode()
    marker = 'data-code="'
    assert marker in body, body
    return body.split(marker, 1)[1].split('"', 1)[0]


# ---------------------------------------------------------------------------------------------------- list


def test_list_is_scoped_and_filtered(client, tree, uma, mb_union, constituencies):
    mine = make_round(tree["MA"], uma, [constituencies["C1"]], title="一矿测评")
    make_round(tree["MA"], uma, [], status=RoundStatus.DRAFT, title="一矿草稿")
    Round.objects.filter(title="一矿草稿").update(year=2025)
    make_round(tree["MB"], mb_union, [constituencies["C2"]], title="二矿测评")
    client.force_login(uma)
    page = client.get(reverse("ratings:rounds")).content.decode()
    assert "一矿测评" in page and "一矿草稿" in page and "二矿测评" not in page
    assert reverse("ratings:round", args=[mine.pk]) in page
    by_year = client.get(reverse("ratings:rounds"), {"year": 2025}).content.decode()
    assert "一矿草稿" in by_year and "一矿测评" not in by_year
    by_status = client.get(reverse("ratings:rounds"), {"status": RoundStatus.OPEN}).content.decode()
    assert "一矿测评" in by_status and "一矿草稿" not in by_status


def test_list_for_an_employee_shows_nothing(client, alice, tree, uma, constituencies):
    make_round(tree["MA"], uma, [constituencies["C1"]], title="一矿测评")
    client.force_login(alice)
    page = client.get(reverse("ratings:rounds")).content.decode()
    assert "一矿测评" not in page and reverse("ratings:round_new") not in page
    assert client.get(reverse("ratings:round_new")).status_code == 404


def test_list_costs_a_fixed_number_of_queries(client, tree, uma, constituencies, django_assert_num_queries):
    def add_rounds(n):
        for i in range(n):
            r = make_round(tree["MA"], uma, [constituencies["C1"]], title=f"测评{i}")
            Participation.objects.create(round=r, person=constituencies["vic"], channel=Channel.PAPER)

    client.force_login(uma)
    add_rounds(1)
    client.get(reverse("ratings:rounds"))  # warm the session
    with django_assert_num_queries(8) as few:
        response = client.get(reverse("ratings:rounds"))
    assert response.status_code == 200
    add_rounds(12)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("ratings:rounds")).content.decode()
    assert "测评11" in page


# ----------------------------------------------------------------------------------------------- new round


def test_create_a_round_from_the_form(client, tree, uma, english):
    client.force_login(uma)
    form = client.get(reverse("ratings:round_new")).content.decode()
    assert "一矿" in form and "二矿" not in form and "talks with them" in form
    response = client.post(reverse("ratings:round_new"), _new_round_data(tree["MA"]))
    created = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ratings:round", args=[created.pk])
    assert (created.unit, created.talk_threshold, created.recall_threshold) == (tree["MA"], 30, 50)


def test_new_round_for_a_unit_outside_my_scope_writes_nothing(client, tree, uma, english):
    client.force_login(uma)
    before = _writes()
    response = client.post(reverse("ratings:round_new"), _new_round_data(tree["MB"]))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert _writes() == before


def test_new_round_with_the_window_reversed_or_thresholds_wrong_writes_nothing(client, tree, uma, english):
    client.force_login(uma)
    before = _writes()
    data = _new_round_data(tree["MA"])
    reversed_window = client.post(
        reverse("ratings:round_new"), {**data, "closes_at": data["opens_at"], "opens_at": data["closes_at"]}
    )
    assert "Voting must close after it opens." in reversed_window.content.decode()
    thresholds = client.post(reverse("ratings:round_new"), {**data, "talk_threshold": 60})
    assert "higher than the talk threshold" in thresholds.content.decode()
    assert _writes() == before


# ----------------------------------------------------------------------------------------------- round page


def test_round_page_is_for_the_managers_of_its_unit(client, draft, uma, diana, alice, mb_union):
    url = reverse("ratings:round", args=[draft.pk])
    for outsider in (alice, mb_union):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("ratings:round_edit", args=[draft.pk])).status_code == 404
    for manager in (uma, diana):
        client.force_login(manager)
        assert client.get(url).status_code == 200


def test_round_page_groups_the_rated_by_constituency(client, tree, diana, constituencies, english):
    round_ = round_actions.create_round(
        actor=diana,
        unit=tree["G"],
        title="集团述职测评",
        kind=RoundKind.DUTY_RATING,
        scale=Scale.FITNESS4,
        year=2026,
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    round_actions.populate_rated(actor=diana, round_=round_)
    rob = RatedPerson.objects.get(round=round_, person=constituencies["rob"])
    round_actions.set_exemption(actor=diana, rated=rob, exemption=Exemption.OTHER, note="病休")
    rita = RatedPerson.objects.get(round=round_, person=constituencies["rita"])
    round_actions.publish_report(actor=diana, rated=rita, text="报告")
    client.force_login(diana)
    page = client.get(reverse("ratings:round", args=[round_.pk])).content.decode()
    assert page.index("综采一区选区") < page.index("丽塔") < page.index("拉维") < page.index("掘进一区选区")
    assert page.index("掘进一区选区") < page.index("罗伯")
    assert "Other reason" in page and "病休" in page
    assert "Missing" in page and "Published" in page and "1 duty report missing" in page
    assert "If the round opened now, 5 people would vote." in page  # C1's five; C2's only one is exempted


def test_round_page_costs_the_same_queries_with_more_people(
    client, tree, uma, constituencies, django_assert_num_queries
):
    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], status=RoundStatus.DRAFT)
    client.force_login(uma)
    url = reverse("ratings:round", args=[round_.pk])
    client.get(url)
    with django_assert_num_queries(10) as few:
        client.get(url)
    for i in range(20):
        rep = _person(f"A2{i:02d}", f"代表{i}", tree["MA1"], constituency=constituencies["C1"])
        round_actions.add_rated(actor=uma, round_=round_, person=rep, constituency=constituencies["C1"])
    with django_assert_num_queries(len(few.captured_queries)):
        assert "代表19" in client.get(url).content.decode()


def test_populate_and_add_by_employee_number(client, draft, uma, constituencies, lily, english):
    client.force_login(uma)
    response = client.post(reverse("ratings:round_populate", args=[draft.pk]), {"revision": draft.revision})
    assert response.status_code == 302
    assert RatedPerson.objects.filter(round=draft).count() == 2
    draft.refresh_from_db()
    unknown = client.post(
        reverse("ratings:round_add_rated", args=[draft.pk]),
        {"employee_no": "Z999", "constituency": "", "revision": draft.revision},
    )
    assert unknown.status_code == 400 and "Unknown employee number: Z999." in unknown.content.decode()
    vic = constituencies["vic"]
    added = client.post(
        reverse("ratings:round_add_rated", args=[draft.pk]),
        {"employee_no": vic.employee_no, "constituency": "C1", "revision": draft.revision},
    )
    assert added.status_code == 302
    assert RatedPerson.objects.get(round=draft, person=vic).position == 3


def test_exemption_with_an_unknown_reason_writes_nothing(client, draft, uma, constituencies, english):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    draft.refresh_from_db()
    client.force_login(uma)
    before = _writes()
    response = client.post(
        reverse("ratings:rated_exemption", args=[rated.pk]),
        {"exemption": "holiday", "note": "", "revision": draft.revision},
    )
    assert response.status_code == 400 and _code(response) == "exemption"
    assert _writes() == before
    ok = client.post(
        reverse("ratings:rated_exemption", args=[rated.pk]),
        {"exemption": Exemption.AWAY, "note": "外派", "revision": draft.revision},
    )
    assert ok.status_code == 302
    rated.refresh_from_db()
    assert (rated.exemption, rated.exemption_note) == (Exemption.AWAY, "外派")


def test_a_stale_form_writes_nothing(client, draft, uma, constituencies, english):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    old = draft.revision  # the page was opened before rita was added
    client.force_login(uma)
    before = _writes()
    response = client.post(reverse("ratings:rated_remove", args=[rated.pk]), {"revision": old})
    assert response.status_code == 400 and _code(response) == "stale"
    assert "changed by someone else" in response.content.decode()
    missing = client.post(reverse("ratings:round_open", args=[draft.pk]), {})
    assert missing.status_code == 400 and _code(missing) == "stale"
    edit = client.post(
        reverse("ratings:round_edit", args=[draft.pk]),
        {**_new_round_data(draft.unit), "revision": old},
    )
    assert edit.status_code == 400 and _code(edit) == "stale"
    assert _writes() == before


def test_edit_the_settings_while_draft(client, draft, uma, english):
    client.force_login(uma)
    url = reverse("ratings:round_edit", args=[draft.pk])
    assert "一矿述职测评" in client.get(url).content.decode()
    data = {
        **_new_round_data(draft.unit, title="新标题", talk_threshold=25, recall_threshold=45),
        "revision": 1,
    }
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.talk_threshold, draft.recall_threshold) == ("新标题", 25, 45)
    bad = client.post(url, {**data, "revision": draft.revision, "recall_threshold": 101})
    assert bad.status_code == 400


def test_open_from_the_page_with_refusals_shown(client, draft, uma, constituencies, english):
    client.force_login(uma)
    url = reverse("ratings:round_open", args=[draft.pk])
    nobody = client.post(url, {"revision": draft.revision})
    assert nobody.status_code == 400 and _code(nobody) == "nobody_rated"
    round_actions.populate_rated(actor=uma, round_=draft)
    draft.refresh_from_db()
    before = _writes()
    missing = client.post(url, {"revision": draft.revision})
    assert _code(missing) == "missing_reports" and "丽塔" in missing.content.decode()
    assert _writes() == before
    for rated in RatedPerson.objects.filter(round=draft):
        round_actions.publish_report(actor=uma, rated=rated, text="报告")
    draft.refresh_from_db()
    opened = client.post(url, {"revision": draft.revision})
    assert opened.status_code == 302
    draft.refresh_from_db()
    assert draft.status == RoundStatus.OPEN and Elector.objects.filter(round=draft).count() == 5
    before = _writes()
    twice = client.post(url, {"revision": draft.revision})
    assert twice.status_code == 400 and _code(twice) == "already_open"
    assert _writes() == before


def test_window_over_is_shown(client, draft, uma, english):
    round_actions.populate_rated(actor=uma, round_=draft)
    for rated in RatedPerson.objects.filter(round=draft):
        round_actions.publish_report(actor=uma, rated=rated, text="报告")
    Round.objects.filter(pk=draft.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=3), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    draft.refresh_from_db()
    client.force_login(uma)
    response = client.post(reverse("ratings:round_open", args=[draft.pk]), {"revision": draft.revision})
    assert _code(response) == "window_over" and "already over" in response.content.decode()


def test_removing_a_rated_person_after_opening_writes_nothing(client, open_round, uma, english):
    rated = RatedPerson.objects.filter(round=open_round).first()
    client.force_login(uma)
    before = _writes()
    response = client.post(
        reverse("ratings:rated_remove", args=[rated.pk]), {"revision": open_round.revision}
    )
    assert response.status_code == 400 and _code(response) == "not_draft"
    assert "frozen once voting opens" in response.content.decode()
    assert _writes() == before
    page = client.get(reverse("ratings:round", args=[open_round.pk])).content.decode()
    assert reverse("ratings:rated_remove", args=[rated.pk]) not in page
    assert reverse("ratings:round_populate", args=[open_round.pk]) not in page
    edit = client.get(reverse("ratings:round_edit", args=[open_round.pk]))
    assert edit.status_code == 302


def test_participation_is_counted_but_no_results_shown(
    client, open_round, uma, alice, constituencies, english
):
    ballot_actions.cast_ballot(
        actor=alice, round_id=open_round.pk, choices=ballot_for(open_round, alice, "unfit")
    )
    Participation.objects.create(
        round=open_round,
        person=constituencies["vic"],
        constituency=constituencies["C1"],
        channel=Channel.PAPER,
    )
    client.force_login(uma)
    page = client.get(reverse("ratings:round", args=[open_round.pk])).content.decode()
    assert "2 of 5 raters have voted (1 online, 1 on paper sheets)." in page
    assert "stays hidden until the round closes" in page
    listing = client.get(reverse("ratings:rounds")).content.decode()
    assert "2 / 5 (1 / 1)" in " ".join(re.sub(r"<[^>]+>", " ", listing).split())


# ------------------------------------------------------------------------------------------- rater group


def test_rater_group_lines_with_row_errors(client, tree, uma, alice, lily, constituencies, english):
    round_ = make_round(
        tree["MA"], uma, [], status=RoundStatus.DRAFT, kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION
    )
    client.force_login(uma)
    url = reverse("ratings:round_raters", args=[round_.pk])
    vera = constituencies["vera"]
    vera.is_active = False
    vera.save()
    before = _writes()
    bad = client.post(
        url, {"numbers": f"{alice.employee_no}\nZ999\n\n{vera.employee_no}\nDROP TABLE;", "revision": 1}
    )
    body = bad.content.decode()
    assert bad.status_code == 400
    assert "Line 2: unknown employee number Z999." in body
    assert f"Line 4: 薇拉 ({vera.employee_no}) is no longer active." in body
    assert "Line 5: DROP TABLE; is not an employee number." in body
    assert _writes() == before
    ok = client.post(
        url, {"numbers": f"{alice.employee_no}\n {lily.employee_no} \n{alice.employee_no}", "revision": 1}
    )
    assert ok.status_code == 302
    assert set(RaterGroupMember.objects.filter(round=round_).values_list("person", flat=True)) == {
        alice.pk,
        lily.pk,
    }
    round_.refresh_from_db()
    more = client.post(url, {"numbers": constituencies["vic"].employee_no, "revision": round_.revision})
    assert more.status_code == 302 and RaterGroupMember.objects.filter(round=round_).count() == 3
    round_.refresh_from_db()
    page = client.get(reverse("ratings:round", args=[round_.pk])).content.decode()
    assert "3 raters" in page
    remove = reverse("ratings:round_rater_remove", args=[round_.pk, lily.pk])
    assert client.post(remove, {"revision": round_.revision}).status_code == 302
    assert RaterGroupMember.objects.filter(round=round_).count() == 2


# ---------------------------------------------------------------------------------------------- liaisons


def test_liaison_by_employee_number_and_constituency(client, draft, uma, lily, english):
    client.force_login(uma)
    url = reverse("ratings:round_liaison_add", args=[draft.pk])
    response = client.post(url, {"employee_no": lily.employee_no, "constituency": "C1", "revision": 1})
    assert response.status_code == 302
    liaison = Liaison.objects.get()
    assert liaison.constituency.code == "C1"
    draft.refresh_from_db()
    before = _writes()
    outside = client.post(
        url, {"employee_no": lily.employee_no, "constituency": "C2", "revision": draft.revision}
    )
    assert outside.status_code == 400 and _code(outside) == "constituency_scope"
    unknown = client.post(
        url, {"employee_no": lily.employee_no, "constituency": "C77", "revision": draft.revision}
    )
    assert "Unknown constituency code: C77." in unknown.content.decode()
    assert _writes() == before
    removed = client.post(reverse("ratings:liaison_remove", args=[liaison.pk]), {"revision": draft.revision})
    assert removed.status_code == 302 and not Liaison.objects.exists()


# --------------------------------------------------------------------------------------------- duty report


def test_write_and_publish_a_report_with_a_file(
    client, draft, uma, alice, bob, constituencies, media, english
):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    draft.refresh_from_db()
    client.force_login(uma)
    url = reverse("ratings:rated_report", args=[rated.pk])
    assert "No report published yet." in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "text": "一年来履职尽责",
            "file": SimpleUploadedFile("丽塔述职.pdf", PDF),
            "revision": draft.revision,
        },
    )
    assert response.status_code == 302
    rated.refresh_from_db()
    assert rated.report == "一年来履职尽责" and rated.report_file_name == "丽塔述职.pdf"
    file_url = reverse("ratings:rated_report_file", args=[rated.pk])
    got = client.get(file_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    # before the round opens nobody but its managers reads the file; once open its raters do
    client.force_login(alice)
    assert client.get(file_url).status_code == 404
    round_actions.add_rated(actor=uma, round_=draft, person=constituencies["ravi"])
    round_actions.publish_report(
        actor=uma, rated=RatedPerson.objects.get(person=constituencies["ravi"]), text="报告"
    )
    round_actions.open_round(actor=uma, round_=draft)
    assert client.get(file_url).status_code == 200
    client.force_login(bob)
    assert client.get(file_url).status_code == 404
    assert client.get(url).status_code == 404


def test_report_with_a_wrong_file_writes_nothing(client, draft, uma, constituencies, media, english):
    rated = round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])
    draft.refresh_from_db()
    client.force_login(uma)
    before = _writes()
    response = client.post(
        reverse("ratings:rated_report", args=[rated.pk]),
        {
            "text": "x",
            "file": SimpleUploadedFile("report.pdf", b"MZ not really a pdf"),
            "revision": draft.revision,
        },
    )
    assert response.status_code == 400 and "judged from its content" in response.content.decode()
    assert _writes() == before
    stale = client.post(
        reverse("ratings:rated_report", args=[rated.pk]), {"text": "x", "revision": draft.revision - 1}
    )
    assert stale.status_code == 400 and _code(stale) == "stale"
    assert _writes() == before


def test_a_refused_form_is_shown_again_on_the_round_as_it_is_now(client, draft, uma, constituencies, english):
    old = draft.revision
    round_actions.add_rated(actor=uma, round_=draft, person=constituencies["rita"])  # someone else, meanwhile
    draft.refresh_from_db()
    client.force_login(uma)
    url = reverse("ratings:round_add_rated", args=[draft.pk])
    data = {"employee_no": constituencies["ravi"].employee_no, "constituency": "C1", "revision": old}
    refused = client.post(url, data)
    body = refused.content.decode()
    assert _code(refused) == "stale" and "丽塔" in body  # the page shows the change that made the form stale
    assert f'name="revision" value="{draft.revision}"' in body and constituencies["ravi"].employee_no in body
    assert client.post(url, {**data, "revision": draft.revision}).status_code == 302


def test_open_round_report_page_is_read_only(client, open_round, uma, english):
    rated = RatedPerson.objects.filter(round=open_round).first()
    client.force_login(uma)
    url = reverse("ratings:rated_report", args=[rated.pk])
    page = client.get(url).content.decode()
    assert "the report no longer changes" in page and rated.report in page and 'type="file"' not in page
    before = _writes()
    response = client.post(url, {"text": "偷改", "revision": open_round.revision})
    assert response.status_code == 400 and _code(response) == "not_draft"
    assert _writes() == before


def test_appraisal_page_lists_leaders_and_the_rater_group(client, tree, uma, lily, alice, english):
    round_ = round_actions.create_round(
        actor=uma,
        unit=tree["MA"],
        title="领导班子民主评议",
        kind=RoundKind.APPRAISAL,
        scale=Scale.SATISFACTION,
        year=2026,
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    round_actions.add_rated(actor=uma, round_=round_, person=lily)
    round_actions.set_rater_group(actor=uma, round_=round_, people=[alice])
    client.force_login(uma)
    page = client.get(reverse("ratings:round", args=[round_.pk])).content.decode()
    assert "Leaders rated" in page and "莉莉" in page and "Rater group" in page and alice.employee_no in page
    assert reverse("ratings:round_populate", args=[round_.pk]) not in page
    assert "If the round opened now, 1 person would vote." in page
