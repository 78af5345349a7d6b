from northstar.core.fields import reveal
from northstar.survivors.actions import record_consent
from northstar.survivors.consent import may_flow
from northstar.survivors.models import Consent


def test_withdrawal_takes_effect_immediately_and_keeps_the_record(api, caseworker, survivor_a):
    client = api(caseworker)
    given = client.post(f"/api/v1/survivors/{survivor_a.pk}/consents",
                        {"purpose": "research", "language": "km", "method": "thumbprint",
                         "interpreter_used": True})
    assert given.status_code == 201
    assert may_flow(survivor_a, "research")
    withdrawn = client.post(f"/api/v1/consents/{given.json()['id']}/withdraw",
                            {"reason": "changed her mind"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["active"] is False
    assert not may_flow(survivor_a, "research")
    kept = Consent.objects.get(pk=given.json()["id"])
    assert reveal(kept.withdrawal_reason) == "changed her mind"
    assert kept.withdrawn_by_label == caseworker.username


def test_a_consent_cannot_be_withdrawn_twice(api, caseworker, survivor_a):
    client = api(caseworker)
    cid = client.post(f"/api/v1/survivors/{survivor_a.pk}/consents",
                      {"purpose": "statistics", "language": "km", "method": "verbal"}).json()["id"]
    assert client.post(f"/api/v1/consents/{cid}/withdraw").status_code == 200
    assert client.post(f"/api/v1/consents/{cid}/withdraw").status_code == 409


def test_consent_records_who_explained_it_how_and_in_which_language(api, caseworker, survivor_a):
    body = api(caseworker).post(
        f"/api/v1/survivors/{survivor_a.pk}/consents",
        {"purpose": "case_management", "language": "km", "method": "written",
         "interpreter_used": True},
    ).json()
    assert body["explained_by"] == caseworker.username
    assert (body["language"], body["method"], body["interpreter_used"]) == ("km", "written", True)


def test_a_referral_consent_covers_only_the_organisation_it_names(survivor_a, caseworker,
                                                                    actor_for, org_a, org_b):
    record_consent(actor_for(caseworker), survivor_a, purpose="referral", recipient=org_b,
                   language="km", method="verbal")
    assert may_flow(survivor_a, "referral", recipient=org_b)
    assert not may_flow(survivor_a, "referral", recipient=org_a)
    assert not may_flow(survivor_a, "referral")


def test_a_referral_consent_without_a_recipient_is_refused(api, caseworker, survivor_a):
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/consents",
                             {"purpose": "referral", "language": "km", "method": "verbal"})
    assert r.status_code == 422
    assert r.json()["field"] == "recipient_id"
    assert not Consent.objects.exists()


def test_consent_for_one_purpose_does_not_open_another(survivor_a, caseworker, actor_for):
    record_consent(actor_for(caseworker), survivor_a, purpose="statistics", language="km",
                   method="verbal")
    assert may_flow(survivor_a, "statistics")
    assert not may_flow(survivor_a, "law_enforcement_sharing")
    assert not may_flow(survivor_a, "advocacy")


def test_an_expired_consent_no_longer_allows_the_flow(survivor_a, caseworker, actor_for):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    record_consent(actor_for(caseworker), survivor_a, purpose="research", language="km",
                   method="verbal", given_at=now - dt.timedelta(days=10),
                   expires_at=now - dt.timedelta(days=1))
    assert not may_flow(survivor_a, "research")
    assert may_flow(survivor_a, "research", at=now - dt.timedelta(days=5))
