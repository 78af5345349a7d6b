"""Issue 13: the caseload's "Needs attention" and the case page's next tasks read the same
rows whether the organisation has 100 or 300 open alerts of every kind (overdue timeline
tasks, Do No Harm blocks, overdue compensation instalments, unanswered and incoming
referrals): each alert source picks its most urgent few in SQL, never the organisation's
whole list. Rows read are counted two ways: model instances built from the database
(Django's ``post_init``), and the rows each query of an alert's table returns (the caseload's
sources read plain rows, ``values()``, and build no instance), so a source that fetched
every alert and cut the list in Python fails here even when its number of queries stays
the same."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.compensation.models import Claim, CompensationAlert, Instalment
from northstar.justice.models import TimelineEvent, refresh_tasks
from northstar.referrals import actions as referral_actions
from northstar.referrals.models import Referral
from northstar.safeguards.models import Finding
from northstar.survivors import actions
from tests.web.test_intake import client_for

ALERT_MODELS = (TimelineEvent, Finding, CompensationAlert, Referral)


def add_alerts(actor, case, n: int, *, partner) -> None:
    """``n`` open alerts of each kind on ``case``, written directly (the sources read them)."""
    today = timezone.localdate()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(case=case, kind="follow_up_planned", stage="investigation",
                      occurred_on=today - dt.timedelta(days=40),
                      details={"due_on": (today - dt.timedelta(days=1 + i % 30)).isoformat(),
                               "what": "call"},
                      organisation=actor.organisation, recorded_by_label="test")
        for i in range(n))
    refresh_tasks([case.pk])
    Finding.objects.bulk_create(
        Finding(case=case, action="refer", rule="test", severity="block", harm="physical",
                explanation=f"block {i}", source="check", rule_set_version="test")
        for i in range(n))
    claim = Claim.objects.create(case=case, route="civil_suit", status="paying",
                                 payer="employer", currency="THB",
                                 amount_claimed=Decimal(n * 100))
    instalments = Instalment.objects.bulk_create(
        Instalment(claim=claim, number=i + 1, due_on=today - dt.timedelta(days=n - i),
                   amount=Decimal(100)) for i in range(n))
    CompensationAlert.objects.bulk_create(
        CompensationAlert(instalment=i, recipient=actor.user, raised_on=today, due_on=i.due_on)
        for i in instalments)
    actions.record_consent(actor, case.survivor, purpose="referral", recipient=partner,
                           language="km", method="written")
    sent = referral_actions.create_referral(actor, survivor=case.survivor, recipient=partner,
                                            needs=["legal_aid"], urgency="urgent")
    clones = []
    for i in range(n):
        unanswered = copy.copy(sent)
        unanswered.pk = None
        unanswered.sent_at = timezone.now() - dt.timedelta(days=2, hours=i)
        incoming = copy.copy(unanswered)
        incoming.sender, incoming.recipient = partner, actor.organisation
        clones += [unanswered, incoming]
    Referral.objects.bulk_create(clones)


def rows_returned(captured) -> Counter:
    """Rows the SELECTs of ``captured`` returned, per table they read from (the first
    ``FROM``), each SELECT run again as it was sent."""
    returned: Counter = Counter()
    for query in captured:
        sql = query["sql"]
        found = re.search(r'\bFROM "(\w+)"', sql)
        if not sql.lstrip().upper().startswith("SELECT") or not found:
            continue
        with connection.cursor() as cursor:
            cursor.execute(sql)
            returned[found.group(1)] += len(cursor.fetchall())
    return returned


def rows_read(client, url) -> tuple[int, Counter]:
    """Queries made and model instances built (per model) while ``url`` is read; the rows
    each table's SELECTs returned are under ``"rows of <table>"``."""
    built: Counter = Counter()

    def count(sender, **kwargs):
        built[sender.__name__] += 1

    post_init.connect(count)
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    finally:
        post_init.disconnect(count)
    assert response.status_code == 200, response.content[:300]
    for table, rows in rows_returned(queries.captured_queries).items():
        built[f"rows of {table}"] = rows
    return len(queries), built


@pytest.fixture
def other_case(caseworker, actor_for):
    actor = actor_for(caseworker)
    survivor = actions.create_survivor(actor, data={"nationality": "KH", "languages": ["km"]})
    return actions.create_case(actor, survivor, data={"forms_of_exploitation": ["labour"]})


def test_the_caseload_reads_the_same_rows_with_100_and_300_open_alerts(
        caseworker, actor_for, case_a, org_b):
    actor = actor_for(caseworker)
    client = client_for(caseworker)
    add_alerts(actor, case_a, 100, partner=org_b)
    client.get("/")
    queries_100, read_100 = rows_read(client, "/")
    page = client.get("/").content.decode()
    assert "Needs attention" in page and "Page 1 of" in page
    add_alerts(actor, case_a, 200, partner=org_b)
    queries_300, read_300 = rows_read(client, "/")
    assert queries_300 == queries_100
    assert read_300 == read_100
    for model in ALERT_MODELS:
        # Each source reads a page's worth and a little more, never all 300.
        rows = read_300[f"rows of {model._meta.db_table}"]
        assert 0 < rows < 150, (model.__name__, read_300)


def test_the_case_page_reads_only_its_survivors_alerts(caseworker, actor_for, case_a, org_b,
                                                       other_case):
    actor = actor_for(caseworker)
    client = client_for(caseworker)
    add_alerts(actor, other_case, 30, partner=org_b)
    url = f"/cases/{case_a.pk}/"
    client.get(url)
    queries_30, read_30 = rows_read(client, url)
    add_alerts(actor, other_case, 270, partner=org_b)
    queries_300, read_300 = rows_read(client, url)
    assert queries_300 == queries_30
    assert read_300 == read_30
    # And the other survivor's page does list theirs (the sources are asked, and answer).
    body = client.get(f"/cases/{other_case.pk}/").content.decode()
    assert body.count('class="alert overdue"') >= 10


def test_the_alert_pages_go_on_past_the_first_window(caseworker, actor_for, case_a, org_b):
    """Asking for a later page of "Needs attention" reads further, and still shows alerts."""
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 80, partner=org_b)
    client = client_for(caseworker)
    first = client.get("/").content.decode()
    assert "Page 1 of 5+" in first
    later = client.get("/?apage=12").content.decode()
    assert "Page 12 of" in later and 'class="alert ' in later
