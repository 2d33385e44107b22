"""Published versions in the transparency log: their documented leaf bytes, and tampering that `gongkai verify-log`
must catch — a body rewritten with raw SQL, a deleted version, a removed or altered log leaf, a forged head.

The attacker here has the table owner's rights: the append-only triggers are switched off first (PostgreSQL:
ALTER TABLE ... DISABLE TRIGGER USER, which an owner may do; SQLite: DROP TRIGGER). The test's transaction puts
them back."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gongkai.core import merkle, tlog
from gongkai.core.models import LogLeaf, TreeHead
from gongkai.disclosures import logleaf
from gongkai.disclosures.models import Disclosure, DisclosureVersion

VERSIONS = DisclosureVersion._meta.db_table
LEAVES = LogLeaf._meta.db_table
PUBLISHED_AT = dt.datetime(2026, 4, 5, 1, 2, 3, 456789, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path):
    settings.GONGKAI_LOG_KEY_FILE = tmp_path / "log.pem"


def publish(unit, category, officer, reviewer, *, title, body, number=1, disclosure=None, public=True):
    """A published version written directly (the workflow's actions are tested elsewhere), then logged."""
    if disclosure is None:
        disclosure = Disclosure.objects.create(
            unit=unit,
            audience=unit,
            category=category,
            draft_title=title,
            created_by=officer,
            status="published",
            is_public=public,
            title=title,
        )
    version = DisclosureVersion.objects.create(
        disclosure=disclosure,
        number=number,
        title=title,
        body=body,
        reason="" if number == 1 else "更正笔误",
        attachments=[{"name": "工资表.pdf", "size": 1234, "type": "application/pdf", "sha256": "ab" * 32}],
        unit_code=unit.code,
        audience_code=unit.code,
        category_code=category.code,
        period="2026-03",
        published_at=PUBLISHED_AT + dt.timedelta(days=number),
        published_by=officer,
        approved_by=reviewer,
    )
    logleaf.log_version(version)
    Disclosure.objects.filter(pk=disclosure.pk).update(current_version=version)
    return version


@pytest.fixture
def versions(tree, olga, leo, wages):
    """Three published versions (the third corrects the first) and a signed head over them."""
    ma, cat = tree["MA"], wages.category
    v1 = publish(ma, cat, olga, leo, title="三月工资公示", body="<p>工资总额一千万元。</p>")
    v2 = publish(ma, cat, olga, leo, title="安全培训计划", body="<p>全年培训四次。</p>")
    v3 = publish(
        ma,
        cat,
        olga,
        leo,
        title="三月工资公示",
        body="<p>工资总额一千零五万元。</p>",
        number=2,
        disclosure=v1.disclosure,
    )
    tlog.sign_tree_head()
    return [v1, v2, v3]


def raw(sql: str, table: str, params=()) -> None:
    """Run SQL as the table's owner would: with the append-only triggers of `table` switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred foreign-key checks first
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            cursor.execute(sql, params)


def broken(first_problem: str) -> None:
    """verify_all and the command both report `first_problem` first; the command exits non-zero."""
    result = tlog.verify_all()
    assert not result.ok
    assert result.problems[0] == first_problem, result.problems
    with pytest.raises(
        CommandError, match="log broken: " + first_problem.replace("(", r"\(").replace(")", r"\)")
    ):
        call_command("verify_log")


# --- the leaf ------------------------------------------------------------------------------------------------


def test_leaf_bytes_are_the_documented_canonical_json(versions):
    v1 = versions[0]
    expected = {
        "approved_by": "A200",
        "attachments": [{"name": "工资表.pdf", "sha256": "ab" * 32, "size": 1234, "type": "application/pdf"}],
        "audience": "MA",
        "body": "<p>工资总额一千万元。</p>",
        "category": "C03",
        "disclosure": v1.disclosure_id,
        "format": "gongkai.disclosure.v1",
        "period": "2026-03",
        "published_at": "2026-04-06T01:02:03.456789Z",
        "published_by": "A100",
        "reason": "",
        "title": "三月工资公示",
        "unit": "MA",
        "version": 1,
    }
    data = logleaf.leaf_bytes(v1)
    assert data == json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )
    assert "工资总额".encode() in data  # UTF-8 itself, not \\u escapes
    leaf = LogLeaf.objects.get(object_type="disclosures.version", object_id=str(v1.pk))
    assert leaf.index == 0 and bytes(leaf.leaf_hash) == merkle.leaf_hash(data)


def test_log_version_returns_the_leaf_index(versions):
    assert [
        LogLeaf.objects.get(object_type=logleaf.OBJECT_TYPE, object_id=str(v.pk)).index for v in versions
    ] == [0, 1, 2]
    assert logleaf.log_version(versions[1]) == 1  # logging it again: the same leaf


def test_who_may_read_the_leaf_bytes(versions, alice, bob, olga, tree, wages, leo):
    hidden = publish(tree["MA"], wages.category, olga, leo, title="未公开", body="<p>草稿</p>", public=False)
    ids = [str(versions[0].pk), str(hidden.pk)]
    assert logleaf.readable(alice, ids) == {str(versions[0].pk)}  # employee of MA1: what is public to MA
    assert logleaf.readable(bob, ids) == set()  # MB1: another mine
    assert logleaf.readable(olga, ids) == set(ids)  # the officer of MA sees the unit's versions


def test_untouched_log_verifies(versions):
    result = tlog.verify_all()
    assert result.ok, result.problems
    assert (result.leaves, result.tree_heads) == (3, 1)


# --- tampering --------------------------------------------------------------------------------------------------


def test_the_database_refuses_a_plain_rewrite(versions):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {VERSIONS} SET body = 'x' WHERE id = %s", [versions[0].pk])  # noqa: S608


def test_a_body_rewritten_with_raw_sql_is_named(versions):
    v2 = versions[1]
    raw(f"UPDATE {VERSIONS} SET body = %s WHERE id = %s", VERSIONS, ["<p>全年培训一次。</p>", v2.pk])  # noqa: S608
    assert DisclosureVersion.objects.get(pk=v2.pk).body == "<p>全年培训一次。</p>"
    broken(
        f"leaf 1 (disclosures.version {v2.pk}): the stored object no longer matches its leaf — "
        "changed after publication"
    )


def test_a_rewrite_after_the_last_head_is_named_too(versions, tree, wages, olga, leo):
    v4 = publish(tree["MA"], wages.category, olga, leo, title="新公示", body="<p>新</p>")
    raw(f"UPDATE {VERSIONS} SET title = %s WHERE id = %s", VERSIONS, ["改过", v4.pk])  # noqa: S608
    broken(
        f"leaf 3 (disclosures.version {v4.pk}): the stored object no longer matches its leaf — "
        "changed after publication (no signed tree head covers it yet)"
    )


def test_a_deleted_version_is_named(versions):
    v1 = versions[0]  # the disclosure's current version is v3: v1 has no row pointing at it
    raw(f"DELETE FROM {VERSIONS} WHERE id = %s", VERSIONS, [v1.pk])  # noqa: S608
    assert not DisclosureVersion.objects.filter(pk=v1.pk).exists()
    broken(f"leaf 0: disclosures.version {v1.pk} is missing — deleted after publication")


def test_a_removed_log_leaf_is_caught_by_the_signed_head(versions):
    raw(f"DELETE FROM {LEAVES} WHERE {connection.ops.quote_name('index')} = 1", LEAVES)  # noqa: S608
    result = tlog.verify_all()
    assert result.problems[0] == "leaf 1 is missing from the log — removed"
    assert any("signed tree head of 3 leaves" in p and "cannot be recomputed" in p for p in result.problems)
    assert f"disclosures.version {versions[1].pk} is not in the log — published without being logged" in (
        result.problems
    )
    with pytest.raises(CommandError, match="leaf 1 is missing from the log"):
        call_command("verify_log")


def test_a_removed_last_leaf_is_caught_by_the_signed_head(versions):
    raw(f"DELETE FROM {LEAVES} WHERE {connection.ops.quote_name('index')} = 2", LEAVES)  # noqa: S608
    result = tlog.verify_all()
    assert result.problems[0].startswith("the signed tree head of 3 leaves (timestamp ")
    assert result.problems[0].endswith("the log holds only 2 leaves — leaves removed")


def test_an_altered_leaf_hash_is_caught_by_the_signed_head(versions):
    forged = merkle.leaf_hash(b"forged")
    raw(
        f"UPDATE {LEAVES} SET leaf_hash = %s WHERE {connection.ops.quote_name('index')} = 1",  # noqa: S608
        LEAVES,
        [forged],
    )
    result = tlog.verify_all()
    head = TreeHead.objects.get()
    assert result.problems[0] == (
        f"leaf 1 (disclosures.version {versions[1].pk}): its leaf hash in the log was changed (the object still "
        f"matches the signed tree head of 3 leaves (timestamp {head.timestamp}))"
    )
    assert (
        "the subtree hash of leaves 0–1 does not match those leaves — changed in the log" in result.problems
    )


def test_an_altered_leaf_hash_and_object_together_break_the_head(versions):
    """The attacker rewrites the body and its leaf hash consistently: only the signed head can tell."""
    v2 = versions[1]
    raw(f"UPDATE {VERSIONS} SET body = %s WHERE id = %s", VERSIONS, ["<p>改</p>", v2.pk])  # noqa: S608
    new_hash = merkle.leaf_hash(logleaf.leaf_bytes(DisclosureVersion.objects.get(pk=v2.pk)))
    raw(
        f"UPDATE {LEAVES} SET leaf_hash = %s WHERE {connection.ops.quote_name('index')} = 1",  # noqa: S608
        LEAVES,
        [new_hash],
    )
    head = TreeHead.objects.get()
    problems = tlog.verify_all().problems
    assert problems[0] == "the subtree hash of leaves 0–1 does not match those leaves — changed in the log"
    assert (
        f"the signed tree head of 3 leaves (timestamp {head.timestamp}): its root does not match the leaves of "
        "the log — leaves changed in the log"
    ) in problems


def test_a_tree_head_with_a_forged_signature_is_named(versions):
    genuine = TreeHead.objects.get()
    forged = TreeHead.objects.create(
        tree_size=2,
        root_hash=merkle.leaf_hash(b"another history"),
        timestamp=genuine.timestamp,
        key_id=genuine.key_id,
        signature=bytes(genuine.signature),
    )
    broken(
        f"the signed tree head of 2 leaves (timestamp {forged.timestamp}): the signature is not valid — "
        "forged or altered"
    )


def test_a_tree_head_signed_with_another_key_is_named(versions, settings, tmp_path):
    settings.GONGKAI_LOG_KEY_FILE = (
        tmp_path / "other.pem"
    )  # the log's key replaced: old heads no longer verify
    head = TreeHead.objects.get()
    broken(
        f"the signed tree head of 3 leaves (timestamp {head.timestamp}): signed by another key — forged or altered"
    )


def test_a_version_published_without_logging_is_named(versions, tree, wages, olga, leo):
    stray = DisclosureVersion.objects.create(
        disclosure=versions[1].disclosure,
        number=2,
        title="未入日志",
        body="<p>x</p>",
        unit_code="MA",
        audience_code="MA",
        category_code="C03",
        published_at=PUBLISHED_AT,
        published_by=olga,
        approved_by=leo,
    )
    broken(f"disclosures.version {stray.pk} is not in the log — published without being logged")


def test_the_documented_example_leaf_is_right(versions):
    """docs/transparency-log.md: the example's size and hash, its canonical form and its keys are the real ones."""
    doc = (Path(__file__).resolve().parents[4] / "docs" / "transparency-log.md").read_text()
    size, example = re.search(r"Example \((\d+) bytes\):\n\n```\n(.*?)\n```", doc, re.S).groups()
    data = example.encode()
    assert len(data) == int(size)
    assert re.search(r"Its leaf hash is `([0-9a-f]{64})`", doc).group(1) == merkle.leaf_hash(data).hex()
    parsed = json.loads(data)
    assert json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == data
    assert parsed.keys() == json.loads(logleaf.leaf_bytes(versions[0])).keys()
