"""A generation for the survivors and cases tables (PostgreSQL): page anchors' freshness.

A deep page by number is positioned from the list's anchors, kept in the cache
(``core.anchors``); they may be used only while the rows they were read from are unchanged.
Each table here gets a sequence moved by a statement-level trigger after every INSERT,
UPDATE, DELETE and TRUNCATE, whatever writes it (``core.generations``). The trigger never
waits for another writer. Nothing on SQLite (it pages by plain OFFSET).
"""

from django.db import migrations

from northstar.core import generations

TABLES = ("survivors_survivor", "survivors_case")


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for statement in generations.install_sql(table):
            schema_editor.execute(statement)
    generations.forget()


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for statement in generations.uninstall_sql(table):
            schema_editor.execute(statement)
    generations.forget()


class Migration(migrations.Migration):
    dependencies = [("survivors", "0018_probe_and_reference_indexes")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
