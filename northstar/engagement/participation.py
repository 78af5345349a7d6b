"""The Do No Harm check before an activity, for one participant.

The survivor's record fills what it knows (age, the consents in force, whether a
guardian's engagement consent stands); the participation and the activity fill the rest.
A public activity is also a public testimony: both actions are checked and their findings
joined. The engine is the safeguards engine (``safeguards.toml``, actions
``engage_in_activity`` and ``publish_testimony``); nothing here decides a rule.
"""

from __future__ import annotations

from northstar.engagement.models import Participation
from northstar.safeguards.context import active_purposes
from northstar.safeguards.rules import engine
from northstar.survivors.consent import active_consents
from northstar.survivors.models import ConsentGivenBy, ConsentPurpose

ENGAGE = "engage_in_activity"
TESTIMONY = "publish_testimony"


def actions_for(participation: Participation) -> list[str]:
    return [ENGAGE, TESTIMONY] if participation.activity.public else [ENGAGE]


def context_for(participation: Participation) -> dict:
    survivor = participation.survivor
    activity = participation.activity
    engagement = active_consents(survivor, ConsentPurpose.ENGAGEMENT)
    consents = active_purposes(survivor)
    return {
        "age": survivor.age_on(),
        "consents": consents,
        "guardian_consent": engagement.filter(given_by=ConsentGivenBy.GUARDIAN).exists(),
        "best_interest_recorded": participation.best_interest_recorded,
        "anonymous": participation.anonymous,
        "chose_to_be_named": not participation.anonymous,
        "support_person_named": participation.support_person_named,
        "briefing_done": participation.briefed_at is not None,
        "debriefing_planned": participation.debriefing_planned
        or participation.debriefed_at is not None,
        "right_to_withdraw_stated": participation.right_to_withdraw_stated,
        "offender_may_be_present": activity.offender_may_be_present,
        "asked_to_tell_own_story": activity.asks_for_own_story,
        "chose_to_tell_own_story": participation.chose_to_tell_own_story,
        "public": activity.public,
    }


def check(participation: Participation) -> dict:
    """The engine's findings for this participant at this activity (blocks first)."""
    context = context_for(participation)
    findings: dict[str, dict] = {}
    version = ""
    for action in actions_for(participation):
        result = engine.check(action, context)
        version = result["rule_set_version"]
        for finding in result["findings"]:
            findings.setdefault(finding["rule"], {**finding, "action": action})
    ordered = sorted(findings.values(), key=lambda f: engine.SEVERITIES.index(f["severity"]))
    return {"findings": ordered, "rule_set_version": version,
            "actions": actions_for(participation)}


def blocks(result: dict) -> list[dict]:
    return [f for f in result.get("findings", []) if f["severity"] == "block"]
