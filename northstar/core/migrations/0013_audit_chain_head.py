"""The audit chain's head in one row (issue 13): the hash the next entry links to.

The row starts from the log's last entry (or ``chain.GENESIS`` when the log is empty).
On PostgreSQL every entry then moves it on in the same statement that inserts the
entry (``core/audit.py``); on SQLite a trigger keeps it at the last entry inserted.

Run it with no instance of the earlier code writing: that code links to the newest entry
it finds and never moves the head on, so an entry it wrote after this migration would be
skipped by the next one linked through the head (``verify_audit`` would find the fork).
"""

from django.db import migrations, models

from northstar.core import chain

#: SQLite: the head follows every entry inserted (PostgreSQL moves it in the INSERT itself).
SQLITE_TRIGGER = """
CREATE TRIGGER core_auditentry_chain_head AFTER INSERT ON core_auditentry
BEGIN
    INSERT INTO core_auditchainhead (id, prev_hash, entry_hash)
    VALUES (1, NEW.prev_hash, NEW.entry_hash)
    ON CONFLICT (id) DO UPDATE SET prev_hash = excluded.prev_hash,
                                   entry_hash = excluded.entry_hash;
END
"""

#: Key of the advisory lock the earlier code took around each entry ("NSAUDIT").
CHAIN_LOCK = 0x4E5341554454


def head_from_last_entry(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # An entry the earlier code is writing at this moment is committed first.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        cursor.execute("SELECT prev_hash, entry_hash FROM core_auditentry "
                       "ORDER BY id DESC LIMIT 1")
        last = cursor.fetchone()
        cursor.execute("INSERT INTO core_auditchainhead (id, prev_hash, entry_hash) "
                       "VALUES (1, %s, %s)", list(last) if last else ["", chain.GENESIS])
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_chain_head")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0012_idempotency_keys'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('prev_hash', models.CharField(blank=True, max_length=64)),
                ('entry_hash', models.CharField(max_length=64)),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='audit_chain_head_one_row')],
            },
        ),
        migrations.RunPython(head_from_last_entry, drop_trigger),
    ]
