"""The caseload and case page read each thing once, and only what they show (issue 13).

- The alerts name a survivor by reference: the alert sources read the survivor's reference,
  never their sealed personal data (loading every column of every alert's survivor was most
  of an alert's CPU), and the alerts still say the same.
- The case page's task form and assign form offer the same staff, read once; the priorities
  and plan panels show the same current priorities, read (and audited) once.
- The caseload's audited reads are written together when the page is done: one transaction.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.core.models import AuditEntry
from northstar.pathways import actions as pathways_actions
from northstar.survivors.models import Survivor
from tests.web.test_flat_in_alerts import add_alerts
from tests.web.test_intake import client_for

ALERT_TABLES = ("justice_timelineevent", "safeguards_finding", "compensation_compensationalert",
                "referrals_referral")


def _read(client, url) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def _sealed_columns() -> list[str]:
    return [f'"survivors_survivor"."{f.column}"' for f in Survivor._meta.concrete_fields
            if f.name in Survivor.PERSONAL_FIELDS]


def test_the_caseload_reads_no_survivors_sealed_data_and_names_them_in_its_alerts(
        caseworker, actor_for, case_a, org_b):
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 3, partner=org_b)
    client = client_for(caseworker)
    client.get("/")
    page, queries = _read(client, "/")
    sealed = _sealed_columns()
    assert sealed  # the survivor has sealed columns to leave unread
    assert not [q for q in queries if any(column in q for column in sealed)]
    reference = case_a.survivor.reference
    # Every source's alert still names the survivor by reference (read through the alert).
    assert f"{reference}: consent for referral" in page or f"{reference}: referral #" in page
    assert f"{case_a.reference}: " in page  # the timeline's follow-up task


def test_the_case_pages_alerts_read_the_survivor_by_reference_only(
        caseworker, actor_for, case_a, org_b):
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 3, partner=org_b)
    client = client_for(caseworker)
    url = f"/cases/{case_a.pk}/"
    client.get(url)
    page, queries = _read(client, url)
    sealed = _sealed_columns()
    alert_queries = [q for q in queries if any(f'FROM "{t}"' in q for t in ALERT_TABLES)]
    assert alert_queries
    # For one survivor the sources take the reference from the page's own survivor row:
    # they read none of the survivor's columns at all (no join), sealed or not.
    assert not [q for q in alert_queries if any(column in q for column in sealed)]
    assert page.count('class="alert overdue"') >= 3
    assert f"{case_a.survivor.reference}: referral #" in page


def _staff_queries(queries):
    return [q for q in queries if re.search(r'FROM "auth_user"\s+INNER JOIN "core_membership"', q)]


def test_the_case_page_reads_the_staff_once_for_both_forms(caseworker, supervisor, case_a):
    client = client_for(supervisor)  # may assign cases and set tasks: both forms shown
    url = f"/cases/{case_a.pk}/"
    client.get(url)
    page, queries = _read(client, url)
    assert len(_staff_queries(queries)) == 1
    # Both forms offer the organisation's staff, the same names in the same order.
    selects = re.findall(r'<select name="(assignee|caseworker)"[^>]*>(.*?)</select>', page, re.S)
    assert sorted(name for name, _ in selects) == ["assignee", "caseworker"]
    options = [re.findall(r'<option value="(\d+)"', body) for _, body in selects]
    assert options[0] == options[1]
    assert str(caseworker.pk) in options[0] and str(supervisor.pk) in options[0]


def test_the_case_page_reads_the_current_priorities_once_for_both_panels(
        caseworker, actor_for, case_a):
    actor = actor_for(caseworker)
    pathways_actions.set_priorities(actor, case_a, ranking=["safety_self_and_others", "healing",
                                   "monetary_support"], words="")
    pathways_actions.set_priorities(actor, case_a, ranking=["healing", "monetary_support",
                                   "safety_self_and_others"], words="")
    client = client_for(caseworker)
    url = f"/cases/{case_a.pk}/"
    client.get(url)
    before = AuditEntry.objects.filter(record_type="priorities").count()
    page, queries = _read(client, url)
    assert len([q for q in queries if 'FROM "pathways_priorities"' in q]) == 1
    # Still audited, once, as the priorities panel's read.
    assert AuditEntry.objects.filter(record_type="priorities").count() == before + 1
    # The latest ranking is the one shown (healing first).
    assert page.index("Healing from trauma") < page.index("Saving themselves and others")


@pytest.mark.django_db(transaction=True)
def test_the_caseloads_reads_are_written_in_one_transaction(caseworker, actor_for, case_a,
                                                           org_b):
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 3, partner=org_b)
    client = client_for(caseworker)
    client.get("/")
    start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    _page, queries = _read(client, "/")
    written = list(AuditEntry.objects.filter(pk__gt=start).order_by("pk"))
    # The overdue claims behind the alerts, and the survivors listed: two reads...
    assert {e.record_type for e in written} >= {"compensation_claim", "survivor"}
    # ...one transaction (SQLite: one BEGIN; PostgreSQL: one chain lock as well).
    begins = [q for q in queries if q.strip().upper().startswith(("BEGIN", "SAVEPOINT"))]
    assert len(begins) == 1, begins
    assert sum("advisory_xact_lock" in q for q in queries) <= 1


@pytest.mark.parametrize("viewname", ["justice:timeline", "safeguards:case", "referrals:detail",
                                      "compensation:claim"])
def test_an_alerts_link_is_the_one_reverse_gives(viewname, db):
    from django.urls import reverse
    from django.utils import translation

    from northstar.ui import panels

    for language in ("en", "km"):
        with translation.override(language):
            url = panels.url_for_each(viewname)
            for pk in (1, 7, 42, 987654321, 2**40):
                assert url(pk) == reverse(viewname, args=[pk])
