"""One test per applicability rule of the nine interventions, plus properties
that hold over every profile."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.law.position import position_for
from northstar.pathways.rules import engine
from northstar.rules.errors import RuleDataError

CONTRACT = {
    "jurisdiction": "TH",
    "age": 16,
    "exploitation": ["sex"],
    "coercion": "high",
    "relationship_to_offender": "family",
    "cross_border": True,
    "fears_retaliation_at_home": False,
    "trial_participation": "undecided",
    "received_trauma_care": False,
    "wishes": {"reconcile": True, "advocacy": "anonymous", "livelihood_interests": ["tailoring"]},
}
ADULT_LABOUR = {
    "jurisdiction": "KH",
    "age": 30,
    "exploitation": ["labour"],
    "coercion": "low",
    "relationship_to_offender": "stranger",
    "cross_border": False,
    "fears_retaliation_at_home": False,
    "trial_participation": "no",
    "received_trauma_care": True,
    "wishes": {"reconcile": False, "advocacy": "public", "livelihood_interests": ["cooking"]},
    "screening": "labour_rights_violation",
}


def one(profile, key, **changes):
    wishes = changes.pop("wishes", None)
    profile = {**profile, **changes}
    if wishes is not None:
        profile["wishes"] = {**profile.get("wishes", {}), **wishes}
    return next(i for i in engine.assess(profile)["interventions"] if i["key"] == key)


def rules_of(item):
    return [r["rule"] for r in item["reasons"]]


def test_contract_example_lists_all_nine_and_never_reconciles_a_child_with_her_trafficking_family():
    result = engine.assess(CONTRACT)
    assert [i["key"] for i in result["interventions"]] == list(engine.intervention_keys())
    rec = one(CONTRACT, "reconciliation")
    assert (rec["pathway"], rec["outcome"], rec["eligibility"], rec["readiness"]) == (
        "restorative",
        "healing",
        "not_eligible",
        "needs_research",
    )
    assert rules_of(rec)[0] == "reconciliation_never_for_a_child_trafficked_by_family"


# ------------------------------------------------------------ readiness of each of the nine
@pytest.mark.parametrize(
    ("key", "rule", "readiness"),
    [
        ("state_compensation", "state_compensation_ready_in_region", "ready"),
        (
            "legal_aid_deterrence",
            "legal_aid_deterrence_must_go_beyond_conviction",
            "needs_modification",
        ),
        ("trauma_informed_support", "trauma_informed_support_ready_in_region", "ready"),
        ("out_of_court_compensation", "out_of_court_compensation_ready_in_region", "ready"),
        ("victim_impact_panel", "victim_impact_panel_needs_research", "needs_research"),
        ("reconciliation", "reconciliation_needs_research", "needs_research"),
        ("livelihood", "livelihood_must_be_long_term_and_chosen", "needs_modification"),
        ("survivor_led_advocacy", "survivor_led_advocacy_ready_in_region", "ready"),
        ("peer_therapy", "peer_therapy_needs_research", "needs_research"),
    ],
)
def test_regional_readiness_follows_the_report(key, rule, readiness):
    item = one(ADULT_LABOUR, key)
    assert item["readiness"] == readiness
    assert rule in rules_of(item)


# ------------------------------------------------------------ out-of-court compensation
def test_out_of_court_compensation_is_offered_for_less_severe_labour_exploitation():
    assert one(ADULT_LABOUR, "out_of_court_compensation")["eligibility"] == "eligible"


def test_out_of_court_compensation_is_only_for_labour_exploitation():
    item = one(ADULT_LABOUR, "out_of_court_compensation", exploitation=["forced_marriage"])
    assert item["eligibility"] == "not_eligible"
    assert "out_of_court_compensation_only_for_labour_exploitation" in rules_of(item)


def test_out_of_court_compensation_is_never_offered_for_sex_trafficking():
    item = one(ADULT_LABOUR, "out_of_court_compensation", exploitation=["labour", "sex"])
    assert item["eligibility"] == "not_eligible"
    assert "out_of_court_compensation_never_for_sex_trafficking" in rules_of(item)


def test_out_of_court_compensation_is_never_offered_for_coercive_cases():
    item = one(ADULT_LABOUR, "out_of_court_compensation", coercion="high")
    assert item["eligibility"] == "not_eligible"
    assert "out_of_court_compensation_never_for_coercive_cases" in rules_of(item)


def test_out_of_court_compensation_waits_for_coercion_to_be_assessed():
    item = one(ADULT_LABOUR, "out_of_court_compensation", coercion="unknown")
    assert item["eligibility"] == "conditional"
    assert "out_of_court_compensation_needs_coercion_assessed" in rules_of(item)


def test_out_of_court_compensation_waits_for_the_form_of_exploitation():
    item = one(ADULT_LABOUR, "out_of_court_compensation", exploitation=None)
    assert item["eligibility"] == "conditional"
    assert "out_of_court_compensation_needs_form_of_exploitation" in rules_of(item)


def test_out_of_court_settlement_for_a_child_needs_a_guardian_and_best_interest_check():
    item = one(ADULT_LABOUR, "out_of_court_compensation", age=15)
    assert item["eligibility"] == "conditional"
    assert "out_of_court_compensation_child_needs_guardian_and_best_interest" in rules_of(item)


def test_out_of_court_compensation_tells_the_survivor_court_stays_open():
    item = one(ADULT_LABOUR, "out_of_court_compensation")
    assert "out_of_court_compensation_disputes_escalate_to_court" in rules_of(item)


def test_out_of_court_model_is_noted_as_most_needed_in_cambodia():
    item = one(ADULT_LABOUR, "out_of_court_compensation")
    assert "out_of_court_compensation_most_needed_where_legal_compensation_undeveloped" in rules_of(
        item
    )
    assert item["feasibility"]
    other = one(ADULT_LABOUR, "out_of_court_compensation", jurisdiction="SG")
    assert (
        "out_of_court_compensation_most_needed_where_legal_compensation_undeveloped"
        not in rules_of(other)
    )


# ------------------------------------------------------------ state compensation
def test_thai_state_compensation_is_not_presented_as_delivering():
    item = one(ADULT_LABOUR, "state_compensation", jurisdiction="TH")
    assert "state_compensation_thailand_in_law_but_rarely_paid" in rules_of(item)
    note = next(n for n in item["feasibility"] if "ss.34-35" in n)
    assert "improvable, not delivering" in note and "5 were paid" in note
    assert not any("can deliver" in n for n in item["feasibility"])


def test_philippine_state_compensation_uses_its_own_law_and_is_improvable():
    item = one(ADULT_LABOUR, "state_compensation", jurisdiction="PH")
    assert "state_compensation_philippines_in_law_delivery_improvable" in rules_of(item)
    note = next(n for n in item["feasibility"] if "RA 9208" in n)
    assert "improvable, not delivering" in note and "ss.34-35" not in note


@pytest.mark.parametrize("code", ["TH", "PH"])
def test_state_compensation_notes_agree_with_the_legal_position(code):
    from_law = {r.delivery.value for r in position_for(code).compensation_routes
                if r.route in ("state_fund", "criminal_court_order", "civil_claim")}
    assert "delivering" not in from_law and "improvable" in from_law


def test_state_compensation_notes_wage_arrears_without_conviction_in_malaysia():
    item = one(ADULT_LABOUR, "state_compensation", jurisdiction="MY")
    assert "state_compensation_wage_arrears_without_conviction_malaysia" in rules_of(item)


def test_state_compensation_warns_where_legal_compensation_is_undeveloped():
    item = one(ADULT_LABOUR, "state_compensation", jurisdiction="KH")
    assert "state_compensation_weak_where_legal_compensation_undeveloped" in rules_of(item)
    assert item["eligibility"] == "eligible"


# ------------------------------------------------------------ legal aid and deterrence
def test_legal_aid_includes_asylum_help_when_retaliation_is_feared_at_home():
    item = one(ADULT_LABOUR, "legal_aid_deterrence", fears_retaliation_at_home=True)
    assert "legal_aid_includes_asylum_when_retaliation_feared_at_home" in rules_of(item)
    assert "legal_aid_includes_asylum_when_retaliation_feared_at_home" not in rules_of(
        one(ADULT_LABOUR, "legal_aid_deterrence")
    )


def test_legal_aid_lets_a_cross_border_survivor_follow_the_case_from_home():
    item = one(ADULT_LABOUR, "legal_aid_deterrence", cross_border=True)
    assert "legal_aid_cross_border_case_from_origin_country" in rules_of(item)


def test_procedural_support_matters_most_for_deeply_traumatised_survivors_facing_trial():
    for key in ("state_compensation", "legal_aid_deterrence", "trauma_informed_support"):
        item = one(ADULT_LABOUR, key, coercion="high", trial_participation="yes")
        assert "procedural_matters_most_for_deeply_traumatised_going_to_trial" in rules_of(item)
        assert (
            item["eligibility"]
            == one(ADULT_LABOUR, key, coercion="high", trial_participation="no")["eligibility"]
        )


# ------------------------------------------------------------ trauma-informed support
def test_trauma_informed_support_applies_everywhere():
    for j in engine.rules()["jurisdictions"]:
        item = one(ADULT_LABOUR, "trauma_informed_support", jurisdiction=j)
        assert item["eligibility"] == "eligible"
        assert "trauma_informed_support_applies_everywhere" in rules_of(item)


def test_thailand_reflection_period_is_offered_before_identification_interview():
    item = one(ADULT_LABOUR, "trauma_informed_support", jurisdiction="TH")
    assert "trauma_informed_support_thailand_reflection_period" in rules_of(item)


def test_a_childs_mental_safety_comes_first_in_care():
    item = one(ADULT_LABOUR, "trauma_informed_support", age=12)
    assert "trauma_informed_support_child_mental_safety_first" in rules_of(item)


# ------------------------------------------------------------ victim impact panel
def test_victim_impact_panel_never_with_the_survivors_own_offender():
    item = one(ADULT_LABOUR, "victim_impact_panel")
    assert item["eligibility"] == "conditional"
    assert "victim_impact_panel_never_with_own_offender" in rules_of(item)
    assert any("never their own" in c for c in item["conditions"])


def test_victim_impact_panel_for_a_child_needs_a_child_protection_assessment():
    item = one(ADULT_LABOUR, "victim_impact_panel", age=14)
    assert "victim_impact_panel_child_needs_child_protection_assessment" in rules_of(item)


# ------------------------------------------------------------ reconciliation
def test_reconciliation_is_never_offered_unless_the_survivor_wants_it():
    for wish in (False, None):
        item = one(
            ADULT_LABOUR,
            "reconciliation",
            relationship_to_offender="family",
            wishes={"reconcile": wish},
        )
        assert item["eligibility"] == "not_eligible"
        assert "reconciliation_only_if_survivor_wants_it" in rules_of(item)


def test_reconciliation_is_never_with_a_stranger():
    item = one(
        ADULT_LABOUR,
        "reconciliation",
        relationship_to_offender="stranger",
        wishes={"reconcile": True},
    )
    assert item["eligibility"] == "not_eligible"
    assert "reconciliation_only_with_family_or_community_offender" in rules_of(item)


def test_reconciliation_with_community_offender_is_offered_through_a_facilitator():
    item = one(
        ADULT_LABOUR,
        "reconciliation",
        relationship_to_offender="community",
        wishes={"reconcile": True},
    )
    assert item["eligibility"] == "conditional"
    assert "reconciliation_only_through_a_trained_facilitator" in rules_of(item)


def test_reconciliation_waits_until_the_offender_relationship_is_known():
    item = one(
        ADULT_LABOUR,
        "reconciliation",
        relationship_to_offender="unknown",
        wishes={"reconcile": True},
    )
    assert item["eligibility"] == "conditional"
    assert "reconciliation_offender_relationship_unknown" in rules_of(item)


def test_reconciliation_for_a_child_needs_a_best_interest_assessment():
    item = one(CONTRACT, "reconciliation")
    assert "reconciliation_child_needs_best_interest_assessment" in rules_of(item)


# ------------------------------------------------------------ livelihood
def test_livelihood_follows_trauma_care_and_does_not_replace_it():
    item = one(ADULT_LABOUR, "livelihood", received_trauma_care=False)
    assert item["eligibility"] == "conditional"
    assert "livelihood_follows_trauma_care" in rules_of(item)
    assert one(ADULT_LABOUR, "livelihood")["eligibility"] == "eligible"


def test_livelihood_is_built_on_the_survivors_own_interests():
    item = one(ADULT_LABOUR, "livelihood")
    assert "livelihood_built_on_survivor_interests" in rules_of(item)
    assert any("cooking" in note for note in item["feasibility"])


def test_livelihood_asks_for_interests_before_choosing_training():
    item = one(ADULT_LABOUR, "livelihood", wishes={"livelihood_interests": []})
    assert "livelihood_ask_survivor_interests" in rules_of(item)


# ------------------------------------------------------------ survivor-led advocacy
def test_advocacy_is_not_offered_when_the_survivor_chose_not_to_take_part():
    item = one(ADULT_LABOUR, "survivor_led_advocacy", wishes={"advocacy": "none"})
    assert item["eligibility"] == "not_eligible" and item["options"] == []
    assert "advocacy_only_if_survivor_chooses" in rules_of(item)


def test_advocacy_is_only_the_survivors_choice_when_not_asked_yet():
    item = one(ADULT_LABOUR, "survivor_led_advocacy", wishes={"advocacy": None})
    assert item["eligibility"] == "conditional"
    assert "advocacy_ask_survivor_first" in rules_of(item)


def test_a_child_may_only_take_part_in_advocacy_anonymously():
    item = one(ADULT_LABOUR, "survivor_led_advocacy", age=17, wishes={"advocacy": "public"})
    assert item["options"] == ["anonymous"]
    assert "child_advocacy_anonymous_only" in rules_of(item)
    assert one(ADULT_LABOUR, "survivor_led_advocacy")["options"] == ["anonymous", "public"]


def test_advocacy_stays_anonymous_until_adult_age_is_confirmed():
    item = one(ADULT_LABOUR, "survivor_led_advocacy", age=None)
    assert item["options"] == ["anonymous"]
    assert "advocacy_anonymous_until_adult_age_confirmed" in rules_of(item)


def test_public_advocacy_is_planned_around_the_retaliation_feared():
    item = one(ADULT_LABOUR, "survivor_led_advocacy", fears_retaliation_at_home=True)
    assert item["eligibility"] == "conditional"
    assert "advocacy_public_risky_when_retaliation_feared" in rules_of(item)


def test_advocacy_is_feasible_where_speech_is_free():
    item = one(ADULT_LABOUR, "survivor_led_advocacy", jurisdiction="PH")
    assert "advocacy_feasible_with_freedom_of_speech" in rules_of(item)


def test_advocacy_elsewhere_checks_freedom_of_speech_first():
    item = one(ADULT_LABOUR, "survivor_led_advocacy", jurisdiction="VN")
    assert "advocacy_check_freedom_of_speech" in rules_of(item)


# ------------------------------------------------------------ peer therapy
def test_a_child_joins_peer_therapy_only_in_a_childrens_group():
    item = one(ADULT_LABOUR, "peer_therapy", age=13)
    assert item["eligibility"] == "conditional"
    assert "peer_therapy_child_in_child_groups" in rules_of(item)


# ------------------------------------------------------------ input and data checks
def test_unknown_profile_field_or_enum_is_refused_naming_it():
    with pytest.raises(engine.InvalidProfile) as err:
        engine.assess({**ADULT_LABOUR, "religion": "x"})
    assert err.value.field == "religion"
    with pytest.raises(engine.InvalidProfile) as err:
        engine.assess({**ADULT_LABOUR, "coercion": "medium"})
    assert err.value.field == "coercion"
    with pytest.raises(engine.InvalidProfile) as err:
        engine.assess({**ADULT_LABOUR, "wishes": {"advocacy": "loud"}})
    assert err.value.field == "wishes.advocacy"


def test_a_rule_making_an_intervention_depend_on_testifying_is_refused(tmp_path: Path):
    text = engine.RULES_FILE.read_text().replace(
        "when = { received_trauma_care = { is_not = true } }",
        'when = { trial_participation = { is_not = "yes" } }',
    )
    bad = tmp_path / "interventions.toml"
    bad.write_text(text)
    with pytest.raises(RuleDataError, match="trial_participation"):
        engine.load(bad)


def test_a_rule_without_checked_date_is_refused(tmp_path: Path):
    text = engine.RULES_FILE.read_text()
    marker = 'id = "peer_therapy_child_in_child_groups"'
    head, tail = text.split(marker)
    bad = tmp_path / "interventions.toml"
    bad.write_text(head + marker + tail.replace("checked = 2026-11-29\n", "", 1))
    with pytest.raises(RuleDataError, match="peer_therapy_child_in_child_groups.*checked"):
        engine.load(bad)


def test_a_rule_testing_an_unknown_fact_is_refused(tmp_path: Path):
    text = engine.RULES_FILE.read_text().replace(
        'when = { jurisdiction = { is = "MY" } }', 'when = { country = { is = "MY" } }'
    )
    bad = tmp_path / "interventions.toml"
    bad.write_text(text)
    with pytest.raises(RuleDataError, match="unknown fact 'country'"):
        engine.load(bad)


def test_plan_order_follows_the_survivors_first_ranked_outcome():
    results = engine.assess(ADULT_LABOUR)["interventions"]
    ordered = engine.order_by_priorities(
        results, ["healing", "monetary_support", "safety_self_and_others"]
    )
    assert [i["outcome"] for i in ordered[:3]] == ["healing"] * 3


def test_every_pathway_rule_has_a_test_here():
    text = Path(__file__).read_text()
    assert [r for r in engine.rule_ids() if f'"{r}"' not in text] == []


# ------------------------------------------------------------ properties over all profiles
data = engine.rules()
profiles = st.fixed_dictionaries(
    {"jurisdiction": st.sampled_from(data["jurisdictions"])},
    optional={
        "age": st.one_of(st.none(), st.integers(0, 90)),
        "child": st.one_of(st.none(), st.booleans()),
        "exploitation": st.one_of(
            st.none(), st.lists(st.sampled_from(data["exploitation"]), max_size=3)
        ),
        "coercion": st.sampled_from(engine.COERCION),
        "relationship_to_offender": st.sampled_from(engine.RELATIONSHIP),
        "cross_border": st.one_of(st.none(), st.booleans()),
        "fears_retaliation_at_home": st.one_of(st.none(), st.booleans()),
        "trial_participation": st.sampled_from(engine.TRIAL),
        "received_trauma_care": st.one_of(st.none(), st.booleans()),
        "wishes": st.fixed_dictionaries(
            {},
            optional={
                "reconcile": st.one_of(st.none(), st.booleans()),
                "advocacy": st.one_of(st.none(), st.sampled_from(engine.ADVOCACY)),
                "livelihood_interests": st.lists(
                    st.sampled_from(["tailoring", "farming", "IT"]), max_size=2
                ),
            },
        ),
    },
)
RANK = {"not_eligible": 0, "conditional": 1, "eligible": 2}


@settings(deadline=None)  # no wall-clock limits in tests
@given(profiles)
def test_nothing_is_ever_eligible_only_if_the_survivor_testifies(profile):
    others = {
        t: engine.assess({**profile, "trial_participation": t})["interventions"]
        for t in ("no", "undecided")
    }
    testifying = engine.assess({**profile, "trial_participation": "yes"})["interventions"]
    for t, results in others.items():
        for yes, other in zip(testifying, results, strict=True):
            assert RANK[yes["eligibility"]] <= RANK[other["eligibility"]], (t, yes["key"])
            assert yes["conditions"] == other["conditions"]


@settings(deadline=None)  # no wall-clock limits in tests
@given(profiles)
def test_a_child_never_gets_a_non_anonymous_advocacy_option(profile):
    child = {**profile, "age": 10}
    advocacy = next(
        i for i in engine.assess(child)["interventions"] if i["key"] == "survivor_led_advocacy"
    )
    assert set(advocacy["options"]) <= {"anonymous"}
    flagged = {**profile, "age": None, "child": True}
    advocacy = next(
        i for i in engine.assess(flagged)["interventions"] if i["key"] == "survivor_led_advocacy"
    )
    assert set(advocacy["options"]) <= {"anonymous"}


@settings(deadline=None)  # no wall-clock limits in tests
@given(profiles)
def test_every_output_lists_all_nine_interventions(profile):
    result = engine.assess(profile)
    assert [i["key"] for i in result["interventions"]] == list(engine.intervention_keys())
    assert len(result["interventions"]) == 9
    for item in result["interventions"]:
        assert item["eligibility"] in RANK
        assert (item["eligibility"] == "conditional") == bool(item["conditions"])


@settings(deadline=None)  # no wall-clock limits in tests
@given(profiles)
def test_every_reason_cites_a_rule_that_exists_in_the_data(profile):
    ids = engine.rule_ids()
    for item in engine.assess(profile)["interventions"]:
        assert item["reasons"]
        assert {r["rule"] for r in item["reasons"]} <= ids


@settings(deadline=None)  # no wall-clock limits in tests
@given(profiles)
def test_out_of_court_compensation_is_never_offered_for_sex_trafficking_or_coercion(profile):
    item = next(
        i
        for i in engine.assess(profile)["interventions"]
        if i["key"] == "out_of_court_compensation"
    )
    exploitation = profile.get("exploitation") or []
    if "sex" in exploitation or profile.get("coercion") == "high":
        assert item["eligibility"] == "not_eligible"


# ------------------------------------------------------------ issue 11: harms prevented
def test_out_of_court_compensation_is_never_offered_when_the_latest_screening_is_trafficking():
    for screening in ("trafficking", "possible_trafficking"):
        item = one(ADULT_LABOUR, "out_of_court_compensation", screening=screening)
        assert item["eligibility"] == "not_eligible"
        assert "out_of_court_compensation_never_when_screened_as_trafficking" in rules_of(item)


def test_domestic_servitude_counts_as_labour_exploitation_for_out_of_court_compensation():
    item = one(ADULT_LABOUR, "out_of_court_compensation", exploitation=["domestic_servitude"])
    assert item["eligibility"] == "eligible"


def test_a_recruitment_debt_is_claimed_with_the_compensation():
    item = one(ADULT_LABOUR, "out_of_court_compensation", migration={"recruitment_debt": "yes"})
    assert "out_of_court_compensation_include_recruitment_fees" in rules_of(item)


def test_reconciliation_waits_while_the_offenders_criminal_case_is_pending():
    adult = {**ADULT_LABOUR, "relationship_to_offender": "family", "wishes": {"reconcile": True}}
    item = one(adult, "reconciliation", offender_criminal_case="pending")
    assert item["eligibility"] == "not_eligible"
    assert "reconciliation_not_while_criminal_case_pending" in rules_of(item)
    item = one(adult, "reconciliation")
    assert "reconciliation_criminal_case_unknown" in rules_of(item)
    assert item["eligibility"] == "conditional"
    decided = one(adult, "reconciliation", offender_criminal_case="decided")
    assert decided["eligibility"] == "conditional"  # the facilitator condition stays
    assert "reconciliation_criminal_case_unknown" not in rules_of(decided)


def test_a_child_of_unknown_age_trafficked_by_family_is_never_offered_reconciliation():
    profile = {**ADULT_LABOUR, "age": None, "relationship_to_offender": "family",
               "wishes": {"reconcile": True}, "offender_criminal_case": "decided"}
    item = one(profile, "reconciliation")
    assert item["eligibility"] == "not_eligible"
    assert "reconciliation_never_for_a_child_trafficked_by_family" in rules_of(item)


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("out_of_court_compensation",
         "out_of_court_compensation_child_needs_guardian_and_best_interest"),
        ("victim_impact_panel", "victim_impact_panel_child_needs_child_protection_assessment"),
        ("reconciliation", "reconciliation_child_needs_best_interest_assessment"),
        ("peer_therapy", "peer_therapy_child_in_child_groups"),
        ("trauma_informed_support", "trauma_informed_support_child_mental_safety_first"),
        ("survivor_led_advocacy", "advocacy_anonymous_until_adult_age_confirmed"),
    ],
)
def test_every_child_protection_applies_when_the_age_is_unknown(key, rule):
    profile = {**ADULT_LABOUR, "age": None, "relationship_to_offender": "community",
               "wishes": {"reconcile": True, "advocacy": "anonymous"}}
    assert rule in rules_of(one(profile, key))


def test_irregular_entry_asks_legal_aid_for_non_punishment_for_immigration_offences():
    item = one(ADULT_LABOUR, "legal_aid_deterrence", migration={"entry": "irregular"})
    assert "legal_aid_non_punishment_for_immigration_offences" in rules_of(item)
    item = one(ADULT_LABOUR, "legal_aid_deterrence", migration={"visa_tied_to_employer": "yes"})
    assert "legal_aid_visa_tied_to_employer" in rules_of(item)


def test_thailands_fifteen_days_is_called_a_guideline_not_a_reflection_period():
    item = one(ADULT_LABOUR, "trauma_informed_support", jurisdiction="TH")
    assert "trauma_informed_support_thailand_reflection_period" in rules_of(item)
    note = next(n for n in item["feasibility"] if "15 days" in n)
    assert "guideline" in note and "not a right to a reflection period" in note


def test_a_survivor_who_will_not_testify_is_told_which_routes_still_work():
    result = engine.assess({**ADULT_LABOUR, "jurisdiction": "VN"})
    routes = result["routes_without_testimony"]
    assert routes and all(r["source"] for r in routes)
    assert "state_support" in {r["route"] for r in routes}
    assert engine.assess({**ADULT_LABOUR, "jurisdiction": "VN",
                          "trial_participation": "undecided"})["routes_without_testimony"] == []


def test_settlement_is_never_listed_as_a_route_without_testimony_for_possible_trafficking():
    safe = engine.assess({**ADULT_LABOUR, "jurisdiction": "TH"})["routes_without_testimony"]
    assert "out_of_court_settlement" in {r["route"] for r in safe}
    for screening in (None, "possible_trafficking", "trafficking"):
        profile = {**ADULT_LABOUR, "jurisdiction": "TH", "screening": screening}
        routes = engine.assess(profile)["routes_without_testimony"]
        assert "out_of_court_settlement" not in {r["route"] for r in routes}


def test_a_bad_migration_fact_is_named():
    with pytest.raises(engine.InvalidProfile) as err:
        engine.assess({**ADULT_LABOUR, "migration": {"entry": "by boat"}})
    assert err.value.field == "migration.entry"


@pytest.mark.parametrize("code", engine.rules()["jurisdictions"])
def test_each_jurisdictions_state_compensation_explanation_uses_its_own_law(code):
    item = one(ADULT_LABOUR, "state_compensation", jurisdiction=code)
    name = position_for(code).name
    own = [n for n in item["feasibility"] if n.startswith(f"{name}:")]
    assert own, item["feasibility"]
    others = {position_for(c).name for c in engine.rules()["jurisdictions"]} - {name}
    assert not any(n.startswith(f"{other}:") for n in item["feasibility"] for other in others)


def test_thai_court_orders_are_never_said_to_pay_in_practice():
    item = one(ADULT_LABOUR, "state_compensation", jurisdiction="TH")
    thai = [n for n in item["feasibility"] if n.startswith(position_for("TH").name)]
    assert thai and all("improvable, not delivering" in n for n in thai)
