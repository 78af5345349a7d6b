"""What the calculator must refuse, and the rates it must choose: each test here failed
under a mutant of ``calculator.py`` that the older tests let through."""

from __future__ import annotations

import copy
import tomllib
from decimal import Decimal

import pytest

from northstar.compensation import calculator
from northstar.compensation.calculator import CalculationError
from northstar.compensation.rules import parse_rules
from tests.compensation.conftest import CALC
from tests.compensation.test_calculator import asks_for, calculate, claim, line, period

# ---------------------------------------------------------------- overtime on the agreed rate


def test_overtime_is_paid_on_the_agreed_rate_when_it_beats_the_statutory_one():
    # Bangkok, July 2025: statutory 400/day; agreed 480/day. 10 days × 10 h, normal day 8 h
    # (entered), overtime 1.5× on the hourly rate of the better wage: 480 / 8 = 60 per hour.
    # Per day: 480 + 2 h × 1.5 × 60 = 480 + 180 = 660; × 10 days = 6,600.00.
    # (On the statutory hourly rate, 400 / 8 = 50, it would be 10 × (480 + 150) = 6,300.)
    result = calculate(claim("TH", period("2025-07-01", "2025-07-10", 10, 10,
                                          agreed_daily_wage="480", region="Bangkok",
                                          normal_daily_hours="8")))
    wages = line(result, "unpaid_wages")
    assert wages["amount"] == "6600.00"
    assert wages["segments"][0]["overtime_hourly_base"] == "60"
    assert wages["segments"][0]["applied_basis"] == "agreed"


def test_overtime_stays_on_the_statutory_rate_when_the_agreed_wage_is_lower():
    # Agreed 300 < statutory 400: 10 × (400 + 2 × 1.5 × 50) = 10 × 550 = 5,500.00
    result = calculate(claim("TH", period("2025-07-01", "2025-07-10", 10, 10,
                                          agreed_daily_wage="300", region="Bangkok",
                                          normal_daily_hours="8")))
    assert line(result, "unpaid_wages")["amount"] == "5500.00"


def test_no_overtime_is_paid_within_the_normal_day():
    # 8 h worked of a normal 8 h day: 10 × 400 = 4,000.00, and the multiplier is not asked for.
    result = calculate(claim("TH", period("2025-07-01", "2025-07-10", 10, 8, region="Bangkok",
                                          normal_daily_hours="8")))
    assert line(result, "unpaid_wages")["amount"] == "4000.00"
    assert line(result, "unpaid_wages")["segments"][0]["overtime_per_day"] == "0"


# ---------------------------------------------------------------- refused input


@pytest.mark.parametrize("field, value", [("hours_per_day", 25), ("hours_per_day", "24.5"),
                                          ("normal_daily_hours", "25")])
def test_more_than_24_hours_a_day_is_refused_naming_the_field(field, value):
    worked = period("2025-07-01", "2025-07-10", 10, 10, region="Bangkok", normal_daily_hours="8")
    assert asks_for(claim("TH", {**worked, field: value})) == f"work_periods.0.{field}"


def test_exactly_24_hours_is_accepted():
    # 10 × (400 + 16 h × 1.5 × 50) = 10 × 1,600 = 16,000.00
    result = calculate(claim("TH", period("2025-07-01", "2025-07-10", 10, 24, region="Bangkok",
                                          normal_daily_hours="8")))
    assert line(result, "unpaid_wages")["amount"] == "16000.00"


def test_more_than_24_hours_answers_422_naming_the_field(api, caseworker):
    data = copy.deepcopy(CALC)
    data["work_periods"][0]["hours_per_day"] = 25
    response = api(caseworker).post("/api/v1/compensation/calculate", data)
    assert response.status_code == 422
    assert response.json()["field"] == "work_periods.0.hours_per_day"


