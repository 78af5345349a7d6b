"""The audit hash chain, the owning organisation on each entry, and key-check values.

Entries written before this migration are linked into the chain here, in id
order, and stamped with the organisation that owns their survivor. On
PostgreSQL the append-only trigger is switched off for that one pass (the
migration runs as the table owner) and on again before the transaction ends.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from northstar.core import chain


def link_existing_entries(apps, schema_editor):
    entry_model = apps.get_model("core", "AuditEntry")
    if not entry_model.objects.exists():
        return
    connection = schema_editor.connection
    owners = {}
    if "survivors_survivor" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT reference, organisation_id FROM survivors_survivor")
            owners = dict(cursor.fetchall())
    postgres = connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(
            "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
    prev = chain.GENESIS
    for row in entry_model.objects.order_by("id").values("id", *chain.CHAINED_FIELDS).iterator():
        row["owner_organisation_id"] = owners.get(row["survivor_ref"]) if row["survivor_ref"] else None
        digest = chain.link_hash(row, prev)
        entry_model.objects.filter(pk=row["id"]).update(
            owner_organisation_id=row["owner_organisation_id"], prev_hash=prev, entry_hash=digest)
        prev = digest
    if postgres:
        schema_editor.execute(
            "ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_signin_hardening'),
    ]

    operations = [
        migrations.CreateModel(
            name='KeyCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key_id', models.CharField(max_length=32, unique=True)),
                ('check_value', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name='auditentry',
            name='entry_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='owner_organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(link_existing_entries, migrations.RunPython.noop),
    ]
