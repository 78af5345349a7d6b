"""The pages: refer from the survivor, answer as the recipient, search and import the directory."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from northstar.core.fields import reveal
from northstar.referrals.models import Referral, Service
from northstar.survivors import actions as survivor_actions
from tests.conftest import PASSWORD
from tests.referrals.test_service_directory import GOOD


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_refer_accept_and_see_only_shared_fields_then_nothing_after_withdrawal(
        caseworker, other_caseworker, actor_for, survivor_a, org_b, referral_consent):
    sender = _login(caseworker)
    assert "Refer to a service" in sender.get(f"/survivors/{survivor_a.pk}/").content.decode()
    form = sender.get(f"/referrals/new/?survivor={survivor_a.pk}")
    assert form.status_code == 200
    response = sender.post(f"/referrals/new/?survivor={survivor_a.pk}", {
        "recipient": org_b.pk, "urgency": "soon", "needs": ["legal_aid"],
        "shared_fields": ["given_name", "languages"], "message": "Wage claim, boat in Songkhla"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.shared_fields == ["given_name", "languages", "reference"]

    recipient = _login(other_caseworker)
    assert "waits for your answer" in recipient.get("/").content.decode()
    assert recipient.get(f"/survivors/{survivor_a.pk}/").status_code == 404
    recipient.post(f"/referrals/{referral.pk}/accept/")
    page = recipient.get(f"/survivors/{survivor_a.pk}/").content.decode()
    assert "Demo Sokha" in page
    assert survivor_a.reference in recipient.get("/referrals/").content.decode()
    for hidden in ("Testperson", "+855 12 345 678", "Demo street 1", "Worked on a boat"):
        assert hidden not in page
    survivor_actions.withdraw_consent(actor_for(caseworker), referral_consent, reason="asked")
    assert recipient.get(f"/survivors/{survivor_a.pk}/").status_code == 404
    detail = recipient.get(f"/referrals/{referral.pk}/").content.decode()
    assert survivor_a.reference not in detail
    assert survivor_a.reference not in recipient.get("/referrals/").content.decode()


def test_refer_page_without_consent_names_the_problem_and_sends_nothing(caseworker, survivor_a,
                                                                        org_b):
    response = _login(caseworker).post(f"/referrals/new/?survivor={survivor_a.pk}", {
        "recipient": org_b.pk, "urgency": "routine", "needs": ["legal_aid"],
        "shared_fields": ["given_name"]})
    assert response.status_code == 422
    assert "not consented" in response.content.decode()
    assert not Referral.objects.exists()


def test_decline_page_keeps_the_reason(caseworker, other_caseworker, actor_for, survivor_a, org_b,
                                       referral_consent):
    from northstar.referrals import actions

    referral = actions.create_referral(actor_for(caseworker), survivor=survivor_a,
                                       recipient=org_b, needs=["legal_aid"])
    _login(other_caseworker).post(f"/referrals/{referral.pk}/decline/",
                                  {"reason": "caseload full"})
    referral.refresh_from_db()
    assert (referral.status, reveal(referral.decline_reason)) == ("declined", "caseload full")
    assert "caseload full" in _login(caseworker).get(f"/referrals/{referral.pk}/").content.decode()


def test_directory_page_searches_by_language_and_need(caseworker, supervisor):
    upload = SimpleUploadedFile("d.csv", GOOD.encode(), content_type="text/csv")
    assert _login(supervisor).post("/referrals/services/import/", {"file": upload}).status_code == 200
    page = _login(caseworker).get("/referrals/services/", {"language": "my",
                                                           "need": "mental_health"})
    html = page.content.decode()
    assert "Trauma counselling" in html and "Labour claims clinic" not in html


def test_import_page_lists_the_bad_row_and_imports_nothing(supervisor, caseworker):
    bad = GOOD + "Bad Org,TH,spa,,TH,,th,,yes,no,,,,,no\n"
    upload = SimpleUploadedFile("d.csv", bad.encode(), content_type="text/csv")
    response = _login(supervisor).post("/referrals/services/import/", {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<td>5</td><td>service</td>" in html
    assert not Service.objects.exists()
    assert _login(caseworker).get("/referrals/services/import/").status_code == 404


def test_referring_from_the_directory_sends_to_the_services_provider(caseworker, actor_for,
                                                                     survivor_a,
                                                                     offline_shelter):
    from northstar.referrals.models import Service

    shelter = Service.objects.create(provider=offline_shelter, kind="shelter", name="Open shelter",
                                     jurisdictions=["TH"], languages=["km", "th"])
    survivor_actions.record_consent(actor_for(caseworker), survivor_a, purpose="referral",
                                    recipient=offline_shelter, language="km", method="verbal")
    client = _login(caseworker)
    listing = client.get("/referrals/services/", {"survivor": survivor_a.pk, "language": "km"})
    link = f"/referrals/new/?survivor={survivor_a.pk}&amp;service={shelter.pk}"
    assert link in listing.content.decode()
    response = client.post(link.replace("&amp;", "&"), {
        "service": shelter.pk, "urgency": "urgent", "needs": ["shelter"],
        "shared_fields": ["given_name", "languages", "needs"]})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.recipient, referral.service) == (offline_shelter, shelter)
    detail = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Referral letter (PDF)" in detail
    letter = client.get(f"/referrals/{referral.pk}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")


def test_another_organisation_cannot_refer_someone_elses_survivor(other_caseworker, survivor_a,
                                                                  org_a):
    client = _login(other_caseworker)
    assert client.get(f"/referrals/new/?survivor={survivor_a.pk}").status_code == 404
    services = client.get("/referrals/services/", {"survivor": survivor_a.pk})
    assert services.status_code == 200 and survivor_a.reference not in services.content.decode()
