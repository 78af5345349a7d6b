"""API schemas for pathways, priorities and the plan. Enums come from the rule
file and the models, so the OpenAPI schema lists exactly what is accepted."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import StrictBool

from northstar.apiutils import StrictSchema
from northstar.pathways.models import Outcome as OutcomeChoices
from northstar.pathways.models import PlanStatus as PlanStatusChoices
from northstar.pathways.rules import engine

_data = engine.rules()
Jurisdiction = Literal[tuple(_data["jurisdictions"])]
Exploitation = Literal[tuple(_data["exploitation"])]
InterventionKey = Literal[tuple(engine.intervention_keys())]
Outcome = Literal[tuple(OutcomeChoices.values)]
Pathway = Literal[engine.PATHWAYS]
Eligibility = Literal[engine.ELIGIBILITY]
Readiness = Literal[engine.READINESS]
PlanStatus = Literal[tuple(PlanStatusChoices.values)]


class Wishes(StrictSchema):
    """What the survivor wants, in their own choice."""

    reconcile: StrictBool | None = Field(
        None, description="The survivor wants to reconcile with the offender; absent = not asked."
    )
    advocacy: Literal[engine.ADVOCACY] | None = Field(
        None,
        description="Wants to take part in advocacy: none, anonymous or public (a child: "
        "anonymous only); absent = not asked.",
    )
    livelihood_interests: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Work or skills the survivor is interested in.",
    )


class Migration(StrictSchema):
    """Migration facts (non-identifying); each absent = unknown."""

    entry: Literal[engine.MIGRATION["entry"]] | None = Field(
        None, description="Regular or irregular entry into the country of destination."
    )
    visa_tied_to_employer: Literal[engine.MIGRATION["visa_tied_to_employer"]] | None = Field(
        None, description="The visa or work permit is tied to one employer."
    )
    documents_held_by_employer: Literal[engine.MIGRATION["documents_held_by_employer"]] | None = (
        Field(None, description="The employer or recruiter holds the identity documents.")
    )
    recruitment_debt: Literal[engine.MIGRATION["recruitment_debt"]] | None = Field(
        None, description="The survivor owes a recruitment debt."
    )


class PathwayProfile(StrictSchema):
    """The survivor's profile. Absent facts are unknown."""

    jurisdiction: Jurisdiction = Field(
        description="Where the case is handled (ISO 3166-1 alpha-2)."
    )
    age: int | None = Field(None, ge=0, le=130, description="Age in whole years; absent = unknown.")
    child: StrictBool | None = Field(None, description="Under 18, when the exact age is unknown.")
    exploitation: list[Exploitation] | None = Field(None, description="Forms of exploitation.")
    coercion: Literal[engine.COERCION] = Field(
        "unknown", description="Degree of coercion or violence."
    )
    relationship_to_offender: Literal[engine.RELATIONSHIP] = Field(
        "unknown", description="Who the offender was to the survivor."
    )
    cross_border: StrictBool | None = Field(None, description="The exploitation crossed a border.")
    fears_retaliation_at_home: StrictBool | None = Field(
        None, description="Fears retaliation in the home country."
    )
    trial_participation: Literal[engine.TRIAL] = Field(
        "undecided",
        description="Whether the survivor wishes to take part in a trial. Never changes "
        "what they are offered.",
    )
    received_trauma_care: StrictBool | None = Field(
        None, description="Has received trauma-informed care."
    )
    wishes: Wishes | None = Field(None, description="What the survivor wants, in their own choice.")
    screening: Literal[engine.SCREENING] | None = Field(
        None,
        description="The classification of the case's latest screening; absent = not screened. "
        "Out-of-court compensation is never offered when it is (possible) trafficking.",
    )
    offender_criminal_case: Literal[engine.CRIMINAL_CASE] = Field(
        "unknown",
        description="The offender's criminal case: reconciliation needs it decided or absent.",
    )
    migration: Migration | None = Field(None, description="Migration facts; absent = unknown.")


class Reason(Schema):
    rule: str = Field(description="Id of the rule that fired (see `manage.py rules`).")
    explanation: str = Field(
        description="What the rule means, in words a caseworker can read aloud."
    )


