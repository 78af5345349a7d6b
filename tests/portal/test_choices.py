import pytest

from northstar.core.models import AuditEntry
from northstar.survivors import actions, consent
from northstar.survivors.models import Consent

pytestmark = pytest.mark.django_db


def test_survivor_withdrawal_is_immediate_and_recorded_as_theirs(survivor_a, case_a,
                                                                 portal_client, caseworker,
                                                                 actor_for):
    given = actions.record_consent(actor_for(caseworker), survivor_a, purpose="research",
                                   language="km", method="verbal")
    assert consent.may_flow(survivor_a, "research")
    client = portal_client(survivor_a)
    response = client.post("/portal/choices/consent/", {"purpose": "research",
                                                        "choice": "withdraw"})
    assert response.status_code == 302
    assert not consent.may_flow(survivor_a, "research")
    given.refresh_from_db()
    assert given.withdrawn_at is not None
    assert given.withdrawn_by_label == f"survivor#{survivor_a.pk}"
    entry = AuditEntry.objects.get(record_type="consent", record_id=str(given.pk),
                                   action="update")
    assert entry.channel == "portal" and entry.actor is None
    assert entry.actor_label == f"survivor#{survivor_a.pk}"
    page = client.get("/portal/choices/?saved=withdrawn").content.decode()
    assert 'id="consent-research" data-status="withdrawn"' in page


def test_the_caseworker_sees_the_survivors_withdrawal(survivor_a, portal_client, caseworker,
                                                      actor_for):
    from django.test import Client

    actions.record_consent(actor_for(caseworker), survivor_a, purpose="statistics",
                           language="km", method="verbal")
    portal_client(survivor_a).post("/portal/choices/consent/", {"purpose": "statistics",
                                                                "choice": "withdraw"})
    staff = Client()
    staff.force_login(caseworker)
    html = staff.get(f"/survivors/{survivor_a.pk}/").content.decode()
    assert "withdrawn" in html


def test_survivor_gives_consent_recorded_as_given_by_them_in_the_portal(survivor_a,
                                                                        portal_client):
    client = portal_client(survivor_a)
    response = client.post("/portal/choices/consent/", {"purpose": "statistics",
                                                        "choice": "give"})
    assert response.status_code == 302
    given = Consent.objects.get(survivor=survivor_a, purpose="statistics")
    assert given.method == "portal" and given.given_by == "survivor"
    assert given.explained_by is None and given.explained_by_label == f"survivor#{survivor_a.pk}"
    assert given.language == "km"  # the page's language, the survivor's preferred one
    assert consent.may_flow(survivor_a, "statistics")


def test_a_referral_cannot_be_given_in_the_portal_but_can_be_withdrawn(survivor_a, org_b,
                                                                       portal_client,
                                                                       caseworker, actor_for):
    client = portal_client(survivor_a)
    response = client.post("/portal/choices/consent/", {"purpose": "referral", "choice": "give"})
    assert response.status_code == 422
    assert not Consent.objects.filter(survivor=survivor_a).exists()
    ref = actions.record_consent(actor_for(caseworker), survivor_a, purpose="referral",
                                 recipient=org_b, language="km", method="written")
    html = client.get("/portal/choices/").content.decode()
    assert org_b.name in html
    client.post("/portal/choices/consent/", {"purpose": "referral", "choice": "withdraw",
                                             "consent": ref.pk})
    assert not consent.may_flow(survivor_a, "referral", recipient=org_b)


def test_bad_consent_input_changes_nothing(survivor_a, portal_client):
    client = portal_client(survivor_a)
    before = AuditEntry.objects.filter(record_type="consent").count()
    for data in ({"purpose": "everything", "choice": "give"},
                 {"purpose": "statistics", "choice": "maybe"}, {}):
        assert client.post("/portal/choices/consent/", data).status_code == 422
    assert client.post("/portal/choices/consent/", {"purpose": "statistics", "choice": "withdraw",
                                                    "consent": "abc"}).status_code == 404
    assert AuditEntry.objects.filter(record_type="consent").count() == before
    assert not Consent.objects.exists()


def test_a_child_cannot_choose_public_advocacy(caseworker, actor_for, portal_client):
    from django.utils import timezone

    child = actions.create_survivor(actor_for(caseworker), data={
        "birth_year": timezone.localdate().year - 15, "preferred_language": "en"})
    client = portal_client(child)
    page = client.get("/portal/choices/").content.decode()
    response = client.post("/portal/choices/advocacy/", {"advocacy_visibility": "public",
                                                         "version": child.version})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="advocacy-error"' in html and "without your name" in html
    child.refresh_from_db()
    assert child.advocacy_visibility == "none"
    assert 'id="advocacy-child"' in page
    ok = client.post("/portal/choices/advocacy/", {"advocacy_visibility": "anonymous",
                                                   "version": child.version})
    assert ok.status_code == 302
    child.refresh_from_db()
    assert child.advocacy_visibility == "anonymous"


def test_an_adult_chooses_public_advocacy_and_it_is_audited_as_theirs(survivor_a,
                                                                     portal_client):
    client = portal_client(survivor_a)
    response = client.post("/portal/choices/advocacy/", {"advocacy_visibility": "public",
                                                         "version": survivor_a.version})
    assert response.status_code == 302
    survivor_a.refresh_from_db()
    assert survivor_a.advocacy_visibility == "public"
    entry = AuditEntry.objects.filter(record_type="survivor", action="update").first()
    assert entry.actor_label == f"survivor#{survivor_a.pk}" and entry.channel == "portal"


def test_a_stale_advocacy_form_is_refused_not_overwritten(survivor_a, portal_client, caseworker,
                                                          actor_for):
    client = portal_client(survivor_a)
    stale = survivor_a.version
    actions.update_survivor(actor_for(caseworker), survivor_a, version=stale,
                            changes={"advocacy_visibility": "anonymous"})
    response = client.post("/portal/choices/advocacy/", {"advocacy_visibility": "public",
                                                         "version": stale})
    assert response.status_code == 409
    survivor_a.refresh_from_db()
    assert survivor_a.advocacy_visibility == "anonymous"


def test_a_child_cannot_give_consent_alone_in_the_portal(caseworker, actor_for, portal_client):
    from django.utils import timezone

    child = actions.create_survivor(actor_for(caseworker), data={
        "birth_year": timezone.localdate().year - 14})
    response = portal_client(child).post("/portal/choices/consent/",
                                         {"purpose": "research", "choice": "give"})
    assert response.status_code == 422
    assert not Consent.objects.filter(survivor=child).exists()
