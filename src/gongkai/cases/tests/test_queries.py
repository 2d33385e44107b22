"""Scoped reads: the raiser sees their cases, handlers their queue, the union the cases of its units — and the
people of the sibling mine see none of them."""

import datetime as dt

import pytest

from gongkai.cases import actions, queries
from gongkai.cases.models import Case


def test_the_raiser_sees_their_cases_and_bob_does_not(raised, alice, bob):
    assert list(queries.my_cases(alice)) == [raised]
    assert list(queries.my_cases(bob)) == []
    assert queries.case_for(alice, raised.pk) == raised
    with pytest.raises(Case.DoesNotExist):
        queries.case_for(bob, raised.pk)


def test_anonymous_cases_are_nobodys_own(alice, tree):
    actions.raise_case(actor=alice, unit=tree["MA1"], title="匿名", text="……", anonymous=True)
    assert list(queries.my_cases(alice)) == []


def test_the_handler_queue_is_sorted_by_due_date(assigned, alice, uma, depts, hank, hugo, henri, tree, today):
    other = actions.raise_case(actor=alice, unit=tree["MA1"], title="第二件", text="……").case
    actions.accept(other, actor=uma)
    actions.assign(other, actor=uma, handling_unit=depts["MAHR"], handler=hank, due_date=dt.date(2026, 10, 9))
    assert list(queries.handler_queue(hank)) == [other, assigned]
    assert list(queries.handler_queue(hugo)) == [assigned]  # a co-handler of the first only
    assert list(queries.handler_queue(henri)) == []
    assert queries.case_for(hugo, assigned.pk) == assigned
    with pytest.raises(Case.DoesNotExist):
        queries.case_for(henri, assigned.pk)


def test_the_union_sees_the_cases_of_its_units(raised, uma, diana, bob, tree):
    from gongkai.conftest import _person
    from gongkai.core.choices import Role
    from gongkai.org.models import RoleAssignment

    ursula = _person("B300", "乌苏拉", tree["MB"])
    RoleAssignment.objects.create(person=ursula, unit=tree["MB"], role=Role.UNION)
    assert list(queries.managed_cases(uma)) == [raised]
    assert list(queries.managed_cases(diana)) == [raised]
    assert list(queries.managed_cases(ursula)) == []
    assert list(queries.managed_cases(bob)) == []


def test_overdue_cases_come_first(assigned, raised, alice, uma, tree, monkeypatch):
    from django.utils import timezone

    fresh = actions.raise_case(actor=alice, unit=tree["MA1"], title="新的", text="……").case
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: assigned.due_date + dt.timedelta(days=1))
    ordered = list(queries.managed_cases(uma, open_only=True))
    assert ordered[0] == assigned and ordered[0].urgency == 0 and fresh in ordered


def test_the_timeline_for_the_raiser(assigned):
    assert [e.kind for e in queries.timeline(assigned)] == ["raised", "accepted", "assigned"]
