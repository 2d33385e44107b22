"""Database triggers that make a table append-only, for migrations of any app.

PostgreSQL: UPDATE and DELETE are refused for every row. SQLite: UPDATE is refused (DELETE stays possible so that
the test runner can flush tables; the application never deletes, and the verifiers detect a removed row).
"""

from __future__ import annotations

from django.db import migrations


def _pg_up(table: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = '{table} is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_refuse();
"""


def _pg_down(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; DROP FUNCTION IF EXISTS {table}_refuse();"


def _sqlite_up(table: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only (UPDATE refused)'); END;"
    )


def _sqlite_down(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_no_update;"


def append_only(*tables: str) -> migrations.RunPython:
    """A migration operation installing the append-only guard on `tables`."""

    def up(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql":
                schema_editor.execute(_pg_up(table))
            elif vendor == "sqlite":
                schema_editor.execute(_sqlite_up(table))

    def down(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql":
                schema_editor.execute(_pg_down(table))
            elif vendor == "sqlite":
                schema_editor.execute(_sqlite_down(table))

    return migrations.RunPython(up, down)
