"""One test per screening rule, plus properties that hold over all answers."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.rules.errors import RuleDataError
from northstar.screening.rules import engine

CONTRACT = {
    "age": 24,
    "act": ["recruitment", "transportation"],
    "means": ["deception"],
    "purpose": ["forced_labour"],
    "indicators": {
        "withholding_of_wages": True,
        "retention_of_identity_documents": True,
        "excessive_overtime": "unknown",
    },
    "involuntary": True,
    "menace_of_penalty": True,
}


def fired(result):
    return [r["rule"] for r in result["reasons"]]


def test_contract_example_is_trafficking_with_reasons_and_unknowns():
    result = engine.assess(CONTRACT)
    assert result["classification"] == "trafficking"
    assert result["reasons"][0]["rule"] == "trafficking_act_means_purpose"
    assert "indicators.excessive_overtime" in result["unknown"]
    assert result["rule_set_version"] == engine.rules()["version"]


def test_trafficking_needs_act_means_and_purpose_for_an_adult():
    answers = {
        "age": 30,
        "act": ["recruitment"],
        "means": ["fraud"],
        "purpose": ["sexual_exploitation"],
    }
    assert engine.assess(answers)["classification"] == "trafficking"
    without_means = dict(answers, means=[])
    result = engine.assess(without_means)
    assert result["classification"] != "trafficking"
    assert "trafficking_act_means_purpose" not in fired(result)


def test_a_child_is_trafficked_without_any_means():
    result = engine.assess(
        {"age": 15, "act": ["harbouring"], "means": [], "purpose": ["sexual_exploitation"]}
    )
    assert result["classification"] == "trafficking"
    assert "trafficking_child_act_purpose" in fired(result)
    assert (
        engine.assess(
            {"age": 18, "act": ["harbouring"], "means": [], "purpose": ["sexual_exploitation"]}
        )["classification"]
        != "trafficking"
    )


def test_unknown_age_with_act_and_purpose_prompts_to_protect_as_a_child():
    result = engine.assess({"act": ["receipt"], "means": [], "purpose": ["sexual_exploitation"]})
    assert "trafficking_if_child_age_unknown" in fired(result)
    assert "age" in result["unknown"]
    assert result["classification"] == "possible_trafficking"


def test_forced_labour_needs_involuntariness_and_menace_together():
    result = engine.assess({"involuntary": True, "menace_of_penalty": True})
    assert result["classification"] == "forced_labour"
    assert "forced_labour_involuntary_under_menace" in fired(result)
    assert (
        engine.assess({"involuntary": True, "menace_of_penalty": "unknown"})["classification"]
        != "forced_labour"
    )
    assert (
        engine.assess({"involuntary": False, "menace_of_penalty": True})["classification"]
        != "forced_labour"
    )


def test_a_purpose_of_forced_labour_is_at_least_forced_labour():
    result = engine.assess({"purpose": ["domestic_servitude"]})
    assert result["classification"] == "forced_labour"
    assert "forced_labour_purpose_of_exploitation" in fired(result)


def test_two_ilo_indicators_are_at_least_a_labour_rights_violation():
    result = engine.assess({"indicators": {"excessive_overtime": True, "isolation": True}})
    assert result["classification"] == "labour_rights_violation"
    reason = next(
        r for r in result["reasons"] if r["rule"] == "labour_rights_violation_ilo_indicator"
    )
    assert reason["answers"] == ["indicators.isolation: true", "indicators.excessive_overtime: true"]


def test_one_ilo_indicator_alone_is_not_called_a_labour_rights_violation():
    result = engine.assess({"indicators": {"isolation": True}})
    assert result["classification"] == "indicator_present"
    assert "one_ilo_indicator_ask_about_the_others" in fired(result)
    assert "labour_rights_violation_ilo_indicator" not in fired(result)
    assert engine.assess({"indicators": {"debt_bondage": True}})["classification"] == (
        "indicator_present"
    )


def test_debt_bondage_with_retained_documents_does_not_headline_as_a_labour_rights_violation():
    result = engine.assess(
        {"indicators": {"debt_bondage": True, "retention_of_identity_documents": True}}
    )
    assert result["classification"] == "forced_labour"
    assert fired(result)[0] == "forced_labour_debt_bondage_with_documents_retained"


def test_sexual_exploitation_with_unknown_age_is_flagged_protect_as_a_child_not_no_indication():
    result = engine.assess({"act": ["recruitment"], "purpose": ["sexual_exploitation"]})
    assert result["classification"] == "possible_trafficking"
    assert [f["flag"] for f in result["flags"]] == ["protect_as_child_until_age_known"]
    assert "protect as a child until the age is known" in result["flags"][0]["text"]


def test_forced_labour_with_unknown_age_is_flagged_like_sexual_exploitation():
    sexual = engine.assess({"act": ["transportation"], "purpose": ["sexual_exploitation"]})
    labour = engine.assess({"act": ["transportation"], "purpose": ["forced_labour"]})
    assert sexual["classification"] == labour["classification"] == "possible_trafficking"
    assert sexual["flags"] == labour["flags"]


def test_adult_whose_means_are_not_yet_answered_is_possible_trafficking_not_no_indication():
    result = engine.assess({"age": 30, "act": ["recruitment"], "purpose": ["sexual_exploitation"]})
    assert result["classification"] == "possible_trafficking"
    assert "possible_trafficking_act_and_purpose_without_means" in fired(result)
    assert [f["flag"] for f in result["flags"]] == ["possible_trafficking"]


@given(
    age=st.one_of(st.none(), st.integers(0, 99)),
    act=st.lists(st.sampled_from(engine.rules()["acts"]), min_size=1, max_size=2),
    means=st.one_of(st.none(), st.lists(st.sampled_from(engine.rules()["means"]), max_size=2)),
    purpose=st.lists(st.sampled_from(engine.rules()["purposes"]), min_size=1, max_size=2),
)
@settings(max_examples=200, deadline=None)
def test_act_and_purpose_recorded_is_never_no_indication(age, act, means, purpose):
    answers = {"age": age, "act": act, "means": means, "purpose": purpose}
    result = engine.assess({k: v for k, v in answers.items() if v is not None})
    assert result["classification"] in ("possible_trafficking", "trafficking")


def test_documents_held_by_the_employer_count_as_the_retained_documents_indicator():
    result = engine.assess(
        {
            "indicators": {"debt_bondage": True},
            "migration": {"documents_held_by_employer": "yes"},
        }
    )
    assert result["classification"] == "forced_labour"


def test_migration_facts_prompt_the_right_questions():
    result = engine.assess(
        {
            "migration": {
                "recruitment_debt": "yes",
                "visa_tied_to_employer": "yes",
                "entry": "irregular",
            }
        }
    )
    assert {
        "migration_recruitment_debt_ask_if_it_binds",
        "migration_visa_tied_to_employer_vulnerability",
        "migration_irregular_entry_fear_of_authorities",
    } <= set(fired(result))


def test_a_bad_migration_fact_is_named():
    with pytest.raises(engine.InvalidAnswers) as err:
        engine.assess({"migration": {"recruitment_debt": "maybe"}})
    assert err.value.field == "migration.recruitment_debt"


def test_coercive_indicators_prompt_asking_whether_the_person_could_leave():
    result = engine.assess({"indicators": {"debt_bondage": True}})
    assert "forced_labour_check_indicators" in fired(result)
    assert "forced_labour_check_indicators" not in fired(
        engine.assess({"indicators": {"excessive_overtime": True}})
    )


def test_sex_trafficking_needs_no_labour_indicator():
    result = engine.assess(
        {
            "age": 22,
            "act": ["recruitment"],
            "means": ["deception"],
            "purpose": ["sexual_exploitation"],
            "indicators": {},
        }
    )
    assert result["classification"] == "trafficking"


def test_no_indication_says_nothing_has_been_ruled_out():
    answers = {
        "age": 30,
        "act": [],
        "means": [],
        "purpose": [],
        "involuntary": False,
        "menace_of_penalty": False,
        "indicators": {name: False for name in engine.rules()["indicators"]},
    }
    result = engine.assess(answers)
    assert result["classification"] == "no_indication"
    assert fired(result) == ["no_indication_so_far"]
    assert result["unknown"] == []


def test_missing_answers_are_unknown_never_false_and_identification_is_not_forced():
    result = engine.assess({"age": 30})
    assert "act" in result["unknown"] and "indicators.debt_bondage" in result["unknown"]
    assert "unknown_answers_do_not_force_identification" in fired(result)


def test_unknown_answer_key_is_refused_naming_it():
    with pytest.raises(engine.InvalidAnswers) as err:
        engine.assess({"nationality": "KH"})
    assert err.value.field == "nationality"


def test_unknown_indicator_or_enum_value_is_refused_naming_it():
    with pytest.raises(engine.InvalidAnswers) as err:
        engine.assess({"indicators": {"sadness": True}})
    assert err.value.field == "indicators.sadness"
    with pytest.raises(engine.InvalidAnswers) as err:
        engine.assess({"means": ["magic"]})
    assert err.value.field == "means"


def test_rule_file_without_source_is_refused(tmp_path: Path):
    text = engine.RULES_FILE.read_text().replace(
        'source = "Palermo Protocol Art. 3(a)-(b); jurisdictions.md §1.1"\n', "", 1
    )
    bad = tmp_path / "screening.toml"
    bad.write_text(text)
    with pytest.raises(RuleDataError, match="trafficking_act_means_purpose: missing 'source'"):
        engine.load(bad)


def test_rule_file_with_unknown_key_is_refused(tmp_path: Path):
    text = engine.RULES_FILE.read_text().replace(
        'kind = "palermo"\n', 'kind = "palermo"\nseverity = 3\n', 1
    )
    bad = tmp_path / "screening.toml"
    bad.write_text(text)
    with pytest.raises(RuleDataError, match="unknown key"):
        engine.load(bad)


def test_every_rule_has_a_source_and_a_checked_date():
    for rule in engine.list_rules():
        assert rule["source"] and rule["checked"]


def test_every_screening_rule_has_a_test_here():
    text = Path(__file__).read_text()
    missing = [r for r in engine.rule_ids() if f'"{r}"' not in text]
    assert missing == []


tri = st.sampled_from([True, False, "unknown"])
answers_st = st.fixed_dictionaries(
    {},
    optional={
        "age": st.integers(0, 99),
        "act": st.lists(st.sampled_from(engine.rules()["acts"]), max_size=3),
        "means": st.lists(st.sampled_from(engine.rules()["means"]), max_size=3),
        "purpose": st.lists(st.sampled_from(engine.rules()["purposes"]), max_size=3),
        "indicators": st.dictionaries(
            st.sampled_from(engine.rules()["indicators"]), tri, max_size=11
        ),
        "involuntary": tri,
        "menace_of_penalty": tri,
    },
)


@settings(deadline=None)  # no wall-clock limits in tests
@given(answers_st)
def test_every_reason_cites_a_rule_that_exists_in_the_data(answers):
    result = engine.assess(answers)
    assert result["classification"] in engine.rules()["classes"]
    assert result["reasons"]
    assert {r["rule"] for r in result["reasons"]} <= engine.rule_ids()


@settings(deadline=None)  # no wall-clock limits in tests
@given(answers_st, st.sampled_from(engine.rules()["indicators"]))
def test_learning_an_indicator_is_present_never_lowers_the_classification(answers, indicator):
    classes = engine.rules()["classes"]
    before = engine.assess(answers)["classification"]
    more = dict(answers, indicators={**answers.get("indicators", {}), indicator: True})
    after = engine.assess(more)["classification"]
    assert classes.index(after) >= classes.index(before)
