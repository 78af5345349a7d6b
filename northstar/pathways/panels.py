"""The case page's priorities and plan panels."""

from __future__ import annotations

from northstar.pathways import actions, selectors
from northstar.pathways.models import Outcome
from northstar.ui import panels


def _priorities(request, case):
    """The case's current priorities (audited), read once for the priorities and the plan
    panels of one page."""
    return panels.once_per_request(request, ("priorities", case.pk),
                                   lambda: selectors.priorities(request.actor, case))


def priorities_panel(request, case) -> dict:
    priorities = _priorities(request, case)
    return {
        "case": case,
        "priorities": priorities,
        "labels": [Outcome(o).label for o in priorities.ranking] if priorities else [],
    }


def plan_panel(request, case) -> dict:
    items = selectors.plan(request.actor, case)
    priorities = _priorities(request, case)
    assessment = actions.latest_assessment(case)
    return {
        "case": case,
        "items": items,
        "delivery": actions.delivery_by_outcome(items, priorities.ranking if priorities else None),
        "assessed_at": assessment.created_at if assessment else None,
    }
