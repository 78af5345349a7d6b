"""Portal fixtures: a survivor with a PIN, and a browser-like client signed in as them."""

from __future__ import annotations

import pytest
from django.test import Client

from northstar.portal import actions as portal_actions

PIN = "482913"


@pytest.fixture(autouse=True)
def fast_pin_hashing(settings):
    # The real hasher (PBKDF2) is slow by design; the code path is the same.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def with_pin(caseworker, actor_for):
    def build(survivor, pin: str = PIN):
        portal_actions.set_pin(actor_for(caseworker), survivor, pin=pin)
        return survivor

    return build


@pytest.fixture
def portal_client(with_pin):
    """A client signed in to the portal as ``survivor`` (PIN set first)."""

    def build(survivor, *, client: Client | None = None) -> Client:
        with_pin(survivor)
        client = client or Client()
        response = client.post("/portal/", {"reference": survivor.reference, "pin": PIN})
        assert response.status_code == 302, response.content[:500]
        assert response["Location"].endswith("/portal/home/")
        return client

    return build
