"""The transparency log store (core.tlog): appends, cached subtree hashes, proofs against the reference
implementation, signed tree heads, the JSON endpoints, on-demand signing and the whole-log check."""

import base64
import hashlib
import importlib.util
import json
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from gongkai.core import log_tasks, merkle, tlog
from gongkai.core.models import LogLeaf, LogNode, TreeHead

TYPE = "test.blob"
BLOBS: dict[str, bytes] = {}


def blob(i: int) -> bytes:
    return f"第{i}号公开事项".encode()


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path):
    settings.GONGKAI_LOG_KEY_FILE = tmp_path / "keys" / "log.pem"
    settings.GONGKAI_LOG_SIGN_INTERVAL = 10
    return settings.GONGKAI_LOG_KEY_FILE


@pytest.fixture
def source():
    """A leaf source over an in-memory dict; people logged in may read every blob."""
    saved = dict(tlog._sources)
    BLOBS.clear()
    tlog.register_source(
        TYPE,
        lambda ids: {i: BLOBS[i] for i in ids if i in BLOBS},
        readable=lambda user, ids: set(ids) if user.is_authenticated else set(),
    )
    yield BLOBS
    tlog._sources.clear()
    tlog._sources.update(saved)


def add(n: int, start: int = 0) -> list[int]:
    items = []
    for i in range(start, start + n):
        BLOBS[str(i)] = blob(i)
        items.append((TYPE, str(i), blob(i)))
    return tlog.append_many(items)


def hashes(n: int) -> list[bytes]:
    return [merkle.leaf_hash(blob(i)) for i in range(n)]


def test_append_returns_consecutive_indexes(db, source):
    BLOBS["0"] = blob(0)
    assert tlog.append(TYPE, "0", blob(0)) == 0
    assert add(3, start=1) == [1, 2, 3]
    BLOBS["4"] = blob(4)
    assert tlog.append(TYPE, "4", blob(4)) == 4
    assert tlog.size() == 5
    assert list(LogLeaf.objects.values_list("object_id", flat=True)) == ["0", "1", "2", "3", "4"]
    assert bytes(LogLeaf.objects.get(index=2).leaf_hash) == merkle.leaf_hash(blob(2))


def test_every_completed_perfect_subtree_is_stored(db, source):
    add(5)
    for i in range(5, 23):  # one by one, so that both ways of appending meet
        BLOBS[str(i)] = blob(i)
        tlog.append(TYPE, str(i), blob(i))
    leaf_hashes = hashes(23)
    nodes = {(n.level, n.start): bytes(n.hash) for n in LogNode.objects.all()}
    expected = {
        (level, start)
        for level in range(1, 5)
        for start in range(0, 23, 1 << level)
        if start + (1 << level) <= 23
    }
    assert set(nodes) == expected
    for (level, start), h in nodes.items():
        assert h == merkle.root(leaf_hashes[start : start + (1 << level)])


def test_logging_an_object_again(db, source):
    BLOBS["7"] = blob(7)
    assert tlog.append(TYPE, "7", blob(7)) == 0
    assert tlog.append(TYPE, "7", blob(7)) == 0  # same bytes: the same leaf
    with pytest.raises(tlog.LogError, match="already in the log as leaf 0"):
        tlog.append(TYPE, "7", b"other bytes")
    with pytest.raises(IntegrityError):
        tlog.append_many([(TYPE, "7", blob(7))])
    assert tlog.size() == 1


def test_roots_and_proofs_match_the_reference_for_every_size(db, source):
    n = 21
    add(n)
    leaf_hashes = hashes(n)
    assert tlog.root(0) == merkle.EMPTY_ROOT
    for size in range(1, n + 1):
        assert tlog.root(size) == merkle.root(leaf_hashes[:size])
        for index in range(size):
            assert tlog.inclusion_proof(index, size) == merkle.inclusion_proof(index, leaf_hashes[:size])
        for first in range(1, size + 1):
            assert tlog.consistency_proof(first, size) == merkle.consistency_proof(first, leaf_hashes[:size])
    with pytest.raises(tlog.LogError, match="no tree of 22 leaves"):
        tlog.root(22)
    with pytest.raises(tlog.LogError, match="leaf 5 is not in a tree of 5"):
        tlog.inclusion_proof(5, 5)
    with pytest.raises(tlog.LogError, match="no consistency proof from 0"):
        tlog.consistency_proof(0, 5)


