"""The measures counted in the database agree with the same count made record by record
(``may_flow`` per survivor, Python loops) on a varied population."""

from __future__ import annotations

import pytest

from northstar.insights.measures import all_measures, resolve
from tests.populations import build


@pytest.fixture
def population(caseworker, actor_for):
    return build(actor_for(caseworker), 28)


def test_every_measure_counts_one_grid_per_split(population, org_a):
    for measure in all_measures():
        grids = resolve(measure)(org_a.pk)
        assert {g.measure for g in grids} == {measure.split_key(s) for s in measure.splits}


def _by_hand(org):
    """The trial split counted record by record: ``may_flow`` per survivor, the latest case
    with a ranking, its latest ranking, and whether a plan item delivered the first choice."""
    from northstar.pathways.models import PlanItem, Priorities
    from northstar.survivors.consent import may_flow
    from northstar.survivors.models import Survivor

    found: dict = {}
    for survivor in Survivor.objects.filter(organisation=org, archived_at__isnull=True):
        if not may_flow(survivor, "statistics"):
            continue
        ranked = [c for c in survivor.cases.filter(archived_at__isnull=True)
                  if Priorities.objects.filter(case=c).exists()]
        if not ranked:
            continue
        case = max(ranked, key=lambda c: (c.created_at, c.pk))
        latest = max(Priorities.objects.filter(case=case), key=lambda p: (p.recorded_at, p.pk))
        if not latest.ranking:
            continue
        first = latest.ranking[0]
        served = PlanItem.objects.filter(case=case, outcome=first, status="delivered").exists()
        people, of = found.get((case.trial_participation, first), (0, 0))
        found[(case.trial_participation, first)] = (people + served, of + 1)
    return found


def test_own_outcome_delivered_counts_what_a_record_by_record_count_gives(population, org_a):
    from northstar.insights.counting import own_outcome_delivered

    grid = next(g for g in own_outcome_delivered(org_a.pk)
                if g.measure == "own_outcome_delivered.trial")
    expected = _by_hand(org_a)
    assert expected, "the population must have ranked survivors with consent"
    assert {k: (c.people, c.of) for k, c in grid.cells.items()} == expected


def test_an_unknown_age_is_its_own_band_never_adult(org_a, caseworker, actor_for):
    from northstar.insights.counting import own_outcome_delivered
    from tests.insights.people import survivors

    survivors(actor_for(caseworker), 3, birth_year=None, delivered=True)
    survivors(actor_for(caseworker), 2, birth_year=1990)
    grid = next(g for g in own_outcome_delivered(org_a.pk)
                if g.measure == "own_outcome_delivered.sex_age")
    assert grid.get("female", "unknown").of == 3 and grid.get("female", "unknown").people == 3
    assert sum(grid.get("female", band).of or 0 for band in grid.columns
               if band != "unknown") == 2


def test_time_to_first_support_counts_each_survivor_in_one_band(org_a, caseworker, actor_for):
    import datetime as dt

    from django.utils import timezone

    from northstar.insights.counting import time_to_first_support
    from northstar.pathways.models import PlanItem, PlanStatusChange
    from northstar.survivors.models import Survivor
    from tests.insights.people import survivors

    cases = survivors(actor_for(caseworker), 4)
    now = timezone.now()
    for case, waited in zip(cases, (3, 20, 20, None), strict=True):
        Survivor.objects.filter(pk=case.survivor_id).update(created_at=now - dt.timedelta(days=60))
        if waited is not None:
            item = PlanItem.objects.get(case=case)
            PlanStatusChange.objects.create(
                item=item, status="in_progress", note="",
                changed_at=now - dt.timedelta(days=60 - waited))
    (grid,) = time_to_first_support(org_a.pk)
    assert {r: grid.get(r, "people").people for r in grid.rows if grid.get(r, "people").people} == {
        "0-7": 1, "8-30": 2, "not_yet": 1}


def test_who_is_held_to_account_is_counted_where_a_hearing_records_it(org_a, caseworker,
                                                                      actor_for):
    import datetime as dt

    from northstar.insights.counting import held_to_account
    from northstar.justice import actions as justice
    from tests.insights.people import survivors

    actor = actor_for(caseworker)
    cases = survivors(actor, 3)
    day = dt.date(2026, 3, 1)
    justice.record_event(actor, cases[0], kind="hearing", occurred_on=day,
                         details={"testimony": "not_required", "broker_held_to_account": True})
    justice.record_event(actor, cases[1], kind="hearing", occurred_on=day,
                         details={"testimony": "not_required", "broker_held_to_account": True,
                                  "employer_held_to_account": True})
    (grid,) = held_to_account(org_a.pk)
    assert grid.get("broker", "held").people == 2 and grid.get("broker", "held").of == 2
    assert grid.get("employer", "held").people == 1
    assert grid.get("organised_crime", "held").people == 0


def test_each_survivor_is_counted_once_in_every_additive_split(population, org_a):
    from northstar.insights.counting import own_outcome_delivered

    grids = {g.measure.split(".")[1]: g for g in own_outcome_delivered(org_a.pk)}
    totals = {split: (sum(c.people for c in grids[split].cells.values()),
                      sum(c.of for c in grids[split].cells.values()))
              for split in ("trial", "jurisdiction", "sex_age", "quarter")}
    expected = _by_hand(org_a)
    everyone = (sum(p for p, _ in expected.values()), sum(o for _, o in expected.values()))
    assert set(totals.values()) == {everyone}
