"""The disclosure demo (small scale): realistic rates, a log that verifies, a ledger that verifies, a board that
shows, topic requests and boards — and the same data for the same seed."""

import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from gongkai.core import ledger, tlog
from gongkai.core.models import AuditEntry
from gongkai.disclosures import demo, queries, topic_queries
from gongkai.disclosures.choices import BoardLevel, Status
from gongkai.disclosures.compliance import compliance_state
from gongkai.disclosures.models import Board, Disclosure, DisclosureVersion, Question, ScheduleEntry
from gongkai.org import demo as org_demo
from gongkai.org.models import Person


@pytest.fixture
def log_key(settings, tmp_path):
    settings.GONGKAI_LOG_KEY_FILE = tmp_path / "keys" / "log.pem"


@pytest.fixture
def loaded(db, log_key):
    org_demo.seed("small", 1)
    return demo.load("small", 1)


def test_compliance_rates_are_roughly_as_intended(loaded):
    today = timezone.localdate()
    states = dict(
        ScheduleEntry.objects.filter(due_date__lt=today)
        .annotate(state=compliance_state(today))
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    due = sum(states.values())
    assert due > 500
    assert 0.80 <= states.get("on_time", 0) / due <= 0.93
    assert 0.05 <= states.get("late", 0) / due <= 0.14
    assert 0.02 <= states.get("missing", 0) / due <= 0.10
    assert ScheduleEntry.objects.filter(disclosure__isnull=False, published_on__isnull=True).count() == 0


def test_every_published_version_is_in_the_log_and_the_log_verifies(loaded, capsys):
    assert loaded["log_leaves"] == DisclosureVersion.objects.count() == loaded["versions"]
    call_command("verify_log")  # raises CommandError on any problem
    assert "log ok" in capsys.readouterr().out
    head = tlog.latest_tree_head()
    assert head is not None and head.tree_size == loaded["log_leaves"]


def test_the_ledger_verifies_and_records_the_load(loaded):
    assert ledger.verify().ok
    entry = AuditEntry.objects.get(action="disclosures.seed_demo")
    assert entry.change["counts"] == loaded


def test_corrections_withdrawal_and_questions(loaded):
    corrected = DisclosureVersion.objects.filter(number=2)
    assert corrected.count() >= 3
    assert all(v.reason for v in corrected)
    for v in corrected.select_related("disclosure"):
        assert v.disclosure.current_version_id == v.pk
    withdrawn = Disclosure.objects.get(status=Status.WITHDRAWN)
    assert not withdrawn.is_public and withdrawn.withdrawn_reason
    assert Question.objects.filter(answered_at__isnull=False).exists()
    assert Question.objects.filter(answered_at__isnull=True).exists() or loaded["questions"] < 10


def test_topic_requests_in_every_state(loaded, settings):
    admin = Person.objects.get(employee_no=org_demo.ADMIN_NO)
    counts = topic_queries.state_counts(admin)
    assert counts["overdue"] >= 1
    assert counts["open"] > counts["overdue"]
    assert counts["published"] == 1 and counts["declined"] >= 1
    answered = topic_queries.topics(admin, state="published").get()
    assert Disclosure.objects.filter(topic_request=answered, is_public=True).exists()
    for t in topic_queries.topics(admin):  # backdated: the deadline follows from when it was proposed
        assert t.deadline == timezone.localdate(t.created_at) + dt.timedelta(
            days=settings.GONGKAI_TOPIC_ANSWER_DAYS
        )
        assert t.second_count == t.seconds.count() > 0


def test_boards_register_is_scaled_on_the_seed_group(loaded):
    assert Board.objects.count() == round(675 * 7 / 30)
    assert Board.objects.filter(level=BoardLevel.COMPANY).count() == round(79 * 7 / 30)
    assert Board.objects.filter(last_updated__isnull=False).count() > Board.objects.count() * 0.9


def test_a_demo_employee_sees_disclosures_on_the_board(client, loaded):
    employee_no = next(no for role, no, _n, _u in org_demo.demo_logins() if role == "employee")
    employee = Person.objects.get(employee_no=employee_no)
    board = queries.board(employee)
    assert board.count() > 20
    newest = board.first()
    client.force_login(employee)
    response = client.get(reverse("disclosures:board"))
    assert response.status_code == 200
    assert newest.title in response.content.decode()
    assert board.filter(unread=True).exists() and board.filter(unread=False).exists()


def _digest() -> str:
    h = hashlib.sha256()
    for row in DisclosureVersion.objects.order_by("published_at", "number", "title").values_list(
        "title", "body", "reason", "unit_code", "period", "published_at"
    ):
        h.update(repr(row).encode())
    for row in Board.objects.order_by("number").values_list("number", "location", "level", "last_updated"):
        h.update(repr(row).encode())
    return h.hexdigest()


class _Rollback(Exception):
    pass


def test_the_same_seed_gives_the_same_data(db, log_key):
    digests = []
    for _ in range(2):
        try:
            with transaction.atomic():
                org_demo.seed("small", 3)
                demo.load("small", 3)
                digests.append(_digest())
                raise _Rollback
        except _Rollback:
            pass
    assert digests[0] == digests[1]
