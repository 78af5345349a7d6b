"""Issue 15's "done when": a funder sees, across the organisations that share with it, the
share of survivors who got their first-ranked outcome with and without a trial; an
organisation that stops sharing disappears; a government user sees only the contributing
organisations of its jurisdiction; a survivor without statistics consent is not counted."""

from __future__ import annotations

import pytest

from northstar.core.disclosure import TOTAL
from northstar.insights import sharing
from northstar.insights.figures import tables_for
from tests.insights.people import member, organisation, survivors

TRIAL_SPLIT = "own_outcome_delivered.trial"


def _table(sections, split: str, scope: str):
    for section in sections:
        for table in section.tables:
            if table.measure == split and table.scope == scope:
                return table
    return None


@pytest.fixture
def world(db):
    funder = organisation("Fund for Survivors", kind="funder")
    ngo_a = organisation("Shelter North", jurisdiction="TH")
    ngo_b = organisation("Legal Aid South", jurisdiction="TH")
    staff_a, staff_b = member(ngo_a, "caseworker"), member(ngo_b, "caseworker")
    # Org A: 30 in a trial (12 delivered), 42 not (30 delivered).
    survivors(staff_a, 12, trial="yes", delivered=True)
    survivors(staff_a, 18, trial="yes")
    survivors(staff_a, 30, trial="no", delivered=True)
    survivors(staff_a, 12, trial="no")
    # Org B: 22 in a trial (11 delivered), 31 not (20 delivered).
    survivors(staff_b, 11, trial="yes", delivered=True)
    survivors(staff_b, 11, trial="yes")
    survivors(staff_b, 20, trial="no", delivered=True)
    survivors(staff_b, 11, trial="no")
    for org in (ngo_a, ngo_b):
        sharing.set_sharing(member(org, "org_admin"), contributes=True, funder_ids=[funder.pk])
    return {"funder": funder, "a": ngo_a, "b": ngo_b, "staff_a": staff_a,
            "funder_user": member(funder, "funder")}


def test_a_funder_sees_the_share_delivered_with_and_without_a_trial_across_two_organisations(
        world):
    sections = tables_for(world["funder_user"])
    total = _table(sections, TRIAL_SPLIT, "total")
    assert total is not None and total.unit == "share"
    # 52 in a trial, 23 delivered; 73 not, 50 delivered (exact shares; counts rounded to 5).
    assert total.values[("yes", TOTAL)] == round(23 / 52, 3)
    assert total.values[("no", TOTAL)] == round(50 / 73, 3)
    assert total.bases[("yes", TOTAL)] == 50 and total.bases[("no", TOTAL)] == 75
    assert total.counts[("yes", TOTAL)] == 25 and total.counts[("no", TOTAL)] == 50
    assert total.threshold == 11 and total.rounded_to == 5
    scopes = {t.scope for t in sections[0].tables}
    assert scopes == {"total", f"org:{world['a'].pk}", f"org:{world['b'].pk}"}
    org_a = _table(sections, TRIAL_SPLIT, f"org:{world['a'].pk}")
    assert org_a.values[("no", TOTAL)] == round(30 / 42, 3)
    org_b = _table(sections, TRIAL_SPLIT, f"org:{world['b'].pk}")
    assert org_b.values[("yes", TOTAL)] == 0.5 and org_b.hidden == 0


def test_a_small_cell_of_one_organisation_hides_what_would_give_it_away_in_the_others(world):
    # Five more survivors of org B in a trial, none delivered: 11 of 27, and 16 not
    # delivered — fine; but 5 survivors with no trial decision yet is a small cell.
    survivors(member(world["b"], "caseworker"), 5, trial="undecided", delivered=True)
    sections = tables_for(world["funder_user"])
    org_a = _table(sections, TRIAL_SPLIT, f"org:{world['a'].pk}")
    org_b = _table(sections, TRIAL_SPLIT, f"org:{world['b'].pk}")
    total = _table(sections, TRIAL_SPLIT, "total")
    key = ("undecided", "monetary_support")
    assert org_b.values[key] is None
    # Org A has nobody undecided: were the sum shown, org B's cell would be total − 0.
    assert org_a.bases[key] == 0 and total.values[key] is None


def test_an_organisation_that_stops_sharing_disappears_from_the_funders_figures(world):
    sharing.set_sharing(member(world["b"], "org_admin"), contributes=True, funder_ids=[])
    sections = tables_for(world["funder_user"])
    assert {t.scope for t in sections[0].tables} == {"total", f"org:{world['a'].pk}"}
    total = _table(sections, TRIAL_SPLIT, "total")
    assert total.bases[("yes", TOTAL)] == 30  # org A's alone


def test_a_survivor_without_statistics_consent_is_not_counted(world):
    before = _table(tables_for(world["funder_user"]), TRIAL_SPLIT, "total")
    survivors(world["staff_a"], 5, trial="yes", delivered=True, consent=False)
    after = _table(tables_for(world["funder_user"]), TRIAL_SPLIT, "total")
    assert after.values == before.values and after.bases == before.bases
    survivors(world["staff_a"], 5, trial="yes", delivered=True)  # the control: counted
    counted = _table(tables_for(world["funder_user"]), TRIAL_SPLIT, "total")
    assert counted.bases[("yes", TOTAL)] == 55


def test_a_government_user_sees_only_the_contributing_organisations_of_its_jurisdiction(world):
    ministry = organisation("Ministry of Social Development", kind="government_agency",
                            jurisdiction="TH")
    officer = member(ministry, "government")
    elsewhere = organisation("Phnom Penh Legal", jurisdiction="KH")
    survivors(member(elsewhere, "caseworker"), 20, trial="yes", delivered=True)
    sharing.set_sharing(member(elsewhere, "org_admin"), contributes=True, funder_ids=[])
    sections = tables_for(officer)
    assert {t.scope for t in sections[0].tables} == {"total"}
    assert _table(sections, TRIAL_SPLIT, "total").bases[("yes", TOTAL)] == 50  # A + B (TH)
    sharing.set_sharing(member(world["a"], "org_admin"), contributes=False,
                        funder_ids=[world["funder"].pk])
    assert _table(tables_for(officer), TRIAL_SPLIT, "total").bases[("yes", TOTAL)] == 20


def test_a_funder_nobody_shares_with_sees_definitions_and_no_table(world):
    lonely = member(organisation("Another Fund", kind="funder"), "funder")
    sections = tables_for(lonely)
    assert sections and all(section.tables == () for section in sections)


def test_the_funder_role_in_an_organisation_that_is_not_a_funder_sees_nothing(world):
    from northstar.core.errors import Forbidden

    with pytest.raises(Forbidden):
        tables_for(member(world["a"], "funder"))
    with pytest.raises(Forbidden):
        tables_for(member(world["a"], "government"))
    with pytest.raises(Forbidden):
        tables_for(world["staff_a"])  # a caseworker: records, not figures


def test_the_figures_cost_the_same_queries_whatever_the_number_of_survivors(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        tables_for(world["funder_user"])
    survivors(world["staff_a"], 15, trial="undecided", first="healing", delivered=True)
    with CaptureQueriesContext(connection) as after:
        tables_for(world["funder_user"])
    assert len(after.captured_queries) == len(before.captured_queries)
