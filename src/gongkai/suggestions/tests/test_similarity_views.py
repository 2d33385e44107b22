"""The similar-suggestion fragments: what each person sees, escaping, rate limit, and who may ask."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.suggestions import similarity
from gongkai.suggestions.choices import Status

from .conftest import make_suggestion
from .similarity_corpus import ALL, CANTEEN, NEAR_DUPLICATES, SAFETY

CANTEEN_PROBE = NEAR_DUPLICATES[0][1]
SAFETY_PROBE = NEAR_DUPLICATES[1][1]


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    similarity.forget()
    cache.clear()
    yield
    similarity.forget()
    cache.clear()


def _make(author, entry, days_ago=30, **extra):
    category, title, problem, proposal = entry
    return make_suggestion(
        author,
        category=category,
        title=title,
        problem=problem,
        proposal=proposal,
        submitted=timezone.now() - dt.timedelta(days=days_ago),
        **extra,
    )


@pytest.fixture
def pair(alice, bob):
    """bob's (二矿) canteen suggestion and alice's (一矿) safety suggestion."""
    return _make(bob, CANTEEN[0]), _make(alice, SAFETY[0])


def _post(client, person, parts, **extra):
    client.force_login(person)
    title, problem, proposal = parts
    return client.post(
        reverse("suggestions:similar"),
        {"title": title, "problem": problem, "proposal": proposal, **extra},
        HTTP_HX_REQUEST="true",
    )


def test_an_author_sees_the_title_of_their_own_earlier_suggestion(client, pair, alice):
    _canteen, safety = pair
    response = _post(client, alice, SAFETY_PROBE)
    assert response.status_code == 200
    body = response.content.decode()
    assert safety.title in body and reverse("suggestions:detail", args=[safety.pk]) in body
    assert "%" in body


def test_another_units_suggestion_shows_no_text(client, pair, alice):
    canteen, _safety = pair
    response = _post(client, alice, CANTEEN_PROBE)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-pk="{canteen.pk}"' in body  # it is listed …
    assert canteen.unit.name in body and canteen.get_category_display() in body
    for secret in (canteen.title, canteen.problem, canteen.proposal, "两荤两素"):  # … without its text
        assert secret not in body
    assert reverse("suggestions:detail", args=[canteen.pk]) not in body


def test_a_manager_sees_the_titles_of_their_units_only(client, pair, uma):
    canteen, safety = pair
    body = _post(client, uma, SAFETY_PROBE).content.decode()
    assert safety.title in body
    body = _post(client, uma, CANTEEN_PROBE).content.decode()
    assert f'data-pk="{canteen.pk}"' in body and canteen.title not in body


def test_nothing_similar_and_too_short(client, pair, alice):
    body = _post(
        client, alice, ("工会篮球比赛", "丰富业余文化生活", "每年春季组织一次篮球友谊赛")
    ).content.decode()
    assert 'id="no-similar"' in body and "data-pk" not in body
    response = _post(client, alice, ("食堂", "", ""))
    assert response.status_code == 200 and "data-pk" not in response.content.decode()


def test_the_suggestion_being_edited_is_left_out(client, pair, bob):
    canteen, _safety = pair
    assert f'data-pk="{canteen.pk}"' in _post(client, bob, CANTEEN_PROBE).content.decode()
    body = _post(client, bob, CANTEEN_PROBE, exclude=str(canteen.pk)).content.decode()
    assert f'data-pk="{canteen.pk}"' not in body


def test_script_in_the_posted_text_is_no_error_and_never_echoed(client, pair, alice):
    title, problem, proposal = SAFETY_PROBE
    response = _post(
        client, alice, (f"<script>alert(1)</script>{title}", problem, f'{proposal}<img src=x onerror="x()">')
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>" not in body and "onerror" not in body and "<img" not in body
    assert pair[1].title in body


def test_a_stored_title_with_markup_is_escaped(client, alice):
    _c, title, problem, proposal = SAFETY[0]
    make_suggestion(alice, title=f"<b onmouseover=x()>{title}</b>", problem=problem, proposal=proposal)
    body = _post(client, alice, SAFETY_PROBE).content.decode()
    assert "<b onmouseover" not in body and "&lt;b onmouseover=x()&gt;" in body


def test_lookups_are_rate_limited(client, settings, pair, alice):
    settings.GONGKAI_SIMILAR_PER_MINUTE = 2
    assert _post(client, alice, SAFETY_PROBE).status_code == 200
    assert _post(client, alice, SAFETY_PROBE).status_code == 200
    response = _post(client, alice, SAFETY_PROBE)
    assert response.status_code == 429
    assert "data-pk" not in response.content.decode()


def test_similar_needs_a_login_and_a_post(client, pair, alice):
    url = reverse("suggestions:similar")
    response = client.post(url, {"title": SAFETY_PROBE[0]})
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(alice)
    assert client.get(url).status_code == 405


def test_the_fragment_costs_a_fixed_number_of_queries(client, alice, bob, django_assert_num_queries):
    client.force_login(alice)
    _make(alice, SAFETY[0])
    similarity.build_index()
    client.post(
        reverse("suggestions:similar"), dict(zip(("title", "problem", "proposal"), SAFETY_PROBE, strict=True))
    )
    with CaptureQueriesContext(connection) as captured:
        body = client.post(
            reverse("suggestions:similar"),
            dict(zip(("title", "problem", "proposal"), SAFETY_PROBE, strict=True)),
        ).content.decode()
    assert len(captured) <= QUERIES
    assert body.count("data-pk") == 1
    for n in range(4):  # more similar suggestions, in both units
        _make(alice if n % 2 else bob, SAFETY[0], days_ago=20 - n)
    similarity.build_index()
    with django_assert_num_queries(len(captured)):
        body = client.post(
            reverse("suggestions:similar"),
            dict(zip(("title", "problem", "proposal"), SAFETY_PROBE, strict=True)),
        ).content.decode()
    assert body.count("data-pk") == 5


# session, user, the suggestions newer than the index, the rows, the visible ones, the scope (roles, units)
QUERIES = 7


# ------------------------------------------------------------------------------------------------- similar_to


@pytest.fixture
def later(alice, amy, bob, panel):
    """A suggestion by amy (一矿) saying the same as alice's earlier one, given to the panel; and a later one."""
    for n, entry in enumerate(e for e in ALL if e is not SAFETY[0]):  # the other suggestions of the group
        _make(bob, entry, days_ago=60 + n)
    earlier = _make(alice, SAFETY[0], days_ago=40)
    reworded = _make(amy, ("safety", *SAFETY_PROBE), days_ago=10, status=Status.IN_REVIEW, panel=panel)
    after = _make(alice, SAFETY[0], days_ago=2)
    return earlier, reworded, after


