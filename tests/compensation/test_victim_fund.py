"""Interim assistance from the organisation's victim fund."""

from __future__ import annotations

from northstar.compensation.models import Disbursement
from northstar.survivors import actions as survivor_actions
from tests.conftest import ApiClient


def _actor(user):
    from northstar.core.actor import Actor

    return Actor.for_user(user, "test")


def fund_with(api, supervisor, amount="10000"):
    response = api(supervisor).post("/api/v1/compensation/fund/deposits", {
        "amount": amount, "received_on": "2025-09-01", "source": "Donor grant 2025",
        "currency": "THB"})
    assert response.status_code == 201, response.content
    return response.json()


def pay(client, survivor, supervisor, amount, purpose="medical", approve=True, **extra):
    """Record a disbursement naming ``supervisor`` as approver, who then approves it."""
    response = client.post(f"/api/v1/survivors/{survivor.pk}/disbursements", {
        "purpose": purpose, "amount": amount, "paid_on": "2025-09-05",
        "approver_id": supervisor.pk, **extra})
    if approve and response.status_code == 201:
        approved = ApiClient(supervisor).post(
            f"/api/v1/compensation/fund/disbursements/{response.json()['id']}/approve")
        assert approved.status_code == 200, approved.content
    return response


def test_disbursements_reduce_the_balance_and_are_reported_per_survivor(api, caseworker, supervisor,
                                                                        survivor_a, case_a):
    assert fund_with(api, supervisor)["balance"] == "10000.00"
    client = api(caseworker)
    assert pay(client, survivor_a, supervisor, "2500", case_id=case_a.pk).status_code == 201
    assert pay(client, survivor_a, supervisor, "500", purpose="transport").status_code == 201
    report = client.get("/api/v1/compensation/fund").json()
    assert report["balance"] == "7000.00" and report["disbursed"] == "3000.00"
    assert report["by_purpose"] == {"medical": "2500.00", "transport": "500.00"}
    assert report["per_survivor"] == {survivor_a.reference: {"total": "3000.00", "count": 2}}
    listed = client.get(f"/api/v1/survivors/{survivor_a.pk}/disbursements").json()
    assert listed["total"] == "3000.00" and len(listed["items"]) == 2


def test_researchers_never_see_what_one_survivor_was_paid_for(api, caseworker, supervisor, users,
                                                              survivor_a):
    fund_with(api, supervisor)
    client = api(caseworker)
    others = [survivor_actions.create_survivor(actor, data={
        "given_name": f"Demo Person {n}", "family_name": "Testperson", "sex": "female",
        "nationality": "KH", "languages": ["km"], "preferred_language": "km"})
        for n, actor in enumerate([_actor(caseworker)] * 3)]
    for person in others:
        assert pay(client, person, supervisor, "100", purpose="transport").status_code == 201
    assert pay(client, survivor_a, supervisor, "2500").status_code == 201
    report = api(users[("a", "researcher")]).get("/api/v1/compensation/fund").json()
    # medical is one survivor's bill; disbursed minus transport would give it away
    assert report["by_purpose"] == {"medical": None, "transport": None}
    assert report["per_survivor"] is None
    for person in others[:2]:
        assert pay(client, person, supervisor, "100").status_code == 201
    report = api(users[("a", "researcher")]).get("/api/v1/compensation/fund").json()
    assert report["by_purpose"] == {"medical": "2700.00", "transport": "300.00"}


def test_a_disbursement_beyond_the_balance_is_refused(api, caseworker, supervisor, survivor_a):
    fund_with(api, supervisor, "1000")
    response = pay(api(caseworker), survivor_a, supervisor, "1000.01")
    assert response.status_code == 422
    assert response.json()["field"] == "amount" and response.json()["balance"] == "1000.00"
    assert not Disbursement.objects.exists()


def test_interim_assistance_is_not_conditioned_on_testimony(api, caseworker, supervisor, survivor_a,
                                                            actor_for):
    # A survivor who declines to take part in proceedings still receives support,
    # and a request cannot attach a testimony condition.
    case = survivor_actions.create_case(actor_for(caseworker), survivor_a, data={
        "forms_of_exploitation": ["labour"], "trial_participation": "no"})
    fund_with(api, supervisor)
    client = api(caseworker)
    assert pay(client, survivor_a, supervisor, "100", case_id=case.pk).status_code == 201
    refused = pay(client, survivor_a, supervisor, "100", conditional_on_testimony=True)
    assert refused.status_code == 422 and refused.json()["field"] == "conditional_on_testimony"


def test_the_approver_must_be_a_supervisor_of_the_organisation(api, caseworker, supervisor,
                                                               survivor_a, users):
    fund_with(api, supervisor)
    response = pay(api(caseworker), survivor_a, caseworker, "100")
    assert response.status_code == 422 and response.json()["field"] == "approver_id"
    other_supervisor = users[("b", "supervisor")]
    response = pay(api(caseworker), survivor_a, other_supervisor, "100")
    assert response.status_code == 422


def test_only_supervisors_record_deposits(api, caseworker):
    response = api(caseworker).post("/api/v1/compensation/fund/deposits", {
        "amount": "100", "received_on": "2025-09-01", "source": "x", "currency": "THB"})
    assert response.status_code == 403
