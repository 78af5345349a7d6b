"""A partial index for Do No Harm's counts of one organisation (``counting.do_no_harm``).

Its "how often survivors told their story" counts the interviews and the hearings where the
survivor testified (``details -> 'testimony'`` in person or by video): without an index
that holds exactly those rows, PostgreSQL reads every event of the table with its JSON
``details`` (160,000 of 283,000 at 100,000 cases) to pick them. ``ins_event_told`` holds only
the told events (its ``WHERE`` is the statement's own condition, so the planner proves it),
keyed by case: an index-only scan (353 buffers instead of 8,117 and 44 ms instead of 258 ms
at 100,000 cases, bench/README.md, "Branch h-insights"). An expression index for how
reflection periods ended (``details ->> 'decision'``) was tried and left out: PostgreSQL
still reads the heap for it (no index-only scan on an expression), 93 ms against 129 ms.
PostgreSQL only, like 0003; SQLite, for development, goes without.
"""

from django.db import migrations

INDEXES = {
    "ins_event_told": (
        "justice_timelineevent (case_id) WHERE voided_at IS NULL AND "
        "(kind = 'interview' OR ((details -> 'testimony') = ANY "
        "('{\"\\\"in_person\\\"\",\"\\\"video\\\"\"}'::jsonb[]) AND kind = 'hearing'))"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0004_figure_grid_unit"),
        ("justice", "0004_event_task_dates"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