@pytest.mark.parametrize("multiplier", ["0.5", "0.99"])
def test_an_overtime_multiplier_below_1_is_refused(multiplier):
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 10, region="Bangkok",
                              normal_daily_hours="8", overtime_multiplier=multiplier))
    assert asks_for(data) == "work_periods.0.overtime_multiplier"


def test_an_overtime_multiplier_of_exactly_1_is_plain_pay():
    # 10 × (400 + 2 h × 1 × 50) = 5,000.00
    result = calculate(claim("TH", period("2025-07-01", "2025-07-10", 10, 10, region="Bangkok",
                                          normal_daily_hours="8", overtime_multiplier="1")))
    assert line(result, "unpaid_wages")["amount"] == "5000.00"


def test_a_statutory_wage_in_a_foreign_currency_is_refused():
    foreign = {"amount": "12", "currency": "USD", "rate": "33.5", "rate_date": "2025-07-01"}
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 8, normal_daily_hours="8",
                              statutory_daily_wage=foreign))
    assert asks_for(data) == "work_periods.0.statutory_daily_wage"


def test_a_foreign_agreed_wage_is_converted_at_the_users_rate():
    # Agreed USD 15 × 33.5 = 502.50 THB/day > 400: 10 × 502.50 = 5,025.00
    agreed = {"amount": "15", "currency": "USD", "rate": "33.5", "rate_date": "2025-07-01"}
    result = calculate(claim("TH", period("2025-07-01", "2025-07-10", 10, 8, region="Bangkok",
                                          normal_daily_hours="8", agreed_daily_wage=agreed)))
    wages = line(result, "unpaid_wages")
    assert wages["amount"] == "5025.00"
    assert wages["conversions"][0]["rate"] == "33.5"


# ---------------------------------------------------------------- which statutory wage


SECTOR_RULES = """
version = "test"
source = "a test"
checked = 2026-12-01
[currencies]
THB = { source = "test", checked = 2026-12-01 }
[jurisdictions.XX]
name = "Testland"
currency = "THB"
normal_daily_hours = { value = "8", source = "test", checked = 2026-12-01 }
overtime = { tiers = [{ multiplier = "1.5" }], source = "test", checked = 2026-12-01 }
[[jurisdictions.XX.minimum_wages]]
region = "all"
sector = "garment"
unit = "day"
amount = "350"
effective_from = 2025-01-01
source = "test: garment sector"
checked = 2026-12-01
[[jurisdictions.XX.minimum_wages]]
region = "all"
sector = "all"
unit = "day"
amount = "300"
effective_from = 2025-03-01
source = "test: general, newer"
checked = 2026-12-01
"""


def sector_rules():
    return parse_rules(tomllib.loads(SECTOR_RULES))


def test_a_sector_wage_beats_the_general_one_even_when_the_general_one_is_newer():
    # Garment 350/day (from January) beats the general 300/day (from March) for a garment
    # worker in April: 10 × 350 = 3,500.00
    data = claim("XX", period("2025-04-01", "2025-04-10", 10, 8, sector="garment"))
    result = calculator.calculate(data, rules=sector_rules())
    wages = result.lines[0]
    assert wages.amount == Decimal("3500.00")
    assert "sector garment" in wages.segments[0]["statutory_rate"]


def test_without_a_sector_the_general_wage_applies():
    data = claim("XX", period("2025-04-01", "2025-04-10", 10, 8))
    assert calculator.calculate(data, rules=sector_rules()).total == Decimal("3000.00")


# ---------------------------------------------------------------- greater of


def test_greater_of_never_shows_a_negative_wage_side():
    # Due 10 × 400 = 4,000 but 5,000 was paid: the wage side is 0, never −1,000; the gain
    # of 0 is then the greater (equal) side and the line is 0.00.
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 8, statutory_daily_wage="400",
                              normal_daily_hours="8", amount_paid="5000"),
                 method="greater_of", offender_gain="0")
    item = line(calculate(data), "labour_value_greater_of")
    assert item["inputs"]["labour_value_less_paid"] == "0.00"
    assert item["amount"] == "0.00"
    assert "-" not in item["formula"].replace("−", "")


