"""The audit ledger: append-only, hash-chained, and tampering is named by `gongkai verify-ledger`."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gongkai.core import ledger
from gongkai.core.models import AuditEntry, LedgerImmutable


@pytest.fixture
def entries(db):
    return [
        ledger.record(
            f"test.action{i}", object_type="test.thing", object_id=str(i), change={"n": i, "text": "述职"}
        )
        for i in range(1, 6)
    ]


def test_entries_chain_to_each_other(entries):
    assert entries[0].prev_hash == ledger.GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1


def test_verify_passes_on_untouched_ledger(entries):
    result = ledger.verify()
    assert result.ok and result.checked == 5


def test_model_refuses_update_and_delete(entries):
    entry = AuditEntry.objects.get(seq=3)
    entry.action = "forged"
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()
    with pytest.raises(LedgerImmutable):
        AuditEntry.objects.filter(seq=3).update(action="forged")
    with pytest.raises(LedgerImmutable):
        AuditEntry.objects.all().delete()


def test_database_refuses_raw_update(entries):
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET action = 'forged' WHERE seq = 3")  # noqa: S608
    assert AuditEntry.objects.get(seq=3).action == "test.action3"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger exists on PostgreSQL")
def test_postgres_refuses_raw_delete(entries):
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq = 3")  # noqa: S608
    assert AuditEntry.objects.filter(seq=3).exists()


def _tamper(sql: str) -> None:
    """Change the table behind the application's back, as a DBA with the guards switched off would."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER core_auditentry_append_only")
            cursor.execute(sql.format(table=table))
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER core_auditentry_append_only")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute(sql.format(table=table))


def test_verify_names_the_altered_entry(entries):
    _tamper('UPDATE {table} SET change = \'{{"n": 99, "text": "述职"}}\' WHERE seq = 3')
    result = ledger.verify()
    assert not result.ok
    assert result.bad_seq == 3
    assert result.checked == 2


def test_verify_names_an_entry_whose_fields_were_rewritten_with_a_fresh_digest(entries):
    forged = ledger._sha(ledger.canonical({"n": 99}))
    _tamper("UPDATE {table} SET change = '{{\"n\": 99}}', digest = '" + forged + "' WHERE seq = 4")
    result = ledger.verify()
    assert (result.ok, result.bad_seq) == (False, 4)


def test_verify_names_a_deleted_entry(entries):
    _tamper("DELETE FROM {table} WHERE seq = 2")
    result = ledger.verify()
    assert (result.ok, result.bad_seq) == (False, 2)


def test_verify_notices_entries_removed_at_the_end(entries):
    _tamper("DELETE FROM {table} WHERE seq = 5")
    assert not ledger.verify().ok


def test_verify_ledger_command_reports_the_entry(entries):
    call_command("verify_ledger")
    _tamper("UPDATE {table} SET action = 'org.forged' WHERE seq = 4")
    with pytest.raises(CommandError, match="#4"):
        call_command("verify_ledger")
