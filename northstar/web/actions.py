"""Writes of the guided intake: starting it, saving a half-filled step, moving on.

The survivor, consent, case, screening and plan records themselves are written
by their own apps' actions; these only keep the intake's place and draft, and
audit that, because a draft holds personal data.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError
from northstar.core.fields import reveal
from northstar.web.models import STEP_ORDER, Intake, IntakeStep

MAX_DRAFT_CHARS = 50_000


def _ref(intake: Intake) -> str:
    return intake.survivor.reference if intake.survivor_id else ""


@transaction.atomic
def start_intake(actor: Actor) -> Intake:
    intake = Intake.objects.create(organisation=actor.organisation, started_by=actor.user)
    audit.record(actor, "create", "intake", intake.pk, note="intake started")
    return intake


@transaction.atomic
def save_intake_draft(actor: Actor, intake: Intake, *, step: str, values: dict) -> Intake:
    """Keep what was typed in ``step`` so that leaving half-way loses nothing."""
    if step not in IntakeStep.values or step == IntakeStep.DONE:
        raise DomainError("unknown intake step", "step")
    blob = json.dumps(values, default=str, ensure_ascii=False)
    if len(blob) > MAX_DRAFT_CHARS:
        raise DomainError("the draft is too long to keep", "draft")
    intake.draft_step = step
    intake.draft = blob
    intake.updated_at = timezone.now()
    intake.save(update_fields=["draft_step", "draft", "updated_at"])
    audit.record(actor, "update", "intake", intake.pk, survivor_ref=_ref(intake),
                 fields=sorted(values), note=f"draft of step {step} saved")
    return intake


def reveal_intake_draft(actor: Actor, intake: Intake, *, step: str) -> dict:
    """The half-filled form of ``step``, if that is the step it was left in; audited."""
    if intake.draft_step != step or not intake.draft:
        return {}
    values = json.loads(reveal(intake.draft))
    audit.record_read(actor, intake, survivor_ref=_ref(intake), fields=values,
                      note=f"draft of step {step} reopened")
    return values


@transaction.atomic
def complete_intake_step(actor: Actor, intake: Intake, *, step: str, survivor=None,
                         case=None) -> Intake:
    """Record that ``step`` is done: the intake moves past it and its draft is dropped."""
    if step not in IntakeStep.values or step == IntakeStep.DONE:
        raise DomainError("unknown intake step", "step")
    current = Intake.objects.select_for_update().get(pk=intake.pk)
    for name, value in (("survivor", survivor), ("case", case)):
        recorded = getattr(current, f"{name}_id")
        if value is not None and recorded not in (None, value.pk):
            raise Conflict(f"someone else already recorded the {name} for this intake; "
                           "reload the page to see it", name)
    # Work on the row as it is now, and leave the caller's object matching it.
    intake.survivor_id, intake.case_id = current.survivor_id, current.case_id
    intake.step, intake.draft_step, intake.draft = current.step, current.draft_step, current.draft
    intake.completed_at = current.completed_at
    if survivor is not None:
        intake.survivor = survivor
    if case is not None:
        intake.case = case
    following = STEP_ORDER[STEP_ORDER.index(step) + 1]
    if STEP_ORDER.index(following) > intake.step_index:
        intake.step = following
    if intake.draft_step == step:
        intake.draft_step, intake.draft = "", ""
    now = timezone.now()
    intake.updated_at = now
    if intake.step == IntakeStep.DONE and intake.completed_at is None:
        intake.completed_at = now
    intake.save()
    audit.record(actor, "update", "intake", intake.pk, survivor_ref=_ref(intake),
                 fields=["step"], note=f"step {step} completed")
    return intake


@transaction.atomic
def discard_intake(actor: Actor, intake: Intake) -> None:
    """Stop an intake. A half-typed draft is destroyed (it is personal data nobody will
    use); records already made (survivor, consents, case) stay, as every record does."""
    ref = _ref(intake)
    if intake.survivor_id is None:
        pk = intake.pk
        intake.delete()
        audit.record(actor, "delete", "intake", pk, note="intake discarded with its draft")
        return
    intake.draft_step, intake.draft = "", ""
    intake.completed_at = intake.updated_at = timezone.now()
    intake.save(update_fields=["draft_step", "draft", "completed_at", "updated_at"])
    audit.record(actor, "update", "intake", intake.pk, survivor_ref=ref, fields=["draft"],
                 note="intake closed before the end; draft destroyed")
