"""Intelligence fixtures: organisations that receive and share reports, and a sender that
can be a different device each time."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.test import Client, TestCase

from northstar.intelligence.models import SharingSetting

_devices = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counters and the day's key live in the cache: each test starts a new day."""
    cache.clear()
    yield
    cache.clear()


def committed():
    """Run what a change leaves for its commit (the shared-patterns recount job, inline as in
    ``make run``) when the block ends: a test's transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def sharing(org_a, org_b):
    def build(org, **flags):
        values = {"with_organisations": True, "with_law_enforcement": False,
                  "receives_anonymous": True, **flags}
        with committed():
            SharingSetting.objects.update_or_create(organisation=org, defaults=values)
        return org

    build(org_a)
    build(org_b)
    return build


def send(org, *, device: str | None = None, address: str = "198.51.100.7", **fields):
    """One report from the anonymous page, from ``device`` (a new phone if not named)."""
    client = Client(REMOTE_ADDR=address)
    client.cookies["nsr"] = device or f"phone-{next(_devices)}"
    return client.post("/intelligence/report/", {"organisation": str(org.pk), **fields})
