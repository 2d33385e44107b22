"""The employees' board: what is published to their unit and its ancestors, search in Chinese (Simplified and
Traditional find each other), filters, unread markers, a fixed number of queries; and the work list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.text import search_key
from gongkai.disclosures import actions, queries
from gongkai.disclosures.choices import Status
from gongkai.disclosures.models import Category, Disclosure, DisclosureVersion

from .disclosure_helpers import corrected, draft, published, submitted


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary folder; the fixture people get a fast password hash (these tests never log in
    with a password)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def _titles(viewer, **kw):
    return [d.title for d in queries.board(viewer, **kw)]


def bulk_published(unit, category, officer, n, *, prefix="公示"):
    """n published disclosures written in bulk (test setup only: no workflow, no log)."""
    now = timezone.now()
    rows = Disclosure.objects.bulk_create(
        [
            Disclosure(
                unit=unit,
                audience=unit,
                category=category,
                period="2026-01",
                status=Status.PUBLISHED,
                is_public=True,
                draft_title=f"{prefix}{i}",
                title=f"{prefix}{i}",
                created_by=officer,
                published_at=now,
                updated_version_at=now,
                search_text=search_key(f"{prefix}{i}"),
            )
            for i in range(n)
        ]
    )
    rows = list(Disclosure.objects.filter(draft_title__startswith=prefix, unit=unit).order_by("pk"))
    versions = DisclosureVersion.objects.bulk_create(
        [
            DisclosureVersion(
                disclosure=d,
                number=1,
                title=d.title,
                body="<p>正文</p>",
                unit_code=unit.code,
                audience_code=unit.code,
                category_code=category.code,
                published_at=now,
                published_by=officer,
                approved_by=officer,
            )
            for d in rows
        ]
    )
    by_disclosure = {v.disclosure_id: v for v in DisclosureVersion.objects.filter(disclosure__in=rows)}
    for d in rows:
        d.current_version = by_disclosure[d.pk]
    Disclosure.objects.bulk_update(rows, ["current_version"])
    return versions


def test_employees_see_their_unit_and_ancestors_only(tree, olga, leo, gina, alice, bob, wages):
    published(olga, leo, tree["MA"], wages, title="一矿工资公示")
    g_officer = _person("G300", "高官", tree["G"])
    from gongkai.core.choices import Role
    from gongkai.org.models import RoleAssignment

    RoleAssignment.objects.create(person=g_officer, unit=tree["G"], role=Role.DISCLOSURE_OFFICER)
    published(g_officer, gina, tree["G"], wages, title="集团年度经营情况")
    draft(olga, tree["MA"], wages, title="未发布的草稿")
    assert sorted(_titles(alice)) == ["一矿工资公示", "集团年度经营情况"]
    assert _titles(bob) == ["集团年度经营情况"]


def test_a_narrower_audience_is_read_by_that_subtree_only(tree, olga, leo, alice, wages):
    published(olga, leo, tree["MA"], wages, title="综采一区班组考核", audience=tree["MA1"])
    in_ma_only = _person("A050", "马工", tree["MA"])
    assert _titles(alice) == ["综采一区班组考核"]
    assert _titles(in_ma_only) == []


@pytest.mark.parametrize("query", ["述職", "述职", "職工代表", "测评 公示", "ＣＥＯ"])
def test_chinese_search_finds_simplified_and_traditional(tree, olga, leo, alice, wages, query):
    published(olga, leo, tree["MA"], wages, title="职工代表述职测评结果公示", body="<p>CEO 述职</p>")
    published(olga, leo, tree["MA"], wages, title="食堂承包公示", body="<p>承包合同</p>")
    assert _titles(alice, q=query) == ["职工代表述职测评结果公示"]


def test_search_covers_the_body_text_not_the_markup(tree, olga, leo, alice, wages):
    published(olga, leo, tree["MA"], wages, title="标题", body="<p><strong>住房公积金</strong>缴存比例</p>")
    assert _titles(alice, q="公积金缴存") == ["标题"]  # the text is "住房公积金缴存比例"
    assert _titles(alice, q="strong") == []


def test_filters_by_category_and_period(tree, olga, leo, alice, wages):
    other = Category.objects.create(code="C01", name="重大决策", order=1)
    published(olga, leo, tree["MA"], wages, title="三月工资", period="2026-03")
    published(olga, leo, tree["MA"], wages, title="四月工资", period="2026-04")
    d = draft(olga, tree["MA"], wages, title="改制方案", period="2026-04")
    d = actions.update_draft(
        actor=olga,
        disclosure=d,
        expected_revision=d.revision,
        title="改制方案",
        body="<p>方案</p>",
        category=other,
        item=None,
    )
    actions.submit(actor=olga, disclosure=d, expected_revision=d.revision)
    actions.approve(actor=leo, disclosure=d)
    assert sorted(_titles(alice, period="2026-04")) == ["四月工资", "改制方案"]
    assert _titles(alice, category=other) == ["改制方案"]
    assert _titles(alice, category=wages.category, period="2026-03") == ["三月工资"]


def test_unread_marker_goes_when_opened_and_comes_back_with_a_correction(
    client, tree, olga, leo, alice, wages
):
    d = published(olga, leo, tree["MA"], wages)
    assert [x.unread for x in queries.board(alice)] == [True]
    client.force_login(alice)
    assert client.get(reverse("disclosures:detail", args=[d.pk])).status_code == 200
    assert [x.unread for x in queries.board(alice)] == [False]
    corrected(olga, leo, d, body="<p>更正后的正文</p>")
    assert [x.unread for x in queries.board(alice)] == [True]
    actions.mark_read(alice, Disclosure.objects.get(pk=d.pk))
    assert [x.unread for x in queries.board(alice)] == [False]


def test_a_withdrawn_disclosure_leaves_the_board(tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages)
    actions.withdraw(actor=leo, disclosure=d, reason="数据有误")
    assert _titles(alice) == []


def test_the_board_page_costs_the_same_queries_with_few_and_many_rows(
    client, tree, olga, leo, alice, wages, django_assert_num_queries
):
    bulk_published(tree["MA"], wages.category, olga, 2)
    client.force_login(alice)
    url = reverse("disclosures:board")
    client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"category": wages.category.pk, "q": "公示"})
    assert response.status_code == 200 and response.content.decode().count('class="disc-item unread"') == 2
    bulk_published(tree["MA"], wages.category, olga, 80, prefix="公示批量")
    with django_assert_num_queries(len(few)):
        response = client.get(url, {"category": wages.category.pk, "q": "公示"})
    assert response.content.decode().count('class="disc-item unread"') == 50
    with django_assert_num_queries(len(few)):
        assert client.get(url, {"category": wages.category.pk, "q": "公示", "page": 2}).status_code == 200


def test_the_board_page_has_few_queries(client, tree, olga, alice, wages):
    bulk_published(tree["MA"], wages.category, olga, 3)
    client.force_login(alice)
    client.get(reverse("disclosures:board"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("disclosures:board"))
    # session, user, scope (unit path, grants), count, page, the category filter's options, unread notifications
    assert len(ctx) <= 8, [q["sql"] for q in ctx]


def test_the_board_search_is_an_htmx_fragment(client, tree, olga, leo, alice, wages):
    published(olga, leo, tree["MA"], wages, title="职工代表述职测评结果公示")
    client.force_login(alice)
    response = client.get(reverse("disclosures:board"), {"q": "述職"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "职工代表述职测评结果公示" in body and "<html" not in body


def test_work_list_for_officers_and_reviewers(tree, olga, leo, gina, bob, wages):
    mine = draft(olga, tree["MA"], wages, title="我的草稿")
    waiting = submitted(olga, tree["MA"], wages, title="待审核")
    published(olga, leo, tree["MA"], wages, title="已公开")
    lists = queries.work_list(olga)
    assert sorted(d.draft_title for d in lists["drafts"]) == ["待审核", "我的草稿"]
    assert list(lists["to_review"]) == []
    assert [d.pk for d in queries.work_list(leo)["to_review"]] == [waiting.pk]
    assert [d.pk for d in queries.work_list(gina)["to_review"]] == [waiting.pk]  # leading group of the group
    assert list(queries.work_list(bob)["drafts"]) == [] and list(queries.work_list(bob)["to_review"]) == []
    assert mine.pk not in [d.pk for d in queries.work_list(leo)["to_review"]]


def test_work_page_costs_the_same_queries_with_few_and_many_rows(
    client, tree, olga, leo, wages, django_assert_num_queries
):
    submitted(olga, tree["MA"], wages, title="待审核一")
    client.force_login(leo)
    url = reverse("disclosures:work")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        submitted(olga, tree["MA"], wages, title=f"待审核{i + 2}")
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count("待审核") == 7
