"""The covering indexes of migration insights 0003 exist on PostgreSQL and can answer one
organisation's consent gate and case list (issue 15 §4)."""

from __future__ import annotations

import pytest
from django.db import connection

from northstar.insights.counting import counted_cases, told_events

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'",
                                 reason="PostgreSQL's INCLUDE indexes")]


def test_every_insights_index_exists():
    import importlib

    indexes = importlib.import_module(
        "northstar.insights.migrations.0003_covering_indexes").INDEXES
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)",
                       [list(indexes)])
        assert {row[0] for row in cursor.fetchall()} == set(indexes)


def test_one_organisations_counted_cases_can_be_answered_from_the_indexes(case_a, org_a):
    """Every column the per-organisation case count reads is in the index (key or INCLUDE),
    so PostgreSQL can answer it from the index alone; which plan it picks on a handful of
    test rows is its business (bench/README.md shows the index-only scans at 100k)."""
    query = counted_cases(org_a.pk).values("id", "trial_participation").query
    assert query.model._meta.db_table == "survivors_case"
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
                       [["ins_case_org_counted", "ins_consent_statistics"]])
        found = dict(cursor.fetchall())
    case_index = found["ins_case_org_counted"]
    for column in ("organisation_id", "survivor_id", "trial_participation", "created_at"):
        assert column in case_index
    assert "archived_at IS NULL" in case_index
    assert "survivor_id" in found["ins_consent_statistics"]
    assert "'statistics'" in found["ins_consent_statistics"]


def test_the_told_events_of_do_no_harm_can_be_read_from_their_partial_index():
    """``ins_event_told`` (insights 0005) holds exactly the events ``do_no_harm`` counts as
    a retelling: the planner proves the statement's condition implies the index's, so it can
    use it (with sequential scans off: on a handful of test rows it would rather scan)."""
    sql, params = told_events().values("case_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'ins_event_told'")
        assert cursor.fetchone() is not None
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "ins_event_told" in plan, plan
