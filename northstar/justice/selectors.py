"""Reads of the timeline, starting from the policy's visible cases."""

from __future__ import annotations

from django.utils import timezone

from northstar import policy
from northstar.core.actor import Actor
from northstar.justice import timeline
from northstar.justice.models import TimelineEvent
from northstar.justice.rules.periods import period_for
from northstar.survivors.models import Case


def events_for(case: Case, *, include_void: bool = False):
    qs = TimelineEvent.objects.filter(case=case)
    return qs if include_void else qs.filter(voided_at__isnull=True)


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