def test_greater_of_with_overpayment_takes_a_smaller_gain_over_the_zero_wage_side():
    # Wage side 0 (overpaid); gain 700 → 700.00, chosen as the offender's gain.
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 8, statutory_daily_wage="400",
                              normal_daily_hours="8", amount_paid="5000"),
                 method="greater_of", offender_gain="700")
    item = line(calculate(data), "labour_value_greater_of")
    assert item["amount"] == "700.00"
    assert item["formula"].endswith("the offender's gain")


def test_greater_of_reports_the_statutory_value_of_the_labour():
    # Agreed 480 > statutory 400, 8 h: due 4,800; the statutory value stays 4,000.00.
    data = claim("TH", period("2025-07-01", "2025-07-10", 10, 8, agreed_daily_wage="480",
                              region="Bangkok", normal_daily_hours="8"),
                 method="greater_of", offender_gain="0")
    item = line(calculate(data), "labour_value_greater_of")
    assert item["inputs"]["statutory_value_of_labour"] == "4000.00"
    assert item["amount"] == "4800.00"


# ---------------------------------------------------------------- typed results


def test_the_calculation_is_typed_and_frozen():
    result = calculator.calculate(claim("TH", medical_costs="100"))
    assert isinstance(result, calculator.Calculation)
    assert result.lines[0].amount == Decimal("100.00")
    with pytest.raises(AttributeError):
        result.total = Decimal(0)  # type: ignore[misc]


def test_a_calculation_error_names_its_field():
    with pytest.raises(CalculationError) as caught:
        calculator.calculate(claim("ZZ"))
    assert caught.value.field == "jurisdiction"


# ---------------------------------------------------------------- refusals name their field


def _period(**changes) -> dict:
    worked = period("2025-07-01", "2025-07-10", 10, 8, region="Bangkok", normal_daily_hours="8")
    return {**worked, **changes}


FOREIGN = {"amount": "15", "currency": "USD", "rate": "33.5", "rate_date": "2025-07-01"}


@pytest.mark.parametrize("changes, field", [
    ({"end": "2025-06-30"}, "work_periods.0.end"),
    ({"start": "1 July"}, "work_periods.0.start"),
    ({"end": None}, "work_periods.0.end"),
    ({"days_worked": 11}, "work_periods.0.days_worked"),
    ({"days_worked": "ten"}, "work_periods.0.days_worked"),
    ({"days_worked": 10.0}, "work_periods.0.days_worked"),
    ({"days_worked": "-1"}, "work_periods.0.days_worked"),
    ({"days_worked": "NaN"}, "work_periods.0.days_worked"),
    ({"days_worked": None}, "work_periods.0.days_worked"),
    ({"days_worked": [10]}, "work_periods.0.days_worked"),
    ({"hours_per_day": "0"}, "work_periods.0.hours_per_day"),
    ({"normal_daily_hours": "0"}, "work_periods.0.normal_daily_hours"),
    ({"agreed_daily_wage": {**FOREIGN, "fee": "1"}}, "work_periods.0.agreed_daily_wage.fee"),
    ({"agreed_daily_wage": {**FOREIGN, "currency": "US"}},
     "work_periods.0.agreed_daily_wage.currency"),
    ({"agreed_daily_wage": {**FOREIGN, "currency": "U$D"}},
     "work_periods.0.agreed_daily_wage.currency"),
    ({"agreed_daily_wage": {**FOREIGN, "rate": "0"}}, "work_periods.0.agreed_daily_wage.rate"),
    ({"agreed_daily_wage": {**FOREIGN, "rate_date": None}},
     "work_periods.0.agreed_daily_wage.rate_date"),
    ({"agreed_daily_wage": {**FOREIGN, "rate_date": "July"}},
     "work_periods.0.agreed_daily_wage.rate_date"),
    ({"agreed_daily_wage": {**FOREIGN, "amount": "x"}},
     "work_periods.0.agreed_daily_wage.amount"),
    ({"amount_paid": "-5"}, "work_periods.0.amount_paid"),
    ({"region": "Chiang Mai"}, "work_periods.0.statutory_daily_wage"),
    ({"start": "2024-01-01", "end": "2024-01-10"}, "work_periods.0.statutory_daily_wage"),
])
def test_each_refusal_names_the_field_to_fix(changes, field):
    assert asks_for(claim("TH", _period(**changes))) == field


