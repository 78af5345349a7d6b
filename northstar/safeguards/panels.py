"""The case page's Do No Harm panel: open findings where the action is taken."""

from __future__ import annotations

from django.urls import reverse

from northstar.safeguards import actions, selectors
from northstar.ui.panels import Alert


def findings_panel(request, case) -> dict:
    open_ = selectors.findings_for_case(request.actor, case, status="open")
    open_.sort(key=lambda f: f.severity)  # blocks first, newest first within each
    return {"case": case, "findings": open_[:10], "more": max(len(open_) - 10, 0)}


def open_block_alerts(actor, *, limit: int | None = 50, survivor=None) -> list:
    """Caseload alerts: the open Do No Harm *blocks* on cases the actor may see (on one
    ``survivor``'s when given), the oldest first, at most ``limit``: one bounded query."""
    found = actions.open_findings(actor).filter(severity="block")
    if survivor is not None:
        found = found.filter(case__survivor=survivor)
    found = found.order_by("created_at", "id")
    if limit is not None:
        found = found[:limit]
    return [
        Alert(
            due=f.created_at.date(),
            title=f"Do No Harm: {f.explanation}",
            url=reverse("safeguards:case", args=[f.case_id]),
            severity="warning",
            survivor_reference=f.case.survivor.reference,
        )
        for f in found
    ]


def survivor_block_alerts(actor, survivor) -> list:
    """The same, for one survivor's cases (the case page): a query scoped to them."""
    return open_block_alerts(actor, limit=None, survivor=survivor)
