"""The transparency log: an append-only RFC 9162 Merkle tree over published objects, with signed tree heads.

Storage (core.models): `LogLeaf` (index, object, leaf hash), `LogNode` (the hash of every *complete perfect*
subtree of two or more leaves, stored when its last leaf is appended; one-leaf subtrees are the leaves'
own hashes), `TreeHead` (size, root, timestamp, Ed25519 signature). All three tables are append-only (models and
database triggers). The leaf bytes are not stored: each app registers a *source* that rebuilds them from its
objects (`register_source`), so that an object changed after publication no longer matches its leaf.

Any root and any proof is assembled from at most O(log n) perfect subtrees per proof element, fetched with one
query per level (`_fetch`); appending reads the O(log n) subtrees of the right edge of the tree.

Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock (`pg_advisory_xact_lock`), on SQLite
by its single writer (the project opens every transaction with BEGIN IMMEDIATE). The unique index on
`LogLeaf.index` is the last line of defence: two appends that raced would make one of them fail, never fork.

Signed tree head (RFC 6962 section 3.5 TreeHeadSignature, version v1 = 0, signature_type tree_hash = 1):
``0x00 || 0x01 || uint64 timestamp_ms || uint64 tree_size || root_hash[32]`` (big-endian, 50 bytes), signed
with Ed25519. key_id = hex SHA-256 of the raw 32-byte public key. docs/transparency-log.md is the reference.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from . import merkle
from .models import LogLeaf, LogNode, TreeHead

APPEND_LOCK = 0x676B_6C6F_6701  # PostgreSQL advisory lock keys ("gklog" + 1, + 2)
SIGN_LOCK = 0x676B_6C6F_6702
BATCH = 5000


class LogError(Exception):
    """The log cannot do what was asked (an object logged twice, a size it does not have, a missing node)."""


# --- sources: who rebuilds the leaf bytes -----------------------------------------------------------------------

LeafFn = Callable[[list[str]], dict[str, bytes]]
ReadableFn = Callable[[Any, list[str]], set[str]]
MissingFn = Callable[[int], list[str]]


@dataclass(frozen=True)
class Source:
    """How an app's objects become leaves.

    fn(object_ids) -> {object_id: leaf bytes} for the objects that still exist (verify-log, the proof endpoint);
    readable(user, object_ids) -> the ids whose leaf bytes this user may read (the endpoints serve hashes to
    everyone and the bytes only to readers); unlogged(limit) -> ids of objects that should be in the log and
    are not (verify-log reports them).
    """

    fn: LeafFn
    readable: ReadableFn | None = None
    unlogged: MissingFn | None = None


_sources: dict[str, Source] = {}


def register_source(
    object_type: str, fn: LeafFn, *, readable: ReadableFn | None = None, unlogged: MissingFn | None = None
) -> None:
    _sources[object_type] = Source(fn, readable, unlogged)


def source(object_type: str) -> Source | None:
    return _sources.get(object_type)


def leaf_bytes_for(object_type: str, object_id: str) -> bytes | None:
    """The object's leaf bytes rebuilt by its source; None if no source or the object is gone."""
    src = _sources.get(object_type)
    return src.fn([object_id]).get(object_id) if src else None


# --- locking and reading --------------------------------------------------------------------------------------


def _lock(key: int) -> None:
    """Serialise writers until the end of the current transaction (see the module docstring)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def size() -> int:
    """The number of leaves in the log."""
    last = LogLeaf.objects.aggregate(last=Max("index"))["last"]
    return 0 if last is None else last + 1


def _fetch(subtrees: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The hashes of perfect subtrees (level, start): leaves from LogLeaf, the others from LogNode."""
    by_level: dict[int, set[int]] = {}
    for level, start in subtrees:
        by_level.setdefault(level, set()).add(start)
    found: dict[tuple[int, int], bytes] = {}
    if 0 in by_level:
        for index, h in LogLeaf.objects.filter(index__in=by_level.pop(0)).values_list("index", "leaf_hash"):
            found[(0, index)] = bytes(h)
    if by_level:
        q = Q()
        for level, starts in by_level.items():
            q |= Q(level=level, start__in=starts)
        for level, start, h in LogNode.objects.filter(q).values_list("level", "start", "hash"):
            found[(level, start)] = bytes(h)
    return found


