"""The HTCDS exchange's job lists cost the same number of queries with 2 past jobs as with
12 (issue 13): the exchange page (who ran what, when), one job's page, the generic job page,
and the job list and a job over the API. Each job added has its owner and organisation."""

from __future__ import annotations

import pytest

from northstar.core.models import Job
from northstar.insights.htcds import work
from tests.query_counts import few_and_many
from tests.web.test_intake import client_for


@pytest.fixture
def grow(supervisor, actor_for, org_a):
    boss = actor_for(supervisor)

    def more(n: int) -> None:
        for _ in range(n):
            work.submit_release(boss)

    return more


@pytest.fixture
def one_job(supervisor, actor_for):
    return work.submit_release(actor_for(supervisor))


@pytest.mark.parametrize("path", ["/insights/htcds/", "/insights/htcds/jobs/{job}/",
                                  "/jobs/{job}/"])
def test_the_htcds_pages_cost_the_same_with_2_and_12_past_jobs(supervisor, one_job, grow, path):
    client = client_for(supervisor)
    url = path.format(job=one_job.pk)
    few, many = few_and_many(lambda: client.get(url), grow)
    assert many == few


@pytest.mark.parametrize("path", ["/api/v1/insights/htcds/jobs",
                                  "/api/v1/insights/htcds/jobs/{job}"])
def test_the_htcds_endpoints_cost_the_same_with_2_and_12_past_jobs(supervisor, one_job, grow,
                                                                  api, path):
    client = api(supervisor)
    url = path.format(job=one_job.pk)
    few, many = few_and_many(lambda: client.get(url), grow)
    assert many == few
    assert Job.objects.count() == 13
