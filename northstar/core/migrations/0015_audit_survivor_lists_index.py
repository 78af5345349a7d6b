"""Two indexes for the audit log's page and its search (issue 13, h-auditview).

``audit_org_others_at`` (both databases): the entries an organisation made about others'
survivors or about none, newest first. With ``audit_owner_org_at`` an organisation's log is
two ordered index reads (``audit.log_parts``); their OR was a bitmap of the whole log, sorted
(2.3 s for the first page at 2.1 M entries). Partial: most entries are the organisation's own.
It replaces ``audit_org_at`` (every entry), whose one reader was that OR.

On PostgreSQL, an index of the survivors a list read names (issue 13, "who read this
survivor's record?"; ``docs/operations.md`` §2).

A list read is one entry naming every id it showed (``record_ids``, a JSON array of ids
as strings: ``["1207", "1342", …]``), with no ``survivor_ref``; a search by survivor
reference found only the entries carrying that one reference. This GIN index
(``jsonb_path_ops``: it answers ``record_ids @> '["1207"]'``) covers only the entries that
index finds nothing else for: survivor entries without a reference (the survivors lists,
the caseload, the engagement lists, exports). It is built from the chained column itself,
so it adds nothing to trust beside the hash chain, and it is a partitioned index: each
month's partition has its own, created with the partition and archived or dropped with it.

SQLite has no GIN index: there the search reads ``record_ids`` with ``json_each``
(``AuditEntry.record_ids__names``), a scan that a development database can afford.
Building it locks the log against writes while it runs (an index on a partitioned table
cannot be built concurrently): ``bench/README.md`` (h-auditview) says how long it took.
"""

from django.conf import settings
from django.db import migrations, models

INDEX = "audit_survivor_lists"
CREATE = (f"CREATE INDEX IF NOT EXISTS {INDEX} ON core_auditentry "
          "USING gin (record_ids jsonb_path_ops) "
          "WHERE record_type = 'survivor' AND survivor_ref = ''")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0014_audit_without_actor_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        # The part of an organisation's log it does not own, read newest first on its own
        # (``audit.log_parts``): its whole log is two ordered index reads, not an OR; the
        # whole (organisation, at) index served only that OR (one b-tree insert less per entry).
        migrations.RemoveIndex(model_name="auditentry", name="audit_org_at"),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("owner_organisation", models.F("organisation")),
                                   _negated=True),
                fields=["organisation", "-at"], name="audit_org_others_at"),
        ),
    ]