def test_a_refusal_carries_a_message_for_the_person():
    with pytest.raises(CalculationError) as caught:
        calculate(claim("TH", _period(end="2025-06-30")))
    assert caught.value.message == str(caught.value) == "The end of the period is before its start."


def test_a_one_day_period_is_accepted():
    result = calculate(claim("TH", _period(start="2025-07-01", end="2025-07-01", days_worked=1)))
    assert line(result, "unpaid_wages")["amount"] == "400.00"


def test_dates_may_be_given_as_dates():
    import datetime as dt

    result = calculate(claim("TH", _period(start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 10))))
    assert line(result, "unpaid_wages")["amount"] == "4000.00"


def test_an_amount_in_the_statement_currency_may_be_written_as_a_foreign_amount():
    # {"amount": "300", "currency": "THB"} needs no rate: it is entered as 300 THB.
    result = calculate(claim("TH", _period(amount_paid={"amount": "300", "currency": "thb"})))
    wages = line(result, "unpaid_wages")
    assert wages["amount"] == "3700.00" and wages["inputs"]["amount_paid"] == "300 THB"
    assert wages["conversions"] == []


# ---------------------------------------------------------------- rates over time


def test_a_period_starting_on_the_effective_date_is_one_stretch_at_the_new_rate():
    result = calculate(claim("TH", _period()))
    segments = line(result, "unpaid_wages")["segments"]
    assert [(s["start"], s["end"]) for s in segments] == [("2025-07-01", "2025-07-10")]
    assert segments[0]["statutory_rate"] == "400 THB/day from 2025-07-01, Bangkok"


def test_a_period_ending_on_the_effective_date_has_its_last_day_at_the_new_rate():
    # 21 June–1 July 2025, 11 days: 10 × 372 + 1 × 400 = 4,120.00
    result = calculate(claim("TH", _period(start="2025-06-21", end="2025-07-01", days_worked=11)))
    wages = line(result, "unpaid_wages")
    assert [(s["start"], s["end"]) for s in wages["segments"]] == [
        ("2025-06-21", "2025-06-30"), ("2025-07-01", "2025-07-01")]
    assert wages["amount"] == "4120.00"


def test_a_change_that_does_not_apply_leaves_one_stretch():
    # The general wage's March change does not touch a garment worker: 15 Feb–16 Apr is one
    # stretch at 350. 61 days × 350 = 21,350.00
    data = claim("XX", period("2025-02-15", "2025-04-16", 61, 8, sector="garment"))
    wages = calculator.calculate(data, rules=sector_rules()).lines[0]
    assert [(s["start"], s["end"]) for s in wages.segments] == [("2025-02-15", "2025-04-16")]
    assert wages.amount == Decimal("21350.00")


REGION_RULES = SECTOR_RULES.replace('region = "all"\nsector = "garment"',
                                    'region = "North"\nsector = "all"').replace(
    'amount = "350"\neffective_from = 2025-01-01', 'amount = "320"\neffective_from = 2025-03-01')


def test_a_regional_wage_beats_the_national_one_from_the_same_day():
    rules = parse_rules(tomllib.loads(REGION_RULES))
    data = claim("XX", period("2025-04-01", "2025-04-10", 10, 8, region="North"))
    wages = calculator.calculate(data, rules=rules).lines[0]
    assert wages.amount == Decimal("3200.00")
    assert wages.segments[0]["statutory_rate"] == "320 THB/day from 2025-03-01, North"


