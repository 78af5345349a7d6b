"""A survivor's own report, from the portal or through her caseworker: kept apart from her
file, and linked to her case only with her consent to that."""

from __future__ import annotations

from django.test import Client

from northstar.core.fields import reveal
from northstar.core.models import AuditEntry
from northstar.intelligence.models import CaseLink, Channel, Report
from northstar.portal import actions as portal_actions
from northstar.survivors import actions as survivors
from northstar.survivors.models import ConsentPurpose

PIN = "482913"
TOLD = {"recruiters": "Ko Aung", "from_country": "MM", "to_country": "TH",
        "details": "He took 20,000 baht."}


def _caseworker_client(caseworker) -> Client:
    client = Client()
    client.force_login(caseworker)
    return client


def test_a_caseworker_passes_on_a_report_that_names_no_survivor(case_a, caseworker):
    response = _caseworker_client(caseworker).post(f"/intelligence/cases/{case_a.pk}/report/",
                                                   TOLD)
    assert response.status_code == 200 and b'id="report-sent"' in response.content
    report = Report.objects.get()
    assert report.channel == Channel.CASEWORKER and not CaseLink.objects.exists()
    stored = reveal(report.details)
    assert case_a.survivor.reference not in stored and "Sokha" not in stored
    entry = AuditEntry.objects.get(record_type="intelligence_report")
    assert entry.record_id == "" and entry.survivor_ref == ""


def test_linking_to_the_case_needs_her_intelligence_link_consent(case_a, caseworker, actor_for):
    client = _caseworker_client(caseworker)
    url = f"/intelligence/cases/{case_a.pk}/report/"
    refused = client.post(url, {**TOLD, "link": "1"})
    assert refused.status_code == 422 and b'data-field="link"' in refused.content
    assert not Report.objects.exists()
    survivors.record_consent(actor_for(caseworker), case_a.survivor,
                             purpose=ConsentPurpose.INTELLIGENCE_LINK, language="km",
                             method="verbal")
    assert client.post(url, {**TOLD, "link": "1"}).status_code == 200
    link = CaseLink.objects.get()
    assert link.case == case_a and link.consent.purpose == ConsentPurpose.INTELLIGENCE_LINK
    # The link is its own row: the report itself still names no case.
    assert not hasattr(Report.objects.get(), "case_id")


def test_the_case_report_page_is_404_to_another_organisation(case_a, users):
    from northstar.core.roles import Role
    for role in Role.values:
        client = Client()
        client.force_login(users[("b", role)])
        url = f"/intelligence/cases/{case_a.pk}/report/"
        assert client.get(url).status_code == 404, role
        assert client.post(url, TOLD).status_code == 404, role
    assert not Report.objects.exists()


def test_a_survivor_tells_from_the_portal_and_the_report_does_not_name_her(
        survivor_a, caseworker, actor_for):
    portal_actions.set_pin(actor_for(caseworker), survivor_a, pin=PIN)
    client = Client()
    assert client.post("/portal/", {"reference": survivor_a.reference,
                                    "pin": PIN}).status_code == 302
    home = client.get("/portal/home/")
    assert b'id="menu-tell"' in home.content
    assert client.get("/portal/tell/").status_code == 200
    response = client.post("/portal/tell/", TOLD)
    assert response.status_code == 200 and b'id="report-sent"' in response.content
    report = Report.objects.get()
    assert report.channel == Channel.PORTAL and report.organisation == survivor_a.organisation
    entry = AuditEntry.objects.get(record_type="intelligence_report")
    assert f"survivor#{survivor_a.pk}" != entry.actor_label and entry.survivor_ref == ""
    assert entry.record_ids == []


def test_the_portal_page_needs_a_signed_in_survivor():
    response = Client().get("/portal/tell/")
    assert response.status_code == 302 and "/portal/" in response["Location"]
