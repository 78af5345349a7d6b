"""The screening API: the contract, strict input, and the other organisation refused."""

from northstar.core.models import AuditEntry
from northstar.screening.models import Screening

CONTRACT = {
    "age": 24,
    "act": ["recruitment", "transportation"],
    "means": ["deception"],
    "purpose": ["forced_labour"],
    "indicators": {
        "withholding_of_wages": True,
        "retention_of_identity_documents": True,
        "excessive_overtime": "unknown",
    },
    "involuntary": True,
    "menace_of_penalty": True,
}


def test_contract_example_answers_trafficking(api, caseworker):
    res = api(caseworker).post("/api/v1/screening/assess", CONTRACT)
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["classification"] == "trafficking"
    assert {"rule", "explanation"} <= body["reasons"][0].keys()
    assert "indicators.excessive_overtime" in body["unknown"]
    assert body["rule_set_version"]


def test_unknown_key_is_422_naming_it(api, caseworker):
    res = api(caseworker).post("/api/v1/screening/assess", {**CONTRACT, "nationality": "KH"})
    assert res.status_code == 422 and res.json()["field"] == "nationality"


def test_unknown_enum_value_is_422_naming_it(api, caseworker):
    res = api(caseworker).post("/api/v1/screening/assess", {**CONTRACT, "means": ["magic"]})
    assert res.status_code == 422 and res.json()["field"].startswith("means")
    res = api(caseworker).post("/api/v1/screening/assess", {"indicators": {"sadness": True}})
    assert res.status_code == 422 and res.json()["field"] == "indicators.sadness"
    res = api(caseworker).post("/api/v1/screening/assess", {"involuntary": "maybe"})
    assert res.status_code == 422 and res.json()["field"].startswith("involuntary")


def test_screening_a_case_stores_it(api, caseworker, case_a):
    res = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/screenings", CONTRACT)
    assert res.status_code == 201, res.content
    assert Screening.objects.get().classification == "trafficking"
    listed = api(caseworker).get(f"/api/v1/cases/{case_a.pk}/screenings").json()
    assert [s["id"] for s in listed] == [res.json()["id"]]


def test_another_organisation_cannot_screen_or_read_the_case(api, other_caseworker, case_a):
    client = api(other_caseworker)
    assert client.post(f"/api/v1/cases/{case_a.pk}/screenings", CONTRACT).status_code == 404
    assert client.get(f"/api/v1/cases/{case_a.pk}/screenings").status_code == 404
    assert not Screening.objects.exists()


def test_the_schema_documents_every_answer_and_enum(api, caseworker):
    schema = api(caseworker).get("/api/v1/openapi.json").json()
    answers = schema["components"]["schemas"]["ScreeningAnswers"]["properties"]
    assert all(p.get("description") for p in answers.values())
    indicators = schema["components"]["schemas"]["IndicatorAnswers"]["properties"]
    assert "debt_bondage" in indicators


def test_reading_a_cases_screenings_is_audited_naming_every_one(api, caseworker, case_a):
    client = api(caseworker)
    made = [client.post(f"/api/v1/cases/{case_a.pk}/screenings", CONTRACT).json()["id"]
            for _ in range(3)]
    client.get(f"/api/v1/cases/{case_a.pk}/screenings")
    read = AuditEntry.objects.get(record_type="screening", action="read")
    assert read.survivor_ref == case_a.survivor.reference
    assert sorted(read.record_ids) == sorted(str(pk) for pk in made)
