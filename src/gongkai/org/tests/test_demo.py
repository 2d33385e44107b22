"""The demo group: deterministic, a sound tree, logins that work, representatives inside their constituency."""

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry
from gongkai.org import demo
from gongkai.org.choices import UnitKind
from gongkai.org.models import Constituency, Person, RoleAssignment, Unit

PHONE_PREFIXES = ("13", "15", "18")


def test_plan_is_deterministic_and_depends_on_the_seed():
    first, again, other = demo.plan("small", 7), demo.plan("small", 7), demo.plan("small", 8)
    assert first.digest() == again.digest()
    assert first.people == again.people
    assert first.digest() != other.digest()
    assert [u.name for u in first.units if u.depth <= 2] == [u.name for u in other.units if u.depth <= 2]


def test_small_plan_shape():
    plan = demo.plan("small", 1)
    counts = plan.counts()
    assert counts["people"] == 300
    assert 5 <= counts["base_units"] <= 8
    assert max(u.depth for u in plan.units) >= 4  # group → base unit → section → team
    assert len({p.employee_no for p in plan.people}) == 300
    for p in plan.people:
        assert 2 <= len(p.name) <= 4
        assert len(p.phone) == 11 and p.phone.isdigit() and p.phone.startswith(PHONE_PREFIXES)
        assert phonenumbers.is_valid_number(phonenumbers.parse(p.phone, "CN")), p.phone
        assert p.posts
    assert {p.employee_no for p in plan.people} >= {"admin", "100001"}


def test_group_plan_matches_the_seed_document():
    plan = demo.plan("group", 1)
    counts = plan.counts()
    assert counts["people"] == 21_000
    assert counts["base_units"] == 30
    assert counts["representatives"] == 1_874
    first_mine = [c for c in plan.constituencies if c.unit == "G01" or c.unit.startswith("G01-")]
    assert sum(len(c.representatives) for c in first_mine) == 207
    kinds = [u.kind for u in plan.units if u.depth == 2]
    assert kinds.count(UnitKind.MINE) == 12
    assert kinds.count(UnitKind.PLANT) == 2
    assert kinds.count(UnitKind.PROJECT) == 2


@pytest.mark.django_db
def test_load_small_scale():
    counts = demo.seed("small", 1)
    assert counts["people"] == Person.objects.count() == 300
    assert counts["units"] == Unit.objects.count()
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert Unit.objects.get(depth=1).code == "G"
    assert Unit.objects.filter(depth=4, kind=UnitKind.TEAM).exists()

    # the unit tree is what treebeard itself would have built: children sorted by code
    g01 = Unit.objects.get(code="G01")
    children = [u.code for u in Unit.objects.get_children(g01)]
    assert children == sorted(children) and len(children) >= 2
    assert Unit.objects.get_parent(g01).code == "G"

    # search text is set although save() was bypassed
    person = Person.objects.get(employee_no="100001")
    assert person.search_text == f"{person.name} 100001"

    # every representative is a member of the constituency they represent and a representative of their unit
    through = Constituency.representatives.through
    links = list(
        through.objects.values_list(
            "constituency_id", "person__constituency_id", "person_id", "person__unit_id"
        )
    )
    assert len(links) == counts["representatives"]
    assert all(c == member_of for c, member_of, _p, _u in links)
    rep_roles = set(
        RoleAssignment.objects.filter(role=Role.REPRESENTATIVE).values_list("person_id", "unit_id")
    )
    assert rep_roles == {(p, u) for _c, _m, p, u in links}
    assert not Constituency.objects.filter(representatives__isnull=True).exists()

    # one ledger entry for the whole load
    entry = AuditEntry.objects.get(action="org.seed_demo")
    assert entry.change["counts"]["people"] == 300

    # one login per role, each can log in with the shared password
    logins = demo.demo_logins()
    assert [role for role, *_ in logins] == [str(r) for r in demo.LOGIN_ROLES]
    request = RequestFactory().post("/")
    for role, employee_no, name, _unit in logins:
        user = authenticate(request=request, username=employee_no, password=demo.PASSWORD)
        assert user is not None and user.name == name, role
        if role != Role.EMPLOYEE:
            assert RoleAssignment.objects.filter(person=user, role=role).exists(), role
        else:
            assert not user.roles.exists()
    mine_officer = next(no for role, no, *_ in logins if role == Role.DISCLOSURE_OFFICER)
    assert RoleAssignment.objects.get(
        person__employee_no=mine_officer, role=Role.DISCLOSURE_OFFICER
    ).unit.kind == (UnitKind.MINE)
    assert RoleAssignment.objects.filter(person__employee_no="admin", role=Role.ADMIN, unit__depth=1).exists()

    # the same seed gives the same logins as the plan's employee numbers
    plan_numbers = {p.employee_no for p in demo.plan("small", 1).people}
    assert {no for _r, no, *_ in logins} <= plan_numbers


@pytest.mark.django_db
def test_seed_demo_command_if_empty_and_refusal(capsys):
    call_command("seed_demo", scale="small", seed=3)
    assert "300 people" in capsys.readouterr().out
    call_command("seed_demo", scale="small", seed=3, if_empty=True)
    assert "already has data" in capsys.readouterr().out
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_demo", scale="small", seed=3)
    assert Person.objects.count() == 300
    call_command("demo_logins")
    out = capsys.readouterr().out
    assert "admin" in out and demo.PASSWORD in out
