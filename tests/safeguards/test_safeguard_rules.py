"""One test per Do No Harm safeguard, plus properties over all actions and contexts."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.rules.errors import RuleDataError
from northstar.safeguards.rules import engine

SAFE_ADULT = {
    "age": 30,
    "interpreter_needed": False,
    "previous_interviews": 0,
    "reflection_period_active": False,
    "consents": ["case_management"],
}


def findings(action, **context):
    return {f["rule"]: f for f in engine.check(action, {**SAFE_ADULT, **context})["findings"]}


def test_contract_example_interview_warns_and_names_the_rules():
    result = engine.check(
        "interview",
        {
            "age": 30,
            "interpreter_needed": True,
            "interpreter_present": False,
            "previous_interviews": 3,
            "reflection_period_active": True,
            "informed_consent_to_return": None,
            "best_interest_assessment_done": None,
            "family_involved_in_trafficking": False,
            "consents": ["case_management"],
        },
    )
    rules = {f["rule"]: f for f in result["findings"]}
    assert rules["minimise_retelling_the_story"]["severity"] == "warn"
    assert rules["minimise_retelling_the_story"]["harm"] == "psychological"
    assert "interpreter_needed_for_interview" in rules
    assert result["rule_set_version"] == engine.rules()["version"]


def test_an_action_with_no_risk_returns_no_findings():
    assert engine.check("interview", SAFE_ADULT)["findings"] == []
    assert engine.check("refer", {**SAFE_ADULT, "consents": ["referral"]})["findings"] == []


def test_a_victim_is_never_detained():
    f = findings("detain")["never_detain_a_victim"]
    assert (f["severity"], f["harm"]) == ("block", "legal")


def test_a_victim_is_never_charged_for_acts_they_were_forced_to_commit():
    assert (
        findings("charge_with_offence")["never_criminalise_for_forced_acts"]["severity"] == "block"
    )


def test_services_are_never_conditional_on_testimony():
    assert (
        findings("condition_services_on_testimony")["never_condition_services_on_testimony"][
            "severity"
        ]
        == "block"
    )


def test_a_survivors_movement_is_never_restricted_in_shelter():
    assert (
        findings("restrict_movement")["never_restrict_movement_in_shelter"]["severity"] == "block"
    )


def test_return_home_only_with_full_informed_consent():
    assert findings("return_home")["return_only_with_informed_consent"]["severity"] == "block"
    assert "return_only_with_informed_consent" not in findings(
        "return_home", informed_consent_to_return=True
    )


def test_no_one_is_returned_home_against_their_will():
    found = findings("return_home", informed_consent_to_return=True, voluntary=False)
    assert found["return_only_voluntary"]["severity"] == "block"
    assert "return_only_voluntary" not in findings(
        "return_home", informed_consent_to_return=True, voluntary=True
    )


def test_a_childs_return_needs_a_best_interest_assessment():
    found = findings("return_home", age=15, informed_consent_to_return=True)
    assert found["child_return_needs_best_interest_assessment"]["severity"] == "block"
    assert "child_return_needs_best_interest_assessment" not in findings(
        "return_home", age=15, informed_consent_to_return=True, best_interest_assessment_done=True
    )


def test_return_of_someone_of_unknown_age_is_blocked_until_assessed_as_for_a_child():
    found = findings("return_home", age=None, informed_consent_to_return=True)
    assert found["child_return_needs_best_interest_assessment"]["severity"] == "block"


def test_someone_of_unknown_age_is_never_returned_to_the_family_that_trafficked_them():
    found = findings(
        "return_home", age=None, informed_consent_to_return=True,
        best_interest_assessment_done=True, family_involved_in_trafficking=True,
    )
    rule = found["child_never_returned_to_family_that_trafficked_them"]
    assert rule["severity"] == "block" and rule["override"] == "never"


def test_a_child_is_never_returned_to_the_family_that_trafficked_them():
    found = findings(
        "return_home",
        age=12,
        informed_consent_to_return=True,
        best_interest_assessment_done=True,
        family_involved_in_trafficking=True,
    )
    assert found["child_never_returned_to_family_that_trafficked_them"]["severity"] == "block"


def test_an_adult_returning_to_a_family_that_trafficked_them_is_warned():
    found = findings(
        "return_home", informed_consent_to_return=True, family_involved_in_trafficking=True
    )
    assert found["adult_return_to_family_involved_in_trafficking"]["severity"] == "warn"
    assert "child_never_returned_to_family_that_trafficked_them" not in found


def test_return_despite_fear_of_retaliation_raises_asylum():
    found = findings("return_home", informed_consent_to_return=True, fears_retaliation_at_home=True)
    assert found["return_despite_fear_of_retaliation"]["harm"] == "physical"


def test_return_after_sexual_exploitation_prepares_for_stigma():
    found = findings("return_home", informed_consent_to_return=True, exploitation=["sex"])
    assert found["return_stigma_after_sexual_exploitation"]["harm"] == "social"


def test_return_after_labour_exploitation_claims_unpaid_wages_first():
    found = findings("return_home", informed_consent_to_return=True, exploitation=["labour"])
    assert found["return_debt_from_unpaid_wages"]["harm"] == "economic"


def test_no_one_is_identified_before_they_are_ready():
    assert (
        findings("identify_formally", ready_to_be_identified=False)["never_force_identification"][
            "severity"
        ]
        == "block"
    )
    assert findings("identify_formally", ready_to_be_identified=True) == {}


def test_identification_readiness_is_asked_when_unknown():
    assert findings("identify_formally")["identification_readiness_unknown"]["severity"] == "warn"


def test_the_reflection_period_is_not_interrupted_by_pressure():
    found = findings("interview", reflection_period_active=True)
    assert found["no_pressure_during_reflection_period"]["severity"] == "warn"


def test_no_interview_without_the_interpreter_the_survivor_needs():
    found = findings("interview", interpreter_needed=True, interpreter_present=None)
    assert found["interpreter_needed_for_interview"]["severity"] == "block"
    assert findings("interview", interpreter_needed=True, interpreter_present=True) == {}


def test_decisions_are_explained_with_an_interpreter():
    found = findings("refer", consents=["referral"], interpreter_needed=True)
    assert found["interpreter_needed_to_explain_decision"]["severity"] == "warn"


def test_interviews_in_a_language_not_the_survivors_are_flagged():
    found = findings("interview", language="th", preferred_language="km")
    assert found["not_in_survivors_language"]["severity"] == "warn"
    assert findings("interview", language="km", preferred_language="KM") == {}


def test_a_second_telling_already_warns_about_retraumatising():
    assert "minimise_retelling_the_story" in findings("interview", previous_interviews=1)
    assert "minimise_retelling_the_story" not in findings("interview", previous_interviews=0)


def test_identification_interviews_and_hearings_count_as_retellings():
    found = findings("interview", previous_interviews=0, previous_hearings=1)
    assert "minimise_retelling_the_story" in found
    found = findings("interview", previous_interviews=0, previous_identification_interviews=1)
    assert "minimise_retelling_the_story" in found


def test_a_recorded_statement_on_file_says_use_it_instead_of_a_new_telling():
    found = findings("interview", recorded_statement_on_file=True)
    assert "Use it" in found["use_the_recorded_statement"]["explanation"]


def test_a_child_is_interviewed_by_a_specialist():
    assert findings("interview", age=9)["child_interview_by_specialist"]["severity"] == "warn"


def test_nothing_is_shared_with_law_enforcement_without_consent():
    assert (
        findings("share_with_law_enforcement")["no_sharing_with_law_enforcement_without_consent"][
            "severity"
        ]
        == "block"
    )
    assert findings("share_with_law_enforcement", consents=["law_enforcement_sharing"]) == {}


def test_missing_consent_list_is_no_consent():
    result = engine.check("share_with_law_enforcement", {"age": 30})
    assert [f["rule"] for f in result["findings"]] == [
        "no_sharing_with_law_enforcement_without_consent"
    ]


def test_no_referral_without_referral_consent():
    assert findings("refer")["no_referral_without_consent"]["severity"] == "block"


def test_no_story_is_published_without_advocacy_consent():
    assert (
        findings("publish_story", anonymous=True)["no_story_without_advocacy_consent"]["severity"]
        == "block"
    )


def test_a_childs_story_is_only_ever_anonymous():
    found = findings("publish_story", age=16, consents=["advocacy"], anonymous=False)
    assert found["child_story_only_anonymous"]["severity"] == "block"
    assert findings("publish_story", age=16, consents=["advocacy"], anonymous=True) == {}


def test_a_story_of_someone_of_unknown_age_is_only_anonymous():
    found = findings("publish_story", age=None, consents=["advocacy"])
    assert found["story_age_unknown_only_anonymous"]["severity"] == "block"


def test_a_named_story_despite_fear_of_retaliation_is_warned():
    found = findings("publish_story", consents=["advocacy"], fears_retaliation_at_home=True)
    assert found["public_story_despite_fear_of_retaliation"]["severity"] == "warn"


def test_sex_trafficking_is_never_settled_out_of_court():
    found = findings("settle_out_of_court", exploitation=["sex", "labour"], coercion="low")
    assert found["no_out_of_court_settlement_for_sex_trafficking"]["severity"] == "block"


def test_a_coercive_case_is_never_settled_out_of_court():
    found = findings("settle_out_of_court", exploitation=["labour"], coercion="high")
    assert found["no_out_of_court_settlement_for_coercive_case"]["severity"] == "block"


def test_a_childs_settlement_needs_a_best_interest_assessment():
    found = findings("settle_out_of_court", age=16, exploitation=["labour"], coercion="low")
    assert found["out_of_court_settlement_for_child_needs_best_interest"]["severity"] == "block"


def test_a_settlement_must_be_voluntary():
    found = findings(
        "settle_out_of_court", exploitation=["labour"], coercion="low", voluntary=False
    )
    assert found["settlement_must_be_voluntary"]["severity"] == "block"
    assert (
        findings(
            "settle_out_of_court", exploitation=["labour"], coercion="low", voluntary=True,
            screening="labour_rights_violation",
        )
        == {}
    )


def test_a_settlement_whose_voluntariness_is_unknown_warns():
    found = findings("settle_out_of_court", exploitation=["labour"], coercion="low")
    assert found["settlement_voluntariness_unknown"]["severity"] == "warn"


def test_coercion_left_out_warns_like_coercion_unknown():
    found = findings("record_settlement", exploitation=["labour"], voluntary=True)
    assert found["settlement_coercion_unknown"]["severity"] == "warn"


def test_a_settlement_without_a_needed_interpreter_is_blocked():
    found = findings(
        "record_settlement", exploitation=["labour"], coercion="low", voluntary=True,
        interpreter_needed=True, interpreter_present=False,
    )
    assert found["settlement_needs_interpreter"]["severity"] == "block"


def test_a_settlement_on_a_case_screened_as_trafficking_is_absolutely_blocked():
    for screening in ("trafficking", "possible_trafficking"):
        found = findings(
            "settle_out_of_court", exploitation=["labour"], coercion="low", voluntary=True,
            screening=screening,
        )
        rule = found["no_settlement_when_screened_as_trafficking"]
        assert rule["severity"] == "block" and rule["override"] == "never"


def test_a_settlement_on_an_unscreened_case_warns():
    found = findings("settle_out_of_court", exploitation=["labour"], coercion="low", voluntary=True)
    assert found["settlement_not_screened"]["severity"] == "warn"


def test_no_agreement_may_require_withdrawing_a_complaint_or_testimony():
    for term in ("withdraw_complaint", "withdraw_testimony", "refuse_to_testify"):
        found = findings("record_settlement", agreement_terms=["payment_in_instalments", term])
        rule = found["agreement_never_requires_withdrawing_complaint_or_testimony"]
        assert rule["severity"] == "block" and rule["override"] == "never"
    assert "agreement_never_requires_withdrawing_complaint_or_testimony" not in findings(
        "record_settlement", agreement_terms=["payment_in_instalments"]
    )


def test_a_child_of_unknown_age_needs_a_best_interest_check_before_settlement():
    found = findings("settle_out_of_court", age=None)
    assert found["out_of_court_settlement_for_child_needs_best_interest"]["severity"] == "block"


def test_domestic_servitude_warns_of_debt_on_return_like_labour():
    found = findings("return_home", informed_consent_to_return=True,
                     exploitation=["domestic_servitude"])
    assert "return_debt_from_unpaid_wages" in found


def test_a_recruitment_debt_or_held_documents_warn_before_return():
    found = findings("return_home", informed_consent_to_return=True, recruitment_debt="yes",
                     documents_held_by_employer="yes")
    assert {"return_with_recruitment_debt", "return_documents_held_by_employer"} <= set(found)


def test_detention_or_charge_for_immigration_offences_is_absolutely_blocked():
    for action in ("detain", "charge_with_offence"):
        rule = findings(action, offence="immigration")["never_detain_for_immigration_offences"]
        assert rule["override"] == "never"
        rule = findings(action, entry="irregular")[
            "irregular_entry_offence_unknown_treat_as_immigration"
        ]
        assert rule["override"] == "never"
    assert "irregular_entry_offence_unknown_treat_as_immigration" not in findings(
        "detain", entry="irregular", offence="unrelated"
    )


def test_detaining_or_charging_a_victim_otherwise_needs_two_supervisors():
    assert findings("detain")["never_detain_a_victim"]["override"] == "two_supervisors"
    assert findings("charge_with_offence")["never_criminalise_for_forced_acts"][
        "min_justification"
    ] == 200


def test_supervising_a_child_asks_for_a_best_interest_justification_not_a_blanket_block():
    found = findings("restrict_movement", age=15)
    assert found["child_supervision_needs_best_interest_justification"]["severity"] == "block"
    assert "never_restrict_movement_in_shelter" not in found
    justified = findings("restrict_movement", age=15, supervision_justified_in_best_interest=True)
    assert list(justified) == ["child_supervision_least_restrictive_and_reviewed"]
    assert "child_supervision_needs_best_interest_justification" in findings(
        "restrict_movement", age=None
    )


def test_a_settlement_waits_for_coercion_to_be_assessed():
    found = findings("settle_out_of_court", exploitation=["labour"], coercion="unknown")
    assert found["settlement_coercion_unknown"]["severity"] == "warn"


def test_block_findings_come_before_warnings():
    result = engine.check(
        "interview", {**SAFE_ADULT, "interpreter_needed": True, "previous_interviews": 5}
    )
    assert [f["severity"] for f in result["findings"]] == ["block", "warn"]


def test_unknown_action_context_key_or_value_is_refused_naming_it():
    with pytest.raises(engine.InvalidCheck) as err:
        engine.check("deport", {})
    assert err.value.field == "action"
    with pytest.raises(engine.InvalidCheck) as err:
        engine.check("interview", {"mood": "calm"})
    assert err.value.field == "context.mood"
    with pytest.raises(engine.InvalidCheck) as err:
        engine.check("refer", {"consents": ["gossip"]})
    assert err.value.field == "context.consents"
    with pytest.raises(engine.InvalidCheck) as err:
        engine.check("interview", {"previous_interviews": "many"})
    assert err.value.field == "context.previous_interviews"


def test_a_rule_with_an_undocumented_context_key_is_refused(tmp_path: Path):
    text = engine.RULES_FILE.read_text().replace(
        "when = { voluntary = { is = false } }", "when = { pressured = { is = true } }"
    )
    bad = tmp_path / "safeguards.toml"
    bad.write_text(text)
    with pytest.raises(RuleDataError, match="unknown fact 'pressured'"):
        engine.load(bad)


def test_a_rule_without_a_source_is_refused(tmp_path: Path):
    text = engine.RULES_FILE.read_text()
    marker = 'id = "settlement_coercion_unknown"'
    head, tail = text.split(marker)
    bad = tmp_path / "safeguards.toml"
    bad.write_text(
        head + marker + tail.replace('source = "001_1230a8528fd74e42.txt; DOMAIN.md §4"\n', "", 1)
    )
    with pytest.raises(RuleDataError, match="settlement_coercion_unknown: missing 'source'"):
        engine.load(bad)


def test_every_context_key_is_documented():
    for name, spec in engine.context_keys().items():
        assert spec["description"] and spec["type"], name


def test_every_safeguard_has_a_test_here():
    text = Path(__file__).read_text()
    assert [r for r in engine.rule_ids() if f'"{r}"' not in text] == []


data = engine.rules()


def _value(spec):
    kind = spec["type"]
    if kind == "int":
        return st.one_of(st.none(), st.integers(0, 90))
    if kind == "bool":
        return st.one_of(st.none(), st.booleans())
    if kind == "list":
        return st.one_of(st.none(), st.lists(st.sampled_from(spec["choices"]), max_size=3))
    if spec.get("choices"):
        return st.one_of(st.none(), st.sampled_from(spec["choices"]))
    return st.one_of(st.none(), st.sampled_from(["en", "th", "km", "vi"]))


contexts = st.fixed_dictionaries({}, optional={k: _value(v) for k, v in data["context"].items()})


@settings(deadline=None)  # no wall-clock limits in tests
@given(st.sampled_from(sorted(data["actions"])), contexts)
def test_every_finding_cites_a_rule_that_exists_in_the_data(action, context):
    ids = engine.rule_ids()
    for finding in engine.check(action, context)["findings"]:
        assert finding["rule"] in ids
        assert finding["severity"] in ("block", "warn")
        assert finding["harm"] in data["harms"]


@settings(deadline=None)  # no wall-clock limits in tests
@given(contexts)
def test_detention_and_conditioning_services_are_always_blocked(context):
    for action in ("detain", "condition_services_on_testimony"):
        assert engine.blocks(engine.check(action, context))
    # An adult's movement is never restricted; a child's only with a best-interest justification.
    if context.get("age") is not None and context["age"] >= 18:
        assert engine.blocks(engine.check("restrict_movement", context))


@settings(deadline=None)  # no wall-clock limits in tests
@given(contexts)
def test_a_child_is_never_returned_without_a_block_unless_consent_and_assessment_are_recorded(
    context,
):
    context = {**context, "age": 14}
    result = engine.check("return_home", context)
    safe = (
        context.get("voluntary") is not False
        and context.get("informed_consent_to_return") is True
        and context.get("best_interest_assessment_done") is True
        and context.get("family_involved_in_trafficking") is not True
    )
    assert bool(engine.blocks(result)) == (not safe)


# --- Engagement (issue 16): checked per participant before each activity ----------------------

PREPARED = {"consents": ["engagement"], "support_person_named": True, "briefing_done": True,
            "debriefing_planned": True, "right_to_withdraw_stated": True,
            "offender_may_be_present": False, "anonymous": True}


@pytest.mark.parametrize("action, context, rule, severity", [
    ("engage_in_activity", {"consents": []}, "engagement_needs_engagement_consent", "block"),
    ("publish_testimony", {"age": 16}, "no_public_testimony_by_a_child", "block"),
    ("publish_testimony", {"age": None}, "no_public_testimony_by_a_child", "block"),
    ("engage_in_activity", {"age": 16, "guardian_consent": True, "best_interest_recorded": True,
                            "chose_to_be_named": True}, "child_takes_part_only_anonymously",
     "block"),
    ("engage_in_activity", {"age": 16, "best_interest_recorded": True},
     "child_needs_guardian_consent", "block"),
    ("engage_in_activity", {"age": 16, "guardian_consent": True},
     "child_needs_best_interest_recorded", "block"),
    ("engage_in_activity", {"offender_may_be_present": True}, "no_contact_with_offender", "block"),
    ("publish_testimony", {"offender_may_be_present": None}, "offender_presence_not_asked",
     "warn"),
    ("engage_in_activity", {"asked_to_tell_own_story": True}, "no_retelling_unless_chosen",
     "block"),
    ("publish_testimony", {"anonymous": False}, "named_only_by_own_choice", "block"),
    ("engage_in_activity", {"support_person_named": None}, "activity_without_support_person",
     "warn"),
    ("publish_testimony", {"briefing_done": False}, "activity_without_briefing", "warn"),
    ("engage_in_activity", {"debriefing_planned": False}, "activity_without_debriefing", "warn"),
    ("engage_in_activity", {"right_to_withdraw_stated": None}, "right_to_withdraw_not_stated",
     "warn"),
])
def test_engagement_safeguards(action, context, rule, severity):
    found = findings(action, **{**PREPARED, **context})
    assert found[rule]["severity"] == severity
    assert rule not in findings(action, **PREPARED)
