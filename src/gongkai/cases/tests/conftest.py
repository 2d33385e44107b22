"""Fixtures of the case tests, on top of the shared tree (see gongkai/conftest.py):

集团公司 (G)                                   diana: union on G
├── 一矿 (MA)                                  uma: union on MA
│   ├── 综采一区 (MA1)                          alice: employee
│   └── 一矿人力资源部 (MAHR)                    hank: handler on MAHR; hugo: works in MAHR
└── 二矿 (MB)
    ├── 掘进一区 (MB1)                          bob: employee
    └── 二矿人力资源部 (MBHR)                    henri: handler on MBHR

`today` pins the date to Friday 25 September 2026, a week before the National Day holiday (1–7 October).
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from gongkai.cases import actions
from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.org.models import RoleAssignment, Unit

TODAY = dt.date(2026, 9, 25)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def depts(tree):
    ma = Unit.objects.get(pk=tree["MA"].pk)
    mahr = Unit.objects.add_child(ma, {"code": "MAHR", "name": "一矿人力资源部", "kind": "department"})
    mb = Unit.objects.get(pk=tree["MB"].pk)
    mbhr = Unit.objects.add_child(mb, {"code": "MBHR", "name": "二矿人力资源部", "kind": "department"})
    return {"MAHR": Unit.objects.get(pk=mahr.pk), "MBHR": Unit.objects.get(pk=mbhr.pk)}


@pytest.fixture
def uma(tree):
    p = _person("A300", "乌玛", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.UNION)
    return p


@pytest.fixture
def hank(depts):
    p = _person("A400", "汉克", depts["MAHR"])
    RoleAssignment.objects.create(person=p, unit=depts["MAHR"], role=Role.HANDLER)
    return p


@pytest.fixture
def hugo(depts):
    return _person("A401", "雨果", depts["MAHR"])


@pytest.fixture
def henri(depts):
    p = _person("B400", "亨利", depts["MBHR"])
    RoleAssignment.objects.create(person=p, unit=depts["MBHR"], role=Role.HANDLER)
    return p


@pytest.fixture
def raised(alice, tree):
    """A case alice raised in her section."""
    return actions.raise_case(
        actor=alice, unit=tree["MA1"], title="澡堂热水不足", text="夜班下井后澡堂经常没有热水。"
    ).case


@pytest.fixture
def assigned(raised, uma, depts, hank, hugo, today):
    """alice's case, accepted and assigned by uma to MAHR: hank handles, hugo helps."""
    actions.accept(raised, actor=uma)
    return actions.assign(raised, actor=uma, handling_unit=depts["MAHR"], handler=hank, co_handlers=[hugo])
