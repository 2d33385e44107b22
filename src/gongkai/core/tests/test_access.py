"""The scope object on its own: prefixes, inheritance down the tree, and what must not leak sideways."""

from gongkai.core.access import ROOT, Grant, Scope
from gongkai.core.choices import Role

MINE_A, MINE_A_SECTION, MINE_B = "00010001", "000100010001", "00010002"


def test_role_reaches_the_subtree_but_not_the_sibling():
    scope = Scope(person_id=1, grants=(Grant(Role.UNION, MINE_A),))
    assert scope.has_role(Role.UNION, MINE_A)
    assert scope.has_role(Role.UNION, MINE_A_SECTION)
    assert not scope.has_role(Role.UNION, MINE_B)
    assert not scope.has_role(Role.UNION, "0001")  # not upwards either


def test_a_role_does_not_grant_another_role():
    scope = Scope(person_id=1, grants=(Grant(Role.HANDLER, MINE_A),))
    assert not scope.has_role(Role.UNION, MINE_A)


def test_admin_on_root_reaches_everything():
    scope = Scope(person_id=1, grants=(Grant(Role.ADMIN, ROOT),))
    assert scope.has_role(Role.UNION, MINE_B)
    assert scope.paths(Role.HANDLER) == [ROOT]


def test_paths_are_minimal():
    scope = Scope(person_id=1, grants=(Grant(Role.UNION, MINE_A), Grant(Role.UNION, MINE_A_SECTION)))
    assert scope.paths(Role.UNION) == [MINE_A]


def test_published_to_me_is_own_unit_and_ancestors():
    scope = Scope(person_id=1, home_paths=("0001", MINE_A, MINE_A_SECTION))
    q = scope.published_to_me("unit")
    assert dict(q.children) == {"unit__path__in": ["0001", MINE_A, MINE_A_SECTION]}


def test_nobody_sees_nothing():
    scope = Scope(person_id=None)
    assert not scope.paths(Role.UNION)
    assert str(scope.within("unit", Role.UNION)) == str(scope.published_to_me("unit"))
