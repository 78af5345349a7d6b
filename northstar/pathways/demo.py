"""Demo screenings, priorities, pathway assessments and plans on the Thai NGO's first cases."""

from __future__ import annotations

from northstar.core.actor import Actor
from northstar.pathways import actions
from northstar.pathways.models import PathwayAssessment
from northstar.screening.actions import screen_case
from northstar.survivors.models import Case

RANKINGS = [
    (["healing", "safety_self_and_others", "monetary_support"], "I want to sleep without fear."),
    (
        ["monetary_support", "healing", "safety_self_and_others"],
        "My family owes money because of me.",
    ),
    (
        ["safety_self_and_others", "monetary_support", "healing"],
        "Nobody from my village should go there.",
    ),
]


def seed(context: dict) -> None:
    user = context["users"].get("caseworker.th")
    if user is None or PathwayAssessment.objects.exists():
        return
    actor = Actor.for_user(user, "cli")
    cases = list(Case.objects.filter(survivor__organisation=actor.organisation).order_by("id")[:3])
    for case, (ranking, words) in zip(cases, RANKINGS, strict=False):
        screen_case(
            actor,
            case,
            answers={
                "act": ["recruitment", "transportation"],
                "means": ["deception"],
                "purpose": ["forced_labour"]
                if "labour" in case.forms_of_exploitation
                else ["other_exploitation"],
                "indicators": {
                    "withholding_of_wages": True,
                    "retention_of_identity_documents": True,
                },
                "involuntary": True,
                "menace_of_penalty": "unknown",
            },
        )
        actions.set_priorities(actor, case, ranking=ranking, words=words)
        assessment = actions.assess_case(
            actor, case, wishes={"advocacy": "anonymous", "livelihood_interests": ["cooking"]}
        )
        item = actions.add_plan_item(
            actor,
            case,
            intervention="trauma_informed_support",
            note="Weekly counselling in the survivor's language.",
        )
        actions.change_plan_item(actor, item, status="agreed")
        actions.change_plan_item(actor, item, status="in_progress")
        compensation = assessment.intervention("state_compensation")
        if compensation and compensation["eligibility"] != "not_eligible":
            actions.add_plan_item(actor, case, intervention="state_compensation")
