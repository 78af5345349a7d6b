"""The outcomes staff pages and endpoints cost the same number of queries with 2 check-ins
as with 12 (issue 13): the case's outcomes page, the survey read aloud, one check-in's page
and the case's surveys and check-ins over the API. Each closure of the case schedules its
check-ins (3, 6, 12, 24 months); other cases of the organisation grow alongside."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from northstar.outcomes import actions as outcomes
from northstar.outcomes.models import CheckIn
from northstar.survivors import actions as survivors
from tests.query_counts import few_and_many
from tests.web.test_intake import client_for

_days = itertools.count(1)


@pytest.fixture
def grow(case_a, staff, counted):
    counted(case_a.survivor)

    def more(n: int) -> None:
        for _ in range(n):
            closed_on = dt.date(2021, 1, 1) + dt.timedelta(days=next(_days) * 3)
            outcomes.schedule_check_ins(case_a, closed_on=closed_on)
            other = survivors.create_survivor(staff, data={"nationality": "KH"})
            case = survivors.create_case(staff, other, data={"forms_of_exploitation": ["labour"]})
            outcomes.schedule_check_ins(case, closed_on=closed_on)

    return more


@pytest.mark.parametrize("path", ["/outcomes/cases/{case}/", "/outcomes/cases/{case}/survey/",
                                  "/outcomes/check-ins/{check_in}/"])
def test_the_outcomes_pages_cost_the_same_with_2_and_12_check_ins(caseworker, case_a, staff,
                                                                 grow, path):
    outcomes.schedule_check_ins(case_a, closed_on=dt.date(2020, 6, 1))
    first = CheckIn.objects.filter(case=case_a).order_by("pk").first()
    client = client_for(caseworker)
    url = path.format(case=case_a.pk, check_in=first.pk)
    few, many = few_and_many(lambda: client.get(url), grow)
    assert many == few


@pytest.mark.parametrize("path", ["/api/v1/outcomes/cases/{case}/surveys",
                                  "/api/v1/outcomes/cases/{case}/check-ins"])
def test_the_outcomes_endpoints_cost_the_same_with_2_and_12_check_ins(caseworker, case_a, api,
                                                                     grow, path):
    client = api(caseworker)
    url = path.format(case=case_a.pk)
    few, many = few_and_many(lambda: client.get(url), grow)
    assert many == few
    if path.endswith("check-ins"):
        assert len(client.get(url).json()) == 12 * 4
