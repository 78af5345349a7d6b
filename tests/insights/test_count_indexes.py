"""The covering indexes of migration insights 0091 exist on PostgreSQL and can answer one
organisation's consent gate and case list (issue 15 §4)."""

from __future__ import annotations

import pytest
from django.db import connection

from northstar.insights.counting import counted_cases

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
    sql, params = counted_cases(org_a.pk).values("id", "trial_participation").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ins_case_org_counted" in plan
    assert "ins_consent_statistics" in plan
