"""The case page's Do No Harm panel: open findings where the action is taken."""

from __future__ import annotations

from django.urls import reverse

from northstar.safeguards import actions, selectors
from northstar.ui.panels import Alert


def findings_panel(request, case) -> dict:
    open_ = selectors.findings_for_case(request.actor, case, status="open")
    open_.sort(key=lambda f: f.severity)  # blocks first, newest first within each
    return {"case": case, "findings": open_[:10], "more": max(len(open_) - 10, 0)}


def open_block_alerts(actor) -> list:
    """Caseload alerts: every open Do No Harm *block* on a case the actor may see."""
    found = actions.open_findings(actor).filter(severity="block")[:50]
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
