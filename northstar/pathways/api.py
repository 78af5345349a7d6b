"""Pathways, priorities and the plan over JSON. Thin: parse, policy, action."""

from __future__ import annotations

from ninja import Router

from northstar import policy
from northstar.apiutils import actor_of
from northstar.core.db import reading_figures
from northstar.core.errors import NotFound
from northstar.pathways import actions, selectors
from northstar.pathways.models import PathwayAssessment, PlanItem
from northstar.pathways.rules import engine
from northstar.pathways.schemas import (
    AssessCaseIn,
    AssessmentOut,
    DeliveryFigures,
    PathwayProfile,
    PathwayResult,
    PlanItemIn,
    PlanItemOut,
    PlanOut,
    PlanStatusIn,
    PrioritiesIn,
    PrioritiesOut,
)

router = Router(tags=["pathways"])


def assessment_out(a: PathwayAssessment, ranking: list[str] | None) -> dict:
    ordered = engine.order_by_priorities(a.result["interventions"], ranking or [])
    return {
        **a.result,
        "id": a.pk,
        "case_id": a.case_id,
        "profile": a.profile,
        "created_at": a.created_at,
        "created_by": a.created_by_label,
        "ranking": ranking,
        "order": [i["key"] for i in ordered],
    }


def item_out(item: PlanItem, notes: dict | None = None) -> dict:
    notes = notes or {}
    return {
        "id": item.pk,
        "case_id": item.case_id,
        "intervention": item.intervention,
        "pathway": item.pathway,
        "outcome": item.outcome,
        "status": item.status,
        "eligibility_when_chosen": item.eligibility_when_chosen,
        "assessment_id": item.assessment_id,
        "note": notes.get("note"),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "history": [
            {
                "status": h.status,
                "changed_at": h.changed_at,
                "changed_by": h.changed_by_label,
                "note": notes.get("history", {}).get(h.pk),
            }
            for h in item.history.all()
        ],
    }


def _ranking(actor, case) -> list[str] | None:
    p = selectors.priorities(actor, case)
    return p.ranking if p else None


@router.post("/pathways/assess", response=PathwayResult)
def assess(request, payload: PathwayProfile):
    """Which of the nine interventions fit this profile, and why. Nothing is stored."""
    return actions.assess(payload.model_dump(exclude_unset=True))


@router.post("/cases/{case_id}/pathway-assessments", response={201: AssessmentOut})
def assess_case(request, case_id: int, payload: AssessCaseIn):
    """Assess the nine interventions for a stored case; profile, result and version are kept."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    wishes = payload.wishes.model_dump(exclude_unset=True) if payload.wishes else None
    assessment = actions.assess_case(actor, case, wishes=wishes)
    return 201, assessment_out(assessment, _ranking(actor, case))


@router.get("/cases/{case_id}/pathway-assessments", response=list[AssessmentOut])
def list_assessments(request, case_id: int):
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    ranking = _ranking(actor, case)
    return [assessment_out(a, ranking) for a in selectors.assessments(actor, case)]


@router.get("/cases/{case_id}/priorities", response=PrioritiesOut)
def get_priorities(request, case_id: int, include_words: bool = False):
    """The survivor's current ranking; their words only when asked (the read is audited)."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    p = selectors.priorities(actor, case)
    if p is None:
        raise NotFound("No priorities recorded for this case yet")
    words = actions.reveal_words(actor, p) if include_words else None
    return {
        "id": p.pk,
        "case_id": case.pk,
        "ranking": p.ranking,
        "words": words,
        "recorded_at": p.recorded_at,
        "recorded_by": p.recorded_by_label,
    }


@router.post("/cases/{case_id}/priorities", response={201: PrioritiesOut})
def set_priorities(request, case_id: int, payload: PrioritiesIn):
    """Record the survivor's ranking of the three outcomes (the earlier ones are kept)."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    p = actions.set_priorities(actor, case, ranking=list(payload.ranking), words=payload.words)
    return 201, {
        "id": p.pk,
        "case_id": case.pk,
        "ranking": p.ranking,
        "words": None,
        "recorded_at": p.recorded_at,
        "recorded_by": p.recorded_by_label,
    }


@router.get("/cases/{case_id}/plan", response=PlanOut)
def get_plan(request, case_id: int):
    """The plan, with its notes (audited read) and delivery per outcome."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    items, notes = selectors.plan_with_notes(actor, case)
    ranking = _ranking(actor, case)
    return {
        "ranking": ranking,
        "items": [item_out(i, notes.get(i.pk)) for i in items],
        "delivery": actions.delivery_by_outcome(items, ranking),
    }


@router.post("/cases/{case_id}/plan", response={201: PlanItemOut})
def add_plan_item(request, case_id: int, payload: PlanItemIn):
    """Add an intervention the survivor chose from those offered."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    item = actions.add_plan_item(actor, case, intervention=payload.intervention, note=payload.note)
    return 201, item_out(item)


@router.post("/plan-items/{item_id}/status", response=PlanItemOut)
def change_plan_item(request, item_id: int, payload: PlanStatusIn):
    """Move a plan item on; the change is dated and kept in its history."""
    actor = actor_of(request)
    item = actions.plan_item_for(actor, item_id)
    policy.case_for(actor, item.case_id, change=True)
    item = actions.change_plan_item(actor, item, status=payload.status, note=payload.note)
    return item_out(item)


@router.get("/pathways/delivery", response=DeliveryFigures)
def delivery(request):
    """Aggregate delivery per outcome across the organisation, with or without a trial."""
    with reading_figures():  # figures may be read on the replica (core/db.py)
        return actions.delivery_figures(actor_of(request))