def _hashes_of(ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH of each leaf range, from the stored perfect subtrees (one query per kind of row)."""
    parts = [merkle.perfect_subtrees(a, b) for a, b in ranges]
    found = _fetch(p for subtrees in parts for p in subtrees)
    result = []
    for subtrees in parts:
        try:
            result.append(merkle.fold([found[p] for p in subtrees]))
        except KeyError as missing:
            level, start = missing.args[0]
            raise LogError(f"the log lacks the subtree of level {level} at leaf {start}") from None
    return result


def _check_size(tree_size: int) -> None:
    if not 0 <= tree_size <= size():
        raise LogError(f"the log has no tree of {tree_size} leaves (it has {size()})")


def root(tree_size: int | None = None) -> bytes:
    """The root hash of the first `tree_size` leaves (default: all)."""
    if tree_size is None:
        tree_size = size()
    else:
        _check_size(tree_size)
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    return _hashes_of([(0, tree_size)])[0]


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    """The audit path of leaf `index` in the tree of `tree_size` leaves (RFC 9162 2.1.3.1)."""
    _check_size(tree_size)
    if not 0 <= index < tree_size:
        raise LogError(f"leaf {index} is not in a tree of {tree_size} leaves")
    return _hashes_of(merkle.inclusion_ranges(index, tree_size))


def consistency_proof(first: int, second: int) -> list[bytes]:
    """The proof that the tree of `second` leaves extends the one of `first` (RFC 9162 2.1.4.1)."""
    _check_size(second)
    if not 0 < first <= second:
        raise LogError(f"no consistency proof from {first} to {second} leaves")
    return _hashes_of(merkle.consistency_ranges(first, second))


# --- appending ------------------------------------------------------------------------------------------------


def _right_edge(n: int) -> list[tuple[int, int, bytes]]:
    """The perfect subtrees (level, start, hash) that make up the tree of n leaves, left to right."""
    if n == 0:
        return []
    subtrees = merkle.perfect_subtrees(0, n)
    found = _fetch(subtrees)
    try:
        return [(level, start, found[(level, start)]) for level, start in subtrees]
    except KeyError as missing:
        raise LogError(f"the log lacks the subtree {missing.args[0]}; run gongkai verify-log") from None


def _push(stack: list[tuple[int, int, bytes]], index: int, h: bytes) -> Iterator[tuple[int, int, bytes]]:
    """Add leaf `index` to the right edge; yield every perfect subtree (level >= 1) that the leaf completes."""
    level, start = 0, index
    while stack and stack[-1][0] == level:
        _lv, start, left = stack.pop()
        h = merkle.node_hash(left, h)
        level += 1
        yield level, start, h
    stack.append((level, start, h))


def _insert(model, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert rows as they are: COPY on PostgreSQL, executemany elsewhere (the ORM's bulk_create spends most of
    its time compiling SQL, and these rows need no model logic)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            values = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({values})", rows)  # noqa: S608


def _append_locked(items: Iterable[tuple[str, str, bytes]]) -> list[int]:
    """Insert the leaves and the subtree hashes they complete, BATCH leaves at a time."""
    n = size()
    stack = _right_edge(n)
    logged_at = LogLeaf._meta.get_field("logged_at").get_db_prep_save(timezone.now(), connection)
    leaves: list[tuple] = []
    nodes: list[tuple] = []
    indexes: list[int] = []

    def flush() -> None:
        _insert(LogLeaf, ["index", "object_type", "object_id", "leaf_hash", "logged_at"], leaves)
        _insert(LogNode, ["level", "start", "hash"], nodes)
        leaves.clear()
        nodes.clear()

    for object_type, object_id, data in items:
        h = merkle.leaf_hash(data)
        leaves.append((n, object_type, str(object_id), h, logged_at))
        nodes.extend(_push(stack, n, h))
        indexes.append(n)
        n += 1
        if len(leaves) >= BATCH:
            flush()
    flush()
    return indexes


def append(object_type: str, object_id: str, leaf: bytes) -> int:
    """Log one object; returns its leaf index. Call it inside the transaction that publishes the object.

    Logging the same object again with the same bytes returns its index; with other bytes it is refused.
    """
    object_id = str(object_id)
    with transaction.atomic():
        _lock(APPEND_LOCK)
        existing = (
            LogLeaf.objects.filter(object_type=object_type, object_id=object_id)
            .values_list("index", "leaf_hash")
            .first()
        )
        if existing is not None:
            if bytes(existing[1]) == merkle.leaf_hash(leaf):
                return existing[0]
            raise LogError(f"{object_type} {object_id} is already in the log as leaf {existing[0]}")
        return _append_locked([(object_type, object_id, leaf)])[0]


def append_many(items: Iterable[tuple[str, str, bytes]]) -> list[int]:
    """Log many objects in one transaction (demo data, benchmarks); the database refuses duplicates."""
    with transaction.atomic():
        _lock(APPEND_LOCK)
        return _append_locked(items)


# --- the signing key ------------------------------------------------------------------------------------------

_key_cache: dict[tuple, Ed25519PrivateKey] = {}
_key_lock = threading.Lock()


def _create_key(path: Path) -> None:
    """Write a new key to `path` atomically with mode 0600 (its directory 0700); never replace an existing one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".log-key-")  # created with mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if another process created the key meanwhile: keep theirs
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def signing_key() -> Ed25519PrivateKey:
    """The log's Ed25519 private key, read from settings.GONGKAI_LOG_KEY_FILE (created on first use)."""
    path = Path(settings.GONGKAI_LOG_KEY_FILE)
    with _key_lock:
        if not path.exists():
            _create_key(path)
        stat = path.stat()
        cache_key = (str(path), stat.st_ino, stat.st_mtime_ns)
        key = _key_cache.get(cache_key)
        if key is None:
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise LogError(f"{path} does not hold an Ed25519 private key")
            key = _key_cache[cache_key] = loaded
        return key


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_raw() -> bytes:
    return public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_id(raw_public_key: bytes | None = None) -> str:
    return hashlib.sha256(raw_public_key if raw_public_key is not None else public_key_raw()).hexdigest()


