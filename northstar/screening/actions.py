"""Screening a stored case. Callers asked the policy for the case first."""

from __future__ import annotations

from django.db import transaction

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.screening.models import Classification, Screening
from northstar.screening.rules import engine
from northstar.survivors.models import Case


def assess(answers: dict) -> dict:
    """The engine's result; its input errors become a 422 naming the answer."""
    try:
        return engine.assess(answers)
    except engine.InvalidAnswers as exc:
        raise DomainError(exc.message, exc.field) from None


DOWNGRADE_FIELD = "confirm_downgrade_reason"


def downgrade_message(previous: str, new: str) -> str:
    return (
        f"This screening would lower the classification from “{Classification(previous).label}” "
        f"to “{Classification(new).label}”. Give the reason to confirm it."
    )


@transaction.atomic
def screen_case(
    actor: Actor, case: Case, *, answers: dict, confirm_downgrade_reason: str = ""
) -> Screening:
    """Run the screening on ``case`` and keep answers, result and rule-set version.

    A classification lower on the spectrum than the case's latest screening is refused
    (422 naming ``confirm_downgrade_reason``) unless a reason is given; the reason is kept
    on the screening and named in the audit log.
    """
    result = assess(answers)
    previous = latest_screening(case)
    reason = (confirm_downgrade_reason or "").strip()
    new = result["classification"]
    downgrade = previous is not None and engine.is_lower(new, previous.classification)
    if downgrade and not reason:
        raise DomainError(
            downgrade_message(previous.classification, new),
            DOWNGRADE_FIELD,
            previous_classification=previous.classification,
            classification=new,
        )
    screening = Screening.objects.create(
        case=case,
        answers=dict(answers),
        classification=new,
        result=result,
        rule_set_version=result["rule_set_version"],
        created_by=actor.user,
        created_by_label=actor.label,
        previous_classification=previous.classification if previous else "",
        downgrade_reason=reason if downgrade else "",
    )
    note = f"classified {new}"
    if downgrade:
        note += f"; lowered from {previous.classification}, reason confirmed"
    audit.record(
        actor,
        "create",
        "screening",
        screening.pk,
        survivor_ref=case.survivor.reference,
        fields=sorted(answers) + ([DOWNGRADE_FIELD] if downgrade else []),
        note=note,
    )
    return screening


def latest_screening(case: Case) -> Screening | None:
    return case.screenings.order_by("-created_at", "-id").first()

