"""Compensation fixtures on top of the shared two-organisation set-up."""

from __future__ import annotations

import datetime as dt

import pytest

from northstar.survivors import actions


@pytest.fixture
def labour_case(survivor_a, caseworker, actor_for):
    """Less severe labour exploitation: the kind out-of-court compensation is for."""
    return actions.create_case(actor_for(caseworker), survivor_a, data={
        "forms_of_exploitation": ["labour"], "sectors": ["construction"],
        "country_of_origin": "KH", "country_of_destination": "TH",
        "period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 6, 30),
        "relationship_to_offender": "stranger", "coercion": "low",
        "summary": "Wages withheld for six months on a building site.",
    })


@pytest.fixture
def sex_trafficking_case(survivor_a, caseworker, actor_for):
    return actions.create_case(actor_for(caseworker), survivor_a, data={
        "forms_of_exploitation": ["sex", "labour"], "country_of_origin": "KH",
        "country_of_destination": "TH", "relationship_to_offender": "stranger",
        "coercion": "low", "summary": "Recruited for a restaurant, forced into sex work.",
    })


@pytest.fixture
def case_b(other_caseworker, actor_for):
    """A case of the other organisation, which org A must never reach."""
    actor = actor_for(other_caseworker)
    survivor = actions.create_survivor(actor, data={
        "given_name": "Other", "family_name": "Person", "date_of_birth": "1990-01-01",
        "sex": "male", "nationality": "MM"})
    return actions.create_case(actor, survivor, data={
        "forms_of_exploitation": ["labour"], "coercion": "low",
        "relationship_to_offender": "stranger"})


CALC = {
    "jurisdiction": "TH", "currency": "THB", "method": "statutory",
    "work_periods": [{"start": "2025-06-01", "end": "2025-07-31", "days_worked": 61,
                      "hours_per_day": 12, "agreed_daily_wage": "300",
                      "statutory_daily_wage": None, "amount_paid": "9000", "region": "Bangkok",
                      "sector": None, "normal_daily_hours": "8"}],
    "recruitment_fees": "15000", "debts_imposed": "0", "unlawful_deductions": "0",
    "medical_costs": "5000", "travel_costs": "3000", "lost_earnings": "0",
    "offender_gain": None, "non_pecuniary": {"amount": "0", "justification": ""},
}
# 32,230 unpaid wages (see test_calculator) + 15,000 + 5,000 + 3,000
CALC_TOTAL = "55230.00"
