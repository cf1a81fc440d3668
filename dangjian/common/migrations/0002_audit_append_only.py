"""Database triggers that refuse UPDATE and DELETE on the audit table, so not even raw SQL from
inside the platform can rewrite history.

SQLite: the triggers fire while the one row of ``dangjian_audit_lock`` (a table no model maps, so no
platform code touches it) holds 1. The test suite sets it to 0 only so that Django can empty the
database between browser tests. PostgreSQL: row triggers; TRUNCATE (used by Django's test flush and
only open to the database owner) is left to database privileges."""

from django.db import migrations

SQLITE = [
    "CREATE TABLE dangjian_audit_lock (value integer NOT NULL)",
    "INSERT INTO dangjian_audit_lock (value) VALUES (1)",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON common_auditevent
       WHEN (SELECT value FROM dangjian_audit_lock) = 1
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON common_auditevent
       WHEN (SELECT value FROM dangjian_audit_lock) = 1
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON common_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_append_only();""",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update ON common_auditevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_append_only();")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update;")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_delete;")
        schema_editor.execute("DROP TABLE IF EXISTS dangjian_audit_lock;")


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
