"""Hours, overtime and sector exclusions: a figure only where a source gives it."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal

import pytest

from northstar.compensation.rules import hours
from northstar.compensation.rules.hours import (
    HOURS_FILE,
    HoursDataError,
    Status,
    UnknownSector,
    minimum_wage_applies,
    normal_hours,
    overtime_multiplier,
    parse,
)

TEN = {"KH", "HK", "MM", "PH", "TH", "VN", "LA", "ID", "MY", "SG"}


def raw() -> dict:
    with open(HOURS_FILE, "rb") as fh:
        return tomllib.load(fh)


def test_the_file_loads_for_all_ten_jurisdictions_and_every_rule_is_sourced_and_dated():
    loaded = hours.load()
    assert set(loaded.jurisdictions) == TEN
    for code, jur in loaded.jurisdictions.items():
        for rules in (jur.general, *jur.sectors.values()):
            for rule in (rules.hours, rules.overtime, rules.minimum_wage, rules.sector_wage):
                if rule is not None:
                    assert rule.source.strip() and isinstance(rule.checked, dt.date), code


def test_a_thai_claim_no_longer_needs_the_user_to_give_normal_hours():
    answer = normal_hours("TH", "construction")
    assert answer.status == Status.KNOWN
    assert answer.daily == Decimal("8") and answer.weekly == Decimal("48")
    assert "s.23" in answer.source


def test_overtime_multipliers_are_decimals_from_the_statute():
    assert overtime_multiplier("TH", "manufacturing").multiplier == Decimal("1.5")
    assert overtime_multiplier("PH", "construction").multiplier == Decimal("1.25")
    assert overtime_multiplier("MM", "agriculture").multiplier == Decimal("2")
    tiers = overtime_multiplier("ID", "manufacturing").tiers
    assert [(t.multiplier, t.hours) for t in tiers] == [(Decimal("1.5"), Decimal("1")),
                                                         (Decimal("2"), None)]


def test_hong_kong_minimum_wage_is_never_applied_to_domestic_helpers():
    answer = minimum_wage_applies("HK", "domestic_work")
    assert answer.status == Status.EXCLUDED and answer.applies is False
    assert answer.instead is not None
    assert answer.instead.amount == Decimal("4990") and answer.instead.currency == "HKD"
    assert answer.instead.unit == "month" and "1,236" in answer.instead.allowances
    assert minimum_wage_applies("HK", "construction").applies is True


def test_malaysia_minimum_wage_is_never_applied_to_domestic_workers_and_nothing_replaces_it():
    answer = minimum_wage_applies("MY", "domestic_work")
    assert answer.excluded and answer.instead is None


def test_a_sector_excluded_from_the_hours_rules_gets_no_overtime_threshold():
    for code in ("MY", "SG", "ID", "PH", "KH"):
        assert normal_hours(code, "domestic_work").status == Status.EXCLUDED, code
        assert overtime_multiplier(code, "domestic_work").multiplier is None, code


def test_thai_domestic_workers_have_an_8_hour_day_but_no_overtime_premium():
    assert normal_hours("TH", "domestic_work").daily == Decimal("8")
    assert overtime_multiplier("TH", "domestic_work").status == Status.EXCLUDED


def test_hong_kong_sets_no_normal_hours_and_its_overtime_premium_is_unknown():
    assert normal_hours("HK", "construction").status == Status.NONE
    answer = overtime_multiplier("HK", "construction")
    assert answer.status == Status.UNKNOWN and answer.multiplier is None


def test_not_found_keeps_asking():
    for code in ("LA", "VN", "MM"):
        assert normal_hours(code, "domestic_work").status == Status.UNKNOWN
        assert minimum_wage_applies(code, "domestic_work").applies is None
    assert normal_hours("MY", "fishing").status == Status.UNKNOWN


def test_without_a_sector_the_answer_is_unknown_where_a_sector_is_treated_differently():
    answer = minimum_wage_applies("HK")
    assert answer.status == Status.UNKNOWN and "domestic_work" in answer.note
    assert normal_hours("TH").status == Status.UNKNOWN


def test_indonesian_normal_hours_depend_on_the_days_worked_each_week():
    assert normal_hours("ID", "manufacturing").status == Status.UNKNOWN
    assert normal_hours("ID", "manufacturing", days_per_week=6).daily == Decimal("7")
    assert normal_hours("ID", "manufacturing", days_per_week=5).daily == Decimal("8")


def test_singapore_has_no_universal_minimum_wage():
    answer = minimum_wage_applies("SG", "construction")
    assert answer.status == Status.NONE and answer.applies is False


def test_an_unrecorded_jurisdiction_is_unknown_not_an_error():
    assert normal_hours("US", "other").status == Status.UNKNOWN


def test_an_unknown_sector_is_refused_naming_the_sector():
    with pytest.raises(UnknownSector, match="sector 'mining'"):
        normal_hours("TH", "mining")


def test_a_float_multiplier_is_refused():
    data = raw()
    data["jurisdictions"]["TH"]["general"]["overtime"]["tiers"][0]["multiplier"] = 1.5
    with pytest.raises(HoursDataError, match=r"jurisdictions\.TH\.general\.overtime\.tiers"):
        parse(data)


def test_a_rule_without_a_source_is_refused():
    data = raw()
    del data["jurisdictions"]["MY"]["sectors"]["domestic_work"]["minimum_wage"]["source"]
    with pytest.raises(HoursDataError,
                       match=r"jurisdictions\.MY\.sectors\.domestic_work\.minimum_wage\.source"):
        parse(data)


def test_a_guess_dressed_as_not_found_is_refused():
    data = raw()
    rule = data["jurisdictions"]["LA"]["sectors"]["domestic_work"]["hours"]
    rule.update(status="known", daily="8")
    with pytest.raises(HoursDataError, match="never guess"):
        parse(data)


def test_an_unknown_key_is_refused():
    data = raw()
    data["jurisdictions"]["VN"]["general"]["hours"]["monthly"] = "208"
    with pytest.raises(HoursDataError, match=r"jurisdictions\.VN\.general\.hours\.monthly"):
        parse(data)


def test_every_hours_rule_is_listed_for_manage_py_rules_with_its_source():
    rows = hours.list_rules()
    ids = {row["id"] for row in rows}
    assert {"TH.general.hours", "HK.domestic_work.sector_wage", "MY.domestic_work.minimum_wage"} <= ids
    assert all(row["source"] and row["checked"] for row in rows)
