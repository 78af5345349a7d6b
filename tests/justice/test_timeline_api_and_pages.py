"""The timeline through the API and pages: access by policy, reflection periods from data, tasks."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from northstar.core.models import AuditEntry
from northstar.justice.models import TimelineEvent
from tests.conftest import PASSWORD
from tests.raw import raw_column


def test_another_organisation_cannot_see_or_write_the_timeline(
        today, api, other_caseworker, case_a):
    client = api(other_caseworker)
    assert client.get(f"/api/v1/cases/{case_a.pk}/events").status_code == 404
    response = client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "stage_change", "occurred_on": today.isoformat(), "stage": "rehabilitation"})
    assert response.status_code == 404
    assert not TimelineEvent.objects.exists()


def test_thailands_fifteen_day_guideline_never_ends_a_survivors_reflection_by_itself(
    today, api, caseworker, case_a
):
    assert case_a.jurisdiction == "TH"
    start = today - dt.timedelta(days=40)
    body = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "reflection_period_start", "occurred_on": start.isoformat()}).json()
    assert "ends_on" not in body["details"]
    timeline = api(caseworker).get(f"/api/v1/cases/{case_a.pk}/timeline").json()
    assert timeline["stage"] == "reflection_period"
    assert timeline["reflection_period_active"] is True
    period = timeline["reflection_period"]
    assert (period["status"], period["days"], period["guideline_days"]) == ("guideline", None, 15)
    [task] = timeline["tasks"]
    assert task["kind"] == "reflection_period_end_unset"


def test_the_no_pressure_warning_stays_until_the_reflection_is_ended(
        today, api, caseworker, case_a):
    client = api(caseworker)
    start = today - dt.timedelta(days=30)
    client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "reflection_period_start", "occurred_on": start.isoformat(),
        "details": {"ends_on": (start + dt.timedelta(days=14)).isoformat()}})
    interview = {"kind": "interview", "occurred_on": (today - dt.timedelta(days=2)).isoformat(),
                 "details": {"interviewer": "Officer", "interviewer_role": "police",
                             "language": "km", "interpreter_present": True,
                             "video_recorded": False}}
    body = client.post(f"/api/v1/cases/{case_a.pk}/events", interview).json()
    assert "no_pressure_during_reflection_period" in body["finding_rules"]
    client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "reflection_period_end", "occurred_on": (today - dt.timedelta(days=1)).isoformat()})
    body = client.post(f"/api/v1/cases/{case_a.pk}/events",
                       {**interview, "occurred_on": today.isoformat()}).json()
    assert "no_pressure_during_reflection_period" not in body["finding_rules"]


def test_an_interview_during_the_reflection_period_raises_a_finding(today, api, caseworker, case_a):
    client = api(caseworker)
    client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "reflection_period_start", "occurred_on": (today - dt.timedelta(days=2)).isoformat()})
    body = client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "interview", "occurred_on": today.isoformat(),
        "details": {"interviewer": "MDT", "interviewer_role": "social_worker", "language": "km",
                    "interpreter_present": True, "video_recorded": True}}).json()
    assert "no_pressure_during_reflection_period" in body["finding_rules"]


def test_hearing_tomorrow_shows_on_the_caseworkers_tasks_and_caseload(
        today, api, caseworker, case_a):
    api(caseworker).post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "hearing", "occurred_on": (today + dt.timedelta(days=1)).isoformat(),
        "details": {"testimony": "video", "court": "Criminal Court, Bangkok"}})
    tasks = api(caseworker).get("/api/v1/timeline/tasks").json()
    assert [t["title"] for t in tasks] == ["Hearing tomorrow (video): prepare and accompany"]
    assert tasks[0]["case_reference"] == case_a.reference
    read = AuditEntry.objects.filter(record_type="timeline_task", action="read").get()
    assert read.record_ids == [str(case_a.pk)]
    client = Client()
    assert client.login(username=caseworker.username, password=PASSWORD)
    assert "Hearing tomorrow" in client.get("/").content.decode()


def test_past_events_cannot_be_dated_in_the_future(today, api, caseworker, case_a):
    response = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "detention", "occurred_on": (today + dt.timedelta(days=3)).isoformat(),
        "details": {"kind": "arrest"}})
    assert response.status_code == 422 and response.json()["field"] == "occurred_on"


def test_notes_are_sealed_and_opening_them_is_audited(today, api, caseworker, case_a):
    client = api(caseworker)
    client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "stage_change", "occurred_on": today.isoformat(), "stage": "investigation",
        "note": "Met the survivor's sister at the market"})
    assert client.get(f"/api/v1/cases/{case_a.pk}/events").json()[0]["note"] is None
    opened = client.get(f"/api/v1/cases/{case_a.pk}/events", {"notes": "true"}).json()
    assert opened[0]["note"] == "Met the survivor's sister at the market"
    assert AuditEntry.objects.filter(record_type="timeline_event", action="read",
                                     fields=["note"]).exists()


def test_voided_event_is_kept_with_its_reason(today, api, caseworker, case_a):
    client = api(caseworker)
    eid = client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "stage_change", "occurred_on": today.isoformat(), "stage": "adjudication"}).json()["id"]
    assert client.post(f"/api/v1/cases/{case_a.pk}/events/{eid}/void", {}).status_code == 422
    assert client.post(f"/api/v1/cases/{case_a.pk}/events/{eid}/void",
                       {"reason": "wrong case"}).status_code == 200
    assert client.get(f"/api/v1/cases/{case_a.pk}/events").json() == []
    kept = client.get(f"/api/v1/cases/{case_a.pk}/events", {"include_void": "true"}).json()
    assert kept[0]["void_reason"] == "•••"  # sealed: masked until opened
    opened = client.get(f"/api/v1/cases/{case_a.pk}/events",
                        {"include_void": "true", "notes": "true"}).json()
    assert opened[0]["void_reason"] == "wrong case"
    assert AuditEntry.objects.filter(record_type="timeline_event", action="read",
                                     fields=["void_reason"]).exists()
    assert all("wrong case" not in raw for raw in raw_column("justice_timelineevent", "void_reason"))


def test_timeline_page_records_an_event_without_javascript(today, caseworker, case_a):
    client = Client()
    assert client.login(username=caseworker.username, password=PASSWORD)
    url = f"/justice/cases/{case_a.pk}/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "shelter_stay", "occurred_on": today.isoformat(),
                            "shelter_stay.shelter": "Safe House"})
    assert bad.status_code == 422 and "Enter the curfew." in bad.content.decode()
    assert "details.curfew" not in bad.content.decode()
    assert not TimelineEvent.objects.exists()
    ok = client.post(url, {"kind": "shelter_stay", "occurred_on": today.isoformat(),
                           "shelter_stay.shelter": "Safe House", "shelter_stay.curfew": "yes",
                           "shelter_stay.movement_restricted": "no",
                           "interview.interviewer": "ignored"}, follow=True)
    assert ok.status_code == 200
    event = TimelineEvent.objects.get()
    assert event.details == {"shelter": "Safe House", "curfew": True, "movement_restricted": False}
    assert "never_restrict_movement_in_shelter" in event.finding_rules


def test_other_organisation_gets_404_on_the_timeline_page(other_caseworker, case_a):
    client = Client()
    assert client.login(username=other_caseworker.username, password=PASSWORD)
    assert client.get(f"/justice/cases/{case_a.pk}/").status_code == 404


def test_timeline_says_when_a_video_statement_spares_another_retelling(
        today, api, caseworker, case_a):
    client = api(caseworker)
    day = today - dt.timedelta(days=4)
    client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "interview", "occurred_on": day.isoformat(),
        "details": {"interviewer": "Prosecutor", "interviewer_role": "prosecutor",
                    "language": "km", "interpreter_present": True, "video_recorded": True}})
    body = client.get(f"/api/v1/cases/{case_a.pk}/timeline").json()
    assert body["interviews"] == 1 and body["video_statement_on"] == day.isoformat()
    page = Client()
    assert page.login(username=caseworker.username, password=PASSWORD)
    assert "A video-recorded statement exists" in page.get(
        f"/justice/cases/{case_a.pk}/").content.decode()


def test_reflection_period_where_the_law_sets_no_length_has_no_invented_end(
        today, api, other_caseworker, actor_for):
    from northstar.survivors import actions as survivor_actions

    actor = actor_for(other_caseworker)
    survivor = survivor_actions.create_survivor(actor, data={"given_name": "Demo Bopha"})
    case = survivor_actions.create_case(actor, survivor, data={"forms_of_exploitation": ["sex"]})
    assert case.jurisdiction == "KH"
    client = api(other_caseworker)
    body = client.post(f"/api/v1/cases/{case.pk}/events", {
        "kind": "reflection_period_start", "occurred_on": today.isoformat()}).json()
    assert "ends_on" not in body["details"]
    timeline = client.get(f"/api/v1/cases/{case.pk}/timeline").json()
    assert timeline["reflection_period"]["status"] == "unknown"
    assert [t["kind"] for t in timeline["tasks"]] == ["reflection_period_end_unset"]


def test_a_void_reason_never_reaches_the_audit_log(today, api, caseworker, case_a):
    client = api(caseworker)
    eid = client.post(f"/api/v1/cases/{case_a.pk}/events", {
        "kind": "stage_change", "occurred_on": today.isoformat(), "stage": "adjudication"}).json()["id"]
    client.post(f"/api/v1/cases/{case_a.pk}/events/{eid}/void",
                {"reason": "this was Demo Sokha's sister's hearing"})
    entry = AuditEntry.objects.get(record_type="timeline_event", action="update")
    assert "Sokha" not in entry.note and "void_reason" in entry.fields


def test_the_event_form_shows_only_the_fields_of_the_chosen_kind(caseworker, case_a):
    client = Client()
    assert client.login(username=caseworker.username, password=PASSWORD)
    url = f"/justice/cases/{case_a.pk}/"
    first = client.get(url).content.decode()
    assert 'id="kind-choice"' in first and "<fieldset" not in first
    hearing = client.get(url, {"kind": "hearing"}).content.decode()
    assert 'id="fs-hearing"' in hearing
    assert hearing.count("<fieldset") == 1
    assert '<input type="hidden" name="kind" value="hearing">' in hearing
