"""A page by number gives exactly the rows OFFSET paging gives, and a deep one (PostgreSQL)
is positioned from the list's anchors (``core.anchors``): it reads at most an anchor's
stretch and a page of the list's index, however deep, and it is never positioned from
anchors of a list that was written since, whoever wrote it and how.

Anchors every 10 rows here (``NORTHSTAR_PAGE_ANCHOR_EVERY``), pages of 3. Transactional
tests: a write not yet committed keeps the anchors from being stored (a writer in flight),
so the rows are committed as in production.
"""

from __future__ import annotations

import json
import re

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar import policy
from northstar.apiutils import rows_of
from northstar.core import keyset
from northstar.referrals import selectors as referral_selectors
from northstar.referrals.actions import take_step
from northstar.survivors import actions
from northstar.survivors.api import LIST_COLUMNS
from northstar.survivors.models import MergeRequest, Survivor
from tests.query_counts import grow_caseload

pytestmark = pytest.mark.django_db(transaction=True)

EVERY = 10
SIZE = 3
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="anchors are PostgreSQL's (SQLite pages by OFFSET)")


@pytest.fixture(autouse=True)
def _anchors_every_ten(settings):
    settings.NORTHSTAR_PAGE_ANCHOR_EVERY = EVERY
    cache.clear()


def add_survivors(actor, n: int) -> list[Survivor]:
    return [actions.create_survivor(actor, data={"nationality": "KH", "languages": ["km"]})
            for _ in range(n)]


def by_offset(actor, page: int) -> list[int]:
    """The page as OFFSET paging reads it: the truth the anchored pages must equal."""
    start = (page - 1) * SIZE
    return list(policy.visible_survivors(actor).values_list("pk", flat=True)[start:start + SIZE])


def by_number(client, page: int, path: str = "/api/v1/survivors") -> list[int]:
    answer = client.get(path, {"page": page, "page_size": SIZE})
    assert answer.status_code == 200, answer.content[:300]
    return [item["id"] for item in answer.json()["items"]]


def assert_every_page_is_offsets(client, actor, pages: int = 16) -> None:
    for page in range(1, pages + 1):
        assert by_number(client, page) == by_offset(actor, page), f"page {page}"


def skipped_by(client, page: int) -> int:
    """How many rows of the list's index the page's statement skips (its OFFSET)."""
    with CaptureQueriesContext(connection) as captured:
        by_number(client, page)
    found = [int(n) for q in captured.captured_queries if '"survivors_survivor"' in q["sql"]
             for n in re.findall(r"OFFSET (\d+)", q["sql"])]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def staff(caseworker, supervisor, actor_for):
    add_survivors(actor_for(caseworker), 40)
    return {"caseworker": caseworker, "supervisor": supervisor}


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_pages_by_number_are_the_offset_pages_for_the_organisations_staff(staff, who, api,
                                                                         actor_for):
    client, actor = api(staff[who]), actor_for(staff[who])
    assert_every_page_is_offsets(client, actor)
    assert_every_page_is_offsets(client, actor)  # again, from the anchors now stored


def test_another_organisation_sees_no_page_of_them(staff, other_caseworker, api, actor_for):
    client = api(other_caseworker)
    for page in (1, 4, 5, 14):
        assert by_number(client, page) == [] == by_offset(actor_for(other_caseworker), page)


def test_a_referral_accepted_brings_a_row_into_the_recipients_pages(caseworker, api, actor_for,
                                                                   other_caseworker, org_b):
    sender, recipient = actor_for(caseworker), actor_for(other_caseworker)
    add_survivors(recipient, 30)
    grow_caseload(sender, 3, recipient=org_b)
    client = api(other_caseworker)
    assert_every_page_is_offsets(client, recipient, pages=13)
    for referral in referral_selectors.visible_referrals(recipient).filter(status="sent"):
        take_step(recipient, referral, step="accept")
    assert len(by_offset(recipient, 11)) == SIZE  # 33 rows: the shared ones are in the list
    assert_every_page_is_offsets(client, recipient, pages=13)


def anchored(client) -> None:
    """On PostgreSQL the deep pages were positioned from anchors (read again after the
    write): the page skips fewer rows than lie between two anchors."""
    if connection.vendor == "postgresql":
        assert skipped_by(client, 14) < EVERY


def test_the_pages_follow_every_kind_of_write(staff, caseworker, supervisor, api, actor_for):
    """Anchors stored, then each write moves rows below them; every page still is OFFSET's."""
    actor, client = actor_for(caseworker), api(caseworker)
    assert_every_page_is_offsets(client, actor)
    anchored(client)
    listed = by_offset(actor, 14)  # one deep, past the fourth anchor

    add_survivors(actor, 2)  # a create: every row moves two places down
    assert_every_page_is_offsets(client, actor)
    anchored(client)

    newest = Survivor.objects.get(pk=by_offset(actor, 1)[0])
    actions.archive_survivor(actor, newest)  # an archive: every row moves one place up
    assert_every_page_is_offsets(client, actor)
    anchored(client)

    kept, merged = (Survivor.objects.get(pk=pk) for pk in by_offset(actor, 2)[:2])
    request = actions.request_merge(actor, kept=kept, merged=merged, reason="the same person")
    actions.decide_merge(actor_for(supervisor), MergeRequest.objects.get(pk=request.pk),
                         approve=True)
    assert_every_page_is_offsets(client, actor)
    anchored(client)

    with connection.cursor() as cursor:  # raw SQL, past every action and signal
        cursor.execute("DELETE FROM survivors_survivor WHERE id = %s", [by_offset(actor, 3)[0]])
    assert_every_page_is_offsets(client, actor)
    anchored(client)

    # An update that reorders without changing the count: the oldest becomes the newest.
    oldest = listed[-1]
    Survivor.objects.filter(pk=oldest).update(created_at=Survivor.objects.get(
        pk=by_offset(actor, 1)[0]).created_at.replace(year=2099))
    assert by_number(client, 1)[0] == oldest
    assert_every_page_is_offsets(client, actor)
    anchored(client)