# --- tree heads -----------------------------------------------------------------------------------------------


def signed_bytes(tree_size: int, timestamp: int, root_hash: bytes) -> bytes:
    """What the log signs: RFC 6962 TreeHeadSignature v1 (50 bytes, big-endian)."""
    return struct.pack(">BBQQ", 0, 1, timestamp, tree_size) + bytes(root_hash)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def latest_tree_head() -> TreeHead | None:
    return TreeHead.objects.order_by("-tree_size", "-timestamp", "-pk").first()


def _sign_locked() -> TreeHead:
    n = size()
    root_hash = root(n)
    last = latest_tree_head()  # heads only grow with time, so the largest is the latest signed
    timestamp = max(now_ms(), last.timestamp if last is not None else 0)  # never earlier than one published
    key = signing_key()
    return TreeHead.objects.create(
        tree_size=n,
        root_hash=root_hash,
        timestamp=timestamp,
        key_id=key_id(),
        signature=key.sign(signed_bytes(n, timestamp, root_hash)),
    )


def sign_tree_head() -> TreeHead:
    """Sign and store a head for the log as it is now (daily, and `gongkai sign-tree-head`)."""
    with transaction.atomic():
        _lock(SIGN_LOCK)
        return _sign_locked()


def head_covering(tree_size: int, *, min_interval: float | None = None) -> tuple[TreeHead | None, float]:
    """A signed head of at least `tree_size` leaves, signing a new one on demand.

    At most one head is signed on demand per `min_interval` seconds (settings.GONGKAI_LOG_SIGN_INTERVAL): within
    that interval of the last head, returns (None, seconds to wait) instead of signing.
    """
    head = latest_tree_head()
    if head is not None and head.tree_size >= tree_size:
        return head, 0.0
    interval = settings.GONGKAI_LOG_SIGN_INTERVAL if min_interval is None else min_interval
    with transaction.atomic():
        _lock(SIGN_LOCK)
        head = latest_tree_head()  # another request may have signed meanwhile
        if head is not None and head.tree_size >= tree_size:
            return head, 0.0
        wait = 0.0 if head is None else (head.timestamp + interval * 1000 - now_ms()) / 1000
        if wait > 0:
            return None, wait
        head = _sign_locked()
        return (head, 0.0) if head.tree_size >= tree_size else (None, 0.0)


