"""Out-of-court mediation: only where the pathways engine allows it; escalation keeps history."""

from __future__ import annotations

from northstar.compensation.models import Claim, Mediation
from northstar.core.models import AuditEntry

PARTIES = [{"role": "worker", "name": "The survivor"},
           {"role": "employer", "name": "Site contractor Co."},
           {"role": "buyer_brand", "name": "Big Developer plc"}]


def open_on(client, case):
    return client.post(f"/api/v1/cases/{case.pk}/mediations",
                       {"opened_on": "2025-09-01", "mediator": "Labour office", "parties": PARTIES})


def test_out_of_court_compensation_is_never_offered_for_sex_trafficking(api, caseworker,
                                                                         sex_trafficking_case):
    client = api(caseworker)
    response = open_on(client, sex_trafficking_case)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "route"
    assert "sex-trafficking" in body["detail"]
    assert "out_of_court_compensation_never_for_sex_trafficking" in body["rules"]
    claim = client.post(f"/api/v1/cases/{sex_trafficking_case.pk}/claims", {
        "route": "out_of_court_mediation", "payer": "employer", "amount_claimed": "100",
        "currency": "THB"})
    assert claim.status_code == 422
    assert not Mediation.objects.exists() and not Claim.objects.exists()


def test_out_of_court_settlement_of_a_coercive_case_is_refused(api, caseworker, case_a):
    # case_a records high coercion
    response = open_on(api(caseworker), case_a)
    assert response.status_code == 422
    assert "out_of_court_compensation_never_for_coercive_cases" in response.json()["rules"]


def test_mediation_agreement_then_escalation_keeps_the_whole_history(api, caseworker, labour_case):
    client = api(caseworker)
    eligibility = client.get(f"/api/v1/cases/{labour_case.pk}/mediation-eligibility").json()
    assert eligibility["eligibility"] in ("eligible", "conditional")
    read = AuditEntry.objects.get(record_type="mediation_eligibility", action="read")
    assert read.record_id == str(labour_case.pk)
    opened = open_on(client, labour_case)
    assert opened.status_code == 201, opened.content
    mediation = opened.json()
    assert mediation["eligibility"]["eligibility"] == eligibility["eligibility"]
    assert [p["role"] for p in mediation["parties"]] == ["worker", "employer", "buyer_brand"]
    assert mediation["parties"][0]["name"] is None  # sealed names only in the audited detail
    mid = mediation["id"]
    session = client.post(f"/api/v1/compensation/mediations/{mid}/sessions",
                          {"held_on": "2025-09-10", "outcome": "progress", "summary": "Met."})
    assert session.status_code == 201
    agreed = client.post(f"/api/v1/compensation/mediations/{mid}/agreement", {
        "agreed_on": "2025-09-20", "amount": "30000", "currency": "THB", "payer": "employer",
        "terms": "Employer pays unpaid wages in two instalments; brand guarantees.",
        "term_kinds": ["payment_in_instalments"], "voluntary": True,
        "interpreter_needed": True, "interpreter_present": True,
        "instalments": [{"due_on": "2025-10-20", "amount": "15000"},
                        {"due_on": "2025-11-20", "amount": "15000"}]})
    assert agreed.status_code == 201, agreed.content
    settled = agreed.json()
    assert settled["route"] == "out_of_court_mediation" and settled["status"] == "settled"
    assert settled["amount_agreed"] == "30000.00"
    client.post(f"/api/v1/compensation/claims/{settled['id']}/payments",
                {"received_on": "2025-10-18", "amount": "15000", "proof_reference": "bank 1"})
    escalated = client.post(f"/api/v1/compensation/mediations/{mid}/escalation", {
        "route": "labour_tribunal", "amount_claimed": "15000", "payer": "employer",
        "reason": "Second instalment not paid", "on": "2025-12-01", "filed_on": "2025-12-02"})
    assert escalated.status_code == 201, escalated.content
    court = escalated.json()
    assert court["route"] == "labour_tribunal" and court["status"] == "filed"
    assert court["escalated_from_mediation_id"] == mid
    detail = client.get(f"/api/v1/compensation/mediations/{mid}").json()
    assert detail["status"] == "escalated" and detail["court_claim_ids"] == [court["id"]]
    assert detail["agreement_terms"].startswith("Employer pays")
    assert [s["outcome"] for s in detail["sessions"]] == ["progress"]
    old = client.get(f"/api/v1/compensation/claims/{settled['id']}").json()
    assert old["status"] == "defaulted"
    assert [p["amount"] for p in old["payments"]] == ["15000.00"]
    assert any(e["kind"] == "escalation" for e in old["timeline"])
    again = client.post(f"/api/v1/compensation/mediations/{mid}/escalation", {
        "route": "civil_suit", "amount_claimed": "1", "payer": "employer", "reason": "x",
        "on": "2025-12-03"})
    assert again.status_code == 409
    assert AuditEntry.objects.filter(record_type="compensation_mediation", action="read").exists()


