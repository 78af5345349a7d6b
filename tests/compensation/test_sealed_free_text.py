"""Free text on claims and mediations that can name people is sealed at rest and opened,
audited, only where a claim's or a mediation's detail is read."""

from __future__ import annotations

from northstar.compensation import claims, mediations
from northstar.core.fields import reveal
from northstar.core.models import AuditEntry
from tests.raw import raw_column


def test_payment_proof_and_timeline_notes_are_sealed_and_read_back_on_the_claim(
        api, caseworker, labour_case, actor_for):
    actor = actor_for(caseworker)
    claim = claims.create_claim(actor, labour_case, route="civil_suit", payer="employer",
                                amount_claimed="100", currency="THB")
    claims.transition_claim(actor, claim, to="filed", on="2025-02-01",
                            note="filed after Dara, her cousin, brought the payslips")
    claims.transition_claim(actor, claim, to="awarded", on="2025-03-01", amount="100")
    claims.record_payment(actor, claim, received_on="2025-03-05", amount="40",
                          proof_reference="transfer to Sokha's account 123-456-789")
    stored = (raw_column("compensation_payment", "proof_reference")
              + raw_column("compensation_claimevent", "note"))
    assert stored and all("123-456" not in v and "Dara" not in v for v in stored)

    detail = api(caseworker).get(f"/api/v1/compensation/claims/{claim.pk}").json()
    assert detail["payments"][0]["proof_reference"] == "transfer to Sokha's account 123-456-789"
    assert "filed after Dara, her cousin, brought the payslips" in [
        e["note"] for e in detail["timeline"]]
    entry = AuditEntry.objects.filter(record_type="compensation_claim", action="read",
                                      record_id=str(claim.pk)).latest("pk")
    assert {"payments.proof_reference", "timeline.note"} <= set(entry.fields)


def test_a_representative_and_why_a_mediation_failed_are_sealed(api, caseworker, labour_case,
                                                                actor_for):
    actor = actor_for(caseworker)
    mediation = mediations.open_mediation(actor, labour_case, opened_on="2025-01-01", parties=[
        {"role": "worker", "name": "Demo Sokha", "represented_by": "her uncle Chann Vibol"}])
    mediations.escalate_mediation(actor, mediation, route="civil_suit", amount_claimed="100",
                                  payer="employer", on="2025-02-01",
                                  reason="the employer threatened Vibol at the hearing")
    stored = (raw_column("compensation_mediationparty", "represented_by")
              + raw_column("compensation_mediation", "failure_reason"))
    assert stored and all("Vibol" not in v for v in stored)

    client = api(caseworker)
    listed = client.get(f"/api/v1/cases/{labour_case.pk}/mediations").json()["items"][0]
    assert listed["failure_reason"] == "•••"  # a list does not open it
    opened = client.get(f"/api/v1/compensation/mediations/{mediation.pk}").json()
    assert opened["parties"][0]["represented_by"] == "her uncle Chann Vibol"
    assert opened["failure_reason"] == "the employer threatened Vibol at the hearing"
    mediation.refresh_from_db()
    assert reveal(mediation.failure_reason).startswith("the employer")
