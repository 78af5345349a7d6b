"""Three survivor indexes that no query reads, dropped; ``merged_into``'s made partial.

Every index is one more write on every create (and on a bulk import, on every row). Of
the twelve on ``survivors_survivor``:

(``organisation_id``'s own index stays: the lists' capped count and a deep page's skip
read it where one organisation is much of the table; ``test_list_plans.py``.)
- ``duplicate_key`` alone and its ``varchar_pattern_ops`` copy (``_like``): the duplicate
  check always looks a key up within one organisation (``find_duplicates``), which the
  ``(organisation_id, duplicate_key)`` index serves; nothing matches a key by prefix;
- ``reference``'s ``_like`` copy (PostgreSQL): nothing matches a survivor's reference by
  prefix (``LIKE 'x%'``); equality and ``IN`` read the unique index, and the caseload's
  ``icontains`` (``UPPER(..) LIKE '%x%'``) can use neither;
- ``merged_into_id``: NULL on nearly every row; now indexed only where set.

The foreign keys' constraints are not touched (Django's own ``AlterField`` would drop and
re-add them, re-checking every row): only the indexes are dropped, by name.
"""

import django.db.models.deletion
from django.db import migrations, models

_DROPPED = {
    # name: (column, operator class or "")
    "survivors_survivor_duplicate_key_f84c5899": ("duplicate_key", ""),
    "survivors_survivor_duplicate_key_f84c5899_like": ("duplicate_key", "varchar_pattern_ops"),
    "survivors_survivor_reference_10097c48_like": ("reference", "varchar_pattern_ops"),
    "survivors_survivor_merged_into_id_dd704d74": ("merged_into_id", ""),
}


def drop_indexes(apps, schema_editor):
    for name in _DROPPED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_indexes(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, (column, opclass) in _DROPPED.items():
        if opclass and not postgresql:
            continue
        schema_editor.execute(f'CREATE INDEX "{name}" ON "survivors_survivor" '
                              f'("{column}"{" " + opclass if opclass else ""})')


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0012_idempotency_keys"),
        ("survivors", "0015_birth_year_follows_date_of_birth"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="survivor",
                    name="duplicate_key",
                    field=models.CharField(blank=True, max_length=64, null=True),
                ),
                migrations.AlterField(
                    model_name="survivor",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_from", to="survivors.survivor"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
        migrations.AddIndex(
            model_name="survivor",
            index=models.Index(condition=models.Q(("merged_into__isnull", False)),
                               fields=["merged_into"], name="survivor_merged_into"),
        ),
    ]
