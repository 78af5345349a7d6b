""""My cases" with a search or another filter (``web.mine.condition``, issue 13, h-caseload4):
the same survivors as "a live case of mine, or recorded by me with no case", and on
PostgreSQL asked per survivor, never as a hashed set of every case of mine (which read all of
a caseworker's 100,000 cases to show one page of a search)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from northstar import policy
from northstar.survivors import actions
from northstar.web import mine


@pytest.fixture
def caseload(caseworker, supervisor, actor_for):
    me, colleague = actor_for(caseworker), actor_for(supervisor)
    for _ in range(3):
        actions.create_survivor(me, data={"nationality": "KH"})  # recorded, no case
    for n in range(40):
        survivor = actions.create_survivor(colleague, data={"nationality": "TH"})
        actions.create_case(colleague, survivor, data={
            "forms_of_exploitation": ["labour"],
            "caseworker_id": caseworker.pk if n % 3 else supervisor.pk})
    return me


def _as_before(actor):
    """The condition as it was written before h-caseload4."""
    return (Exists(mine._my_live_cases(actor).filter(survivor=OuterRef("pk")))
            | Q(organisation=actor.organisation, created_by=actor.user, has_cases=False))


def test_my_cases_with_a_search_are_the_same_survivors(caseload):
    visible = policy.visible_survivors(caseload)
    for term in ("", "0", "1", "zz"):
        now = set(visible.filter(mine.condition(caseload), reference__icontains=term)
                  .values_list("pk", flat=True))
        before = set(visible.filter(_as_before(caseload), reference__icontains=term)
                     .values_list("pk", flat=True))
        assert now == before
    assert len(set(visible.filter(mine.condition(caseload)).values_list("pk", flat=True))) == 29


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_my_cases_are_asked_per_survivor_not_hashed(caseload):
    searched = policy.visible_survivors(caseload).filter(
        mine.condition(caseload), reference__icontains="0").order_by("-created_at", "-id")[:25]
    plan = searched.explain()
    assert "SubPlan" in plan and "hashed SubPlan" not in plan, plan
