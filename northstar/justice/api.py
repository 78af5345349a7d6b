"""The justice-chain timeline over JSON: events per case, stage, tasks, reflection periods."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from northstar import policy
from northstar.apiutils import StrictSchema, actor_of
from northstar.justice import actions, selectors, timeline
from northstar.justice.models import TimelineEvent
from northstar.justice.rules.periods import periods

router = Router(tags=["justice"])

KindT = Literal[tuple(timeline.EVENT_KINDS)]
StageT = Literal[tuple(timeline.STAGES)]


class EventIn(StrictSchema):
    kind: KindT
    occurred_on: dt.date
    stage: StageT | None = Field(None, description="default: the kind's usual stage, else the current one")
    details: dict[str, Any] = Field(default_factory=dict,
                                    description="per kind; see GET /justice/vocabulary")
    note: str = Field("", max_length=4000)


class VoidIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=300)


class EventOut(Schema):
    id: int
    case_id: int
    kind: str
    stage: str
    occurred_on: dt.date
    details: dict
    finding_rules: list[str]
    recorded_by_label: str
    recorded_at: dt.datetime
    voided_at: dt.datetime | None
    void_reason: str = Field(description="Masked unless notes=true opened it (audited).")
    note: str | None = None


class TaskOut(Schema):
    due: dt.date
    kind: str
    title: str
    severity: str
    event_id: int | None
    case_id: int | None = None
    case_reference: str | None = None


class PeriodOut(Schema):
    jurisdiction: str
    status: str = Field(description="statutory | guideline | practice | none | unknown")
    days: int | None = Field(description="Length in law; null where no statute gives one.")
    guideline_days: int | None = Field(
        None, description="A guideline's cap (e.g. Thailand's NRM: up to 15 days before the "
        "identification interview). Never ends the survivor's reflection by itself.")
    summary: str
    source: str
    checked: dt.date


class TimelineOut(Schema):
    case_id: int
    stage: str | None
    reflection_period: PeriodOut
    reflection_period_active: bool
    interviews: int
    video_statement_on: dt.date | None
    tasks: list[TaskOut]
    events: list[EventOut]


def event_out(e: TimelineEvent, note: str | None = None, void_reason: str | None = None) -> dict:
    """``void_reason`` is sealed: shown only when opened, otherwise masked (``str`` of it)."""
    return {**{f: getattr(e, f) for f in (
        "id", "case_id", "kind", "stage", "occurred_on", "details", "finding_rules",
        "recorded_by_label", "recorded_at", "voided_at")},
        "void_reason": void_reason if void_reason is not None else str(e.void_reason or ""),
        "note": note}


def task_out(t: timeline.Task, case=None) -> dict:
    return {"due": t.due, "kind": t.kind, "title": t.title, "severity": t.severity,
            "event_id": t.event_id, "case_id": case.pk if case else None,
            "case_reference": case.reference if case else None}


def period_out(p) -> dict:
    return {f: getattr(p, f) for f in ("jurisdiction", "status", "days", "guideline_days", "summary", "source",
                                       "checked")}


@router.get("/cases/{case_id}/events", response=list[EventOut])
def list_events(request, case_id: int, notes: bool = False, include_void: bool = False):
    """A case's timeline, oldest first; ``notes=true`` opens the sealed notes (audited)."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    events = selectors.timeline_of(actor, case, include_void=include_void)
    opened = selectors.notes_of(actor, case, events) if notes else {}
    reasons = selectors.void_reasons_of(actor, case, events) if notes else {}
    return [event_out(e, opened.get(e.pk), reasons.get(e.pk)) for e in events]


@router.post("/cases/{case_id}/events", response={201: EventOut})
def create_event(request, case_id: int, payload: EventIn):
    """Record an event; the safeguards run on it and any findings are named in ``finding_rules``."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    event = actions.record_event(actor, case, kind=payload.kind, occurred_on=payload.occurred_on,
                                 details=payload.details, stage=payload.stage, note=payload.note)
    return 201, event_out(event)


@router.post("/cases/{case_id}/events/{event_id}/void", response=EventOut)
def void_event(request, case_id: int, event_id: int, payload: VoidIn):
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    event = selectors.event_for(actor, case, event_id)
    return event_out(actions.void_event(actor, event, reason=payload.reason))


@router.get("/cases/{case_id}/timeline", response=TimelineOut)
def case_timeline(request, case_id: int):
    """Stage, reflection period, tasks and events of one case."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    info = selectors.summary(case)
    events = selectors.timeline_of(actor, case)
    return {"case_id": case.pk, "stage": info["stage"],
            "reflection_period": period_out(info["reflection_period"]),
            "reflection_period_active": info["reflection_period_active"],
            "interviews": info["interviews"], "video_statement_on": info["video_statement_on"],
            "tasks": [task_out(t, case) for t in info["tasks"]],
            "events": [event_out(e) for e in events]}


@router.get("/timeline/tasks", response=list[TaskOut])
def my_tasks(request, limit: int = Query(selectors.TASK_LIMIT, ge=1, le=1000),
             offset: int = Query(0, ge=0, le=1_000_000)):
    """Tasks from the timelines of every case you may see: reflection periods ending,
    hearings coming, follow-ups due. Earliest due first (overdue ones are the earliest),
    ``limit`` of them (default 200, at most 1000) from ``offset``: ask for the next page
    with ``offset`` + ``limit`` while a page comes back full."""
    actor = actor_of(request)
    rows = selectors.tasks_read(actor, limit=limit, offset=offset)
    return [task_out(t, c) for c, t in rows]


@router.get("/justice/reflection-periods", response=list[PeriodOut])
def reflection_periods(request):
    """Reflection periods per jurisdiction, with source and date checked."""
    return [period_out(p) for p in periods().values()]


@router.get("/justice/vocabulary")
def vocabulary(request):
    """Stages and event kinds, with each kind's details (type, required, choices)."""
    return {
        "stages": timeline.STAGES,
        "event_kinds": {
            k: {"label": v["label"], "stage": v["stage"],
                "details": {n: {"type": t, "required": r, "choices": list(c) if c else None}
                            for n, (t, r, c) in v["fields"].items()}}
            for k, v in timeline.EVENT_KINDS.items()
        },
    }
