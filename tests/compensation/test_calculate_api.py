"""POST /api/v1/compensation/calculate and calculations saved on a case."""

from __future__ import annotations

import copy

from northstar.compensation.models import SavedCalculation
from northstar.core.models import AuditEntry
from tests.compensation.conftest import CALC, CALC_TOTAL


def test_calculate_follows_the_contract(api, caseworker):
    response = api(caseworker).post("/api/v1/compensation/calculate", CALC)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["currency"] == "THB" and body["method"] == "statutory"
    assert body["total"] == CALC_TOTAL
    assert {"head", "amount", "formula", "inputs", "sources"} <= set(body["lines"][0])
    assert body["calculator_version"] and body["rule_set_version"]


def test_missing_statutory_wage_answers_422_naming_the_field(api, caseworker):
    data = copy.deepcopy(CALC)
    data["work_periods"][0].update(start="2024-01-01", end="2024-06-30", days_worked=150)
    response = api(caseworker).post("/api/v1/compensation/calculate", data)
    assert response.status_code == 422
    assert response.json()["field"] == "work_periods.0.statutory_daily_wage"


def test_a_float_amount_answers_422(api, caseworker):
    data = dict(CALC, medical_costs=5000.5)
    response = api(caseworker).post("/api/v1/compensation/calculate", data)
    assert response.status_code == 422
    assert response.json()["field"].startswith("medical_costs")


def test_calculator_needs_authentication(api):
    assert api().post("/api/v1/compensation/calculate", CALC).status_code == 401


def test_saved_calculation_is_sealed_and_audited(api, caseworker, case_a):
    client = api(caseworker)
    response = client.post(f"/api/v1/cases/{case_a.pk}/calculations", dict(CALC, label="first"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == CALC_TOTAL and body["result"]["total"] == CALC_TOTAL
    stored = SavedCalculation.objects.get(pk=body["id"])
    assert "Bangkok" not in stored.inputs.token  # sealed at rest
    assert AuditEntry.objects.filter(record_type="compensation_calculation",
                                     record_id=str(stored.pk), action="create").exists()
    listed = client.get(f"/api/v1/cases/{case_a.pk}/calculations").json()["items"]
    assert [c["id"] for c in listed] == [stored.pk]


def test_saving_a_bad_calculation_changes_nothing(api, caseworker, case_a):
    data = dict(CALC, non_pecuniary={"amount": "1000", "justification": ""})
    response = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/calculations", data)
    assert response.status_code == 422
    assert response.json()["field"] == "non_pecuniary.justification"
    assert not SavedCalculation.objects.exists()
