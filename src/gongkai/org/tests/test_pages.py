"""Pages: login with lockout, the per-role home page, bad input in forms, and fixed query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.conftest import PASSWORD
from gongkai.core.choices import Role
from gongkai.org.models import Person, RoleAssignment


def test_login_with_employee_number(client, alice):
    response = client.post(reverse("login"), {"username": "A001", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_gives_a_clear_message(client, alice):
    response = client.post(reverse("login"), {"username": "A001", "password": "wrong"})
    assert response.status_code == 200
    assert "A001" in response.content.decode()  # the form keeps the employee number


def test_repeated_wrong_passwords_lock_the_account(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "A001", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "A001", "password": PASSWORD})
    assert response.status_code == 429
    assert not client.session.get("_auth_user_id")


def test_home_shows_admin_panel_only_to_admins(client, alice, charlie):
    client.force_login(alice)
    assert reverse("org:import") not in client.get(reverse("home")).content.decode()
    client.force_login(charlie)
    assert reverse("org:import") in client.get(reverse("home")).content.decode()


def test_script_in_a_name_is_shown_as_text(client, tree, charlie):
    Person.objects.create(employee_no="A002", name="<script>alert(1)</script>", unit=tree["MA1"])
    client.force_login(charlie)
    body = client.get(reverse("org:people")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_grant_role_on_a_unit_outside_scope_is_refused(client, tree, alice, charlie):
    client.force_login(charlie)
    response = client.post(
        reverse("org:person_grant", args=[alice.pk]), {"unit": tree["MB"].pk, "role": Role.UNION}, follow=True
    )
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(person=alice).exists()


def test_get_on_a_post_only_action_is_refused(client, alice, charlie):
    client.force_login(charlie)
    assert client.get(reverse("org:person_active", args=[alice.pk])).status_code == 405


def _make_people(unit, n, start):
    Person.objects.bulk_create(
        [
            Person(employee_no=f"Q{start + i:05d}", name=f"职工{start + i}", unit=unit, search_text="")
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("url_name", ["org:people", "org:units", "org:constituencies", "home"])
def test_list_pages_cost_a_fixed_number_of_queries(client, tree, charlie, url_name):
    client.force_login(charlie)
    url = reverse(url_name)
    _make_people(tree["MA1"], 5, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _make_people(tree["MA1"], 120, 100)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_api_people_costs_a_fixed_number_of_queries(client, tree, charlie):
    client.force_login(charlie)
    _make_people(tree["MA1"], 3, 0)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/org/people")
    _make_people(tree["MA1"], 80, 100)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/org/people")
    assert len(many) == len(few)


def _edit(client, person, **changes):
    person.refresh_from_db()
    data = {
        "name": person.name,
        "posts": person.posts,
        "phone": person.phone,
        "email": person.email,
        "unit": person.unit_id,
        "version": person.updated_at.isoformat(),
    }
    data.update(changes)
    return client.post(reverse("org:person_edit", args=[person.pk]), data)


def test_edit_person_saves_and_normalises_the_phone(client, alice, charlie):
    client.force_login(charlie)
    assert _edit(client, alice, phone="138 0013 8000").status_code == 302
    alice.refresh_from_db()
    assert alice.phone == "13800138000"


def test_edit_person_with_a_bad_phone_is_refused_and_changes_nothing(client, alice, charlie):
    client.force_login(charlie)
    response = _edit(client, alice, phone="12345", name="改名")
    assert response.status_code == 400
    assert "12345" in response.content.decode()
    alice.refresh_from_db()
    assert (alice.name, alice.phone) == ("艾丽丝", "")


def test_a_stale_edit_form_is_refused(client, alice, charlie):
    client.force_login(charlie)
    alice.refresh_from_db()
    stale_version = alice.updated_at.isoformat()
    assert _edit(client, alice, posts="采煤工").status_code == 302  # someone saves first
    response = _edit(client, alice, posts="掘进工", version=stale_version)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.posts == "采煤工"


def test_edit_into_a_unit_outside_scope_is_refused(client, tree, alice, charlie):
    client.force_login(charlie)
    assert _edit(client, alice, unit=tree["MB1"].pk).status_code == 400
    alice.refresh_from_db()
    assert alice.unit_id == tree["MA1"].pk
