"""Do No Harm over JSON: a stateless check, checks and proposals on a case, findings."""

from __future__ import annotations

from ninja import Query, Router

from northstar import policy
from northstar.apiutils import actor_of, page_of
from northstar.core.errors import DomainError
from northstar.core.prepared import planned_each_run
from northstar.safeguards import actions, selectors
from northstar.safeguards.models import Finding, ProposedAction
from northstar.safeguards.rules import engine
from northstar.safeguards.schemas import (
    CaseCheckOut,
    FindingFilters,
    FindingOut,
    FindingPage,
    FindingPageQuery,
    ProposalOut,
    ProposeIn,
    ResolveIn,
    SafeguardCheckIn,
    SafeguardResult,
)

router = Router(tags=["safeguards"])


def finding_out(f: Finding) -> dict:
    return {
        "id": f.pk,
        "case_id": f.case_id,
        "case_reference": f.case.reference,
        "action": f.action,
        "rule": f.rule,
        "severity": f.severity,
        "harm": f.harm,
        "explanation": f.explanation,
        "source": f.source,
        "status": f.status,
        "rule_set_version": f.rule_set_version,
        "created_at": f.created_at,
        "created_by": f.created_by_label,
        "resolved_by": f.resolved_by_label,
        "resolved_at": f.resolved_at,
    }


def _context(payload) -> dict:
    return payload.context.model_dump(exclude_unset=True)


@router.post("/safeguards/check", response=SafeguardResult)
def check(request, payload: SafeguardCheckIn):
    """What harm could this action do? Nothing is stored. No risk: an empty list."""
    try:
        return engine.check(payload.action, _context(payload))
    except engine.InvalidCheck as exc:
        raise DomainError(exc.message, exc.field) from None


@router.post("/cases/{case_id}/safeguard-checks", response=CaseCheckOut)
def check_case(request, case_id: int, payload: SafeguardCheckIn):
    """Check an action against a stored case (its record fills the context). Nothing is stored."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    result, context = actions.check_case(
        actor, case, action=payload.action, context=_context(payload)
    )
    return {**result, "context": context}


@router.post("/cases/{case_id}/proposed-actions", response={201: ProposalOut})
def propose(request, case_id: int, payload: ProposeIn):
    """Record an action on a case. A block finding refuses it unless a supervisor justifies it."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    proposal = actions.propose_action(
        actor,
        case,
        action=payload.action,
        context=_context(payload),
        justification=payload.justification,
        second_supervisor_id=payload.second_supervisor_id,
    )
    return 201, _proposal_out(proposal)


def _proposal_out(p: ProposedAction) -> dict:
    return {
        "id": p.pk,
        "case_id": p.case_id,
        "action": p.action,
        "rule_set_version": p.rule_set_version,
        "overridden": p.overridden_by_id is not None,
        "created_at": p.created_at,
        "findings": [finding_out(f) for f in p.findings.select_related("case")],
    }


@router.get("/cases/{case_id}/findings", response=list[FindingOut])
def case_findings(request, case_id: int, filters: Query[FindingFilters]):
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    items = selectors.findings_for_case(actor, case, status=filters.status)
    return [finding_out(f) for f in items]


@router.get("/findings", response=FindingPage)
def open_findings(request, filters: Query[FindingPageQuery]):
    """Open Do No Harm findings on every case you may see: a supervisor's work list."""
    actor = actor_of(request)
    with planned_each_run():  # see ``actions.open_findings``
        items, paging = page_of(actions.open_findings(actor), filters)
    selectors.open_findings_shown(actor, items)
    return {"items": [finding_out(f) for f in items], **paging}


@router.post("/findings/{finding_id}/resolve", response=FindingOut)
def resolve(request, finding_id: int, payload: ResolveIn):
    """Close a finding; overriding a block is a supervisor's written decision."""
    actor = actor_of(request)
    finding = actions.finding_for(actor, finding_id)
    policy.case_for(actor, finding.case_id, change=True)
    return finding_out(
        actions.resolve_finding(
            actor,
            finding,
            status=payload.status,
            justification=payload.justification,
            second_supervisor_id=payload.second_supervisor_id,
        )
    )
