"""Fixtures of the suggestion tests, on top of the shared tree (see gongkai/conftest.py):

集团公司 (G)                     diana: union on G
├── 一矿 (MA)                    uma: union on MA; pete, paula: members of 一矿技术委员会 (the `panel`)
│   └── 综采一区 (MA1)            alice: employee (lead author); amy: employee (co-author)
└── 二矿 (MB)
    └── 掘进一区 (MB1)            bob: employee

`make_suggestion` writes a suggestion directly in the tables (test set-up only; the product goes through the
actions) in any status, with its submission date and answer deadline.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongkai.conftest import _person
from gongkai.core.choices import Role
from gongkai.core.text import search_key
from gongkai.org.models import RoleAssignment
from gongkai.suggestions.choices import Category, Consent, Status
from gongkai.suggestions.models import Coauthor, ReviewPanel, Suggestion


@pytest.fixture(autouse=True)
def _in_english(english):
    """The suggestion tests match English messages: pages and actions speak English here."""


@pytest.fixture
def uma(tree):
    p = _person("A800", "乌玛", tree["MA"])
    RoleAssignment.objects.create(person=p, unit=tree["MA"], role=Role.UNION, title="工会主席")
    return p


@pytest.fixture
def amy(tree):
    return _person("A002", "艾米", tree["MA1"])


@pytest.fixture
def pete(tree):
    return _person("A301", "皮特", tree["MA"], posts="高级工程师")


@pytest.fixture
def paula(tree):
    return _person("A302", "葆拉", tree["MA"], posts="总工程师")


@pytest.fixture
def panel(tree, pete, paula):
    p = ReviewPanel.objects.create(unit=tree["MA"], name="一矿技术委员会")
    p.members.set([pete, paula])
    return p


def make_suggestion(
    author,
    *,
    status=Status.SUBMITTED,
    title="综采工作面液压支架快速移架改进",
    problem="移架速度慢，影响推进。",
    proposal="加装快速移架阀组，优化操作顺序。",
    category=Category.TECHNICAL,
    coauthors=(),
    submitted=None,
    panel=None,
    is_major=False,
) -> Suggestion:
    submitted = submitted or timezone.now() - dt.timedelta(days=3)
    s = Suggestion.objects.create(
        unit=author.unit,
        author=author,
        category=category,
        title=title,
        problem=problem,
        proposal=proposal,
        status=status,
        is_major=is_major,
        search_text=search_key(f"{title} {problem} {proposal}"),
        submitted_at=None if status == Status.DRAFT else submitted,
        answer_due_on=None if status == Status.DRAFT else (submitted + dt.timedelta(days=61)).date(),
        panel=panel,
    )
    for person in coauthors:
        Coauthor.objects.create(
            suggestion=s,
            person=person,
            consent=Consent.INVITED if status == Status.DRAFT else Consent.CONFIRMED,
            responded_at=None if status == Status.DRAFT else submitted,
        )
    return s
