"""The survivor's portal pages cost the same number of queries with 2 of each thing they show
as with 12 (issue 13): home, plan, rights, money, choices, surveys, engagement and the page
to tell what she knows. Each round adds, for the signed-in survivor, an invitation to an
activity, a plan's check-ins from a closure and an interim payment; and another survivor of
the organisation with her own case, so nothing may grow with the caseload either."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from northstar.compensation import fund
from northstar.engagement import actions as engagement
from northstar.outcomes import actions as outcomes
from northstar.survivors import actions as survivors
from tests.query_counts import few_and_many

_n = itertools.count(1)

PAGES = ["/portal/home/", "/portal/plan/", "/portal/rights/", "/portal/money/",
         "/portal/choices/",
         "/portal/surveys/", "/portal/engagement/", "/portal/tell/"]


@pytest.fixture
def grow(case_a, caseworker, supervisor, actor_for, users):
    from northstar.core.roles import Role

    staff, boss = actor_for(caseworker), actor_for(supervisor)
    coord = actor_for(users[("a", Role.COUNCIL_COORDINATOR)])
    survivor = case_a.survivor
    for purpose in ("engagement", "statistics"):
        survivors.record_consent(staff, survivor, purpose=purpose, language="km",
                                 method="verbal")
    fund.deposit_to_fund(boss, amount="100000", received_on="2025-01-01", currency="THB",
                         source="Donor grant")

    def more(n: int) -> None:
        for _ in range(n):
            k = next(_n)
            activity = engagement.create_activity(
                coord, kind="advisory_council", title=f"Meeting {k}", hours="2",
                starts_at=timezone.now() + dt.timedelta(days=3 + k),
                offender_may_be_present=False)
            engagement.invite(coord, activity, survivor=survivor, pseudonym=f"Lotus {k}")
            outcomes.schedule_check_ins(case_a, closed_on=dt.date(2021, 1, 1)
                                        + dt.timedelta(days=k * 3))
            fund.disburse(staff, survivor, purpose="medical", amount="10",
                          paid_on="2025-02-01", approver_id=supervisor.pk, case=case_a)
            other = survivors.create_survivor(staff, data={"nationality": "KH"})
            survivors.create_case(staff, other, data={"forms_of_exploitation": ["labour"]})

    return more


@pytest.mark.parametrize("path", PAGES)
def test_the_portal_pages_cost_the_same_with_2_and_12_of_each(case_a, portal_client, grow,
                                                             path):
    client = portal_client(case_a.survivor)
    few, many = few_and_many(lambda: client.get(path), grow)
    assert many == few
