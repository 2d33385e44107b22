"""Shared fixtures: a small tree with two sibling mines, and named people in each.

    集团公司 (G)                 diana: union chair on G; root: superuser
    ├── 一矿 (MA) ── 综采一区 (MA1)   alice: employee in MA1; charlie: admin of MA
    └── 二矿 (MB) ── 掘进一区 (MB1)   bob: employee in MB1

Every scope test has someone who must *not* see the thing: alice and bob are in sibling subtrees.
"""

import pytest

from gongkai.core.choices import Role
from gongkai.org.models import Person, RoleAssignment, Unit

PASSWORD = "correct-horse-battery"  # noqa: S105


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow (it is the production hasher, see settings.PASSWORD_HASHERS and
    org/tests/test_security.py); tests hash passwords with MD5 so that a person fixture costs microseconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    g = Unit.objects.add_root({"code": "G", "name": "集团公司", "kind": "group"})
    ma = Unit.objects.add_child(g, {"code": "MA", "name": "一矿", "kind": "mine"})
    ma1 = Unit.objects.add_child(
        Unit.objects.get(pk=ma.pk), {"code": "MA1", "name": "综采一区", "kind": "section"}
    )
    mb = Unit.objects.add_child(Unit.objects.get(pk=g.pk), {"code": "MB", "name": "二矿", "kind": "mine"})
    mb1 = Unit.objects.add_child(
        Unit.objects.get(pk=mb.pk), {"code": "MB1", "name": "掘进一区", "kind": "section"}
    )
    return {u.code: u for u in Unit.objects.filter(pk__in=[g.pk, ma.pk, ma1.pk, mb.pk, mb1.pk])}


def _person(employee_no, name, unit, **extra):
    p = Person(employee_no=employee_no, name=name, unit=unit, **extra)
    p.set_password(PASSWORD)
    p.save()
    return p


@pytest.fixture
def alice(tree):
    return _person("A001", "艾丽丝", tree["MA1"])


@pytest.fixture
def bob(tree):
    return _person("B001", "鲍勃", tree["MB1"])


@pytest.fixture
def charlie(tree):
    p = _person("A900", "查理", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.ADMIN)
    return p


@pytest.fixture
def diana(tree):
    p = _person("G100", "戴安娜", tree["G"])
    RoleAssignment.objects.create(person=p, unit=tree["G"], role=Role.UNION, title="工会主席")
    return p


@pytest.fixture
def root(tree):
    return _person("root", "管理员", tree["G"], is_superuser=True, is_staff=True)


@pytest.fixture
def english(settings):
    """Run a test in English (for tests that match English messages): pages and actions alike."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
