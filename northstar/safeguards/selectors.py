"""Reading Do No Harm findings: start from the policy's visible cases, audit every read."""

from __future__ import annotations

from collections.abc import Sequence

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.prepared import Prepared
from northstar.safeguards import actions
from northstar.safeguards.models import Finding
from northstar.survivors.models import Case

#: One case's open findings, newest first (the case page's panel): SQL written once.
_OPEN_OF_CASE = Prepared(
    lambda case_id: Finding.objects.filter(case_id=case_id, status="open")
    .order_by("-created_at", "-id"), -7_320_000_021, constants=("open",))


def findings_for_case(
    actor: Actor, case: Case, *, status: str | None = None, limit: int | None = None
) -> list[Finding]:
    """A case's findings, newest first; one audited read naming every finding shown."""
    if status == "open" and not limit:
        case_id = policy.visible_case_id(actor, case)
        items = _OPEN_OF_CASE(case_id) if case_id is not None else []
    else:
        qs = actions.findings_for_case(actor, case).order_by("-created_at", "-id")
        if status:
            qs = qs.filter(status=status)
        items = list(qs[:limit] if limit else qs)
    for finding in items:
        finding.case = case  # the case they are shown on, not read again
    audit.record_read(
        actor, items, record_type="safeguard_finding", survivor_ref=case.survivor.reference,
        note=f"Do No Harm findings of case {case.pk}",
    )
    return items


def open_findings_shown(actor: Actor, items: Sequence[Finding]) -> Sequence[Finding]:
    """The page of the open-findings work list being shown: audited, naming every finding."""
    audit.record_read(
        actor, list(items), record_type="safeguard_finding", note="open Do No Harm findings"
    )
    return items
