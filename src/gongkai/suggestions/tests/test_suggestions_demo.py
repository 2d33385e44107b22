"""The suggestions demo (small scale): the seed's drive month scaled, lifecycles that hold together, benefits
measured 12 months after implementation, awards by band, near-duplicates, a bulk load, one ledger entry."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from gongkai.core import demo as demo_hooks
from gongkai.core.models import AuditEntry
from gongkai.core.text import search_key
from gongkai.org import demo as org_demo
from gongkai.suggestions import demo
from gongkai.suggestions.choices import (
    ADOPTED_STATUSES,
    AWAITING_ANSWER,
    Consent,
    Decision,
    EventKind,
    Status,
)
from gongkai.suggestions.models import AwardBand, Coauthor, Drive, Review, ReviewPanel, Suggestion

TODAY = dt.date(2026, 9, 25)
MONTH = dt.date(2026, 8, 1)  # the drive month: the month before


@pytest.fixture
def loaded(db):
    org_demo.seed("small", 1)
    with CaptureQueriesContext(connection) as ctx:
        counts = demo.load("small", 1, today=TODAY, build_index=False)
    counts["_queries"] = len(ctx.captured_queries)
    return counts


def _change() -> dict:
    entry = AuditEntry.objects.get(action="suggestions.seed_demo")
    return entry.change if isinstance(entry.change, dict) else {}


def test_the_loader_is_registered():
    assert demo.load_demo in demo_hooks._loaders


def test_bulk_load_and_one_ledger_entry(loaded):
    assert loaded["suggestions"] == Suggestion.objects.count() > 50
    assert loaded["_queries"] < 40  # multi-row inserts, never a query per row
    assert AuditEntry.objects.filter(action="suggestions.seed_demo").count() == 1
    assert ReviewPanel.objects.count() == loaded["expert_panels"] >= 5
    assert all(3 <= p.members.count() <= 5 for p in ReviewPanel.objects.all())


def test_the_drive_month_has_the_seed_figures_scaled(loaded):
    factor = 300 / 21_000  # the small group's people
    month = Suggestion.objects.filter(
        submitted_at__date__gte=MONTH, submitted_at__date__lt=dt.date(2026, 9, 1)
    )
    month = month.filter(duplicate_of__isnull=True, drive__isnull=False)
    assert month.count() == round(3221 * factor)
    people = set(month.values_list("author_id", flat=True)) | set(
        Coauthor.objects.filter(suggestion__in=month, consent=Consent.CONFIRMED).values_list(
            "person_id", flat=True
        )
    )
    assert len(people) == round(7409 * factor)
    drives = {d.title: d for d in Drive.objects.annotate(n=Count("suggestions"))}
    assert drives["提合理化建议，创效益新高"].n == round(142 * factor)
    mine = next(d for d in drives.values() if d.title.endswith("安全生产与经营管理合理化建议月"))
    assert mine.n == round(347 * factor)
    assert set(mine.suggestions.values_list("category", flat=True)) <= {
        "safety",
        "going_out",
        "management",
        "disclosure",
    }
    running = [d for d in drives.values() if d.starts_on <= TODAY <= d.ends_on]
    assert len(running) == 1  # authors can pick it on the form today
    assert _change()["drive_month_figures"] == {"suggestions": month.count(), "participants": len(people)}


def test_lifecycles_hold_together(loaded):
    bands = list(AwardBand.objects.order_by("-min_saving"))
    members: dict[int, list[int]] = {}
    for row in ReviewPanel.members.through.objects.values("reviewpanel_id", "person_id"):
        members.setdefault(row["reviewpanel_id"], []).append(row["person_id"])
    statuses = set()
    for s in Suggestion.objects.prefetch_related("events", "reviews", "coauthors"):
        statuses.add(s.status)
        kinds = [e.kind for e in sorted(s.events.all(), key=lambda e: (e.at, e.pk))]
        assert kinds[0] == EventKind.CREATED and EventKind.SUBMITTED in kinds
        assert s.submitted_at is not None and s.submitted_at.date() < TODAY
        assert s.search_text == search_key(f"{s.title} {s.problem} {s.proposal}")
        assert all(c.consent == Consent.CONFIRMED for c in s.coauthors.all())
        assert kinds.count(EventKind.COAUTHOR_CONFIRMED) == len(s.coauthors.all())
        assert kinds.count(EventKind.REVIEWED) == len(s.reviews.all())
        assert s.author_id not in {r.reviewer_id for r in s.reviews.all()}
        answered = s.status not in AWAITING_ANSWER
        assert (s.answered_at is not None) == answered, s.pk
        if s.status in ADOPTED_STATUSES or (s.status == Status.ARCHIVED and s.decision == Decision.ADOPT):
            assert EventKind.ADOPTED in kinds and s.decision == Decision.ADOPT
        if s.net_saving is not None:
            assert s.implemented_on is not None and s.measured_on >= s.implemented_on + dt.timedelta(days=365)
            assert s.net_saving == s.gross_saving - s.cost and s.net_saving > 0
        if s.award_amount is not None:
            band = next(b for b in bands if b.min_saving <= s.net_saving)
            assert s.award_band_id == band.pk and s.award_amount == band.award
        if s.paid_on is not None:
            assert s.paid_on >= s.awarded_on
        if s.duplicate_of_id is not None:
            assert s.status in (Status.REJECTED, Status.ARCHIVED) and EventKind.DUPLICATE in kinds
            assert s.duplicate_of.submitted_at < s.submitted_at
            assert str(s.duplicate_of_id) in s.decision_reason
        if s.decision and s.duplicate_of_id is None:  # the panel concluded: at least half of it scored
            authors = {s.author_id} | {c.person_id for c in s.coauthors.all()}
            eligible = [m for m in members[s.panel_id] if m not in authors]
            assert len(s.reviews.all()) >= (len(eligible) + 1) // 2 >= 1
        if s.status in (Status.SHELVED, Status.REJECTED, Status.NOT_ACCEPTED):
            assert s.decision_reason
    assert {
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.ADOPTED,
        Status.IMPLEMENTING,
        Status.REJECTED,
    } <= statuses
    assert {Status.MEASURED, Status.AWARDED, Status.PAID, Status.ARCHIVED} & statuses
    overdue = Suggestion.objects.filter(status__in=AWAITING_ANSWER, answer_due_on__lt=TODAY)
    assert overdue.exists()
    assert Suggestion.objects.filter(duplicate_of__isnull=False).exists()
    assert Review.objects.exists()


def test_same_seed_same_data(db):
    org_demo.seed("small", 1)

    def digest() -> str:
        rows = Suggestion.objects.order_by("pk").values_list("title", "status", "author_id", "net_saving")
        return hashlib.sha256(repr(list(rows)).encode()).hexdigest()

    with transaction.atomic():
        demo.load("small", 1, today=TODAY, build_index=False)
        first = digest()
        transaction.set_rollback(True)
    demo.load("small", 1, today=TODAY, build_index=False)
    assert digest() == first


def test_demo_logins_and_the_manager_sees_the_figures(loaded, client):
    lines = demo.demo_logins()
    assert len(lines) == 3
    from gongkai.org.models import Person

    manager = Person.objects.get(employee_no=lines[1][1])
    client.force_login(manager)
    page = client.get("/suggestions/stats/?year=2026")
    assert page.status_code == 200
    assert page.context["data"].total.submitted > 0


def test_the_similarity_index_is_built_at_the_end(db, monkeypatch):
    from gongkai.suggestions import similarity

    org_demo.seed("small", 1)
    called = []
    monkeypatch.setattr(similarity, "build_index", lambda: called.append(True))
    counts = demo.load("small", 1, today=TODAY)
    assert called == [True] and "similarity_index_ms" in counts
