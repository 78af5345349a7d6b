"""The claim lifecycle: dated, audited transitions; moves not allowed are refused with 4xx."""

from __future__ import annotations

from northstar.compensation.models import Claim, ClaimEvent, Payment
from northstar.core.models import AuditEntry


def new_claim(client, case, **extra):
    body = {"route": "criminal_restitution", "payer": "offender", "amount_claimed": "55230.00",
            "currency": "THB", "filed_on": "2025-08-01", **extra}
    response = client.post(f"/api/v1/cases/{case.pk}/claims", body)
    assert response.status_code == 201, response.content
    return response.json()


def move(client, claim_id, to, on, **extra):
    return client.post(f"/api/v1/compensation/claims/{claim_id}/transitions",
                       {"to": to, "on": on, **extra})


def test_claim_runs_from_filing_to_paid_in_full_with_every_step_dated(api, caseworker, case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a, payer_name="Captain of the vessel")
    assert claim["status"] == "filed" and claim["filed_on"] == "2025-08-01"
    response = move(client, claim["id"], "awarded", "2025-11-03", amount="40000")
    assert response.status_code == 200, response.content
    assert response.json()["amount_awarded"] == "40000.00"
    schedule = client.post(f"/api/v1/compensation/claims/{claim['id']}/schedule", {"instalments": [
        {"due_on": "2025-12-01", "amount": "20000"}, {"due_on": "2026-01-01", "amount": "20000"}]})
    assert schedule.status_code == 200, schedule.content
    paid = client.post(f"/api/v1/compensation/claims/{claim['id']}/payments",
                       {"received_on": "2025-11-28", "amount": "20000", "proof_reference": "TT-1"})
    assert paid.status_code == 201 and paid.json()["status"] == "paying"
    paid = client.post(f"/api/v1/compensation/claims/{claim['id']}/payments",
                       {"received_on": "2026-01-05", "amount": "20000", "proof_reference": "TT-2"})
    body = paid.json()
    assert body["status"] == "paid_in_full" and body["closed_on"] == "2026-01-05"
    steps = [(e["to_status"], e["on"]) for e in body["timeline"] if e["kind"] == "transition"]
    assert steps == [("draft", steps[0][1]), ("filed", "2025-08-01"), ("awarded", "2025-11-03"),
                     ("paying", "2025-11-28"), ("paid_in_full", "2026-01-05")]
    figures = body["figures"]
    assert figures["days_filing_to_decision"] == 94  # 1 Aug → 3 Nov 2025
    assert figures["days_filing_to_first_payment"] == 119  # 1 Aug → 28 Nov
    assert figures["days_filing_to_last_payment"] == 157  # 1 Aug 2025 → 5 Jan 2026
    assert figures["instalments_due"] == 2 and figures["instalments_on_time"] == 1
    assert body["payer_name"] == "Captain of the vessel"
    assert AuditEntry.objects.filter(record_type="compensation_claim", record_id=str(claim["id"]),
                                     action="update").count() >= 4


def test_a_payment_on_a_rejected_claim_is_refused(api, caseworker, case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a)
    assert move(client, claim["id"], "rejected", "2025-10-01").status_code == 200
    events = ClaimEvent.objects.count()
    response = client.post(f"/api/v1/compensation/claims/{claim['id']}/payments",
                           {"received_on": "2025-10-02", "amount": "100", "proof_reference": "x"})
    assert response.status_code == 409
    assert "rejected" in response.json()["detail"]
    assert not Payment.objects.exists() and ClaimEvent.objects.count() == events


def test_transitions_not_allowed_are_refused_and_change_nothing(api, caseworker, case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a, filed_on=None)
    assert claim["status"] == "draft"
    response = move(client, claim["id"], "awarded", "2025-10-01", amount="100")
    assert response.status_code == 409 and response.json()["field"] == "to"
    assert move(client, claim["id"], "compensated", "2025-10-01").status_code == 422
    assert Claim.objects.get(pk=claim["id"]).status == "draft"
    assert move(client, claim["id"], "withdrawn", "2025-10-01").status_code == 200
    assert move(client, claim["id"], "filed", "2025-10-02").status_code == 409


def test_an_award_needs_its_amount_and_a_date_not_before_filing(api, caseworker, case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a)
    response = move(client, claim["id"], "awarded", "2025-10-01")
    assert response.status_code == 422 and response.json()["field"] == "amount"
    response = move(client, claim["id"], "awarded", "2025-07-01", amount="100")
    assert response.status_code == 422 and response.json()["field"] == "on"
    response = move(client, claim["id"], "awarded", "2025-10-01", amount="100.505")
    assert response.status_code == 422 and response.json()["field"] == "amount"
    assert Claim.objects.get(pk=claim["id"]).status == "filed"


def test_a_schedule_must_add_up_to_the_award(api, caseworker, case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a)
    move(client, claim["id"], "awarded", "2025-10-01", amount="1000")
    response = client.post(f"/api/v1/compensation/claims/{claim['id']}/schedule",
                          {"instalments": [{"due_on": "2025-11-01", "amount": "900"}]})
    assert response.status_code == 422 and response.json()["field"] == "instalments"


def test_overpayment_is_refused(api, caseworker, case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a)
    move(client, claim["id"], "awarded", "2025-10-01", amount="1000")
    response = client.post(f"/api/v1/compensation/claims/{claim['id']}/payments",
                           {"received_on": "2025-10-02", "amount": "1000.01",
                            "proof_reference": "x"})
    assert response.status_code == 422 and response.json()["field"] == "amount"


def test_mediation_is_never_awarded(api, caseworker, labour_case):
    client = api(caseworker)
    claim = new_claim(client, labour_case, route="out_of_court_mediation", payer="employer")
    response = move(client, claim["id"], "awarded", "2025-10-01", amount="100")
    assert response.status_code == 409
    assert "settled by agreement" in response.json()["detail"]


def test_a_claim_cannot_be_marked_paid_in_full_before_the_money_is_received(api, caseworker,
                                                                           case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a)
    move(client, claim["id"], "awarded", "2025-10-01", amount="1000")
    response = move(client, claim["id"], "paid_in_full", "2025-10-02")
    assert response.status_code == 409 and "0 of 1000" in response.json()["detail"]
    response = move(client, claim["id"], "paying", "2025-10-02")
    assert response.status_code == 409
    assert Claim.objects.get(pk=claim["id"]).status == "awarded"
    assert move(client, claim["id"], "defaulted", "2025-12-01").status_code == 200


def test_an_instalment_cannot_fall_due_before_the_award(api, caseworker, case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a)
    move(client, claim["id"], "awarded", "2025-10-01", amount="1000")
    response = client.post(f"/api/v1/compensation/claims/{claim['id']}/schedule",
                           {"instalments": [{"due_on": "2025-09-30", "amount": "1000"}]})
    assert response.status_code == 422
    assert response.json()["field"] == "instalments.0.due_on"


def test_nan_and_infinity_are_named_as_not_amounts(api, caseworker, case_a):
    client = api(caseworker)
    claim = new_claim(client, case_a)
    for bad in ("NaN", "sNaN", "-Infinity", "Infinity"):
        response = move(client, claim["id"], "awarded", "2025-10-01", amount=bad)
        assert response.status_code == 422 and response.json()["field"] == "amount"
        assert "is not an amount" in response.json()["detail"]
    assert Claim.objects.get(pk=claim["id"]).status == "filed"
