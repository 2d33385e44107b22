"""Themes: grouping distinct subjects apart, the period and unit, requests, the worker task and the page."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gongkai.core.access import AccessDenied
from gongkai.suggestions import insight_tasks, themes
from gongkai.suggestions.choices import Status
from gongkai.suggestions.insight_views import last_month
from gongkai.suggestions.models import Theme, ThemeRun

from .conftest import make_suggestion
from .similarity_corpus import CANTEEN, GOING_OUT, SAFETY

START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)


def _at(day: int) -> dt.datetime:
    return dt.datetime.combine(
        START + dt.timedelta(days=day), dt.time(10), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def groups(alice, amy):
    """The safety, going-out and canteen suggestions of 一矿, submitted in September."""
    out: dict[str, list[int]] = {}
    for name, entries in (("safety", SAFETY), ("going_out", GOING_OUT), ("canteen", CANTEEN)):
        out[name] = [
            make_suggestion(
                alice if n % 2 else amy,
                category=category,
                title=title,
                problem=problem,
                proposal=proposal,
                submitted=_at(n * 3 + len(out)),
            ).pk
            for n, (category, title, problem, proposal) in enumerate(entries)
        ]
    return out


def _theme_of(run: ThemeRun) -> dict[int, Theme]:
    return {pk: t for t in run.themes.all() for pk in t.members}


def test_distinct_subjects_are_grouped_apart_with_sensible_labels(tree, groups):
    run = themes.group(tree["MA"], START, END)
    assert run.finished_at and not run.error and run.suggestions == 19
    theme_of = _theme_of(run)
    assert sorted(theme_of) == sorted(
        pk for pks in groups.values() for pk in pks
    )  # each in exactly one theme
    assert sum(t.size for t in run.themes.all()) == 19
    main = {}
    for name, pks in groups.items():
        counts = Counter(theme_of[pk].pk for pk in pks)
        theme_pk, n = counts.most_common(1)[0]
        assert n >= len(pks) - 2, (name, counts)  # most of a subject is in one theme
        main[name] = Theme.objects.get(pk=theme_pk)
    assert len({t.pk for t in main.values()}) == 3  # three different themes
    assert "食堂" in main["canteen"].terms[:3]
    assert "走出去" in main["going_out"].terms[:3] or "外地" in main["going_out"].terms[:3]
    assert set(main["safety"].terms) & {"安全", "巷道", "顶板", "瓦斯", "皮带机"}
    for t in main.values():
        assert t.label == "、".join(t.terms[:3])
        assert set(t.examples) <= set(t.members) and 0 < len(t.examples) <= themes.EXAMPLES
    sizes = [t.size for t in run.themes.all()]
    assert sizes == sorted(sizes, reverse=True)


def test_the_grouping_is_deterministic(tree, groups):
    first = themes.group(tree["MA"], START, END)
    second = themes.group(tree["MA"], START, END)
    assert [(t.label, t.members) for t in first.themes.all()] == [
        (t.label, t.members) for t in second.themes.all()
    ]


def test_only_the_units_subtree_and_the_period_count(tree, groups, bob, alice):
    other_unit = make_suggestion(bob, title="二矿食堂夜班饭菜", submitted=_at(5))
    too_late = make_suggestion(alice, title="十月的食堂建议", submitted=_at(30))  # 1 October
    draft = make_suggestion(alice, status=Status.DRAFT, title="食堂草稿")
    run = themes.group(tree["MA"], START, END)
    members = set(_theme_of(run))
    assert run.suggestions == 19
    assert not members & {other_unit.pk, too_late.pk, draft.pk}
    assert themes.group(tree["MB"], START, END).suggestions == 1
    assert themes.group(tree["G"], START, END).suggestions == 20


def test_an_empty_period_and_a_single_suggestion(tree, alice):
    run = themes.group(tree["MA"], START, END)
    assert run.finished_at and run.suggestions == 0 and run.themes.count() == 0 and not run.error
    one = make_suggestion(alice, submitted=_at(1))
    run = themes.group(tree["MA"], START, END)
    assert [t.members for t in run.themes.all()] == [[one.pk]]


def test_candidate_numbers_of_themes():
    assert themes._candidates(0) == [] and themes._candidates(3) == [1]
    assert themes._candidates(19) == [2, 3, 4, 5]
    assert themes._candidates(8) == [2, 3, 4]
    assert themes._candidates(200) == [5] and themes._candidates(800) == [10]
    assert themes._candidates(3200) == [20] and themes._candidates(10_000) == [themes.MAX_THEMES]


# ------------------------------------------------------------------------------------------------- requests


def test_a_manager_requests_a_grouping_which_the_worker_computes(
    tree, groups, uma, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = themes.request_grouping(actor=uma, unit=tree["MA"], start=START, end=END)
    assert run.finished_at is None and run.requested_by == uma
    task = DBTaskResult.objects.get(task_path=insight_tasks.group_themes.module_path)
    assert task.args_kwargs["args"] == [run.pk]
    with django_capture_on_commit_callbacks(execute=True):  # asked again while waiting: the same run
        assert themes.request_grouping(actor=uma, unit=tree["MA"], start=START, end=END) == run
    assert ThemeRun.objects.count() == 1 and DBTaskResult.objects.count() == 1
    result = insight_tasks.group_themes.call(run.pk)
    run.refresh_from_db()
    assert result["suggestions"] == 19 and run.finished_at and run.themes.count() >= 3


def test_an_employee_may_not_request_a_grouping(tree, groups, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AccessDenied):
        themes.request_grouping(actor=alice, unit=tree["MA"], start=START, end=END)
    assert ThemeRun.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_a_manager_may_not_group_another_unit(tree, uma, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AccessDenied):
        themes.request_grouping(actor=uma, unit=tree["MB"], start=START, end=END)
    assert ThemeRun.objects.count() == 0 and DBTaskResult.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(END, START, "period_order"), (dt.date(2024, 12, 1), dt.date(2026, 1, 1), "period_too_long")],
)
def test_a_bad_period_is_refused(tree, uma, start, end, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        themes.request_grouping(actor=uma, unit=tree["MA"], start=start, end=end)
    assert refused.value.code == code
    assert ThemeRun.objects.count() == 0 and DBTaskResult.objects.count() == 0


# ------------------------------------------------------------------------------------------------- the page


def test_last_month():
    assert last_month(dt.date(2026, 3, 15)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert last_month(dt.date(2026, 1, 1)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_the_page_requests_polls_and_shows_the_themes(
    client, tree, groups, uma, django_capture_on_commit_callbacks
):
    client.force_login(uma)
    url = reverse("suggestions:themes")
    page = client.get(url)
    assert page.status_code == 200
    start, end = last_month(timezone.localdate())
    assert start.isoformat() in page.content.decode() and 'id="no-run"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"unit": tree["MA"].pk, "start": START.isoformat(), "end": END.isoformat()}
        )
    assert response.status_code == 302
    run = ThemeRun.objects.get()
    waiting = client.get(response["Location"]).content.decode()
    assert 'id="computing"' in waiting and 'hx-trigger="every 2s"' in waiting
    assert 'id="worker-silent"' not in waiting
    # a request nobody picks up for minutes: the page says the worker may not be running
    ThemeRun.objects.filter(pk=run.pk).update(requested_at=timezone.now() - dt.timedelta(minutes=5))
    assert 'id="worker-silent"' in client.get(response["Location"]).content.decode()
    insight_tasks.group_themes.call(run.pk)
    polled = client.get(response["Location"], HTTP_HX_REQUEST="true")
    body = polled.content.decode()
    assert "<html" not in body and 'id="computing"' not in body and "hx-trigger" not in body
    assert "食堂" in body and body.count('class="theme"') == run.themes.count()
    for pk in groups["canteen"]:
        assert reverse("suggestions:detail", args=[pk]) in body


def test_the_page_refuses_employees_and_other_units(
    client, tree, alice, uma, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    url = reverse("suggestions:themes")
    assert client.get(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(url, {"unit": tree["MA"].pk, "start": "2026-09-01", "end": "2026-09-30"}).status_code
            == 403
        )
    client.force_login(uma)
    assert client.get(f"{url}?unit={tree['MB'].pk}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {"unit": tree["MB"].pk, "start": "2026-09-01", "end": "2026-09-30"})
        assert refused.status_code == 400
        bad = client.post(url, {"unit": tree["MA"].pk, "start": "2026-09-30", "end": "2026-09-01"})
        assert bad.status_code == 400 and 'class="error" role="alert"' in bad.content.decode()
    assert ThemeRun.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_the_page_costs_a_fixed_number_of_queries(client, tree, alice, uma, django_assert_num_queries):
    client.force_login(uma)
    url = f"{reverse('suggestions:themes')}?unit={tree['MA'].pk}"
    for n, (category, title, problem, proposal) in enumerate(SAFETY[:2] + CANTEEN[:2]):
        make_suggestion(
            alice, category=category, title=title, problem=problem, proposal=proposal, submitted=_at(n)
        )
    themes.group(tree["MA"], START, END)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).content.decode().count('class="theme"') >= 1
    for n, (category, title, problem, proposal) in enumerate(SAFETY[2:] + CANTEEN[2:] + GOING_OUT):
        make_suggestion(
            alice, category=category, title=title, problem=problem, proposal=proposal, submitted=_at(n)
        )
    themes.group(tree["MA"], START, END)
    with django_assert_num_queries(len(few)):
        assert client.get(url).content.decode().count('class="theme"') >= 3
