"""Lists in the justice engines' apps cost the same number of queries for one row as for
many: a query per row (N+1) fails here before it slows a caseworker's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from northstar.justice import actions as justice
from northstar.pathways import actions as pathways
from northstar.safeguards import actions as safeguards
from northstar.screening import actions as screening
from tests.conftest import PASSWORD

RANKING = ["healing", "monetary_support", "safety_self_and_others"]
ANSWERS = {"age": 30, "act": ["recruitment"], "means": ["deception"], "purpose": ["forced_labour"]}
INTERVENTIONS = ["trauma_informed_support", "state_compensation", "livelihood"]


def add_rows(actor, case, n: int) -> None:
    """``n`` more of everything these apps list on a case."""
    for i in range(n):
        screening.screen_case(actor, case, answers=ANSWERS)
        pathways.set_priorities(actor, case, ranking=RANKING, words=f"words {i}")
        pathways.assess_case(actor, case)
        safeguards.record_findings(
            actor, case, action="interview", context={"previous_interviews": 5}, source=f"t{i}"
        )
        justice.record_event(
            actor, case, kind="hearing",
            occurred_on=dt.date.today() + dt.timedelta(days=1 + i),
            details={"testimony": "video", "court": "Criminal Court"}, stage=None,
            note=f"note {i}",
        )
    for key in INTERVENTIONS[:n]:
        if not case.plan_items.filter(intervention=key).exists():
            item = pathways.add_plan_item(actor, case, intervention=key, note="chosen")
            pathways.change_plan_item(actor, item, status="agreed", note="agreed")


READS = [
    ("api", "/api/v1/cases/{case}/screenings"),
    ("api", "/api/v1/cases/{case}/pathway-assessments"),
    ("api", "/api/v1/cases/{case}/plan"),
    ("api", "/api/v1/cases/{case}/findings"),
    ("api", "/api/v1/findings"),
    ("api", "/api/v1/cases/{case}/events?notes=true"),
    ("api", "/api/v1/cases/{case}/timeline"),
    ("api", "/api/v1/timeline/tasks"),
    ("page", "/screening/cases/{case}/"),
    ("page", "/pathways/cases/{case}/"),
    ("page", "/pathways/cases/{case}/plan/"),
    ("page", "/safeguards/cases/{case}/"),
    ("page", "/safeguards/findings/"),
    ("page", "/justice/cases/{case}/"),
    ("page", "/justice/tasks/"),
    ("page", "/cases/{case}/"),
]


@pytest.mark.parametrize(("kind", "path"), READS)
def test_a_list_costs_no_more_queries_with_more_rows(
    api, supervisor, caseworker, actor_for, case_a, django_assert_max_num_queries, kind, path
):
    actor = actor_for(caseworker)
    add_rows(actor, case_a, 1)
    if kind == "api":
        client = api(supervisor)
    else:
        client = Client()
        assert client.login(username=supervisor.username, password=PASSWORD)
        client.get("/")  # sessions and the like settle before counting
    url = path.format(case=case_a.pk)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(url).status_code == 200
    add_rows(actor, case_a, 3)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert client.get(url).status_code == 200
