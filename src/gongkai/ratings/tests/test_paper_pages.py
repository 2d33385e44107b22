"""The paper pages: who sees them, printing, the roster, batches and their entries, fixed query counts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from gongkai.conftest import _person
from gongkai.core.models import AuditEntry
from gongkai.org.models import Person
from gongkai.ratings import ballot_actions, paper_actions
from gongkai.ratings.choices import BatchStatus, Channel, RoundStatus
from gongkai.ratings.models import Elector, Liaison, PaperBatch, PaperEntry, Participation, Round, SheetPrint
from gongkai.ratings.paper_forms import cell_name
from gongkai.ratings.tests.conftest import ballot_for


@pytest.fixture
def liaison(open_round, lily):
    Liaison.objects.create(round=open_round, person=lily, constituency=None)
    return lily


@pytest.fixture
def c1(constituencies):
    return constituencies["C1"]


@pytest.fixture
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _end_vote(round_):
    """Voting is over: paper sheets are counted now."""
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.COUNTING)


def _login(client, person):
    client.force_login(person)
    return client


def test_paper_pages_are_404_for_others(client, open_round, bob, alice, c1, liaison):
    paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=3)
    paper_actions.hand_out_sheets(actor=liaison, round_=open_round, people=[alice])
    _end_vote(open_round)
    batch = paper_actions.create_batch(
        actor=liaison, round_=open_round, constituency=c1, number=1, sheet_numbers="1"
    )
    for person in (bob, alice):
        _login(client, person)
        for url in (
            reverse("ratings:paper", args=[open_round.pk]),
            reverse("ratings:sheets_pdf", args=[open_round.pk]),
            reverse("ratings:roster", args=[open_round.pk]) + f"?constituency={c1.pk}",
            reverse("ratings:batch", args=[batch.pk]),
        ):
            assert client.get(url).status_code == 404, url
        before = SheetPrint.objects.count()
        response = client.post(
            reverse("ratings:sheets_pdf", args=[open_round.pk]), {"constituency": c1.pk, "count": 2}
        )
        assert response.status_code == 404 and SheetPrint.objects.count() == before


def test_the_paper_page_for_a_liaison_and_a_manager(client, open_round, liaison, uma, c1):
    for person in (liaison, uma):
        response = _login(client, person).get(reverse("ratings:paper", args=[open_round.pk]))
        assert response.status_code == 200
        assert c1.name in response.content.decode()


def test_printing_returns_the_pdf(client, open_round, liaison, c1):
    _login(client, liaison)
    url = reverse("ratings:sheets_pdf", args=[open_round.pk])
    # a link with the parameters only fills in the form: it never prints by itself
    response = client.get(f"{url}?constituency={c1.pk}&count=3")
    assert response.status_code == 200 and SheetPrint.objects.count() == 0
    assert 'value="3"' in response.content.decode()
    response = client.post(url, {"constituency": c1.pk, "count": 3})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "sheets-" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    assert "No. 000003" in reader.pages[2].extract_text()
    response = client.post(url, {"constituency": c1.pk, "count": 0})
    assert response.status_code == 400 and SheetPrint.objects.count() == 1


def test_the_roster_marks_who_received_a_sheet(client, open_round, liaison, alice, constituencies, c1):
    rita = constituencies["rita"]
    ballot_actions.cast_ballot(actor=rita, round_id=open_round.pk, choices=ballot_for(open_round, rita))
    _login(client, liaison)
    url = reverse("ratings:roster", args=[open_round.pk]) + f"?constituency={c1.pk}"
    page = client.get(url).content.decode()
    assert rita.name in page and alice.name in page
    assert f'name="people" value="{rita.pk}"' not in page  # voted online: no box
    assert f'name="people" value="{alice.pk}"' in page
    response = client.post(
        reverse("ratings:roster", args=[open_round.pk]),
        {"constituency": c1.pk, "people": [alice.pk, constituencies["vic"].pk]},
    )
    assert response.status_code == 302
    assert set(
        Participation.objects.filter(round=open_round, channel=Channel.PAPER).values_list(
            "person_id", flat=True
        )
    ) == {alice.pk, constituencies["vic"].pk}
    # a stale roster that still offers rita is refused for everyone ticked
    before = Participation.objects.count()
    response = client.post(
        reverse("ratings:roster", args=[open_round.pk]),
        {"constituency": c1.pk, "people": [rita.pk, constituencies["vera"].pk]},
    )
    assert response.status_code == 400 and Participation.objects.count() == before


def test_the_roster_shows_a_person_deactivated_since_the_round_opened_without_a_box(
    english, client, open_round, liaison, alice, constituencies, c1
):
    vera = constituencies["vera"]
    Person.objects.filter(pk=vera.pk).update(is_active=False)  # left after the round opened
    _login(client, liaison)
    url = reverse("ratings:roster", args=[open_round.pk]) + f"?constituency={c1.pk}"
    page = client.get(url).content.decode()
    row = next(r for r in page.split("<tr>") if f"<td>{vera.employee_no}</td>" in r).split("</tr>")[0]
    assert vera.name in row and "No longer active" in row and "checkbox" not in row
    assert f'name="people" value="{vera.pk}"' not in page  # no box to tick
    assert f'name="people" value="{alice.pk}"' in page
    assert page.count("No longer active") == 1
    # a stale roster that still offers her is refused, and nothing is recorded
    before = (Participation.objects.count(), AuditEntry.objects.count())
    response = client.post(
        reverse("ratings:roster", args=[open_round.pk]), {"constituency": c1.pk, "people": [vera.pk]}
    )
    assert response.status_code == 400
    assert (Participation.objects.count(), AuditEntry.objects.count()) == before


def test_a_batch_entered_twice_through_the_pages(
    english, client, open_round, liaison, uma, alice, constituencies, c1
):
    paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=5)
    paper_actions.hand_out_sheets(
        actor=liaison, round_=open_round, people=[alice, constituencies["vic"], constituencies["vera"]]
    )
    _login(client, liaison)
    _end_vote(open_round)
    response = client.post(
        reverse("ratings:paper_batch_new", args=[open_round.pk]),
        {"constituency": c1.pk, "number": "", "sheet_numbers": "1-2, 4"},
    )
    batch = PaperBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ratings:batch", args=[batch.pk])
    assert batch.sheets == 3
    # garbage is refused on the page, nothing written
    response = client.post(
        reverse("ratings:paper_batch_new", args=[open_round.pk]),
        {"constituency": c1.pk, "number": "", "sheet_numbers": "5-3"},
    )
    assert response.status_code == 400 and PaperBatch.objects.count() == 1

    people = ballot_actions.ballot_list(open_round, c1.pk)

    def data(fit_first):
        d = {"invalid_sheets": 0}
        for i, r in enumerate(people):
            fit = fit_first if i == 0 else 3
            d.update(
                {
                    cell_name(r.pk, "fit"): fit,
                    cell_name(r.pk, "basically_fit"): 3 - fit,
                    cell_name(r.pk, "unfit"): 0,
                    cell_name(r.pk, "blank"): 0,
                }
            )
        return d

    url = reverse("ratings:batch", args=[batch.pk])
    assert client.post(url, data(2)).status_code == 302
    # the same person cannot make the second entry: no form, and a post is refused
    page = client.get(url).content.decode()
    assert 'name="invalid_sheets"' not in page
    response = client.post(url, data(2))
    assert response.status_code == 400 and PaperEntry.objects.count() == 1
    # counts that do not add up are refused on the page
    _login(client, uma)
    bad = data(2)
    bad[cell_name(people[0].pk, "unfit")] = 1
    response = client.post(url, bad)
    assert response.status_code == 400 and PaperEntry.objects.count() == 1
    assert "add up to 4" in response.content.decode()
    # a different second entry: a mismatch, shown side by side
    assert client.post(url, data(1)).status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.MISMATCH
    page = client.get(url).content.decode()
    assert page.count('class="differs"') == 4  # fit and basically fit of the first person, in both entries
    second = PaperEntry.objects.get(entry_no=2, superseded=False)
    assert client.post(reverse("ratings:paper_entry_redo", args=[second.pk])).status_code == 302
    assert client.post(url, data(2)).status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    assert AuditEntry.objects.filter(action="ratings.reconcile_batch").count() == 1
    page = client.get(url).content.decode()
    assert 'class="differs"' not in page and 'name="invalid_sheets"' not in page


def test_the_paper_page_and_roster_cost_fixed_queries(
    client, open_round, liaison, c1, django_assert_num_queries
):
    _login(client, liaison)
    paper_url = reverse("ratings:paper", args=[open_round.pk])
    roster_url = reverse("ratings:roster", args=[open_round.pk]) + f"?constituency={c1.pk}"
    client.get(paper_url)

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = (count(paper_url), count(roster_url))
    # many more electors, prints, participations and batches
    more = [_person(f"X{i:03d}", f"矿工{i}", c1.unit, constituency=c1) for i in range(30)]
    Elector.objects.bulk_create(Elector(round=open_round, person=p, constituency=c1) for p in more)
    for _i in range(3):
        paper_actions.print_sheets(actor=liaison, round_=open_round, constituency=c1, count=10)
    paper_actions.hand_out_sheets(actor=liaison, round_=open_round, people=more)
    _end_vote(open_round)
    for n in range(1, 6):
        paper_actions.create_batch(
            actor=liaison, round_=open_round, constituency=c1, number=n, sheet_numbers=f"{n * 5 - 4}-{n * 5}"
        )
    assert (count(paper_url), count(roster_url)) == few
    with django_assert_num_queries(few[0]):
        client.get(paper_url)


def test_the_roster_of_an_appraisal(client, tree, uma, alice, constituencies):
    from gongkai.ratings.choices import RoundKind
    from gongkai.ratings.models import RatedPerson
    from gongkai.ratings.tests.conftest import make_round

    round_ = make_round(tree["MA"], uma, [constituencies["C1"]], kind=RoundKind.APPRAISAL)
    RatedPerson.objects.filter(round=round_).update(constituency=None)
    _login(client, uma)
    page = client.get(reverse("ratings:paper", args=[round_.pk])).content.decode()
    assert reverse("ratings:roster", args=[round_.pk]) + "?constituency=" in page
    url = reverse("ratings:roster", args=[round_.pk])
    assert f'name="people" value="{alice.pk}"' in client.get(url + "?constituency=").content.decode()
    assert client.post(url, {"constituency": "", "people": [alice.pk]}).status_code == 302
    assert Participation.objects.get(round=round_).channel == Channel.PAPER
