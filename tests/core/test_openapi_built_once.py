"""The OpenAPI document is built once per process, not on every request (issue 13:
``GET /api/v1/openapi.json`` took 212-294 ms of CPU each time at the h-sweep), and a
settings change that alters it is honoured."""

from __future__ import annotations

import ninja.main
import pytest
from django.test.utils import override_settings

from northstar.api import api as ninja_api


@pytest.fixture
def builds(monkeypatch):
    """Every build of the schema by Ninja, counted (it still builds it)."""
    calls = []
    build = ninja.main.get_schema

    def counted(*args, **kwargs):
        calls.append(kwargs.get("path_prefix"))
        return build(*args, **kwargs)

    monkeypatch.setattr(ninja.main, "get_schema", counted)
    getattr(ninja_api, "openapi_schemas", {}).clear()
    return calls


@pytest.mark.django_db
def test_two_requests_give_the_same_bytes_and_the_second_builds_nothing(api, builds):
    first = api().get("/api/v1/openapi.json")
    second = api().get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert builds == ["/api/v1/"]
    # A process that builds it afresh serves the same bytes.
    getattr(ninja_api, "openapi_schemas", {}).clear()
    assert api().get("/api/v1/openapi.json").content == first.content
    assert len(builds) == 2


@pytest.mark.django_db
def test_a_settings_change_that_alters_the_document_is_served(api, builds):
    said = "within 24 h answers the first answer again"
    assert said in api().get("/api/v1/openapi.json").content.decode()
    with override_settings(NORTHSTAR_IDEMPOTENCY_HOURS=48):
        body = api().get("/api/v1/openapi.json").content.decode()
        assert "within 48 h answers the first answer again" in body and said not in body
    assert said in api().get("/api/v1/openapi.json").content.decode()
    assert said in api().get("/api/v1/openapi.json").content.decode()
    assert len(builds) == 3  # before, in and after the change; not again after
