"""Publishing a round's results as a disclosure in one action: drafted with an HTML table and the .xlsx attached,
sent for review, linked to the round; refused (with nothing written) before the close, twice, without the
disclosure officer's role, and without the catalog category."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry
from gongkai.disclosures.catalog import load_standard_catalog
from gongkai.disclosures.choices import Status
from gongkai.disclosures.models import Attachment, Disclosure
from gongkai.org.models import RoleAssignment
from gongkai.ratings import result_actions
from gongkai.ratings.choices import Exemption, RoundKind, RoundStatus, Scale
from gongkai.ratings.models import RatedPerson, Round

from .results_fixtures import closed_round, rate


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def catalog(db):
    load_standard_catalog()


@pytest.fixture
def olga(tree):
    p = _person("A100", "欧尔佳", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.DISCLOSURE_OFFICER)
    return p


@pytest.fixture
def closed(tree, uma, constituencies):
    round_ = closed_round(tree["MA"], uma)
    rita = RatedPerson.objects.create(
        round=round_, person=constituencies["rita"], constituency=constituencies["C1"]
    )
    RatedPerson.objects.create(
        round=round_, person=constituencies["ravi"], position=2, exemption=Exemption.REPORTED_AT_CONGRESS
    )
    rate(round_, rita, {"fit": 4, "basically_fit": 0, "unfit": 6})
    return round_


def _nothing_written(round_):
    round_.refresh_from_db()
    assert round_.disclosure_id is None
    assert Disclosure.objects.count() == 0 and Attachment.objects.count() == 0
    assert not AuditEntry.objects.filter(
        action__in=["disclosures.create_draft", "disclosures.submit"]
    ).exists()
    assert not AuditEntry.objects.filter(action="ratings.publish_results").exists()


def test_publish_drafts_submits_and_links(closed, olga, catalog, constituencies):
    import openpyxl

    disclosure = result_actions.publish_results(actor=olga, round_=closed)
    closed.refresh_from_db()
    assert closed.disclosure_id == disclosure.pk
    assert disclosure.status == Status.IN_REVIEW
    assert disclosure.category.code == "C08" and disclosure.item is None
    assert disclosure.period == "2026" and disclosure.unit == closed.unit
    assert "<table>" in disclosure.draft_body and constituencies["rita"].name in disclosure.draft_body
    assert "6 (60.0%)" in disclosure.draft_body
    assert "Resignation advised / recall procedure" in disclosure.draft_body
    assert constituencies["ravi"].name in disclosure.draft_body  # exempted
    (attachment,) = Attachment.objects.filter(disclosure=disclosure)
    assert attachment.name.endswith(".xlsx") and attachment.content_type.endswith("spreadsheetml.sheet")
    with attachment.file.open("rb") as fh:
        book = openpyxl.load_workbook(io.BytesIO(fh.read()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(r[1] == constituencies["rita"].name and r[7] == 6 for r in rows)
    assert AuditEntry.objects.filter(action="ratings.publish_results", object_id=str(closed.pk)).count() == 1


def test_an_appraisal_is_filed_under_its_catalog_item(tree, uma, olga, catalog, constituencies):
    round_ = closed_round(
        tree["MA"], uma, kind=RoundKind.APPRAISAL, scale=Scale.SATISFACTION, title="民主评议"
    )
    rated = RatedPerson.objects.create(round=round_, person=constituencies["rita"])
    rate(round_, rated, {"satisfied": 9, "basically_satisfied": 1, "dissatisfied": 0})
    disclosure = result_actions.publish_results(actor=olga, round_=round_)
    assert disclosure.item is not None and disclosure.item.code == "C08-04"


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.COUNTING])
def test_refused_before_the_round_is_closed(closed, olga, catalog, status):
    Round.objects.filter(pk=closed.pk).update(status=status)
    with pytest.raises(ValidationError) as err:
        result_actions.publish_results(actor=olga, round_=closed)
    assert err.value.code == "not_closed"
    _nothing_written(closed)


def test_refused_twice(closed, olga, catalog):
    first = result_actions.publish_results(actor=olga, round_=closed)
    with pytest.raises(ValidationError) as err:
        result_actions.publish_results(actor=olga, round_=closed)
    assert err.value.code == "already_published"
    assert list(Disclosure.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditEntry.objects.filter(action="ratings.publish_results").count() == 1


@pytest.mark.parametrize("who", ["uma", "alice", "bob"])
def test_refused_without_the_disclosure_officer_role(closed, catalog, request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as err:
        result_actions.publish_results(actor=actor, round_=closed)
    assert err.value.code == "may_not_draft"
    assert "disclosure officer" in err.value.messages[0]
    _nothing_written(closed)


def test_an_officer_of_the_sibling_mine_is_refused(closed, catalog, tree):
    officer = _person("B300", "贝拉", tree["MB"])
    RoleAssignment.objects.create(person=officer, unit=tree["MB"], role=Role.DISCLOSURE_OFFICER)
    with pytest.raises(ValidationError) as err:
        result_actions.publish_results(actor=officer, round_=closed)
    assert err.value.code == "may_not_draft"
    _nothing_written(closed)


def test_refused_without_the_catalog_category(closed, olga):
    with pytest.raises(ValidationError) as err:
        result_actions.publish_results(actor=olga, round_=closed)
    assert err.value.code == "no_category"
    _nothing_written(closed)


def test_names_are_escaped_in_the_body(closed, olga, catalog, constituencies):
    rita = constituencies["rita"]
    rita.name = "<script>x</script>"
    rita.save(update_fields=["name"])
    disclosure = result_actions.publish_results(actor=olga, round_=closed)
    assert "<script>" not in disclosure.draft_body


# ------------------------------------------------------------------------------------------------ the page


def test_publish_button_and_post(client, closed, olga, catalog):
    client.force_login(olga)
    url = reverse("ratings:results", args=[closed.pk])
    page = client.get(url).content.decode()
    assert reverse("ratings:publish_results", args=[closed.pk]) in page
    response = client.post(reverse("ratings:publish_results", args=[closed.pk]), follow=True)
    assert response.status_code == 200
    assert "waiting for the leading group" in response.content.decode()
    closed.refresh_from_db()
    assert closed.disclosure_id is not None
    assert reverse("ratings:publish_results", args=[closed.pk]) not in client.get(url).content.decode()


def test_publish_post_refused_shows_the_message(client, closed, uma, catalog):
    client.force_login(uma)
    page = client.get(reverse("ratings:results", args=[closed.pk])).content.decode()
    assert reverse("ratings:publish_results", args=[closed.pk]) not in page  # no button for the union
    response = client.post(reverse("ratings:publish_results", args=[closed.pk]), follow=True)
    assert "Only a disclosure officer" in response.content.decode()
    _nothing_written(closed)


def test_publish_post_by_the_sibling_is_404(client, closed, bob, catalog):
    client.force_login(bob)
    assert client.post(reverse("ratings:publish_results", args=[closed.pk])).status_code == 404
    _nothing_written(closed)


def test_employees_see_the_disclosure_link_only_once_it_is_public(client, closed, olga, alice, uma, catalog):
    disclosure = result_actions.publish_results(actor=olga, round_=closed)
    detail = reverse("disclosures:detail", args=[disclosure.pk])
    url = reverse("ratings:results", args=[closed.pk])
    client.force_login(uma)
    assert detail in client.get(url).content.decode()  # the union follows the draft
    client.force_login(alice)
    assert detail not in client.get(url).content.decode()
    Disclosure.objects.filter(pk=disclosure.pk).update(is_public=True)
    assert detail in client.get(url).content.decode()