def test_escalation_must_go_to_a_court_route(api, caseworker, labour_case):
    client = api(caseworker)
    mid = open_on(client, labour_case).json()["id"]
    response = client.post(f"/api/v1/compensation/mediations/{mid}/escalation", {
        "route": "out_of_court_mediation", "amount_claimed": "100", "payer": "employer",
        "reason": "failed", "on": "2025-10-01"})
    assert response.status_code == 422 and response.json()["field"] == "route"
    assert Mediation.objects.get(pk=mid).status == "open"


def test_conditional_eligibility_needs_the_caseworker_to_confirm_the_conditions(
        api, caseworker, survivor_a, actor_for):
    from northstar.survivors import actions as survivor_actions

    case = survivor_actions.create_case(actor_for(caseworker), survivor_a, data={
        "forms_of_exploitation": ["labour"], "coercion": "unknown",
        "relationship_to_offender": "stranger"})
    client = api(caseworker)
    refused = open_on(client, case)
    assert refused.status_code == 422
    assert refused.json()["field"] == "conditions_confirmed" and refused.json()["conditions"]
    assert not Mediation.objects.exists()
    confirmed = client.post(f"/api/v1/cases/{case.pk}/mediations",
                            {"opened_on": "2025-09-01", "conditions_confirmed": True})
    assert confirmed.status_code == 201
    assert confirmed.json()["eligibility"]["conditions_confirmed_by"] == caseworker.username


def test_refusal_names_only_the_rules_that_block(api, caseworker, sex_trafficking_case):
    body = open_on(api(caseworker), sex_trafficking_case).json()
    assert "out_of_court_compensation_disputes_escalate_to_court" not in body["rules"]


def test_no_mediation_agreement_may_require_her_to_withdraw_her_complaint(api, caseworker,
                                                                         supervisor, labour_case):
    from northstar.compensation.models import Claim

    client = api(caseworker)
    mid = open_on(client, labour_case).json()["id"]
    body = {"agreed_on": "2025-09-20", "amount": "30000", "currency": "THB", "payer": "employer",
            "terms": "Pays if she drops the police complaint.", "voluntary": True,
            "interpreter_needed": True, "interpreter_present": True,
            "term_kinds": ["withdraw_complaint"]}
    refused = client.post(f"/api/v1/compensation/mediations/{mid}/agreement", body)
    assert refused.status_code in (403, 422), refused.content
    # Absolute: not even a supervisor with a long written reason can record it.
    overridden = api(supervisor).post(f"/api/v1/compensation/mediations/{mid}/agreement", dict(
        body, justification="She insists on settling; we explained everything to her. " * 5))
    assert overridden.status_code in (403, 422), overridden.content
    assert not Claim.objects.filter(route="out_of_court_mediation").exists()


def test_a_settlement_without_a_needed_interpreter_is_blocked(api, caseworker, labour_case):
    client = api(caseworker)
    mid = open_on(client, labour_case).json()["id"]
    refused = client.post(f"/api/v1/compensation/mediations/{mid}/agreement", {
        "agreed_on": "2025-09-20", "amount": "30000", "currency": "THB", "payer": "employer",
        "terms": "Employer pays.", "voluntary": True, "interpreter_needed": True,
        "interpreter_present": False})
    assert refused.status_code in (403, 422)
    assert "interpreter" in refused.json()["detail"]
