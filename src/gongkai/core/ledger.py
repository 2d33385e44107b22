"""The audit ledger: an append-only hash chain over every action.

Entry hash = SHA-256 over the canonical JSON array
``[seq, at, actor_id, action, object_type, object_id, digest, prev_hash]`` where ``at`` is an ISO-8601 UTC
timestamp with microseconds, ``digest`` is the SHA-256 of the canonical JSON of the change, and ``prev_hash``
is the hash of the entry before (64 zeros for the first). Canonical JSON: sorted keys, no spaces, UTF-8.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, LedgerHead

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _at_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    digest: str,
    prev_hash: str,
) -> str:
    return _sha(canonical([seq, _at_text(at), actor_id, action, object_type, object_id, digest, prev_hash]))


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    actor=None,
    change: dict | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEntry:
    """Append one entry to the ledger. Call it inside the action's transaction."""
    change = change or {}
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    at = timezone.now()
    digest = _sha(canonical(change))
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    with transaction.atomic():
        head, _created = LedgerHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"hash": GENESIS}
        )
        seq = head.seq + 1
        h = entry_hash(
            seq=seq,
            at=at,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            digest=digest,
            prev_hash=head.hash,
        )
        entry = AuditEntry.objects.create(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_label=str(actor) if actor_id else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=str(obj)[:200] if obj is not None else "",
            change=change,
            digest=digest,
            prev_hash=head.hash,
            hash=h,
        )
        LedgerHead.objects.filter(pk=1).update(seq=seq, hash=h)
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def verify(batch: int = 5000) -> VerifyResult:
    """Recompute the chain; report the first entry that does not match."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    qs = AuditEntry.objects.order_by("seq").values_list(
        "seq", "at", "actor_id", "action", "object_type", "object_id", "change", "digest", "prev_hash", "hash"
    )
    last_seq = 0
    while True:
        rows = list(qs.filter(seq__gt=last_seq)[:batch])
        if not rows:
            break
        for seq, at, actor_id, action, otype, oid, change, digest, prev_hash, h in rows:
            if seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, "entry missing")
            if _sha(canonical(change)) != digest:
                return VerifyResult(False, checked, seq, "change does not match its digest")
            if prev_hash != prev:
                return VerifyResult(False, checked, seq, "previous hash does not match")
            if (
                entry_hash(
                    seq=seq,
                    at=at,
                    actor_id=actor_id,
                    action=action,
                    object_type=otype,
                    object_id=oid,
                    digest=digest,
                    prev_hash=prev_hash,
                )
                != h
            ):
                return VerifyResult(False, checked, seq, "entry hash does not match its fields")
            prev = h
            expected_seq += 1
            checked += 1
            last_seq = seq
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev):
        return VerifyResult(
            False,
            checked,
            checked + 1 if head.seq > checked else head.seq,
            "ledger head does not match the last entry (entries removed at the end?)",
        )
    return VerifyResult(True, checked)
