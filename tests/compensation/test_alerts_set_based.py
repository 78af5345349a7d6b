"""The daily overdue-instalment alerts are raised with set-based queries: they must alert
exactly whom the per-claim loop alerted, and cost as many queries for 30 cases as for 3."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar import policy
from northstar.compensation import lifecycle
from northstar.compensation.alerts import raise_overdue_alerts
from northstar.compensation.claims import overdue_instalments
from northstar.compensation.models import Claim, CompensationAlert
from tests import populations


def python_alerts(as_of):
    """Who the per-claim loop alerted, for which instalment (the reference)."""
    wanted = set()
    for claim in Claim.objects.filter(status__in=lifecycle.OWING).select_related(
            "case__survivor__organisation", "case__created_by", "case__caseworker"):
        organisation = claim.case.survivor.organisation
        people = set(policy.staff_who_oversee(organisation).values_list("pk", flat=True))
        responsible = claim.case.responsible
        if responsible and policy.staff_who_work_with_records(organisation).filter(
                pk=responsible.pk).exists():
            people.add(responsible.pk)
        for instalment in overdue_instalments(claim, as_of):
            wanted |= {(instalment.pk, person) for person in people}
    return wanted


def test_the_set_based_run_alerts_whom_the_claim_loop_alerted(caseworker, actor_for):
    populations.build(actor_for(caseworker), 24)
    as_of = timezone.localdate()
    expected = python_alerts(as_of)
    result = raise_overdue_alerts(as_of=as_of)
    alerts = set(CompensationAlert.objects.values_list("instalment_id", "recipient_id"))
    assert alerts == expected and len(expected) > 3
    assert result["raised"] == len(expected)
    assert result["overdue_instalments"] == len({i for i, _p in expected})
    # a second run raises nothing new; a later day with everything paid resolves them
    assert raise_overdue_alerts(as_of=as_of)["raised"] == 0
    Claim.objects.update(status="paid_in_full")
    assert raise_overdue_alerts(as_of=as_of + dt.timedelta(days=1))["resolved"] == len(expected)


def _queries(as_of) -> int:
    with CaptureQueriesContext(connection) as run:
        raise_overdue_alerts(as_of=as_of)
    return len(run)


def test_the_alerts_job_costs_the_same_queries_for_3_and_30_cases(caseworker, actor_for):
    actor = actor_for(caseworker)
    as_of = timezone.localdate()
    populations.build(actor, 3, seed=3)
    CompensationAlert.objects.all().delete()
    few = _queries(as_of)
    populations.build(actor, 27, seed=30)
    CompensationAlert.objects.all().delete()
    assert CompensationAlert.objects.count() == 0
    many = _queries(as_of)
    assert CompensationAlert.objects.count() > 3
    assert many == few
