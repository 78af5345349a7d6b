"""Every read of survivor data in the justice engines' apps writes one audit row naming
every record shown, whole (``record_ids``), and is written by a selector or action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from northstar.core.models import AuditEntry
from northstar.justice import actions as justice
from northstar.pathways import actions as pathways
from northstar.safeguards import actions as safeguards
from northstar.screening import actions as screening
from tests.conftest import PASSWORD

RANKING = ["healing", "monetary_support", "safety_self_and_others"]
ANSWERS = {"age": 30, "act": ["recruitment"], "means": ["deception"], "purpose": ["forced_labour"]}


@pytest.fixture
def full_case(case_a, caseworker, actor_for):
    """A case with a screening, priorities, an assessment, a plan item, a finding and an event."""
    actor = actor_for(caseworker)
    screening.screen_case(actor, case_a, answers=ANSWERS)
    pathways.set_priorities(actor, case_a, ranking=RANKING, words="")
    pathways.assess_case(actor, case_a)
    pathways.add_plan_item(actor, case_a, intervention="trauma_informed_support")
    safeguards.record_findings(
        actor, case_a, action="interview", context={"previous_interviews": 5}, source="test"
    )
    justice.record_event(
        actor, case_a, kind="stage_change", occurred_on=dt.date(2026, 1, 5),
        details={}, stage="rehabilitation", note="",
    )
    return case_a


def _reads(record_type: str):
    return AuditEntry.objects.filter(action="read", record_type=record_type)


API_READS = [
    ("get", "/api/v1/cases/{case}/screenings", None, "screening"),
    ("get", "/api/v1/cases/{case}/pathway-assessments", None, "pathway_assessment"),
    ("get", "/api/v1/cases/{case}/priorities", None, "priorities"),
    ("get", "/api/v1/cases/{case}/plan", None, "plan_item"),
    ("get", "/api/v1/cases/{case}/findings", None, "safeguard_finding"),
    ("get", "/api/v1/findings", None, "safeguard_finding"),
    ("get", "/api/v1/cases/{case}/events", None, "timeline_event"),
    ("get", "/api/v1/cases/{case}/timeline", None, "timeline_event"),
    ("post", "/api/v1/cases/{case}/safeguard-checks",
     {"action": "interview", "context": {}}, "case"),
]


@pytest.mark.parametrize(("method", "path", "body", "record_type"), API_READS)
def test_every_read_endpoint_writes_one_audit_row_naming_what_it_showed(
    api, supervisor, full_case, method, path, body, record_type
):
    before = _reads(record_type).count()
    client = api(supervisor)
    url = path.format(case=full_case.pk)
    res = client.get(url) if method == "get" else client.post(url, body)
    assert res.status_code == 200, res.content
    entries = list(_reads(record_type).order_by("-id"))
    assert len(entries) > before, f"{path} wrote no {record_type} read"
    assert entries[0].record_ids, "the read names the records it showed"
    assert all(i.isdigit() for i in entries[0].record_ids), "ids are stored whole"


def test_a_do_no_harm_check_on_a_case_is_an_audited_read_of_that_case(api, caseworker, case_a):
    res = api(caseworker).post(
        f"/api/v1/cases/{case_a.pk}/safeguard-checks", {"action": "interview", "context": {}}
    )
    assert res.status_code == 200
    read = _reads("case").get(fields=["safeguards_context"])
    assert read.record_ids == [str(case_a.pk)]
    assert read.survivor_ref == case_a.survivor.reference


def test_the_do_no_harm_check_page_is_audited_too(caseworker, case_a):
    client = Client()
    assert client.login(username=caseworker.username, password=PASSWORD)
    res = client.post(f"/safeguards/cases/{case_a.pk}/", {"action": "interview", "do": "check"})
    assert res.status_code == 200
    assert _reads("case").filter(fields=["safeguards_context"]).count() == 1


def test_reading_the_priorities_is_audited_without_opening_the_words(api, caseworker, full_case):
    res = api(caseworker).get(f"/api/v1/cases/{full_case.pk}/priorities")
    assert res.status_code == 200 and res.json()["words"] is None
    read = _reads("priorities").get()
    assert read.fields == ["ranking"] and read.record_ids == [str(res.json()["id"])]


PAGES = [
    "/screening/cases/{case}/",
    "/pathways/cases/{case}/",
    "/pathways/cases/{case}/priorities/",
    "/pathways/cases/{case}/plan/",
    "/safeguards/cases/{case}/",
    "/safeguards/findings/",
    "/justice/cases/{case}/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_of_these_apps_writes_an_audit_row(supervisor, full_case, path):
    client = Client()
    assert client.login(username=supervisor.username, password=PASSWORD)
    before = AuditEntry.objects.filter(action="read").count()
    res = client.get(path.format(case=full_case.pk))
    assert res.status_code == 200
    assert AuditEntry.objects.filter(action="read").count() > before


@pytest.mark.parametrize("path", [p for p in PAGES if "{case}" in p])
def test_another_organisation_gets_404_and_nothing_is_read(other_caseworker, full_case, path):
    client = Client()
    assert client.login(username=other_caseworker.username, password=PASSWORD)
    before = AuditEntry.objects.filter(action="read").count()
    assert client.get(path.format(case=full_case.pk)).status_code == 404
    assert AuditEntry.objects.filter(action="read").count() == before


def test_the_check_page_says_when_nobody_can_override_a_block(caseworker, case_a):
    client = Client()
    assert client.login(username=caseworker.username, password=PASSWORD)
    res = client.post(f"/safeguards/cases/{case_a.pk}/",
                      {"action": "detain", "ctx_offence": "immigration", "do": "check"})
    assert "Nobody can override this." in res.content.decode()