def test_a_proof_costs_the_same_queries_at_any_size(db, source, django_assert_max_num_queries):
    add(300)
    for index, size in [(0, 1), (5, 6), (150, 300), (299, 300), (255, 257)]:
        with django_assert_max_num_queries(3):  # the size, the leaves, the nodes
            tlog.inclusion_proof(index, size)
    with django_assert_max_num_queries(3):
        tlog.consistency_proof(123, 300)
    with django_assert_max_num_queries(3):
        tlog.root(299)


def test_signed_tree_head(db, source, log_key):
    add(6)
    head = tlog.sign_tree_head()
    assert head.tree_size == 6
    assert bytes(head.root_hash) == merkle.root(hashes(6))
    key = serialization.load_pem_private_key(log_key.read_bytes(), password=None).public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert head.key_id == hashlib.sha256(raw).hexdigest()
    signed = b"\x00\x01" + head.timestamp.to_bytes(8, "big") + (6).to_bytes(8, "big") + bytes(head.root_hash)
    assert tlog.signed_bytes(6, head.timestamp, bytes(head.root_hash)) == signed
    key.verify(bytes(head.signature), signed)  # raises when invalid
    tlog.verify_tree_head(head)


def test_the_key_is_created_once_private(db, log_key):
    assert not log_key.exists()
    first = tlog.key_id()
    assert stat.S_IMODE(log_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_key.parent.stat().st_mode) == 0o700
    assert tlog.key_id() == first
    assert not [p for p in log_key.parent.iterdir() if p.name != log_key.name]  # no temporary file left


def test_tree_head_timestamps_never_go_back(db, source, monkeypatch):
    first = tlog.sign_tree_head()
    monkeypatch.setattr(tlog, "now_ms", lambda: first.timestamp - 5000)  # the clock went back
    assert tlog.sign_tree_head().timestamp == first.timestamp


def test_a_forged_signature_is_refused(db, source):
    add(2)
    head = tlog.sign_tree_head()
    head.tree_size = 3
    with pytest.raises(tlog.LogError, match="not valid"):
        tlog.verify_tree_head(head)


# --- endpoints ----------------------------------------------------------------------------------------------------


def b(text: str) -> bytes:
    return base64.b64decode(text)


