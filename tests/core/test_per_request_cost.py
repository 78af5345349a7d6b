"""The fixed cost every API request pays (issue 13): one query finds the token, its user,
membership and organisation; the token's last use is written at most once a minute, not on
every request in a commit of its own."""

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.core.models import ApiToken
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
