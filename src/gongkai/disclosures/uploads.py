"""Attachments: what a file really is, judged from its content, and where it is kept.

Accepted: PDF, Excel (.xlsx), Word (.docx), JPEG and PNG images, up to ``GONGKAI_MAX_UPLOAD_MB``. The type comes
from the bytes (`filetype` reads the magic numbers); .xlsx and .docx are zip files, so the zip must also hold the
Office Open XML parts of its kind (``xl/workbook.xml`` or ``word/document.xml``), and the file name's extension
must agree with the content: an .exe renamed .pdf, a spreadsheet renamed .docx or a text file named .png are
refused. Files are stored under MEDIA_ROOT by content (``disclosures/<sha256[:2]>/<sha256>.<ext>``) and are
served only through the download view, which checks the reader's access (never by a public media URL).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

# kind -> (accepted extensions, content type)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "application/pdf"),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "jpg": ((".jpg", ".jpeg"), "image/jpeg"),
    "png": ((".png",), "image/png"),
}
OOXML_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}
ACCEPT = ",".join(ext for exts, _type in KINDS.values() for ext in exts)  # for <input accept=...>
HEAD_BYTES = 8192
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


@dataclass(frozen=True)
class Inspected:
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str

    @property
    def storage_name(self) -> str:
        return f"disclosures/{self.sha256[:2]}/{self.sha256}.{self.kind}"


def max_bytes() -> int:
    return settings.GONGKAI_MAX_UPLOAD_MB * 1024 * 1024


def too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(mb)s MB; please make it smaller or split it.")
        % {"mb": settings.GONGKAI_MAX_UPLOAD_MB},
        code="too_large",
    )


def safe_name(name: str) -> str:
    """The file name as the reader will see it: no folders, no control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", PurePath((name or "").replace("\\", "/")).name)
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or "file"


def _kind_of(upload) -> str | None:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    guess = filetype.guess(head)
    if guess is None:
        return None
    ext = guess.extension
    if ext in ("zip", "docx", "xlsx", "pptx"):  # judged by the parts inside, not by filetype's guess
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        found = [kind for kind, part in OOXML_PART.items() if part in names]
        return found[0] if len(found) == 1 else None
    return ext if ext in KINDS else None


def inspect(upload) -> Inspected:
    """Check an uploaded file (size, type from content, extension) and hash it. Raises ValidationError."""
    size = upload.size
    if size is None or size > max_bytes():
        raise too_large()
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    name = safe_name(upload.name)
    kind = _kind_of(upload)
    if kind is None:
        raise ValidationError(
            _(
                "%(name)s is not a PDF, Excel (.xlsx), Word (.docx), JPEG or PNG file "
                "(judged from its content, not its name)."
            )
            % {"name": name},
            code="bad_type",
        )
    extensions, content_type = KINDS[kind]
    if not name.lower().endswith(extensions):
        raise ValidationError(
            _("%(name)s is really a %(kind)s file; its name must end with %(ext)s.")
            % {"name": name, "kind": kind.upper(), "ext": extensions[0]},
            code="wrong_extension",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Inspected(name=name, kind=kind, content_type=content_type, size=size, sha256=digest.hexdigest())


def store(inspected: Inspected, upload) -> str:
    """Keep the file under its content-derived name (once: the same content is stored once); returns the name."""
    name = inspected.storage_name
    if default_storage.exists(name):
        return name
    upload.seek(0)
    saved = default_storage.save(name, upload)
    return saved
