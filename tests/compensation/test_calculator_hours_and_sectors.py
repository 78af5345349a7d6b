"""The calculator reads statutory hours, overtime and sector exclusions from cited data
(issue 11 §5-§6): a Thai claim no longer asks for normal hours; a minimum wage whose own
source excludes a sector is never applied to it; "greater of" outside the US is an argument."""

from decimal import Decimal

import pytest

from northstar.compensation.calculator import CalculationError, calculate


def period(**extra):
    return {"start": "2025-03-01", "end": "2025-03-10", "days_worked": "10",
            "hours_per_day": "10", **extra}


def test_a_thai_claim_takes_normal_hours_from_the_labour_protection_act():
    result = calculate({"jurisdiction": "TH", "method": "statutory",
                        "work_periods": [period(agreed_daily_wage="480", region="Bangkok")]})
    line = result.lines[0]
    assert line.amount == Decimal("6600.00")  # 10 × (480 + 2 h × 60 × 1.5)
    assert any(s.startswith("Normal daily hours 8: Labour Protection Act") for s in line.sources)


def test_hong_kongs_minimum_wage_is_never_applied_to_a_domestic_helper():
    with pytest.raises(CalculationError) as refused:
        calculate({"jurisdiction": "HK", "method": "statutory", "work_periods": [
            period(hours_per_day="8", normal_daily_hours="8", sector="domestic_work")]})
    assert refused.value.field == "work_periods.0.statutory_daily_wage"
    assert "Minimum Allowable Wage" in str(refused.value)
    assert "4990" in str(refused.value)


def test_a_domestic_helpers_wages_are_due_at_the_agreed_rate_where_no_minimum_applies():
    result = calculate({"jurisdiction": "HK", "method": "statutory", "work_periods": [
        period(hours_per_day="8", normal_daily_hours="8", sector="domestic_work",
               agreed_daily_wage="160")]})
    assert result.lines[0].amount == Decimal("1600.00")
    assert any("does not apply to domestic work" in s for s in result.lines[0].sources)


def test_hours_rules_that_exclude_a_sector_make_the_calculator_ask():
    with pytest.raises(CalculationError) as asked:
        calculate({"jurisdiction": "HK", "method": "statutory", "work_periods": [
            period(sector="domestic_work", agreed_daily_wage="160")]})
    assert asked.value.field == "work_periods.0.normal_daily_hours"


def test_greater_of_is_labelled_an_argument_outside_the_united_states():
    result = calculate({"jurisdiction": "TH", "method": "greater_of", "offender_gain": "100000",
                        "work_periods": [period(agreed_daily_wage="480", region="Bangkok")]})
    line = result.lines[0]
    assert "not an entitlement" in line.label
    assert any("no law gives this 'greater of' amount" in s for s in line.sources)
