"""A create sent again with the same ``Idempotency-Key`` (its answer was lost) makes no
second record: the retry gets the first answer, the same id (issue 13, more than one
machine: a load balancer retries a request whose instance died after its commit)."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from northstar.api import api as northstar_api
from northstar.core import idempotency
from northstar.core.models import AuditEntry, IdempotencyKey
from northstar.core.tokens import issue_token
from northstar.survivors.models import Case, Survivor

pytestmark = pytest.mark.django_db

NEW_SURVIVOR = {"given_name": "Dara", "family_name": "Retry", "sex": "female",
                "nationality": "KH", "languages": ["km"]}


def _created(response) -> int:
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_retry_with_the_same_key_answers_the_first_answer_and_creates_nothing(
        api, caseworker):
    client = api(caseworker)
    first = client.post("/api/v1/survivors", NEW_SURVIVOR, HTTP_IDEMPOTENCY_KEY="k-1")
    survivors, audit = Survivor.objects.count(), AuditEntry.objects.count()

    again = client.post("/api/v1/survivors", NEW_SURVIVOR, HTTP_IDEMPOTENCY_KEY="k-1")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Survivor.objects.count() == survivors
    replay = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == audit + 1  # the replay is audited as a read
    assert (replay.action, replay.record_id) == ("read", str(_created(first)))
    assert replay.record_type == "survivor"


def test_without_a_key_a_second_create_is_a_second_record(api, caseworker):
    client = api(caseworker)
    assert _created(client.post("/api/v1/survivors", NEW_SURVIVOR)) != _created(
        client.post("/api/v1/survivors", NEW_SURVIVOR))
    assert not IdempotencyKey.objects.exists()


def test_the_stored_answer_is_sealed_and_names_the_record(api, caseworker):
    created = _created(api(caseworker).post("/api/v1/survivors", NEW_SURVIVOR,
                                            HTTP_IDEMPOTENCY_KEY="sealed"))
    row = IdempotencyKey.objects.get(key="sealed")
    assert (row.user_id, row.status, row.record_id) == (caseworker.pk, 201, str(created))
    assert "Dara" not in row.response and "Retry" not in row.response


def test_the_same_key_with_another_body_is_refused_naming_the_header(api, caseworker):
    client = api(caseworker)
    _created(client.post("/api/v1/survivors", NEW_SURVIVOR, HTTP_IDEMPOTENCY_KEY="k-2"))
    count = Survivor.objects.count()

    other = client.post("/api/v1/survivors", {**NEW_SURVIVOR, "given_name": "Other"},
                        HTTP_IDEMPOTENCY_KEY="k-2")

    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"
    assert Survivor.objects.count() == count


def test_the_same_key_on_another_create_is_refused(api, caseworker, survivor_a):
    client = api(caseworker)
    _created(client.post("/api/v1/survivors", NEW_SURVIVOR, HTTP_IDEMPOTENCY_KEY="k-3"))
    other = client.post(f"/api/v1/survivors/{survivor_a.pk}/cases",
                        {"forms_of_exploitation": ["labour"]}, HTTP_IDEMPOTENCY_KEY="k-3")
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"


def test_keys_are_per_user(api, caseworker, supervisor):
    first = _created(api(caseworker).post("/api/v1/survivors", NEW_SURVIVOR,
                                          HTTP_IDEMPOTENCY_KEY="shared"))
    second = _created(api(supervisor).post("/api/v1/survivors", NEW_SURVIVOR,
                                           HTTP_IDEMPOTENCY_KEY="shared"))
    assert first != second


def test_a_refused_create_keeps_no_key_so_the_corrected_one_runs(api, caseworker):
    client = api(caseworker)
    bad = client.post("/api/v1/survivors", {"given_name": "Dara", "sex": "alien"},
                      HTTP_IDEMPOTENCY_KEY="k-4")
    assert bad.status_code == 422 and bad.json()["field"] == "sex"
    assert not IdempotencyKey.objects.filter(key="k-4").exists()
    # The same key, a corrected body: not "another request" — the first one made nothing.
    good = client.post("/api/v1/survivors", {"given_name": "Dara", "sex": "female"},
                       HTTP_IDEMPOTENCY_KEY="k-4")
    assert good.status_code == 201, good.content


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "é"])
def test_a_malformed_key_is_refused_naming_the_header(api, caseworker, key):
    count = Survivor.objects.count()
    r = api(caseworker).post("/api/v1/survivors", NEW_SURVIVOR, HTTP_IDEMPOTENCY_KEY=key)
    assert r.status_code == 422
    assert r.json()["field"] == "Idempotency-Key"
    assert Survivor.objects.count() == count


def test_a_case_create_is_idempotent_too(api, caseworker, survivor_a):
    client = api(caseworker)
    body = {"forms_of_exploitation": ["labour"], "country_of_origin": "KH"}
    path = f"/api/v1/survivors/{survivor_a.pk}/cases"
    first = _created(client.post(path, body, HTTP_IDEMPOTENCY_KEY="case-1"))
    count = Case.objects.count()
    assert _created(client.post(path, body, HTTP_IDEMPOTENCY_KEY="case-1")) == first
    assert Case.objects.count() == count


def test_every_authenticated_create_takes_the_key_and_the_openapi_says_so():
    schema = northstar_api.get_openapi_schema()
    keyed, creates = set(), set()
    for path, operations in schema["paths"].items():
        post = operations.get("post")
        if not post:
            continue
        if 201 in post["responses"] and post.get("security"):
            creates.add(path)
        if any(p["name"] == "Idempotency-Key" and p["in"] == "header"
               for p in post.get("parameters", [])):
            keyed.add(path)
    assert "/api/v1/survivors" in creates and "/api/v1/survivors/{survivor_id}/cases" in creates
    assert "/api/v1/referrals" in creates
    assert keyed == creates


def test_keys_older_than_a_day_are_pruned_by_the_daily_job(api, caseworker):
    from northstar.core import jobs

    client = api(caseworker)
    _created(client.post("/api/v1/survivors", NEW_SURVIVOR, HTTP_IDEMPOTENCY_KEY="old"))
    _created(client.post("/api/v1/survivors", NEW_SURVIVOR, HTTP_IDEMPOTENCY_KEY="new"))
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(hours=25))

    job = jobs.run(jobs.submit("portal.prune_attempts", key="prune-test").pk)

    assert job.result["idempotency_keys"] == 1
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"new"}
    assert idempotency.prune() == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_make_one_record(caseworker):
    """Two requests with the same key at the same moment, each on its own connection:
    the second waits for the first's commit and answers its answer."""
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once: PostgreSQL (SQLite serialises its writers)")
    _token, raw = issue_token(caseworker, name="concurrent")
    before = Survivor.objects.count()
    barrier = threading.Barrier(2)
    answers: list = []

    def send():
        try:
            barrier.wait(timeout=10)
            r = Client().post("/api/v1/survivors", json.dumps(NEW_SURVIVOR),
                              content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {raw}",
                              HTTP_IDEMPOTENCY_KEY="together")
            answers.append((r.status_code, r.json()))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1]["id"] == answers[1][1]["id"]
    assert Survivor.objects.count() == before + 1
