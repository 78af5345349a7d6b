"""Who read this survivor's case? The audit search by survivor reference finds the list
reads of the survivor's *other* records too (a page of cases, of tasks, of claims: one entry
naming every id, no reference), and a search by record (``record_type`` + ``record_id``)
finds every entry naming one case, claim or task: its reads and the lists that showed it.
Within the supervisor's own log only; another organisation's survivor's lists are never
found by their reference (issue 13; bench/README.md, h-auditjobs)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import translation

from northstar import policy
from northstar.core.actor import Actor
from northstar.core.audit import record_read
from northstar.core.models import AuditEntry
from northstar.justice import tasks as case_tasks
from northstar.survivors import actions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_left_as_found():
    """A page asked for in Khmer or Thai leaves that language active in this thread (the
    locale middleware activates it and nothing resets it): put it back for the next test."""
    yield
    translation.deactivate()


def _ids(page_html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/audit/(\d+)/"', page_html)]


def _case(user, survivor):
    return actions.create_case(Actor.for_user(user, "web"), survivor,
                               data={"forms_of_exploitation": ["labour"]})


@pytest.fixture
def second(caseworker, actor_for):
    other = actions.create_survivor(actor_for(caseworker),
                                    data={"given_name": "Sophea", "sex": "female"})
    return other, _case(caseworker, other)


def test_a_case_list_that_showed_the_survivors_case_is_found_by_their_reference(
        client, api, caseworker, supervisor, survivor_a, case_a, second):
    """The caseworker lists the cases (one entry naming both case ids, no reference): the
    supervisor's search for the survivor finds it, on the page and in the API."""
    assert api(caseworker).get("/api/v1/cases").status_code == 200
    listed = AuditEntry.objects.filter(record_type="case", survivor_ref="").latest("id")
    assert str(case_a.pk) in listed.record_ids and len(listed.record_ids) == 2

    client.force_login(supervisor)
    page = client.get("/audit/", {"survivor_ref": survivor_a.reference})
    assert page.status_code == 200 and listed.pk in _ids(page.content.decode())
    found = api(supervisor).get("/api/v1/audit", {"survivor_ref": survivor_a.reference}).json()
    assert listed.pk in [item["id"] for item in found["items"]]


def test_a_task_list_naming_the_survivors_case_task_is_found_and_others_are_not(
        client, caseworker, supervisor, actor_for, survivor_a, case_a, second):
    actor = actor_for(caseworker)
    due = dt.date(2030, 1, 15)
    theirs = case_tasks.add_task(actor, case_a, title="Call her", assignee=caseworker,
                                 due_on=due)
    others = case_tasks.add_task(actor, second[1], title="Call", assignee=caseworker,
                                 due_on=due)
    with_theirs = record_read(actor, [others, theirs], record_type="case_task")
    without = record_read(actor, [others], record_type="case_task")
    # A survivor list naming an id equal to the task's is another record: not found.
    same_number = record_read(actor, [theirs.pk], record_type="consent")
    client.force_login(supervisor)
    shown = _ids(client.get("/audit/", {"survivor_ref": survivor_a.reference}).content.decode())
    assert with_theirs.pk in shown
    assert without.pk not in shown and same_number.pk not in shown


def test_every_record_type_the_search_knows_is_looked_up_in_one_statement(
        supervisor, actor_for, survivor_a, case_a, django_assert_num_queries):
    supervisor_actor = actor_for(supervisor)
    # Whether the organisation receives referrals, the survivor's id, then every type's ids
    # in one statement (a UNION), however many types.
    with django_assert_num_queries(3):
        found = policy.audit_records_of(supervisor_actor, survivor_a.reference)
    assert found["survivor"] == [str(survivor_a.pk)]
    assert found["case"] == [str(case_a.pk)] == found["timeline_task"]


def test_a_record_is_found_by_its_type_and_id(client, api, caseworker, supervisor, actor_for,
                                              survivor_a, case_a, second):
    actor = actor_for(caseworker)
    single = record_read(actor, case_a, survivor_ref=survivor_a.reference)
    listed = record_read(actor, [second[1], case_a], record_type="case")
    not_it = record_read(actor, [second[1]], record_type="case")
    survivor_list = record_read(actor, [case_a.pk], record_type="survivor")  # same number
    client.force_login(supervisor)
    page = client.get("/audit/", {"record_type": "case", "record_id": str(case_a.pk)})
    assert page.status_code == 200
    html = page.content.decode()
    shown = _ids(html)
    assert single.pk in shown and listed.pk in shown
    assert not_it.pk not in shown and survivor_list.pk not in shown
    assert f"Entries naming case {case_a.pk}" in html
    found = api(supervisor).get("/api/v1/audit", {"record_type": "case",
                                                  "record_id": str(case_a.pk)}).json()
    ids = [item["id"] for item in found["items"]]
    assert single.pk in ids and listed.pk in ids and not_it.pk not in ids


