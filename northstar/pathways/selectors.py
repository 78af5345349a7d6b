"""Reading a case's priorities, pathway assessments and plan.

Every function starts from the policy's visible cases and writes one audited
read naming every record shown (``audit.record_read``); pages and the API call
these, never the ORM, and never write the audit log themselves.
"""

from __future__ import annotations

from django.db.models import prefetch_related_objects

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.fields import reveal
from northstar.core.prepared import Prepared
from northstar.pathways.models import PathwayAssessment, PlanItem, Priorities
from northstar.survivors.models import Case


def _visible(model, actor: Actor, case: Case):
    return policy.rows_of_case(actor, case, model.objects)


#: One case's current priorities, latest assessment and plan (the case page's panels),
#: their SQL written once per process; asked only for a case the actor may see.
_PRIORITIES = Prepared(lambda case_id: Priorities.objects.filter(case_id=case_id).order_by(
    "-recorded_at", "-id")[:1], -7_320_000_011)
_LATEST_ASSESSMENT = Prepared(lambda case_id: PathwayAssessment.objects.filter(
    case_id=case_id).order_by("-created_at", "-id")[:1], -7_320_000_012)
_PLAN = Prepared(lambda case_id: PlanItem.objects.filter(case_id=case_id), -7_320_000_013)


def _plan_items(actor: Actor, case: Case) -> list[PlanItem]:
    case_id = policy.visible_case_id(actor, case)
    items = _PLAN(case_id) if case_id is not None else []
    if items:
        prefetch_related_objects(items, "history")
    return items


def latest_assessment_of(case: Case) -> PathwayAssessment | None:
    """The case's latest pathway assessment (the caller has the case from the policy)."""
    return _LATEST_ASSESSMENT.first(case.pk)


def priorities(actor: Actor, case: Case) -> Priorities | None:
    """The survivor's current ranking of the outcomes (their words stay sealed); audited."""
    case_id = policy.visible_case_id(actor, case)
    found = _PRIORITIES.first(case_id) if case_id is not None else None
    if found is not None:
        audit.record_read(
            actor, found, record_type="priorities", survivor_ref=case.survivor.reference,
            fields=["ranking"],
        )
    return found


def assessments(actor: Actor, case: Case, *, limit: int | None = None) -> list[PathwayAssessment]:
    """The case's pathway assessments, latest first; one audited read naming every id."""
    if limit == 1:
        case_id = policy.visible_case_id(actor, case)
        items = _LATEST_ASSESSMENT(case_id) if case_id is not None else []
    else:
        qs = _visible(PathwayAssessment, actor, case).order_by("-created_at", "-id")
        items = list(qs[:limit] if limit else qs)
    audit.record_read(
        actor, items, record_type="pathway_assessment", survivor_ref=case.survivor.reference,
        note=f"pathway assessments of case {case.pk}",
    )
    return items


def latest_assessment(actor: Actor, case: Case) -> PathwayAssessment | None:
    found = assessments(actor, case, limit=1)
    return found[0] if found else None


def plan(actor: Actor, case: Case) -> list[PlanItem]:
    """The plan's items with their history (notes stay sealed); one audited read."""
    items = _plan_items(actor, case)
    audit.record_read(
        actor, items, record_type="plan_item", survivor_ref=case.survivor.reference,
        note=f"plan of case {case.pk}",
    )
    return items


def plan_with_notes(actor: Actor, case: Case) -> tuple[list[PlanItem], dict[int, dict]]:
    """The plan and its sealed notes, opened for one view; one audited read naming every item."""
    items = _plan_items(actor, case)
    audit.record_read(
        actor, items, record_type="plan_item", survivor_ref=case.survivor.reference,
        fields=["note"], note=f"plan of case {case.pk}",
    )
    notes = {
        item.pk: {
            "note": reveal(item.note),
            "history": {h.pk: reveal(h.note) for h in item.history.all()},
        }
        for item in items
    }
    return items, notes