class InterventionResult(Schema):
    key: InterventionKey
    title: str = Field(description="The intervention's name in words.")
    pathway: Pathway
    outcome: Outcome
    eligibility: Eligibility = Field(
        description="eligible, conditional (see conditions) or not_eligible."
    )
    conditions: list[str] = Field(description="What must hold for a conditional intervention.")
    readiness: Readiness = Field(description="Readiness in the region (001 report).")
    feasibility: list[str] = Field(description="Notes on feasibility in this jurisdiction.")
    options: list[str] = Field(
        description="Choices left to the survivor, e.g. advocacy visibility."
    )
    reasons: list[Reason]


class RouteWithoutTestimony(Schema):
    route: str = Field(description="Kind of route, e.g. state_fund, out_of_court_settlement.")
    label: str = Field(description="The route in words, with its law.")
    delivery: str = Field(description="Whether it pays in practice: delivering, improvable, …")
    source: str = Field(description="Where the legal position says it needs no testimony.")


class PathwayResult(Schema):
    interventions: list[InterventionResult] = Field(description="All nine, always.")
    routes_without_testimony: list[RouteWithoutTestimony] = Field(
        default_factory=list,
        description="When the survivor will not take part in a trial: the compensation routes "
        "that still work without her testimony here (from northstar/law). Empty otherwise.",
    )
    rule_set_version: str


class AssessCaseIn(StrictSchema):
    wishes: Wishes | None = Field(
        None, description="The survivor's wishes now; the rest comes from the case."
    )


class AssessmentOut(PathwayResult):
    id: int
    case_id: int
    profile: dict
    created_at: dt.datetime
    created_by: str
    ranking: list[Outcome] | None = Field(None, description="The survivor's ranking when recorded.")
    order: list[InterventionKey] = Field(
        description="Interventions in the survivor's order of outcomes."
    )


class PrioritiesIn(StrictSchema):
    ranking: list[Outcome] = Field(
        min_length=3, max_length=3, description="The three outcomes, most important first."
    )
    words: str = Field(
        "", max_length=4000, description="The survivor's priorities in their own words."
    )


class PrioritiesOut(Schema):
    id: int
    case_id: int
    ranking: list[Outcome]
    words: str | None = Field(
        None, description="Only when asked with ?include_words=true (audited)."
    )
    recorded_at: dt.datetime
    recorded_by: str


class PlanItemIn(StrictSchema):
    intervention: InterventionKey = Field(
        description="One of the interventions the latest assessment offers."
    )
    note: str = Field(
        "", max_length=2000, description="Why the survivor chose it (sealed at rest)."
    )


class PlanStatusIn(StrictSchema):
    status: PlanStatus = Field(
        description="The new status; allowed steps: proposed → agreed → "
        "in_progress → delivered, or declined_by_survivor / stopped at any "
        "point before delivery (and back to proposed from those)."
    )
    note: str = Field("", max_length=2000, description="What happened (sealed at rest).")


class StatusChangeOut(Schema):
    status: PlanStatus
    changed_at: dt.datetime
    changed_by: str
    note: str | None = None


class PlanItemOut(Schema):
    id: int
    case_id: int
    intervention: InterventionKey
    pathway: Pathway
    outcome: Outcome
    status: PlanStatus
    eligibility_when_chosen: Eligibility
    assessment_id: int
    note: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    history: list[StatusChangeOut]


class DeliveryOut(Schema):
    outcome: Outcome
    label: str
    planned: int
    in_progress: int
    delivered: int
    declined_or_stopped: int
    served: bool = Field(description="At least one intervention for this outcome was delivered.")


class PlanOut(Schema):
    ranking: list[Outcome] | None
    items: list[PlanItemOut]
    delivery: list[DeliveryOut] = Field(
        description="Per outcome, in the survivor's order; no trial needed."
    )


class OutcomeFigures(Schema):
    outcome: Outcome
    ranked_first: int | None = Field(
        description="Cases whose survivor ranked this outcome first "
        "(null: fewer than min_cell, suppressed)."
    )
    delivered: int | None = Field(
        description="Cases with at least one intervention for it delivered."
    )
    delivered_when_ranked_first: int | None
    delivered_by_trial_participation: dict[str, int | None] = Field(
        description="Delivered cases by trial participation: yes, no, undecided."
    )


class DeliveryFigures(Schema):
    cases: int | None
    outcomes: list[OutcomeFigures]
    restricted_to_statistics_consent: bool
    min_cell: int | None
