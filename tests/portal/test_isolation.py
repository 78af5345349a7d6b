"""A survivor sees their own record and nothing else."""

import pytest

from northstar.portal import sources
from northstar.survivors import actions
from northstar.survivors.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_survivor(caseworker, actor_for):
    survivor = actions.create_survivor(actor_for(caseworker), data={
        "given_name": "Demo Malai", "family_name": "Sample", "birth_year": 1990,
        "preferred_language": "th"})
    return survivor


def test_a_survivor_cannot_withdraw_another_survivors_consent(survivor_a, other_survivor,
                                                              portal_client, caseworker,
                                                              actor_for):
    theirs = actions.record_consent(actor_for(caseworker), other_survivor, purpose="statistics",
                                    language="th", method="verbal")
    client = portal_client(survivor_a)
    response = client.post("/portal/choices/consent/", {
        "purpose": "statistics", "choice": "withdraw", "consent": theirs.pk})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


def test_a_survivors_pages_show_only_their_own_consents(survivor_a, other_survivor,
                                                        portal_client, caseworker, actor_for,
                                                        org_b):
    actions.record_consent(actor_for(caseworker), other_survivor, purpose="referral",
                           recipient=org_b, language="th", method="verbal")
    html = portal_client(survivor_a).get("/portal/choices/").content.decode()
    assert org_b.name not in html
    assert 'data-status="no"' in html


def test_a_survivor_signed_in_cannot_reach_staff_pages(survivor_a, portal_client):
    client = portal_client(survivor_a)
    assert client.get(f"/survivors/{survivor_a.pk}/").status_code == 302  # staff login
    assert client.get(f"/portal/staff/survivors/{survivor_a.pk}/access/").status_code == 302


def test_plan_and_claim_readers_never_return_other_survivors_rows(survivor_a, other_survivor):
    # Whatever the other apps' models look like, the readers scope to one survivor.
    from northstar.core.actor import Actor

    me = Actor.survivor(survivor_a)
    assert sources.plan_items(me) == []
    assert sources.claims(me) == []
    assert Consent.objects.count() == 0
