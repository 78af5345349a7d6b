"""API schemas for Do No Harm. Actions and context keys come from the rule file,
so the OpenAPI schema documents every one of them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import StrictBool, conint, create_model

from northstar.apiutils import PageQuery, PagingFacts, StrictSchema
from northstar.safeguards.rules import engine

_data = engine.rules()
ActionName = Literal[tuple(_data["actions"])]
Harm = Literal[tuple(_data["harms"])]
Severity = Literal[engine.SEVERITIES]


def _type(spec: dict):
    kind, choices = spec["type"], spec.get("choices")
    if kind == "int":
        # The engine counts (age, interviews): never negative, so the schema says so.
        return conint(strict=True, ge=0)
    if kind == "bool":
        return StrictBool
    if kind == "list":
        return list[Literal[tuple(choices)]] if choices else list[str]
    return Literal[tuple(choices)] if choices else str


SafeguardContext = create_model(
    "SafeguardContext",
    __base__=StrictSchema,
    __doc__="What is known about the survivor and this action. null or absent = unknown.",
    **{
        name: (_type(spec) | None, Field(None, description=spec["description"]))
        for name, spec in _data["context"].items()
    },
)

ACTIONS_DOC = "; ".join(f"`{k}`: {v}" for k, v in _data["actions"].items())


class SafeguardCheckIn(StrictSchema):
    action: ActionName = Field(description="The proposed action. " + ACTIONS_DOC)
    context: SafeguardContext = Field(
        default_factory=SafeguardContext,
        description="What is known about the survivor and this action; on a case, the record's "
        "facts (age, consents, interpreter need, exploitation, coercion) take precedence.",
    )


class ProposeIn(SafeguardCheckIn):
    justification: str = Field(
        "",
        max_length=4000,
        description=(
            "Required when a block finding fires: a supervisor's written reason why the action "
            "must go ahead anyway (audited); some rules ask for more characters "
            "(`min_justification`)."
        ),
    )
    second_supervisor_id: int | None = Field(
        None,
        description="For a block whose `override` is `two_supervisors`: the user id of a second "
        "supervisor of the organisation, other than you, who confirms the override (audited).",
    )


class FindingResult(Schema):
    rule: str = Field(description="Id of the safeguard (see `manage.py rules`).")
    severity: Severity = Field(
        description="block: refused unless a supervisor justifies it; warn: shown."
    )
    harm: Harm = Field(description="Type of harm the action risks.")
    explanation: str
    override: Literal["supervisor", "two_supervisors", "never"] | None = Field(
        None,
        description="For a block: who may let the action go ahead anyway (`never` = nobody).",
    )
    min_justification: int | None = Field(
        None, description="For a block: the shortest written reason accepted, in characters."
    )


class LawStatement(Schema):
    key: str
    text: str
    basis: str = Field(description="law, guideline, secondary, or not_found (then the text says so)")
    source: str


class SafeguardResult(Schema):
    findings: list[FindingResult] = Field(
        description="Empty when the action carries no known risk."
    )
    rule_set_version: str
    law_here: list[LawStatement] | None = Field(
        None, description="Given a jurisdiction: what its law says on the matter of this action "
        "(northstar/law), never more than the law gives.")


class CaseCheckOut(SafeguardResult):
    context: dict = Field(description="The context used: the case record's facts, then yours.")


class FindingOut(FindingResult):
    id: int
    case_id: int
    case_reference: str
    action: str
    source: str
    status: Literal["open", "resolved", "overridden"]
    rule_set_version: str
    created_at: dt.datetime
    created_by: str
    resolved_by: str
    resolved_at: dt.datetime | None


class ProposalOut(Schema):
    id: int
    case_id: int
    action: str
    rule_set_version: str
    overridden: bool
    created_at: dt.datetime
    findings: list[FindingOut]


class ResolveIn(StrictSchema):
    status: Literal["resolved", "overridden"] = Field(
        "resolved",
        description="resolved: the risk was dealt with; overridden: a supervisor decided "
        "to go ahead (needed for a block).",
    )
    justification: str = Field(
        min_length=1,
        max_length=4000,
        description="How the risk was dealt with, or why it is overridden.",
    )
    second_supervisor_id: int | None = Field(
        None,
        description="Overriding a `two_supervisors` block: the user id of a second supervisor "
        "of the organisation, other than you (audited).",
    )


class FindingPageQuery(PageQuery):
    """Paging for the work list, bounded so a huge page number is a 422, not a 500."""

    page: int = Field(1, ge=1, le=1_000_000, description="1-based page number")


class FindingFilters(StrictSchema):
    status: Literal["open", "resolved", "overridden"] | None = "open"


class FindingPage(PagingFacts):
    items: list[FindingOut]
