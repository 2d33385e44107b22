"""Notifications: idempotent sending (one and many), email copies when configured, the inbox pages."""

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.core.context_processors import inbox
from gongkai.core.models import Notification
from gongkai.core.notify import Note, notify, notify_many
from gongkai.org.models import Person


def test_notify_is_idempotent_on_the_key(alice):
    first = notify(alice, "test", "第一条", url="/x/", key="k1")
    assert first is not None and first.title == "第一条"
    assert notify(alice, "test", "第一条（再发）", key="k1") is None
    assert Notification.objects.filter(person=alice).count() == 1


def test_the_same_key_reaches_different_people(alice, bob):
    assert notify(alice, "test", "给艾丽丝", key="k") and notify(bob, "test", "给鲍勃", key="k")
    assert Notification.objects.count() == 2


def test_without_a_key_every_call_notifies(alice):
    notify(alice, "test", "一")
    notify(alice, "test", "一")
    assert Notification.objects.filter(person=alice).count() == 2


def test_notify_many_skips_what_was_sent_and_repeats(alice, bob):
    notify(alice, "test", "旧的", key="a")
    rows = [
        Note(alice.pk, "test", "旧的", key="a"),
        Note(alice.pk, "test", "新的", key="b"),
        Note(alice.pk, "test", "新的（重复）", key="b"),
        Note(bob.pk, "test", "新的", key="a"),
    ]
    assert notify_many(rows) == 2
    assert notify_many(rows) == 0
    assert sorted(Notification.objects.values_list("person__employee_no", "key")) == [
        ("A001", "a"),
        ("A001", "b"),
        ("B001", "a"),
    ]


def test_email_copies_only_with_an_email_host(settings, alice, bob, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GONGKAI_SITE_URL = "https://gongkai.example.com"
    alice.email = "alice@example.com"
    alice.save()
    settings.EMAIL_HOST = ""
    with django_capture_on_commit_callbacks(execute=True):
        notify(alice, "test", "不发邮件", key="1")
    assert mail.outbox == []
    settings.EMAIL_HOST = "smtp.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(alice, "test", "发邮件", url="/disclosures/", body="正文", key="2")
        notify(bob, "test", "鲍勃没有邮箱", key="2")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "https://gongkai.example.com/disclosures/" in mail.outbox[0].body
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert Notification.objects.get(person=bob).emailed_at is None


def test_a_failing_mail_server_keeps_the_notification(settings, alice, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TIMEOUT = 1
    alice.email = "alice@example.com"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(alice, "test", "服务器坏了", key="x")
    note = Notification.objects.get(person=alice)
    assert note.emailed_at is None


# ----------------------------------------------------------------------------------- inbox pages


def test_the_inbox_lists_only_my_notifications(client, alice, bob):
    notify(alice, "test", "艾丽丝的通知", key="1")
    notify(bob, "test", "鲍勃的通知", key="1")
    client.force_login(alice)
    response = client.get(reverse("inbox:list"))
    body = response.content.decode()
    assert "艾丽丝的通知" in body and "鲍勃的通知" not in body
    assert response.context["inbox_unread"] == 1


def test_mark_read_with_htmx_returns_the_row(client, alice):
    note = notify(alice, "test", "待读", key="1")
    client.force_login(alice)
    url = reverse("inbox:read", args=[note.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="note-{note.pk}"' in response.content.decode()
    note.refresh_from_db()
    assert note.read_at is not None
    client.post(url, {"unread": "1"})
    note.refresh_from_db()
    assert note.read_at is None


def test_others_notifications_cannot_be_touched(client, alice, bob):
    note = notify(bob, "test", "鲍勃的", key="1")
    client.force_login(alice)
    assert client.post(reverse("inbox:read", args=[note.pk])).status_code == 404
    assert client.post(reverse("inbox:open", args=[note.pk])).status_code == 404
    client.post(reverse("inbox:read_all"))
    note.refresh_from_db()
    assert note.read_at is None


def test_open_follows_the_link_and_marks_read(client, alice):
    inside = notify(alice, "test", "站内", url="/disclosures/", key="1")
    outside = notify(alice, "test", "站外", url="https://evil.example.com/", key="2")
    client.force_login(alice)
    response = client.post(reverse("inbox:open", args=[inside.pk]))
    assert response["Location"] == "/disclosures/"
    response = client.post(reverse("inbox:open", args=[outside.pk]))
    assert response["Location"] == reverse("inbox:list")
    assert not Notification.objects.filter(person=alice, read_at__isnull=True).exists()


def test_mark_all_read(client, alice):
    for i in range(3):
        notify(alice, "test", f"通知{i}", key=str(i))
    client.force_login(alice)
    assert client.get(reverse("inbox:list")).context["inbox_unread"] == 3
    client.post(reverse("inbox:read_all"))
    assert client.get(reverse("inbox:list")).context["inbox_unread"] == 0


def test_unread_count_is_capped(rf, alice):
    notify_many([Note(alice.pk, "test", f"第{i}条", key=str(i)) for i in range(120)])
    request = rf.get("/")
    request.user = alice
    assert inbox(request)["inbox_unread"] == 100  # counted up to the cap + 1, shown as 99+
    assert "99+" in render_to_string("core/inbox_link.html", request=request)
    Notification.objects.filter(key__in=[str(i) for i in range(115)]).update(read_at=timezone.now())
    request.user = Person.objects.get(pk=alice.pk)
    link = render_to_string("core/inbox_link.html", request=request)
    assert ">5<" in link and "99+" not in link


@pytest.mark.parametrize("unread", ["", "?unread=1"])
def test_the_inbox_costs_a_fixed_number_of_queries(client, alice, unread):
    notify(alice, "test", "一条", key="0")
    client.force_login(alice)
    url = reverse("inbox:list") + unread
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    notify_many([Note(alice.pk, "test", f"第{i}条", url="/x/", key=str(i)) for i in range(1, 80)])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)
