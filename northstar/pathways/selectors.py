"""Reading a case's priorities, pathway assessments and plan.

Every function starts from the policy's visible cases and writes one audited
read naming every record shown (``audit.record_read``); pages and the API call
these, never the ORM, and never write the audit log themselves.
"""

from __future__ import annotations

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.fields import reveal
from northstar.pathways.models import PathwayAssessment, PlanItem, Priorities
from northstar.survivors.models import Case


def _visible(model, actor: Actor, case: Case):
    return model.objects.filter(case__in=policy.visible_cases(actor), case=case)


def priorities(actor: Actor, case: Case) -> Priorities | None:
    """The survivor's current ranking of the outcomes (their words stay sealed); audited."""
    found = _visible(Priorities, actor, case).order_by("-recorded_at", "-id").first()
    if found is not None:
        audit.record_read(
            actor, found, record_type="priorities", survivor_ref=case.survivor.reference,
            fields=["ranking"],
        )
    return found


def assessments(actor: Actor, case: Case, *, limit: int | None = None) -> list[PathwayAssessment]:
    """The case's pathway assessments, latest first; one audited read naming every id."""
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
    items = list(_visible(PlanItem, actor, case).prefetch_related("history"))
    audit.record_read(
        actor, items, record_type="plan_item", survivor_ref=case.survivor.reference,
        note=f"plan of case {case.pk}",
    )
    return items


def plan_with_notes(actor: Actor, case: Case) -> tuple[list[PlanItem], dict[int, dict]]:
    """The plan and its sealed notes, opened for one view; one audited read naming every item."""
    items = list(_visible(PlanItem, actor, case).prefetch_related("history"))
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
