"""The lists are read from the indexes that match them, on PostgreSQL (issue 13).

A few thousand cheap rows in two organisations, ``ANALYZE``, then ``EXPLAIN`` of exactly
the querysets the API and the caseload run: each must be an index scan on the named
composite index — one range of one organisation's live records in list order, stopping
after the page — never a sequential scan of every survivor followed by a sort. (The
planner is left free: no ``enable_seqscan=off``.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from northstar import policy
from northstar.core import keyset
from northstar.core.models import Organisation
from northstar.survivors.models import Case, Survivor

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="query plans are PostgreSQL's")

PER_ORGANISATION = 3000


def _fill(organisation: Organisation, prefix: str) -> None:
    start = timezone.now() - dt.timedelta(days=400)
    survivors = Survivor.objects.bulk_create(
        Survivor(organisation=organisation, reference=f"{prefix}{n}", nationality="KH",
                 created_at=start + dt.timedelta(minutes=n))
        for n in range(PER_ORGANISATION))
    Case.objects.bulk_create(
        Case(survivor=s, organisation=organisation, reference=f"{s.reference}-C1",
             jurisdiction="KH", forms_of_exploitation=["labour"], created_at=s.created_at)
        for s in survivors)


@pytest.fixture
def many_records(org_a, org_b):
    _fill(org_a, "PA")
    _fill(org_b, "PB")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE survivors_survivor")
        cursor.execute("ANALYZE survivors_case")


def assert_reads_index(queryset, index: str, table: str) -> None:
    plan = queryset.explain()
    assert index in plan, plan
    assert f"Seq Scan on {table}" not in plan, plan
    assert "Sort Key" not in plan, plan  # read in index order: no sort of the organisation


def test_the_survivor_list_reads_one_index_range(many_records, caseworker, actor_for):
    survivors = policy.visible_survivors(actor_for(caseworker))
    assert_reads_index(survivors[:26], "survivor_org_live_recent", "survivors_survivor")


def test_the_next_page_by_cursor_starts_inside_the_index(many_records, caseworker, actor_for):
    survivors = policy.visible_survivors(actor_for(caseworker))
    first = keyset.page(survivors, size=25)
    following = keyset.after(survivors, first.next)
    assert_reads_index(following[:26], "survivor_org_live_recent", "survivors_survivor")
    plan = following[:26].explain()
    assert "Index Cond" in plan and "created_at <=" in plan, plan


def test_the_case_list_reads_one_index_range(many_records, caseworker, actor_for):
    cases = policy.visible_cases(actor_for(caseworker))
    assert_reads_index(cases[:26], "case_org_live_recent", "survivors_case")


def test_the_capped_count_reads_the_index_not_the_table(many_records, caseworker, actor_for):
    survivors = policy.visible_survivors(actor_for(caseworker)).order_by()
    plan = survivors.values("pk")[: keyset.COUNT_CAP + 1].explain()
    assert "Index" in plan and "Seq Scan" not in plan, plan
