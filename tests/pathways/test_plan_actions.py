"""Priorities, assessments and the plan on a stored case."""

import pytest

from northstar.core.errors import Conflict, DomainError
from northstar.core.models import AuditEntry
from northstar.pathways import actions, selectors
from northstar.pathways.models import Priorities
from northstar.pathways.profile import profile_for_case
from northstar.pathways.rules import engine
from northstar.screening.actions import screen_case

RANKING = ["healing", "monetary_support", "safety_self_and_others"]


def test_the_profile_comes_from_the_case_and_survivor(case_a):
    profile = profile_for_case(case_a, {"reconcile": False})
    assert profile["jurisdiction"] == case_a.jurisdiction
    assert profile["exploitation"] == ["labour"] and profile["coercion"] == "high"
    assert profile["cross_border"] is True and profile["child"] is False
    assert profile["wishes"] == {"reconcile": False, "advocacy": "none"}


def test_priorities_rank_each_outcome_once_in_the_survivors_words(case_a, caseworker, actor_for):
    with pytest.raises(DomainError) as err:
        actions.set_priorities(
            actor_for(caseworker), case_a, ranking=["healing", "healing"], words=""
        )
    assert err.value.field == "ranking"
    p = actions.set_priorities(
        actor_for(caseworker), case_a, ranking=RANKING, words="I want to sleep again."
    )
    p = Priorities.objects.get(pk=p.pk)
    assert str(p.words) == "•••"  # sealed at rest, opened only on purpose
    assert actions.reveal_words(actor_for(caseworker), p) == "I want to sleep again."
    assert actions.current_priorities(case_a) == p
    assert AuditEntry.objects.filter(record_type="priorities", action="read").exists()


def test_assessing_a_case_keeps_profile_result_and_rule_set_version(case_a, caseworker, actor_for):
    a = actions.assess_case(
        actor_for(caseworker), case_a, wishes={"livelihood_interests": ["cooking"]}
    )
    assert len(a.result["interventions"]) == 9
    assert a.rule_set_version == a.result["rule_set_version"]
    # case_a is coercive labour exploitation: no out-of-court settlement
    assert a.intervention("out_of_court_compensation")["eligibility"] == "not_eligible"


def test_bad_wishes_are_refused_naming_the_field(case_a, caseworker, actor_for):
    with pytest.raises(DomainError) as err:
        actions.assess_case(actor_for(caseworker), case_a, wishes={"advocacy": "loud"})
    assert err.value.field == "wishes.advocacy"


def test_the_plan_only_takes_interventions_that_were_offered(case_a, caseworker, actor_for):
    actor = actor_for(caseworker)
    with pytest.raises(DomainError):
        actions.add_plan_item(
            actor, case_a, intervention="trauma_informed_support"
        )  # no assessment yet
    actions.assess_case(actor, case_a)
    with pytest.raises(DomainError) as err:
        actions.add_plan_item(actor, case_a, intervention="out_of_court_compensation")
    assert err.value.field == "intervention"
    item = actions.add_plan_item(
        actor, case_a, intervention="trauma_informed_support", note="weekly"
    )
    assert item.status == "proposed" and item.outcome == "healing"
    with pytest.raises(Conflict):
        actions.add_plan_item(actor, case_a, intervention="trauma_informed_support")


def test_plan_status_history_is_dated_and_transitions_are_checked(case_a, caseworker, actor_for):
    actor = actor_for(caseworker)
    actions.assess_case(actor, case_a)
    item = actions.add_plan_item(actor, case_a, intervention="trauma_informed_support")
    with pytest.raises(Conflict) as err:
        actions.change_plan_item(actor, item, status="delivered")
    assert err.value.field == "status"
    for status in ("agreed", "in_progress", "delivered"):
        item = actions.change_plan_item(actor, item, status=status, note=f"now {status}")
    assert [h.status for h in item.history.all()] == [
        "proposed",
        "agreed",
        "in_progress",
        "delivered",
    ]
    with pytest.raises(Conflict):
        actions.change_plan_item(actor, item, status="stopped")
    notes = selectors.plan_with_notes(actor, case_a)[1]
    assert "now delivered" in notes[item.pk]["history"].values()


def test_delivery_is_measured_per_outcome_without_any_trial(case_a, caseworker, actor_for):
    actor = actor_for(caseworker)
    assert case_a.trial_participation == "undecided"
    actions.assess_case(actor, case_a)
    item = actions.add_plan_item(actor, case_a, intervention="trauma_informed_support")
    for status in ("agreed", "delivered"):
        actions.change_plan_item(actor, item, status=status)
    actions.add_plan_item(actor, case_a, intervention="state_compensation")
    rows = actions.delivery_by_outcome(selectors.plan(actor, case_a), RANKING)
    assert [r["outcome"] for r in rows] == RANKING
    assert rows[0]["served"] and rows[0]["delivered"] == 1
    assert rows[1]["planned"] == 1 and not rows[1]["served"]


def test_delivered_trauma_care_opens_livelihood_without_condition(case_a, caseworker, actor_for):
    actor = actor_for(caseworker)
    actions.assess_case(actor, case_a)
    item = actions.add_plan_item(actor, case_a, intervention="trauma_informed_support")
    for status in ("agreed", "in_progress"):
        actions.change_plan_item(actor, item, status=status)
    a = actions.assess_case(actor, case_a)
    assert "livelihood_follows_trauma_care" not in [
        r["rule"] for r in a.intervention("livelihood")["reasons"]
    ]


def test_a_stored_case_screened_as_trafficking_is_never_offered_out_of_court_compensation(
    case_a, caseworker, actor_for
):
    case_a.coercion = "low"
    case_a.save()
    screen_case(
        actor_for(caseworker), case_a,
        answers={"age": 30, "act": ["recruitment"], "means": ["deception"],
                 "purpose": ["forced_labour"]},
    )
    profile = profile_for_case(case_a)
    assert profile["screening"] == "trafficking"
    assert profile["migration"]["recruitment_debt"] == "unknown"
    item = next(i for i in engine.assess(profile)["interventions"]
                if i["key"] == "out_of_court_compensation")
    assert item["eligibility"] == "not_eligible"
    assert "out_of_court_compensation_never_when_screened_as_trafficking" in [
        r["rule"] for r in item["reasons"]
    ]


def test_the_profile_reads_migration_facts_from_the_case_when_recorded(case_a):
    case_a.entry = "irregular"  # the stored field lands on another branch; read by getattr
    assert profile_for_case(case_a)["migration"]["entry"] == "irregular"
