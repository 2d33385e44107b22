"""Topic requests (点题公开): propose, second once, scope, decline with reasons, answered by a disclosure, overdue,
escalation, escaping, and a list page of fixed cost."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry, Notification
from gongkai.disclosures import topic_actions, topic_queries, topic_tasks
from gongkai.disclosures.choices import Status, TopicStatus
from gongkai.disclosures.models import Disclosure, TopicRequest, TopicSecond

pytestmark = pytest.mark.usefixtures("english")  # these tests match English messages


@pytest.fixture
def topic(tree, alice):
    return topic_actions.propose(
        actor=alice, unit=tree["MA"], title="食堂承包合同", text="请公开食堂承包的合同与价格。"
    )


@pytest.fixture
def ann(tree):
    """Another employee of MA1, to second alice's requests."""
    return _person("A002", "安妮", tree["MA1"])


def test_propose_to_an_ancestor_sets_the_deadline_and_writes_the_ledger(topic, settings):
    assert topic.status == TopicStatus.OPEN
    assert topic.deadline == timezone.localdate() + dt.timedelta(days=settings.GONGKAI_TOPIC_ANSWER_DAYS)
    assert AuditEntry.objects.filter(action="disclosures.propose_topic", object_id=str(topic.pk)).exists()


def test_propose_to_a_unit_outside_ones_line_is_refused(tree, alice):
    with pytest.raises(AccessDenied):
        topic_actions.propose(actor=alice, unit=tree["MB"], title="别的矿", text="不是我的单位")
    with pytest.raises(AccessDenied):  # a sub-unit is not one's own unit or an ancestor either
        topic_actions.propose(actor=_person("A003", "甲", tree["MA"]), unit=tree["MA1"], title="t", text="x")
    assert not TopicRequest.objects.exists()


def test_propose_without_a_text_is_refused_and_writes_nothing(tree, alice):
    with pytest.raises(ValidationError):
        topic_actions.propose(actor=alice, unit=tree["MA"], title="  ", text="内容")
    with pytest.raises(ValidationError):
        topic_actions.propose(actor=alice, unit=tree["MA"], title="题目", text="")
    assert not TopicRequest.objects.exists()


def test_second_once(topic, ann):
    topic_actions.second(actor=ann, request=topic)
    with pytest.raises(ValidationError, match="already seconded"):
        topic_actions.second(actor=ann, request=topic)
    topic.refresh_from_db()
    assert topic.second_count == 1
    assert TopicSecond.objects.filter(request=topic).count() == 1


def test_the_database_refuses_a_second_second(topic, ann):
    TopicSecond.objects.create(request=topic, person=ann)
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicSecond.objects.create(request=topic, person=ann)


def test_own_request_cannot_be_seconded(topic, alice):
    with pytest.raises(ValidationError, match="own request"):
        topic_actions.second(actor=alice, request=topic)
    assert not TopicSecond.objects.exists()


def test_bob_cannot_see_or_second_requests_to_another_mine(client, topic, bob):
    assert topic_queries.topic_for(bob, topic.pk) is None
    assert topic not in topic_queries.topics(bob)
    with pytest.raises(AccessDenied):
        topic_actions.second(actor=bob, request=topic)
    client.force_login(bob)
    assert client.get(reverse("disclosures:topic", args=[topic.pk])).status_code == 404
    assert client.post(reverse("disclosures:topic_second", args=[topic.pk])).status_code == 404
    assert topic.title not in client.get(reverse("disclosures:topics")).content.decode()
    assert not TopicSecond.objects.exists()


def test_requests_to_the_group_are_seen_by_everyone_below_and_by_role_holders(tree, alice, bob, gina, leo):
    to_group = topic_actions.propose(actor=bob, unit=tree["G"], title="集团年金", text="年金方案")
    to_ma1 = topic_actions.propose(actor=alice, unit=tree["MA1"], title="班组考核", text="考核细则")
    assert topic_queries.topic_for(alice, to_group.pk) is not None
    assert topic_queries.topic_for(gina, to_ma1.pk) is not None  # leading group of the group, not in MA1
    assert topic_queries.topic_for(leo, to_ma1.pk) is not None
    assert topic_queries.topic_for(bob, to_ma1.pk) is None
    with pytest.raises(AccessDenied):  # gina's own unit is not MA1: she answers, she does not second
        topic_actions.second(actor=gina, request=to_ma1)