def verify_tree_head(head: TreeHead, key: Ed25519PublicKey | None = None) -> None:
    """Raise LogError unless the head's signature is valid for the log's key."""
    key = key or public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if head.key_id != key_id(raw):
        raise LogError("signed by another key")
    try:
        key.verify(bytes(head.signature), signed_bytes(head.tree_size, head.timestamp, bytes(head.root_hash)))
    except InvalidSignature:
        raise LogError("the signature is not valid") from None


def b64(data: bytes | memoryview) -> str:
    return base64.b64encode(bytes(data)).decode()


def head_json(head: TreeHead) -> dict:
    return {
        "tree_size": head.tree_size,
        "timestamp": head.timestamp,
        "root_hash": b64(head.root_hash),
        "key_id": head.key_id,
        "signature": b64(head.signature),
    }


# --- verification of the whole log ----------------------------------------------------------------------------


@dataclass
class VerifyResult:
    """What `verify_all` found; `problems` are sentences naming the leaf, object or head, lowest leaf first."""

    leaves: int = 0
    nodes: int = 0
    tree_heads: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return (
                f"log ok: {self.leaves} leaves, {self.nodes} subtree hashes and {self.tree_heads} signed tree "
                f"heads verified in {self.seconds:.1f} s"
            )
        return "log broken: " + self.problems[0]


Edge = list[tuple[int, int, bytes]]


def _root_of_edge(edge: Edge) -> bytes:
    return merkle.fold([h for _level, _start, h in edge]) if edge else merkle.EMPTY_ROOT


