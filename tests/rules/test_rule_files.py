"""The rule-file kernel: one loader and one error for every engine's data.

A lawyer who mistypes a rule must be told which file, which rule and which
field, and the engines must never run on a file that failed to load.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from northstar.compensation import rules as wage_rules
from northstar.justice.rules import periods
from northstar.pathways.rules import engine as pathways
from northstar.rules.conditions import matches
from northstar.rules.errors import RuleDataError
from northstar.safeguards.rules import engine as safeguards
from northstar.screening.rules import engine as screening


def _broken(tmp_path: Path, original: Path, old: str, new: str) -> Path:
    text = original.read_text()
    assert old in text, f"fixture text {old!r} not in {original.name}"
    bad = tmp_path / original.name
    bad.write_text(text.replace(old, new, 1))
    return bad


def test_every_shipped_rule_file_loads_and_every_rule_has_source_and_checked():
    for engine in (screening, pathways, safeguards):
        for row in engine.list_rules():
            assert row["source"].strip() and row["checked"], row["id"]
    assert periods.load()["TH"].source
    assert wage_rules.load_rules().jurisdictions


def test_a_wrong_value_names_the_file_the_rule_and_the_field(tmp_path):
    bad = _broken(tmp_path, pathways.RULES_FILE, 'pathway = "procedural"', 'pathway = "court"')
    with pytest.raises(RuleDataError) as err:
        pathways.load(bad)
    assert str(err.value).startswith(
        "interventions.toml: rule state_compensation_ready_in_region: 'pathway':"
    )


def test_a_checked_date_written_as_text_is_refused(tmp_path):
    bad = _broken(tmp_path, screening.RULES_FILE, "checked = 2026-11-24", 'checked = "2026-11-24"')
    with pytest.raises(RuleDataError, match=r"screening.toml: rule \w+: 'checked'"):
        screening.load(bad)


def test_an_unknown_operator_in_when_is_refused(tmp_path):
    bad = _broken(tmp_path, safeguards.RULES_FILE, "{ is = false }", "{ equals = false }")
    with pytest.raises(RuleDataError, match="safeguards.toml: rule .*unknown operator 'equals'"):
        safeguards.load(bad)


def test_a_severity_other_than_block_or_warn_is_refused(tmp_path):
    bad = _broken(tmp_path, safeguards.RULES_FILE, 'severity = "block"', 'severity = "stop"')
    with pytest.raises(RuleDataError, match="'severity'"):
        safeguards.load(bad)


def test_a_reflection_period_entry_names_its_jurisdiction(tmp_path):
    bad = _broken(tmp_path, periods.PERIODS_FILE, "guideline_days = 15", "guideline_days = 0")
    with pytest.raises(RuleDataError,
                       match=r"reflection_periods.toml: periods.TH: guideline_days must be"):
        periods.load(bad)


def test_a_file_that_is_not_toml_is_a_rule_data_error(tmp_path):
    bad = tmp_path / "screening.toml"
    bad.write_text("rules = [\n")
    with pytest.raises(RuleDataError, match="screening.toml: not valid TOML"):
        screening.load(bad)


def test_the_wage_rules_raise_the_same_error_class(tmp_path):
    bad = tmp_path / "wages.toml"
    bad.write_text("version = [\n")
    with pytest.raises(RuleDataError, match="wages.toml"):
        wage_rules.load_rules(bad)


@pytest.mark.parametrize(
    ("when", "facts", "expected"),
    [
        ({"age": {"lt": 18}}, {"age": None}, False),  # unknown is never read as a child's age
        ({"consent": {"is_not": True}}, {"consent": None}, True),  # nor as consent
        ({"exploitation": {"contains": "sex"}}, {"exploitation": ["labour", "sex"]}, True),
        ({"exploitation": {"lacks": "sex"}}, {"exploitation": ["labour"]}, True),
        ({"coercion": {"in": ["high"]}}, {"coercion": "low"}, False),
    ],
)
def test_the_condition_language(when, facts, expected):
    assert matches(when, facts) is expected
