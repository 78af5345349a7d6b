"""The survivor table keeps only indexes that a query reads (issue 13, writes).

Every index is one more write on each create, each non-HOT update and each imported row.
Migration ``survivors 0016`` dropped three that no query read (``duplicate_key`` alone,
the ``varchar_pattern_ops`` copies of ``duplicate_key`` and ``reference``) and indexed ``merged_into`` only where set. Here, on PostgreSQL: the list of
indexes is exactly the kept one (a new index is a decision, made here), and ``EXPLAIN`` of
the queries that the dropped ones might have served — the duplicate check, the name search,
the caseload's references, a record's merged copies — still reads an index, never every
survivor. The caseload's search by part of a reference reads the trigram index of
``survivors 0017`` (h-plans). The lists' and the caseload's orderings are checked in ``test_list_plans.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar import policy
from northstar.core.crypto import duplicate_key
from northstar.survivors import actions, search
from northstar.survivors.models import NameToken, Survivor

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="indexes and query plans are PostgreSQL's")

KEPT = {
    "survivors_survivor_pkey": "(id)",
    "survivors_survivor_reference_key": "(reference)",
    "survivors_s_organis_dc03db_idx": "(organisation_id, duplicate_key)",
    "survivors_survivor_organisation_id_6f0c525b": "(organisation_id)",
    "survivors_survivor_created_by_id_2c0b1d12": "(created_by_id)",
    "survivor_org_live_recent": "(organisation_id, created_at DESC, id DESC)",
    "survivor_mine_without_case": "(organisation_id, created_by_id, created_at DESC, id DESC)",
    "survivor_merged_into": "(merged_into_id)",
    "ins_survivor_live": "(id)",  # insights: INCLUDE (sex, birth_year, created_at)
    # The caseload's ``reference__icontains`` (survivors 0017): trigrams, not a B-tree.
    "survivor_reference_trgm": "gin (upper((reference)::text) gin_trgm_ops)",
    # h-smallreads (survivors 0018): a row's organisation from the index alone (the capped
    # counts' probes), and the engagement suggestions' range of live references.
    "survivor_org_probe": "(id) INCLUDE (organisation_id)",
    "survivor_org_reference": "(organisation_id, reference) WHERE (archived_at IS NULL)",
}
PER_ORGANISATION = 2000


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                       "WHERE tablename = 'survivors_survivor'")
        return dict(cursor.fetchall())


def test_the_survivor_table_has_only_the_kept_indexes(db):
    found = _indexes()
    assert set(found) == set(KEPT), sorted(found)
    for name, columns in KEPT.items():
        method = "" if columns.startswith("gin ") else "btree "
        assert f"USING {method}{columns}" in found[name], found[name]
    assert "WHERE (merged_into_id IS NOT NULL)" in found["survivor_merged_into"]


def _people(organisation, prefix: str, count: int, staff) -> list[Survivor]:
    """Survivors with names and dates of birth: their duplicate keys and name tokens."""
    start = timezone.now() - dt.timedelta(days=400)
    people = []
    for n in range(count):
        given, family = f"Given{n % 97}", f"Family{hashlib.sha256(str(n).encode()).hexdigest()[:6]}"
        dob = (dt.date(1990, 1, 1) + dt.timedelta(days=n)).isoformat()
        people.append(Survivor(
            organisation=organisation, reference=f"{prefix}{n}", nationality="KH",
            given_name=given, family_name=family, date_of_birth=dob, birth_year=int(dob[:4]),
            duplicate_key=duplicate_key(f"{given} {family}", dob), created_by=staff,
            created_at=start + dt.timedelta(minutes=n)))
    survivors = Survivor.objects.bulk_create(people)
    key = search.index_key()
    tokens = []
    for s, person in zip(survivors, people, strict=True):
        values = {"given_name": person.given_name, "family_name": person.family_name}
        tokens += [NameToken(**dict(zip(search.TOKEN_COLUMNS, row, strict=True)))
                   for row in search.token_rows(s.pk, organisation.pk, values, key)]
    NameToken.objects.bulk_create(tokens, batch_size=5000)
    return survivors


@pytest.fixture
def people(org_a, org_b, caseworker, other_caseworker):
    mine = _people(org_a, "IA", PER_ORGANISATION, caseworker)
    _people(org_b, "IB", PER_ORGANISATION, other_caseworker)
    Survivor.objects.filter(pk=mine[1].pk).update(merged_into=mine[0],
                                                  archived_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE survivors_survivor")
        cursor.execute("ANALYZE survivors_nametoken")
    return mine


def _plans(run) -> list[tuple[str, str]]:
    """(SQL, plan) of every SELECT ``run()`` sends that reads survivors or their tokens."""
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or (
                "survivors_survivor" not in sql and "survivors_nametoken" not in sql):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    assert plans
    return plans


def _no_table_scan(plans) -> None:
    for sql, plan in plans:
        assert "Seq Scan on survivors_survivor" not in plan, (sql, plan)
        assert "Seq Scan on survivors_nametoken" not in plan, (sql, plan)


def test_the_duplicate_check_reads_the_organisation_and_key_index(people, caseworker,
                                                                  actor_for):
    me = actor_for(caseworker)
    plans = _plans(lambda: actions.find_duplicates(
        me, given_name="Given5", family_name=people[5].family_name,
        date_of_birth=(dt.date(1990, 1, 1) + dt.timedelta(days=5)).isoformat()))
    _no_table_scan(plans)
    exact = [plan for sql, plan in plans if '"duplicate_key" =' in sql]
    assert exact and "survivors_s_organis_dc03db_idx" in exact[0], exact


def test_the_name_search_reads_indexes_only(people, caseworker, actor_for):
    me = actor_for(caseworker)
    found = []
    plans = _plans(lambda: found.extend(actions.search_survivors(
        me, f"Given7 {people[7].family_name}", within=policy.visible_survivors(me))))
    assert found and found[0].survivor.pk == people[7].pk
    _no_table_scan(plans)


def test_references_are_read_from_the_unique_index(people):
    wanted = [s.reference for s in people[100:130]]
    plan = Survivor.objects.filter(reference__in=wanted).explain()
    assert "survivors_survivor_reference_key" in plan, plan
    plan = Survivor.objects.filter(reference=people[3].reference).explain()
    assert "survivors_survivor_reference_key" in plan, plan


def test_the_records_merged_into_one_are_read_from_the_partial_index(people):
    plan = Survivor.objects.filter(merged_into=people[0]).explain()
    assert "survivor_merged_into" in plan, plan
    assert list(people[0].merged_from.values_list("pk", flat=True)) == [people[1].pk]


def test_the_caseload_search_by_part_of_a_reference_reads_the_trigram_index(org_a, org_b,
                                                                           caseworker,
                                                                           supervisor):
    """``?q=`` on the caseload: the page and its capped count read the references holding
    the term's trigrams, not every survivor of the organisation (~300 ms at 100,000).
    References as the application makes them (a prefix and eight random characters), in an
    organisation large enough for the planner to tell (at 2,000 reading its own list's
    index is as cheap by its estimate)."""
    from tests.web.test_intake import client_for

    start = timezone.now() - dt.timedelta(days=400)
    taken: set[str] = set()

    def reference(org, n: int) -> str:
        """Eight characters of a hash, the next eight where two would collide (~1 % of runs
        drew two equal references among 10,200 and the unique index refused the lot)."""
        digest = hashlib.sha256(f"{org.pk}-{n}".encode()).hexdigest().upper()
        found = next(f"MHF-{digest[k:k + 8]}" for k in range(0, 64, 8)
                     if f"MHF-{digest[k:k + 8]}" not in taken)
        taken.add(found)
        return found

    made = Survivor.objects.bulk_create([
        Survivor(organisation=org, nationality="KH", created_by=caseworker,
                 reference=reference(org, n), created_at=start + dt.timedelta(minutes=n))
        for org, count in ((org_a, 10_000), (org_b, 200)) for n in range(count)])
    with connection.cursor() as cursor:
        # New rows wait in the GIN index's pending list until (auto)vacuum merges them,
        # as it does on a live server; the planner counts a long list against the index.
        cursor.execute("SELECT gin_clean_pending_list('survivor_reference_trgm')")
        cursor.execute("ANALYZE survivors_survivor")
    wanted = made[1234]
    client = client_for(supervisor)
    for term in (wanted.reference.lower(), wanted.reference[-6:]):
        pages: list = []
        plans = _plans(lambda term=term, pages=pages: pages.append(
            client.get("/", {"q": term, "whose": "all"})))
        assert pages[0].status_code == 200 and wanted.reference in pages[0].content.decode()
        searching = [(sql, plan) for sql, plan in plans if "LIKE" in sql]
        assert len(searching) >= 2, plans  # the page and its count
        _no_table_scan(searching)
        for sql, plan in searching:
            assert "survivor_reference_trgm" in plan, (sql, plan)
