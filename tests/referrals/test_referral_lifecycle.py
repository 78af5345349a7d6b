"""Each step of a referral is dated, audited and kept; a declined referral keeps its reason."""

from __future__ import annotations

from northstar.core.fields import reveal
from northstar.core.models import AuditEntry
from northstar.referrals.models import Referral


def _send(client, survivor, org):
    response = client.post("/api/v1/referrals", {"survivor_id": survivor.pk,
                                                 "recipient_id": org.pk, "needs": ["legal_aid"],
                                                 "urgency": "urgent"})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_declined_referral_keeps_its_reason(api, caseworker, other_caseworker, survivor_a, org_b,
                                            referral_consent):
    rid = _send(api(caseworker), survivor_a, org_b)
    recipient = api(other_caseworker)
    missing = recipient.post(f"/api/v1/referrals/{rid}/decline", {})
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    assert Referral.objects.get(pk=rid).status == "sent"
    response = recipient.post(f"/api/v1/referrals/{rid}/decline",
                              {"reason": "no Khmer-speaking lawyer until March"})
    assert response.status_code == 200
    seen_by_sender = api(caseworker).get(f"/api/v1/referrals/{rid}").json()
    assert seen_by_sender["status"] == "declined"
    assert seen_by_sender["decline_reason"] == "no Khmer-speaking lawyer until March"
    assert seen_by_sender["answered_at"] is not None
    assert [s["status"] for s in seen_by_sender["steps"]] == ["sent", "declined"]
    # A declined referral cannot be accepted afterwards.
    assert recipient.post(f"/api/v1/referrals/{rid}/accept", {}).status_code == 409


def test_full_lifecycle_is_dated_and_audited(api, caseworker, other_caseworker, survivor_a, org_b,
                                             referral_consent):
    rid = _send(api(caseworker), survivor_a, org_b)
    recipient = api(other_caseworker)
    for step, status in (("accept", "accepted"), ("start", "in_progress"),
                         ("complete", "completed")):
        body = recipient.post(f"/api/v1/referrals/{rid}/{step}", {}).json()
        assert body["status"] == status
    body = api(caseworker).get(f"/api/v1/referrals/{rid}").json()
    assert [s["status"] for s in body["steps"]] == ["sent", "accepted", "in_progress", "completed"]
    assert body["started_at"] and body["ended_at"]
    notes = list(AuditEntry.objects.filter(record_type="referral", action="update")
                 .values_list("note", flat=True))
    assert {"referral accepted", "referral in_progress", "referral completed"} <= set(notes)
    # Completed: the recipient's view of the survivor has ended.
    assert recipient.get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 404
    assert recipient.post(f"/api/v1/referrals/{rid}/start", {}).status_code == 409


def test_cross_border_referral_records_both_jurisdictions(api, caseworker, other_caseworker,
                                                          survivor_a, org_a, org_b,
                                                          referral_consent):
    assert (org_a.jurisdiction, org_b.jurisdiction) == ("TH", "KH")
    rid = _send(api(caseworker), survivor_a, org_b)
    body = api(other_caseworker).get(f"/api/v1/referrals/{rid}").json()
    assert body["sender_jurisdiction"] == "TH"
    assert body["recipient_jurisdiction"] == "KH"
    assert body["cross_border"] is True
    # Works like any other referral: the Cambodian recipient accepts and sees the shared fields.
    api(other_caseworker).post(f"/api/v1/referrals/{rid}/accept", {})
    shown = api(other_caseworker).get(f"/api/v1/survivors/{survivor_a.pk}").json()
    assert shown["access"] == "shared"


def test_referral_to_a_service_of_another_provider_is_refused(api, caseworker, survivor_a, org_b,
                                                              referral_consent, offline_shelter):
    from northstar.referrals.models import Service

    other = Service.objects.create(provider=offline_shelter, kind="shelter", name="Beds",
                                   jurisdictions=["TH"], languages=["th"])
    response = api(caseworker).post("/api/v1/referrals", {
        "survivor_id": survivor_a.pk, "recipient_id": org_b.pk, "service_id": other.pk})
    assert response.status_code == 422 and response.json()["field"] == "service_id"
    assert not Referral.objects.exists()


def test_unknown_shared_field_is_refused_naming_the_field(api, caseworker, survivor_a, org_b,
                                                          referral_consent):
    response = api(caseworker).post("/api/v1/referrals", {
        "survivor_id": survivor_a.pk, "recipient_id": org_b.pk, "needs": ["legal_aid"],
        "shared_fields": ["summary"]})
    assert response.status_code == 422
    assert response.json()["field"].startswith("shared_fields")


def test_referral_to_a_service_goes_to_its_provider(api, caseworker, actor_for, survivor_a,
                                                    offline_shelter):
    from northstar.referrals.models import Service
    from northstar.survivors import actions as survivor_actions

    beds = Service.objects.create(provider=offline_shelter, kind="shelter", name="Beds",
                                  jurisdictions=["TH"], languages=["th"])
    survivor_actions.record_consent(actor_for(caseworker), survivor_a, purpose="referral",
                                    recipient=offline_shelter, language="km", method="verbal")
    response = api(caseworker).post("/api/v1/referrals", {"survivor_id": survivor_a.pk,
                                                          "service_id": beds.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["recipient"]["id"] == offline_shelter.pk and body["needs"] == ["shelter"]
    assert body["recipient"]["on_platform"] is False
    missing = api(caseworker).post("/api/v1/referrals", {"survivor_id": survivor_a.pk})
    assert missing.status_code == 422 and missing.json()["field"] == "recipient_id"


def test_referral_explained_without_a_needed_interpreter_raises_a_finding_on_the_case(
        api, caseworker, supervisor, actor_for, survivor_a, case_a, org_b):
    from northstar.survivors import actions as survivor_actions

    assert survivor_a.interpreter_needed
    survivor_actions.record_consent(actor_for(caseworker), survivor_a, purpose="referral",
                                    recipient=org_b, language="th", method="verbal",
                                    interpreter_used=False)
    response = api(caseworker).post("/api/v1/referrals", {
        "survivor_id": survivor_a.pk, "recipient_id": org_b.pk, "case_id": case_a.pk,
        "needs": ["legal_aid"]})
    assert response.status_code == 201
    findings = api(supervisor).get("/api/v1/findings").json()["items"]
    assert any(f["rule"] == "interpreter_needed_to_explain_decision"
               and f["source"] == f"referral:{response.json()['id']}" for f in findings)


def test_a_huge_page_number_is_a_422_not_a_500(api, caseworker):
    for path in ("/api/v1/referrals", "/api/v1/services"):
        response = api(caseworker).get(path + "?page=666802526539624063434752")
        assert response.status_code == 422, path
        assert "page" in response.content.decode()


def test_a_decline_reason_never_reaches_the_audit_log(api, caseworker, other_caseworker,
                                                      survivor_a, org_b, referral_consent):
    rid = _send(api(caseworker), survivor_a, org_b)
    api(other_caseworker).post(f"/api/v1/referrals/{rid}/decline",
                               {"reason": "we already know Demo Sokha's trafficker"})
    entry = AuditEntry.objects.get(record_type="referral", action="update")
    assert entry.note == "referral declined" and "decline_reason" in entry.fields
    assert reveal(Referral.objects.get(pk=rid).decline_reason).startswith("we already know")
