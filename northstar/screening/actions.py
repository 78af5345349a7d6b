"""Screening a stored case. Callers asked the policy for the case first."""

from __future__ import annotations

from django.db import transaction

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.screening.models import Screening
from northstar.screening.rules import engine
from northstar.survivors.models import Case


def assess(answers: dict) -> dict:
    """The engine's result; its input errors become a 422 naming the answer."""
    try:
        return engine.assess(answers)
    except engine.InvalidAnswers as exc:
        raise DomainError(exc.message, exc.field) from None


@transaction.atomic
def screen_case(actor: Actor, case: Case, *, answers: dict) -> Screening:
    """Run the screening on ``case`` and keep answers, result and rule-set version."""
    result = assess(answers)
    screening = Screening.objects.create(
        case=case,
        answers=dict(answers),
        classification=result["classification"],
        result=result,
        rule_set_version=result["rule_set_version"],
        created_by=actor.user,
        created_by_label=actor.label,
    )
    audit.record(
        actor,
        "create",
        "screening",
        screening.pk,
        survivor_ref=case.survivor.reference,
        fields=sorted(answers),
        note=f"classified {result['classification']}",
    )
    return screening


def latest_screening(case: Case) -> Screening | None:
    return case.screenings.order_by("-created_at", "-id").first()

