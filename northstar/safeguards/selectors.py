"""Reading Do No Harm findings: start from the policy's visible cases, audit every read."""

from __future__ import annotations

from collections.abc import Sequence

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.safeguards import actions
from northstar.safeguards.models import Finding
from northstar.survivors.models import Case


def findings_for_case(
    actor: Actor, case: Case, *, status: str | None = None, limit: int | None = None
) -> list[Finding]:
    """A case's findings, newest first; one audited read naming every finding shown."""
    qs = actions.findings_for_case(actor, case).select_related("case").order_by(
        "-created_at", "-id"
    )
    if status:
        qs = qs.filter(status=status)
    items = list(qs[:limit] if limit else qs)
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
