"""The insights pages' world: two organisations sharing with one funder, a government user
and a researcher, with real survivors, consents and plan items (``tests/insights/people.py``):
read by the dashboard's tests and the report job's."""

from __future__ import annotations

import pytest

from northstar.insights import sharing
from tests.insights.people import member, organisation, survivors


@pytest.fixture
def world(db):
    funder = organisation("Fund for Survivors", kind="funder")
    ngo_a = organisation("Shelter North", jurisdiction="TH")
    ngo_b = organisation("Legal Aid South", jurisdiction="TH")
    staff_a, staff_b = member(ngo_a, "caseworker"), member(ngo_b, "caseworker")
    survivors(staff_a, 12, trial="yes", delivered=True)
    survivors(staff_a, 18, trial="yes")
    survivors(staff_a, 30, trial="no", delivered=True)
    survivors(staff_a, 12, trial="no")
    # Org B's trial cells rest on 5 survivors: hidden for a funder.
    survivors(staff_b, 5, trial="yes", delivered=True)
    survivors(staff_b, 15, trial="yes")
    survivors(staff_b, 20, trial="no", delivered=True)
    survivors(staff_b, 5, trial="no")
    for org in (ngo_a, ngo_b):
        sharing.set_sharing(member(org, "org_admin"), contributes=True, funder_ids=[funder.pk])
    ministry = organisation("Ministry of Social Development", kind="government_agency",
                            jurisdiction="TH")
    return {"funder": funder, "a": ngo_a, "b": ngo_b,
            "funder_user": member(funder, "funder"),
            "government_user": member(ministry, "government"),
            "researcher_a": member(ngo_a, "researcher"),
            "caseworker_a": staff_a}
