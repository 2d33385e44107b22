"""The staff side over HTTP: the handler's queue, the union's list, the case page with every lifecycle step,
stale forms, refusals that write nothing, who must not see what, and fixed query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.cases import actions
from gongkai.cases.choices import CaseStatus, EventKind, Priority
from gongkai.cases.models import Case, CaseAttachment, CaseEvent
from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry, Notification
from gongkai.disclosures.tests.disclosure_helpers import EXE, PDF, PNG, upload
from gongkai.org.models import RoleAssignment


def snapshot(case):
    row = Case.objects.filter(pk=case.pk).values().get()
    return (
        row,
        list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)),
        sorted(Case.objects.get(pk=case.pk).co_handlers.values_list("pk", flat=True)),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def page(pk):
    return reverse("cases:work_case", args=[pk])


def act(pk, step):
    return reverse("cases:work_act", args=[pk, step])


def post(client, case, step, **data):
    """Post a step's form (fields carry the step's prefix) with the case's current revision by default."""
    fields = {f"{step}-revision": Case.objects.get(pk=case.pk).revision}
    fields.update({f"{step}-{k}": v for k, v in data.items()})
    return client.post(act(case.pk, step), fields)


@pytest.fixture
def ursula(tree):
    """union on 二矿 (MB): must see nothing of 一矿."""
    p = _person("B300", "乌苏拉", tree["MB"])
    RoleAssignment.objects.create(person=p, unit=tree["MB"], role=Role.UNION)
    return p


# ------------------------------------------------------------------------------------------ who sees what


def test_the_raiser_and_sibling_mines_do_not_get_the_staff_page(
    client, assigned, alice, bob, ursula, henri, hank, uma, diana
):
    for person in (alice, bob, ursula, henri):
        client.force_login(person)
        assert client.get(page(assigned.pk)).status_code == 404
        assert post(client, assigned, "chase", text="x").status_code == 404
    for person in (hank, uma, diana):
        client.force_login(person)
        assert client.get(page(assigned.pk)).status_code == 200


def test_queue_and_list_show_only_ones_own(client, assigned, hank, henri, uma, ursula, alice):
    client.force_login(hank)
    assert assigned.title in client.get(reverse("cases:work_queue")).content.decode()
    client.force_login(henri)
    assert assigned.title not in client.get(reverse("cases:work_queue")).content.decode()
    client.force_login(uma)
    assert assigned.title in client.get(reverse("cases:work_managed")).content.decode()
    client.force_login(ursula)
    assert assigned.title not in client.get(reverse("cases:work_managed")).content.decode()
    client.force_login(alice)  # an employee has no union list
    assert client.get(reverse("cases:work_managed")).status_code == 404


def test_the_staff_timeline_shows_what_the_raiser_does_not(client, assigned, uma, hank, english):
    CaseEvent.objects.create(case=assigned, kind=EventKind.CHASED, actor=uma, text="内部备注", public=False)
    client.force_login(hank)
    body = client.get(page(assigned.pk)).content.decode()
    assert "内部备注" in body and "staff only" in body


# ------------------------------------------------------------------------------------------ the lifecycle


def test_the_whole_lifecycle_over_http(client, raised, uma, hank, hugo, depts, today, english):
    client.force_login(uma)
    assert post(client, raised, "accept", priority=Priority.HIGH).status_code == 302
    response = post(
        client,
        raised,
        "assign",
        handling_unit=depts["MAHR"].pk,
        handler="A400",
        co_handlers="A401",
        priority=2,
    )
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get(pk=raised.pk)
    assert case.status == CaseStatus.ASSIGNED and case.handler == hank
    assert list(case.co_handlers.all()) == [hugo] and case.due_date > today and case.priority == Priority.HIGH
    assert post(client, raised, "chase", text="请抓紧").status_code == 302

    client.force_login(hank)
    assert post(client, raised, "start").status_code == 302
    response = post(client, raised, "reply", text="已增加热水供应时段。")
    assert response.status_code == 302
    assert "The reply is sent" in client.get(response.url).content.decode()

    client.force_login(uma)
    assert post(client, raised, "follow_up", text="回访：满意").status_code == 302
    assert post(client, raised, "close", text="归档").status_code == 302
    case = Case.objects.get(pk=raised.pk)
    assert case.status == CaseStatus.CLOSED
    kinds = list(CaseEvent.objects.filter(case=case).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        EventKind.RAISED,
        EventKind.ACCEPTED,
        EventKind.ASSIGNED,
        EventKind.CHASED,
        EventKind.STARTED,
        EventKind.REPLIED,
        EventKind.FOLLOWED_UP,
        EventKind.CLOSED,
    ]
    # a closed case offers no step any more
    assert client.get(page(raised.pk)).context["forms"] == {}


