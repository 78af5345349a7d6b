"""The insights API: definitions and disclosure-controlled tables, through the policy,
audited as a read of figures (never of a record)."""

from __future__ import annotations

from northstar.core.models import AuditEntry
from northstar.insights import sharing
from northstar.insights.measures import all_measures
from tests.conftest import ApiClient
from tests.insights.people import member, organisation, survivors


def _world():
    funder = organisation("Fund for Survivors", kind="funder")
    ngo = organisation("Shelter North")
    survivors(member(ngo, "caseworker"), 12, trial="yes", delivered=True)
    survivors(member(ngo, "caseworker"), 2, trial="no", delivered=True)
    sharing.set_sharing(member(ngo, "org_admin"), contributes=False, funder_ids=[funder.pk])
    return funder, ngo, member(funder, "funder")


def test_the_measures_are_listed_with_their_definitions_and_sources(db):
    _funder, _ngo, funder_user = _world()
    response = ApiClient(funder_user.user).get("/api/v1/insights/measures")
    assert response.status_code == 200
    body = response.json()["measures"]
    assert [m["key"] for m in body] == [m.key for m in all_measures()]
    assert all(m["source"] and m["definition"] and m["checked"] for m in body)


def test_a_funder_gets_tables_with_hidden_cells_as_null_and_the_read_is_audited_as_figures(db):
    _funder, ngo, funder_user = _world()
    response = ApiClient(funder_user.user).get("/api/v1/insights/figures")
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["audience"] == "external"
    trial = next(t for s in body["sections"] for t in s["tables"]
                 if t["measure"] == "own_outcome_delivered.trial" and t["scope"] == "total")
    cells = {(c["row"], c["column"]): c for c in trial["cells"]}
    # Two survivors without a trial: hidden (null), as is what would give them away.
    assert cells[("no", "monetary_support")]["value"] is None
    assert cells[("no", "monetary_support")]["count"] is None
    assert trial["hidden"] >= 2 and trial["threshold"] == 11
    entry = AuditEntry.objects.filter(record_type="insights_figures").latest("pk")
    assert entry.action == "read" and entry.record_ids == [] and str(ngo.pk) in entry.note


def test_a_caseworker_is_refused_figures_and_a_half_period_names_the_missing_end(db):
    _funder, ngo, funder_user = _world()
    refused = ApiClient(member(ngo, "caseworker").user).get("/api/v1/insights/figures")
    assert refused.status_code == 403
    half = ApiClient(funder_user.user).get("/api/v1/insights/figures",
                                           {"period_start": "2026-01-01"})
    assert half.status_code == 422 and "period_end" in half.content.decode()
    backwards = ApiClient(funder_user.user).get(
        "/api/v1/insights/figures", {"period_start": "2026-06-01", "period_end": "2026-01-01"})
    assert backwards.status_code == 422 and "period_end" in backwards.content.decode()
    window = ApiClient(funder_user.user).get(
        "/api/v1/insights/figures", {"period_start": "2026-01-01", "period_end": "2026-12-31"})
    assert window.status_code == 200 and window.json()["period_end"] == "2026-12-31"
