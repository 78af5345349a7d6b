"""Every compensation endpoint answers 404 for a record of another organisation, and changes nothing."""

from __future__ import annotations

import pytest

from northstar.compensation import calculations, claims, mediations
from northstar.compensation.models import Claim, ClaimEvent, Disbursement, Mediation
from tests.compensation.conftest import CALC


@pytest.fixture
def org_b_records(other_caseworker, actor_for, case_b, users):
    actor = actor_for(other_caseworker)
    calc = calculations.save_calculation(actor, case_b, data=CALC)
    claim = claims.create_claim(actor, case_b, route="civil_suit", payer="employer",
                                 amount_claimed="1000", currency="THB", filed_on="2025-01-01")
    claims.transition_claim(actor, claim, to="awarded", on="2025-02-01", amount="1000")
    mediation = mediations.open_mediation(actor, case_b, opened_on="2025-01-01")
    return {"case": case_b.pk, "survivor": case_b.survivor_id, "calc": calc.pk, "claim": claim.pk,
            "mediation": mediation.pk}


ENDPOINTS = [
    ("post", "/api/v1/cases/{case}/calculations", CALC),
    ("get", "/api/v1/cases/{case}/calculations", None),
    ("get", "/api/v1/compensation/calculations/{calc}", None),
    ("post", "/api/v1/cases/{case}/claims", {"route": "civil_suit", "payer": "employer",
                                             "amount_claimed": "1", "currency": "THB"}),
    ("get", "/api/v1/cases/{case}/claims", None),
    ("get", "/api/v1/compensation/claims/{claim}", None),
    ("post", "/api/v1/compensation/claims/{claim}/transitions", {"to": "paying", "on": "2025-03-01"}),
    ("post", "/api/v1/compensation/claims/{claim}/schedule",
     {"instalments": [{"due_on": "2025-03-01", "amount": "1000"}]}),
    ("post", "/api/v1/compensation/claims/{claim}/payments",
     {"received_on": "2025-03-01", "amount": "10", "proof_reference": "x"}),
    ("get", "/api/v1/cases/{case}/mediation-eligibility", None),
    ("post", "/api/v1/cases/{case}/mediations", {"opened_on": "2025-01-01"}),
    ("get", "/api/v1/cases/{case}/mediations", None),
    ("get", "/api/v1/compensation/mediations/{mediation}", None),
    ("post", "/api/v1/compensation/mediations/{mediation}/parties",
     {"role": "employer", "name": "x"}),
    ("post", "/api/v1/compensation/mediations/{mediation}/sessions",
     {"held_on": "2025-01-02", "outcome": "progress"}),
    ("post", "/api/v1/compensation/mediations/{mediation}/agreement",
     {"agreed_on": "2025-01-03", "amount": "1", "currency": "THB", "payer": "employer",
      "terms": "x", "voluntary": True, "interpreter_needed": True, "interpreter_present": True}),
    ("post", "/api/v1/compensation/mediations/{mediation}/escalation",
     {"route": "civil_suit", "amount_claimed": "1", "payer": "employer", "reason": "x",
      "on": "2025-01-04"}),
    ("post", "/api/v1/survivors/{survivor}/disbursements",
     {"purpose": "medical", "amount": "1", "paid_on": "2025-01-01", "approver_id": 1}),
    ("get", "/api/v1/survivors/{survivor}/disbursements", None),
]


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_another_organisations_records_answer_404(api, caseworker, org_b_records, method, path,
                                                  body):
    counts = (Claim.objects.count(), ClaimEvent.objects.count(), Mediation.objects.count(),
              Disbursement.objects.count())
    client = api(caseworker)
    url = path.format(**org_b_records)
    response = client.post(url, body) if method == "post" else client.get(url)
    assert response.status_code == 404, (url, response.content)
    assert (Claim.objects.count(), ClaimEvent.objects.count(), Mediation.objects.count(),
            Disbursement.objects.count()) == counts


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_researchers_reach_no_individual_record(api, users, org_b_records, method, path, body):
    researcher = users[("b", "researcher")]
    url = path.format(**org_b_records)
    client = api(researcher)
    response = client.post(url, body) if method == "post" else client.get(url)
    assert response.status_code in (403, 404), (url, response.content)
