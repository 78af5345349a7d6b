"""Reading a case's screenings: starts from the policy, and every read is audited."""

from __future__ import annotations

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.prepared import Prepared
from northstar.screening.models import Screening
from northstar.survivors.models import Case

#: A case's latest screening (the case page's panel), its SQL written once per process.
_LATEST = Prepared(lambda case_id: Screening.objects.filter(case_id=case_id).order_by(
    "-created_at", "-id")[:1], -7_320_000_001)


def screenings(actor: Actor, case: Case, *, limit: int | None = None) -> list[Screening]:
    """The case's screenings, latest first; one audited read naming every id shown."""
    case_id = policy.visible_case_id(actor, case)
    if case_id is None:
        items = []
    elif limit == 1:
        items = _LATEST(case_id)
    else:
        qs = Screening.objects.filter(case_id=case_id).order_by("-created_at", "-id")
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
