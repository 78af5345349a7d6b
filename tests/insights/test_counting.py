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
