"""What the caseload asks on every view, as one statement written once (issue 13,
h-caseload4), against the way Django wrote it before.

The overdue-instalment and Do No Harm alerts of case staff (the visible cases as a
condition): the same rows, in the same order, as the two-step read (the person's or the
oldest rows first, then which of their claims or cases are visible), with alerts on cases
the reader may not see (another organisation's, an archived case, a case of an archived
survivor) mixed in among them. The reader's unfinished intakes: the same count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.compensation import alerts
from northstar.compensation.models import Claim, CompensationAlert, Instalment
from northstar.safeguards import panels as safeguard_panels
from northstar.safeguards.models import Finding
from northstar.survivors import actions
from northstar.survivors.models import Case, Survivor
from northstar.web import selectors as web_selectors
from northstar.web.models import Intake


def _selects(captured) -> int:
    """The statements that read alerts (not the audited read's own)."""
    return sum(q["sql"].lstrip().upper().startswith("SELECT") and "audit" not in q["sql"]
               for q in captured)


def _case(actor, case_data=None):
    survivor = actions.create_survivor(actor, data={"nationality": "KH"})
    return actions.create_case(actor, survivor, data=case_data or {
        "forms_of_exploitation": ["labour"]})


@pytest.fixture
def mixed(caseworker, other_caseworker, actor_for, case_a):
    """Alerts and blocks to the caseworker on four cases, only ``case_a`` visible to them,
    the due dates and creation times interleaved."""
    me = actor_for(caseworker)
    elsewhere = _case(actor_for(other_caseworker))
    archived, survivor_archived = _case(me), _case(me)
    Case.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    Case.objects.filter(pk=survivor_archived.pk).update(survivor_archived=True)
    cases = [case_a, elsewhere, archived, survivor_archived]
    today = timezone.localdate()
    start = timezone.now() - dt.timedelta(days=30)
    for n, case in enumerate(cases):
        claim = Claim.objects.create(case=case, route="civil_suit", status="paying",
                                     payer="employer", currency="THB",
                                     amount_claimed=Decimal(1000))
        instalments = Instalment.objects.bulk_create(
            Instalment(claim=claim, number=i + 1, amount=Decimal(100),
                       due_on=today - dt.timedelta(days=40 - 4 * i - n)) for i in range(6))
        CompensationAlert.objects.bulk_create(
            CompensationAlert(instalment=i, recipient=caseworker, raised_on=today,
                              due_on=i.due_on) for i in instalments)
        for i in range(6):
            found = Finding.objects.create(
                case=case, action="refer", rule="test", severity="block", harm="physical",
                explanation=f"block {n}.{i}", source="check", rule_set_version="test")
            Finding.objects.filter(pk=found.pk).update(
                created_at=start + dt.timedelta(hours=4 * i + n))
    return me


@pytest.mark.parametrize("limit", [1, 4, 6, 50])
def test_overdue_instalments_are_the_two_step_reads(mixed, case_a, limit):
    by_two_steps = alerts._open_alerts(mixed, survivor=None, limit=limit,
                                       shape=lambda qs: qs.values(*alerts.ALERT_ROW))
    with CaptureQueriesContext(connection) as read:
        rows = alerts.open_alert_rows(mixed, limit=limit)
    assert _selects(read) == 1, [q["sql"][:200] for q in read]  # the two steps were two (and more when short)
    assert rows == list(by_two_steps) and len(rows) == min(limit, 6)
    assert {r["instalment__claim__case__survivor__reference"] for r in rows} == {
        case_a.survivor.reference}


@pytest.mark.parametrize("limit", [1, 4, 6, 50])
def test_do_no_harm_blocks_are_the_two_step_reads(mixed, case_a, limit):
    by_two_steps = safeguard_panels._oldest_visible_blocks(mixed, limit)
    with CaptureQueriesContext(connection) as read:
        shown = safeguard_panels.open_block_alerts(mixed, limit=limit)
    assert _selects(read) == 1, [q["sql"][:200] for q in read]  # the two steps were two (and more when short)
    assert [(a.due, a.survivor_reference, a.title, a.url) for a in shown] == [
        (timezone.localdate(Finding.objects.get(pk=r["pk"]).created_at),
         r["case__survivor__reference"],
         f"Do No Harm: {r['explanation']}", f"/safeguards/cases/{r['case_id']}/")
        for r in by_two_steps]
    assert len(shown) == min(limit, 6)
    assert {a.title for a in shown} <= {f"Do No Harm: block 0.{i}" for i in range(6)}


def test_my_unfinished_intakes_are_counted_as_django_counts_them(
        caseworker, supervisor, other_caseworker, actor_for, case_a, count_sql_compiled):
    """The caseload's "intakes in progress": no survivor yet, a live survivor of mine, an
    archived survivor's (not counted), a finished one, a colleague's, another organisation's;
    the count's SQL is written once."""
    me = actor_for(caseworker)
    archived = actions.create_survivor(me, data={"nationality": "KH"})
    Survivor.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    org = me.organisation
    for started_by, survivor, done in [
            (caseworker, None, None), (caseworker, case_a.survivor, None),
            (caseworker, case_a.survivor, None), (caseworker, archived, None),
            (caseworker, None, timezone.now()), (supervisor, None, None)]:
        Intake.objects.create(organisation=org, started_by=started_by, survivor=survivor,
                              completed_at=done)
    Intake.objects.create(organisation=actor_for(other_caseworker).organisation,
                          started_by=other_caseworker)
    by_django = web_selectors.visible_intakes(me).filter(
        completed_at__isnull=True, started_by=caseworker).count()
    assert web_selectors.open_intakes_started_by(me) == by_django == 3
    assert web_selectors.open_intakes_started_by(actor_for(supervisor)) == 1
    compiled = count_sql_compiled()
    assert web_selectors.open_intakes_started_by(me) == 3
    assert compiled == []


def test_coming_tasks_start_from_today_once(db):
    """The timeline's "coming" tasks (hearings, shelter stays ending) name "from today" once
    in each kind's query (one query per kind since h-slowreads): the plan PostgreSQL keeps
    for the prepared statement then walks the index from today (as two parameters it read
    every upcoming event and sorted them: 26 ms a view at 100k)."""
    from northstar.justice import selectors as justice_selectors

    today = timezone.localdate()
    for rows, until in zip(justice_selectors._STAFF_COMING_ROWS,
                           justice_selectors._windows_ending(today), strict=True):
        rows.rows(1, today, until, limit=50)
        plan = rows._plan("default", 0, 50)
        assert plan.sql.count('"window_on" >= %s') == 1, plan.sql
