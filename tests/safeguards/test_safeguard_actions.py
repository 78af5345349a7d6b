"""Do No Harm on stored cases: findings are kept, blocks need a supervisor's reason."""

import pytest

from northstar.core.errors import Conflict, DomainError, Forbidden, NotFound
from northstar.core.models import AuditEntry
from northstar.safeguards import actions
from northstar.safeguards.models import Finding, ProposedAction
from northstar.screening.actions import screen_case
from tests.conftest import make_user

REASON = "Court order to hold her safely overnight; lawyer present; reviewed with her."


def test_recorded_event_keeps_its_findings_open_and_never_blocks(case_a, caseworker, actor_for):
    found = actions.record_findings(
        actor_for(caseworker), case_a, action="detain", context={}, source="timeline:17"
    )
    assert [f.rule for f in found] == ["never_detain_a_victim"]
    assert found[0].status == "open" and found[0].source == "timeline:17"
    assert AuditEntry.objects.filter(
        record_type="safeguard_finding", survivor_ref=case_a.survivor.reference
    ).exists()


def test_a_caseworker_cannot_record_a_blocked_action_and_nothing_is_stored(
    case_a, caseworker, actor_for
):
    with pytest.raises(Forbidden) as err:
        actions.propose_action(
            actor_for(caseworker),
            case_a,
            action="restrict_movement",
            context={},
            justification=REASON,
        )
    assert err.value.field == "justification"
    assert not ProposedAction.objects.exists() and not Finding.objects.exists()


def test_a_supervisor_must_write_why_a_blocked_action_goes_ahead(case_a, supervisor, actor_for):
    with pytest.raises(DomainError) as err:
        actions.propose_action(
            actor_for(supervisor), case_a, action="detain", context={}, justification="ok"
        )
    assert err.value.field == "justification"
    assert not ProposedAction.objects.exists()


def test_a_supervisors_justified_override_is_recorded_and_audited(case_a, supervisor, actor_for):
    proposal = actions.propose_action(
        actor_for(supervisor), case_a, action="restrict_movement", context={},
        justification=REASON,
    )
    finding = proposal.findings.get()
    assert finding.status == "overridden" and finding.resolved_by == supervisor
    assert actions.reveal_justification(actor_for(supervisor), finding) == REASON
    entry = AuditEntry.objects.get(record_type="proposed_action", note__startswith="override")
    assert entry.actor == supervisor and "never_restrict_movement_in_shelter" in entry.note
    assert entry.fields == ["justification"]


def test_the_case_record_decides_consent_not_the_caller(case_a, caseworker, actor_for):
    with pytest.raises(Forbidden):
        actions.propose_action(
            actor_for(caseworker),
            case_a,
            action="share_with_law_enforcement",
            context={"consents": ["law_enforcement_sharing"]},
        )


def test_the_survivors_interpreter_need_comes_from_their_record(case_a, caseworker, actor_for):
    # survivor_a needs an interpreter: an interview without one is blocked
    with pytest.raises(Forbidden):
        actions.propose_action(
            actor_for(caseworker), case_a, action="interview", context={"interpreter_needed": False}
        )
    proposal = actions.propose_action(
        actor_for(caseworker),
        case_a,
        action="interview",
        context={"interpreter_present": True, "language": "km"},
    )
    assert proposal.findings.count() == 0


def test_warnings_do_not_stop_a_caseworker_but_stay_open(case_a, caseworker, actor_for):
    proposal = actions.propose_action(
        actor_for(caseworker),
        case_a,
        action="interview",
        context={"interpreter_present": True, "previous_interviews": 4},
    )
    assert [f.rule for f in proposal.findings.all()] == ["minimise_retelling_the_story"]
    assert proposal.findings.get().status == "open"


def test_unknown_action_is_a_422_naming_the_field(case_a, caseworker, actor_for):
    with pytest.raises(DomainError) as err:
        actions.propose_action(actor_for(caseworker), case_a, action="deport", context={})
    assert err.value.field == "action"


def test_resolving_a_finding_records_who_and_why_once(case_a, caseworker, actor_for):
    (finding,) = actions.record_findings(
        actor_for(caseworker),
        case_a,
        action="interview",
        context={"interpreter_present": True, "previous_interviews": 3},
        source="timeline:1",
    )
    with pytest.raises(DomainError):
        actions.resolve_finding(actor_for(caseworker), finding, justification="")
    done = actions.resolve_finding(
        actor_for(caseworker), finding, justification="Used the earlier statement."
    )
    assert done.status == "resolved" and done.resolved_by == caseworker
    with pytest.raises(Conflict):
        actions.resolve_finding(actor_for(caseworker), done, justification="again")


def test_only_a_supervisor_overrides_an_open_block(case_a, caseworker, supervisor, actor_for):
    (finding,) = actions.record_findings(
        actor_for(caseworker), case_a, action="restrict_movement", context={}, source="timeline:2"
    )
    with pytest.raises(Forbidden):
        actions.resolve_finding(
            actor_for(caseworker), finding, status="overridden", justification=REASON
        )
    assert (
        actions.resolve_finding(
            actor_for(supervisor), finding, status="overridden", justification=REASON
        ).status
        == "overridden"
    )


