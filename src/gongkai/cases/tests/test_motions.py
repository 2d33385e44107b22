"""Congress motions: drafted by a representative, co-signed until a deadline (once each, never one's own),
accepted by the committee as a case or returned with a reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.cases import actions, motion_actions
from gongkai.cases.choices import CaseStatus, MotionDecision, SourceKind
from gongkai.cases.models import Case, MotionSignature
from gongkai.conftest import _person
from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.org.models import RoleAssignment


def representative(code, name, unit):
    p = _person(code, name, unit)
    RoleAssignment.objects.create(person=p, unit=unit, role=Role.REPRESENTATIVE)
    return p


@pytest.fixture
def reps(tree):
    return [representative(f"R{i}", f"代表{i}", tree["MA"]) for i in range(3)]


@pytest.fixture
def motion(reps, tree, today):
    return motion_actions.draft_motion(
        actor=reps[0],
        unit=tree["MA"],
        title="关于提高井下津贴的提案",
        text="建议井下津贴每班提高10元。",
        signing_deadline=today + dt.timedelta(days=7),
    )


def test_co_sign_once_and_never_ones_own(motion, reps, english):
    motion_actions.co_sign(motion, actor=reps[1])
    with pytest.raises(ValidationError, match="already co-signed"):
        motion_actions.co_sign(motion, actor=reps[1])
    with pytest.raises(ValidationError, match="others co-sign it"):
        motion_actions.co_sign(motion, actor=reps[0])
    assert MotionSignature.objects.filter(motion=motion).count() == 1


def test_only_representatives_co_sign(motion, alice):
    with pytest.raises(AccessDenied):
        motion_actions.co_sign(motion, actor=alice)


def test_accepted_motion_opens_a_case_for_the_proposer(motion, reps, uma, monkeypatch, english):
    from django.utils import timezone

    motion_actions.co_sign(motion, actor=reps[1])
    with pytest.raises(ValidationError, match="Co-signing is open"):
        motion_actions.decide_motion(motion, actor=uma, accept=True)
    after = motion.signing_deadline + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    with pytest.raises(ValidationError, match="Co-signing closed"):
        motion_actions.co_sign(motion, actor=reps[2])
    case = motion_actions.decide_motion(motion, actor=uma, accept=True)
    motion.refresh_from_db()
    assert motion.decision == MotionDecision.ACCEPTED
    assert case.source == SourceKind.MOTION and case.motion == motion and case.raiser == reps[0]
    assert case.status == CaseStatus.ACCEPTED
    with pytest.raises(ValidationError, match="already decided"):
        motion_actions.decide_motion(motion, actor=uma, accept=False, reason="重复")


def test_a_returned_motion_needs_a_reason(motion, uma, monkeypatch, english):
    from django.utils import timezone

    after = motion.signing_deadline + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    with pytest.raises(ValidationError, match="reason is required"):
        motion_actions.decide_motion(motion, actor=uma, accept=False)
    assert motion_actions.decide_motion(motion, actor=uma, accept=False, reason="不属于职代会职权") is None
    motion.refresh_from_db()
    assert motion.decision == MotionDecision.RETURNED and not Case.objects.exists()


def test_the_motion_case_follows_the_common_lifecycle(motion, uma, depts, hank, monkeypatch):
    from django.utils import timezone

    after = dt.date(2026, 10, 9)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: after)
    case = motion_actions.decide_motion(motion, actor=uma, accept=True)
    case = actions.assign(case, actor=uma, handling_unit=depts["MAHR"], handler=hank)
    assert case.status == CaseStatus.ASSIGNED
