"""Fixtures of the disclosure tests, on top of the shared tree (see gongkai/conftest.py):

集团公司 (G)                         gina: leading group on G
├── 一矿 (MA) ── 综采一区 (MA1)       olga: disclosure officer on MA; leo: leading group on MA; alice: employee in MA1
└── 二矿 (MB) ── 掘进一区 (MB1)       bob: employee in MB1
"""

import pytest

from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.disclosures.choices import Form, Frequency
from gongkai.disclosures.models import CatalogItem, Category
from gongkai.org.models import RoleAssignment


@pytest.fixture
def olga(tree):
    p = _person("A100", "欧尔佳", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.DISCLOSURE_OFFICER)
    return p


@pytest.fixture
def leo(tree):
    p = _person("A200", "李奥", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.LEADING_GROUP)
    return p


@pytest.fixture
def gina(tree):
    p = _person("G200", "吉娜", tree["G"])
    RoleAssignment.objects.create(person=p, unit=tree["G"], role=Role.LEADING_GROUP)
    return p


@pytest.fixture
def wages(db):
    """A category and a monthly item that mines must disclose within 10 days of the month's end."""
    cat = Category.objects.create(code="C03", name="职工切身利益", order=3)
    item = CatalogItem.objects.create(
        category=cat,
        code="C03-01",
        title="工资奖金分配",
        unit_kinds=["mine"],
        frequency=Frequency.MONTHLY,
        forms=[Form.WEB, Form.BOARD],
        due_days=10,
    )
    return item
