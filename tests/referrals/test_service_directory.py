"""The directory: CSV import with row-level errors and nothing half-way; search by need and language."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from northstar.core.models import AuditEntry, Organisation
from northstar.referrals import csv_import
from northstar.referrals.models import ProviderProfile, Service

HEADER = ("provider,provider_jurisdiction,service,name,jurisdictions,areas,languages,serves,"
          "trauma_informed,curfew,movement_restrictions,capacity,waiting_days,contact,on_platform\n")
GOOD = (
    HEADER
    + "Mekong Legal Aid,KH,legal_aid,Labour claims clinic,KH;TH,Phnom Penh,km;en,"
      "labour_trafficking,no,no,,,14,+855 23 000 000,no\n"
    + "Safe Harbour Shelter,TH,shelter,Women's shelter,TH,Bangkok|Samut Sakhon,th;my;km,"
      "women;children,yes,yes,no outings after 18:00,12,0,+66 2 111 1111,no\n"
    + "Safe Harbour Shelter,TH,mental_health,Trauma counselling,TH,Bangkok,th;my,,yes,no,,,7,,no\n"
)


def test_parser_accepts_a_well_formed_directory():
    result = csv_import.parse(GOOD)
    assert result.ok, result.errors
    assert [r.kind for r in result.records] == ["legal_aid", "shelter", "mental_health"]
    shelter = result.records[1]
    assert shelter.areas == ("Bangkok", "Samut Sakhon")
    assert shelter.curfew is True and shelter.capacity == 12 and shelter.waiting_days == 0


def test_parser_reports_each_bad_row_by_number_and_column():
    text = GOOD + "Bad Org,XX,massage,,TH,,thai,aliens,maybe,no,,-3,,,no\n"
    result = csv_import.parse(text)
    assert not result.ok
    problems = {(e.row, e.column) for e in result.errors}
    assert {(5, "provider_jurisdiction"), (5, "service"), (5, "languages"), (5, "serves"),
            (5, "trauma_informed"), (5, "capacity")} <= problems
    assert all(e.row == 5 for e in result.errors)


def test_parser_refuses_unknown_or_missing_columns():
    result = csv_import.parse("provider,service,colour\nX,shelter,blue\n")
    assert not result.ok
    assert any("unknown column" in e.message and e.row == 1 for e in result.errors)
    assert any("missing column" in e.message for e in result.errors)


def test_parser_refuses_a_repeated_service():
    lines = GOOD.splitlines()
    result = csv_import.parse("\n".join([*lines, lines[1]]) + "\n")
    assert [(e.row, e.column) for e in result.errors] == [(5, "service")]


def test_csv_import_with_a_bad_row_reports_the_row_and_imports_nothing(api, supervisor):
    text = GOOD + "Bad Org,TH,shelter,,TH,,th,,yes,no,,lots,,,no\n"
    response = api(supervisor).post("/api/v1/services/import", {"csv": text})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "file"
    assert body["errors"] == [{"row": 5, "column": "capacity",
                               "message": "expected a whole number ≥ 0, got 'lots'"}]
    assert not Service.objects.exists()
    assert not Organisation.objects.filter(name__in=["Mekong Legal Aid", "Bad Org"]).exists()


def test_csv_import_creates_providers_outside_northstar_and_updates_in_place(api, supervisor):
    client = api(supervisor)
    first = client.post("/api/v1/services/import", {"csv": GOOD})
    assert first.status_code == 200, first.content
    assert first.json() == {"created": 3, "updated": 0, "unchanged": 0, "providers_created": 2}
    harbour = Organisation.objects.get(name="Safe Harbour Shelter")
    assert harbour.on_platform is False and harbour.kind == "shelter"
    assert ProviderProfile.objects.get(organisation=harbour).areas_served == [
        "Bangkok", "Samut Sakhon"]
    again = client.post("/api/v1/services/import", {"csv": GOOD.replace(",12,0,", ",10,3,")})
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 2, "providers_created": 0}
    assert Service.objects.get(name="Women's shelter").capacity == 10
    assert AuditEntry.objects.filter(record_type="service_directory").count() == 2


def test_caseworker_may_not_import_the_directory(api, caseworker):
    response = api(caseworker).post("/api/v1/services/import", {"csv": GOOD})
    assert response.status_code == 403
    assert not Service.objects.exists()


def test_management_command_imports_nothing_from_a_file_with_a_bad_row(tmp_path, db):
    path = tmp_path / "directory.csv"
    path.write_text(GOOD + "Bad Org,TH,shelter,,TH,,th,,yes,no,,,,,perhaps\n", encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_services", str(path))
    assert "row 5, on_platform" in str(excinfo.value)
    assert not Service.objects.exists()
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_services", str(path), stdout=out)
    assert "3 new" in out.getvalue()
    assert Service.objects.count() == 3


@pytest.fixture
def directory(db):
    csv_import_result = csv_import.parse(GOOD)
    from northstar.core.actor import Actor
    from northstar.referrals.actions import import_services

    assert csv_import_result.ok
    import_services(Actor.system("cli"), text=GOOD)


def test_directory_search_by_language_and_need(api, caseworker, directory):
    client = api(caseworker)
    burmese = client.get("/api/v1/services", {"language": "my"}).json()
    assert {s["name"] for s in burmese["items"]} == {"Women's shelter", "Trauma counselling"}
    counselling = client.get("/api/v1/services", {"language": "my", "need": "mental_health"}).json()
    assert [s["name"] for s in counselling["items"]] == ["Trauma counselling"]
    assert counselling["items"][0]["trauma_informed"] is True
    khmer_legal = client.get("/api/v1/services", {"language": "km", "need": "legal_aid",
                                                  "jurisdiction": "TH"}).json()
    assert [s["name"] for s in khmer_legal["items"]] == ["Labour claims clinic"]
    assert client.get("/api/v1/services", {"language": "vi"}).json()["count"] == 0


def test_directory_search_by_place_and_without_curfew(api, caseworker, directory):
    client = api(caseworker)
    sakhon = client.get("/api/v1/services", {"area": "samut"}).json()
    assert [s["name"] for s in sakhon["items"]] == ["Women's shelter"]
    assert sakhon["items"][0]["movement_restrictions"] == "no outings after 18:00"
    free = client.get("/api/v1/services", {"jurisdiction": "TH", "no_curfew": True}).json()
    assert "Women's shelter" not in {s["name"] for s in free["items"]}


def test_directory_search_rejects_a_bad_language_code(api, caseworker, directory):
    response = api(caseworker).get("/api/v1/services", {"language": "Burmese!"})
    assert response.status_code == 422 and response.json()["field"] == "language"
