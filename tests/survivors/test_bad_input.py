"""Bad input answers 4xx naming the field, and leaves the database as it was."""

import pytest
from django.db import connection

from northstar.core.models import AuditEntry
from northstar.survivors.models import Case, Consent, Survivor


def snapshot():
    return (
        list(Survivor.objects.values_list("pk", "version", "phone", "sex")),
        list(Case.objects.values_list("pk", "version", "status", "forms_of_exploitation")),
        Consent.objects.count(),
        AuditEntry.objects.filter(action__in=["create", "update", "delete"]).count(),
    )


SURVIVOR_BAD = [
    ({"sex": "alien"}, "sex"),
    ({"date_of_birth": "12/04/1998"}, "date_of_birth"),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ({"birth_year": "nineteen"}, "birth_year"),
    ({"interpreter_needed": "maybe"}, "interpreter_needed"),
    ({"languages": "km"}, "languages"),
    ({"nationality": "Cambodia"}, "nationality"),
    ({"favourite_colour": "blue"}, "favourite_colour"),
    ({"given_name": "x" * 201}, "given_name"),
    ({"date_of_birth": "2000-01-01", "birth_year": 1990}, "birth_year"),
]


@pytest.mark.parametrize("payload,field", SURVIVOR_BAD)
def test_bad_survivor_input_is_refused_naming_the_field(api, caseworker, survivor_a, payload,
                                                        field):
    before = snapshot()
    r = api(caseworker).post("/api/v1/survivors", payload)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert snapshot() == before


@pytest.mark.parametrize("payload,field", [
    ({"version": 1, "sex": "alien"}, "sex"),
    ({"version": 1, "phone": 12345}, "phone"),
    ({"version": "one", "phone": "1"}, "version"),
    ({"phone": "1"}, "version"),
    ({"version": 1, "sex": None}, "sex"),
])
def test_a_bad_update_changes_nothing(api, caseworker, survivor_a, payload, field):
    before = snapshot()
    r = api(caseworker).patch(f"/api/v1/survivors/{survivor_a.pk}", payload)
    assert r.status_code == 422
    assert r.json()["field"] == field
    assert snapshot() == before


@pytest.mark.parametrize("payload,field", [
    ({"forms_of_exploitation": ["piracy"]}, "forms_of_exploitation.0"),
    ({"forms_of_exploitation": []}, "forms_of_exploitation"),
    ({"forms_of_exploitation": ["labour"], "period_start": "yesterday"}, "period_start"),
    ({"forms_of_exploitation": ["labour"], "period_start": "2024-05-01",
      "period_end": "2024-01-01"}, "period_end"),
    ({"forms_of_exploitation": ["labour"], "jurisdiction": "US"}, "jurisdiction"),
    ({"forms_of_exploitation": ["labour"], "coercion": "extreme"}, "coercion"),
])
def test_bad_case_input_is_refused_naming_the_field(api, caseworker, survivor_a, payload, field):
    before = snapshot()
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/cases", payload)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert snapshot() == before


@pytest.mark.parametrize("payload,field", [
    ({"purpose": "marketing", "language": "km", "method": "verbal"}, "purpose"),
    ({"purpose": "statistics", "language": "km", "method": "telepathy"}, "method"),
    ({"purpose": "statistics", "method": "verbal"}, "language"),
    ({"purpose": "referral", "recipient_id": 99999, "language": "km", "method": "verbal"},
     "recipient_id"),
    ({"purpose": "statistics", "language": "km", "method": "portal"}, "method"),
])
def test_bad_consent_input_is_refused_naming_the_field(api, caseworker, survivor_a, payload,
                                                       field):
    before = snapshot()
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/consents", payload)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert snapshot() == before


def test_malformed_json_gets_400(api, caseworker, survivor_a):
    before = snapshot()
    assert api(caseworker).post("/api/v1/survivors", "{not json").status_code == 400
    assert snapshot() == before


def test_an_oversized_body_gets_413_and_changes_nothing(api, caseworker, survivor_a):
    before = snapshot()
    big = '{"contact_notes": "' + "x" * 2_000_000 + '"}'
    assert api(caseworker).post("/api/v1/survivors", big).status_code == 413
    assert snapshot() == before


def test_a_non_numeric_id_is_a_clean_4xx(api, caseworker, db):
    assert api(caseworker).get("/api/v1/survivors/abc").status_code in (404, 422)


def test_bad_filters_are_refused_not_ignored(api, caseworker, db):
    r = api(caseworker).get("/api/v1/cases", {"status": "sleeping"})
    assert r.status_code == 422
    assert r.json()["field"] == "status"
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.parametrize("path", ["/api/v1/survivors", "/api/v1/cases", "/api/v1/audit"])
def test_an_absurd_page_number_is_a_422_not_a_database_overflow(api, supervisor, path):
    r = api(supervisor).get(path, {"page": "666802526539624063434752"})
    assert r.status_code == 422
    assert r.json()["field"] == "page"
