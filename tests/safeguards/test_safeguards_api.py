"""The safeguards API: the contract, proposals that need a supervisor, findings."""

from northstar.core.models import AuditEntry
from northstar.safeguards.models import Finding, ProposedAction

CONTRACT = {
    "action": "interview",
    "context": {
        "age": 30,
        "interpreter_needed": True,
        "interpreter_present": False,
        "previous_interviews": 3,
        "reflection_period_active": True,
        "informed_consent_to_return": None,
        "best_interest_assessment_done": None,
        "family_involved_in_trafficking": False,
        "consents": ["case_management"],
    },
}
REASON = "Police hold order for one night, lawyer present, reviewed with the survivor."


def test_contract_example_returns_findings_with_rule_severity_harm(api, caseworker):
    res = api(caseworker).post("/api/v1/safeguards/check", CONTRACT)
    assert res.status_code == 200, res.content
    findings = res.json()["findings"]
    assert findings and {"rule", "severity", "harm", "explanation"} <= set(findings[0])
    blocks = [f for f in findings if f["severity"] == "block"]
    assert all(f["override"] and f["min_justification"] for f in blocks)
    assert any(f["severity"] == "warn" and f["harm"] == "psychological" for f in findings)


def test_an_action_with_no_risk_returns_an_empty_list(api, caseworker):
    res = api(caseworker).post(
        "/api/v1/safeguards/check",
        {"action": "refer", "context": {"age": 40, "consents": ["referral"]}},
    )
    assert res.status_code == 200 and res.json()["findings"] == []


def test_unknown_action_context_key_or_value_is_422(api, caseworker):
    client = api(caseworker)
    assert (
        client.post("/api/v1/safeguards/check", {"action": "deport", "context": {}}).json()["field"]
        == "action"
    )
    res = client.post(
        "/api/v1/safeguards/check", {"action": "interview", "context": {"mood": "ok"}}
    )
    assert res.status_code == 422 and res.json()["field"] == "context.mood"
    res = client.post(
        "/api/v1/safeguards/check", {"action": "refer", "context": {"consents": ["gossip"]}}
    )
    assert res.status_code == 422 and res.json()["field"].startswith("context.consents")


def test_a_block_refuses_a_caseworkers_proposal_and_changes_nothing(api, caseworker, case_a):
    res = api(caseworker).post(
        f"/api/v1/cases/{case_a.pk}/proposed-actions",
        {"action": "detain", "context": {}, "justification": REASON},
    )
    assert res.status_code == 403 and res.json()["field"] == "justification"
    assert res.json()["findings"][0]["rule"] == "never_detain_a_victim"
    assert not ProposedAction.objects.exists() and not Finding.objects.exists()


def test_a_supervisor_needs_a_written_justification(api, supervisor, case_a):
    res = api(supervisor).post(
        f"/api/v1/cases/{case_a.pk}/proposed-actions",
        {"action": "restrict_movement", "context": {}},
    )
    assert res.status_code == 422 and res.json()["field"] == "justification"
    res = api(supervisor).post(
        f"/api/v1/cases/{case_a.pk}/proposed-actions",
        {"action": "restrict_movement", "context": {}, "justification": REASON},
    )
    assert res.status_code == 201, res.content
    assert res.json()["overridden"] is True
    assert res.json()["findings"][0]["status"] == "overridden"
    entry = AuditEntry.objects.get(record_type="proposed_action", note__startswith="override")
    assert entry.actor == supervisor and entry.channel == "api"


def test_case_check_fills_the_context_from_the_record(api, caseworker, case_a):
    res = api(caseworker).post(
        f"/api/v1/cases/{case_a.pk}/safeguard-checks", {"action": "interview", "context": {}}
    )
    assert res.status_code == 200
    body = res.json()
    assert body["context"]["interpreter_needed"] is True
    assert "interpreter_needed_for_interview" in [f["rule"] for f in body["findings"]]
    assert not Finding.objects.exists()


def test_open_findings_list_and_resolution(api, caseworker, supervisor, case_a):
    client = api(caseworker)
    res = client.post(
        f"/api/v1/cases/{case_a.pk}/proposed-actions",
        {"action": "interview", "context": {"interpreter_present": True, "previous_interviews": 5}},
    )
    assert res.status_code == 201
    listed = api(supervisor).get("/api/v1/findings").json()
    assert listed["count"] == 1
    read = AuditEntry.objects.get(record_type="safeguard_finding", action="read")
    assert read.record_ids == [str(listed['items'][0]['id'])]
    api(caseworker).get(f"/api/v1/cases/{case_a.pk}/findings")
    assert AuditEntry.objects.filter(record_type="safeguard_finding", action="read",
                                     survivor_ref=case_a.survivor.reference).count() == 1
    fid = listed["items"][0]["id"]
    res = client.post(
        f"/api/v1/findings/{fid}/resolve", {"justification": "Used the earlier statement."}
    )
    assert res.status_code == 200 and res.json()["status"] == "resolved"
    assert api(supervisor).get("/api/v1/findings").json()["count"] == 0


def test_another_organisation_is_refused_on_every_case_bound_endpoint(
    api, caseworker, other_caseworker, users, case_a
):
    api(caseworker).post(
        f"/api/v1/cases/{case_a.pk}/proposed-actions",
        {"action": "interview", "context": {"interpreter_present": True, "previous_interviews": 5}},
    )
    fid = Finding.objects.get().pk
    other = api(other_caseworker)
    calls = [
        other.post(
            f"/api/v1/cases/{case_a.pk}/safeguard-checks", {"action": "interview", "context": {}}
        ),
        other.post(
            f"/api/v1/cases/{case_a.pk}/proposed-actions", {"action": "refer", "context": {}}
        ),
        other.get(f"/api/v1/cases/{case_a.pk}/findings"),
        other.post(f"/api/v1/findings/{fid}/resolve", {"justification": "not mine"}),
    ]
    assert [c.status_code for c in calls] == [404] * len(calls)
    assert api(users[("b", "supervisor")]).get("/api/v1/findings").json()["count"] == 0
    assert Finding.objects.get().status == "open"


def test_a_huge_page_number_on_the_findings_list_is_a_422_not_a_500(api, supervisor):
    response = api(supervisor).get("/api/v1/findings?page=666802526539624063434752")
    assert response.status_code == 422
    assert "page" in response.content.decode()


def test_a_negative_age_or_interview_count_is_422_not_500(api, caseworker, case_a):
    client = api(caseworker)
    for key in ("age", "previous_interviews"):
        for path in ("/api/v1/safeguards/check", f"/api/v1/cases/{case_a.pk}/safeguard-checks"):
            res = client.post(path, {"action": "interview", "context": {key: -1}})
            assert res.status_code == 422, (path, key, res.content)
            assert res.json()["field"].startswith(f"context.{key}")
