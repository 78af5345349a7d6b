"""API schemas for screening. Enums come from the rule file, so the OpenAPI
schema always lists exactly the words the engine accepts."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import StrictBool, create_model

from northstar.apiutils import StrictSchema
from northstar.screening.rules import engine

_data = engine.rules()
Act = Literal[tuple(_data["acts"])]
Means = Literal[tuple(_data["means"])]
Purpose = Literal[tuple(_data["purposes"])]
ClassificationName = Literal[tuple(_data["classes"])]
TriState = StrictBool | Literal["unknown"]

IndicatorAnswers = create_model(
    "IndicatorAnswers",
    __base__=StrictSchema,
    __doc__='ILO indicators of forced labour (2012): each true, false or "unknown"; absent = unknown.',
    **{
        name: (TriState | None, Field(None, description=f"ILO indicator: {name.replace('_', ' ')}"))
        for name in _data["indicators"]
    },
)


class MigrationAnswers(StrictSchema):
    """Migration facts (non-identifying); each absent = unknown."""

    entry: Literal["regular", "irregular", "unknown"] | None = Field(
        None, description="Regular or irregular entry into the country of destination."
    )
    visa_tied_to_employer: Literal["yes", "no", "unknown"] | None = Field(
        None, description="The visa or work permit is tied to one employer."
    )
    documents_held_by_employer: Literal["yes", "no", "unknown"] | None = Field(
        None, description="The employer or recruiter holds the person's identity documents."
    )
    recruitment_debt: Literal["yes", "no", "unknown"] | None = Field(
        None, description="The person owes a recruitment debt."
    )


class ScreeningAnswers(StrictSchema):
    """Answers about the situation. Anything absent is unknown, never false."""

    age: int | None = Field(
        None,
        ge=0,
        le=130,
        description="Age in whole years; absent = unknown. "
        "Under 18, the Palermo 'means' element is not required.",
    )
    act: list[Act] | None = Field(
        None, description="Palermo 'act' element(s) present; [] = none reported, absent = unknown."
    )
    means: list[Means] | None = Field(
        None,
        description="Palermo 'means' element(s) present; [] = none reported, absent = unknown.",
    )
    purpose: list[Purpose] | None = Field(
        None, description="Purpose(s) of exploitation; [] = none reported, absent = unknown."
    )
    indicators: IndicatorAnswers | None = Field(None, description="ILO forced-labour indicators.")
    migration: MigrationAnswers | None = Field(
        None, description="Migration facts; documents held by the employer counts as an indicator."
    )
    involuntary: TriState | None = Field(
        None,
        description="The person did not offer themself voluntarily "
        '(ILO C29): true, false or "unknown".',
    )
    menace_of_penalty: TriState | None = Field(
        None,
        description="Work exacted under the menace of a penalty "
        '(ILO C29): true, false or "unknown".',
    )


class CaseScreeningIn(ScreeningAnswers):
    """A screening of a stored case: the complete answers (not a patch) and, when the result
    is lower on the spectrum than the case's latest screening, the reason confirming it."""

    confirm_downgrade_reason: str | None = Field(
        None,
        max_length=2000,
        description="Required when the classification would be lower than the latest "
        "screening's (trafficking > possible trafficking > forced labour > labour-rights "
        "violation > indicator present > no indication); without it the answer is 422 naming "
        "this field. Kept on the screening and in the audit log.",
    )


class Reason(Schema):
    rule: str = Field(description="Id of the rule that fired (see `manage.py rules`).")
    explanation: str = Field(
        description="What the rule means, in words a caseworker can read aloud."
    )
    answers: list[str] = Field(default_factory=list, description="The answers that made it fire.")


class Flag(Schema):
    flag: str = Field(description="Key of the alert, e.g. protect_as_child_until_age_known.")
    text: str = Field(description="What the caseworker must not miss, in words.")


class ScreeningResult(Schema):
    classification: ClassificationName = Field(
        description="From least to most severe: " + ", ".join(_data["classes"]) + "."
    )
    flags: list[Flag] = Field(
        default_factory=list,
        description="Alerts shown above the classification (e.g. protect as a child until "
        "the age is known).",
    )
    reasons: list[Reason]
    unknown: list[str] = Field(description="Answers still unknown. Do not force identification.")
    rule_set_version: str


class ScreeningOut(ScreeningResult):
    id: int
    case_id: int
    answers: dict
    created_at: dt.datetime
    created_by: str = Field(description="Who ran the screening.")
    previous_classification: ClassificationName | None = Field(
        None, description="The classification of the latest screening before this one."
    )
    downgrade_reason: str = Field(
        "", description="The confirmed reason when this screening lowered the classification."
    )