def test_one_hour_of_overtime_stays_in_the_first_tier():
    # Jakarta, normal 7 h, 8 h worked: 1 h × 1.5 only. 10 × 8.5 × 5,396,761 / 173
    # = 2,651,587.77… → 2,651,588 rupiah.
    result = calculate(claim("ID", period("2025-03-01", "2025-03-10", 10, 8, region="Jakarta",
                                          normal_daily_hours="7")))
    wages = line(result, "unpaid_wages")
    assert wages["amount"] == "2651588"
    assert "1 h × 1.5)" in wages["formula"] and "× 2" not in wages["formula"]


# ---------------------------------------------------------------- second round of survivors


def test_the_statutory_value_counts_every_stretch_and_its_overtime():
    # Bangkok, June–July 2025, 12 h/day, normal 8, agreed 300 (below both rates):
    # June 30 × (372 + 4 × 1.5 × 46.5) = 19,530; July 31 × (400 + 4 × 1.5 × 50) = 21,700.
    # The statutory value of the labour is 41,230.00 (wages due, as the agreed wage is lower).
    data = claim("TH", period("2025-06-01", "2025-07-31", 61, 12, agreed_daily_wage="300",
                              region="Bangkok", normal_daily_hours="8"),
                 method="greater_of", offender_gain="0")
    item = line(calculate(data), "labour_value_greater_of")
    assert item["inputs"]["statutory_value_of_labour"] == "41230.00"
    assert item["amount"] == "41230.00"


@pytest.mark.parametrize("agreed, basis", [("300", "statutory"), ("400", "statutory"),
                                           ("401", "agreed")])
def test_the_agreed_wage_is_applied_only_when_it_is_higher(agreed, basis):
    result = calculate(claim("TH", _period(agreed_daily_wage=agreed)))
    assert line(result, "unpaid_wages")["segments"][0]["applied_basis"] == basis


def test_no_overtime_means_no_overtime_in_the_formula():
    wages = line(calculate(claim("TH", _period())), "unpaid_wages")
    assert "overtime" not in wages["formula"]


def test_overpaid_wages_owe_nothing_and_say_so():
    # Due 4,000, paid 5,000: 0.00 owing, and the formula says why.
    wages = line(calculate(claim("TH", _period(amount_paid="5000"))), "unpaid_wages")
    assert wages["amount"] == "0.00"
    assert wages["formula"].startswith("2025-07-01–2025-07-10")
    assert wages["formula"].endswith("(more was paid than was due: nothing owing for this period)")


def test_wages_paid_exactly_owe_nothing_without_a_note():
    wages = line(calculate(claim("TH", _period(amount_paid="4000"))), "unpaid_wages")
    assert wages["amount"] == "0.00" and "more was paid" not in wages["formula"]


def test_a_normal_day_of_24_hours_is_accepted():
    wages = line(calculate(claim("TH", _period(hours_per_day=24, normal_daily_hours="24"))),
                 "unpaid_wages")
    assert wages["amount"] == "4000.00"


def test_an_equal_gain_and_wage_side_is_the_value_of_the_labour():
    data = claim("TH", _period(), method="greater_of", offender_gain="4000")
    item = line(calculate(data), "labour_value_greater_of")
    assert item["amount"] == "4000.00" and item["formula"].endswith("the value of the labour")


@pytest.mark.parametrize("data, field", [
    ("not an object", "body"),
    ({"jurisdiction": "TH", "work_periods": "x"}, "work_periods"),
    ({"jurisdiction": "TH", "work_periods": ["x"]}, "work_periods.0.start"),
    ({"jurisdiction": "TH", "non_pecuniary": "x"}, "non_pecuniary"),
    ({"jurisdiction": "TH", "currency": "EUR"}, "currency"),
    ({"jurisdiction": "TH", "method": "guess"}, "method"),
])
def test_malformed_bodies_are_refused_naming_the_field(data, field):
    with pytest.raises(CalculationError) as caught:
        calculator.calculate(data)
    assert caught.value.field == field
