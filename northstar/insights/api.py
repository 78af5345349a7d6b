"""Figures for funders, governments and researchers: did survivors get what they wanted?

Measures are defined once, as data (``measures.toml``), computed in the database per
organisation, rolled up from per-organisation counts (never by pooling records), and
pass through one disclosure gate before anyone sees them (``insights.figures``)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ninja import Router

from northstar import policy
from northstar.apiutils import actor_of
from northstar.core.db import reading_figures
from northstar.core.errors import DomainError, Forbidden
from northstar.insights import figures
from northstar.insights.measures import Measure, all_measures
from northstar.insights.schemas import FiguresOut, MeasuresOut

router = Router(tags=["insights"])


def _measure(m: Measure) -> dict:
    return {**dataclasses.asdict(m), "splits": list(m.splits), "bands": list(m.bands)}


def _table(t) -> dict:
    cells = []
    for r in t.rows:
        for c in t.columns:
            cell = {"row": r, "column": c, "value": t.values.get((r, c))}
            if t.unit == "share":
                cell.update(count=t.counts.get((r, c)), base=t.bases.get((r, c)))
            cells.append(cell)
    return {"measure": t.measure, "scope": t.scope, "scope_label": t.scope_label,
            "unit": t.unit, "threshold": t.threshold, "rounded_to": t.rounded_to,
            "hidden": t.hidden, "rows": list(t.rows), "columns": list(t.columns),
            "cells": cells, "notes": list(t.notes)}


def _quarter_starts(day: dt.date) -> bool:
    return day.day == 1 and day.month in (1, 4, 7, 10)


@router.get("/insights/measures", response=MeasuresOut)
def list_measures(request):
    """Every measure's definition: what is counted, out of whom, split how, and its source."""
    if not policy.may_see_insights(actor_of(request)):
        raise Forbidden("your role does not see figures")
    return {"measures": [_measure(m) for m in all_measures()]}


@router.get("/insights/figures", response=FiguresOut)
def list_figures(request, period_start: dt.date | None = None,
                 period_end: dt.date | None = None):
    """The tables the caller may see, disclosure-controlled: hidden cells are null.

    Researchers, supervisors and org admins see their organisation's; a funder, each
    organisation that shares with it and their sum; a government user, its jurisdiction's
    roll-up of contributing organisations. Audited as a read of figures (no record)."""
    actor = actor_of(request)
    if (period_start is None) != (period_end is None):
        missing = "period_end" if period_end is None else "period_start"
        raise DomainError("give both ends of the period, or neither", missing)
    period = (period_start, period_end) if period_start else None
    if period and period_end < period_start:
        raise DomainError("the period ends before it starts", "period_end")
    if period and policy.figure_sources(actor).audience == "external":
        # Outside the organisation only whole quarters, as the dashboard offers: a window
        # slid by one day would show, where a rounded count jumps, what the one survivor
        # of that day was counted as (a tracker attack rounding does not stop).
        if not _quarter_starts(period_start):
            raise DomainError("must be the first day of a quarter", "period_start")
        if not _quarter_starts(period_end + dt.timedelta(days=1)):
            raise DomainError("must be the last day of a quarter", "period_end")
    with reading_figures():  # figures may be read on the replica (core/db.py)
        sections = figures.tables_for(actor, period=period)
    return {
        "audience": sections[0].audience if sections else "",
        "period_start": period_start, "period_end": period_end,
        "sections": [{"measure": _measure(s.measure), "audience": s.audience,
                      "tables": [_table(t) for t in s.tables]} for s in sections],
    }
