"""Fixtures of the rating tests, on top of the shared tree (see gongkai/conftest.py):

集团公司 (G)                     diana: union on G
├── 一矿 (MA)                    uma: union on MA; lily: liaison (no role, named on rounds)
│   └── 综采一区 (MA1)            constituency C1: representatives rita, ravi; members alice, vic, vera, rita, ravi
└── 二矿 (MB)
    └── 掘进一区 (MB1)            constituency C2: representative rob; members bob, rob

`make_round` builds a round directly in the tables (test set-up only; the product goes through the actions): its
rated people are the representatives of the given constituencies, its electors their members, and it is open
from an hour ago until tomorrow unless told otherwise.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.org.models import Constituency, Person, RoleAssignment
from gongkai.ratings.choices import RoundKind, RoundStatus, Scale
from gongkai.ratings.models import Elector, RatedPerson, Round


@pytest.fixture
def uma(tree):
    p = _person("A800", "乌玛", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.UNION, title="工会主席")
    return p


@pytest.fixture
def lily(tree):
    return _person("A700", "莉莉", tree["MA"])


@pytest.fixture
def constituencies(tree, alice, bob):
    c1 = Constituency.objects.create(code="C1", name="综采一区选区", unit=tree["MA1"])
    c2 = Constituency.objects.create(code="C2", name="掘进一区选区", unit=tree["MB1"])
    rita = _person("A101", "丽塔", tree["MA1"], constituency=c1)
    ravi = _person("A102", "拉维", tree["MA1"], constituency=c1)
    vic = _person("A103", "维克", tree["MA1"], constituency=c1)
    vera = _person("A104", "薇拉", tree["MA1"], constituency=c1)
    rob = _person("B101", "罗伯", tree["MB1"], constituency=c2)
    Person.objects.filter(pk__in=[alice.pk]).update(constituency=c1)
    Person.objects.filter(pk__in=[bob.pk]).update(constituency=c2)
    alice.refresh_from_db()
    bob.refresh_from_db()
    c1.representatives.set([rita, ravi])
    c2.representatives.set([rob])
    for p in (rita, ravi, rob):
        RoleAssignment.objects.create(person=p, unit=p.unit, role=Role.REPRESENTATIVE)
    return {"C1": c1, "C2": c2, "rita": rita, "ravi": ravi, "vic": vic, "vera": vera, "rob": rob}


def make_round(
    unit,
    creator,
    constituencies,
    *,
    status=RoundStatus.OPEN,
    scale=Scale.FITNESS,
    kind=RoundKind.DUTY_RATING,
    opens_at=None,
    closes_at=None,
    title="2026年职工代表述职测评",
) -> Round:
    now = timezone.now()
    round_ = Round.objects.create(
        unit=unit,
        title=title,
        kind=kind,
        scale=scale,
        year=2026,
        opens_at=opens_at or now - dt.timedelta(hours=1),
        closes_at=closes_at or now + dt.timedelta(days=1),
        status=status,
        created_by=creator,
        opened_at=now if status != RoundStatus.DRAFT else None,
    )
    position = 0
    for c in constituencies:
        for rep in c.representatives.order_by("employee_no"):
            position += 1
            RatedPerson.objects.create(
                round=round_,
                person=rep,
                constituency=c,
                position=position,
                report=f"{rep.name}的述职报告",
                report_published_at=now,
            )
        if status != RoundStatus.DRAFT:
            Elector.objects.bulk_create(
                Elector(round=round_, person=p, constituency=c) for p in c.members.filter(is_active=True)
            )
    return round_


@pytest.fixture
def open_round(tree, uma, constituencies):
    """A duty rating of 一矿 over constituency C1 (rita and ravi rated; alice, vic, vera, rita, ravi vote)."""
    return make_round(tree["MA"], uma, [constituencies["C1"]])


def ballot_for(round_: Round, elector_person, level: str = "fit") -> dict:
    """A complete ballot for the person's list: every person on it rated `level`."""
    from gongkai.ratings.ballot_actions import ballot_list

    elector = Elector.objects.get(round=round_, person=elector_person)
    return {str(r.pk): level for r in ballot_list(round_, elector.constituency_id)}