def test_sth_endpoints_are_public(client, db, source):
    add(3)
    head = tlog.sign_tree_head()
    data = client.get(reverse("log:sth")).json()
    assert data == {
        "tree_size": 3,
        "timestamp": head.timestamp,
        "root_hash": base64.b64encode(merkle.root(hashes(3))).decode(),
        "key_id": head.key_id,
        "signature": base64.b64encode(bytes(head.signature)).decode(),
    }
    assert client.get(reverse("log:sth_of_size", args=[3])).json() == data
    missing = client.get(reverse("log:sth_of_size", args=[2]))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    key = client.get(reverse("log:public_key")).json()
    assert key["algorithm"] == "Ed25519" and hashlib.sha256(b(key["public_key"])).hexdigest() == head.key_id
    assert key["pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_the_first_sth_request_signs_one(client, db):
    data = client.get(reverse("log:sth")).json()
    assert data["tree_size"] == 0 and b(data["root_hash"]) == merkle.EMPTY_ROOT
    assert TreeHead.objects.count() == 1


def test_inclusion_proof_by_index_verifies(client, db, source):
    add(11)
    tlog.sign_tree_head()
    data = client.get(reverse("log:inclusion"), {"index": 6, "tree_size": 11}).json()
    assert "leaf_bytes" not in data  # anonymous: hashes only
    merkle.verify_inclusion(
        6, 11, b(data["leaf_hash"]), [b(p) for p in data["audit_path"]], b(data["sth"]["root_hash"])
    )
    # a size without a signed head: still a proof, against the root a verifier computes or got elsewhere
    data = client.get(reverse("log:inclusion"), {"index": 6, "tree_size": 9}).json()
    assert data["sth"] is None
    merkle.verify_inclusion(
        6, 9, b(data["leaf_hash"]), [b(p) for p in data["audit_path"]], merkle.root(hashes(9))
    )


def test_inclusion_proof_by_object_gives_readers_the_leaf_bytes(client, db, source, alice):
    add(4)
    tlog.sign_tree_head()
    url = reverse("log:inclusion")
    anonymous = client.get(url, {"object_type": TYPE, "object_id": "2"}).json()
    assert anonymous["leaf_index"] == 2 and "leaf_bytes" not in anonymous
    client.force_login(alice)
    data = client.get(url, {"object_type": TYPE, "object_id": "2"}).json()
    assert b(data["leaf_bytes"]) == blob(2)
    assert merkle.leaf_hash(b(data["leaf_bytes"])) == b(data["leaf_hash"])
    assert data["tree_size"] == 4 and data["sth"]["tree_size"] == 4
    missing = client.get(url, {"object_type": TYPE, "object_id": "99"})
    assert missing.status_code == 404 and missing.json()["error"] == "not_logged"


def test_a_new_leaf_gets_a_head_signed_on_demand_at_most_every_interval(client, db, source, settings):
    add(2)
    tlog.sign_tree_head()
    add(1, start=2)
    url = reverse("log:inclusion")
    pending = client.get(url, {"index": 2})
    assert pending.status_code == 202
    assert pending.json()["pending"] is True and 1 <= int(pending["Retry-After"]) <= 10
    assert TreeHead.objects.count() == 1  # within the interval: nothing signed
    settings.GONGKAI_LOG_SIGN_INTERVAL = 0
    data = client.get(url, {"index": 2}).json()
    assert data["tree_size"] == 3 and data["sth"]["tree_size"] == 3
    assert TreeHead.objects.count() == 2
    client.get(url, {"index": 1})  # covered by the latest head: nothing new
    assert TreeHead.objects.count() == 2


def test_consistency_proof_endpoint(client, db, source):
    add(13)
    data = client.get(reverse("log:consistency"), {"first": 5, "second": 13}).json()
    proof = [b(p) for p in data["consistency_path"]]
    merkle.verify_consistency(5, 13, merkle.root(hashes(5)), merkle.root(hashes(13)), proof)


def test_leaves_are_paged(client, db, source):
    add(7)
    data = client.get(reverse("log:leaves"), {"start": 2, "end": 5}).json()
    assert [leaf["index"] for leaf in data["leaves"]] == [2, 3, 4]
    assert b(data["leaves"][0]["leaf_hash"]) == merkle.leaf_hash(blob(2))
    assert data["tree_size"] == 7
    clipped = client.get(reverse("log:leaves"), {"start": 0, "end": 50000}).json()
    assert clipped["end"] == 1000 and len(clipped["leaves"]) == 7


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("log:inclusion", {"index": "x"}, "index must be a whole number"),
        ("log:inclusion", {"index": "-1"}, "index must be a whole number"),
        ("log:inclusion", {"index": "1", "tree_size": "9"}, "no tree of 9 leaves"),
        ("log:inclusion", {"index": "2", "tree_size": "2"}, "leaf 2 is not in a tree of 2 leaves"),
        ("log:consistency", {"first": "4", "second": "3"}, "no consistency proof from 4 to 3"),
        ("log:consistency", {"first": "1", "second": "9"}, "no tree of 9 leaves"),
        ("log:consistency", {"first": "1"}, "second must be a whole number"),
        ("log:leaves", {"start": "4", "end": "2"}, "end must not be smaller than start"),
    ],
)
def test_bad_input_gets_a_json_error(client, db, source, name, params, message):
    add(3)
    response = client.get(reverse(name), params)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request" and message in response.json()["message"]


def test_unknown_leaf_is_not_found(client, db, source):
    response = client.get(reverse("log:inclusion"), {"index": 0})
    assert response.status_code == 404 and "no leaf 0" in response.json()["message"]


def test_endpoints_allow_other_sites_to_read(client, db, source):
    assert client.get(reverse("log:sth"))["Access-Control-Allow-Origin"] == "*"


def test_the_log_page_renders_the_badge_for_an_entry(client, db, source):
    add(3)
    tlog.sign_tree_head()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("log:index"), {"index": 1}).content.decode()
    assert 'data-leaf-index="1"' in page and "gongkai/verify.js" in page
    assert "Verified: included in the signed log of %(size)s entries" in page
    bad = client.get(reverse("log:index"), {"index": "9"}).content.decode()
    assert "The log has no entry “9”" in bad and "data-log-badge" not in bad


