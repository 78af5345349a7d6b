"""Issue 13: the case page and the survivor page cost the same number of queries whether
the survivor has 2 or 20 of each record their panels show — timeline events, claims,
calculations, referrals, documents, tasks — so a query per record (an N+1) fails here.
Every record is made through the real actions; the pages are read by the caseworker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.compensation import calculations, claims
from northstar.core.actor import Actor
from northstar.core.models import AuditEntry
from northstar.documents import actions as documents
from northstar.justice import actions as justice
from northstar.justice import tasks as case_tasks
from northstar.referrals import actions as referrals
from tests.records import CALCULATION, PDF_BYTES, build_records
from tests.web.test_intake import client_for


def add_records(actor, survivor, case, caseworker, service, n: int) -> None:
    """``n`` more of each record the two pages show, on ``survivor`` and ``case``."""
    for i in range(n):
        justice.record_event(actor, case, kind="interview",
                             occurred_on=dt.date(2025, 8, 3) + dt.timedelta(days=i),
                             details={"interviewer": "Investigator", "interviewer_role": "police",
                                      "language": "th", "interpreter_present": False,
                                      "video_recorded": False})
        claims.create_claim(actor, case, route="civil_suit", payer="employer",
                            amount_claimed=str(100 + i), currency="THB", filed_on="2025-09-02")
        calculations.save_calculation(actor, case, data=CALCULATION)
        referrals.create_referral(actor, survivor=survivor, recipient=service.provider,
                                  service=service, case=case, needs=["legal_aid"],
                                  message=f"Referral {i}.")
        documents.attach_document(actor, survivor, kind="medical_report", data=PDF_BYTES,
                                  name=f"report-{i}.pdf", case=case)
        case_tasks.add_task(actor, case, title=f"Task {i}", assignee=caseworker,
                            due_on=dt.date(2025, 9, 1) + dt.timedelta(days=i))


@pytest.fixture
def records(caseworker, supervisor, org_b):
    built = build_records(caseworker=caseworker, supervisor=supervisor, recipient=org_b)
    return built["obj"]


def _count(client, url) -> tuple[int, int]:
    """Queries and audit entries one reading of ``url`` costs."""
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as read:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(read), AuditEntry.objects.count() - entries


@pytest.mark.parametrize("page", ["case", "survivor"])
def test_the_same_queries_with_2_and_with_20_records_of_each_kind(records, caseworker, page):
    actor = Actor.for_user(caseworker, "cli")
    survivor, case = records["survivor"], records["case"]
    url = f"/cases/{case.pk}/" if page == "case" else f"/survivors/{survivor.pk}/"
    add_records(actor, survivor, case, caseworker, records["service"], 1)
    client = client_for(caseworker)
    client.get(url)  # the session and the like settle before counting
    few, few_entries = _count(client, url)
    add_records(actor, survivor, case, caseworker, records["service"], 18)
    many, many_entries = _count(client, url)
    assert many == few, f"{page} page: {few} queries with 2 of each record, {many} with 20"
    # The same audit entries too: one per panel's read, naming every record, not one per record.
    assert many_entries == few_entries
