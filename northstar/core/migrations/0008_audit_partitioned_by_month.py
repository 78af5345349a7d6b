"""On PostgreSQL, the audit log partitioned by month of ``at`` (issue 13, "Audit growth").

The table is rebuilt as ``PARTITION BY RANGE (at)`` with one partition per UTC month,
from the month of the oldest entry to twelve months ahead, and a default partition.
Every entry is copied with its id, so the hash chain is unchanged; the identity
sequence continues after the last id. The primary key becomes (id, at), as
PostgreSQL requires the partition key in it (ids stay unique: one sequence gives
them). The indexes, foreign keys and the append-only trigger are created again on
the new table (PostgreSQL clones them onto every partition); ``manage.py migrate``
grants the runtime role again afterwards (``dbroles.grant_runtime`` revokes its
changes on each partition too). Backwards, the same rebuild makes a plain table.
SQLite has no partitions: nothing happens there.
"""

import datetime as dt

from django.db import migrations

TABLE = "core_auditentry"
OLD = "core_auditentry_unpartitioned"
TRIGGER = ("CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON "
           "core_auditentry FOR EACH ROW EXECUTE FUNCTION northstar_audit_append_only()")


def _rebuild(schema_editor, *, partitioned: bool):
    from northstar.core import auditparts

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = %s AND indexname <> %s", [TABLE, f"{TABLE}_pkey"])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f'", [TABLE])
        foreign_keys = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE "{TABLE}" DROP CONSTRAINT "{name}"')
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME CONSTRAINT "{TABLE}_pkey" TO "{OLD}_pkey"')
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{OLD}"')
        cursor.execute(
            f'CREATE TABLE "{TABLE}" (LIKE "{OLD}" INCLUDING DEFAULTS INCLUDING IDENTITY '
            f'INCLUDING STORAGE){" PARTITION BY RANGE (at)" if partitioned else ""}')
        if partitioned:
            cursor.execute(f'SELECT min(at) FROM "{OLD}"')
            (oldest,) = cursor.fetchone()
            today = dt.datetime.now(dt.UTC).date()
            auditparts.ensure_partitions(
                cursor, start=oldest.astimezone(dt.UTC).date() if oldest else today,
                months_ahead=12, today=today)
            cursor.execute(f'CREATE TABLE "{TABLE}_default" PARTITION OF "{TABLE}" DEFAULT')
        cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM "{OLD}"')  # noqa: S608
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "
                       f'COALESCE(max(id), 0) + 1, false) FROM "{TABLE}"')  # noqa: S608
        cursor.execute(f'DROP TABLE "{OLD}" CASCADE')  # its own partitions, going backwards
        key = "id, at" if partitioned else "id"
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY ({key})')
        for _name, definition in indexes:
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(TRIGGER)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=True)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_audit_lean_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
