"""What survivors say about their support and their lives after it, over JSON: the surveys
due on a case and the answers given (a caseworker reading them aloud records them here),
and the follow-up check-ins after a case closes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from northstar import policy
from northstar.apiutils import StrictSchema, actor_of
from northstar.core.errors import NotFound
from northstar.outcomes import actions, selectors
from northstar.outcomes.models import CheckIn, Housing, Income, Reexploited, Safe, SurveyResponse

router = Router(tags=["outcomes"])


class DueOut(Schema):
    moment: str
    occasion: str
    occurred_on: dt.date
    open_until: dt.date


class ResponseOut(Schema):
    id: int
    case_id: int
    moment: str
    occasion: str
    occurred_on: dt.date
    channel: str
    answered_on: dt.date
    who5_score: int | None = Field(description="0-100 (raw × 4); null unless all 5 answered")
    answers: dict[str, int | None] = Field(description="item id → value; null: rather not say")
    withdrawn: bool


class SurveysOut(Schema):
    due: list[DueOut]
    responses: list[ResponseOut]


class SurveyIn(StrictSchema):
    occasion: str = Field(..., max_length=48, description="one of the case's due occasions")
    answers: dict[str, int | None] = Field(
        default_factory=dict, description="item id → scale value, or null for rather not say")
    note: str = Field("", max_length=1000)


class CheckInOut(Schema):
    id: int
    case_id: int
    months: int
    closed_on: dt.date
    due_on: dt.date
    window_ends: dt.date
    status: str = Field(description="upcoming | due | done | missed | cancelled")
    done_on: dt.date | None
    channel: str
    safe: str
    housing: str
    income: str
    reexploited: str


def _blank_or(choices):
    return Literal[("", *choices.values)]


class CheckInIn(StrictSchema):
    safe: _blank_or(Safe) = ""
    housing: _blank_or(Housing) = ""
    income: _blank_or(Income) = ""
    reexploited: _blank_or(Reexploited) = ""
    note: str = Field("", max_length=1000)


def _case(request, case_id: int):
    actor = actor_of(request)
    if not policy.may_record_outcomes(actor):
        raise NotFound()
    return actor, policy.case_for(actor, case_id)


def response_out(r: SurveyResponse) -> dict:
    return {**{f: getattr(r, f) for f in ("id", "case_id", "moment", "occasion", "occurred_on",
                                          "channel", "answered_on", "who5_score")},
            "answers": {a.item: a.value for a in r.answers.all()},
            "withdrawn": r.withdrawn_at is not None}


def check_in_out(c: CheckIn) -> dict:
    return {**{f: getattr(c, f) for f in ("id", "case_id", "months", "closed_on", "due_on",
                                          "window_ends", "done_on", "channel", "safe",
                                          "housing", "income", "reexploited")},
            "status": c.status()}


@router.get("/outcomes/cases/{case_id}/surveys", response=SurveysOut)
def case_surveys(request, case_id: int):
    """The surveys due on the case and every answer given (an audited read)."""
    actor, case = _case(request, case_id)
    due = selectors.due_surveys(actor, case=case)
    responses = selectors.responses_read(actor, case=case, note=f"surveys of case {case.pk}")
    if not responses:
        selectors.survey_form_read(actor, case, None)
    return {"due": [{"moment": d.moment, "occasion": d.occasion, "occurred_on": d.occurred_on,
                     "open_until": d.open_until} for d in due],
            "responses": [response_out(r) for r in responses]}


@router.post("/outcomes/cases/{case_id}/surveys", response={201: ResponseOut})
def record_survey(request, case_id: int, payload: SurveyIn):
    """Answers a caseworker recorded while reading the survey aloud."""
    actor, case = _case(request, case_id)
    if not policy.changeable_survivors(actor).filter(pk=case.survivor_id).exists():
        raise NotFound()
    response = actions.record_survey(actor, case, occasion=payload.occasion,
                                     answers=payload.answers, channel="read_aloud",
                                     note=payload.note)
    return 201, response_out(response)


@router.get("/outcomes/cases/{case_id}/check-ins", response=list[CheckInOut])
def case_check_ins(request, case_id: int):
    actor, case = _case(request, case_id)
    rows = selectors.check_ins_read(actor, case=case, note=f"check-ins of case {case.pk}")
    return [check_in_out(c) for c in rows]


@router.post("/outcomes/check-ins/{check_in_id}", response=CheckInOut)
def record_check_in(request, check_in_id: int, payload: CheckInIn):
    """Record a follow-up check-in (empty answers: rather not say or not asked)."""
    actor = actor_of(request)
    if not policy.may_record_outcomes(actor):
        raise NotFound()
    item = selectors.check_in_for(actor, check_in_id)
    done = actions.record_check_in(actor, item, answers=payload.model_dump(exclude={"note"}),
                                   channel="read_aloud", note=payload.note)
    return check_in_out(done)
