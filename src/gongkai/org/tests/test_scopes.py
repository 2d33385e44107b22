"""Who sees whom: every list goes through the scope, and a sibling subtree stays invisible."""

import pytest
from django.urls import reverse

from gongkai.core.choices import Role
from gongkai.org import queries
from gongkai.org.models import RoleAssignment


def codes(units):
    return {u.code for u in units}


def test_employee_sees_own_unit_and_ancestors_only(alice, bob):
    assert codes(queries.visible_units(alice)) == {"G", "MA", "MA1"}
    assert codes(queries.visible_units(bob)) == {"G", "MB", "MB1"}


def test_employee_lists_no_people(alice, bob):
    assert list(queries.people(alice)) == []


def test_mine_admin_sees_people_of_own_mine_not_the_sibling(alice, bob, charlie):
    seen = set(queries.people(charlie).values_list("employee_no", flat=True))
    assert "A001" in seen
    assert "B001" not in seen


def test_mine_admin_sees_own_subtree_units(charlie):
    assert codes(queries.visible_units(charlie)) == {"G", "MA", "MA1"}
    assert codes(queries.managed_units(charlie)) == {"MA", "MA1"}


def test_group_union_sees_everyone(alice, bob, diana):
    seen = set(queries.people(diana).values_list("employee_no", flat=True))
    assert {"A001", "B001"} <= seen


def test_role_on_a_section_does_not_reach_the_mine(tree, alice, bob):
    RoleAssignment.objects.create(person=bob, unit=tree["MB1"], role=Role.UNION)
    assert set(queries.people(bob).values_list("employee_no", flat=True)) == {"B001"}


def test_person_detail_of_someone_out_of_scope_is_not_found(client, alice, bob, charlie):
    client.force_login(charlie)
    assert client.get(reverse("org:person", args=[alice.pk])).status_code == 200
    assert client.get(reverse("org:person", args=[bob.pk])).status_code == 404


def test_people_page_shows_only_scope(client, alice, bob, charlie):
    client.force_login(charlie)
    body = client.get(reverse("org:people")).content.decode()
    assert "艾丽丝" in body and "鲍勃" not in body


def test_people_page_filtered_to_a_sibling_unit_is_not_found(client, tree, charlie):
    client.force_login(charlie)
    assert client.get(reverse("org:people"), {"unit": tree["MB"].pk}).status_code == 404


def test_unit_page_of_a_sibling_mine_is_not_found_for_an_employee(client, tree, alice):
    client.force_login(alice)
    assert client.get(reverse("org:unit", args=[tree["MA"].pk])).status_code == 200
    assert client.get(reverse("org:unit", args=[tree["MB"].pk])).status_code == 404


def test_search_finds_simplified_name_with_traditional_input(client, alice, charlie):
    client.force_login(charlie)
    body = client.get(reverse("org:people"), {"q": "艾麗"}).content.decode()
    assert "艾丽丝" in body


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_api_people_follows_the_scope(client, request, who, alice, bob, charlie):
    client.force_login(charlie)
    data = client.get("/api/v1/org/people").json()
    numbers = {p["employee_no"] for p in data["items"]}
    person = request.getfixturevalue(who)
    assert (person.employee_no in numbers) == (who == "alice")


def test_api_units_for_an_employee(client, alice):
    client.force_login(alice)
    data = client.get("/api/v1/org/units").json()
    assert {u["code"] for u in data["items"]} == {"G", "MA", "MA1"}


def test_api_requires_login(client, db):
    assert client.get("/api/v1/org/people").status_code == 401
