"""The management pages: queue (filters, overdue first, constant queries), the management page and its steps, the
review page, panels and bands — refusals through the web write nothing."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry
from gongkai.org.models import RoleAssignment
from gongkai.suggestions import dates
from gongkai.suggestions.choices import Category, Status
from gongkai.suggestions.models import AwardBand, Review, ReviewPanel, Suggestion, SuggestionEvent
from gongkai.suggestions.tests.conftest import make_suggestion


@pytest.fixture(autouse=True)
def _default_bands(db):
    """The five default grades of migration 0002 (a transactional test elsewhere may have flushed them)."""
    defaults = importlib.import_module("gongkai.suggestions.migrations.0002_guards_and_bands").DEFAULT_BANDS
    for grade, name, min_saving, award in defaults:
        AwardBand.objects.get_or_create(
            grade=grade, defaults={"name": name, "min_saving": min_saving, "award": award}
        )


def counts() -> tuple:
    return (
        tuple(Suggestion.objects.order_by("pk").values_list("status", "revision")),
        Review.objects.count(),
        SuggestionEvent.objects.count(),
        AuditEntry.objects.count(),
        tuple(AwardBand.objects.order_by("grade").values_list("grade", "min_saving")),
        ReviewPanel.objects.count(),
    )


@pytest.fixture
def mb_union(tree):
    p = _person("B800", "鲍玛", tree["MB"])
    RoleAssignment.objects.create(person=p, unit=tree["MB"], role=Role.UNION)
    return p


def rows(html: str, attr: str = "data-suggestion") -> list[int]:
    return [int(x) for x in re.findall(rf'<tr {attr}="(\d+)"', html)]


# -------------------------------------------------------------------------------------------------- queue


def test_queue_overdue_first_and_only_my_units(client, uma, alice, bob):
    late = make_suggestion(alice, title="逾期", submitted=timezone.now() - dt.timedelta(days=90))
    fresh = make_suggestion(alice, title="新的")
    done = make_suggestion(
        alice, title="已采纳", status=Status.ADOPTED, submitted=timezone.now() - dt.timedelta(days=120)
    )
    draft = make_suggestion(alice, title="草稿", status=Status.DRAFT)
    make_suggestion(bob, title="二矿的")
    client.force_login(uma)
    html = client.get(reverse("suggestions:queue")).content.decode()
    assert rows(html) == [late.pk, fresh.pk, done.pk]
    assert draft.pk not in rows(html) and "二矿的" not in html
    assert rows(client.get(reverse("suggestions:queue") + "?overdue=on").content.decode()) == [late.pk]
    reopened = make_suggestion(
        alice, status=Status.IN_REVIEW, submitted=timezone.now() - dt.timedelta(days=100)
    )
    Suggestion.objects.filter(pk=reopened.pk).update(answered_at=timezone.now())  # answered once: not overdue
    assert rows(client.get(reverse("suggestions:queue") + "?overdue=on").content.decode()) == [late.pk]
    assert rows(client.get(reverse("suggestions:queue") + "?status=adopted").content.decode()) == [done.pk]


def test_queue_filters_category_and_unit(client, diana, alice, bob, tree):
    safety = make_suggestion(alice, category=Category.SAFETY)
    tech = make_suggestion(alice, category=Category.TECHNICAL)
    other = make_suggestion(bob, category=Category.SAFETY)
    client.force_login(diana)
    url = reverse("suggestions:queue")
    assert set(rows(client.get(url).content.decode())) == {safety.pk, tech.pk, other.pk}
    assert set(rows(client.get(url + "?category=safety").content.decode())) == {safety.pk, other.pk}
    assert set(rows(client.get(url + f"?unit={tree['MA'].pk}").content.decode())) == {safety.pk, tech.pk}


def test_queue_is_404_for_an_employee(client, alice):
    client.force_login(alice)
    assert client.get(reverse("suggestions:queue")).status_code == 404


def test_queue_shows_to_review_for_panel_members(client, pete, alice, panel):
    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    make_suggestion(alice, status=Status.SUBMITTED, panel=panel)  # not yet accepted
    client.force_login(pete)
    html = client.get(reverse("suggestions:queue")).content.decode()
    assert rows(html, "data-review") == [s.pk]
    assert rows(html) == []  # no management list for a mere panel member


@pytest.mark.parametrize("n", [1, 12])
def test_queue_costs_the_same_whatever_the_rows(
    client, uma, alice, amy, panel, pete, django_assert_num_queries, n
):
    panel.members.add(uma)
    for i in range(n):
        make_suggestion(
            alice, title=f"建议{i}", coauthors=[amy], submitted=timezone.now() - dt.timedelta(days=i * 9)
        )
        in_review = make_suggestion(amy, title=f"评审{i}", status=Status.IN_REVIEW, panel=panel)
        Review.objects.create(
            suggestion=in_review,
            reviewer=pete,
            feasibility=5,
            benefit=5,
            innovation=5,
            recommendation="adopt",
        )
    client.force_login(uma)
    url = reverse("suggestions:queue")
    client.get(url)  # warm the session
    with django_assert_num_queries(9):
        html = client.get(url).content.decode()
    assert len(rows(html)) == 2 * n and len(rows(html, "data-review")) == n
    assert html.count("<td>1/3</td>") == n  # reviews given / panel size


def test_queue_paginates(client, uma, alice, settings):
    from gongkai.suggestions import review_views

    review_views.PAGE_SIZE, old = 3, review_views.PAGE_SIZE
    try:
        for i in range(5):
            make_suggestion(alice, title=f"建议{i}")
        client.force_login(uma)
        first = client.get(reverse("suggestions:queue")).content.decode()
        second = client.get(reverse("suggestions:queue") + "?page=2").content.decode()
        assert len(rows(first)) == 3 and len(rows(second)) == 2
    finally:
        review_views.PAGE_SIZE = old


# --------------------------------------------------------------------------------------- management page


def test_manage_page_screening_and_similar_guard(client, uma, alice, panel):
    s = make_suggestion(alice)
    client.force_login(uma)
    html = client.get(reverse("suggestions:manage", args=[s.pk])).content.decode()
    assert 'id="step-screen"' in html and 'id="step-conclude"' not in html
    assert "一矿技术委员会" in html  # the panel to choose
    response = client.post(
        reverse("suggestions:screen", args=[s.pk]),
        {"screen-revision": 1, "screen-accept": "1", "screen-panel": panel.pk},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.IN_REVIEW and s.panel == panel


def test_manage_page_of_another_mine_is_404(client, mb_union, alice, panel):
    s = make_suggestion(alice)
    client.force_login(mb_union)
    before = counts()
    assert client.get(reverse("suggestions:manage", args=[s.pk])).status_code == 404
    response = client.post(
        reverse("suggestions:screen", args=[s.pk]),
        {"screen-revision": 1, "screen-accept": "0", "screen-reason": "x"},
    )
    assert response.status_code == 404 and counts() == before


def test_stale_form_is_409_and_writes_nothing(client, uma, alice):
    s = make_suggestion(alice)
    client.force_login(uma)
    before = counts()
    response = client.post(
        reverse("suggestions:screen", args=[s.pk]),
        {"screen-revision": 0, "screen-accept": "0", "screen-reason": "不属于"},
    )
    assert response.status_code == 409 and counts() == before
    assert "changed by someone else" in response.content.decode()


def test_script_in_reason_is_refused_on_the_page(client, uma, alice):
    s = make_suggestion(alice)
    client.force_login(uma)
    before = counts()
    response = client.post(
        reverse("suggestions:screen", args=[s.pk]),
        {"screen-revision": 1, "screen-accept": "0", "screen-reason": "<script>alert(1)</script>"},
    )
    assert response.status_code == 400 and counts() == before
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_conclusion_too_early_is_refused_clearly(client, uma, alice, panel, pete):
    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    client.force_login(uma)
    html = client.get(reverse("suggestions:manage", args=[s.pk])).content.decode()
    assert "0 of the 2 panel members have reviewed" in html
    before = counts()
    response = client.post(
        reverse("suggestions:conclude", args=[s.pk]), {"conclude-revision": 1, "conclude-decision": "adopt"}
    )
    assert response.status_code == 400 and counts() == before
    assert "Too early to conclude" in response.content.decode()


def test_manage_page_shows_scores_averages_and_recommendations(client, uma, alice, panel, pete, paula):
    from gongkai.suggestions import review_actions

    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    review_actions.review(
        actor=pete, suggestion=s, feasibility=8, benefit=6, innovation=3, recommendation="adopt"
    )
    review_actions.review(
        actor=paula,
        suggestion=s,
        feasibility=5,
        benefit=9,
        innovation=4,
        recommendation="shelve",
        opinion="需论证",
    )
    client.force_login(uma)
    html = client.get(reverse("suggestions:manage", args=[s.pk])).content.decode()
    assert "6.5" in html and "7.5" in html and "3.5" in html  # averages
    assert "需论证" in html and "皮特" in html and "葆拉" in html
    assert re.search(r"Adopt: 1 · Shelve for later: 1", html)


def test_full_outcome_through_the_pages(client, uma, alice, pete):
    s = make_suggestion(alice, status=Status.ADOPTED)
    client.force_login(uma)
    today = timezone.localdate()
    r = client.post(
        reverse("suggestions:implementation", args=[s.pk]),
        {
            "implementation-revision": 1,
            "implementation-owner": pete.employee_no,
            "implementation-plan": "试点",
            "implementation-planned_start": "2024-01-01",
            "implementation-planned_finish": "2024-02-01",
        },
    )
    assert r.status_code == 302
    r = client.post(
        reverse("suggestions:implemented", args=[s.pk]),
        {
            "implemented-revision": 2,
            "implemented-implemented_on": (today - dt.timedelta(days=100)).isoformat(),
        },
    )
    assert r.status_code == 302
    before = counts()
    r = client.post(
        reverse("suggestions:benefit", args=[s.pk]),
        {
            "benefit-revision": 3,
            "benefit-gross_saving": "50000",
            "benefit-cost": "5000",
            "benefit-calculation": "材料费节约",
            "benefit-measured_on": today.isoformat(),
        },
    )
    assert r.status_code == 400 and counts() == before
    assert dates.add_months(today - dt.timedelta(days=100), 12).isoformat() in r.content.decode()
    # an award before the benefit: the step is not offered, and posting it anyway is refused
    r = client.post(reverse("suggestions:award", args=[s.pk]), {"award-revision": 3})
    assert r.status_code == 409 and counts() == before


def test_award_and_pay_twice_through_the_pages(client, uma, alice):
    s = make_suggestion(alice)
    Suggestion.objects.filter(pk=s.pk).update(
        status=Status.MEASURED, gross_saving=Decimal(20000), cost=Decimal(0), net_saving=Decimal(20000)
    )
    client.force_login(uma)
    html = client.get(reverse("suggestions:manage", args=[s.pk])).content.decode()
    assert "四等奖" in html
    assert client.post(reverse("suggestions:award", args=[s.pk]), {"award-revision": 1}).status_code == 302
    today = timezone.localdate().isoformat()
    assert (
        client.post(
            reverse("suggestions:paid", args=[s.pk]), {"paid-revision": 2, "paid-paid_on": today}
        ).status_code
        == 302
    )
    before = counts()
    r = client.post(reverse("suggestions:paid", args=[s.pk]), {"paid-revision": 3, "paid-paid_on": today})
    assert r.status_code == 409 and counts() == before


# --------------------------------------------------------------------------------------------- review page


def test_review_page(client, pete, alice, panel):
    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    client.force_login(pete)
    url = reverse("suggestions:review", args=[s.pk])
    assert "Submit my review" in client.get(url).content.decode()
    before = counts()
    r = client.post(url, {"feasibility": 11, "benefit": 5, "innovation": 5, "recommendation": "adopt"})
    assert r.status_code == 400 and counts() == before
    r = client.post(
        url, {"feasibility": 9, "benefit": 5, "innovation": 5, "recommendation": "adopt", "opinion": "好"}
    )
    assert r.status_code == 302 and Review.objects.get().feasibility == 9
    assert "A review is final once given." in client.get(url).content.decode()
    before = counts()
    r = client.post(url, {"feasibility": 1, "benefit": 1, "innovation": 1, "recommendation": "reject"})
    assert r.status_code == 400 and counts() == before


def test_review_page_is_404_off_the_panel(client, uma, alice, panel):
    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    client.force_login(uma)
    before = counts()
    url = reverse("suggestions:review", args=[s.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"feasibility": 5, "benefit": 5, "innovation": 5, "recommendation": "adopt"}
        ).status_code
        == 404
    )
    assert counts() == before


# ---------------------------------------------------------------------------------------- panels, bands


def test_panels_page(client, uma, pete, paula, tree):
    client.force_login(uma)
    url = reverse("suggestions:panels")
    r = client.post(
        url, {"unit": tree["MA"].pk, "name": "安全组", "members": f"{pete.employee_no}，{paula.employee_no}"}
    )
    assert r.status_code == 302
    p = ReviewPanel.objects.get(name="安全组")
    assert set(p.members.all()) == {pete, paula}
    before = counts()
    r = client.post(url, {"unit": tree["MA"].pk, "name": "坏", "members": "NOPE"})
    assert r.status_code == 400 and "NOPE" in r.content.decode() and counts() == before
    r = client.post(url, {"unit": tree["MB"].pk, "name": "二矿", "members": pete.employee_no})
    assert r.status_code == 400 and counts() == before  # not one of my units: not a choice
    stamp = re.search(r'name="stamp" value="([^"]+)"', client.get(url).content.decode()).group(1)
    r = client.post(
        url,
        {"panel": p.pk, "stamp": stamp, "unit": tree["MA"].pk, "name": "安全组", "members": pete.employee_no},
    )
    assert r.status_code == 302 and list(p.members.all()) == [pete]
    assert "安全组" in client.get(url).content.decode()


def test_panels_page_refuses_a_stale_form(client, uma, pete, paula, tree):
    """Two managers open the same panel: the second save, made on the older form, is refused (409)."""
    client.force_login(uma)
    url = reverse("suggestions:panels")
    client.post(url, {"unit": tree["MA"].pk, "name": "安全组", "members": pete.employee_no})
    p = ReviewPanel.objects.get(name="安全组")
    opened = re.search(r'name="stamp" value="([^"]+)"', client.get(url).content.decode()).group(1)
    edit = {"panel": p.pk, "stamp": opened, "unit": tree["MA"].pk}
    r = client.post(url, {**edit, "name": "安全组", "members": paula.employee_no})
    assert r.status_code == 302

    def state() -> tuple:
        return (
            counts(),
            tuple(ReviewPanel.objects.values_list("name", "updated_at")),
            tuple(p.members.values_list("pk", flat=True)),
        )

    before = state()
    r = client.post(url, {**edit, "name": "技术组", "members": pete.employee_no})
    assert r.status_code == 409
    assert "This panel was changed by someone else" in r.content.decode()
    assert state() == before
    r = client.post(url, {**edit, "stamp": "", "name": "技术组", "members": pete.employee_no})
    assert r.status_code == 409 and state() == before
    assert list(ReviewPanel.objects.get(pk=p.pk).members.all()) == [paula]


def test_bands_page(client, diana, uma):
    url = reverse("suggestions:bands")
    client.force_login(uma)
    html = client.get(url).content.decode()
    assert "一等奖" in html and "Save the bands" not in html
    client.force_login(diana)
    html = client.get(url).content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', html).group(1)

    def post(fp, thresholds):
        data = {
            "fingerprint": fp,
            "bands-TOTAL_FORMS": len(thresholds),
            "bands-INITIAL_FORMS": 0,
            "bands-MIN_NUM_FORMS": 0,
            "bands-MAX_NUM_FORMS": 20,
        }
        for i, t in enumerate(thresholds):
            data.update(
                {
                    f"bands-{i}-grade": i + 1,
                    f"bands-{i}-name": f"{i + 1}等",
                    f"bands-{i}-min_saving": t,
                    f"bands-{i}-award": 10,
                }
            )
        return client.post(url, data)

    before = counts()
    r = post(fingerprint, [100, 200])
    assert r.status_code == 400 and "Thresholds must decrease" in r.content.decode() and counts() == before
    r = post(fingerprint, [5000, 0])
    assert r.status_code == 302 and AwardBand.objects.count() == 2
    before = counts()
    r = post(fingerprint, [6000, 0])  # the form opened before the change
    assert r.status_code == 409 and counts() == before


def test_manage_and_review_pages_load_the_similar_fragment(client, uma, pete, alice, panel):
    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    fragment = reverse("suggestions:similar_to", args=[s.pk])
    client.force_login(uma)
    assert f'hx-get="{fragment}"' in client.get(reverse("suggestions:manage", args=[s.pk])).content.decode()
    client.force_login(pete)
    assert f'hx-get="{fragment}"' in client.get(reverse("suggestions:review", args=[s.pk])).content.decode()
    assert client.get(fragment).status_code == 200


def test_author_on_the_panel_is_told_they_cannot_review(client, alice, panel):
    panel.members.add(alice)
    s = make_suggestion(alice, status=Status.IN_REVIEW, panel=panel)
    client.force_login(alice)
    html = client.get(reverse("suggestions:review", args=[s.pk])).content.decode()
    assert "cannot review it" in html and "Submit my review" not in html
    before = counts()
    r = client.post(
        reverse("suggestions:review", args=[s.pk]),
        {"feasibility": 9, "benefit": 9, "innovation": 9, "recommendation": "adopt"},
    )
    assert r.status_code == 400 and counts() == before


def test_duplicate_reopen_and_archive_through_the_pages(client, uma, alice, amy, bob, panel, pete):
    from gongkai.suggestions.models import Attachment

    earlier = make_suggestion(amy, title="早的", submitted=timezone.now() - dt.timedelta(days=20))
    later = make_suggestion(alice, title="晚的")
    Attachment.objects.create(
        suggestion=later,
        sha256="0" * 64,
        name="图纸.pdf",
        size=2048,
        content_type="application/pdf",
        uploaded_by=alice,
    )
    elsewhere = make_suggestion(bob, title="二矿", submitted=timezone.now() - dt.timedelta(days=40))
    client.force_login(uma)
    assert "图纸.pdf" in client.get(reverse("suggestions:manage", args=[later.pk])).content.decode()
    before = counts()
    r = client.post(
        reverse("suggestions:duplicate", args=[later.pk]),
        {"duplicate-revision": 1, "duplicate-original": elsewhere.pk},
    )
    assert r.status_code == 400 and counts() == before
    r = client.post(
        reverse("suggestions:duplicate", args=[later.pk]),
        {"duplicate-revision": 1, "duplicate-original": earlier.pk},
    )
    assert r.status_code == 302
    later.refresh_from_db()
    assert later.status == Status.REJECTED and later.duplicate_of == earlier
    assert (
        client.post(reverse("suggestions:archive", args=[later.pk]), {"archive-revision": 2}).status_code
        == 302
    )
    later.refresh_from_db()
    assert later.status == Status.ARCHIVED

    shelved = make_suggestion(alice, status=Status.SHELVED, panel=panel)
    assert (
        client.post(reverse("suggestions:reopen", args=[shelved.pk]), {"reopen-revision": 1}).status_code
        == 302
    )
    shelved.refresh_from_db()
    assert shelved.status == Status.IN_REVIEW
    # a GET on a step shows the management page
    r = client.get(reverse("suggestions:conclude", args=[shelved.pk]))
    assert r.status_code == 302 and r.url.startswith(reverse("suggestions:manage", args=[shelved.pk]))
