"""Attachments: type judged from the content, size limit, stored by SHA-256, downloaded only with access."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongkai.core.access import AccessDenied
from gongkai.disclosures import actions
from gongkai.disclosures.models import Attachment, Disclosure

from .disclosure_helpers import EXE, JPEG, PDF, PNG, corrected, draft, ooxml, published, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary folder; the fixture people get a fast password hash (these tests never log in
    with a password)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("工资表.pdf", PDF, "application/pdf"),
        ("工资表.xlsx", ooxml("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "说明.docx",
            ooxml("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("照片.png", PNG, "image/png"),
        ("照片.JPEG", JPEG, "image/jpeg"),
    ],
)
def test_accepted_kinds_are_stored_by_content(tree, olga, wages, media, name, content, content_type):
    d = draft(olga, tree["MA"], wages, files=[upload(name, content)])
    (a,) = Attachment.objects.filter(disclosure=d)
    digest = hashlib.sha256(content).hexdigest()
    assert (a.name, a.content_type, a.size, a.sha256) == (name, content_type, len(content), digest)
    assert a.file.name.startswith(f"disclosures/{digest[:2]}/{digest}.")
    assert (media / a.file.name).read_bytes() == content


def test_the_same_content_is_stored_once(tree, olga, wages, media):
    draft(olga, tree["MA"], wages, files=[upload("a.pdf", PDF)])
    draft(olga, tree["MA"], wages, title="另一项", files=[upload("b.pdf", PDF)])
    assert Attachment.objects.count() == 2
    assert len(_files(media)) == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("工资表.pdf", EXE, "bad_type"),  # a program renamed .pdf
        ("说明.docx", ooxml("xlsx"), "wrong_extension"),  # a spreadsheet renamed .docx
        ("照片.png", "这是一段文字，不是图片。".encode(), "bad_type"),  # a text file named .png
        ("照片.jpg", PNG, "wrong_extension"),  # a PNG named .jpg
        ("数据.xlsx", b"PK\x03\x04" + b"\x00" * 40, "bad_type"),  # a broken zip
        ("空.pdf", b"", "empty"),
    ],
)
def test_disguised_files_are_refused_and_nothing_is_written(tree, olga, wages, media, name, content, code):
    with pytest.raises(ValidationError) as caught:
        draft(olga, tree["MA"], wages, files=[upload(name, content)])
    assert caught.value.code == code
    assert Disclosure.objects.count() == 0 and Attachment.objects.count() == 0
    assert _files(media) == []


def test_a_zip_without_office_parts_is_refused(tree, olga, wages):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("payload.exe", EXE)
    with pytest.raises(ValidationError) as caught:
        draft(olga, tree["MA"], wages, files=[upload("表.xlsx", buffer.getvalue())])
    assert caught.value.code == "bad_type"


def test_an_oversized_file_is_refused(tree, olga, wages, settings, media):
    settings.GONGKAI_MAX_UPLOAD_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        draft(olga, tree["MA"], wages, files=[upload("大文件.pdf", big)])
    assert caught.value.code == "too_large" and "1" in caught.value.messages[0]
    assert Disclosure.objects.count() == 0 and _files(media) == []


def test_an_oversized_file_on_the_page_gets_413(client, tree, olga, wages, settings, media):
    settings.GONGKAI_MAX_UPLOAD_MB = 1
    d = draft(olga, tree["MA"], wages)
    client.force_login(olga)
    response = client.post(
        reverse("disclosures:edit", args=[d.pk]),
        {
            "title": "新标题",
            "body": "<p>正文</p>",
            "category": wages.category.pk,
            "channels": ["web"],
            "revision": d.revision,
            "new_files": [upload("大文件.pdf", PDF + b"0" * (1024 * 1024))],
        },
    )
    assert response.status_code == 413
    assert 'role="alert"' in response.content.decode()
    d.refresh_from_db()
    assert d.draft_title != "新标题" and Attachment.objects.count() == 0 and _files(media) == []


def test_one_bad_file_refuses_the_whole_change(tree, olga, wages, media):
    d = draft(olga, tree["MA"], wages)
    with pytest.raises(ValidationError):
        actions.update_draft(
            actor=olga,
            disclosure=d,
            expected_revision=d.revision,
            title="新标题",
            body="<p>新</p>",
            files=[upload("a.pdf", PDF), upload("b.png", b"not a png")],
        )
    d.refresh_from_db()
    assert d.draft_title != "新标题" and Attachment.objects.count() == 0


def test_the_published_version_lists_its_attachments(tree, olga, leo, wages):
    d = published(
        olga, leo, tree["MA"], wages, files=[upload("工资表.pdf", PDF), upload("表.xlsx", ooxml("xlsx"))]
    )
    names = [a["name"] for a in d.current_version.attachments]
    assert names == ["工资表.pdf", "表.xlsx"]
    assert d.current_version.attachments[0]["sha256"] == hashlib.sha256(PDF).hexdigest()


def test_add_and_remove_attachment_actions(tree, olga, alice, wages):
    d = draft(olga, tree["MA"], wages)
    with pytest.raises(AccessDenied):
        actions.add_attachment(actor=alice, disclosure=d, uploaded_file=upload("a.pdf", PDF))
    a = actions.add_attachment(actor=olga, disclosure=d, uploaded_file=upload("a.pdf", PDF))
    actions.remove_attachment(actor=olga, attachment=a)
    a.refresh_from_db()
    assert a.removed
    with pytest.raises(ValidationError):
        actions.remove_attachment(actor=olga, attachment=a)


def _download(client, d, a):
    return client.get(reverse("disclosures:attachment", args=[d.pk, a.pk]))


def test_readers_download_published_attachments_and_others_cannot(client, tree, olga, leo, alice, bob, wages):
    d = published(olga, leo, tree["MA"], wages, files=[upload("工资表.pdf", PDF)])
    a = Attachment.objects.get(disclosure=d)
    client.force_login(alice)
    response = _download(client, d, a)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    client.force_login(bob)
    assert _download(client, d, a).status_code == 404


def test_draft_attachments_are_for_the_officers_only(client, tree, olga, leo, alice, wages):
    d = draft(olga, tree["MA"], wages, files=[upload("草稿.pdf", PDF)])
    a = Attachment.objects.get(disclosure=d)
    client.force_login(alice)
    assert _download(client, d, a).status_code == 404
    client.force_login(olga)
    assert _download(client, d, a).status_code == 200
    client.force_login(leo)
    assert _download(client, d, a).status_code == 200


def test_a_file_removed_by_a_correction_stays_with_the_old_version(client, tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages, files=[upload("旧表.pdf", PDF)])
    old = Attachment.objects.get(disclosure=d)
    d = actions.start_correction(
        actor=olga,
        disclosure=d,
        title=d.title,
        body=d.current_version.body,
        reason="更换附件",
        files=[upload("新表.png", PNG)],
        remove=[old.pk],
    )
    actions.submit(actor=olga, disclosure=d, expected_revision=d.revision)
    actions.approve(actor=leo, disclosure=d)
    d.refresh_from_db()
    assert [a["name"] for a in d.current_version.attachments] == ["新表.png"]
    assert [a["name"] for a in d.versions.get(number=1).attachments] == ["旧表.pdf"]
    client.force_login(alice)
    assert _download(client, d, old).status_code == 200  # history stays readable


def test_media_files_are_not_served_publicly(client, tree, olga, leo, alice, wages):
    d = published(olga, leo, tree["MA"], wages, files=[upload("工资表.pdf", PDF)])
    a = Attachment.objects.get(disclosure=d)
    client.force_login(alice)
    assert client.get("/media/" + a.file.name).status_code == 404


def test_corrected_helper_keeps_attachments(tree, olga, leo, wages):
    d = published(olga, leo, tree["MA"], wages, files=[upload("表.pdf", PDF)])
    d = corrected(olga, leo, d, body="<p>更正</p>")
    assert [a["name"] for a in d.current_version.attachments] == ["表.pdf"]
