"""A list made from a recipe (``core.prepared.Recipe``: an organisation's own survivors or
cases, the "receives referrals" check) has its page, count and ``exists()`` SQL written once
per process; it answers exactly what Django's own queryset answers, page after page, and a
recipe that could freeze a changing value, or whose stand-in is not a parameter, is refused.
"""

import datetime as dt
from functools import partial

import pytest
from django.core import signing
from django.utils import timezone

from northstar import policy
from northstar.apiutils import rows_of
from northstar.core import keyset
from northstar.core.prepared import Recipe, exists_sql
from northstar.referrals import access as referral_access
from northstar.referrals.models import ACCESS_STATES, Referral
from northstar.survivors.api import CASE_LIST_COLUMNS, LIST_COLUMNS
from northstar.survivors.models import Case, Survivor
from tests.query_counts import grow_caseload


def _cursor_names(cursor):
    """What a cursor names (its signature also carries the second it was signed at)."""
    return None if cursor is None else cursor.split(":")[0]


def _sent_to(sent, execute, sql, *args):
    """An ``execute_wrapper`` keeping each statement's SQL as sent (values not bound in)."""
    sent.append(sql)
    return execute(sql, *args)


def _walk(rows, size=3):
    """Every page of ``rows`` by cursor: the rows and what each ``next`` names."""
    pages, cursor = [], None
    while True:
        found = keyset.page(rows, size=size, cursor=cursor)
        pages.append(([dict(r) for r in found.rows], _cursor_names(found.next)))
        cursor = found.next
        if cursor is None:
            return pages


def test_a_recipe_list_pages_and_counts_as_the_plain_queryset_does(caseworker, actor_for,
                                                                  org_b):
    actor = actor_for(caseworker)
    grow_caseload(actor, 7)
    Survivor.objects.filter(organisation=actor.organisation).update(
        created_at=timezone.now() - dt.timedelta(days=1))  # equal first keys: ties by id
    for visible, columns in ((policy.visible_survivors, LIST_COLUMNS),
                             (policy.visible_cases, CASE_LIST_COLUMNS)):
        made = visible(actor)
        assert Recipe.of(made) is not None  # the own-organisation list is a recipe
        plain = made.all()  # a clone: the same SQL, written by Django every time
        assert Recipe.of(plain) is None
        for _ in range(2):  # the kept SQL, reused
            assert _walk(rows_of(made, *columns)) == _walk(rows_of(plain, *columns))
            for exact in (False, True):
                assert keyset.count(rows_of(made, *columns), exact=exact) == keyset.count(
                    rows_of(plain, *columns), exact=exact) == keyset.Count(7, True)
    # The rows are converted as ``values()`` converts them (JSON, aware datetimes).
    row = keyset.page(rows_of(policy.visible_survivors(actor), *LIST_COLUMNS), size=1).rows[0]
    assert row["languages"] == ["km"] and row["created_at"].tzinfo is not None
    assert row.pk == row["id"]


def test_receives_referrals_answers_as_the_referrals_say(caseworker, actor_for, org_a, org_b):
    actor = actor_for(caseworker)
    for _ in range(2):
        assert referral_access.receives_referrals(org_b) is False
    grow_caseload(actor, 1, recipient=org_b)
    assert referral_access.receives_referrals(org_b) is False  # made, not yet accepted
    Referral.objects.filter(recipient=org_b).update(status=ACCESS_STATES[0])
    assert referral_access.receives_referrals(org_b) is True
    assert referral_access.receives_referrals(org_a) is False


def test_a_recipe_that_reads_the_clock_or_hides_its_stand_in_is_refused(db):
    clock = Recipe(lambda org_id: Survivor.objects.filter(organisation_id=org_id,
                                                          created_at__lte=timezone.now()),
                   -9_100_000_001)
    with pytest.raises(ValueError, match="clock"):
        clock.scalar((), (1,), exists_sql)
    hidden = Recipe(lambda org_id: Survivor.objects.filter(organisation_id=5), -9_100_000_002)
    with pytest.raises(ValueError, match="stand-in"):
        hidden.scalar((), (1,), exists_sql)


def test_a_list_request_writes_no_list_sql_once_warm_but_a_filtered_one_does(
        api, caseworker, actor_for, count_sql_compiled):
    grow_caseload(actor_for(caseworker), 3)
    client = api(caseworker)
    compiled = count_sql_compiled()
    for path in ("/api/v1/survivors", "/api/v1/cases"):
        first = client.get(path, {"page_size": 2}).json()
        client.get(path, {"page_size": 2, "cursor": first["next"]})  # warm both shapes
        compiled.clear()
        assert client.get(path, {"page_size": 2}).json()["items"] == first["items"]
        assert client.get(path, {"page_size": 2, "cursor": first["next"]}).status_code == 200
        assert not {Survivor, Case, Referral} & set(compiled), compiled
    compiled.clear()
    assert client.get("/api/v1/survivors", {"nationality": "KH"}).status_code == 200
    assert Survivor in compiled  # a filter given: Django writes that list's SQL