def test_a_manager_sees_the_earlier_suggestion_as_a_possible_duplicate(client, later, uma):
    earlier, reworded, after = later
    client.force_login(uma)
    response = client.get(reverse("suggestions:similar_to", args=[reworded.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert earlier.title in body and "possible-duplicate" in body
    assert f'data-pk="{after.pk}"' not in body  # submitted later: not the original
    assert f'data-pk="{reworded.pk}"' not in body


def test_a_panel_member_sees_it_too_but_not_the_text_of_suggestions_outside_their_panel(client, later, pete):
    earlier, reworded, _after = later
    client.force_login(pete)
    body = client.get(reverse("suggestions:similar_to", args=[reworded.pk])).content.decode()
    assert f'data-pk="{earlier.pk}"' in body
    assert earlier.title not in body  # not given to pete's panel: metadata only


def test_others_get_404(client, later, alice, amy, bob):
    _earlier, reworded, _after = later
    for person in (alice, amy, bob):
        client.force_login(person)
        assert client.get(reverse("suggestions:similar_to", args=[reworded.pk])).status_code == 404


def test_a_draft_has_no_similar_to(client, alice, uma):
    draft = make_suggestion(alice, status=Status.DRAFT)
    client.force_login(uma)
    assert client.get(reverse("suggestions:similar_to", args=[draft.pk])).status_code == 404
