"""Engagement over JSON, read-only: the calendar, one activity with its participants (by
pseudonym or reference), and the organisation's own engagement and outreach counts.
Writes go through the coordinator's pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from northstar import policy
from northstar.apiutils import PageQuery, PagingFacts, actor_of, page_of
from northstar.core import audit
from northstar.core.errors import NotFound
from northstar.engagement import counting, selectors

router = Router(tags=["engagement"])


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    hours: Decimal
    place: str
    public: bool
    taking_part: int
    invited: int
    debriefings_due: int


class ParticipantOut(Schema):
    id: int
    shown_as: str
    anonymous: bool
    status: str
    support_person_named: bool
    briefed: bool
    debriefed: bool
    findings: list[dict]


class ActivityDetailOut(ActivityOut):
    participants: list[ParticipantOut] = Field(description="one page of who takes part")
    participants_paging: PagingFacts = Field(
        description="the paging facts of `participants`: pass `next` as `cursor` for the "
                    "following page")


class CellOut(Schema):
    row: str
    column: str
    count: int


class GridOut(Schema):
    measure: str
    rows: list[str]
    columns: list[str]
    cells: list[CellOut]


def _activity_out(a, taking_part: int, invited: int, due: int) -> dict:
    return {"id": a.pk, "kind": a.kind, "title": a.title, "starts_at": a.starts_at,
            "hours": a.hours, "place": a.place, "public": a.public, "taking_part": taking_part,
            "invited": invited, "debriefings_due": due}


@router.get("/engagement/activities", response=list[ActivityOut])
def list_activities(request):
    """The organisation's engagement calendar (coordinators, supervisors, administrators)."""
    actor = actor_of(request)
    return [_activity_out(r["activity"], r["activity"].taking_part, r["activity"].invited,
                          r["activity"].debrief_due) for r in selectors.calendar(actor)]


@router.get("/engagement/activities/{activity_id}", response=ActivityDetailOut)
def get_activity(request, activity_id: int, paging: Query[PageQuery]):
    """One activity and one page of who takes part (``cursor`` or ``page``, with
    ``page_size``; ``participants_paging`` answers the count and the next cursor): a
    pseudonym where the survivor chose anonymity, else their reference; never a name or a
    case. The counts of the activity cover every participant. An audited read of the page
    shown."""
    actor = actor_of(request)
    a = selectors.activity_for(actor, activity_id)
    people, facts = page_of(selectors.participants_of(actor, a), paging)
    selectors.participants_shown(actor, a, people)
    counts = selectors.participation_counts(a)
    out = _activity_out(a, counts["taking_part"], counts["invited"], counts["debrief_due"])
    out["participants"] = [{
        "id": p.pk, "shown_as": p.pseudonym if p.anonymous else p.survivor_reference,
        "anonymous": p.anonymous, "status": p.status,
        "support_person_named": p.support_person_named, "briefed": p.briefed_at is not None,
        "debriefed": p.debriefed_at is not None,
        "findings": list(p.safeguards_result.get("findings", []))} for p in people]
    out["participants_paging"] = facts
    return out


@router.get("/engagement/figures", response=list[GridOut])
def figures(request, since: dt.date | None = None, until: dt.date | None = None):
    """The organisation's own engagement and outreach counts (``engagement/counting.py``)."""
    actor = actor_of(request)
    org = policy.engagement_organisation_id(actor)
    if org is None:
        raise NotFound()
    period = (since or dt.date(1900, 1, 1), until or dt.date.today()) if since or until else None
    audit.record_read(actor, (), record_type="engagement_figures",
                      note="engagement and outreach counts")
    grids = [g for fn in counting.MEASURES.values() for g in fn(org, period=period)]
    return [{"measure": g.measure, "rows": list(g.rows), "columns": list(g.columns),
             "cells": [{"row": r, "column": c, "count": n.people}
                       for (r, c), n in g.cells.items()]} for g in grids]
