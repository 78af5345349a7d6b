"""Bad input to the portal gets a clear answer and changes nothing; never a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from northstar.survivors import actions as survivor_actions
from northstar.survivors.models import Consent

pytestmark = pytest.mark.django_db


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reference=st.text(max_size=200), pin=st.text(max_size=60))
def test_any_sign_in_input_is_answered_without_an_error(reference, pin, db):
    response = Client().post("/portal/", {"reference": reference.replace("\x00", ""),
                                          "pin": pin.replace("\x00", "")})
    assert response.status_code in (200, 429)


def test_posts_without_a_portal_session_change_nothing(survivor_a, caseworker, actor_for):
    survivor_actions.record_consent(actor_for(caseworker), survivor_a, purpose="research",
                                    language="km", method="verbal")
    client = Client()
    r = client.post("/portal/choices/consent/", {"purpose": "research", "choice": "withdraw"})
    assert r.status_code == 302 and r["Location"].startswith("/portal/")
    r = client.post("/portal/choices/advocacy/", {"advocacy_visibility": "public", "version": 1})
    assert r.status_code == 302
    assert Consent.objects.get().withdrawn_at is None
    survivor_a.refresh_from_db()
    assert survivor_a.advocacy_visibility == "none"


def test_a_bad_advocacy_value_or_version_is_refused_next_to_the_field(survivor_a, portal_client):
    client = portal_client(survivor_a)
    for data in ({"advocacy_visibility": "loud", "version": survivor_a.version},
                 {"advocacy_visibility": "anonymous", "version": "x"}):
        response = client.post("/portal/choices/advocacy/", data)
        assert response.status_code == 422
        assert 'id="advocacy-error"' in response.content.decode()
    survivor_a.refresh_from_db()
    assert survivor_a.advocacy_visibility == "none"


def test_an_archived_survivors_session_ends(survivor_a, portal_client, caseworker, actor_for):
    client = portal_client(survivor_a)
    survivor_actions.archive_survivor(actor_for(caseworker), survivor_a)
    assert client.get("/portal/home/").status_code == 302
    from northstar.portal import actions

    assert not actions.sign_in(reference=survivor_a.reference, pin="482913", client="x").ok
