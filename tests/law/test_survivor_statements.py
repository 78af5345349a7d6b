"""What a survivor is told: this jurisdiction's law, our commitments, and what is not known."""

from __future__ import annotations

import re

import pytest

from northstar.law.position import (
    JURISDICTIONS,
    commitment_statements,
    law_statements,
    missing_texts,
    position_for,
    survivor_statements,
)
from northstar.law.texts import STATEMENTS

PROMISE = re.compile(r"will not be (arrested|punished|charged|detained)|cannot be (arrested|punished)",
                     re.IGNORECASE)


def keys(code, **kw):
    return [s.key for s in law_statements(code, **kw)]


def test_no_survivor_statement_promises_non_punishment_where_the_law_does_not_give_it():
    for code in JURISDICTIONS:
        coverage = position_for(code).non_punishment.coverage.value
        for statement in survivor_statements(code):
            assert not PROMISE.search(statement.text), (code, statement.key)
        if coverage != "statutory":
            assert not any("must not be punished" in s.text for s in survivor_statements(code))


def test_no_text_anywhere_promises_freedom_from_arrest():
    assert not [key for key, text in STATEMENTS.items() if PROMISE.search(text)]


def test_cambodian_and_thai_survivors_are_told_different_things():
    kh = {s.key: s for s in law_statements("KH")}
    th = {s.key: s for s in law_statements("TH")}
    assert "non_punishment.unknown" in kh and "non_punishment.TH" in th
    assert "reflection.unknown" in kh and "reflection.TH" in th
    assert "testimony.remote.unknown" in kh and "testimony.remote.TH" in th
    assert "compensation.KH" in kh and "compensation.TH" in th
    assert {s.text for s in kh.values()} != {s.text for s in th.values()}


def test_a_thai_survivor_hears_the_15_days_are_a_guideline_not_a_law():
    reflection = next(s for s in law_statements("TH") if s.key == "reflection.TH")
    assert "15 days" in reflection.text and "not a law" in reflection.text
    assert reflection.basis == "guideline"


def test_where_the_law_is_silent_the_survivor_is_told_it_is_not_known_and_to_ask():
    for statement in law_statements("LA"):
        if statement.kind == "unknown":
            assert "not known" in statement.text or "do not know" in statement.text
    assert "non_punishment.unknown" in keys("LA")


def test_people_from_scam_compounds_are_told_the_limits_of_their_protection():
    assert "non_punishment.scam_compound_partial" in keys("TH")
    assert "non_punishment.scam_compound_partial" in keys("MY")
    assert "non_punishment.scam_compound_not_covered" in keys("KH")
    assert "non_punishment.scam_compound_unknown" in keys("PH")


def test_reported_detention_is_said_where_a_source_reports_it():
    assert "movement.detention_reported" in keys("KH")
    assert "movement.detention_reported" not in keys("TH")


@pytest.mark.parametrize("code", JURISDICTIONS)
def test_every_statement_rests_on_a_source(code):
    for statement in survivor_statements(code):
        assert statement.source.strip() and statement.checked, (code, statement.key)
        assert statement.text == STATEMENTS[statement.key]


def test_commitments_are_ours_and_marked_as_such():
    commitments = commitment_statements()
    assert commitments and all(s.kind == "commitment" and s.basis == "practice"
                               for s in commitments)
    assert not any(s.kind == "commitment" for s in law_statements("TH"))


def test_an_adult_is_not_given_the_childrens_statement_but_unknown_age_is():
    assert "child_reporting.unknown" not in keys("TH", child=False)
    assert "child_reporting.unknown" in keys("TH", child=None)
    assert "child_reporting.unknown" in keys("TH", child=True)


def test_a_jurisdiction_with_no_recorded_position_is_told_only_what_is_unknown():
    statements = law_statements("US")
    assert statements and all(s.kind == "unknown" for s in statements)


def test_a_survivor_who_will_not_testify_is_told_honestly_whether_any_route_remains():
    assert "compensation.without_testimony.some" in keys("VN")
    assert "compensation.without_testimony.none_known" in keys("TH")
    # Settlement is a route without testimony in Cambodia, but never for possible trafficking.
    assert "compensation.without_testimony.none_known" in keys("KH")


def test_every_text_is_used_by_some_jurisdiction():
    used = {s.key for code in (*JURISDICTIONS, "US") for child in (None, False)
            for s in survivor_statements(code, child=child)}
    assert set(STATEMENTS) == used


def test_every_known_fact_has_its_own_survivor_text():
    assert missing_texts() == []


def test_the_hong_kong_compensation_text_rests_on_the_missing_trafficking_route_not_on_support():
    statement = next(s for s in law_statements("HK") if s.key == "compensation.HK")
    assert statement.kind == "unknown" and "no TIP-specific" in statement.source


def test_a_child_is_not_told_they_may_come_and_go_without_the_supervision_rider():
    child_keys = {s.key for s in commitment_statements(child=None)}
    adult_keys = {s.key for s in commitment_statements(child=False)}
    assert "commitment.free_to_leave_our_shelters_child" in child_keys
    assert "commitment.free_to_leave_our_shelters" not in child_keys
    assert "commitment.free_to_leave_our_shelters" in adult_keys
