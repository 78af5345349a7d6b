"""Reads of the timeline, starting from the policy's visible cases."""

from __future__ import annotations

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


def tasks_for(actor: Actor, *, today=None) -> list[tuple[Case, timeline.Task]]:
    """Timeline tasks on every case the actor may see, earliest first."""
    today = today or timezone.localdate()
    cases = policy.visible_cases(actor).filter(timeline_events__isnull=False).distinct() \
        .select_related("survivor")
    by_case: dict[int, list] = {}
    events = TimelineEvent.objects.filter(case__in=cases, voided_at__isnull=True)
    for e in events:
        by_case.setdefault(e.case_id, []).append(e.facts())
    out = []
    for case in cases:
        for task in timeline.derive_tasks(by_case.get(case.pk, []), today):
            out.append((case, task))
    out.sort(key=lambda ct: ct[1].due)
    return out


def tasks_read(actor: Actor, *, today=None) -> list[tuple[Case, timeline.Task]]:
    """The actor's task list: it names cases and what is coming in them (hearings,
    reflection periods), so reading it is audited, naming every case shown."""
    rows = tasks_for(actor, today=today)
    if rows:
        case_ids = sorted({case.pk for case, _task in rows})
        audit.record_read(
            actor, case_ids, record_type="timeline_task",
            note=f"{len(rows)} task(s) on the {len(case_ids)} case(s) named",
        )
    return rows
