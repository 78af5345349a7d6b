"""A referral moves data only with consent, and only the fields chosen; access ends at once."""

from __future__ import annotations

from northstar.core.fields import reveal
from northstar.core.models import AuditEntry
from northstar.referrals.models import Referral
from northstar.survivors import actions as survivor_actions


def _refer(client, survivor, org, **extra):
    return client.post("/api/v1/referrals", {"survivor_id": survivor.pk, "recipient_id": org.pk,
                                             "needs": ["legal_aid"], **extra})


def test_referral_without_consent_is_refused_and_nothing_is_stored(api, caseworker, survivor_a,
                                                                     org_b):
    response = _refer(api(caseworker), survivor_a, org_b)
    assert response.status_code == 422
    assert response.json()["field"] == "consent"
    assert not Referral.objects.exists()


def test_consent_for_another_recipient_does_not_allow_this_referral(
        api, caseworker, actor_for, survivor_a, org_b, offline_shelter):
    survivor_actions.record_consent(actor_for(caseworker), survivor_a, purpose="referral",
                                    recipient=offline_shelter, language="km", method="verbal")
    response = _refer(api(caseworker), survivor_a, org_b)
    assert response.status_code == 422 and response.json()["field"] == "consent"


def test_withdrawn_consent_refuses_a_new_referral(api, caseworker, actor_for, survivor_a, org_b,
                                                  referral_consent):
    survivor_actions.withdraw_consent(actor_for(caseworker), referral_consent, reason="changed mind")
    response = _refer(api(caseworker), survivor_a, org_b)
    assert response.status_code == 422 and response.json()["field"] == "consent"


def test_default_shared_fields_are_the_minimal_set(api, caseworker, survivor_a, org_b,
                                                   referral_consent):
    response = _refer(api(caseworker), survivor_a, org_b)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body["shared_fields"]) == {"reference", "given_name", "aliases", "languages", "needs"}
    assert body["status"] == "sent"
    entry = AuditEntry.objects.filter(record_type="referral", action="create").get()
    assert entry.survivor_ref == survivor_a.reference


def test_recipient_sees_only_the_shared_fields_once_accepted(api, caseworker, other_caseworker,
                                                             survivor_a, org_b, referral_consent):
    rid = _refer(api(caseworker), survivor_a, org_b, shared_fields=["given_name", "languages"]).json()["id"]
    recipient = api(other_caseworker)
    # Sent but not accepted: the recipient cannot open the survivor yet.
    assert recipient.get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 404
    assert recipient.post(f"/api/v1/referrals/{rid}/accept", {}).status_code == 200
    body = recipient.get(f"/api/v1/survivors/{survivor_a.pk}").json()
    assert body["access"] == "shared"
    assert body["reference"] == survivor_a.reference
    assert body["languages"] == ["km"]
    assert body["personal"] == {"given_name": "Demo Sokha"}
    # Fields not shared are absent or empty in the answer, never filled in.
    for hidden in ("nationality", "sex", "interpreter_needed", "preferred_language"):
        assert body.get(hidden) is None
    # The recipient cannot change the record, nor see the sender's cases.
    assert recipient.patch(f"/api/v1/survivors/{survivor_a.pk}",
                           {"version": body["version"], "sex": "male"}).status_code == 403
    assert recipient.get("/api/v1/cases").json()["count"] == 0


def test_withdrawing_consent_ends_the_recipients_access_at_once(
        api, caseworker, other_caseworker, actor_for, survivor_a, org_b, referral_consent):
    rid = _refer(api(caseworker), survivor_a, org_b).json()["id"]
    recipient = api(other_caseworker)
    recipient.post(f"/api/v1/referrals/{rid}/accept", {})
    assert recipient.get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 200
    assert recipient.get("/api/v1/referrals").json()["items"][0]["survivor_id"] == survivor_a.pk
    survivor_actions.withdraw_consent(actor_for(caseworker), referral_consent, reason="asked")
    assert recipient.get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 404
    listed = recipient.get("/api/v1/survivors").json()
    assert listed["count"] == 0
    # The referral itself stays visible to the recipient, but no longer says who it is about.
    seen = recipient.get(f"/api/v1/referrals/{rid}").json()
    assert seen["survivor_id"] is None and seen["survivor_reference"] is None
    assert seen["consent_active"] is False
    (in_list,) = recipient.get("/api/v1/referrals").json()["items"]
    assert in_list["survivor_id"] is None and in_list["survivor_reference"] is None
    # nor does the recipient organisation's audit log of those reads name the survivor
    from northstar.core.models import AuditEntry

    last = AuditEntry.objects.filter(record_type="referral", action="read",
                                     organisation=org_b).latest("pk")
    assert last.survivor_ref == "" and last.record_id == str(rid)


def test_revocation_by_the_sender_ends_access_and_keeps_the_reason(
        api, caseworker, other_caseworker, survivor_a, org_b, referral_consent):
    sender, recipient = api(caseworker), api(other_caseworker)
    rid = _refer(sender, survivor_a, org_b).json()["id"]
    recipient.post(f"/api/v1/referrals/{rid}/accept", {})
    recipient.post(f"/api/v1/referrals/{rid}/start", {})
    assert recipient.get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 200
    assert sender.post(f"/api/v1/referrals/{rid}/revoke", {}).json()["field"] == "reason"
    response = sender.post(f"/api/v1/referrals/{rid}/revoke", {"reason": "survivor moved"})
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert recipient.get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 404
    assert reveal(Referral.objects.get(pk=rid).end_note) == "survivor moved"


def test_only_the_sender_may_revoke_and_only_the_recipient_may_accept(
        api, caseworker, other_caseworker, survivor_a, org_b, referral_consent):
    sender, recipient = api(caseworker), api(other_caseworker)
    rid = _refer(sender, survivor_a, org_b).json()["id"]
    assert sender.post(f"/api/v1/referrals/{rid}/accept", {}).status_code == 403
    assert recipient.post(f"/api/v1/referrals/{rid}/revoke", {"reason": "x"}).status_code == 403
    assert Referral.objects.get(pk=rid).status == "sent"


def test_a_third_organisation_sees_neither_the_referral_nor_the_survivor(
        api, caseworker, survivor_a, org_b, referral_consent, offline_shelter):
    from tests.conftest import make_user

    rid = _refer(api(caseworker), survivor_a, org_b).json()["id"]
    from northstar.core.models import Organisation

    org_c = Organisation.objects.create(name="Org C", kind="ngo", jurisdiction="VN", code="ORGC")
    stranger = api(make_user("cw.c", org_c, "caseworker"))
    assert stranger.get(f"/api/v1/referrals/{rid}").status_code == 404
    assert stranger.post(f"/api/v1/referrals/{rid}/accept", {}).status_code == 404
    assert stranger.get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 404