def test_decline_requires_a_reason_and_the_role(topic, alice, leo):
    with pytest.raises(ValidationError):
        topic_actions.decline(actor=leo, request=topic, reason="  ")
    with pytest.raises(AccessDenied):
        topic_actions.decline(actor=alice, request=topic, reason="我自己不想公开了")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.OPEN
    topic_actions.decline(actor=leo, request=topic, reason="涉及商业秘密，合同不宜公开。")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DECLINED
    assert topic.answered_by == leo
    with pytest.raises(ValidationError, match="already been answered"):
        topic_actions.decline(actor=leo, request=topic, reason="再次拒绝的理由")


def test_decline_page_without_reason_is_refused_and_changes_nothing(client, topic, olga):
    client.force_login(olga)
    response = client.post(reverse("disclosures:topic_decline", args=[topic.pk]), {"reason": ""})
    assert response.status_code == 400
    topic.refresh_from_db()
    assert topic.status == TopicStatus.OPEN
    response = client.post(
        reverse("disclosures:topic_decline", args=[topic.pk]), {"reason": "合同涉及第三方商业秘密"}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DECLINED
    body = client.get(reverse("disclosures:topic", args=[topic.pk])).content.decode()
    assert "合同涉及第三方商业秘密" in body


def test_seconding_a_declined_request_is_refused(topic, ann, leo):
    topic_actions.decline(actor=leo, request=topic, reason="不宜公开的理由")
    with pytest.raises(ValidationError):
        topic_actions.second(actor=ann, request=topic)


def _published(topic, olga, leo, wages):
    d = Disclosure.objects.create(
        unit=topic.unit,
        audience=topic.unit,
        category=wages.category,
        draft_title="食堂承包合同公开",
        status=Status.PUBLISHED,
        is_public=True,
        title="食堂承包合同公开",
        created_by=olga,
        topic_request=topic,
        published_at=timezone.now(),
    )
    return d


def test_mark_answered_by_a_published_disclosure(topic, olga, leo, wages):
    d = _published(topic, olga, leo, wages)
    assert topic_actions.mark_answered_by(d, actor=leo) is not None
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED
    assert topic.answered_by == leo
    assert topic_actions.mark_answered_by(d, actor=leo) is None  # once
    assert AuditEntry.objects.filter(action="disclosures.answer_topic").count() == 1


def test_a_disclosure_without_a_request_answers_nothing(olga, wages, tree):
    d = Disclosure(unit=tree["MA"], audience=tree["MA"], category=wages.category, created_by=olga)
    assert topic_actions.mark_answered_by(d) is None


def test_answered_through_the_workflow(client, topic, olga, leo, wages, alice):
    """The officer starts a draft from the request's answer page; approving it answers the request."""
    actions = pytest.importorskip("gongkai.disclosures.actions")
    client.force_login(olga)
    response = client.post(
        reverse("disclosures:topic_draft", args=[topic.pk]),
        {"category": wages.category.pk, "title": "食堂承包合同公开", "body": "<p>合同全文见附件。</p>"},
    )
    assert response.status_code == 302
    d = Disclosure.objects.get(topic_request=topic)
    actions.submit(actor=olga, disclosure=d, expected_revision=d.revision)
    d.refresh_from_db()
    actions.approve(actor=leo, disclosure=d)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED
    client.force_login(alice)
    body = client.get(reverse("disclosures:topic", args=[topic.pk])).content.decode()
    assert "食堂承包合同公开" in body


def test_an_employee_cannot_start_an_answer(client, topic, ann):
    client.force_login(ann)
    assert client.get(reverse("disclosures:topic_answer", args=[topic.pk])).status_code == 404
    response = client.post(reverse("disclosures:topic_decline", args=[topic.pk]), {"reason": "理由理由理由"})
    assert response.status_code == 404
    topic.refresh_from_db()
    assert topic.status == TopicStatus.OPEN


def test_overdue_is_computed_from_the_deadline(client, topic, alice, leo):
    assert not topic_queries.topic_for(alice, topic.pk).is_overdue
    TopicRequest.objects.filter(pk=topic.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    assert topic_queries.topic_for(alice, topic.pk).is_overdue
    assert [t.pk for t in topic_queries.topics(alice, state="overdue")] == [topic.pk]
    assert topic_queries.state_counts(alice)["overdue"] == 1
    client.force_login(alice)
    assert 'class="overdue"' in client.get(reverse("disclosures:topics") + "?state=overdue").content.decode()
    topic_actions.decline(actor=leo, request=topic, reason="逾期后作出的答复")
    assert not topic_queries.topic_for(alice, topic.pk).is_overdue
    assert not topic_queries.topics(alice, state="overdue").exists()


def test_overdue_requests_are_escalated_once_to_the_leading_group(tree, alice, leo, gina):
    to_ma1 = topic_actions.propose(actor=alice, unit=tree["MA1"], title="班组考核", text="考核细则")
    TopicRequest.objects.filter(pk=to_ma1.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    assert topic_tasks.escalate_overdue() == 1  # MA1 has no leading group: MA's (leo), not the group's
    assert topic_tasks.escalate_overdue() == 0
    note = Notification.objects.get()
    assert note.person == leo
    assert note.url == reverse("disclosures:topic", args=[to_ma1.pk])


def test_a_request_on_time_is_not_escalated(topic, leo):
    assert topic_tasks.escalate_overdue() == 0
    assert not Notification.objects.exists()


def test_script_in_a_request_is_shown_as_text(client, tree, alice):
    t = topic_actions.propose(
        actor=alice, unit=tree["MA"], title="<script>alert(1)</script>", text="<img src=x onerror=alert(2)>"
    )
    client.force_login(alice)
    for url in (reverse("disclosures:topic", args=[t.pk]), reverse("disclosures:topics")):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<img src=x" not in body


def test_new_request_page(client, tree, alice):
    client.force_login(alice)
    assert client.get(reverse("disclosures:topic_new")).status_code == 200
    response = client.post(
        reverse("disclosures:topic_new"), {"unit": tree["MB"].pk, "title": "t", "text": "x"}
    )
    assert response.status_code == 400  # not a unit she may ask
    response = client.post(
        reverse("disclosures:topic_new"), {"unit": tree["MA"].pk, "title": "劳保用品", "text": "发放标准"}
    )
    t = TopicRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("disclosures:topic", args=[t.pk])
    assert t.proposer == alice


def test_second_button_with_htmx(client, topic, ann):
    client.force_login(ann)
    url = reverse("disclosures:topic_second", args=[topic.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="topic-second"' in body and "<html" not in body
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert "already seconded" in response.content.decode()
    topic.refresh_from_db()
    assert topic.second_count == 1


def test_search_finds_traditional_with_simplified(client, tree, alice):
    topic_actions.propose(actor=alice, unit=tree["MA"], title="職工食堂價格", text="請公開")
    topic_actions.propose(actor=alice, unit=tree["MA"], title="劳保用品", text="发放标准")
    assert [t.title for t in topic_queries.topics(alice, q="食堂价格")] == ["職工食堂價格"]


def _make_topics(unit, proposer, n, start):
    today = timezone.localdate()
    TopicRequest.objects.bulk_create(
        [
            TopicRequest(
                unit=unit,
                proposer=proposer,
                title=f"题目{start + i}",
                text="内容",
                deadline=today - dt.timedelta(days=i % 3),
                status=[TopicStatus.OPEN, TopicStatus.DECLINED][i % 2],
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("state", ["", "overdue"])
def test_list_page_costs_a_fixed_number_of_queries(client, tree, alice, state):
    client.force_login(alice)
    url = reverse("disclosures:topics") + (f"?state={state}" if state else "")
    _make_topics(tree["MA"], alice, 3, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _make_topics(tree["MA1"], alice, 45, 100)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_escalate_topics_command(tree, alice, leo, capsys):
    from django.core.management import call_command

    t = topic_actions.propose(actor=alice, unit=tree["MA"], title="劳保用品", text="发放标准")
    TopicRequest.objects.filter(pk=t.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    call_command("escalate_topics")
    assert capsys.readouterr().out.startswith("1 ")
    assert Notification.objects.filter(person=leo, kind=topic_tasks.KIND).count() == 1
