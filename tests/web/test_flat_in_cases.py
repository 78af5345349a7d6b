"""Issue 13: the pages and figures that used to work out the whole organisation in Python
cost the same number of queries with 3 cases as with 30 — the caseload and case page (their
timeline tasks), the task list, and the delivery and compensation figures (aggregates in
the database). Each is read with a population of 3 cases, then of 30 with every kind of
event, claim, plan and consent, and must make exactly as many queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.survivors.models import Case
from tests import populations
from tests.web.test_intake import client_for

READS = [
    ("caseworker", "page", "/"),
    ("caseworker", "page", "/cases/{case}/"),
    ("caseworker", "page", "/justice/tasks/"),
    ("caseworker", "api", "/api/v1/timeline/tasks"),
    ("supervisor", "api", "/api/v1/pathways/delivery"),
    ("researcher", "api", "/api/v1/pathways/delivery"),
    ("supervisor", "api", "/api/v1/compensation/figures"),
    ("researcher", "api", "/api/v1/compensation/figures"),
    ("supervisor", "page", "/compensation/figures/"),
    ("researcher", "page", "/compensation/figures/"),
]


@pytest.mark.parametrize(("role", "kind", "path"), READS)
def test_the_same_queries_with_3_and_with_30_cases(users, caseworker, actor_for, api, role,
                                                   kind, path):
    actor = actor_for(caseworker)
    populations.build(actor, 2, seed=3)
    assert Case.objects.count() == 3
    first = Case.objects.order_by("pk").first()
    user = users[("a", role)]
    client = api(user) if kind == "api" else client_for(user)
    url = path.format(case=first.pk)
    client.get(url)  # sessions, tokens and the like settle before counting

    def count() -> int:
        with CaptureQueriesContext(connection) as read:
            response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return len(read)

    few = count()
    populations.build(actor, 20, seed=30)
    assert Case.objects.count() == 30
    assert count() == few
