"""Recording the justice-chain timeline, with the safeguards run on every event.

Callers asked ``policy.case_for(actor, id, change=True)``. Each event is
checked against its kind, stored, audited, and then shown to the Do No Harm
engine: a third retelling, an interview without a needed interpreter, a
curfew, a return without informed consent or the arrest of an identified
victim each leave an open finding on the case (``safeguards.actions``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError
from northstar.justice import timeline
from northstar.justice.models import TimelineEvent
from northstar.justice.rules.periods import period_for
from northstar.safeguards.actions import record_findings
from northstar.survivors.models import Case


def _facts_of(case: Case) -> dict:
    survivor = case.survivor
    return {
        "age": survivor.age_on(),
        "interpreter_needed": survivor.interpreter_needed,
        "preferred_language": survivor.preferred_language or None,
        "exploitation": list(case.forms_of_exploitation or []),
        "fears_retaliation_at_home": case.fears_retaliation_at_home,
    }


def live_events(case: Case):
    return TimelineEvent.objects.filter(case=case, voided_at__isnull=True)


def _raise_findings(actor: Actor, case: Case, event: TimelineEvent) -> list:
    prior = [e.facts() for e in live_events(case).exclude(pk=event.pk)
             if (e.occurred_on, e.pk) < (event.occurred_on, event.pk)]
    found = []
    for action, context in timeline.safeguard_checks(event.facts(), prior=prior,
                                                     facts=_facts_of(case)):
        context = {k: v for k, v in context.items() if v is not None}
        found.extend(record_findings(actor, case, action=action, context=context,
                                     source=f"timeline:{event.pk}"))
    return found


@transaction.atomic
def record_event(
    actor: Actor,
    case: Case,
    *,
    kind: str,
    occurred_on: dt.date,
    details: dict | None = None,
    stage: str | None = None,
    note: str = "",
) -> TimelineEvent:
    """Record one event on the case's timeline and raise the safeguards findings it calls for."""
    try:
        clean = timeline.clean_details(kind, details)
    except timeline.EventError as exc:
        raise DomainError(exc.message, exc.field) from None
    if kind == "stage_change" and not stage:
        raise DomainError("name the stage the case moves to", "stage")
    stage = stage or timeline.default_stage(kind) or timeline.current_stage(
        e.facts() for e in live_events(case)) or "identification"
    if stage not in timeline.STAGES:
        raise DomainError(f"must be one of: {', '.join(timeline.STAGES)}", "stage")
    if not isinstance(occurred_on, dt.date):
        raise DomainError("must be a date (YYYY-MM-DD)", "occurred_on")
    today = timezone.localdate()
    # Hearings and planned follow-ups may lie ahead; everything else has happened.
    if kind not in ("hearing", "follow_up_planned") and occurred_on > today:
        raise DomainError("cannot be in the future for this kind of event", "occurred_on")
    if occurred_on < dt.date(1990, 1, 1):
        raise DomainError("is too far in the past", "occurred_on")
    if len(note or "") > 4000:
        raise DomainError("at most 4000 characters", "note")
    for key in ("ends_on", "released_on", "due_on"):
        if key in clean and dt.date.fromisoformat(clean[key]) < occurred_on:
            raise DomainError("cannot be before the event", f"details.{key}")
    if kind == "reflection_period_start" and "ends_on" not in clean:
        # Length from the jurisdiction's data where known; otherwise as decided later.
        ends = period_for(case.jurisdiction).ends_on(occurred_on)
        if ends:
            clean["ends_on"] = ends.isoformat()
    event = TimelineEvent.objects.create(
        case=case, kind=kind, stage=stage, occurred_on=occurred_on, details=clean,
        note=note or "", organisation=actor.organisation, recorded_by=actor.user,
        recorded_by_label=actor.label,
    )
    audit.record(actor, "create", "timeline_event", event.pk, survivor_ref=case.survivor.reference,
                 fields=sorted(["kind", "stage", "occurred_on", *clean, *(["note"] if note else [])]),
                 note=f"{kind} on {occurred_on.isoformat()} ({stage})")
    findings = _raise_findings(actor, case, event)
    if findings:
        event.finding_rules = sorted({f.rule for f in findings})
        event.save(update_fields=["finding_rules"])
    return event


@transaction.atomic
def void_event(actor: Actor, event: TimelineEvent, *, reason: str) -> TimelineEvent:
    """Mark a mistaken event void (kept, with the reason); its findings stay for review."""
    current = TimelineEvent.objects.select_for_update().get(pk=event.pk)
    if current.voided_at is not None:
        raise Conflict("this event is already void", "voided_at")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("say why the event is void", "reason")
    current.voided_at = timezone.now()
    current.void_reason = reason[:300]
    current.save(update_fields=["voided_at", "void_reason"])
    audit.record(actor, "update", "timeline_event", current.pk,
                 survivor_ref=current.case.survivor.reference,
                 fields=["voided_at", "void_reason"],
                 # The reason is free text that may name people: it stays on the event,
                 # never in the append-only audit log.
                 note=f"voided {current.kind} event")
    return current
