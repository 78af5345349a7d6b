"""A referral to the police or a prosecutor is a flow to law enforcement: a survivor's "yes"
to being referred is not a "yes" to being handed to the police (issue 11 §3)."""

from __future__ import annotations

import pytest

from northstar.core.models import Organisation
from northstar.referrals.access import shared_survivor_ids
from northstar.referrals.models import Referral
from northstar.survivors import actions as survivor_actions
from northstar.survivors.consent import may_refer
from tests.referrals.test_referral_pages import _login

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(db):
    return Organisation.objects.create(name="Anti-Trafficking Police Division", jurisdiction="TH",
                                       kind="law_enforcement", code="ATPD", on_platform=False)


@pytest.fixture
def other_police(db):
    return Organisation.objects.create(name="Immigration Police", jurisdiction="TH",
                                       kind="law_enforcement", code="IMMP", on_platform=False)


def _consent(actor, survivor, purpose, recipient=None):
    return survivor_actions.record_consent(actor, survivor, purpose=purpose, recipient=recipient,
                                           language="km", method="written", interpreter_used=True)


def _refer(client, survivor, org):
    return client.post("/api/v1/referrals", {"survivor_id": survivor.pk, "recipient_id": org.pk,
                                             "needs": ["legal_aid"]})


def test_referral_consent_alone_does_not_hand_a_survivor_to_the_police(
        api, caseworker, actor_for, survivor_a, police):
    _consent(actor_for(caseworker), survivor_a, "referral", police)
    response = _refer(api(caseworker), survivor_a, police)
    assert response.status_code == 422
    assert response.json()["field"] == "consent"
    assert "law enforcement" in response.json()["detail"]
    assert not Referral.objects.exists()


def test_a_general_or_other_police_consent_does_not_name_these_police(
        api, caseworker, actor_for, survivor_a, police, other_police):
    actor = actor_for(caseworker)
    _consent(actor, survivor_a, "referral", police)
    _consent(actor, survivor_a, "law_enforcement_sharing")  # general: names no one
    _consent(actor, survivor_a, "law_enforcement_sharing", other_police)
    assert _refer(api(caseworker), survivor_a, police).status_code == 422


def test_consent_naming_the_police_allows_the_referral(api, caseworker, actor_for, survivor_a,
                                                        police):
    actor = actor_for(caseworker)
    _consent(actor, survivor_a, "referral", police)
    _consent(actor, survivor_a, "law_enforcement_sharing", police)
    response = _refer(api(caseworker), survivor_a, police)
    assert response.status_code == 201, response.content


def test_withdrawing_police_consent_stops_the_flow_at_once(caseworker, actor_for, survivor_a,
                                                          police):
    actor = actor_for(caseworker)
    _consent(actor, survivor_a, "referral", police)
    sharing = _consent(actor, survivor_a, "law_enforcement_sharing", police)
    assert may_refer(survivor_a, police)
    survivor_actions.withdraw_consent(actor, sharing, reason="afraid")
    assert not may_refer(survivor_a, police)


def test_a_police_recipient_loses_access_when_police_consent_is_withdrawn(
        caseworker, actor_for, survivor_a, police):
    from northstar.referrals import actions as referral_actions

    actor = actor_for(caseworker)
    _consent(actor, survivor_a, "referral", police)
    sharing = _consent(actor, survivor_a, "law_enforcement_sharing", police)
    referral = referral_actions.create_referral(actor, survivor=survivor_a, recipient=police,
                                                needs=["legal_aid"])
    Referral.objects.filter(pk=referral.pk).update(status="accepted")
    assert survivor_a.pk in set(shared_survivor_ids(police))
    survivor_actions.withdraw_consent(actor, sharing)
    assert survivor_a.pk not in set(shared_survivor_ids(police))


def test_the_referral_page_says_so_and_refuses_next_to_consent(caseworker, actor_for, survivor_a,
                                                               police):
    _consent(actor_for(caseworker), survivor_a, "referral", police)
    client = _login(caseworker)
    form = client.get(f"/referrals/new/?survivor={survivor_a.pk}").content.decode()
    assert "consent to share with law enforcement" in form
    response = client.post(f"/referrals/new/?survivor={survivor_a.pk}", {
        "recipient": police.pk, "urgency": "routine", "needs": ["legal_aid"],
        "shared_fields": ["given_name"]})
    assert response.status_code == 422
    assert "law enforcement" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_referral_to_a_shelter_still_needs_only_referral_consent(api, caseworker, actor_for,
                                                                   survivor_a, org_b):
    _consent(actor_for(caseworker), survivor_a, "referral", org_b)
    assert _refer(api(caseworker), survivor_a, org_b).status_code == 201
