"""Files sent with a reply: every file is checked from its content by `disclosures.uploads` (PDF, .xlsx, .docx,
JPEG, PNG; size limit; the name's extension must agree with the content) before anything is written, then the
reply and its files are one transaction: one bad file refuses the reply, and nothing is half-written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.disclosures import uploads
from gongkai.org.models import Person

from . import actions, queries
from .choices import EventKind
from .models import Case, CaseAttachment, CaseEvent

MAX_FILES = 10


def check(files: Sequence) -> list[tuple[uploads.Inspected, Any]]:
    """Check every file before anything is written (raises ValidationError)."""
    if len(files) > MAX_FILES:
        raise ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_FILES}, code="too_many")
    return [(uploads.inspect(f), f) for f in files]


@transaction.atomic
def reply_with_files(
    case: Case, *, actor: Person, text: str, files: Sequence = (), expected_revision: int | None = None
) -> Case:
    """`actions.reply` and the files that go with it, attached to the reply's event."""
    checked = check(files)
    case = actions.reply(case, actor=actor, text=text, expected_revision=expected_revision)
    if not checked:
        return case
    event = CaseEvent.objects.filter(case=case, kind=EventKind.REPLIED).order_by("-at", "-pk").first()
    for info, upload in checked:
        CaseAttachment.objects.create(
            case=case,
            event=event,
            file=uploads.store(info, upload),
            name=info.name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            uploaded_by=actor,
        )
    ledger.record(
        "cases.attach",
        case,
        actor=actor,
        change={"files": [{"name": info.name, "sha256": info.sha256} for info, _upload in checked]},
    )
    return case


def attachment_for(viewer, pk: int) -> CaseAttachment | None:
    """The attachment if the viewer may see its case (the raiser, the people handling it, the union or the
    leading group of its unit); None otherwise."""
    found = CaseAttachment.objects.select_related("case", "case__unit").filter(pk=pk).first()
    if found is None or not queries.may_see(viewer, found.case):
        return None
    return found
