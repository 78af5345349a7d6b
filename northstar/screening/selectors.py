"""Reading a case's screenings: starts from the policy, and every read is audited."""

from __future__ import annotations

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.screening.models import Screening
from northstar.survivors.models import Case


def screenings(actor: Actor, case: Case, *, limit: int | None = None) -> list[Screening]:
    """The case's screenings, latest first; one audited read naming every id shown."""
    qs = Screening.objects.filter(case__in=policy.visible_cases(actor), case=case).order_by(
        "-created_at", "-id"
    )
    items = list(qs[:limit] if limit else qs)
    audit.record_read(
        actor,
        items,
        record_type="screening",
        survivor_ref=case.survivor.reference,
        note=f"screenings of case {case.pk}",
    )
    return items


def latest_screening(actor: Actor, case: Case) -> Screening | None:
    """The case's latest screening, if any; reading it is audited."""
    found = screenings(actor, case, limit=1)
    return found[0] if found else None
