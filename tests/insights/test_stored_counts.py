"""A funder reads the dated snapshot the refresh job counted, not a fresh count of every
case: the same figures for every reader until the next count, read in milliseconds."""

from __future__ import annotations

import pytest

from northstar.insights import figures, materialised
from northstar.insights.measures import by_key, resolve

pytestmark = pytest.mark.django_db


def _delivered_with_trial(sections):
    section = next(s for s in sections if s.measure.key == "own_outcome_delivered")
    return [t for t in section.tables if t.measure.endswith(".trial") and t.scope == "total"][0]


def test_a_funder_reads_the_stored_counts_with_their_date(world):
    funder = world["funder_user"]
    live = _delivered_with_trial(figures.tables_for(funder))
    assert not any("Counted on" in note for note in live.notes)

    orgs = [world["a"].pk, world["b"].pk]
    counter = resolve(by_key("own_outcome_delivered"))
    materialised.refresh([counter], orgs)
    stored = _delivered_with_trial(figures.tables_for(funder))
    assert stored.values == live.values
    assert any("Counted on" in note for note in stored.notes)

    # The snapshot is what is shown: emptied, it shows nothing delivered any more.
    materialised.FigureCount.objects.filter(measure__startswith="own_outcome_delivered.").update(
        people=0)
    emptied = _delivered_with_trial(figures.tables_for(funder))
    assert emptied.values != live.values


def test_a_researcher_of_the_organisation_still_sees_todays_count(world):  # noqa: F811
    researcher = world["researcher_a"]
    materialised.refresh([resolve(by_key("own_outcome_delivered"))], [world["a"].pk])
    materialised.FigureCount.objects.update(people=0)
    sections = figures.tables_for(researcher)
    section = next(s for s in sections if s.measure.key == "own_outcome_delivered")
    assert not any("Counted on" in n for t in section.tables for n in t.notes)
