"""Events recorded on the timeline raise Do No Harm findings, seen on the case and by supervisors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from northstar.justice.models import TimelineEvent
from tests.conftest import PASSWORD


def _interview(client, case, today, *, interpreter=True, days_ago=5, language="km"):
    return client.post(f"/api/v1/cases/{case.pk}/events", {
        "kind": "interview", "occurred_on": (today - dt.timedelta(days=days_ago)).isoformat(),
        "details": {"interviewer": "Pol. Lt. Somchai", "interviewer_role": "police",
                    "language": language, "interpreter_present": interpreter,
                    "video_recorded": False}})


def _open_rules(client) -> set[str]:
    return {f["rule"] for f in client.get("/api/v1/findings").json()["items"]}


def test_a_second_retelling_already_raises_a_finding(today, api, caseworker, supervisor, case_a):
    client = api(caseworker)
    assert _interview(client, case_a, today, days_ago=30).json()["finding_rules"] == []
    second = _interview(client, case_a, today, days_ago=10)
    assert second.status_code == 201
    assert "minimise_retelling_the_story" in second.json()["finding_rules"]
    assert "minimise_retelling_the_story" in _open_rules(api(supervisor))


def test_a_hearing_where_she_testified_counts_as_a_retelling(today, api, caseworker, case_a):
    client = api(caseworker)
    client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "hearing", "occurred_on": (today - dt.timedelta(days=30)).isoformat(),
        "details": {"testimony": "in_person"}})
    assert "minimise_retelling_the_story" in _interview(client, case_a, today, days_ago=10).json()[
        "finding_rules"]


def test_interview_without_a_needed_interpreter_raises_a_finding(today, api, caseworker, supervisor,
                                                                 case_a):
    assert case_a.survivor.interpreter_needed
    body = _interview(api(caseworker), case_a, today, interpreter=False, language="th").json()
    assert "interpreter_needed_for_interview" in body["finding_rules"]
    findings = api(supervisor).get(f"/api/v1/cases/{case_a.pk}/findings").json()
    assert any(f["rule"] == "interpreter_needed_for_interview"
               and f["source"] == f"timeline:{body['id']}" for f in findings)


def test_curfew_in_a_shelter_raises_a_finding(today, api, caseworker, supervisor, case_a):
    body = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "shelter_stay", "occurred_on": today.isoformat(),
        "details": {"shelter": "Government shelter", "curfew": True,
                    "movement_restricted": False}}).json()
    assert "never_restrict_movement_in_shelter" in body["finding_rules"]
    assert "never_restrict_movement_in_shelter" in _open_rules(api(supervisor))


def test_return_without_informed_consent_raises_a_finding(
        today, api, caseworker, supervisor, case_a):
    body = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "return", "occurred_on": today.isoformat(),
        "details": {"destination_country": "KH", "voluntary": False, "informed_consent": False,
                    "interpreter_present": True}}).json()
    assert "return_only_with_informed_consent" in body["finding_rules"]
    assert "return_only_with_informed_consent" in _open_rules(api(supervisor))


def test_arrest_of_an_identified_victim_raises_a_finding(
        today, api, caseworker, supervisor, case_a):
    client = api(caseworker)
    client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "identification_decision", "occurred_on": (today - dt.timedelta(days=3)).isoformat(),
        "details": {"outcome": "identified", "ready_to_be_identified": True,
                    "interpreter_present": True}})
    body = client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "detention", "occurred_on": today.isoformat(),
        "details": {"kind": "arrest", "authority": "Immigration police"}}).json()
    assert "never_detain_a_victim" in body["finding_rules"]
    assert "never_detain_a_victim" in _open_rules(api(supervisor))


def test_a_safe_interview_raises_nothing(today, api, caseworker, case_a):
    body = _interview(api(caseworker), case_a, today, interpreter=True).json()
    assert body["finding_rules"] == []


def test_findings_show_on_the_case_page(today, caseworker, case_a, api):
    _interview(api(caseworker), case_a, today, interpreter=False, language="th")
    client = Client()
    assert client.login(username=caseworker.username, password=PASSWORD)
    page = client.get(f"/cases/{case_a.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Justice chain" in html
    assert "Do No Harm finding" in html
    timeline = client.get(f"/justice/cases/{case_a.pk}/").content.decode()
    assert "Interpreter needed for interview" in timeline
    assert "interpreter_needed_for_interview" not in timeline


@pytest.mark.parametrize("details,field", [
    ({"interviewer": "x", "interviewer_role": "police", "language": "km",
      "video_recorded": True}, "details.interpreter_present"),
    ({"shelter": "A", "curfew": "sometimes", "movement_restricted": False}, "details.curfew"),
])
def test_bad_event_is_refused_naming_the_field_and_nothing_is_stored(today, api, caseworker, case_a,
                                                                     details, field):
    kind = "interview" if "interviewer" in details else "shelter_stay"
    response = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": kind, "occurred_on": today.isoformat(), "details": details})
    assert response.status_code == 422 and response.json()["field"] == field
    assert not TimelineEvent.objects.exists()


def test_immigration_detention_of_a_survivor_is_an_absolute_block(today, api, caseworker, case_a):
    body = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "detention", "occurred_on": today.isoformat(),
        "details": {"kind": "immigration_detention"}}).json()
    assert "never_detain_for_immigration_offences" in body["finding_rules"]
