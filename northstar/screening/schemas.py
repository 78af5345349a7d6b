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


class Reason(Schema):
    rule: str = Field(description="Id of the rule that fired (see `manage.py rules`).")
    explanation: str = Field(
        description="What the rule means, in words a caseworker can read aloud."
    )
    answers: list[str] = Field(default_factory=list, description="The answers that made it fire.")


class ScreeningResult(Schema):
    classification: ClassificationName = Field(
        description="From least to most severe: " + ", ".join(_data["classes"]) + "."
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
