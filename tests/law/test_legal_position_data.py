"""The legal-position file: every fact sourced and dated, nothing guessed, a broken file refused."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib

import pytest

from northstar.law import position
from northstar.law.position import JURISDICTIONS, POSITION_FILE, LegalPositionError, parse
from northstar.rules.errors import RuleDataError


def raw() -> dict:
    with open(POSITION_FILE, "rb") as fh:
        return tomllib.load(fh)


def test_the_file_loads_with_all_ten_jurisdictions():
    loaded = position.load()
    assert set(loaded.jurisdictions) == set(JURISDICTIONS)


def test_every_fact_has_a_source_a_checked_date_and_a_basis():
    loaded = position.load()
    count = 0
    for pos in loaded.jurisdictions.values():
        for path, fact in pos.facts():
            assert fact.source.strip(), f"{pos.code}.{path} has no source"
            assert isinstance(fact.checked, dt.date), f"{pos.code}.{path} has no checked date"
            count += 1
    assert count > 10 * 15


def test_what_was_not_found_is_unknown_never_guessed():
    for pos in position.load().jurisdictions.values():
        for path, fact in pos.facts():
            if fact.basis == "not_found":
                assert fact.value == "unknown", f"{pos.code}.{path}"


def test_northstar_commitments_are_practice_and_never_mixed_into_the_law():
    loaded = position.load()
    for _name, fact in position._facts(loaded.commitments, ""):
        assert fact.basis == "practice"
    for pos in loaded.jurisdictions.values():
        assert all(fact.basis != "practice" for _path, fact in pos.facts())


def test_a_fact_without_a_source_is_refused_naming_jurisdiction_and_field():
    data = raw()
    del data["jurisdictions"]["TH"]["non_punishment"]["coverage"]["source"]
    with pytest.raises(LegalPositionError, match=r"jurisdictions\.TH\.non_punishment\.coverage\.source"):
        parse(data)


def test_a_fact_without_a_checked_date_is_refused():
    data = raw()
    del data["jurisdictions"]["KH"]["reflection"]["status"]["checked"]
    with pytest.raises(LegalPositionError, match=r"jurisdictions\.KH\.reflection\.status\.checked"):
        parse(data)


def test_an_unknown_key_is_refused():
    data = raw()
    data["jurisdictions"]["PH"]["testimony"]["remote_by_phone"] = data["jurisdictions"]["PH"][
        "testimony"]["remote"]
    with pytest.raises(LegalPositionError, match=r"jurisdictions\.PH\.testimony\.remote_by_phone"):
        parse(data)


def test_a_value_outside_its_enumeration_is_refused():
    data = raw()
    data["jurisdictions"]["MY"]["non_punishment"]["coverage"]["value"] = "full"
    with pytest.raises(LegalPositionError, match=r"jurisdictions\.MY\.non_punishment\.coverage\.value"):
        parse(data)


def test_a_guess_dressed_as_not_found_is_refused():
    data = raw()
    data["jurisdictions"]["LA"]["non_punishment"]["coverage"]["value"] = "statutory"
    with pytest.raises(LegalPositionError, match=r"jurisdictions\.LA.*never guess"):
        parse(data)


def test_a_route_needing_no_criminal_case_cannot_claim_to_need_testimony_in_one():
    data = copy.deepcopy(raw())
    route = data["jurisdictions"]["VN"]["compensation_routes"][1]
    route["needs_testimony"]["value"] = "yes"
    with pytest.raises(LegalPositionError, match=r"jurisdictions\.VN\.compensation_routes"):
        parse(data)


def test_practice_is_refused_as_the_basis_of_a_legal_fact():
    data = raw()
    fact = data["jurisdictions"]["SG"]["movement"]["freedom"]
    fact.update(value="yes", basis="practice")
    with pytest.raises(LegalPositionError, match=r"jurisdictions\.SG.*movement\.freedom"):
        parse(data)


def test_a_jurisdiction_outside_the_ten_is_refused():
    data = raw()
    data["jurisdictions"]["XX"] = data["jurisdictions"]["TH"]
    with pytest.raises(LegalPositionError, match=r"jurisdictions\.XX"):
        parse(data)


def test_every_fact_is_listed_for_manage_py_rules_with_its_source():
    rows = position.list_rules()
    ids = {row["id"] for row in rows}
    assert "TH.reflection.status" in ids and "commitments.no_push_to_return" in ids
    assert all(row["source"] and row["checked"] for row in rows)


def test_a_broken_file_is_a_rule_data_error_that_manage_py_rules_reports():
    assert issubclass(LegalPositionError, RuleDataError)