def test_return_escalate_decide_and_merge(client, alice, tree, raised, uma, english):
    other = actions.raise_case(actor=alice, unit=tree["MA1"], title="热水不足（重复）", text="同上").case
    client.force_login(uma)
    assert post(client, raised, "escalate", meeting="矿办公会").status_code == 302
    assert post(client, raised, "decide", decision="增加一台热水锅炉").status_code == 302
    case = Case.objects.get(pk=raised.pk)
    assert case.escalated_to == "矿办公会" and case.escalation_decision == "增加一台热水锅炉"
    assert post(client, other, "merge", into=raised.pk, reason="重复").status_code == 302
    assert Case.objects.get(pk=other.pk).merged_into_id == raised.pk
    assert post(client, raised, "return", reason="不属于工会受理范围").status_code == 302
    assert Case.objects.get(pk=raised.pk).status == CaseStatus.RETURNED


# ------------------------------------------------------------------------------------------ refusals


def test_a_stale_form_is_refused_and_writes_nothing(client, raised, uma, english):
    client.force_login(uma)
    old = raised.revision
    actions.escalate(raised, actor=uma, meeting="矿办公会")  # someone else changes the case meanwhile
    before = snapshot(raised)
    response = client.post(act(raised.pk, "accept"), {"accept-revision": old, "accept-priority": 1})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    response = client.post(act(raised.pk, "chase"), {"chase-revision": old, "chase-text": "x"})
    assert response.status_code == 409
    assert snapshot(raised) == before


def test_a_due_date_on_a_holiday_is_refused(client, raised, uma, hank, depts, today, english):
    actions.accept(raised, actor=uma)
    client.force_login(uma)
    before = snapshot(raised)
    response = post(
        client,
        raised,
        "assign",
        handling_unit=depts["MAHR"].pk,
        handler="A400",
        due_date="2026-10-01",
        priority=1,
    )
    assert response.status_code == 400
    assert "2026-10-01 is not a working day" in response.content.decode()
    assert snapshot(raised) == before


def test_assignment_outside_scope_and_unknown_people_are_refused(
    client, raised, uma, depts, hank, henri, today, english
):
    actions.accept(raised, actor=uma)
    client.force_login(uma)
    before = snapshot(raised)
    # 二矿's department is not among uma's units: not even a choice
    response = post(client, raised, "assign", handling_unit=depts["MBHR"].pk, handler="B400", priority=1)
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    response = post(client, raised, "assign", handling_unit=depts["MAHR"].pk, handler="Z999", priority=1)
    assert response.status_code == 400
    assert "No active person with employee number Z999" in response.content.decode()
    # a handler of another mine's department
    response = post(client, raised, "assign", handling_unit=depts["MAHR"].pk, handler="B400", priority=1)
    assert response.status_code == 400 and "does not work in" in response.content.decode()
    assert snapshot(raised) == before


def test_a_reply_to_a_closed_case_and_steps_of_others(client, assigned, uma, hank, english):
    client.force_login(hank)
    # a handler cannot accept, chase or close
    before = snapshot(assigned)
    assert post(client, assigned, "accept", priority=1).status_code == 409  # accepted long ago
    for step in ("chase", "merge", "escalate"):
        response = post(client, assigned, step, text="x", into=assigned.pk, meeting="x")
        assert response.status_code == 403
        assert "You do not have the role needed" in response.content.decode()
    assert snapshot(assigned) == before
    actions.reply(assigned, actor=hank, text="已处理")
    actions.close(assigned, actor=uma)
    before = snapshot(assigned)
    response = post(client, assigned, "reply", text="补充答复")
    assert response.status_code == 409
    assert "not possible any more" in response.content.decode()
    assert snapshot(assigned) == before


def test_an_empty_reply_and_merging_into_an_unseen_case(client, assigned, uma, hank, bob, tree, english):
    theirs = actions.raise_case(actor=bob, unit=tree["MB1"], title="二矿的事", text="…").case
    client.force_login(hank)
    before = snapshot(assigned)
    assert post(client, assigned, "reply", text="   ").status_code == 400
    assert snapshot(assigned) == before
    client.force_login(uma)
    response = post(client, assigned, "merge", into=theirs.pk)
    assert response.status_code == 400
    assert f"There is no case {theirs.pk} among the cases you can see" in response.content.decode()
    assert snapshot(assigned) == before


def test_steps_are_post_only(client, assigned, uma):
    client.force_login(uma)
    assert client.get(act(assigned.pk, "chase")).status_code == 405
    assert client.post(act(assigned.pk, "nonsense"), {}).status_code == 404


# ------------------------------------------------------------------------------------------ query counts


def _more_cases(n, alice, uma, hank, depts, tree):
    for i in range(n):
        case = actions.raise_case(actor=alice, unit=tree["MA1"], title=f"问题 {i}", text="…").case
        actions.accept(case, actor=uma, priority=i % 4)
        actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank)


