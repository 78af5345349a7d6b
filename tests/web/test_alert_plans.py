"""The caseload's alert queries read the indexes made for them, on PostgreSQL (issue 13).

Many open overdue-instalment alerts for one person, many open referrals of which a few
rest on an ended consent, ``ANALYZE``, then ``EXPLAIN`` of the very queries the alert
sources run: the person's earliest due alerts are one range of
``compensation_alert_open_due`` (no sort of all of them through their instalments), and
"consent ended" reads ``referral_open_consent_ends`` (not every open referral joined to its
consent). The planner is left free.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.compensation import alerts as compensation_alerts
from northstar.compensation.models import Claim, CompensationAlert, Instalment
from northstar.referrals import actions as referral_actions
from northstar.referrals import panels as referral_panels
from northstar.referrals.models import Referral
from northstar.safeguards.models import Finding, FindingStatus
from northstar.survivors import actions

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="query plans are PostgreSQL's")

MANY = 3000


def _plans(captured) -> list[tuple[str, str]]:
    out = []
    for query in captured.captured_queries:
        if not query["sql"].lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            out.append((query["sql"], "\n".join(row[0] for row in cursor.fetchall())))
    return out


def test_my_earliest_due_alerts_are_one_index_range(case_a, caseworker, supervisor, actor_for):
    today = timezone.localdate()
    claim = Claim.objects.create(case=case_a, route="civil_suit", status="paying",
                                 payer="employer", currency="THB",
                                 amount_claimed=Decimal(MANY * 100))
    instalments = Instalment.objects.bulk_create(
        Instalment(claim=claim, number=n + 1, due_on=today - dt.timedelta(days=MANY - n),
                   amount=Decimal(100)) for n in range(MANY))
    CompensationAlert.objects.bulk_create(
        CompensationAlert(instalment=i, recipient=person, raised_on=today, due_on=i.due_on)
        for i in instalments for person in (caseworker, supervisor))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE compensation_compensationalert")
        cursor.execute("ANALYZE compensation_instalment")
    with CaptureQueriesContext(connection) as captured:
        shown = compensation_alerts.open_alerts_for(actor_for(caseworker), limit=20)
    assert [a.due_on for a in shown] == sorted(i.due_on for i in instalments)[:20]
    first = next(plan for sql, plan in _plans(captured)
                 if "compensation_compensationalert" in sql and "LIMIT" in sql)
    assert "compensation_alert_open_due" in first and "Sort Key" not in first, first


def test_consent_ended_reads_only_the_referrals_whose_consent_ended(
        caseworker, org_b, actor_for):
    actor = actor_for(caseworker)
    survivor = actions.create_survivor(actor, data={"nationality": "KH"})
    consent = actions.record_consent(actor, survivor, purpose="referral", recipient=org_b,
                                     language="km", method="written")
    standing = referral_actions.create_referral(actor, survivor=survivor, recipient=org_b,
                                                needs=["legal_aid"])
    clones = []
    for n in range(MANY):
        clone = copy.copy(standing)
        clone.pk = None
        clone.sent_at = timezone.now() - dt.timedelta(minutes=n)
        clones.append(clone)
    Referral.objects.bulk_create(clones)
    ended_one = referral_actions.create_referral(actor, survivor=survivor, recipient=org_b,
                                                 needs=["shelter"])
    Referral.objects.filter(pk=ended_one.pk).update(
        consent_ends_at=timezone.now() - dt.timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referrals_referral")
    with CaptureQueriesContext(connection) as captured:
        alerts = referral_panels.referral_alerts(actor, limit=20)
    ended = [a for a in alerts if "consent for referral" in a.title]
    assert [a.url.rstrip("/").rsplit("/", 1)[-1] for a in ended] == [str(ended_one.pk)]
    assert consent.withdrawn_at is None
    plan = next(plan for sql, plan in _plans(captured) if '"consent_ends_at" <=' in sql)
    assert "referral_open_consent_ends" in plan, plan
    assert "Seq Scan on referrals_referral" not in plan, plan


def test_the_oldest_open_blocks_are_one_index_range(case_a):
    Finding.objects.bulk_create(
        Finding(case=case_a, action="refer", rule="test", severity=severity, harm="physical",
                explanation=f"finding {n}", source="check", rule_set_version="test",
                status="open" if n % 3 else "resolved")
        for n in range(MANY) for severity in ("block", "warn"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE safeguards_finding")
    blocks = Finding.objects.filter(status=FindingStatus.OPEN, severity="block") \
        .order_by("created_at", "id").values_list("pk", "case_id")
    plan = blocks[:51].explain()
    assert "finding_open_block_oldest" in plan and "Sort Key" not in plan, plan


def test_unanswered_past_their_wait_read_only_the_old_unanswered_ones(
        caseworker, org_b, actor_for):
    """h-caseload5: every referral an organisation sent was read (a sequential scan: 1.2 ms
    at 100,000 survivors, all 3,334 referrals "sent") to find the few unanswered past their
    wait; ``referral_unanswered_sent`` (sender, sent_at, of those still "sent") is one short
    range per urgency."""
    actor = actor_for(caseworker)
    survivor = actions.create_survivor(actor, data={"nationality": "KH"})
    actions.record_consent(actor, survivor, purpose="referral", recipient=org_b,
                           language="km", method="written")
    sent = referral_actions.create_referral(actor, survivor=survivor, recipient=org_b,
                                            needs=["legal_aid"], urgency="soon")
    clones = []
    for n in range(MANY):
        clone = copy.copy(sent)
        clone.pk = None
        clone.sent_at = timezone.now() - dt.timedelta(minutes=n % 180)  # within every wait
        clones.append(clone)
    Referral.objects.bulk_create(clones)
    late = referral_actions.create_referral(actor, survivor=survivor, recipient=org_b,
                                            needs=["shelter"], urgency="soon")
    Referral.objects.filter(pk=late.pk).update(sent_at=timezone.now() - dt.timedelta(days=5))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referrals_referral")
    with CaptureQueriesContext(connection) as captured:
        alerts = referral_panels.referral_alerts(actor, limit=20)
    unanswered = [a for a in alerts if a.severity == "overdue"]
    assert [a.url.rstrip("/").rsplit("/", 1)[-1] for a in unanswered] == [str(late.pk)]
    plan = next(plan for sql, plan in _plans(captured) if "'routine' THEN" in sql)
    # Here (one sender, every referral but one sent within the hour) the range of the list's
    # own order index (``referral_sent_order``, h-slowreads) from the cut-off is as short,
    # and PostgreSQL may take it; either reads only the old ones, never every referral sent.
    assert "referral_unanswered_sent" in plan or "referral_sent_order" in plan, plan
    assert "Seq Scan on referrals_referral" not in plan, plan
