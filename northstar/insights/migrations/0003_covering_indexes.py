"""Covering and partial indexes for counting one organisation's insights figures (issue 15 §4).

Counting one organisation (``count(organisation_id)``) reads its cases and, for each, the
statistics consent, the latest ranking, the plan items, the first support, the screening,
a few kinds of timeline event, claims and findings. With only the foreign-key indexes each
of those is an index probe *and* a heap page read per case: a small organisation's cases
are spread over the whole table, so over a million cases that is random reads of pages
mostly holding other organisations' rows. These indexes carry the columns the measures read
(``INCLUDE``) and only the rows they count (partial ``WHERE``), so PostgreSQL answers with
index-only scans whose pages hold nothing else (measured in ``bench/README.md``).

They are small (partial) and the tables they sit on are written at the pace of caseworkers,
so the extra index maintenance on writes is negligible. PostgreSQL only (``INCLUDE`` and
the plans are PostgreSQL's); SQLite, for development, goes without. Tables belong to other
apps: this migration only adds indexes, named ``ins_…``, and drops them on reversal.
"""

from django.db import migrations

INDEXES = {
    "ins_survivor_live": (
        "survivors_survivor (id) INCLUDE (sex, birth_year, created_at) "
        "WHERE archived_at IS NULL"),
    "ins_case_org_counted": (
        "survivors_case (organisation_id) INCLUDE (id, survivor_id, trial_participation, "
        "jurisdiction, created_at) WHERE archived_at IS NULL"),
    "ins_consent_statistics": (
        "survivors_consent (survivor_id) INCLUDE (given_at, withdrawn_at, expires_at) "
        "WHERE purpose = 'statistics'"),
    "ins_priorities_latest": (
        "pathways_priorities (case_id, recorded_at DESC, id DESC) INCLUDE (ranking)"),
    "ins_planitem_case_outcome": (
        "pathways_planitem (case_id, outcome) INCLUDE (id, status, pathway, intervention)"),
    "ins_planchange_support": (
        "pathways_planstatuschange (item_id) INCLUDE (changed_at) "
        "WHERE status IN ('in_progress', 'delivered')"),
    "ins_screening_latest": (
        "screening_screening (case_id, created_at DESC, id DESC) INCLUDE (classification)"),
    "ins_event_counted_kinds": (
        "justice_timelineevent (case_id, kind) WHERE voided_at IS NULL AND kind IN "
        "('interview', 'identification_decision', 'reflection_period_start', "
        "'reflection_period_end', 'hearing')"),
    "ins_event_identified": (
        "justice_timelineevent (case_id) WHERE voided_at IS NULL AND "
        "kind = 'identification_decision' AND (details ->> 'outcome') = 'identified'"),
    "ins_claim_case": (
        "compensation_claim (case_id) INCLUDE (id, route, status, amount_awarded, filed_on)"),
    "ins_finding_case": (
        "safeguards_finding (case_id) INCLUDE (rule, severity, status)"),
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
        ("insights", "0002_figure_counts"),
        # Pinned to the migrations that were the latest when this one was written:
        # "__latest__" moves with every migration added later, and a database that applied
        # this one then refuses to migrate ("applied before its dependency").
        ("survivors", "0011_intelligence_link_purpose"),
        ("pathways", "0001_initial"),
        ("screening", "0003_downgrade_reason"),
        ("justice", "0004_event_task_dates"),
        ("compensation", "0003_sealed_free_text"),
        ("safeguards", "0002_second_supervisor"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