def test_open_findings_list_shows_only_own_organisations_cases(
    case_a, caseworker, supervisor, other_caseworker, actor_for, users
):
    actions.record_findings(
        actor_for(caseworker), case_a, action="detain", context={}, source="timeline:3"
    )
    assert actions.open_findings(actor_for(supervisor)).count() == 1
    other_supervisor = users[("b", "supervisor")]
    assert actions.open_findings(actor_for(other_supervisor)).count() == 0
    finding = Finding.objects.get()
    with pytest.raises(NotFound):
        actions.finding_for(actor_for(other_caseworker), finding.pk)


def test_open_blocks_raise_a_caseload_alert_for_the_organisation_only(
    case_a, caseworker, other_caseworker, actor_for
):
    from northstar.ui.panels import alerts_for

    actions.record_findings(
        actor_for(caseworker), case_a, action="restrict_movement", context={}, source="timeline:9"
    )
    mine = [a for a in alerts_for(actor_for(caseworker)) if a.title.startswith("Do No Harm")]
    assert len(mine) == 1 and mine[0].survivor_reference == case_a.survivor.reference
    assert not [
        a for a in alerts_for(actor_for(other_caseworker)) if a.title.startswith("Do No Harm")
    ]


LONG_REASON = (
    "Court order 123/2026 to hold her overnight for her own protection after a credible threat "
    "from the recruiter; a lawyer is present, she was told why in Khmer through the "
    "interpreter, and the order is reviewed tomorrow morning with her and her lawyer."
)


def test_detaining_a_victim_needs_a_long_reason_and_a_second_supervisor(
    case_a, supervisor, users, actor_for
):
    with pytest.raises(DomainError) as err:
        actions.propose_action(
            actor_for(supervisor), case_a, action="detain", context={}, justification=REASON
        )
    assert err.value.field == "justification" and "200" in err.value.message
    with pytest.raises(DomainError) as err:
        actions.propose_action(
            actor_for(supervisor), case_a, action="detain", context={},
            justification=LONG_REASON, second_supervisor_id=supervisor.pk,
        )
    assert err.value.field == "second_supervisor_id"
    second = make_user("second-sup", case_a.survivor.organisation, "supervisor")
    proposal = actions.propose_action(
        actor_for(supervisor), case_a, action="detain", context={},
        justification=LONG_REASON, second_supervisor_id=second.pk,
    )
    assert proposal.second_supervisor == second
    entry = AuditEntry.objects.get(record_type="proposed_action", note__startswith="override")
    assert "second supervisor second-sup" in entry.note


@pytest.mark.parametrize(
    ("action", "context"),
    [
        ("return_home", {"voluntary": False, "informed_consent_to_return": True}),
        ("detain", {"offence": "immigration"}),
    ],
)
def test_nobody_can_override_forced_return_return_to_trafficking_family_or_immigration_detention(
    case_a, supervisor, actor_for, action, context
):
    second = make_user("second-sup", case_a.survivor.organisation, "supervisor")
    with pytest.raises(Forbidden) as err:
        actions.propose_action(
            actor_for(supervisor), case_a, action=action, context=context,
            justification=LONG_REASON, second_supervisor_id=second.pk,
        )
    assert "nobody can override" in err.value.message
    assert not ProposedAction.objects.exists()


def test_nobody_can_override_an_open_absolute_finding(case_a, caseworker, supervisor, actor_for):
    findings = actions.record_findings(
        actor_for(caseworker), case_a, action="detain", context={"offence": "immigration"},
        source="timeline:9",
    )
    absolute = next(f for f in findings if f.rule == "never_detain_for_immigration_offences")
    with pytest.raises(Forbidden):
        actions.resolve_finding(
            actor_for(supervisor), absolute, status="overridden", justification=LONG_REASON
        )


def test_a_settlement_on_a_case_screened_as_trafficking_is_refused_to_everyone(
    case_a, caseworker, supervisor, actor_for
):
    screen_case(
        actor_for(caseworker), case_a,
        answers={"age": 30, "act": ["recruitment"], "means": ["deception"],
                 "purpose": ["forced_labour"]},
    )
    result, _ = actions.run_check(case_a, action="record_settlement", context={})
    assert "no_settlement_when_screened_as_trafficking" in [f["rule"] for f in result["findings"]]
    with pytest.raises(Forbidden):
        actions.propose_action(
            actor_for(supervisor), case_a, action="record_settlement", context={},
            justification=LONG_REASON,
        )


def test_unknown_coercion_on_a_stored_case_warns_before_a_settlement(
    case_a, caseworker, actor_for
):
    case_a.coercion = "unknown"
    case_a.save()
    result, full = actions.run_check(case_a, action="settle_out_of_court", context={})
    assert full["coercion"] == "unknown"
    assert "settlement_coercion_unknown" in [f["rule"] for f in result["findings"]]


def test_migration_facts_on_the_case_feed_the_safeguards(case_a, actor_for):
    case_a.recruitment_debt = "yes"  # the stored field lands on another branch; read by getattr
    result, full = actions.run_check(case_a, action="return_home", context={})
    assert full["recruitment_debt"] == "yes"
    assert "return_with_recruitment_debt" in [f["rule"] for f in result["findings"]]
