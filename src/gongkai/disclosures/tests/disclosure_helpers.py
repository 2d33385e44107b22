"""Helpers of the workflow and board tests: files of each kind, and a disclosure taken through its workflow."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.disclosures import actions

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + b"\x00" * 64
)


def ooxml(kind: str) -> bytes:
    """A minimal Office Open XML package: 'xlsx' (xl/workbook.xml) or 'docx' (word/document.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        part = "xl/workbook.xml" if kind == "xlsx" else "word/document.xml"
        archive.writestr(part, '<?xml version="1.0"?><root/>')
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def draft(
    officer, unit, item, *, title="2026年3月工资奖金分配公示", body="<p>一矿三月工资总额一千万元。</p>", **kw
):
    return actions.create_draft(
        actor=officer,
        unit=unit,
        category=item.category,
        item=item,
        title=title,
        body=body,
        period=kw.pop("period", "2026-03"),
        **kw,
    )


def submitted(officer, unit, item, **kw):
    disclosure = draft(officer, unit, item, **kw)
    return actions.submit(actor=officer, disclosure=disclosure, expected_revision=disclosure.revision)


def published(officer, reviewer, unit, item, **kw):
    disclosure = submitted(officer, unit, item, **kw)
    actions.approve(actor=reviewer, disclosure=disclosure)
    disclosure.refresh_from_db()
    return disclosure


def corrected(officer, reviewer, disclosure, *, title=None, body, reason="更正笔误"):
    disclosure = actions.start_correction(
        actor=officer,
        disclosure=disclosure,
        title=title or disclosure.title,
        body=body,
        reason=reason,
        expected_revision=disclosure.revision,
    )
    actions.submit(actor=officer, disclosure=disclosure, expected_revision=disclosure.revision)
    actions.approve(actor=reviewer, disclosure=disclosure)
    disclosure.refresh_from_db()
    return disclosure
