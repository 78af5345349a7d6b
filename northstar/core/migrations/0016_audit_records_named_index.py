"""Every entry's records indexed, built without stopping the log (issue 13, h-auditjobs).

``audit_records_named``: a GIN index (``jsonb_path_ops``) of ``record_ids`` of every entry,
on PostgreSQL. It answers ``record_ids @> '["1207"]'`` (``AuditEntry.record_ids__names``)
for any record type: the audit search finds a survivor's case lists, claim lists, task
lists… (``audit.naming_records``) and an entry naming one record by its id
(``/audit/?record_type=case&record_id=55``). It replaces ``audit_survivor_lists`` (0015),
which held only survivor lists without a reference: a case list read was not findable.

**Built concurrently.** PostgreSQL cannot ``CREATE INDEX CONCURRENTLY`` on a partitioned
table (the audit log is one, by month: 0008), so Django's ``AddIndexConcurrently`` fails on
it. Instead, as PostgreSQL's manual describes for partitioned tables: the parent's index is
made ``ON ONLY`` the parent (instant, invalid until every partition has one), then each
partition's own index is built ``CONCURRENTLY`` (writes go on) and attached; the parent's
index turns valid when the last is attached, and partitions created later get theirs with
the partition. Non-atomic: a concurrent build cannot run in a transaction. Run again after
an interruption, it drops a partition's half-built (invalid) index and builds it again.
Dropping ``audit_survivor_lists`` takes the table's lock for a moment (no build).
``docs/deploy.md`` ("Audit indexes") has the operational note.

SQLite has no GIN index: the lookup reads ``record_ids`` with ``json_each`` there.
"""

from django.db import migrations

INDEX = "audit_records_named"
OLD = "audit_survivor_lists"
METHOD = "USING gin (record_ids jsonb_path_ops)"


def _partitions(cursor) -> list[str]:
    cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = 'core_auditentry'::regclass ORDER BY c.relname")
    return [row[0] for row in cursor.fetchall()]


def _is_partitioned(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table "
                   "WHERE partrelid = 'core_auditentry'::regclass")
    return cursor.fetchone() is not None


def _index_state(cursor, name: str) -> bool | None:
    """Whether the index ``name`` is valid (None: there is none)."""
    cursor.execute("SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
                   "WHERE c.relname = %s", [name])
    row = cursor.fetchone()
    return None if row is None else row[0]


def _attached(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE c.relname = %s AND i.inhparent = %s::regclass", [name, INDEX])
    return cursor.fetchone() is not None


def partition_index(partition: str) -> str:
    # Partition names are ``core_auditentry_y2026m12`` (or ``_default``): within 63 bytes.
    return f"{partition}_records_named"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not _is_partitioned(cursor):  # a log never partitioned: one concurrent build
            if _index_state(cursor, INDEX) is False:
                cursor.execute(f"DROP INDEX CONCURRENTLY {INDEX}")
            cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
                           f"ON core_auditentry {METHOD}")
        else:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON ONLY core_auditentry {METHOD}")
            for partition in _partitions(cursor):
                name = partition_index(partition)
                if _attached(cursor, name):
                    continue
                if _index_state(cursor, name) is False:  # a build that was interrupted
                    cursor.execute(f'DROP INDEX CONCURRENTLY "{name}"')
                cursor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" '
                               f'ON "{partition}" {METHOD}')
                cursor.execute(f'ALTER INDEX {INDEX} ATTACH PARTITION "{name}"')
        cursor.execute(f"DROP INDEX IF EXISTS {OLD}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {OLD} ON core_auditentry "
                       "USING gin (record_ids jsonb_path_ops) "
                       "WHERE record_type = 'survivor' AND survivor_ref = ''")
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    atomic = False

    dependencies = [("core", "0015_audit_survivor_lists_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
