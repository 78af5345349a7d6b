"""The measures are data: each defined once with a source and a date, loaded by a pure
module, and a counting function that cannot be found stops the loader loudly."""

from __future__ import annotations

import dataclasses

import pytest

from northstar.insights import measures
from northstar.rules.errors import RuleDataError

ENTRY = '''version = "x"
source = "s"
checked = "2026-12-06"

[[measure]]
key = "m"
name = "M"
definition = "d"
numerator = "n"
denominator = "d"
unit = "share"
splits = ["a"]
count = "{count}"
source = "seed 000"
checked = "2026-12-06"
'''


def test_every_measure_has_a_definition_a_source_and_a_counting_function():
    found = measures.all_measures()
    assert {m.key for m in found} >= {"own_outcome_delivered", "identification_funnel",
                                      "time_to_first_support", "do_no_harm", "compensation",
                                      "held_to_account"}
    for m in found:
        assert all(getattr(m, f) for f in measures.REQUIRED), m.key
        assert callable(measures.resolve(m))


def test_the_file_keeps_a_marked_place_for_the_measures_of_other_apps():
    text = measures.MEASURES_FILE.read_text(encoding="utf-8")
    assert "MEASURES OF OTHER APPS" in text


def test_a_dotted_path_that_leads_nowhere_fails_loudly(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(ENTRY.format(count="northstar.insights.counting.no_such_function"))
    (m,) = measures.parse(path)
    with pytest.raises(RuleDataError, match="no_such_function"):
        measures.resolve(m)
    with pytest.raises(RuleDataError, match="no module"):
        measures.resolve(dataclasses.replace(m, count="northstar.nowhere.count"))
    path.write_text(ENTRY.format(count="not a path"))
    with pytest.raises(RuleDataError, match="dotted path"):
        measures.parse(path)


def test_a_measure_without_a_source_is_refused(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(ENTRY.format(count="a.b").replace('source = "seed 000"\n', ""))
    with pytest.raises(RuleDataError, match="source"):
        measures.parse(path)
