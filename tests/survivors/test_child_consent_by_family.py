"""A child's consent given by a parent or guardian records who gave it, and a family member
may not consent while the family is, or may be, involved in the trafficking (issue 11 §3)."""

from __future__ import annotations

import pytest

from northstar.core.errors import DomainError
from northstar.core.fields import reveal
from northstar.survivors import actions
from northstar.survivors.models import Consent
from tests.survivors.test_encryption_at_rest import raw_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(caseworker, actor_for):
    return actions.create_survivor(actor_for(caseworker), data={
        "given_name": "Demo Child", "birth_year": 2014, "preferred_language": "km"})


def _by_guardian(actor, survivor, **who):
    return actions.record_consent(actor, survivor, purpose="case_management", language="km",
                                  method="verbal", given_by="guardian", **who)


def _family_is(actor, survivor, answer):
    return actions.update_survivor(actor, survivor, version=survivor.version,
                                   changes={"family_involved": answer})


def test_a_guardians_consent_without_saying_who_is_refused(caseworker, actor_for, child):
    with pytest.raises(DomainError) as err:
        _by_guardian(actor_for(caseworker), child)
    assert err.value.field == "guardian_relationship"
    with pytest.raises(DomainError) as err:
        _by_guardian(actor_for(caseworker), child, guardian_relationship="social_worker")
    assert err.value.field == "guardian_name"
    assert not Consent.objects.exists()


def test_a_parent_cannot_consent_for_a_child_the_family_trafficked(caseworker, actor_for, child):
    actor = actor_for(caseworker)
    child = _family_is(actor, child, "yes")
    with pytest.raises(DomainError) as err:
        _by_guardian(actor, child, guardian_relationship="mother", guardian_name="Demo Mother")
    assert err.value.field == "guardian_relationship"
    assert "guardian ad litem" in err.value.message and "social worker" in err.value.message
    assert not Consent.objects.exists()


def test_unknown_family_involvement_is_asked_about_never_assumed_safe(caseworker, actor_for,
                                                                       child):
    with pytest.raises(DomainError) as err:
        _by_guardian(actor_for(caseworker), child, guardian_relationship="father",
                     guardian_name="Demo Father")
    assert err.value.field == "family_involved"
    assert not Consent.objects.exists()


def test_a_case_naming_family_as_offender_counts_as_family_involved(caseworker, actor_for, child):
    actor = actor_for(caseworker)
    child = _family_is(actor, child, "no")
    actions.create_case(actor, child, data={"forms_of_exploitation": ["sex"],
                                            "relationship_to_offender": "family"})
    with pytest.raises(DomainError):
        _by_guardian(actor, child, guardian_relationship="grandparent", guardian_name="Demo Gran")


def test_a_guardian_ad_litem_may_consent_where_the_family_is_involved(caseworker, actor_for,
                                                                      child):
    actor = actor_for(caseworker)
    child = _family_is(actor, child, "yes")
    consent = _by_guardian(actor, child, guardian_relationship="guardian_ad_litem",
                           guardian_name="Demo Advocate")
    assert consent.guardian_relationship == "guardian_ad_litem"


def test_a_parent_consents_where_someone_asked_and_the_family_is_not_involved(
        caseworker, actor_for, child):
    actor = actor_for(caseworker)
    child = _family_is(actor, child, "no")
    consent = _by_guardian(actor, child, guardian_relationship="mother",
                           guardian_name="Demo Mother")
    stored = Consent.objects.get(pk=consent.pk)
    assert stored.guardian_relationship == "mother"
    assert reveal(stored.guardian_name) == "Demo Mother"
    assert "Demo Mother" not in " ".join(raw_rows("survivors_consent"))  # sealed at rest


def test_the_api_refuses_a_parent_while_family_involvement_is_unknown(api, caseworker, child):
    response = api(caseworker).post(f"/api/v1/survivors/{child.pk}/consents", {
        "purpose": "case_management", "language": "km", "method": "verbal",
        "given_by": "guardian", "guardian_relationship": "mother", "guardian_name": "Demo M"})
    assert response.status_code == 422
    assert response.json()["field"] == "family_involved"
    assert not Consent.objects.exists()


def test_the_api_records_family_involvement_on_the_survivor(api, caseworker, child):
    client = api(caseworker)
    body = client.get(f"/api/v1/survivors/{child.pk}").json()
    assert body["family_involved"] == "unknown"
    response = client.patch(f"/api/v1/survivors/{child.pk}",
                            {"version": body["version"], "family_involved": "maybe"})
    assert response.status_code == 422 and response.json()["field"] == "family_involved"
    response = client.patch(f"/api/v1/survivors/{child.pk}",
                            {"version": body["version"], "family_involved": "yes"})
    assert response.status_code == 200 and response.json()["family_involved"] == "yes"
