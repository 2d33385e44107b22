"""Organisation actions: each checks the actor's role, changes state in one transaction, and is audited."""

import pytest
from django.core.exceptions import ValidationError

from gongkai.core.access import AccessDenied, get_scope
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry
from gongkai.org import actions
from gongkai.org.models import Person, RoleAssignment, Unit


def test_moving_a_unit_moves_its_subtree(tree, root):
    team = actions.create_unit(actor=root, parent=tree["MA1"], code="MA1-T1", name="一班", kind="team")
    actions.move_unit(actor=root, unit=Unit.objects.get(code="MA1"), new_parent=Unit.objects.get(code="MB"))
    section = Unit.objects.get(code="MA1")
    team.refresh_from_db()
    assert Unit.objects.get_parent(section).code == "MB"
    assert team.path.startswith(section.path)
    assert Unit.objects.get_parent(team).code == "MA1"
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert AuditEntry.objects.filter(action="org.move_unit").count() == 1


def test_moving_a_unit_into_its_own_subtree_is_refused(tree, root):
    with pytest.raises(ValidationError):
        actions.move_unit(
            actor=root, unit=Unit.objects.get(code="MA"), new_parent=Unit.objects.get(code="MA1")
        )
    assert Unit.objects.get_parent(Unit.objects.get(code="MA1")).code == "MA"


def test_mine_admin_cannot_create_people_in_the_sibling_mine(tree, charlie):
    with pytest.raises(AccessDenied):
        actions.create_person(actor=charlie, unit=tree["MB1"], employee_no="X1", name="越权")
    assert not Person.objects.filter(employee_no="X1").exists()
    assert not AuditEntry.objects.filter(action="org.create_person").exists()


def test_grant_role_is_audited_and_takes_effect(tree, alice, charlie):
    actions.grant_role(actor=charlie, person=alice, unit=tree["MA1"], role=Role.HANDLER)
    assert get_scope(Person.objects.get(pk=alice.pk)).has_role(Role.HANDLER, tree["MA1"].path)
    entry = AuditEntry.objects.get(action="org.grant_role")
    assert entry.actor_id == charlie.pk and entry.change["role"] == "handler"


def test_grant_role_twice_is_refused_and_writes_nothing(tree, alice, charlie):
    actions.grant_role(actor=charlie, person=alice, unit=tree["MA1"], role=Role.HANDLER)
    with pytest.raises(ValidationError):
        actions.grant_role(actor=charlie, person=alice, unit=tree["MA1"], role=Role.HANDLER)
    assert RoleAssignment.objects.filter(person=alice).count() == 1
    assert AuditEntry.objects.filter(action="org.grant_role").count() == 1


def test_deactivation_keeps_the_person(tree, alice, charlie):
    actions.set_person_active(actor=charlie, person=alice, active=False, reason="调离")
    alice.refresh_from_db()
    assert alice.is_active is False
    assert Person.objects.filter(pk=alice.pk).exists()


def test_constituency_members_must_belong_to_its_unit(tree, alice, bob, charlie):
    c = actions.create_constituency(actor=charlie, unit=tree["MA"], code="XQ-MA-1", name="一矿第一选区")
    with pytest.raises(ValidationError):
        actions.set_constituency_members(
            actor=charlie, constituency=c, members=[alice, bob], representatives=[alice]
        )
    actions.set_constituency_members(actor=charlie, constituency=c, members=[alice], representatives=[alice])
    assert list(c.representatives.all()) == [alice]
    alice.refresh_from_db()
    assert alice.constituency_id == c.pk


def test_every_action_leaves_a_verifiable_ledger(tree, alice, charlie):
    from gongkai.core import ledger

    actions.grant_role(actor=charlie, person=alice, unit=tree["MA1"], role=Role.HANDLER)
    actions.update_person(actor=charlie, person=alice, phone="13800138000")
    assert ledger.verify().ok
