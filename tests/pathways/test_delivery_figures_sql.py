"""Delivery figures are a few grouped counts in the database; they must say exactly what the
per-case Python loop (kept here as the reference) said, for a supervisor's exact figures and
a researcher's consent-filtered, suppressed ones."""

from __future__ import annotations

import pytest

from northstar import policy
from northstar.core.actor import Actor
from northstar.core.disclosure import MIN_CELL
from northstar.pathways import actions
from northstar.pathways.models import Outcome, PlanStatus
from northstar.survivors import actions as survivor_actions
from northstar.survivors.consent import may_flow
from northstar.survivors.models import Case
from tests import populations


def python_delivery(actor) -> dict:
    """The figures as they were computed before: every case into Python, ``may_flow`` each."""
    cases = list(Case.objects.filter(
        survivor__organisation=actor.organisation, archived_at__isnull=True,
        survivor__archived_at__isnull=True,
    ).select_related("survivor").prefetch_related("plan_items", "priorities"))
    researcher = policy.sees_only_disclosure_safe_figures(actor)
    if researcher:
        cases = [c for c in cases if may_flow(c.survivor, "statistics")]
    rows = []
    for outcome in Outcome.values:
        first = served = served_first = 0
        by_trial = dict.fromkeys(("yes", "no", "undecided"), 0)
        who: dict[str, set[int]] = {}
        for case in cases:
            priorities = max(case.priorities.all(), key=lambda p: (p.recorded_at, p.pk),
                             default=None)
            ranked_first = bool(priorities and priorities.ranking
                                and priorities.ranking[0] == outcome)
            delivered = any(i.outcome == outcome and i.status == PlanStatus.DELIVERED
                            for i in case.plan_items.all())
            first += ranked_first
            served += delivered
            served_first += ranked_first and delivered
            for key, counted in (("ranked_first", ranked_first), ("delivered", delivered),
                                 ("delivered_when_ranked_first", ranked_first and delivered)):
                if counted:
                    who.setdefault(key, set()).add(case.survivor_id)
            if delivered:
                by_trial[case.trial_participation] += 1
                who.setdefault(case.trial_participation, set()).add(case.survivor_id)
        row = {"outcome": outcome, "ranked_first": first, "delivered": served,
               "delivered_when_ranked_first": served_first,
               "delivered_by_trial_participation": by_trial}
        if researcher:
            row = actions._suppress(row, {k: len(v) for k, v in who.items()})
        rows.append(row)
    return {"cases": len(cases) if not researcher
            or len({c.survivor_id for c in cases}) >= MIN_CELL else None,
            "outcomes": rows, "restricted_to_statistics_consent": researcher,
            "min_cell": MIN_CELL if researcher else None}


@pytest.mark.parametrize(("size", "role"), [(21, "supervisor"), (21, "researcher"),
                                            (40, "researcher"), (4, "researcher")])
def test_delivery_figures_in_sql_equal_the_python_loop(caseworker, users, actor_for, size,
                                                        role):
    populations.build(actor_for(caseworker), size, seed=size)
    actor = Actor.for_user(users[("a", role)], "api")
    in_sql = actions.delivery_figures(actor)
    assert in_sql == python_delivery(actor)
    if role == "supervisor":
        counts = [r["delivered"] for r in in_sql["outcomes"]]
        assert all(counts) and in_sql["cases"] > size


@pytest.mark.parametrize("role", ["supervisor", "researcher"])
def test_an_archived_survivor_with_live_cases_and_an_archived_case_leave_the_figures(
        caseworker, other_caseworker, users, actor_for, role):
    """The figures read the survivor's archived state from the case's kept copy
    (``Case.survivor_archived``) and the organisation from the case: they must still agree
    with the reference, which joins the survivors, once a consenting survivor with two live
    cases and delivered plan items is archived, and one case of another survivor is; and
    another organisation's cases never count."""
    worker = actor_for(caseworker)
    cases = populations.build(worker, 21, seed=5)
    populations.build(actor_for(other_caseworker), 6, seed=6)
    actor = Actor.for_user(users[("a", role)], "api")
    before = actions.delivery_figures(actor)

    def consenting_and_served(case):
        return (may_flow(case.survivor, "statistics")
                and case.plan_items.filter(status=PlanStatus.DELIVERED).exists())

    twice = [c for c in cases if consenting_and_served(c)
             and c.survivor.cases.count() == 2]
    gone = twice[0].survivor
    survivor_actions.archive_survivor(worker, gone)
    assert set(Case.objects.filter(survivor=gone).values_list("archived_at", flat=True)) == {
        None}
    other = next(c for c in cases if c.survivor_id != gone.pk and consenting_and_served(c))
    survivor_actions.archive_case(worker, other)

    after = actions.delivery_figures(actor)
    assert after == python_delivery(actor)
    if role == "supervisor":
        assert after["cases"] == before["cases"] - 3
        delivered = sum(r["delivered"] for r in after["outcomes"])
        assert delivered < sum(r["delivered"] for r in before["outcomes"])
