"""Hand-worked calculations per jurisdiction; the arithmetic is in each test.

The calculator is pure Python, so these tests need no database.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.compensation import calculator
from northstar.compensation.calculator import CalculationError


def calculate(data: dict) -> dict:
    """The statement as the API returns and a saved calculation stores it: the contract."""
    return calculator.calculate(data).as_dict()


def claim(jurisdiction: str, *periods: dict, **heads) -> dict:
    base = {
        "jurisdiction": jurisdiction, "currency": None, "method": "statutory",
        "work_periods": list(periods), "recruitment_fees": "0", "debts_imposed": "0",
        "unlawful_deductions": "0", "medical_costs": "0", "travel_costs": "0",
        "lost_earnings": "0", "offender_gain": None,
        "non_pecuniary": {"amount": "0", "justification": ""},
    }
    base.update(heads)
    return base


def period(start, end, days, hours, **extra) -> dict:
    return {"start": start, "end": end, "days_worked": days, "hours_per_day": hours,
            "agreed_daily_wage": None, "statutory_daily_wage": None, "amount_paid": None,
            "region": None, "sector": None, **extra}


def line(result: dict, head: str) -> dict:
    return next(item for item in result["lines"] if item["head"] == head)


def asks_for(data: dict) -> str:
    with pytest.raises(CalculationError) as caught:
        calculate(data)
    return caught.value.field


# ---------------------------------------------------------------- Thailand


def test_thailand_wage_change_mid_period_is_split_at_the_effective_date():
    # Bangkok: 372/day until 30 June 2025, 400/day from 1 July 2025. Worked every day of
    # 1 June–31 July 2025 (61 days), 12 h/day, normal day 8 h (entered), overtime 1.5×.
    # June: 30 × (372 + 4 h × 1.5 × 372/8) = 30 × (372 + 279) = 30 × 651 = 19,530
    # July: 31 × (400 + 4 h × 1.5 × 400/8) = 31 × (400 + 300) = 31 × 700 = 21,700
    # due 41,230 − paid 9,000 = 32,230.00; + recruitment 15,000 + medical 5,000 = 52,230.00
    result = calculate(claim(
        "TH",
        period("2025-06-01", "2025-07-31", 61, 12, agreed_daily_wage="300", amount_paid="9000",
               region="Bangkok", normal_daily_hours="8"),
        currency="THB", recruitment_fees="15000", medical_costs="5000"))
    wages = line(result, "unpaid_wages")
    assert wages["amount"] == "32230.00"
    assert [s["due"] for s in wages["segments"]] == ["19530.00", "21700.00"]
    assert [s["statutory_daily_wage"] for s in wages["segments"]] == ["372", "400"]
    assert "2025-06-01–2025-06-30" in wages["formula"] and "2025-07-01–2025-07-31" in wages["formula"]
    assert any("nationthailand.com" in source for source in wages["sources"])
    assert result["total"] == "52230.00"
    assert result["currency"] == "THB" and result["method"] == "statutory"
    assert result["calculator_version"] and result["rule_set_version"] == "2026-11-29.1"


def test_agreed_wage_applies_when_higher_than_the_statutory_minimum():
    # Bangkok July 2025: statutory 400, agreed 480 → 480 applies. 10 days × 8 h (normal 8):
    # 10 × 480 = 4,800.00
    result = calculate(claim("TH", period("2025-07-01", "2025-07-10", 10, 8, agreed_daily_wage="480",
                                          region="Bangkok", normal_daily_hours="8")))
    wages = line(result, "unpaid_wages")
    assert wages["amount"] == "4800.00"
    assert wages["segments"][0]["applied_basis"] == "agreed"


def test_missing_wage_data_asks_for_the_statutory_daily_wage():
    # The contract's own example: TH in the first half of 2024, before any recorded rate.
    data = claim("TH", period("2024-01-01", "2024-06-30", 150, 12, agreed_daily_wage="300",
                              amount_paid="9000", region="Bangkok", normal_daily_hours="8"))
    assert asks_for(data) == "work_periods.0.statutory_daily_wage"
    # Given by the user it overrides the data: 150 × (350 + 4 × 1.5 × 350/8 = 262.5) = 150 × 612.5
    # = 91,875 − 9,000 = 82,875.00
    data["work_periods"][0]["statutory_daily_wage"] = "350"
    wages = line(calculate(data), "unpaid_wages")
    assert wages["amount"] == "82875.00"
    assert "entered by the user" in " ".join(wages["sources"])


def test_statutory_wage_from_the_user_overrides_the_data_even_where_the_data_knows():
    # Bangkok July 2025 holds 400; the lawyer enters 410: 10 × 410 = 4,100.00
    result = calculate(claim("TH", period("2025-07-01", "2025-07-10", 10, 8, region="Bangkok",
                                          statutory_daily_wage="410", normal_daily_hours="8")))
    assert line(result, "unpaid_wages")["amount"] == "4100.00"


def test_unknown_normal_hours_and_region_are_asked_for_not_guessed():
    # Hong Kong sets no statutory daily hours (hours.toml): they are asked, not guessed.
    data = claim("HK", period("2025-07-01", "2025-07-10", 10, 8))
    assert asks_for(data) == "work_periods.0.normal_daily_hours"
    # Thailand's 8 hours are in the data now; its minimum wage still needs the province.
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 8))
    assert asks_for(data) == "work_periods.0.region"


# ---------------------------------------------------------------- Philippines


def test_philippines_ncr_rate_change_and_overtime_with_rounding_half_up():
    # NCR non-agriculture: 645 (NCR-25, from 17 July 2024) → 695 (NCR-26, from 18 July 2025).
    # 1–31 July 2025 every day, 10 h/day, normal 8 (entered), overtime +25% (1.25×).
    # 1–17 July: 17 × (645 + 2 × 1.25 × 645/8 = 201.5625) = 17 × 846.5625 = 14,391.5625
    # 18–31 July: 14 × (695 + 2 × 1.25 × 695/8 = 217.1875) = 14 × 912.1875 = 12,770.625
    # due 27,162.1875 → ROUND_HALF_UP to 2 places = 27,162.19
    result = calculate(claim("PH", period("2025-07-01", "2025-07-31", 31, 10, region="NCR",
                                          sector="non_agriculture", normal_daily_hours="8")))
    wages = line(result, "unpaid_wages")
    assert [s["due"] for s in wages["segments"]] == ["14391.56", "12770.63"]
    assert wages["amount"] == "27162.19"
    assert result["total"] == "27162.19"


def test_philippines_asks_for_sector_where_rates_differ_by_sector():
    data = claim("PH", period("2025-08-01", "2025-08-10", 10, 8, region="NCR", normal_daily_hours="8"))
    assert asks_for(data) == "work_periods.0.sector"


# ---------------------------------------------------------------- Vietnam


def test_vietnam_region_one_hourly_rate_and_zero_decimal_currency():
    # Region I from 1 July 2024: VND 23,800/hour (as stated). 26 days × 8 h (normal 8 entered):
    # 26 × 8 × 23,800 = 4,950,400 − paid 1,000,000 = 3,950,400 (VND has no minor unit).
    # Travel: 10.5 USD × 25,413.7 = 266,843.85 → 266,844 VND.
    result = calculate(claim(
        "VN", period("2024-08-01", "2024-08-31", 26, 8, region="I", amount_paid="1000000",
                     normal_daily_hours="8"),
        travel_costs={"amount": "10.5", "currency": "USD", "rate": "25413.7", "rate_date": "2024-09-02"}))
    assert result["currency"] == "VND"
    assert line(result, "unpaid_wages")["amount"] == "3950400"
    travel = line(result, "travel_costs")
    assert travel["amount"] == "266844"
    assert travel["conversions"] == [{"amount": "10.5", "currency": "USD", "rate": "25413.7",
                                      "rate_date": "2024-09-02", "rate_source": "entered by the user"}]
    assert result["total"] == "4217244"  # 3,950,400 + 266,844


def test_vietnam_monthly_only_region_asks_for_the_daily_wage():
    # Region II has only a monthly figure and the data states no conversion.
    data = claim("VN", period("2024-08-01", "2024-08-31", 26, 8, region="II", normal_daily_hours="8"))
    assert asks_for(data) == "work_periods.0.statutory_daily_wage"


# ---------------------------------------------------------------- Myanmar


def test_myanmar_overtime_on_the_base_wage_and_allowance_change():
    # 8 normal hours and 2× overtime on the base MMK 4,800 are in the data (600/h base).
    # September 2025: 6,800/day; from 1 October 2025: 7,800/day. 10 h/day, every day.
    # Sept: 30 × (6,800 + 2 h × 2 × 600) = 30 × 9,200 = 276,000
    # Oct:  31 × (7,800 + 2 h × 2 × 600) = 31 × 10,200 = 316,200 → 592,200
    # (whole kyat: CLDR, through Babel, gives MMK no decimals)
    result = calculate(claim("MM", period("2025-09-01", "2025-10-31", 61, 10,
                                          sector="employers_of_10_or_more")))
    wages = line(result, "unpaid_wages")
    assert [s["due"] for s in wages["segments"]] == ["276000", "316200"]
    assert wages["amount"] == "592200"


# ---------------------------------------------------------------- Indonesia


def test_indonesia_tiered_overtime_on_one_173rd_of_the_monthly_wage():
    # Jakarta 2025: IDR 5,396,761/month; hourly = 5,396,761/173. 11 h/day, normal 7 (entered).
    # Day = 7 h + overtime (1 h × 1.5 + 3 h × 2 = 7.5 h) = 14.5 h-equivalents.
    # 10 days × 14.5 × 5,396,761/173 = 782,530,345/173 = 4,523,296.7919… → 4,523,297
    # (whole rupiah: CLDR, through Babel, gives IDR no decimals; rounded half up)
    result = calculate(claim("ID", period("2025-03-01", "2025-03-10", 10, 11, region="Jakarta",
                                          normal_daily_hours="7")))
    assert line(result, "unpaid_wages")["amount"] == "4523297"


# ---------------------------------------------------------------- Malaysia


def test_malaysia_hourly_minimum_for_all_employers_from_august_2025():
    # RM 8.72/hour × 8 h = 69.76/day × 20 days = 1,395.20
    result = calculate(claim("MY", period("2025-09-01", "2025-09-30", 20, 8, normal_daily_hours="8")))
    assert line(result, "unpaid_wages")["amount"] == "1395.20"


def test_malaysia_before_august_2025_covers_only_employers_of_five_or_more():
    data = claim("MY", period("2025-03-01", "2025-03-31", 20, 8, normal_daily_hours="8"))
    assert asks_for(data) == "work_periods.0.statutory_daily_wage"
    data["work_periods"][0]["sector"] = "employers_of_5_or_more"
    assert line(calculate(data), "unpaid_wages")["amount"] == "1395.20"


# ---------------------------------------------------------------- Hong Kong


def test_hong_kong_unknown_overtime_premium_is_asked_for():
    data = claim("HK", period("2025-06-01", "2025-06-10", 10, 10, normal_daily_hours="8"))
    assert asks_for(data) == "work_periods.0.overtime_multiplier"
    # With 1× entered: 10 × (8 × 42.1 + 2 × 1 × 42.1) = 10 × 421 = 4,210.00
    data["work_periods"][0]["overtime_multiplier"] = "1"
    assert line(calculate(data), "unpaid_wages")["amount"] == "4210.00"


# ---------------------------------------------------------------- Cambodia, Laos, Singapore


def test_cambodia_garment_wage_in_usd_per_month_asks_for_a_daily_wage():
    data = claim("KH", period("2025-02-01", "2025-02-10", 10, 8, normal_daily_hours="8",
                              sector="garment_textile_footwear_travel_goods_bags"))
    assert asks_for(data) == "work_periods.0.statutory_daily_wage"
    # No general minimum wage outside the garment sector either.
    data["work_periods"][0]["sector"] = None
    assert asks_for(data) == "work_periods.0.sector"
    # Entered: KHR 28,000/day × 10 = 280,000.00 (KHR has 2 decimals in ISO 4217)
    data["work_periods"][0]["statutory_daily_wage"] = "28000"
    assert line(calculate(data), "unpaid_wages")["amount"] == "280000.00"


def test_laos_and_singapore_ask_for_the_daily_wage():
    laos = claim("LA", period("2025-01-01", "2025-01-10", 10, 8, normal_daily_hours="8"))
    assert asks_for(laos) == "work_periods.0.statutory_daily_wage"
    singapore = claim("SG", period("2025-01-01", "2025-01-10", 10, 8, normal_daily_hours="8"))
    assert asks_for(singapore) == "work_periods.0.statutory_daily_wage"


# ---------------------------------------------------------------- greater of


def test_greater_of_takes_the_offenders_gain_when_it_is_larger():
    # Labour: 10 days × 400 (entered statutory, 8 h, normal 8) = 4,000 − 0 paid.
    # Offender's gain 12,000 > 4,000 → 12,000.00
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 8, statutory_daily_wage="400",
                              normal_daily_hours="8"), method="greater_of", offender_gain="12000")
    result = calculate(data)
    assert [item["head"] for item in result["lines"]] == ["labour_value_greater_of"]
    assert result["lines"][0]["amount"] == "12000.00"
    assert "offender's gain" in result["lines"][0]["formula"]
    # Gain 1,000 < 4,000 → the value of the labour, 4,000.00
    data["offender_gain"] = "1000"
    assert calculate(data)["total"] == "4000.00"


def test_greater_of_needs_the_offenders_gain():
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 8, statutory_daily_wage="400",
                              normal_daily_hours="8"), method="greater_of")
    assert asks_for(data) == "offender_gain"


# ---------------------------------------------------------------- other heads and input checks


def test_non_pecuniary_harm_needs_a_justification():
    data = claim("TH", non_pecuniary={"amount": "50000", "justification": "  "})
    assert asks_for(data) == "non_pecuniary.justification"
    data["non_pecuniary"]["justification"] = "Six months of confinement at sea; medical report 12."
    harm = line(calculate(data), "non_pecuniary")
    assert harm["amount"] == "50000.00"
    assert harm["inputs"]["justification"].startswith("Six months")


def test_the_calculator_never_invents_non_pecuniary_harm():
    result = calculate(claim("TH", medical_costs="100"))
    assert [item["head"] for item in result["lines"]] == ["medical_costs"]


def test_floats_are_refused_on_the_money_path():
    data = claim("TH", recruitment_fees=15000.5)
    assert asks_for(data) == "recruitment_fees"


def test_foreign_amount_needs_its_rate_date():
    data = claim("TH", medical_costs={"amount": "100", "currency": "USD", "rate": "35"})
    assert asks_for(data) == "medical_costs.rate_date"


@pytest.mark.parametrize("field, value, expected", [
    ("jurisdiction", "XX", "jurisdiction"),
    ("method", "generous", "method"),
    ("currency", "EUR", "currency"),
    ("debts_imposed", "-5", "debts_imposed"),
])
def test_bad_input_names_the_field(field, value, expected):
    data = claim("TH")
    data[field] = value
    assert asks_for(data) == expected


def test_days_worked_cannot_exceed_the_days_in_the_period():
    data = claim("TH", period("2025-07-01", "2025-07-10", 11, 8, statutory_daily_wage="400",
                              normal_daily_hours="8"))
    assert asks_for(data) == "work_periods.0.days_worked"


def test_the_input_is_not_changed_by_calculating():
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 8, region="Bangkok",
                              normal_daily_hours="8"))
    before = copy.deepcopy(data)
    calculate(data)
    assert data == before


@settings(max_examples=60, deadline=None)
@given(
    days=st.integers(min_value=0, max_value=31),
    hours=st.decimals(min_value=1, max_value=16, places=1),
    agreed=st.decimals(min_value=0, max_value=2000, places=2),
    paid=st.decimals(min_value=0, max_value=30000, places=2),
    fees=st.decimals(min_value=0, max_value=99999, places=3),
    where=st.sampled_from([("TH", "Bangkok", "2025-06-15", "2025-07-15", 2),
                           ("VN", "I", "2025-12-15", "2026-01-15", 0)]),
)
def test_total_is_the_sum_of_rounded_lines_in_the_currency_minor_unit(days, hours, agreed, paid,
                                                                      fees, where):
    jurisdiction, region, start, end, places = where
    result = calculate(claim(
        jurisdiction, period(start, end, days, str(hours), agreed_daily_wage=str(agreed),
                             amount_paid=str(paid), region=region, normal_daily_hours="8"),
        recruitment_fees=str(fees)))
    amounts = [Decimal(item["amount"]) for item in result["lines"]]
    assert all(-a.as_tuple().exponent == places for a in amounts)
    assert Decimal(result["total"]) == sum(amounts)
    assert all(a >= 0 for a in amounts)
