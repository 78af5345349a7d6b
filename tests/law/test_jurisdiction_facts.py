"""Per-jurisdiction facts that matter to a survivor, as the sources give them."""

from __future__ import annotations

import pytest

from northstar.law.position import (
    JURISDICTIONS,
    UnknownJurisdiction,
    greater_of_is_entitlement,
    position_for,
    routes_without_testimony,
)


def test_thailand_reflection_is_a_guideline_not_a_statute():
    reflection = position_for("TH").reflection
    assert reflection.status.value == "guideline"
    assert reflection.status.basis == "guideline"
    assert reflection.days.value == 15
    assert "identification interview" in reflection.days.note


def test_no_jurisdiction_has_a_statutory_reflection_period():
    # jurisdictions.md §3 gap 12: none found in the region.
    assert all(position_for(j).reflection.status.value != "statutory" for j in JURISDICTIONS)


def test_hong_kong_says_there_is_no_reflection_period():
    assert position_for("HK").reflection.status.value == "none"


@pytest.mark.parametrize("code", ["TH", "PH"])
def test_state_compensation_in_thailand_and_the_philippines_is_improvable(code):
    fund = position_for(code).route("state_fund")
    assert fund.delivery.value == "improvable"


def test_thai_court_ordered_compensation_is_improvable_because_orders_go_unpaid():
    order = position_for("TH").route("criminal_court_order")
    assert order.delivery.value == "improvable"
    assert "1,335" in order.delivery.source
    assert order.needs_criminal_case.value == "prosecution"


def test_non_punishment_coverage_differs_by_jurisdiction():
    coverage = {j: position_for(j).non_punishment.coverage.value for j in JURISDICTIONS}
    assert coverage == {"KH": "unknown", "HK": "none", "MM": "unknown", "PH": "statutory",
                        "TH": "partial", "VN": "partial", "LA": "unknown", "ID": "unknown",
                        "MY": "partial", "SG": "partial"}


def test_thai_non_punishment_lists_offences_that_do_not_include_scam_compound_fraud():
    np = position_for("TH").non_punishment
    assert "illegal entry" in np.offences.value
    assert np.scam_compound.value == "partial"
    assert np.scam_compound.basis == "law"


def test_singapore_non_punishment_is_policy_not_statute():
    assert position_for("SG").non_punishment.coverage.basis == "guideline"


def test_cambodia_reports_penalising_people_taken_from_scam_compounds():
    np = position_for("KH").non_punishment
    assert np.scam_compound.value == "not_covered"
    assert np.penalised_reported.value == "yes"
    assert "cyber-scam" in np.scam_compound.note


def test_remote_testimony_exists_only_where_a_source_says_so():
    remote = {j: position_for(j).testimony.remote.value for j in JURISDICTIONS}
    assert {j for j, v in remote.items() if v == "yes"} == {"TH", "HK"}
    assert set(remote.values()) <= {"yes", "unknown"}


def test_mandatory_reporting_for_children_is_unknown_everywhere_because_no_source_was_found():
    for code in JURISDICTIONS:
        reporting = position_for(code).child_reporting
        assert reporting.mandatory.value == "unknown" and reporting.mandatory.basis == "not_found"


def test_national_referral_entry_points_where_sourced():
    assert "DSWD" in position_for("PH").referral.entry_point.value
    assert "People's Committee" in position_for("VN").referral.entry_point.value
    assert position_for("MM").referral.entry_point.value == "unknown"


def test_malaysia_wage_arrears_need_a_prosecution_but_not_a_conviction():
    my = position_for("MY")
    assert my.route("wage_arrears_order").needs_criminal_case.value == "prosecution"
    assert my.route("criminal_court_order").needs_criminal_case.value == "conviction"


def test_routes_without_testimony_are_only_those_a_source_supports():
    assert [r.route for r in routes_without_testimony("VN")] == ["state_support"]
    assert routes_without_testimony("TH") == []
    assert routes_without_testimony("PH") == []


def test_out_of_court_settlement_is_never_offered_when_trafficking_is_possible():
    assert routes_without_testimony("KH") == []
    assert routes_without_testimony("KH", trafficking=True) == []
    assert [r.route for r in routes_without_testimony("KH", trafficking=False)] == [
        "out_of_court_settlement"]


def test_greater_of_is_an_argument_not_an_entitlement_outside_the_united_states():
    assert greater_of_is_entitlement("US") is True
    for code in JURISDICTIONS:
        assert greater_of_is_entitlement(code) is False
        assert "advocacy argument" in position_for(code).greater_of_entitlement.note
    assert greater_of_is_entitlement("") is False


def test_hong_kong_return_is_not_voluntary_in_law():
    assert position_for("HK").return_.voluntary_in_law.value == "no"


def test_an_unknown_jurisdiction_has_no_position():
    with pytest.raises(UnknownJurisdiction):
        position_for("US")
    assert routes_without_testimony("US") == []
