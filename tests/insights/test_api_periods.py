"""A funder or government user asks the API for the same periods the dashboard offers
(whole quarters): a window one day longer than another would otherwise show, by where a
rounded count jumps, what the one survivor who came on that day was counted as."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.insights import sharing
from tests.conftest import ApiClient
from tests.insights.people import member, organisation, survivors


def _cell(body, row, column):
    table = next(t for s in body["sections"] for t in s["tables"]
                 if t["measure"] == "own_outcome_delivered.trial" and t["scope"] == "total")
    return next(c for c in table["cells"] if (c["row"], c["column"]) == (row, column))


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def test_a_funder_cannot_slide_a_period_by_one_day_to_single_out_a_survivor(db):
    funder = organisation("Fund for Survivors", kind="funder")
    ngo = organisation("Shelter North")
    caseworker = member(ngo, "caseworker")
    survivors(caseworker, 12, trial="yes", delivered=True, opened=_at(dt.date(2025, 1, 10)))
    survivors(caseworker, 1, trial="yes", delivered=True, opened=_at(dt.date(2025, 1, 20)))
    sharing.set_sharing(member(ngo, "org_admin"), contributes=False, funder_ids=[funder.pk])
    client = ApiClient(member(funder, "funder").user)
    before = client.get("/api/v1/insights/figures",
                        {"period_start": "2025-01-01", "period_end": "2025-01-19"})
    after = client.get("/api/v1/insights/figures",
                       {"period_start": "2025-01-01", "period_end": "2025-01-20"})
    if before.status_code == 200 and after.status_code == 200:
        # What the attack needs: the one survivor of 20 January moves a rounded count.
        assert (_cell(before.json(), "yes", "monetary_support")["count"]
                == _cell(after.json(), "yes", "monetary_support")["count"])
    assert before.status_code == after.status_code == 422
    assert "period_end" in after.content.decode()
    quarter = client.get("/api/v1/insights/figures",
                         {"period_start": "2025-01-01", "period_end": "2025-03-31"})
    assert quarter.status_code == 200
    assert _cell(quarter.json(), "yes", "monetary_support")["count"] == 15


def test_an_organisations_own_researcher_still_asks_for_any_window(db):
    ngo = organisation("Shelter North")
    survivors(member(ngo, "caseworker"), 4, trial="yes", delivered=True,
              opened=_at(dt.date(2025, 1, 10)))
    answer = ApiClient(member(ngo, "researcher").user).get(
        "/api/v1/insights/figures", {"period_start": "2025-01-01", "period_end": "2025-01-19"})
    assert answer.status_code == 200
