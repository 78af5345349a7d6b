"""Outcomes fixtures: a survivor signed in to the portal, staff actors, statistics consent."""

from __future__ import annotations

import pytest
from django.test import Client

from northstar.portal import actions as portal_actions
from northstar.survivors import actions as survivors

PIN = "482913"


@pytest.fixture
def staff(caseworker, actor_for):
    return actor_for(caseworker)


@pytest.fixture
def portal_client(caseworker, actor_for):
    """A client signed in to the portal as ``survivor`` (PIN set first)."""

    def build(survivor) -> Client:
        portal_actions.set_pin(actor_for(caseworker), survivor, pin=PIN)
        client = Client()
        response = client.post("/portal/", {"reference": survivor.reference, "pin": PIN})
        assert response.status_code == 302, response.content[:300]
        return client

    return build


@pytest.fixture
def counted(staff):
    """Give a survivor's consent to be counted in anonymous statistics."""

    def give(survivor):
        survivors.record_consent(staff, survivor, purpose="statistics", language="km",
                                 method="verbal")
        return survivor

    return give
