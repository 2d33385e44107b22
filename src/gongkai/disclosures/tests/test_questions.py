"""Questions and opinions on a published disclosure, and the responsible person's answers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongkai.conftest import _person
from gongkai.core.access import AccessDenied
from gongkai.core.models import Notification
from gongkai.disclosures import actions, queries
from gongkai.disclosures.models import Question

from .disclosure_helpers import draft, published

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary folder; the fixture people get a fast password hash (these tests never log in
    with a password)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def disclosure(tree, olga, leo, wages):
    return published(olga, leo, tree["MA"], wages, title="三月工资公示")


@pytest.fixture
def mary(tree):
    """Another employee of 综采一区, a reader like alice."""
    return _person("A002", "玛丽", tree["MA1"])


def test_a_reader_asks_and_the_officer_answers_publicly(disclosure, olga, alice, mary):
    q = actions.ask(actor=alice, disclosure=disclosure, text="夜班津贴为什么没有列出？")
    assert Notification.objects.filter(person=olga, kind="disclosures.question").count() == 1
    assert list(queries.questions_for(mary, disclosure)) == []  # not answered yet: only the asker sees it
    assert list(queries.questions_for(alice, disclosure)) == [q]
    actions.answer(actor=olga, question=q, text="夜班津贴在附件二。")
    assert list(queries.questions_for(mary, disclosure)) == [q]
    assert Notification.objects.filter(person=alice, kind="disclosures.answer").count() == 1


def test_a_private_answer_is_seen_by_the_asker_only(client, disclosure, olga, alice, mary):
    q = actions.ask(actor=alice, disclosure=disclosure, text="我的工资为什么少了？", is_opinion=False)
    actions.answer(actor=olga, question=q, text="您的考勤有两天缺勤。", public=False)
    assert list(queries.questions_for(mary, disclosure)) == []
    client.force_login(mary)
    assert (
        "考勤有两天缺勤"
        not in client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    )
    client.force_login(alice)
    assert (
        "考勤有两天缺勤" in client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    )


def test_questions_need_text_and_a_published_disclosure(tree, olga, leo, alice, disclosure, wages):
    with pytest.raises(ValidationError):
        actions.ask(actor=alice, disclosure=disclosure, text="   ")
    with pytest.raises(ValidationError):
        actions.ask(actor=alice, disclosure=disclosure, text="长" * 2001)
    d = draft(olga, tree["MA"], wages, title="草稿")
    with pytest.raises(AccessDenied):
        actions.ask(actor=alice, disclosure=d, text="这是什么？")
    actions.withdraw(actor=leo, disclosure=disclosure, reason="有误")
    with pytest.raises(ValidationError):
        actions.ask(actor=alice, disclosure=disclosure, text="为什么撤回？")
    assert Question.objects.count() == 0


def test_bob_cannot_ask_on_a_sibling_mines_disclosure(client, disclosure, bob):
    with pytest.raises(AccessDenied):
        actions.ask(actor=bob, disclosure=disclosure, text="我也想问")
    client.force_login(bob)
    response = client.post(reverse("disclosures:ask", args=[disclosure.pk]), {"text": "我也想问"})
    assert response.status_code == 404
    assert Question.objects.count() == 0


def test_the_same_question_sent_twice_is_kept_once(disclosure, alice):
    first = actions.ask(actor=alice, disclosure=disclosure, text="何时发放？")
    second = actions.ask(actor=alice, disclosure=disclosure, text="何时发放？")
    assert first.pk == second.pk and Question.objects.count() == 1


def test_only_the_responsible_person_answers_and_only_once(disclosure, olga, leo, alice, mary):
    q = actions.ask(actor=alice, disclosure=disclosure, text="何时发放？")
    with pytest.raises(AccessDenied):
        actions.answer(actor=mary, question=q, text="我猜下周")
    with pytest.raises(ValidationError):
        actions.answer(actor=olga, question=q, text="")
    actions.answer(actor=olga, question=q, text="十日发放。")
    with pytest.raises(ValidationError):
        actions.answer(actor=leo, question=q, text="改一下")
    q.refresh_from_db()
    assert q.answer == "十日发放。" and q.answered_by == olga


def test_script_in_questions_and_answers_is_shown_as_text(client, disclosure, olga, alice):
    q = actions.ask(actor=alice, disclosure=disclosure, text=SCRIPT)
    actions.answer(actor=olga, question=q, text=SCRIPT)
    client.force_login(alice)
    body = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert SCRIPT not in body and "<img src=x" not in body
    assert body.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 2


def test_asking_through_htmx_returns_the_questions_fragment(client, disclosure, alice):
    client.force_login(alice)
    response = client.post(
        reverse("disclosures:ask", args=[disclosure.pk]),
        {"text": "补贴标准是多少？", "is_opinion": "on"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="questions-box"' in body and "<html" not in body
    assert "补贴标准是多少？" in body
    assert Question.objects.get().is_opinion


def test_an_empty_question_through_htmx_says_what_is_wrong(client, disclosure, alice):
    client.force_login(alice)
    response = client.post(
        reverse("disclosures:ask", args=[disclosure.pk]), {"text": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert Question.objects.count() == 0


def test_the_officer_answers_on_the_page(client, disclosure, olga, alice):
    q = actions.ask(actor=alice, disclosure=disclosure, text="何时发放？")
    client.force_login(olga)
    response = client.post(
        reverse("disclosures:answer", args=[disclosure.pk, q.pk]), {"text": "十日发放。", "public": "on"}
    )
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.answer == "十日发放。" and q.answer_public
