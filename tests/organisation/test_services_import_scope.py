"""The services CSV import touches only the importing organisation's providers (issue 12 §1).

Today's attack: an organisation's import names another organisation's provider and so
re-points its services' contact numbers. Now such a row is refused, nothing is imported,
and the other organisation's entry is unchanged."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from northstar.core.actor import Actor
from northstar.core.models import Organisation
from northstar.core.roles import Role
from northstar.referrals import actions
from northstar.referrals.models import ProviderProfile, Service
from tests.conftest import ApiClient

HEADER = ("provider,provider_jurisdiction,service,name,jurisdictions,areas,languages,serves,"
          "trauma_informed,curfew,movement_restrictions,capacity,waiting_days,contact,"
          "on_platform\n")


def _row(provider: str, contact: str, name: str = "Labour clinic", kind: str = "legal_aid",
         jurisdiction: str = "KH") -> str:
    return (f"{provider},{jurisdiction},{kind},{name},{jurisdiction},,km,,no,no,,,3,"
            f"{contact},no\n")


def test_an_import_naming_another_organisation_is_refused_and_changes_nothing(users, org_b):
    clinic = Service.objects.create(provider=org_b, kind="legal_aid", name="Labour clinic",
                                    jurisdictions=["KH"], languages=["km"], contact="+855 1")
    response = ApiClient(users[("a", Role.SUPERVISOR)]).post(
        "/api/v1/services/import", {"csv": HEADER + _row(org_b.name, "+66 hijacked")})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["row"], error["column"]) == (2, "provider")
    clinic.refresh_from_db()
    assert clinic.contact == "+855 1"
    assert Service.objects.count() == 1


def test_the_name_match_ignores_case_and_still_refuses(users, org_b):
    text = HEADER + _row(org_b.name.upper(), "+66 hijacked")
    response = ApiClient(users[("a", Role.ORG_ADMIN)]).post("/api/v1/services/import",
                                                            {"csv": text})
    assert response.status_code == 422
    assert not Service.objects.exists()


def test_an_organisation_imports_its_own_services_and_providers_it_lists(users, org_a, org_b):
    text = (HEADER + _row(org_a.name, "+66 2 1", name="Drop-in centre", kind="shelter",
                          jurisdiction="TH")
            + _row("Village Legal Desk", "+855 9"))
    client = ApiClient(users[("a", Role.ORG_ADMIN)])
    assert client.post("/api/v1/services/import", {"csv": text}).status_code == 200
    desk = Organisation.objects.get(name="Village Legal Desk")
    assert ProviderProfile.objects.get(organisation=desk).listed_by == org_a
    assert ProviderProfile.objects.get(organisation=org_a).listed_by is None
    again = client.post("/api/v1/services/import",
                        {"csv": text.replace("+855 9", "+855 10")})
    assert again.json()["updated"] == 1
    assert Service.objects.get(provider=desk).contact == "+855 10"
    # The provider org A listed is org A's entry: org B cannot re-point it by naming it.
    refused = ApiClient(users[("b", Role.SUPERVISOR)]).post(
        "/api/v1/services/import", {"csv": HEADER + _row("Village Legal Desk", "+855 stolen")})
    assert refused.status_code == 422
    assert Service.objects.get(provider=desk).contact == "+855 10"


def test_the_import_page_reports_the_other_organisations_row(client, users, org_b):
    client.force_login(users[("a", Role.ORG_ADMIN)])
    upload = SimpleUploadedFile("d.csv", (HEADER + _row(org_b.name, "+66 x")).encode(),
                                content_type="text/csv")
    response = client.post("/referrals/services/import/", {"file": upload})
    assert response.status_code == 422
    assert "<td>2</td><td>provider</td>" in response.content.decode()
    assert not Service.objects.exists()


def test_a_platform_operators_import_still_reaches_every_provider(org_b):
    actions.import_services(Actor.system("cli"), text=HEADER + _row(org_b.name, "+855 2"))
    assert Service.objects.get(provider=org_b).contact == "+855 2"
