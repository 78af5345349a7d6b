"""Reflection periods are data with sources; a length is used only where a source gives one."""

from __future__ import annotations

import datetime as dt

import pytest

from northstar.justice.rules import periods as p
from northstar.law.position import position_for
from northstar.rules.errors import RuleDataError


def test_every_jurisdiction_has_a_sourced_and_dated_entry():
    data = p.load()
    assert set(data) == {"KH", "HK", "MM", "PH", "TH", "VN", "LA", "ID", "MY", "SG"}
    for period in data.values():
        assert period.source and isinstance(period.checked, dt.date)


def test_thailands_fifteen_days_is_a_referral_guideline_not_a_statutory_period():
    th = p.period_for("TH")
    assert (th.status, th.days, th.guideline_days) == ("guideline", None, 15)
    assert "2022" in th.summary and "not a statutory" in th.summary
    assert th.ends_on(dt.date(2026, 3, 1)) is None  # never ends a reflection by itself


def test_the_reflection_data_agrees_with_the_legal_position():
    from_law = position_for("TH").reflection
    assert from_law.status.value == p.period_for("TH").status == "guideline"
    assert from_law.days.value == p.period_for("TH").guideline_days


@pytest.mark.parametrize("code", ["KH", "PH", "LA", "ID", "MY", "SG"])
def test_where_no_source_was_found_the_period_is_unknown(code):
    period = p.period_for(code)
    assert period.status == "unknown" and period.days is None
    assert period.ends_on(dt.date(2026, 1, 1)) is None


def test_practice_caps_are_not_treated_as_a_reflection_period():
    assert p.period_for("VN").days is None and p.period_for("VN").status == "practice"
    assert p.period_for("MM").days is None
    assert p.period_for("HK").status == "none"


def test_a_jurisdiction_not_in_the_data_is_unknown():
    assert p.period_for("FR").status == "unknown"


def test_an_entry_without_a_source_is_refused(tmp_path):
    bad = tmp_path / "periods.toml"
    bad.write_text('version = "1"\nsource = "x"\nchecked = 2026-01-01\n'
                   '[periods.TH]\nstatus = "statutory"\ndays = 15\nsummary = "s"\n'
                   'checked = 2026-01-01\n')
    with pytest.raises(RuleDataError, match="source"):
        p.load(bad)


def test_a_statutory_entry_must_give_its_days(tmp_path):
    bad = tmp_path / "periods.toml"
    bad.write_text('version = "1"\nsource = "x"\nchecked = 2026-01-01\n'
                   '[periods.TH]\nstatus = "statutory"\nsummary = "s"\nsource = "y"\n'
                   'checked = 2026-01-01\n')
    with pytest.raises(RuleDataError, match="days"):
        p.load(bad)
