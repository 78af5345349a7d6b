"""Bad input stops at the edge with a 422 naming the field, never a 500 (issue 12 §5).

Each class of bad input the attack found: a NUL character (API bodies, nested list
items, query parameters, the unauthenticated token endpoint, page forms and page
queries), a language tag longer than the column, birth dates of 1850 or year 1,
dates outside any plausible range, and values of the wrong JSON type that lax
parsing would have coerced (``false`` as an age, ``0`` as a date).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from northstar.api import api as ninja_api
from northstar.core.models import AuditEntry
from northstar.core.tokens import issue_token
from northstar.survivors.models import Survivor
from tests.conftest import PASSWORD

NUL = "\x00"


def refused(response, field: str) -> None:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    assert response.json()["field"] == field


# --- NUL characters -------------------------------------------------------------


def test_a_nul_in_the_token_request_is_a_422_before_anyone_signs_in(api, caseworker):
    r = api().post("/api/v1/auth/token", {"username": f"caseworker{NUL}.a", "password": PASSWORD})
    refused(r, "username")


def test_a_nul_in_a_survivor_name_is_refused_and_nothing_is_stored(api, caseworker):
    r = api(caseworker).post("/api/v1/survivors", {"given_name": f"Demo{NUL}Sokha"})
    refused(r, "given_name")
    assert api(caseworker).get("/api/v1/survivors").json()["count"] == 0


def test_a_nul_inside_a_list_item_is_refused(api, caseworker):
    r = api(caseworker).post("/api/v1/survivors", {"languages": ["km", f"t{NUL}h"]})
    refused(r, "languages")


def test_a_nul_in_a_case_summary_is_refused(api, caseworker, survivor_a):
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/cases", {
        "forms_of_exploitation": ["labour"], "summary": f"Worked{NUL} unpaid"})
    refused(r, "summary")


def test_a_nul_in_a_query_filter_is_refused(api, caseworker, survivor_a):
    refused(api(caseworker).get("/api/v1/survivors", {"reference": f"S{NUL}1"}), "reference")


def test_a_nul_in_any_api_query_parameter_is_refused(api, caseworker, survivor_a):
    r = api(caseworker).get(f"/api/v1/survivors/{survivor_a.pk}", {"personal": f"true{NUL}"})
    refused(r, "personal")


def test_a_nul_in_a_page_form_is_a_422_naming_the_field(client, caseworker):
    r = client.post("/login/", {"username": f"caseworker{NUL}.a", "password": PASSWORD})
    assert r.status_code == 422
    assert b"username" in r.content


def test_a_nul_in_a_page_query_is_a_422(client, caseworker):
    client.force_login(caseworker)
    r = client.get("/", {"q": f"Sok{NUL}ha"})
    assert r.status_code == 422
    assert b"q: must not contain a NUL" in r.content


def test_a_nul_in_a_logged_in_page_form_is_refused_before_the_view(client, caseworker):
    client.force_login(caseworker)
    r = client.post("/survivors/new/", {"given_name": f"Demo{NUL}", "preferred_language": "en",
                                        "sex": "unknown", "gender": "unknown"})
    assert r.status_code == 422
    assert b"given_name" in r.content


# --- Lengths the columns cannot hold ----------------------------------------------


def test_a_language_tag_longer_than_ten_characters_is_refused(api, caseworker, survivor_a):
    long_tag = "en-abcdefgh"  # matches the tag pattern, 11 characters
    refused(api(caseworker).post("/api/v1/survivors", {"preferred_language": long_tag}),
            "preferred_language")
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/consents", {
        "purpose": "case_management", "language": long_tag, "method": "verbal"})
    refused(r, "language")


# --- Dates in a plausible range ---------------------------------------------------


@pytest.mark.parametrize("born", ["1850-01-01", "0001-01-01"])
def test_a_birth_date_in_1850_or_year_one_is_refused(api, caseworker, born):
    refused(api(caseworker).post("/api/v1/survivors", {"date_of_birth": born}), "date_of_birth")


def test_a_birth_date_or_year_in_the_future_is_refused(api, caseworker):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    refused(api(caseworker).post("/api/v1/survivors", {"date_of_birth": tomorrow}),
            "date_of_birth")
    refused(api(caseworker).post("/api/v1/survivors", {"birth_year": 3000}), "birth_year")


def test_a_duplicate_search_with_year_one_is_refused(api, caseworker):
    r = api(caseworker).post("/api/v1/survivors/duplicates",
                             {"given_name": "Demo", "date_of_birth": "0001-01-01"})
    refused(r, "date_of_birth")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_every_date_has_a_plausible_range(api, caseworker, survivor_a, day):
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/cases", {
        "forms_of_exploitation": ["labour"], "period_start": day})
    refused(r, "period_start")


def test_compensation_schemas_inherit_the_date_range(api, caseworker, case_a):
    r = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/mediations", {"opened_on": "0001-01-01"})
    refused(r, "opened_on")


# --- No coercion of the wrong JSON type -------------------------------------------


def test_false_is_not_an_age(api, caseworker):
    r = api(caseworker).post("/api/v1/pathways/assess", {"jurisdiction": "TH", "age": False})
    refused(r, "age")
    assert api(caseworker).post("/api/v1/pathways/assess",
                                {"jurisdiction": "TH", "age": 30}).status_code == 200


def test_zero_is_not_a_date(api, caseworker, survivor_a):
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/cases", {
        "forms_of_exploitation": ["labour"], "period_start": 0})
    refused(r, "period_start")
    refused(api(caseworker).post("/api/v1/survivors", {"birth_year": True}), "birth_year")


# --- The duplicates search keeps personal data out of URLs ------------------------


def test_the_duplicate_search_is_a_post_and_the_get_is_gone(api, caseworker, survivor_a):
    body = {"given_name": "Demo Sokha", "family_name": "Testperson", "date_of_birth": "1998-04-12"}
    gone = api(caseworker).get("/api/v1/survivors/duplicates", body)
    assert gone.status_code in (404, 405)
    before = AuditEntry.objects.filter(action="read").count()
    found = api(caseworker).post("/api/v1/survivors/duplicates", body)
    assert [s["id"] for s in found.json()] == [survivor_a.pk]
    assert AuditEntry.objects.filter(action="read").count() == before + 1


def test_a_read_token_may_search_for_duplicates(caseworker, survivor_a):
    _, raw = issue_token(caseworker, scope="read")
    r = Client().post("/api/v1/survivors/duplicates",
                      {"given_name": "Demo Sokha", "family_name": "Testperson",
                       "date_of_birth": "1998-04-12"},
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    assert [s["id"] for s in r.json()] == [survivor_a.pk]


# --- Pages: the same ranges before any view runs ------------------------------------


@pytest.mark.parametrize("born", ["1850-01-01", "0001-01-01"])
def test_a_page_form_refuses_a_birth_date_in_1850_or_year_one(client, caseworker, born):
    client.force_login(caseworker)
    r = client.post("/survivors/new/", {"date_of_birth": born, "preferred_language": "en",
                                        "sex": "unknown", "gender": "unknown"})
    assert r.status_code == 422
    assert b"date_of_birth" in r.content
    assert not Survivor.objects.exists()


def test_a_page_form_refuses_a_date_in_year_one_anywhere(client, caseworker, case_a):
    client.force_login(caseworker)
    r = client.post(f"/compensation/cases/{case_a.pk}/mediation/new/",
                    {"opened_on": "0001-01-01", "mediator": "Labour office"})
    assert r.status_code == 422
    assert b"opened_on" in r.content


# --- The OpenAPI document declares the error answers --------------------------------


def test_every_api_operation_documents_its_error_answers():
    schema = ninja_api.get_openapi_schema()
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail", "field"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            where = f"{method.upper()} {path}"
            assert {"404", "422", "429"} <= codes, where
            if operation.get("security"):
                assert {"401", "403"} <= codes, where
            if "requestBody" in operation:
                assert {"400", "413"} <= codes, where
            if method != "get":
                assert "409" in codes, where
            error = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorOut"}, where


def test_an_id_too_large_for_any_column_in_a_list_filter_is_a_422_not_a_500(api, caseworker):
    # Found by the fuzzer: SQLite cannot even compare with a number this large.
    answer = api(caseworker).get("/api/v1/cases", {"survivor_id": "-1245275070511281864704"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "survivor_id"