class _Verifier:
    """One pass over the leaves in index order, keeping the right edge of two trees: `stored`, built from the
    leaf hashes in the log, and `current`, built from the objects as they are now (None while both agree). A
    signed head tells which one is genuine: if its root matches the stored leaves, an object that differs was
    changed after publication; if it matches the objects, a leaf hash in the log was changed."""

    def __init__(self, batch: int, max_problems: int) -> None:
        self.batch = batch
        self.max_problems = max_problems
        self.result = VerifyResult()
        self.found: list[tuple[int, int, str]] = []  # (leaf index, rank, text): sorted on output
        self.stored: Edge = []
        self.current: Edge | None = None
        self.pending: list[tuple[int, str, str]] = []  # leaves whose object differs, not yet judged by a head
        self.no_source: set[str] = set()
        self.missing_leaf: int | None = None  # no root can be recomputed beyond a removed leaf
        self.good_head: tuple[int, bytes] | None = None  # the last head whose root matched (size, root)
        self.head_time: tuple[int, int] | None = None  # (timestamp, size) of the latest-signed head so far
        self.key = public_key()
        self.key_raw = public_key_raw()

    def problem(self, index: int, text: str, rank: int = 0) -> None:
        self.found.append((index, rank, text))

    def full(self) -> bool:
        return len(self.found) >= self.max_problems

    # -- reading, in batches --

    def _leaf_batches(self) -> Iterator[list[tuple[int, str, str, bytes]]]:
        after = -1
        rows_qs = LogLeaf.objects.order_by("index").values_list(
            "index", "object_type", "object_id", "leaf_hash"
        )
        while True:
            rows = [(i, t, o, bytes(h)) for i, t, o, h in rows_qs.filter(index__gt=after)[: self.batch]]
            if not rows:
                return
            yield rows
            after = rows[-1][0]

    def _heads(self) -> Iterator[TreeHead]:
        after: tuple[int, int, int] | None = None
        qs = TreeHead.objects.order_by("tree_size", "timestamp", "pk")
        while True:
            page = qs
            if after is not None:
                size_, ts, pk = after
                page = qs.filter(
                    Q(tree_size__gt=size_)
                    | Q(tree_size=size_, timestamp__gt=ts)
                    | Q(tree_size=size_, timestamp=ts, pk__gt=pk)
                )
            heads = list(page[: self.batch])
            if not heads:
                return
            yield from heads
            last = heads[-1]
            after = (last.tree_size, last.timestamp, last.pk)

    def _objects(self, rows: list[tuple[int, str, str, bytes]]) -> dict[tuple[str, str], bytes]:
        ids: dict[str, list[str]] = {}
        for _index, object_type, object_id, _h in rows:
            ids.setdefault(object_type, []).append(object_id)
        found: dict[tuple[str, str], bytes] = {}
        for object_type, object_ids in ids.items():
            src = _sources.get(object_type)
            if src is None:
                if object_type not in self.no_source:
                    self.no_source.add(object_type)
                    self.problem(rows[0][0], f"no source is registered for the log's {object_type} leaves")
                continue
            for object_id, data in src.fn(object_ids).items():
                found[(object_type, object_id)] = data
        return found

    def _nodes(self, lo: int, hi: int) -> dict[tuple[int, int], bytes]:
        """The stored subtree hashes completed by leaves [lo, hi)."""
        q = Q()
        for level in range(1, hi.bit_length() + 1):
            width = 1 << level
            q |= Q(level=level, start__gte=max(0, lo - width + 1), start__lt=max(0, hi - width + 1))
        return {
            (lv, st): bytes(h)
            for lv, st, h in LogNode.objects.filter(q).values_list("level", "start", "hash")
        }

    # -- checks --

    def _check_leaf(self, index, object_type, object_id, stored_hash, objects) -> bytes:
        """The leaf's hash as the object is now (the stored one when it cannot be rebuilt)."""
        data = objects.get((object_type, object_id))
        if data is None:
            if object_type not in self.no_source:
                self.problem(
                    index, f"leaf {index}: {object_type} {object_id} is missing — deleted after publication"
                )
            return stored_hash
        now_hash = merkle.leaf_hash(data)
        if now_hash != stored_hash:
            self.pending.append((index, object_type, object_id))
        return now_hash

    def _check_node(self, level: int, start: int, h: bytes, nodes: dict[tuple[int, int], bytes]) -> None:
        self.result.nodes += 1
        stored = nodes.get((level, start))
        last = start + (1 << level) - 1
        where = f"the subtree hash of leaves {start}–{last}"
        if stored is None:
            self.problem(last, f"{where} is missing from the log (proofs that need it fail)", rank=1)
        elif stored != h:
            self.problem(last, f"{where} does not match those leaves — changed in the log", rank=1)

    def _check_head(self, head: TreeHead, leaves: int) -> None:
        self.result.tree_heads += 1
        n, root_hash = head.tree_size, bytes(head.root_hash)
        name = f"the signed tree head of {n} leaves (timestamp {head.timestamp})"
        try:
            verify_tree_head(head, self.key)
        except LogError as e:
            self.problem(n, f"{name}: {e} — forged or altered")
            return
        if self.head_time is not None and head.timestamp < self.head_time[0]:
            self.problem(n, f"{name} was signed before the head of {self.head_time[1]} leaves — forked log")
        if self.head_time is None or head.timestamp >= self.head_time[0]:
            self.head_time = (head.timestamp, n)
        if n > leaves:
            self.problem(n, f"{name}: the log holds only {leaves} leaves — leaves removed")
            return
        if self.missing_leaf is not None:
            self.problem(n, f"{name} cannot be recomputed: leaf {self.missing_leaf} is missing")
            return
        stored_root = _root_of_edge(self.stored)
        if root_hash == stored_root:
            for index, object_type, object_id in self.pending:
                self.problem(
                    index,
                    f"leaf {index} ({object_type} {object_id}): the stored object no longer matches its leaf — "
                    "changed after publication",
                )
            self.current = None
        elif self.current is not None and root_hash == _root_of_edge(self.current):
            for index, object_type, object_id in self.pending:
                self.problem(
                    index,
                    f"leaf {index} ({object_type} {object_id}): its leaf hash in the log was changed (the object "
                    f"still matches {name})",
                )
            self.stored = list(self.current)
            self.current = None
        else:
            self.problem(
                n, f"{name}: its root does not match the leaves of the log — leaves changed in the log"
            )
            self._report_pending("its leaf or the object was changed")
            self.current = None
            return
        self.pending = []
        self._check_consistency(n, root_hash)

    def _report_pending(self, why: str) -> None:
        for index, object_type, object_id in self.pending:
            self.problem(index, f"leaf {index} ({object_type} {object_id}) does not match its object: {why}")
        self.pending = []

    def _check_consistency(self, n: int, root_hash: bytes) -> None:
        """The consistency proof that the log serves between this head and the previous good one must verify."""
        previous, self.good_head = self.good_head, (n, root_hash)
        if previous is None or previous[0] in (0, n):
            return
        try:
            proof = _hashes_of(merkle.consistency_ranges(previous[0], n))
            merkle.verify_consistency(previous[0], n, previous[1], root_hash, proof)
        except (LogError, merkle.ProofError) as e:
            self.problem(n, f"the consistency proof from {previous[0]} to {n} leaves fails: {e}")

    def _check_unlogged(self) -> None:
        for object_type, src in _sources.items():
            if src.unlogged is None:
                continue
            for object_id in src.unlogged(self.max_problems):
                self.problem(
                    1 << 62, f"{object_type} {object_id} is not in the log — published without being logged"
                )

    # -- the pass --

    def run(self) -> VerifyResult:
        started = time.perf_counter()
        heads = self._heads()
        head = next(heads, None)
        while head is not None and head.tree_size == 0:
            self._check_head(head, 0)
            head = next(heads, None)
        expected = 0
        for rows in self._leaf_batches():
            objects = self._objects(rows)
            nodes = self._nodes(rows[0][0], rows[-1][0] + 1)
            for index, object_type, object_id, stored_hash in rows:
                if index != expected and self.missing_leaf is None:
                    self.problem(expected, f"leaf {expected} is missing from the log — removed")
                    self.missing_leaf = expected
                expected = index + 1
                self.result.leaves += 1
                now_hash = self._check_leaf(index, object_type, object_id, stored_hash, objects)
                if self.missing_leaf is not None:
                    continue
                if now_hash != stored_hash and self.current is None:
                    self.current = list(self.stored)
                for level, start, h in _push(self.stored, index, stored_hash):
                    self._check_node(level, start, h, nodes)
                if self.current is not None:
                    for _ in _push(self.current, index, now_hash):
                        pass
                while head is not None and head.tree_size <= expected:
                    self._check_head(head, expected)
                    head = next(heads, None)
            if self.full():
                break
        while head is not None and not self.full():
            self._check_head(head, expected)
            head = next(heads, None)
        for index, object_type, object_id in self.pending:
            self.problem(
                index,
                f"leaf {index} ({object_type} {object_id}): the stored object no longer matches its leaf — "
                "changed after publication (no signed tree head covers it yet)",
            )
        self._check_unlogged()
        self.found.sort(key=lambda p: (p[0], p[1]))
        self.result.problems = [text for _i, _rank, text in self.found]
        self.result.seconds = time.perf_counter() - started
        return self.result


def verify_all(*, batch: int = BATCH, max_problems: int = 100) -> VerifyResult:
    """Recompute the whole log: every leaf from its object, every stored subtree hash, every signed tree head's
    root and signature, and the consistency of consecutive heads. Reads `batch` leaves at a time."""
    return _Verifier(batch, max_problems).run()