# --- the whole-log check --------------------------------------------------------------------------------------


def test_verify_all_passes_on_an_untouched_log(db, source):
    add(37)
    tlog.sign_tree_head()
    add(20, start=37)
    tlog.sign_tree_head()
    add(3, start=57)  # not yet covered by a head: still checked against the objects
    result = tlog.verify_all(batch=8)  # several batches: nodes completed across batch boundaries
    assert result.ok, result.problems
    assert (result.leaves, result.tree_heads) == (60, 2)
    assert result.nodes == LogNode.objects.count() == 60 - bin(60).count("1")


def test_verify_log_command(db, source, capsys):
    add(4)
    tlog.sign_tree_head()
    call_command("verify_log")
    assert "log ok: 4 leaves" in capsys.readouterr().out


def test_verify_all_names_a_changed_object(db, source):
    add(9)
    tlog.sign_tree_head()
    BLOBS["4"] = b"rewritten"
    result = tlog.verify_all(batch=4)
    assert result.problems == [
        f"leaf 4 ({TYPE} 4): the stored object no longer matches its leaf — changed after publication"
    ]


def test_verify_all_names_an_object_without_source(db, source):
    tlog.append_many([("other.kind", "1", b"x")])
    assert tlog.verify_all().problems == ["no source is registered for the log's other.kind leaves"]


def test_tasks_sign_and_verify(db, source):
    add(2)
    assert log_tasks.sign_tree_head.call()["tree_size"] == 2
    outcome = log_tasks.verify_log.call()
    assert outcome["ok"] is True and outcome["leaves"] == 2 and outcome["tree_heads"] == 1


def test_sign_tree_head_command(db, source, capsys):
    add(5)
    call_command("sign_tree_head")
    assert "signed tree head: 5 leaves" in capsys.readouterr().out
    assert TreeHead.objects.get().tree_size == 5
    assert json.loads(json.dumps(tlog.head_json(TreeHead.objects.get())))["tree_size"] == 5


# --- the independent verifier of the docs -------------------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[4] / "docs" / "verify_example.py"


@pytest.fixture
def example():
    spec = importlib.util.spec_from_file_location("verify_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_documented_verifier_checks_a_real_log(client, db, source, example):
    def fetch(path):
        return client.get(path).json()

    add(5)
    saved = tlog.head_json(tlog.sign_tree_head())
    add(8, start=5)
    tlog.sign_tree_head()
    key_id = tlog.key_id()
    sth = example.verify(fetch, key_id, index=3, leaf_bytes=blob(3), known=saved)
    assert sth["tree_size"] == 13
    for index in range(13):
        example.verify(fetch, key_id, index=index)
    with pytest.raises(example.NotVerified, match="these bytes are not that leaf"):
        example.verify(fetch, key_id, index=3, leaf_bytes=blob(4))
    with pytest.raises(example.NotVerified, match="does not extend"):
        example.verify(fetch, key_id, known={**saved, "root_hash": base64.b64encode(b"\x07" * 32).decode()})
    with pytest.raises(example.NotVerified, match="not the one you expect"):
        example.verify(fetch, "0" * 64)


def test_the_documented_verifier_refuses_a_forged_head(client, db, source, example):
    from cryptography.exceptions import InvalidSignature

    add(3)
    head = tlog.sign_tree_head()
    TreeHead.objects.create(
        tree_size=9,
        root_hash=b"\x01" * 32,
        timestamp=head.timestamp,
        key_id=head.key_id,
        signature=head.signature,
    )
    with pytest.raises(InvalidSignature):
        example.verify(lambda path: client.get(path).json(), tlog.key_id())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_log(source):
    """Four threads publish at once, each in its own transactions: one leaf after the other, no gap, no fork."""
    errors = []

    def publish(worker: int) -> None:
        try:
            for i in range(15):
                key = f"{worker}-{i}"
                BLOBS[key] = key.encode()
                with transaction.atomic():
                    tlog.append(TYPE, key, key.encode())
                    if i % 5 == 0:
                        tlog.head_covering(1, min_interval=0)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list(LogLeaf.objects.values_list("index", flat=True)) == list(range(60))
    tlog.sign_tree_head()
    result = tlog.verify_all(batch=16)
    assert result.ok, result.problems
