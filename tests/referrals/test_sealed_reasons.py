"""A referral's reasons (declined because, ended because, each step's note) can name people:
sealed at rest; either side reads them on the referral itself, audited; lists show a mask."""

from __future__ import annotations

from northstar.core.models import AuditEntry
from tests.raw import raw_column


def _send(client, survivor, org):
    response = client.post("/api/v1/referrals", {"survivor_id": survivor.pk,
                                                 "recipient_id": org.pk, "needs": ["legal_aid"]})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_decline_reason_and_step_note_are_sealed_and_the_sender_reads_them(
        api, caseworker, other_caseworker, survivor_a, org_b, referral_consent):
    sender = api(caseworker)
    rid = _send(sender, survivor_a, org_b)
    api(other_caseworker).post(f"/api/v1/referrals/{rid}/decline",
                               {"reason": "our lawyer knows her employer, Mr Chea"})
    stored = (raw_column("referrals_referral", "decline_reason")
              + raw_column("referrals_referralstep", "note"))
    assert stored and all("Chea" not in v for v in stored)

    seen = sender.get(f"/api/v1/referrals/{rid}").json()
    assert seen["decline_reason"] == "our lawyer knows her employer, Mr Chea"
    assert "our lawyer knows her employer, Mr Chea" in [s["note"] for s in seen["steps"]]
    assert AuditEntry.objects.filter(record_type="referral", action="read",
                                     fields=["decline_reason", "steps.note"]).exists()
    listed = sender.get("/api/v1/referrals").json()["items"]
    assert listed[0]["decline_reason"] == "•••"


def test_end_note_is_sealed_and_shown_on_the_referral_page(
        api, caseworker, other_caseworker, survivor_a, org_b, referral_consent, client):
    sender = api(caseworker)
    rid = _send(sender, survivor_a, org_b)
    sender.post(f"/api/v1/referrals/{rid}/revoke", {"reason": "she moved in with Auntie Srey"})
    assert all("Srey" not in v for v in raw_column("referrals_referral", "end_note"))
    client.force_login(caseworker)
    assert "she moved in with Auntie Srey" in client.get(f"/referrals/{rid}/").content.decode()


def test_a_too_long_reason_is_refused_at_the_edge(api, caseworker, other_caseworker, survivor_a,
                                                  org_b, referral_consent):
    rid = _send(api(caseworker), survivor_a, org_b)
    response = api(other_caseworker).post(f"/api/v1/referrals/{rid}/decline",
                                          {"reason": "x" * 501})
    assert response.status_code == 422 and "reason" in response.content.decode()
