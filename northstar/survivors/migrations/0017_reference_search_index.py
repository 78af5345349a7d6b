"""The caseload's search by reference reads an index, not every survivor (PostgreSQL).

The caseload filters by ``reference__icontains``, ``UPPER("reference"::text) LIKE
UPPER('%term%')``: no B-tree serves a pattern with a leading wildcard, so typing one
reference read every survivor of the organisation, twice (the page and its capped count:
~300 ms a search at 100,000 survivors; bench/README.md, h-plans). A trigram GIN index on
the same expression answers it from the few references that hold the term's trigrams.
Terms shorter than three characters still read the list's own index in order (they match
many references, so a page fills at once).

``pg_trgm`` ships with PostgreSQL and is a *trusted* extension (13+), but creating it
needs CREATE on the database, which the owner role of ``db_roles`` does not hold: ``manage.py
db_roles --create`` creates it as the administrator. Without it (an older setup, a role
without the right) the migration warns and leaves the index out; the search gives the
same answers, more slowly. Nothing on SQLite.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

INDEX = "survivor_reference_trgm"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as e:
        log.warning("survivors 0017: no pg_trgm extension (%s); the caseload's search by "
                    "reference stays unindexed. Run `CREATE EXTENSION pg_trgm` as an "
                    "administrator (manage.py db_roles --create does), then migrate "
                    "survivors 0016 and forward again.", e)
        return
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "survivors_survivor" '
                          'USING gin (UPPER("reference"::text) gin_trgm_ops)')


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):

    dependencies = [
        ("survivors", "0016_lean_survivor_indexes"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
