"""Materialised per-organisation counts (``insights.materialised``): what a counter counted is
what the figures read back, until the next refresh replaces it."""

from __future__ import annotations

import pytest
from django.db.models import Count as DbCount

from northstar.core import jobs
from northstar.core.tables import Count, Grid, add
from northstar.insights import materialised
from northstar.insights.materialised import FigureCount
from northstar.survivors.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_case(other_caseworker, actor_for):
    from northstar.survivors import actions

    actor = actor_for(other_caseworker)
    survivor = actions.create_survivor(actor, data={"given_name": "Demo Dara", "sex": "male"})
    return actions.create_case(actor, survivor, data={"forms_of_exploitation": ["labour"]})


def by_trial(organisation_id, *, period=None):
    """A small counter of the shared signature: cases per trial-participation answer."""
    counts = dict(Case.objects.filter(organisation_id=organisation_id)
                  .values_list("trial_participation").annotate(n=DbCount("id")))
    rows = tuple(sorted(counts))
    return [Grid("test.trial", rows, ("cases",),
                 {(r, "cases"): Count(counts[r], sum(counts.values())) for r in rows})]


def test_stored_grids_read_back_as_counted(case_a, org_a):
    counted = by_trial(org_a.pk)
    result = materialised.refresh([by_trial], [org_a.pk])
    assert result == {"organisations": 1, "cells": len(counted[0].cells)}
    assert materialised.grids(org_a.pk) == counted
    assert materialised.refreshed_at(org_a.pk) is not None


def test_a_refresh_replaces_the_old_counts(case_a, org_a):
    materialised.refresh([by_trial], [org_a.pk])
    Case.objects.filter(pk=case_a.pk).update(trial_participation="yes")
    assert materialised.grids(org_a.pk) != by_trial(org_a.pk)  # stale until refreshed
    materialised.refresh([by_trial], [org_a.pk])
    assert materialised.grids(org_a.pk) == by_trial(org_a.pk)
    assert FigureCount.objects.filter(organisation=org_a, row="yes").get().people == 1


def test_a_roll_up_adds_stored_per_organisation_grids(case_a, org_a, org_b, other_case):
    materialised.refresh([by_trial], [org_a.pk, org_b.pk])
    rolled = add(materialised.grids(o.pk, ["test.trial"])[0] for o in (org_a, org_b))
    assert sum(c.people for c in rolled.cells.values()) == 2
    assert all(c.of is not None for c in rolled.cells.values())


def test_the_refresh_job_counts_every_organisation_with_the_registered_counters(
        case_a, org_a, org_b, monkeypatch):
    monkeypatch.setattr(materialised, "COUNTERS", [by_trial])
    job = jobs.submit("insights.refresh_counts", organisation_ids=[org_a.pk, org_b.pk])
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.status
    assert job.result["organisations"] == 2
    assert materialised.grids(org_a.pk) == by_trial(org_a.pk)
    assert "insights_refresh_counts" in jobs.SCHEDULES


def test_several_organisations_are_read_in_two_queries(case_a, org_a, org_b, other_case,
                                                     django_assert_num_queries):
    materialised.refresh([by_trial], [org_a.pk, org_b.pk])
    with django_assert_num_queries(2):
        both = materialised.grids_of([org_a.pk, org_b.pk], ["test.trial"])
    assert both == {org_a.pk: by_trial(org_a.pk), org_b.pk: by_trial(org_b.pk)}


def test_by_default_the_refresh_stores_what_every_measure_counts():
    from django.core.management import call_command

    from northstar.core.models import Organisation
    from northstar.insights.measures import all_measures, resolve

    call_command("insights_population", cases=80, organisations=2, jurisdictions=1,
                 stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    org = Organisation.objects.get(code="IP001")
    materialised.refresh(organisation_ids=[org.pk])
    counted = sorted((g for m in all_measures() for g in resolve(m)(org.pk)),
                     key=lambda g: g.measure)
    assert materialised.grids(org.pk) == counted
    assert any(c.people for g in counted for c in g.cells.values())
