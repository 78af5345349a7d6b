"""The audit log loses its (actor, at) index (issue 13, "Audit growth"; bench/README.md,
h-auditread and h-writes): its one reader, the unusual-reads count over a person's recent
entries, was replaced by the per-minute tally (``core.ReadTally``), so every entry paid a
b-tree insert and its WAL for nothing. On PostgreSQL dropping the partitioned index drops
each month's copy with it.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0013_audit_chain_head'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='auditentry',
            name='audit_actor_at',
        ),
    ]
