"""The wage data file: every entry sourced and dated; a malformed file is refused at load."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from babel.core import get_global

from northstar.compensation.calculator import minor_unit
from northstar.compensation.rules import WAGES_FILE, RuleDataError, load_rules, parse_rules


def raw() -> dict:
    with open(WAGES_FILE, "rb") as fh:
        return tomllib.load(fh)


def test_shipped_wage_rules_load_and_every_wage_has_a_source_and_date():
    rules = load_rules()
    assert {"TH", "PH", "VN", "KH", "MM", "LA", "ID", "MY", "SG", "HK"} <= set(rules.jurisdictions)
    for jur in rules.jurisdictions.values():
        assert jur.overtime.source and jur.normal_daily_hours.source
        for wage in jur.minimum_wages:
            assert wage.source and isinstance(wage.checked, dt.date)


def test_minor_units_come_from_cldr_through_babel():
    assert minor_unit("VND") == 0
    assert {minor_unit(c) for c in ("THB", "PHP", "MYR", "SGD", "HKD", "USD", "KHR")} == {2}
    # CLDR states the decimals in use: none for rupiah, kyat and kip.
    assert {minor_unit(c) for c in ("IDR", "MMK", "LAK")} == {0}


def test_every_supported_currency_is_known_to_cldr():
    assert set(load_rules().currencies) <= set(get_global("all_currencies"))


def test_not_found_figures_are_recorded_as_unknown():
    rules = load_rules()
    assert rules.jurisdictions["HK"].overtime.value is None
    assert rules.jurisdictions["TH"].normal_daily_hours.value is None
    assert rules.jurisdictions["SG"].minimum_wages == ()


def test_an_entry_without_a_source_is_refused():
    data = raw()
    del data["jurisdictions"]["TH"]["minimum_wages"][0]["source"]
    with pytest.raises(RuleDataError, match="source"):
        parse_rules(data)


def test_a_float_amount_is_refused():
    data = raw()
    data["jurisdictions"]["TH"]["minimum_wages"][0]["amount"] = 400.0
    with pytest.raises(RuleDataError, match="decimal strings"):
        parse_rules(data)


def test_two_rates_for_the_same_day_are_refused():
    data = raw()
    wages = data["jurisdictions"]["TH"]["minimum_wages"]
    wages.append(dict(wages[0], amount="401"))
    with pytest.raises(RuleDataError, match="same region"):
        parse_rules(data)
