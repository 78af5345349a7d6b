from northstar.core.models import AuditEntry
from northstar.survivors import actions


def reads(survivor):
    """Reads that opened sealed fields."""
    return AuditEntry.objects.filter(record_type="survivor", record_id=str(survivor.pk),
                                     action="read").exclude(fields=[])


def views(survivor):
    """Reads that showed the record without opening anything sealed."""
    return AuditEntry.objects.filter(record_type="survivor", record_id=str(survivor.pk),
                                     action="read", fields=[])


def test_every_api_read_of_personal_fields_writes_an_audit_entry(api, caseworker, survivor_a):
    client = api(caseworker)
    client.get(f"/api/v1/survivors/{survivor_a.pk}")
    client.get(f"/api/v1/survivors/{survivor_a.pk}")
    entries = list(reads(survivor_a))
    assert len(entries) == 2
    assert entries[0].actor == caseworker
    assert entries[0].channel == "api"
    assert entries[0].organisation == caseworker.membership.organisation
    assert "given_name" in entries[0].fields and "phone" in entries[0].fields
    assert entries[0].survivor_ref == survivor_a.reference


def test_a_detail_read_without_personal_fields_opens_nothing(api, caseworker, survivor_a):
    body = api(caseworker).get(f"/api/v1/survivors/{survivor_a.pk}", {"personal": "false"}).json()
    assert body["personal"] is None
    assert not reads(survivor_a).exists()
    assert views(survivor_a).count() == 1  # still a read of survivor data, audited


def test_opening_personal_details_on_the_page_is_audited(client, caseworker, survivor_a):
    client.force_login(caseworker)
    page = client.get(f"/survivors/{survivor_a.pk}/")
    assert "Demo Sokha" not in page.content.decode()
    assert not reads(survivor_a).exists()
    assert views(survivor_a).get().channel == "web"
    page = client.get(f"/survivors/{survivor_a.pk}/?personal=1")
    assert "Demo Sokha" in page.content.decode()
    entry = reads(survivor_a).get()
    assert entry.channel == "web"


def test_creates_updates_and_case_reads_are_audited_with_their_fields(api, caseworker, case_a):
    client = api(caseworker)
    client.patch(f"/api/v1/survivors/{case_a.survivor_id}", {"version": 1, "phone": "111"})
    client.get(f"/api/v1/cases/{case_a.pk}")
    update = AuditEntry.objects.get(action="update", record_type="survivor")
    assert update.fields == ["phone"]
    assert AuditEntry.objects.filter(action="create", record_type="case").exists()
    assert AuditEntry.objects.get(action="read", record_type="case").fields == ["summary"]


def test_listing_survivors_is_recorded_as_a_read(api, caseworker, survivor_a):
    api(caseworker).get("/api/v1/survivors")
    entry = AuditEntry.objects.get(action="read", record_type="survivor")
    assert entry.record_ids == [str(survivor_a.pk)]


def test_the_caseload_page_and_the_case_page_are_audited_reads(client, caseworker, case_a):
    client.force_login(caseworker)
    client.get("/")
    listed = AuditEntry.objects.get(action="read", record_type="survivor")
    assert listed.record_ids == [str(case_a.survivor_id)]
    client.get(f"/cases/{case_a.pk}/")
    viewed = AuditEntry.objects.get(action="read", record_type="case", record_id=str(case_a.pk))
    assert viewed.fields == [] and viewed.channel == "web"


def test_reading_a_consent_is_an_audited_read(api, caseworker, survivor_a, actor_for):
    consent = actions.record_consent(actor_for(caseworker), survivor_a, purpose="statistics",
                                     language="km", method="verbal")
    response = api(caseworker).get(f"/api/v1/consents/{consent.pk}")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="read", record_type="consent")
    assert entry.record_ids == [str(consent.pk)]
    assert entry.survivor_ref == survivor_a.reference and entry.channel == "api"


def test_another_organisation_reading_a_consent_gets_404_and_leaves_no_read(
        api, other_caseworker, survivor_a, caseworker, actor_for):
    consent = actions.record_consent(actor_for(caseworker), survivor_a, purpose="statistics",
                                     language="km", method="verbal")
    assert api(other_caseworker).get(f"/api/v1/consents/{consent.pk}").status_code == 404
    assert not AuditEntry.objects.filter(action="read", record_type="consent").exists()


def test_a_list_of_consents_names_every_consent_shown_whole(api, caseworker, survivor_a,
                                                            actor_for):
    shown = [actions.record_consent(actor_for(caseworker), survivor_a, purpose=p,
                                    language="km", method="verbal")
             for p in ("statistics", "research")]
    api(caseworker).get(f"/api/v1/survivors/{survivor_a.pk}/consents")
    entry = AuditEntry.objects.get(action="read", record_type="consent")
    assert sorted(entry.record_ids) == sorted(str(c.pk) for c in shown)
