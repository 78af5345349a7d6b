"""Every list endpoint costs the same number of queries for 1 row or a full page.

A query per row (an N+1) fails here: each list is read with 25 rows on the page
under a ceiling measured with one row.
"""

import pytest

from northstar.core.models import Organisation
from northstar.referrals import selectors as referral_selectors
from northstar.referrals.actions import take_step
from northstar.referrals.models import ProviderProfile, Service
from northstar.survivors import actions
from tests.query_counts import grow_caseload


@pytest.fixture
def big_caseload(caseworker, actor_for, org_b, case_a):
    grow_caseload(actor_for(caseworker), 24, recipient=org_b)
    for n in range(25):
        provider = Organisation.objects.create(name=f"Provider {n}", kind="ngo",
                                               jurisdiction="TH", code=f"PRV{n}")
        ProviderProfile.objects.create(organisation=provider, areas_served=["Bangkok"])
        Service.objects.create(provider=provider, kind="shelter", name=f"Shelter {n}",
                               jurisdictions=["TH"], languages=["th"])
    return case_a


@pytest.mark.parametrize("path,ceiling", [
    ("/api/v1/survivors", 8),
    ("/api/v1/cases", 8),
    ("/api/v1/referrals", 10),
    ("/api/v1/services", 5),
])
def test_a_full_page_of_a_list_costs_no_more_than_one_row(
        api, caseworker, big_caseload, django_assert_max_num_queries, path, ceiling):
    client = api(caseworker)
    with django_assert_max_num_queries(ceiling):
        body = client.get(path, {"page_size": 25}).json()
    assert body["count"] >= 1


def test_the_consent_list(api, caseworker, actor_for, survivor_a, django_assert_max_num_queries):
    for purpose in ("statistics", "research", "advocacy", "case_management"):
        actions.record_consent(actor_for(caseworker), survivor_a, purpose=purpose,
                               language="km", method="verbal")
    client = api(caseworker)
    with django_assert_max_num_queries(10):
        body = client.get(f"/api/v1/survivors/{survivor_a.pk}/consents").json()
    assert body["count"] == 4


def test_the_audit_log(api, supervisor, big_caseload, django_assert_max_num_queries):
    client = api(supervisor)
    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/audit", {"page_size": 25}).json()
    assert body["count"] > 25 and len(body["items"]) == 25


def test_a_referral_recipients_list_of_shared_survivors(
        api, caseworker, other_caseworker, actor_for, org_b, django_assert_max_num_queries):
    """The recipient sees each shared survivor's shared fields: asked once for the page."""
    survivors = grow_caseload(actor_for(caseworker), 12, recipient=org_b)
    recipient = actor_for(other_caseworker)
    for referral in referral_selectors.visible_referrals(recipient):
        take_step(recipient, referral, step="accept")
    client = api(other_caseworker)
    with django_assert_max_num_queries(9):
        body = client.get("/api/v1/survivors", {"page_size": 25}).json()
    assert body["count"] == len(survivors)
    assert {item["access"] for item in body["items"]} == {"shared"}
    assert all(item["is_child"] is None for item in body["items"])  # not the full record


def _statements(captured) -> list[str]:
    return [q["sql"].strip() for q in captured]


@pytest.mark.django_db(transaction=True)  # the request's own transaction, not a test's
def test_recording_a_survivor_costs_one_insert_each_and_no_savepoint(api, caseworker):
    """A create writes the survivor, all its name tokens and its audit entry with one INSERT
    each, in one transaction with no savepoint (a clash of reference codes, the only reason
    for one, runs the transaction again instead)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(caseworker)
    client.get("/api/v1/me")  # the token's once-a-minute last use, not this create's
    with CaptureQueriesContext(connection) as ctx:
        r = client.post("/api/v1/survivors", {"given_name": "Sokha Mey", "family_name": "Chan",
                                              "aliases": "Kha", "phone": "012 345 678"})
    assert r.status_code == 201
    sql = _statements(ctx.captured_queries)
    assert not [s for s in sql if s.upper().startswith(("SAVEPOINT", "RELEASE"))]
    assert len([s for s in sql if s.startswith('INSERT INTO "survivors_survivor"')]) == 1
    # (on SQLite one executemany, logged as "N times: INSERT …")
    assert len([s for s in sql if "INSERT INTO survivors_nametoken" in s]) == 1
    assert len([s for s in sql if "INSERT INTO core_auditentry" in s
                or s.startswith('INSERT INTO "core_auditentry"')]) == 1


def test_correcting_a_survivor_reads_the_row_twice_and_writes_only_what_changed(
        api, caseworker, survivor_a):
    """An update reads the survivor to ask the policy and once more under its row lock, never
    a third time to learn its new version; the UPDATE names only the columns it changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(caseworker)
    client.get("/api/v1/me")
    with CaptureQueriesContext(connection) as ctx:
        r = client.patch(f"/api/v1/survivors/{survivor_a.pk}",
                         {"version": 1, "interpreter_needed": False})
    assert r.status_code == 200 and r.json()["version"] == 2
    sql = _statements(ctx.captured_queries)
    reads = [s for s in sql if s.startswith("SELECT") and 'FROM "survivors_survivor"' in s
             and '"survivors_survivor"."given_name"' in s]
    assert len(reads) == 2
    (update,) = [s for s in sql if s.startswith('UPDATE "survivors_survivor"')]
    assert '"given_name"' not in update and '"interpreter_needed"' in update
    assert not [s for s in sql if "survivors_nametoken" in s]  # no name changed
