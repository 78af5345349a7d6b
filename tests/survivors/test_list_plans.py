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
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar import policy
from northstar.core import keyset
from northstar.core.models import Organisation
from northstar.survivors.models import Case, Survivor
from northstar.web import mine

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="query plans are PostgreSQL's")

PER_ORGANISATION = 3000


def _fill(organisation: Organisation, prefix: str, staff=()) -> None:
    """Survivors with a case each, the cases shared among ``staff``, who also recorded a
    few survivors that have no case yet."""
    start = timezone.now() - dt.timedelta(days=400)
    survivors = Survivor.objects.bulk_create(
        Survivor(organisation=organisation, reference=f"{prefix}{n}", nationality="KH",
                 created_at=start + dt.timedelta(minutes=n), has_cases=n % 10 != 0,
                 created_by=staff[n % len(staff)] if staff else None)
        for n in range(PER_ORGANISATION))
    Case.objects.bulk_create(
        Case(survivor=s, organisation=organisation, reference=f"{s.reference}-C1",
             jurisdiction="KH", forms_of_exploitation=["labour"], created_at=s.created_at,
             survivor_created_at=s.created_at,
             caseworker=staff[n % len(staff)] if staff else None)
        for n, s in enumerate(survivors) if s.has_cases)


@pytest.fixture
def many_records(org_a, org_b, users):
    staff = [u for (key, _role), u in sorted(users.items()) if key == "a"]
    _fill(org_a, "PA", staff)
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
    assert_reads_index(cases[:26], "case_org_visible_recent", "survivors_case")


def test_the_case_lists_capped_count_reads_one_index_and_no_survivor(
        many_records, caseworker, actor_for):
    cases = policy.visible_cases(actor_for(caseworker)).order_by()
    plan = cases.values("pk")[: keyset.count_cap() + 1].explain()
    assert "survivors_survivor" not in plan and "Seq Scan" not in plan, plan


def test_my_cases_count_reads_two_indexes_and_no_table_row(many_records, caseworker,
                                                            actor_for):
    me = actor_for(caseworker)
    with CaptureQueriesContext(connection) as captured:
        mine.count(me)
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Index Only Scan" in plan and "Seq Scan" not in plan, plan
        assert "case_mine_by_survivor" in plan or "survivor_mine_without_case" in plan, plan


def test_a_page_of_my_cases_is_two_index_ranges_without_a_sort(many_records, caseworker,
                                                                actor_for):
    me = actor_for(caseworker)
    first = mine.page(me, size=25)
    for cursor in (None, first.next):
        with CaptureQueriesContext(connection) as captured:
            mine.page(me, size=25, cursor=cursor)
        plans = []
        for query in captured.captured_queries:
            with connection.cursor() as cursor_:
                cursor_.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor_.fetchall()))
        assert len(plans) == 2
        assert "case_mine_by_survivor" in plans[0] and "Sort Key" not in plans[0], plans[0]
        assert "survivor_mine_without_case" in plans[1] and "Sort Key" not in plans[1], plans[1]


def test_the_capped_count_reads_the_index_not_the_table(many_records, caseworker, actor_for):
    survivors = policy.visible_survivors(actor_for(caseworker)).order_by()
    plan = survivors.values("pk")[: keyset.count_cap() + 1].explain()
    assert "Index" in plan and "Seq Scan" not in plan, plan



@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["supervisor", "researcher"])
def test_the_figures_read_the_live_cases_from_one_index_only(many_records, users, role):
    """The delivery and compensation figures take the organisation's live cases of live
    survivors (with their survivor ids) from the partial index ``case_org_live_survivor``
    alone: no survivor joined, no pass over the cases' sealed rows. (Committed and vacuumed
    first, as autovacuum leaves a table: an index-only scan is priced by the visibility map.)"""
    from northstar.compensation import reports
    from northstar.core.actor import Actor
    from northstar.pathways import actions

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE survivors_case")
    actor = Actor.for_user(users[("a", role)], "api")
    researcher = policy.sees_only_disclosure_safe_figures(actor)
    cases = actions._delivery_cases(actor, researcher).order_by()
    plan = cases.values("pk", "survivor_id").explain()
    assert "Index Only Scan using case_org_live_survivor" in plan, plan
    assert "Seq Scan on survivors_case" not in plan and "survivors_survivor" not in plan, plan
    claims = reports.organisation_claims(actor).values("pk", "case__survivor")
    assert "survivors_survivor" not in str(claims.query)


@pytest.mark.django_db(transaction=True)
def test_a_deep_page_by_number_skips_ids_in_the_index_then_reads_its_rows_by_key(
        many_records, caseworker, actor_for, settings):
    """Without page anchors (``NORTHSTAR_PAGE_ANCHOR_EVERY=0``; a list that is not anchored,
    or the first 1,000 rows of one that is: ``core.anchors``), ``page=N``: the rows skipped
    are index entries of ``survivor_org_live_recent`` read for their ids only (an
    index-only scan once the table is vacuumed, as a live table is: no table row, no sealed
    column), then the page's rows (by primary key at 100k;
    with this few rows the planner may join on the index instead); never a table scan.
    At 100,000 survivors, page 1900: 626 buffers, all index (bench/README.md, h-lists)."""
    settings.NORTHSTAR_PAGE_ANCHOR_EVERY = 0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE survivors_survivor")
    survivors = policy.visible_survivors(actor_for(caseworker))
    with CaptureQueriesContext(connection) as captured:
        keyset.page(survivors, size=50, offset=50 * 40)
    [query] = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using survivor_org_live_recent" in plan, plan
    assert "Seq Scan" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_a_deep_page_kept_as_one_statement_plans_as_an_index_only_skip(
        many_records, caseworker, actor_for, settings):
    """Without page anchors (as above): The API's ``page=N`` (``rows_of`` a recipe list) is one statement whose OFFSET is a
    parameter; the plan PostgreSQL keeps for it once prepared (a *generic* plan, made
    without the number) still skips the rows as ids in ``survivor_org_live_recent``,
    index only, and reads the page's rows by key: never a table scan."""
    from northstar.apiutils import rows_of
    from northstar.survivors.api import LIST_COLUMNS

    settings.NORTHSTAR_PAGE_ANCHOR_EVERY = 0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE survivors_survivor")
    rows = rows_of(policy.visible_survivors(actor_for(caseworker)), *LIST_COLUMNS)
    sent = []
    with connection.execute_wrapper(
            lambda execute, sql, params, *args: sent.append((sql, params))
            or execute(sql, params, *args)):
        found = keyset.page(rows, size=50, offset=50 * 40)
    assert len(found.rows) == 50
    [(sql, params)] = sent
    assert " OFFSET %s" in sql and 2000 in params
    numbered, n = sql, 0
    while "%s" in numbered:
        n += 1
        numbered = numbered.replace("%s", f"${n}", 1)
    values = ", ".join(str(int(p)) for p in params)
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE deep_page AS {numbered}")
        try:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute(f"EXPLAIN EXECUTE deep_page({values})")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE deep_page")
    assert "Index Only Scan using survivor_org_live_recent" in plan, plan
    assert "Seq Scan" not in plan, plan
