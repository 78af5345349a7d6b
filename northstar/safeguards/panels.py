"""The case page's Do No Harm panel: open findings where the action is taken."""

from __future__ import annotations

from northstar.safeguards import actions


def findings_panel(request, case) -> dict:
    open_ = (
        actions.findings_for_case(request.actor, case)
        .filter(status="open")
        .order_by("severity", "-created_at")
    )
    shown = list(open_[:10])
    return {"case": case, "findings": shown, "more": max(open_.count() - len(shown), 0)}
