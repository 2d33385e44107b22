"""The cases API: my cases, the handler's queue, a case with its public timeline, raising a named case and the
figures — with the same scopes as the pages (alice and bob in sibling mines never see each other's cases)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.cases import actions
from gongkai.cases.choices import CaseStatus
from gongkai.cases.models import Case, CaseEvent
from gongkai.core.models import AuditEntry

API = "/api/v1/cases"


def _raise(person, unit, n=1, **kw):
    return [
        actions.raise_case(actor=person, unit=unit, title=f"问题{i}", text=f"说明{i}", **kw).case
        for i in range(n)
    ]


def test_my_cases_lists_only_mine(client, raised, alice, bob, tree):
    _raise(bob, tree["MB1"])
    client.force_login(alice)
    data = client.get(f"{API}/mine").json()
    assert data["count"] == 1
    (item,) = data["items"]
    assert item["id"] == raised.pk and item["title"] == "澡堂热水不足" and item["status"] == "registered"
    assert item["unit"] == tree["MA1"].name and item["anonymous"] is False
    client.force_login(bob)
    assert [c["title"] for c in client.get(f"{API}/mine").json()["items"]] == ["问题0"]


def test_anonymous_cases_are_not_in_my_cases(client, alice, tree):
    actions.raise_case(actor=alice, unit=tree["MA1"], title="匿名", text="匿名反映", anonymous=True)
    client.force_login(alice)
    assert client.get(f"{API}/mine").json()["count"] == 0


def test_the_queue_of_a_handler_and_not_of_the_sibling(client, assigned, hank, henri, alice):
    client.force_login(hank)
    data = client.get(f"{API}/queue").json()
    assert [c["id"] for c in data["items"]] == [assigned.pk]
    assert data["items"][0]["handler"] == hank.name and data["items"][0]["due_date"]
    client.force_login(henri)
    assert client.get(f"{API}/queue").json()["count"] == 0
    client.force_login(alice)
    assert client.get(f"{API}/queue").json()["count"] == 0


def test_case_detail_shows_the_public_timeline_only(client, assigned, alice, hank, uma):
    actions.chase(assigned, actor=uma, text="请尽快")  # a chase is staff-only or public: whatever, check flag
    client.force_login(alice)
    data = client.get(f"{API}/{assigned.pk}").json()
    assert data["text"] == "夜班下井后澡堂经常没有热水。"
    public = list(CaseEvent.objects.filter(case=assigned, public=True).order_by("at", "pk"))
    assert [e["kind"] for e in data["timeline"]] == [e.kind for e in public]
    assert len(data["timeline"]) < CaseEvent.objects.filter(case=assigned).count() or all(
        e.public for e in CaseEvent.objects.filter(case=assigned)
    )
    client.force_login(hank)
    assert client.get(f"{API}/{assigned.pk}").status_code == 200
    client.force_login(uma)
    assert client.get(f"{API}/{assigned.pk}").status_code == 200


def test_the_sibling_mine_gets_404(client, raised, bob, henri, english):
    for who in (bob, henri):
        client.force_login(who)
        response = client.get(f"{API}/{raised.pk}")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "No such case, or you may not see it."}
    assert client.get(f"{API}/999999").status_code == 404


def test_anonymous_case_detail_names_nobody(client, uma, tree, alice):
    case = actions.raise_case(
        actor=alice, unit=tree["MA1"], title="匿名", text="匿名反映", anonymous=True
    ).case
    client.force_login(uma)
    data = client.get(f"{API}/{case.pk}").json()
    assert data["anonymous"] is True
    assert alice.name not in str(data) and alice.employee_no not in str(data)
    assert data["timeline"][0]["by"] is None


def test_raise_a_named_case(client, alice, tree):
    client.force_login(alice)
    response = client.post(
        f"{API}/", {"title": " 食堂  饭菜太咸 ", "text": "希望改进。"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert case.raiser_id == alice.pk and case.unit_id == tree["MA1"].pk and not case.is_anonymous
    assert data["title"] == "食堂 饭菜太咸" and data["timeline"][0]["kind"] == "raised"
    assert AuditEntry.objects.filter(action="cases.raise").count() == 1
    response = client.post(
        f"{API}/", {"title": "矿上", "text": "x", "unit": "MA"}, content_type="application/json"
    )
    assert response.status_code == 201 and Case.objects.get(pk=response.json()["id"]).unit_id == tree["MA"].pk


def test_raising_bad_input_is_refused_and_writes_nothing(client, alice, english):
    client.force_login(alice)
    response = client.post(f"{API}/", {"title": "标题", "text": "   "}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Describe the matter: the text is empty."
    response = client.post(
        f"{API}/", {"title": "标题", "text": "x", "unit": "NOPE"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["detail"] == "There is no unit with this code."
    assert client.post(f"{API}/", {"title": "标题"}, content_type="application/json").status_code == 422
    assert Case.objects.count() == 0 and not AuditEntry.objects.filter(action="cases.raise").exists()


def test_raising_in_the_sibling_mine_is_forbidden(client, alice):
    client.force_login(alice)
    response = client.post(
        f"{API}/", {"title": "标题", "text": "x", "unit": "MB1"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_anonymous_callers_are_refused(client, raised):
    assert client.get(f"{API}/mine").status_code == 401
    assert client.get(f"{API}/{raised.pk}").status_code == 401
    assert (
        client.post(f"{API}/", {"title": "t", "text": "x"}, content_type="application/json").status_code
        == 401
    )


def test_figures_of_the_union(client, assigned, uma, diana, hank, alice, bob, tree, today):
    _raise(bob, tree["MB1"], 2)
    actions.reply(assigned, actor=hank, text="已增加锅炉班次。")
    actions.rate(assigned, actor=alice, satisfaction="satisfied")
    client.force_login(uma)
    data = client.get(f"{API}/figures").json()
    assert data["total"] == 1 and data["replied"] == 1 and data["rated"] == 1
    assert data["satisfaction_rate"] == 1.0 and data["average_days_to_reply"] is not None
    client.force_login(diana)
    data = client.get(f"{API}/figures").json()
    assert data["total"] == 3 and data["open"] == 2
    assert client.get(f"{API}/figures", {"unit": "MB"}).json()["total"] == 2
    client.force_login(uma)
    assert client.get(f"{API}/figures", {"unit": "MB"}).status_code == 404
    client.force_login(bob)
    data = client.get(f"{API}/figures").json()
    assert data["total"] == 0 and data["satisfaction_rate"] is None


def test_figures_count_overdue(client, raised, uma, diana, today):
    Case.objects.filter(pk=raised.pk).update(status=CaseStatus.ASSIGNED, due_date=today.replace(day=1))
    client.force_login(diana)
    assert client.get(f"{API}/figures").json()["overdue"] == 1


@pytest.mark.parametrize("endpoint", ["mine", "queue", "figures"])
def test_constant_queries_with_few_and_many_cases(client, endpoint, alice, hank, uma, depts, tree, today):
    def count() -> int:
        client.force_login({"mine": alice, "queue": hank, "figures": uma}[endpoint])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{API}/{endpoint}").status_code == 200
        return len(ctx.captured_queries)

    def more(n: int) -> None:
        for case in _raise(alice, tree["MA1"], n):
            actions.accept(case, actor=uma)
            actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank)

    more(1)
    few = count()
    more(12)
    assert count() == few
