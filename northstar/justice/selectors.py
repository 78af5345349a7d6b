"""Reads of the timeline, starting from the policy's visible cases."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as DjangoCase
from django.db.models import Exists, F, OuterRef, Q, QuerySet, When
from django.utils import timezone

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.fields import reveal
from northstar.justice import timeline
from northstar.justice.models import TimelineEvent
from northstar.justice.rules.periods import period_for
from northstar.survivors.models import Case


def events_for(case: Case, *, include_void: bool = False):
    qs = TimelineEvent.objects.filter(case=case)
    return qs if include_void else qs.filter(voided_at__isnull=True)


def timeline_of(actor: Actor, case: Case, *, include_void: bool = False) -> list[TimelineEvent]:
    """A case's events, oldest first: reading them is an audited read naming every event."""
    events = list(
        events_for(case, include_void=include_void).filter(case__in=policy.visible_cases(actor))
    )
    audit.record_read(
        actor, events, record_type="timeline_event", survivor_ref=case.survivor.reference,
        note=f"timeline of case {case.pk}: {len(events)} event(s)",
    )
    return events


def notes_of(actor: Actor, case: Case, events: list[TimelineEvent]) -> dict[int, str]:
    """Open the sealed notes of ``events``; one audited read naming every note opened."""
    notes = {e.pk: reveal(e.note) for e in events}
    shown = [pk for pk, text in notes.items() if text]
    if shown:
        audit.record_read(
            actor, shown, record_type="timeline_event", survivor_ref=case.survivor.reference,
            fields=["note"],
        )
    return notes


def void_reasons_of(actor: Actor, case: Case, events: list[TimelineEvent]) -> dict[int, str]:
    """Open the sealed void reasons of ``events`` (they may name people); audited like notes."""
    reasons = {e.pk: reveal(e.void_reason) for e in events}
    shown = [pk for pk, text in reasons.items() if text]
    if shown:
        audit.record_read(
            actor, shown, record_type="timeline_event", survivor_ref=case.survivor.reference,
            fields=["void_reason"],
        )
    return reasons


def event_for(actor: Actor, case: Case, event_id) -> TimelineEvent:
    """One event of a case the actor may see, or ``NotFound``."""
    return policy.one_of(
        TimelineEvent.objects.filter(case__in=policy.visible_cases(actor), case=case),
        event_id, "event",
    )


def summary(case: Case, *, today=None) -> dict:
    """Stage, tasks and the jurisdiction's reflection period for one case."""
    today = today or timezone.localdate()
    facts = [e.facts() for e in events_for(case)]
    return {
        "stage": timeline.current_stage(facts),
        "tasks": timeline.derive_tasks(facts, today),
        "reflection_period": period_for(case.jurisdiction),
        "reflection_period_active": timeline.reflection_period_active(facts, today),
        "video_statement_on": timeline.video_statement_on(facts),
        "interviews": sum(1 for e in facts if e.kind == "interview"),
    }


#: The most tasks one request lists (the caseload's alerts, one page of the API): a caseload
#: with more shows the most urgent first and pages through the rest.
TASK_LIMIT = 200


def _answered(kind: str) -> Exists:
    """An event of ``kind`` recorded on or after the outer event, on its case, not void."""
    return Exists(TimelineEvent.objects.filter(
        case=OuterRef("case"), kind=kind, voided_at__isnull=True,
    ).filter(Q(occurred_on__gt=OuterRef("occurred_on"))
             | Q(occurred_on=OuterRef("occurred_on"), pk__gt=OuterRef("pk"))))


def open_task_events(cases, *, today) -> QuerySet[TimelineEvent]:
    """Events of ``cases`` that give a task on ``today``, each annotated with ``due``, earliest
    first: what ``timeline.derive_tasks`` works out, asked of the database in one query (the
    stored ``task_due``, the hearing window and "answered later" as ``NOT EXISTS``), so a
    page of tasks costs the same with 3 cases or 100,000."""
    ahead = today + dt.timedelta(days=timeline.HEARING_AHEAD_DAYS)
    soon = today + dt.timedelta(days=timeline.WARN_WITHIN_DAYS)
    open_ = (
        Q(kind="reflection_period_start", ended=False)
        | Q(kind="hearing", task_due__isnull=False, occurred_on__lt=today, followed=False)
        | Q(kind="hearing", occurred_on__gte=today, occurred_on__lte=ahead)
        | Q(kind="follow_up_planned", task_due__isnull=False, followed=False)
        | Q(kind="return", followed=False)
        | Q(kind="shelter_stay", task_due__gte=today, task_due__lte=soon)
    )
    return (
        TimelineEvent.objects.filter(case__in=cases, voided_at__isnull=True)
        .filter(Q(task_due__isnull=False) | Q(kind="hearing", occurred_on__gte=today,
                                              occurred_on__lte=ahead))
        .alias(ended=_answered("reflection_period_end"), followed=_answered("follow_up_done"))
        .filter(open_)
        .annotate(due=DjangoCase(When(kind="hearing", occurred_on__gte=today,
                                      then=F("occurred_on")), default=F("task_due")))
        .order_by("due", "case_id", "pk")
    )


def tasks_of(events, *, today) -> list[tuple[Case, timeline.Task]]:
    """The tasks of events ``open_task_events`` chose (they are open: nothing answered them)."""
    out = []
    for event in events:
        task = timeline.task_of(event.facts(), today, answered=False)
        if task is not None:
            out.append((event.case, task))
    return out


def tasks_for(actor: Actor, *, today=None, survivor=None, limit: int | None = TASK_LIMIT,
              offset: int = 0) -> list[tuple[Case, timeline.Task]]:
    """Timeline tasks on the cases the actor may see (of one ``survivor`` when given),
    earliest first, at most ``limit`` from ``offset``: one query, bounded."""
    today = today or timezone.localdate()
    cases = policy.visible_cases(actor)
    if survivor is not None:
        cases = cases.filter(survivor=survivor)
    events = open_task_events(cases, today=today).select_related("case__survivor")
    if limit is not None:
        events = events[offset:offset + limit]
    return tasks_of(events, today=today)


def tasks_read(actor: Actor, *, today=None, limit: int | None = TASK_LIMIT,
               offset: int = 0) -> list[tuple[Case, timeline.Task]]:
    """The actor's task list: it names cases and what is coming in them (hearings,
    reflection periods), so reading it is audited, naming every case shown."""
    rows = tasks_for(actor, today=today, limit=limit, offset=offset)
    if rows:
        case_ids = sorted({case.pk for case, _task in rows})
        audit.record_read(
            actor, case_ids, record_type="timeline_task",
            note=f"{len(rows)} task(s) on the {len(case_ids)} case(s) named",
        )
    return rows
