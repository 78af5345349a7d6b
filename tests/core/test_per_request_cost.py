"""The fixed cost every API request pays (issue 13): one query finds the token, its user,
membership and organisation; the token's last use is written at most once a minute, not on
every request in a commit of its own."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.core.audit import verify_chain
from northstar.core.models import ApiToken, AuditEntry
from northstar.core.tokens import LAST_USED_RESOLUTION, issue_token


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _queries(client, url, raw):
    cache.clear()  # throttles keep no state across the two requests compared
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **bearer(raw))
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _token_writes(sql):
    return [q for q in sql if q.startswith("UPDATE") and "core_apitoken" in q]


def test_a_survivor_detail_finds_token_user_membership_and_organisation_in_one_query(
        api, caseworker, survivor_a):
    _, raw = issue_token(caseworker)
    client = api()
    url = f"/api/v1/survivors/{survivor_a.pk}"
    _queries(client, url, raw)  # first use: stamps last_used_at
    sql = _queries(client, url, raw)
    lookups = [q for q in sql if "core_apitoken" in q]
    assert len(lookups) == 1, lookups
    assert "core_membership" in lookups[0] and "core_organisation" in lookups[0]
    assert not [q for q in sql if q.startswith("SELECT") and "FROM \"core_membership\"" in q]
    assert not [q for q in sql if q.startswith("SELECT") and "FROM \"auth_user\"" in q]


def test_a_second_request_in_the_same_minute_writes_nothing_to_the_token(
        api, caseworker, survivor_a):
    _, raw = issue_token(caseworker)
    client = api()
    url = f"/api/v1/survivors/{survivor_a.pk}"
    first = _queries(client, url, raw)
    second = _queries(client, url, raw)
    assert len(_token_writes(first)) == 1
    assert _token_writes(second) == []
    assert len(second) == len(first) - 1


def test_the_query_count_of_a_survivor_detail_stays_put_over_many_requests(
        api, caseworker, survivor_a):
    _, raw = issue_token(caseworker)
    client = api()
    url = f"/api/v1/survivors/{survivor_a.pk}"
    _queries(client, url, raw)
    counts = {len(_queries(client, url, raw)) for _ in range(5)}
    assert len(counts) == 1


def test_last_used_still_moves_once_the_stored_time_is_a_minute_old(api, caseworker, survivor_a):
    token, raw = issue_token(caseworker)
    older = timezone.now() - LAST_USED_RESOLUTION - dt.timedelta(seconds=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=older)
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > older
    assert timezone.now() - token.last_used_at < LAST_USED_RESOLUTION


def test_last_used_is_kept_when_it_is_recent(api, caseworker):
    token, raw = issue_token(caseworker)
    recent = timezone.now() - dt.timedelta(seconds=10)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == recent


def test_a_token_never_used_gets_its_first_use_stamped(api, caseworker):
    token, raw = issue_token(caseworker)
    assert token.last_used_at is None
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- what a detail read and a list ask the database (issue 13, branch h-apicpu) ----------

AUDIT_TABLES = ("core_auditentry", "core_auditchainhead", "core_readtally")


def _lookups(sql):
    """The queries that are not the audit write (the chain's head, tally, insert) nor its
    BEGIN/COMMIT."""
    return [q for q in sql if q.lstrip().upper().startswith("SELECT")
            and not any(t in q for t in AUDIT_TABLES)]


def test_a_survivor_detail_is_two_lookups_the_token_and_the_survivor_by_key(
        api, caseworker, survivor_a):
    _, raw = issue_token(caseworker)
    client = api()
    url = f"/api/v1/survivors/{survivor_a.pk}"
    _queries(client, url, raw)
    lookups = _lookups(_queries(client, url, raw))
    assert len(lookups) == 2, lookups
    survivor = lookups[1]
    assert '"survivors_survivor"."id" = ' in survivor
    assert "referrals_referral" not in survivor  # the referral scope is asked only when not own


def test_a_case_detail_is_two_lookups_with_its_survivor_and_caseworker_joined(
        api, caseworker, case_a):
    _, raw = issue_token(caseworker)
    client = api()
    url = f"/api/v1/cases/{case_a.pk}"
    _queries(client, url, raw)
    lookups = _lookups(_queries(client, url, raw))
    assert len(lookups) == 2, lookups
    assert "survivors_survivor" in lookups[1] and "auth_user" in lookups[1]


def test_me_is_the_token_lookup_alone(api, caseworker):
    _, raw = issue_token(caseworker)
    client = api()
    _queries(client, "/api/v1/me", raw)
    assert len(_queries(client, "/api/v1/me", raw)) == 1


def test_a_token_revoked_or_expired_is_refused_although_its_row_is_found(api, caseworker):
    token, raw = issue_token(caseworker)
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1),
                                                revoked_at=timezone.now())
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 401


def test_a_bearer_request_touches_no_session(api, caseworker, survivor_a):
    """The browser's middlewares (session, messages, the page's actor) are skipped by an API
    request carrying a token: no session row is read or written, no cookie is set."""
    _, raw = issue_token(caseworker)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = api().get(f"/api/v1/survivors/{survivor_a.pk}", **bearer(raw))
    assert response.status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]
    assert "sessionid" not in response.cookies and "messages" not in response.cookies


def test_a_bad_bearer_token_with_a_signed_in_session_is_still_refused(client, caseworker):
    """A request that names a token is judged by that token: a session cookie beside an
    unknown token does not sign it in."""
    client.force_login(caseworker)
    assert client.get("/api/v1/me").status_code == 200  # the session alone (htmx calls)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ns_unknown").status_code == 401


# --- the detail read's statements, as PostgreSQL runs them outside any test transaction ----
# (issue 13, branch h-detail: the audit entry of a read alone sets synchronous_commit itself,
# with no SET LOCAL; a case read's entry is its linked INSERT alone, in autocommit)

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the audit's own transaction is PostgreSQL's")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_survivor_detail_is_six_statements_token_survivor_and_entry_with_tally(
        api, caseworker, survivor_a):
    _, raw = issue_token(caseworker)
    client = api()
    url = f"/api/v1/survivors/{survivor_a.pk}"
    _queries(client, url, raw)
    sql = _queries(client, url, raw)
    assert len(sql) == 6, sql
    assert "core_apitoken" in sql[0] and '"survivors_survivor"."id" = ' in sql[1]
    assert sql[2] == "BEGIN" and sql[5] == "COMMIT"  # no SET LOCAL of its own
    assert "core_auditchainhead" in sql[3] and "core_readtally" in sql[4]
    assert AuditEntry.objects.filter(action="read", record_type="survivor",
                                     record_id=str(survivor_a.pk)).count() == 2  # one per read
    assert verify_chain() is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_case_detail_is_three_statements_token_case_and_its_entry(api, caseworker, case_a):
    _, raw = issue_token(caseworker)
    client = api()
    url = f"/api/v1/cases/{case_a.pk}"
    _queries(client, url, raw)
    sql = _queries(client, url, raw)
    assert len(sql) == 3, sql
    assert "core_apitoken" in sql[0] and "survivors_case" in sql[1]
    assert "core_auditchainhead" in sql[2]
    assert AuditEntry.objects.filter(action="read", record_type="case",
                                     record_id=str(case_a.pk)).count() == 2
    assert verify_chain() is None
