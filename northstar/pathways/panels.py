"""The case page's priorities and plan panels."""

from __future__ import annotations

from northstar.pathways import actions, selectors
from northstar.pathways.models import Outcome


def priorities_panel(request, case) -> dict:
    priorities = selectors.priorities(request.actor, case)
    return {
        "case": case,
        "priorities": priorities,
        "labels": [Outcome(o).label for o in priorities.ranking] if priorities else [],
    }


def plan_panel(request, case) -> dict:
    items = selectors.plan(request.actor, case)
    priorities = actions.current_priorities(case)
    assessment = actions.latest_assessment(case)
    return {
        "case": case,
        "items": items,
        "delivery": actions.delivery_by_outcome(items, priorities.ranking if priorities else None),
        "assessed_at": assessment.created_at if assessment else None,
    }
