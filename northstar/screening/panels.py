"""The case page's screening panel: the latest classification and a way to screen."""

from __future__ import annotations

from northstar.screening import selectors


def screening_panel(request, case) -> dict:
    return {"case": case, "latest": selectors.latest_screening(request.actor, case)}