def test_the_case_list_pages_are_its_offset_pages(caseworker, api, actor_for):
    actor = actor_for(caseworker)
    for survivor in add_survivors(actor, 35):
        actions.create_case(actor, survivor, data={"forms_of_exploitation": ["labour"]})
    client = api(caseworker)
    for _ in range(2):
        for page in range(1, 14):
            start = (page - 1) * SIZE
            expected = list(policy.visible_cases(actor).values_list("pk", flat=True)[
                start:start + SIZE])
            assert by_number(client, page, "/api/v1/cases") == expected, f"page {page}"


# --- PostgreSQL: the deep page reads an anchor's stretch, not every row before it ----------


def _rows_read(plan: dict) -> int:
    """Entries every scan of the plan read from an index or a table (returned, or read and
    filtered out), over all its loops. A bitmap heap scan's rows were read by its bitmap
    index scan, counted there."""
    read = 0
    if plan["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan", "Seq Scan"):
        read += (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * plan.get(
            "Actual Loops", 1)
    return read + sum(_rows_read(child) for child in plan.get("Plans", ()))


def _deep_page_rows_read(survivors, actor, page: int) -> int:
    """Rows PostgreSQL read for the page statement of ``page`` (its EXPLAIN ANALYZE), the
    list read through its index as at scale (statistics read, and no sequential scan of a
    few dozen rows)."""
    with CaptureQueriesContext(connection) as captured:
        found = keyset.page(survivors, size=SIZE, offset=(page - 1) * SIZE)
    assert [s.pk for s in found.rows] == by_offset(actor, page)
    statements = [q["sql"] for q in captured.captured_queries
                  if '"survivors_survivor"' in q["sql"] and "row_number" not in q["sql"].lower()]
    assert len(statements) == 1, statements
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE survivors_survivor")  # as production's tables are
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statements[0])
        plan = cursor.fetchone()[0]
        cursor.execute("RESET enable_seqscan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return _rows_read(plan[0]["Plan"])


LISTS = {
    # As the API reads it (``rows_of``: the statement written once, ``core.prepared``).
    "the API's survivor list": lambda actor: rows_of(policy.visible_survivors(actor),
                                                     *LIST_COLUMNS),
    # Any other queryset of the list (a filter added): Django writes its SQL.
    "a filtered survivor list": lambda actor: policy.visible_survivors(actor).filter(
        archived_at__isnull=True),
}


@postgresql_only
@pytest.mark.parametrize("made", LISTS)
def test_a_deep_page_reads_an_anchors_stretch_not_every_row_before_it(made, caseworker,
                                                                     actor_for, settings):
    actor = actor_for(caseworker)
    add_survivors(actor, 60)
    survivors = LISTS[made](actor)
    keyset.page(LISTS[made](actor), size=SIZE, offset=45)  # the anchors, stored
    deep = _deep_page_rows_read(LISTS[made](actor), actor, 19)  # rows 54..56: 54 before
    # From the anchor at row 50: at most an anchor's stretch and the page (with the one
    # more that tells whether a next page exists) from the list's index, then the page's
    # own rows by primary key.
    assert deep <= EVERY + 2 * (SIZE + 1)
    settings.NORTHSTAR_PAGE_ANCHOR_EVERY = 0  # no anchors: OFFSET reads the 54 rows before
    assert _deep_page_rows_read(survivors, actor, 19) > 54


@postgresql_only
def test_a_write_not_yet_committed_elsewhere_keeps_anchors_from_being_stored(caseworker,
                                                                            api, actor_for):
    """Another session has moved the oldest survivor to the top and not committed yet: its
    generation is already bumped, and anchors read now (without its change) would be kept
    under that generation and used after it commits. The writer in flight is seen; no
    anchors are stored until it has ended, and every page stays OFFSET's."""
    actor, client = actor_for(caseworker), api(caseworker)
    add_survivors(actor, 40)
    oldest = by_offset(actor, 14)[-1]
    db = connection.settings_dict
    other = psycopg.connect(psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None,
        port=str(db["PORT"]) if db["PORT"] else None, password=db.get("PASSWORD") or None))
    try:
        other.execute("UPDATE survivors_survivor SET created_at = now() + interval '1 year' "
                      "WHERE id = %s", [oldest])  # a transaction, still open
        assert_every_page_is_offsets(client, actor)
        assert _anchor_keys() == []
        other.commit()
    finally:
        other.close()
    assert by_number(client, 1)[0] == oldest
    assert_every_page_is_offsets(client, actor)
    anchored(client)
    assert _anchor_keys() != []


def _anchor_keys() -> list[str]:
    return [key for key in getattr(cache, "_cache", {}) if "northstar:anchors:" in key]
