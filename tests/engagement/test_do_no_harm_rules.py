"""The safeguards engine checks engagement before each activity: its rules are data."""

from northstar.safeguards import actions as safeguards
from northstar.safeguards.rules import engine

SAFE_ADULT = {
    "age": 30, "consents": ["engagement"], "support_person_named": True, "briefing_done": True,
    "debriefing_planned": True, "right_to_withdraw_stated": True,
    "offender_may_be_present": False, "anonymous": True,
}


def rules_of(result, severity=None):
    return {f["rule"] for f in result["findings"]
            if severity is None or f["severity"] == severity}


def test_a_well_prepared_adult_takes_part_without_any_finding():
    assert engine.check("engage_in_activity", SAFE_ADULT)["findings"] == []


def test_a_public_testimony_by_a_child_is_blocked_and_nobody_can_override_it():
    result = engine.check("publish_testimony", {**SAFE_ADULT, "age": 15})
    block = next(f for f in result["findings"] if f["rule"] == "no_public_testimony_by_a_child")
    assert block["severity"] == "block" and block["override"] == "never"


def test_a_public_testimony_is_blocked_when_the_age_is_unknown():
    result = engine.check("publish_testimony", {**SAFE_ADULT, "age": None})
    assert "no_public_testimony_by_a_child" in rules_of(result, "block")


def test_an_adults_public_testimony_is_not_blocked_for_age():
    assert "no_public_testimony_by_a_child" not in rules_of(
        engine.check("publish_testimony", SAFE_ADULT))


def test_any_activity_without_a_support_person_warns():
    for action in ("engage_in_activity", "publish_testimony"):
        result = engine.check(action, {**SAFE_ADULT, "support_person_named": False})
        assert "activity_without_support_person" in rules_of(result, "warn"), action
        result = engine.check(action, {k: v for k, v in SAFE_ADULT.items()
                                       if k != "support_person_named"})
        assert "activity_without_support_person" in rules_of(result, "warn"), action


def test_a_possible_meeting_with_the_offender_blocks():
    result = engine.check("engage_in_activity", {**SAFE_ADULT, "offender_may_be_present": True})
    assert "no_contact_with_offender" in rules_of(result, "block")


def test_not_asking_about_the_offender_warns_because_unknown_is_never_safe():
    result = engine.check("engage_in_activity", {**SAFE_ADULT, "offender_may_be_present": None})
    assert "offender_presence_not_asked" in rules_of(result, "warn")


def test_without_an_engagement_consent_nobody_takes_part():
    result = engine.check("engage_in_activity", {**SAFE_ADULT, "consents": ["advocacy"]})
    assert "engagement_needs_engagement_consent" in rules_of(result, "block")


def test_nobody_retells_their_story_unless_they_chose_to():
    asked = {**SAFE_ADULT, "asked_to_tell_own_story": True}
    assert "no_retelling_unless_chosen" in rules_of(
        engine.check("engage_in_activity", asked), "block")
    assert "no_retelling_unless_chosen" not in rules_of(
        engine.check("engage_in_activity", {**asked, "chose_to_tell_own_story": True}))


def test_a_child_takes_part_only_anonymously_with_a_guardian_and_best_interest_recorded():
    child = {**SAFE_ADULT, "age": 16}
    assert {"child_needs_guardian_consent", "child_needs_best_interest_recorded"} <= rules_of(
        engine.check("engage_in_activity", child), "block")
    ready = {**child, "guardian_consent": True, "best_interest_recorded": True}
    assert rules_of(engine.check("engage_in_activity", ready), "block") == set()
    named = {**ready, "chose_to_be_named": True}
    assert "child_takes_part_only_anonymously" in rules_of(
        engine.check("engage_in_activity", named), "block")


def test_a_name_on_a_testimony_only_by_the_survivors_own_choice():
    named = {**SAFE_ADULT, "anonymous": False}
    assert "named_only_by_own_choice" in rules_of(engine.check("publish_testimony", named))
    assert "named_only_by_own_choice" not in rules_of(
        engine.check("publish_testimony", {**named, "chose_to_be_named": True}))


def test_every_engagement_rule_cites_a_source_and_a_date():
    engagement_rules = [r for r in engine.list_rules()
                        if {"engage_in_activity", "publish_testimony"} & set(r["actions"])]
    assert len(engagement_rules) >= 12
    assert all(r["source"] and r["checked"] for r in engagement_rules)


def test_a_case_check_for_a_survivor_with_engagement_consent_still_reads():
    """The consents list accepts the engagement purpose (a case's context lists it)."""
    result = engine.check("interview", {"age": 30, "consents": ["engagement", "advocacy"]})
    assert isinstance(result["findings"], list)


def test_a_case_check_reads_for_a_survivor_whose_engagement_consent_stands(consenting, case_a,
                                                                          caseworker, actor_for):
    """The case's context lists every consent in force; the engagement purpose is one the
    engine knows, so a Do No Harm check on her case is not refused as bad input."""
    result, context = safeguards.check_case(actor_for(caseworker), case_a, action="interview",
                                            context={})
    assert "engagement" in context["consents"]
    assert isinstance(result["findings"], list)