def test_a_record_search_never_shows_another_organisations_entries(
        client, api, caseworker, supervisor, users, actor_for, survivor_a, case_a):
    """B's caseworker read A's case (a referral would let them): that entry is B's and is
    in A's log (A owns the survivor); B's own list of B's cases with a case of the same
    number is never in A's log, by record or by reference."""
    other = users[("b", "caseworker")]
    theirs = actions.create_survivor(actor_for(other), data={"given_name": "Bopha",
                                                             "sex": "female"})
    their_case = _case(other, theirs)
    b_list = record_read(actor_for(other), [their_case, case_a.pk], record_type="case",
                         owners=[theirs.organisation_id, survivor_a.organisation_id])
    b_own = AuditEntry.objects.filter(organisation=theirs.organisation,
                                      owner_organisation=theirs.organisation,
                                      record_type="case").latest("id")
    assert b_list is not None
    # An entry of A's own log naming neither: never found by the search for B's case.
    unrelated = record_read(actor_for(caseworker), survivor_a,
                            survivor_ref=survivor_a.reference)
    client.force_login(supervisor)
    for params in ({"record_type": "case", "record_id": str(their_case.pk)},
                   {"survivor_ref": theirs.reference}):
        shown = _ids(client.get("/audit/", params).content.decode())
        assert b_own.pk not in shown and unrelated.pk not in shown, params
        api_ids = [i["id"] for i in api(supervisor).get("/api/v1/audit", params).json()["items"]]
        assert b_own.pk not in api_ids, params
    # A's supervisor does see B's read of A's own case (in A's log: A owns the survivor).
    shown = _ids(client.get("/audit/", {"record_type": "case",
                                        "record_id": str(case_a.pk)}).content.decode())
    assert AuditEntry.objects.filter(
        organisation=theirs.organisation, owner_organisation=survivor_a.organisation,
        record_type="case").latest("id").pk in shown


def test_another_organisations_reference_finds_none_of_the_lists(
        client, caseworker, supervisor, users, actor_for, survivor_a, case_a):
    """A reference the supervisor may not see finds only entries carrying it: the list reads
    of its records would say which unnamed id in them is that survivor."""
    other = users[("b", "caseworker")]
    theirs = actions.create_survivor(actor_for(other), data={"given_name": "Bopha",
                                                             "sex": "female"})
    their_case = _case(other, theirs)
    mine = record_read(actor_for(caseworker), [case_a, their_case.pk], record_type="case",
                       owners=[survivor_a.organisation_id] * 2)
    assert policy.audit_records_of(actor_for(supervisor), theirs.reference) is None
    client.force_login(supervisor)
    shown = _ids(client.get("/audit/", {"survivor_ref": theirs.reference}).content.decode())
    assert mine.pk not in shown


@pytest.mark.parametrize(("params", "field", "said"), [
    ({"record_id": "12"}, "record_type", "Say which kind of record"),
    ({"record_type": "Case; drop", "record_id": "12"}, "record_type", "Not a kind of record"),
    ({"record_type": "case", "record_id": "1 2"}, "record_id", "Not a record&#x27;s id"),
    ({"record_type": "case", "record_id": "x" * 65}, "record_id", "Not a record&#x27;s id"),
])
def test_a_bad_record_search_is_a_422_naming_the_field(client, api, supervisor, params, field,
                                                        said):
    client.force_login(supervisor)
    page = client.get("/audit/", params)
    assert page.status_code == 422 and said in page.content.decode()
    answer = api(supervisor).get("/api/v1/audit", params)
    assert answer.status_code == 422 and field in answer.content.decode()


def test_the_record_search_renders_in_khmer(client, supervisor, caseworker, actor_for,
                                            survivor_a, case_a):
    from tests.web.test_staff_pages_in_khmer import khmer_share

    listed = record_read(actor_for(caseworker), [case_a], record_type="case")
    client.force_login(supervisor)
    client.cookies["django_language"] = "km"
    html = client.get("/audit/", {"record_type": "case", "record_id": str(case_a.pk)}
                      ).content.decode()
    assert listed.pk in _ids(html)
    assert "Entries naming" not in html and "Kind of record" not in html
    assert khmer_share(html, ignore=(survivor_a.reference, "Northstar", "case", "read", "web",
                                     listed.actor_label, str(case_a.pk))) > 0.7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_the_index_is_built_per_partition_and_valid(caseworker, actor_for, survivor_a, case_a):
    """Migration 0016 built ``audit_records_named`` partition by partition (concurrently) and
    attached each: the parent's index is valid and every partition has its own; the old
    survivor-lists-only index is gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON "
                       "i.indexrelid = c.oid WHERE c.relname = 'audit_records_named'")
        assert cursor.fetchone() == (True,)
        cursor.execute("SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = "
                       "i.inhparent WHERE p.relname = 'core_auditentry'")
        (partitions,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = "
                       "i.inhparent WHERE p.relname = 'audit_records_named'")
        assert cursor.fetchone() == (partitions,)
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = 'audit_survivor_lists'")
        assert cursor.fetchone() == (0,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_the_survivor_search_reads_every_type_through_the_index(supervisor, actor_for,
                                                                survivor_a, case_a):
    """The whole condition (the reference, and each type's ids with ``@> ANY``) is answered by
    indexes: no scan of the log, however many records the survivor has."""
    found = policy.audit_records_of(actor_for(supervisor), survivor_a.reference)
    search = AuditEntry.objects.filter(policy.audit_search(
        actor_for(supervisor), survivor_ref=survivor_a.reference)).order_by("-at", "-id")[:51]
    assert len([t for t, ids in found.items() if ids]) >= 3
    sql, params = search.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "records_named" in plan and "Seq Scan" not in plan, plan
