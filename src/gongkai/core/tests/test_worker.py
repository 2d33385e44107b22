"""The background worker really runs queued tasks from the database."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from gongkai.core import ledger


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_ledger_check(root, client):
    ledger.record("test.action", object_type="test.thing", object_id="1")
    client.force_login(root)
    assert client.post(reverse("ledger_check")).status_code == 302
    result = DBTaskResult.objects.get(task_path="gongkai.core.tasks.verify_ledger")
    assert result.status == "READY"
    call_command("worker", batch=True, no_startup_delay=True, interval=0.1)
    result.refresh_from_db()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"ok": True, "checked": 1, "bad_seq": None, "reason": ""}
    client.cookies["django_language"] = "en"
    assert "intact (1 entry checked)" in client.get(reverse("home")).content.decode()


def test_only_group_admins_may_queue_a_check(client, charlie):
    client.force_login(charlie)
    assert client.post(reverse("ledger_check")).status_code == 403
    assert not DBTaskResult.objects.exists()