@pytest.mark.parametrize("who", ["queue", "managed"])
def test_lists_cost_a_fixed_number_of_queries(client, who, assigned, alice, uma, hank, depts, tree, today):
    person, url = {
        "queue": (hank, reverse("cases:work_queue")),
        "managed": (uma, reverse("cases:work_managed")),
    }[who]
    client.force_login(person)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_cases(15, alice, uma, hank, depts, tree)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["page"].object_list) == 16
    assert len(few) == len(many), (len(few), len(many))


def test_the_case_page_costs_a_fixed_number_of_queries(client, assigned, uma, hank, today):
    client.force_login(uma)
    client.get(page(assigned.pk))
    with CaptureQueriesContext(connection) as few:
        assert client.get(page(assigned.pk)).status_code == 200
    for i in range(10):
        actions.chase(assigned, actor=uma, text=f"第{i}次督办")
    with CaptureQueriesContext(connection) as many:
        response = client.get(page(assigned.pk))
    assert response.status_code == 200 and len(response.context["events"]) == 13
    assert len(few) == len(many), (len(few), len(many))


def test_the_queue_puts_overdue_and_urgent_first(client, alice, uma, hank, depts, tree, today, monkeypatch):
    _more_cases(3, alice, uma, hank, depts, tree)
    cases = list(Case.objects.order_by("pk"))
    Case.objects.filter(pk=cases[0].pk).update(due_date=today - dt.timedelta(days=3), priority=Priority.LOW)
    Case.objects.filter(pk=cases[1].pk).update(priority=Priority.URGENT)
    client.force_login(hank)
    listed = [c.pk for c in client.get(reverse("cases:work_queue")).context["page"].object_list]
    assert listed[:2] == [cases[0].pk, cases[1].pk]


# ------------------------------------------------------------------------------------------ attachments


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _reply_with(client, case, text, *files):
    return client.post(
        act(case.pk, "reply"),
        {
            "reply-revision": Case.objects.get(pk=case.pk).revision,
            "reply-text": text,
            "reply-attached": list(files),
        },
    )


def test_a_reply_with_attachments_that_only_those_who_see_the_case_can_download(
    client, assigned, hank, alice, bob, uma, media, english
):
    client.force_login(hank)
    response = _reply_with(client, assigned, "见附件。", upload("处理结果.pdf", PDF), upload("现场.png", PNG))
    assert response.status_code == 302
    files = list(CaseAttachment.objects.filter(case=assigned).order_by("pk"))
    assert [f.name for f in files] == ["处理结果.pdf", "现场.png"]
    assert files[0].event.kind == EventKind.REPLIED
    assert AuditEntry.objects.filter(action="cases.attach").count() == 1
    body = client.get(page(assigned.pk)).content.decode()
    assert reverse("cases:attachment", args=[files[0].pk]) in body
    for person, status in ((hank, 200), (uma, 200), (alice, 200), (bob, 404)):
        client.force_login(person)
        assert client.get(reverse("cases:attachment", args=[files[0].pk])).status_code == status


def test_a_bad_file_refuses_the_whole_reply(client, assigned, hank, media, english):
    client.force_login(hank)
    before = snapshot(assigned)
    response = _reply_with(client, assigned, "见附件。", upload("ok.pdf", PDF), upload("结果.pdf", EXE))
    assert response.status_code == 400
    assert "is not a PDF, Excel (.xlsx), Word (.docx), JPEG or PNG file" in response.content.decode()
    assert snapshot(assigned) == before
    assert not CaseAttachment.objects.exists()


# ------------------------------------------------------------------------------------------ home panels


def test_home_panels(rf, assigned, hank, hugo, uma, alice, bob, today, english):
    from django.template.loader import render_to_string

    from gongkai.cases import work_panels
    from gongkai.core.access import get_scope

    def panels(person):
        request = rf.get("/")
        request.user = person
        scope = get_scope(person)
        return [p for f in work_panels.FACTORIES if (p := f(request, scope)) is not None]

    Case.objects.filter(pk=assigned.pk).update(due_date=today - dt.timedelta(days=1))
    (queue,) = panels(hugo)  # a co-handler without the handler role still sees his queue
    assert queue.context == {"waiting": 1, "overdue": 1, "soon": 0}
    assert "1 case waits for your reply" in render_to_string(queue.template, {"ctx": queue.context})
    (managed,) = panels(uma)
    assert managed.context == {"to_accept": 0, "open": 1, "overdue": 1}
    assert "1 open case" in render_to_string(managed.template, {"ctx": managed.context})
    assert [p.template for p in panels(hank)] == ["cases/work/panel_queue.html"]
    assert panels(alice) == [] and panels(bob) == []
