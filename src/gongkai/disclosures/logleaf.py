"""Published versions as leaves of the transparency log (core.tlog).

Leaf bytes of a `DisclosureVersion` (format "gongkai.disclosure.v1"): the UTF-8 JSON object below with sorted keys,
no spaces, non-ASCII characters as themselves (``json.dumps(sort_keys=True, separators=(",", ":"),
ensure_ascii=False)``)::

    {"approved_by": "A200",             employee number of the leading-group member who approved
     "attachments": [{...}, ...],        the version's attachment list as stored: name, size, type, sha256
     "audience": "MA",                   code of the unit whose subtree may read it
     "body": "<p>...</p>",               the sanitized HTML exactly as stored
     "category": "C03",                  catalog category code
     "disclosure": 42,                   the disclosure's id
     "format": "gongkai.disclosure.v1",
     "period": "2026-03",                "" when none
     "published_at": "2026-04-05T01:02:03.456789Z",   UTC, always with microseconds
     "published_by": "A100",             employee number of the officer who published
     "reason": "",                       the reason for a correction ("" for the first version)
     "title": "...",
     "unit": "MA",                       code of the disclosing unit
     "version": 1}                       the version number

docs/transparency-log.md describes it for independent verifiers. Unit codes and employee numbers never change in
Gongkai (they are the keys of the HR import), so the bytes can be rebuilt from the database at any time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast

from gongkai.core import tlog
from gongkai.core.access import get_scope
from gongkai.core.choices import Role
from gongkai.core.models import LogLeaf

from .models import DisclosureVersion

OBJECT_TYPE = "disclosures.version"
FORMAT = "gongkai.disclosure.v1"
# Roles that see every disclosure of the units where they hold them, public or not (the readers of a unit's
# board see what is public and addressed to their unit or an ancestor).
OVERSIGHT_ROLES = (
    Role.DISCLOSURE_OFFICER,
    Role.LEADING_GROUP,
    Role.UNION,
    Role.DISCIPLINE,
    Role.INTERNAL_AUDITOR,
)
_FIELDS = (
    "pk",
    "disclosure_id",
    "number",
    "title",
    "body",
    "reason",
    "attachments",
    "unit_code",
    "audience_code",
    "category_code",
    "period",
    "published_at",
    "published_by__employee_no",
    "approved_by__employee_no",
)


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _encode(row: dict[str, Any]) -> bytes:
    doc = {
        "format": FORMAT,
        "disclosure": row["disclosure_id"],
        "version": row["number"],
        "title": row["title"],
        "body": row["body"],
        "reason": row["reason"],
        "attachments": row["attachments"],
        "unit": row["unit_code"],
        "audience": row["audience_code"],
        "category": row["category_code"],
        "period": row["period"],
        "published_at": _utc(row["published_at"]),
        "published_by": row["published_by__employee_no"],
        "approved_by": row["approved_by__employee_no"],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_bytes(version: DisclosureVersion) -> bytes:
    """The canonical bytes of a published version (content and metadata), as the log hashes them."""
    return leaves_of([str(version.pk)])[str(version.pk)]


def leaves_of(object_ids: list[str]) -> dict[str, bytes]:
    """Leaf bytes of the versions that exist among `object_ids`, read from the database in one query."""
    pks = [int(i) for i in object_ids if i.isdigit()]
    rows = DisclosureVersion.objects.filter(pk__in=pks).order_by().values(*_FIELDS)
    return {str(row["pk"]): _encode(row) for row in rows}


def readable(user, object_ids: list[str]) -> set[str]:
    """The versions among `object_ids` whose text this user may read (the same rule as the board)."""
    scope = get_scope(user)
    if scope.person_id is None:
        return set()
    pks = [int(i) for i in object_ids if i.isdigit()]
    rows = DisclosureVersion.objects.filter(pk__in=pks).filter(
        (scope.published_to_me("disclosure__audience") & Q(disclosure__is_public=True))
        | scope.within("disclosure__unit", *OVERSIGHT_ROLES)
    )
    return {str(pk) for pk in rows.values_list("pk", flat=True)}


def unlogged(limit: int) -> list[str]:
    """Versions that are not in the log (every published version must be): at most `limit` ids."""
    logged = LogLeaf.objects.filter(object_type=OBJECT_TYPE, object_id=Cast(OuterRef("pk"), CharField()))
    rows = (
        DisclosureVersion.objects.filter(~Exists(logged)).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    return [str(pk) for pk in rows]


def log_version(version: DisclosureVersion) -> int:
    """Append a just-published version to the log (inside the publishing transaction); returns its leaf index."""
    return tlog.append(OBJECT_TYPE, str(version.pk), leaf_bytes(version))


def register() -> None:
    tlog.register_source(OBJECT_TYPE, leaves_of, readable=readable, unlogged=unlogged)
