"""The open findings work list reads its page in index order, on PostgreSQL (issue 13 sweep).

At 100,000 survivors every finding of the population was open (20,000): the API's first page
and the page's list sorted all of them joined to their cases, 112 ms of SQL for 26 rows.
Many open findings, ``ANALYZE``, then ``EXPLAIN`` of the page's own query: a walk of
``finding_open_order``, no sort. The planner is left free.
"""

from __future__ import annotations

import copy

import pytest
from django.db import connection

from northstar.core.actor import Actor
from northstar.safeguards import actions
from northstar.safeguards.models import Finding
from northstar.survivors.models import Case

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="query plans are PostgreSQL's")

MANY = 3000
CASES = 1500


def test_a_page_of_open_findings_is_one_index_range(case_a, supervisor):
    cases = [case_a]
    for n in range(CASES):  # many cases the supervisor sees, each with a few findings
        clone = copy.copy(case_a)
        clone.pk, clone.reference = None, f"{case_a.reference}-{n}"
        cases.append(clone)
    Case.objects.bulk_create(cases[1:])
    Finding.objects.bulk_create(
        Finding(case=cases[n % len(cases)], action="refer", rule="test", severity=severity, harm="physical",
                explanation=f"finding {n}", source="check", rule_set_version="test",
                status="open" if n % 5 else "resolved")
        for n in range(MANY) for severity in ("block", "warn"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE safeguards_finding")
        cursor.execute("ANALYZE survivors_case")
    page = actions.open_findings(Actor.for_user(supervisor, "test"))[:26]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "finding_open_order" in plan, plan
    assert "Sort" not in plan, plan
    assert [f.severity for f in page][:1] == ["block"]
