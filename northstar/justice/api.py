"""The justice-chain timeline over JSON: events per case, stage, tasks, reflection periods."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar import policy
from northstar.apiutils import Pages, StrictSchema, actor_of
from northstar.core.errors import DomainError, NotFound
from northstar.core.fields import reveal
from northstar.justice import actions, selectors, timeline
from northstar.justice import tasks as case_tasks
from northstar.justice.models import CaseTask, TimelineEvent
from northstar.justice.rules.periods import periods
from northstar.justice.schemas import CaseTaskFilters, CaseTaskIn, CaseTaskOut, DoneIn

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


# --- Tasks set on cases (issue 14) ------------------------------------------------


def case_task_out(t: CaseTask) -> dict:
    return {"id": t.pk, "case_id": t.case_id, "case_reference": t.case.reference,
            "title": getattr(t, "title_text", None) or reveal(t.title),
            "assignee_id": t.assignee_id, "due_on": t.due_on, "overdue": t.is_overdue(),
            "source": t.source, "done_at": t.done_at, "done_by_label": t.done_by_label}


def _case_tasks_shown(request, rows: list[CaseTask]) -> list[dict]:
    return [case_task_out(t) for t in case_tasks.shown(actor_of(request), rows)]


@router.get("/case-tasks", response=list[CaseTaskOut])
@paginate(Pages, shown=_case_tasks_shown, each_run=True)
def list_case_tasks(request, filters: Query[CaseTaskFilters]):
    """Tasks set on the cases you see (titles opened and the read audited). ``open=true``
    with ``due_before=<today>`` is the organisation's overdue list; ``assignee_id`` yours."""
    actor = actor_of(request)
    return filters.filter(case_tasks.visible_tasks(actor).select_related("case")
                          .order_by("due_on", "id"))


@router.post("/cases/{case_id}/case-tasks", response={201: CaseTaskOut})
def add_case_task(request, case_id: int, payload: CaseTaskIn):
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    if not policy.may_manage_tasks(actor):
        raise NotFound("No such case")
    policy.survivor_for(actor, case.survivor_id, change=True)
    if not policy.may_assign_case_to(case.survivor.organisation, payload.assignee_id):
        raise DomainError("Choose someone of your organisation who works with cases.",
                          "assignee_id")
    assignee = policy.staff_who_work_with_records(case.survivor.organisation).get(
        pk=payload.assignee_id)
    task = case_tasks.add_task(actor, case, title=payload.title, assignee=assignee,
                               due_on=payload.due_on)
    task.title_text = payload.title
    return 201, case_task_out(task)


@router.post("/case-tasks/{task_id}/done", response=CaseTaskOut)
def mark_case_task(request, task_id: int, payload: DoneIn):
    """Mark a task done (or, with ``done: false``, not done after all)."""
    actor = actor_of(request)
    if not policy.may_manage_tasks(actor):
        raise NotFound("No such task")
    task = case_tasks.task_for(actor, task_id)
    policy.survivor_for(actor, task.case.survivor_id, change=True)
    task = case_tasks.set_done(actor, task, done=payload.done)
    return case_task_out(case_tasks.shown(actor, [task], note="task marked")[0])