def test_a_cursor_page_answers_the_count_its_cursor_carries(api, caseworker, actor_for):
    """The count is read on the first page and carried in ``next``: the pages after it
    answer it again without counting (an exact count is still read when asked for), and a
    cursor's count cannot be altered (it is signed)."""
    actor = actor_for(caseworker)
    grow_caseload(actor, 5)
    client = api(caseworker)
    first = client.get("/api/v1/survivors", {"page_size": 2}).json()
    assert (first["count"], first["count_is_exact"]) == (5, True)
    grow_caseload(actor, 1)  # a survivor added after the first page
    second = client.get("/api/v1/survivors", {"page_size": 2, "cursor": first["next"]}).json()
    assert (second["count"], second["count_is_exact"]) == (5, True)
    third = client.get("/api/v1/survivors", {"page_size": 2, "cursor": second["next"]}).json()
    assert third["count"] == 5
    exact = client.get("/api/v1/survivors", {"page_size": 2, "cursor": first["next"],
                                             "exact_count": "true"}).json()
    assert (exact["count"], exact["count_is_exact"]) == (6, True)
    payload, rest = first["next"].split(":", 1)
    forged = signing.b64_encode(b'["2026-01-01T00:00:00+00:00","1","9999"]').decode()
    response = client.get("/api/v1/survivors", {"page_size": 2, "cursor": f"{forged}:{rest}"})
    assert response.status_code == 422 and "cursor" in response.content.decode()


def test_writing_a_recipe_statement_asks_the_database_nothing(caseworker, actor_for):
    """The first request of a process counts the same queries as every later one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fresh = Recipe(lambda org_id: Survivor.objects.filter(organisation_id=org_id),
                   -9_100_000_003)
    org = actor_for(caseworker).organisation.pk
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert fresh.scalar((), (org,), exists_sql) is None
        assert len(ctx) == 1


def test_a_page_by_number_is_one_statement_for_every_number_and_answers_as_django_does(
        caseworker, actor_for):
    """``page=N`` through the recipe: the rows skipped are a parameter (Django writes a
    slice's start into the SQL as a number, so each page number was another statement to
    write and, on PostgreSQL, to plan); the pages are the ones Django's queryset gives."""
    from django.db import connection

    actor = actor_for(caseworker)
    grow_caseload(actor, 7)
    Survivor.objects.filter(organisation=actor.organisation).update(
        created_at=timezone.now() - dt.timedelta(days=1))  # equal first keys: ties by id
    for visible, columns, table in ((policy.visible_survivors, LIST_COLUMNS, "survivor"),
                                    (policy.visible_cases, CASE_LIST_COLUMNS, "case")):
        made = visible(actor)
        plain = made.all()
        statements = set()
        for offset in (2, 4, 6, 8):
            sent = []
            with connection.execute_wrapper(partial(_sent_to, sent)):
                found = keyset.page(rows_of(made, *columns), size=2, offset=offset)
            expected = keyset.page(rows_of(plain, *columns), size=2, offset=offset)
            assert [dict(r) for r in found.rows] == [dict(r) for r in expected.rows]
            assert _cursor_names(found.next) == _cursor_names(expected.next)
            [sql] = sent
            assert f"survivors_{table}" in sql
            statements.add(sql)  # the SQL as sent, before its values are bound
        assert len(statements) == 1, statements
        every = list(plain.values_list("id", flat=True))
        assert [r["id"] for r in keyset.page(rows_of(made, *columns), size=2, offset=6).rows
                ] == every[6:8]


def test_a_page_by_number_writes_no_list_sql_once_warm(api, caseworker, actor_for,
                                                       count_sql_compiled):
    grow_caseload(actor_for(caseworker), 5)
    client = api(caseworker)
    compiled = count_sql_compiled()
    for path in ("/api/v1/survivors", "/api/v1/cases"):
        first = client.get(path, {"page_size": 2}).json()
        second = client.get(path, {"page_size": 2, "page": 2}).json()  # warm
        assert second["items"][0]["id"] == client.get(
            path, {"page_size": 2, "cursor": first["next"]}).json()["items"][0]["id"]
        compiled.clear()
        third = client.get(path, {"page_size": 2, "page": 3}).json()
        assert len(third["items"]) == 1 and third["next"] is None
        assert client.get(path, {"page_size": 2, "page": 9}).json()["items"] == []
        assert not {Survivor, Case, Referral} & set(compiled), compiled


def test_a_list_page_decodes_its_json_columns_by_scanning_as_json_loads_would(
        caseworker, actor_for, monkeypatch):
    """The JSON columns of a recipe page (a case's forms, sectors, transit countries; a
    survivor's languages) come out as Django's ``values()`` gives them, without a
    ``json.loads`` per value (two regular expressions and a frame around the scan)."""
    import json

    actor = actor_for(caseworker)
    grow_caseload(actor, 3)
    Case.objects.filter(organisation=actor.organisation).update(
        sectors=["fishing", "construction"], transit_countries=[])
    expected = [dict(r) for r in keyset.page(
        rows_of(policy.visible_cases(actor).all(), *CASE_LIST_COLUMNS), size=5).rows]
    assert expected[0]["sectors"] == ["fishing", "construction"]
    loads = json.loads
    decoded = []
    monkeypatch.setattr(json, "loads", lambda *a, **k: decoded.append(a) or loads(*a, **k))
    for visible, columns in ((policy.visible_cases, CASE_LIST_COLUMNS),
                             (policy.visible_survivors, LIST_COLUMNS)):
        found = [dict(r) for r in keyset.page(rows_of(visible(actor), *columns), size=5).rows]
        assert len(found) == 3
    assert found[0]["languages"] == ["km"]
    assert decoded == []
    assert [dict(r) for r in keyset.page(
        rows_of(policy.visible_cases(actor), *CASE_LIST_COLUMNS), size=5).rows] == expected
