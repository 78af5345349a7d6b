"""The case page's screening panel: the latest classification and a way to screen."""

from __future__ import annotations

from northstar.screening.actions import latest_screening


def screening_panel(request, case) -> dict:
    return {"case": case, "latest": latest_screening(case)}
