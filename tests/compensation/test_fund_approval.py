"""The victim fund's approver must actually approve: a disbursement naming a supervisor
waits for that supervisor (issue 12 §1)."""

from __future__ import annotations

from northstar.compensation.models import Disbursement
from northstar.core.models import AuditEntry
from tests.compensation.test_victim_fund import fund_with, pay
from tests.conftest import make_user


def test_a_disbursement_naming_a_supervisor_is_pending_until_that_supervisor_approves(
        api, caseworker, supervisor, survivor_a):
    fund_with(api, supervisor, "1000")
    made = pay(api(caseworker), survivor_a, supervisor, "400", approve=False)
    assert made.status_code == 201 and made.json()["status"] == "pending"
    report = api(caseworker).get("/api/v1/compensation/fund").json()
    # Reserved, not paid: the balance holds it back, the paid total does not count it.
    assert report["disbursed"] == "0.00" and report["awaiting_approval"] == "400.00"
    assert report["balance"] == "600.00"
    waiting = api(supervisor).get("/api/v1/compensation/fund/approvals").json()
    assert [d["id"] for d in waiting["items"]] == [made.json()["id"]]
    approved = api(supervisor).post(
        f"/api/v1/compensation/fund/disbursements/{made.json()['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    report = api(caseworker).get("/api/v1/compensation/fund").json()
    assert report["disbursed"] == "400.00" and report["awaiting_approval"] == "0.00"
    assert AuditEntry.objects.filter(record_type="victim_fund_disbursement", action="update",
                                     record_ids=[str(made.json()["id"])],
                                     note="approved").exists()


def test_nobody_but_the_named_approver_may_approve(api, caseworker, supervisor, survivor_a, org_a):
    other_supervisor = make_user("supervisor2.a", org_a, "supervisor")
    fund_with(api, supervisor, "1000")
    made = pay(api(caseworker), survivor_a, supervisor, "400", approve=False).json()
    url = f"/api/v1/compensation/fund/disbursements/{made['id']}/approve"
    assert api(other_supervisor).post(url).status_code == 403
    assert api(caseworker).post(url).status_code == 404
    assert Disbursement.objects.get(pk=made["id"]).status == "pending"


def test_a_declined_disbursement_returns_its_money_to_the_fund_and_keeps_the_reason_sealed(
        api, caseworker, supervisor, survivor_a):
    fund_with(api, supervisor, "1000")
    made = pay(api(caseworker), survivor_a, supervisor, "400", approve=False).json()
    url = f"/api/v1/compensation/fund/disbursements/{made['id']}/decline"
    assert api(supervisor).post(url, {}).status_code == 422
    declined = api(supervisor).post(url, {"reason": "Paid by the shelter already."})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert api(caseworker).get("/api/v1/compensation/fund").json()["balance"] == "1000.00"
    stored = Disbursement.objects.get(pk=made["id"])
    assert "Paid by the shelter" not in str(stored.decline_reason)  # sealed, prints masked
    again = api(supervisor).post(
        f"/api/v1/compensation/fund/disbursements/{made['id']}/approve")
    assert again.status_code == 409


def test_naming_oneself_as_approver_is_approving(api, supervisor, survivor_a):
    fund_with(api, supervisor, "1000")
    made = pay(api(supervisor), survivor_a, supervisor, "100", approve=False)
    assert made.status_code == 201 and made.json()["status"] == "approved"


def test_another_organisation_cannot_reach_a_disbursement(api, caseworker, supervisor, survivor_a,
                                                          users):
    fund_with(api, supervisor, "1000")
    made = pay(api(caseworker), survivor_a, supervisor, "400", approve=False).json()
    for role in ("supervisor", "org_admin", "caseworker", "researcher"):
        answer = api(users[("b", role)]).post(
            f"/api/v1/compensation/fund/disbursements/{made['id']}/approve")
        assert answer.status_code == 404, role
    assert Disbursement.objects.get(pk=made["id"]).status == "pending"


def test_the_approver_approves_on_the_fund_page(api, caseworker, supervisor, survivor_a, client):
    fund_with(api, supervisor, "1000")
    made = pay(api(caseworker), survivor_a, supervisor, "400", approve=False).json()
    client.force_login(supervisor)
    page = client.get("/compensation/fund/").content.decode()
    assert "Waiting for your approval" in page and survivor_a.reference in page
    answer = client.post(f"/compensation/fund/disbursements/{made['id']}/decide/",
                         {"decision": "approve"})
    assert answer.status_code == 302
    assert Disbursement.objects.get(pk=made["id"]).status == "approved"
    assert "Waiting for your approval" not in client.get("/compensation/fund/").content.decode()


def test_another_organisations_supervisor_cannot_decide_on_the_page(api, caseworker, supervisor,
                                                                   survivor_a, users, client):
    fund_with(api, supervisor, "1000")
    made = pay(api(caseworker), survivor_a, supervisor, "400", approve=False).json()
    client.force_login(users[("b", "supervisor")])
    answer = client.post(f"/compensation/fund/disbursements/{made['id']}/decide/",
                         {"decision": "approve"})
    assert answer.status_code == 404
    assert Disbursement.objects.get(pk=made["id"]).status == "pending"
