"""The case demo (small scale): the seed document's figures scaled to the group, lifecycles that hold together,
realistic reply times and satisfaction, one ledger entry, a bulk load, the same data for the same seed."""

import datetime as dt
import hashlib

import pytest
from django.db import connection, transaction
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from gongkai.cases import demo, queries
from gongkai.cases.choices import OPEN_STATUSES, CaseStatus, MotionDecision, Satisfaction, SourceKind
from gongkai.cases.models import (
    Case,
    CaseEvent,
    ConsultationDesk,
    FaqEntry,
    Inspection,
    Motion,
    MotionSignature,
    ReceptionDay,
)
from gongkai.core import demo as demo_hooks
from gongkai.core import ledger
from gongkai.core.models import AuditEntry
from gongkai.org import demo as org_demo
from gongkai.org.models import Person

TODAY = dt.date(2026, 9, 25)
MONTH = dt.date(2026, 8, 1)  # the promotion month: the month before


def _scaled(n: int) -> int:
    return round(n * 7 / 30)  # the small group has 7 base units, the seed's 30


@pytest.fixture
def loaded(db):
    org_demo.seed("small", 1)
    with CaptureQueriesContext(connection) as ctx:
        counts = demo.load("small", 1, today=TODAY)
    counts["_queries"] = len(ctx.captured_queries)
    return counts


def test_the_loader_is_registered():
    assert demo.load_demo in demo_hooks._loaders


def test_the_promotion_month_has_the_seed_figures(loaded):
    days = ReceptionDay.objects.filter(date__year=2026, date__month=8)
    assert days.count() == _scaled(63)
    assert sum(days.values_list("people_received", flat=True)) == _scaled(628)
    assert Case.objects.filter(reception__in=days).count() == _scaled(298)
    visits = Inspection.objects.filter(start_date__year=2026, start_date__month=8)
    assert visits.count() == Inspection.objects.count() == _scaled(43)
    assert Inspection.representatives.through.objects.count() == _scaled(410)
    assert Case.objects.filter(source=SourceKind.INSPECTION).count() == _scaled(237)
    entry = AuditEntry.objects.get(action="cases.seed_demo")
    assert entry.change["promotion_month_receptions"] == {
        "sessions": _scaled(63),
        "people": _scaled(628),
        "issues": _scaled(298),
    }


def test_reception_days_on_the_25th_for_a_year(loaded):
    assert set(ReceptionDay.objects.values_list("date__day", flat=True)) == {25}
    months = ReceptionDay.objects.values("date__year", "date__month").distinct().count()
    assert months == 12
    assert not ReceptionDay.objects.filter(date__gte=TODAY, people_received__gt=0).exists()
    assert all(d.leaders.exists() for d in ReceptionDay.objects.all()[:20])


def test_every_source_is_there(loaded):
    sources = set(Case.objects.values_list("source", flat=True))
    assert {
        SourceKind.RECEPTION,
        SourceKind.INSPECTION,
        SourceKind.CONSULTATION,
        SourceKind.MOTION,
    } <= sources
    assert ConsultationDesk.objects.count() == loaded["consultation_desks"] > 0
    assert FaqEntry.objects.count() == loaded["faq_entries"] > 0
    assert set(Motion.objects.values_list("decision", flat=True)) >= {MotionDecision.ACCEPTED}
    assert not Motion.objects.filter(decision=MotionDecision.RETURNED, decision_reason="").exists()
    assert (
        MotionSignature.objects.exclude(person=F("motion__proposer")).count()
        == MotionSignature.objects.count()
    )
    accepted = Motion.objects.filter(decision=MotionDecision.ACCEPTED).count()
    assert Case.objects.filter(source=SourceKind.MOTION).count() == accepted


def test_lifecycles_hold_together(loaded):
    assert not Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=True).exists()
    assert not Case.objects.filter(replied_at__isnull=False, replied_at__lt=F("created_at")).exists()
    assert not Case.objects.filter(status__in=OPEN_STATUSES[2:], handler__isnull=True).exists()
    assert not Case.objects.filter(is_anonymous=False, raiser__isnull=True).exists()
    assert not Case.objects.filter(created_at__date__gte=TODAY).exists()
    assert not CaseEvent.objects.filter(at__date__gte=TODAY).exists()
    per_case = dict(Case.objects.annotate(n=Count("events")).values_list("pk", "n"))
    assert min(per_case.values()) >= 1
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    for status in (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS, CaseStatus.REPLIED):
        assert statuses.get(status, 0) > 0, status


def test_reply_times_and_satisfaction_are_realistic(loaded):
    replied = Case.objects.filter(replied_at__isnull=False)
    days = [(r - c).days for c, r in replied.values_list("created_at", "replied_at")]
    assert len(days) > 100
    assert 7 <= sorted(days)[len(days) // 2] <= 35  # median: two to four weeks
    rated = Case.objects.exclude(satisfaction="")
    good = rated.filter(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]).count()
    assert 0.88 <= good / rated.count() <= 0.99
    overdue = Case.objects.filter(status__in=OPEN_STATUSES, due_date__lt=TODAY)
    assert overdue.exists()


def test_one_summary_entry_in_the_ledger_and_a_bulk_load(loaded):
    assert AuditEntry.objects.filter(action__startswith="cases.").count() == 1
    entry = AuditEntry.objects.get(action="cases.seed_demo")
    assert entry.change["counts"]["cases"] == Case.objects.count() == loaded["cases"]
    assert ledger.verify().ok
    assert loaded["_queries"] < 80  # a few statements per table, not one per row
    assert CaseEvent.objects.count() == loaded["case_events"] > 3 * loaded["cases"]


def test_a_handler_and_the_union_see_demo_cases(loaded):
    handler = (
        Person.objects.filter(handled_cases__status=CaseStatus.IN_PROGRESS).distinct().order_by("pk").first()
    )
    assert handler is not None and queries.handler_queue(handler).exists()
    admin = Person.objects.get(employee_no=org_demo.ADMIN_NO)
    assert queries.managed_cases(admin).count() == Case.objects.count()


def _shape() -> str:
    """The data, without ids (a second load gets new ones)."""
    rows = Case.objects.order_by("pk").values_list(
        "title", "status", "unit_id", "raiser_id", "handler_id", "due_date", "created_at", "satisfaction"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_same_seed_same_data(db):
    org_demo.seed("small", 1)
    with transaction.atomic():  # the timeline is append-only: roll the first load back instead of deleting it
        demo.load("small", 1, today=TODAY)
        first = _shape()
        transaction.set_rollback(True)
    assert not Case.objects.exists()
    demo.load("small", 1, today=TODAY)
    assert _shape() == first
