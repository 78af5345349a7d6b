"""Casework over the API (issue 14): close/reopen, assign, transfer, tasks set on cases."""

from __future__ import annotations

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.justice.models import CaseTask
from northstar.survivors.models import Survivor, Transfer


def test_closing_over_the_api_needs_the_current_version_and_a_reason(case_a, caseworker, api):
    client = api(caseworker)
    stale = client.post(f"/api/v1/cases/{case_a.pk}/close", {"version": 9, "reason": "goals_met"})
    assert stale.status_code == 409
    bad = client.post(f"/api/v1/cases/{case_a.pk}/close", {"version": 1, "reason": "other"})
    assert bad.status_code == 422 and bad.json()["field"] == "note"
    done = client.post(f"/api/v1/cases/{case_a.pk}/close",
                       {"version": 1, "reason": "other", "note": "Moved abroad."})
    assert done.status_code == 200 and done.json()["status"] == "closed"
    again = client.post(f"/api/v1/cases/{case_a.pk}/reopen", {"version": 2, "reason": "new_need"})
    assert again.status_code == 200 and again.json()["status"] == "active"


def test_a_caseworker_cannot_archive_over_the_api(case_a, caseworker, supervisor, api):
    assert api(caseworker).delete(f"/api/v1/cases/{case_a.pk}").status_code == 403
    assert api(supervisor).delete(
        f"/api/v1/survivors/{case_a.survivor_id}?reason=duplicate").status_code == 204
    assert api(supervisor).get(f"/api/v1/survivors/{case_a.survivor_id}").status_code == 404


def test_assigning_over_the_api_sets_a_task_for_the_new_caseworker(case_a, caseworker, users,
                                                                   api):
    colleague = users[("a", Role.LEGAL_OFFICER)]
    response = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/assign",
                                    {"caseworker_id": colleague.pk})
    assert response.status_code == 200 and response.json()["caseworker_id"] == colleague.pk
    assert CaseTask.objects.filter(case=case_a, assignee=colleague).exists()
    refused = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/assign",
                                   {"caseworker_id": users[("b", Role.CASEWORKER)].pk})
    assert refused.status_code == 422 and refused.json()["field"] == "caseworker_id"


def test_a_transfer_without_consent_is_refused_over_the_api_with_a_sentence(case_a, caseworker,
                                                                            org_b, users, api):
    response = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/transfers",
                                    {"to_organisation_id": org_b.pk})
    assert response.status_code == 422
    assert response.json()["field"] == "to_organisation_id"
    assert response.json()["detail"].startswith("The survivor has not consented")
    assert not Transfer.objects.exists()


def test_a_transfer_over_the_api_moves_the_record_and_ends_the_senders_access(
        case_a, caseworker, org_b, users, api):
    api(caseworker).post(f"/api/v1/survivors/{case_a.survivor_id}/consents", {
        "purpose": "referral", "recipient_id": org_b.pk, "language": "km", "method": "written"})
    asked = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/transfers",
                                 {"to_organisation_id": org_b.pk, "reason": "Going home."})
    assert asked.status_code == 201 and asked.json()["reason"] == "•••"
    transfer_id = asked.json()["id"]
    seen = api(users[("b", Role.CASEWORKER)]).get(f"/api/v1/transfers/{transfer_id}")
    assert seen.status_code == 200 and seen.json()["reason"] == "Going home."
    accepted = api(users[("b", Role.SUPERVISOR)]).post(
        f"/api/v1/transfers/{transfer_id}/accept", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert Survivor.objects.get(pk=case_a.survivor_id).organisation == org_b
    assert api(caseworker).get(f"/api/v1/cases/{case_a.pk}").status_code == 404
    assert api(caseworker).get(f"/api/v1/transfers/{transfer_id}").status_code == 404
    assert api(users[("b", Role.CASEWORKER)]).get(f"/api/v1/cases/{case_a.pk}").status_code == 200


def test_tasks_set_over_the_api_are_listed_with_their_titles_and_the_read_audited(
        case_a, caseworker, api):
    client = api(caseworker)
    made = client.post(f"/api/v1/cases/{case_a.pk}/case-tasks", {
        "title": "Call Dara", "assignee_id": caseworker.pk, "due_on": "2025-01-02"})
    assert made.status_code == 201
    listed = client.get("/api/v1/case-tasks", {"open": "true", "assignee_id": caseworker.pk})
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert item["title"] == "Call Dara" and item["overdue"] is True
    assert AuditEntry.objects.filter(action="read", record_type="case_task").exists()
    done = client.post(f"/api/v1/case-tasks/{item['id']}/done", {"done": True})
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert client.get("/api/v1/case-tasks", {"open": "true"}).json()["count"] == 0
