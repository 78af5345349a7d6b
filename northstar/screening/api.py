"""Screening over JSON: stateless, and on a stored case. Thin: parse, policy, action."""

from __future__ import annotations

from ninja import Router

from northstar import policy
from northstar.apiutils import actor_of
from northstar.screening import actions, selectors
from northstar.screening.models import Screening
from northstar.screening.schemas import (
    CaseScreeningIn,
    ScreeningAnswers,
    ScreeningOut,
    ScreeningResult,
)

router = Router(tags=["screening"])


def screening_out(s: Screening) -> dict:
    return {
        **s.result,
        "id": s.pk,
        "case_id": s.case_id,
        "answers": s.answers,
        "created_at": s.created_at,
        "created_by": s.created_by_label,
        "previous_classification": s.previous_classification or None,
        "downgrade_reason": s.downgrade_reason,
    }


@router.post("/screening/assess", response=ScreeningResult)
def assess(request, payload: ScreeningAnswers):
    """Where on the spectrum of exploitation is this? Nothing is stored."""
    return actions.assess(payload.model_dump(exclude_unset=True))


@router.post("/cases/{case_id}/screenings", response={201: ScreeningOut})
def screen_case(request, case_id: int, payload: CaseScreeningIn):
    """Screen a stored case; the answers, result and rule-set version are kept.

    The answers are complete, not a patch: a re-screening starts from the `answers` of the
    latest screening (`GET /cases/{case_id}/screenings`, first item) and changes what changed.
    A classification lower than the latest one needs `confirm_downgrade_reason` (else 422
    naming it, with `previous_classification` and `classification` in the body).
    """
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    answers = payload.model_dump(exclude_unset=True)
    reason = answers.pop("confirm_downgrade_reason", None) or ""
    screening = actions.screen_case(actor, case, answers=answers, confirm_downgrade_reason=reason)
    return 201, screening_out(screening)


@router.get("/cases/{case_id}/screenings", response=list[ScreeningOut])
def list_screenings(request, case_id: int):
    """Every screening of the case, latest first."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    return [screening_out(s) for s in selectors.screenings(actor, case)]
