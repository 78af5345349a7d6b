"""Compensation over JSON: the calculator, calculations on a case, claims, payments,
mediation, the victim fund and delivery figures. Thin: parse, ask the policy, call an action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router

from northstar import policy
from northstar.apiutils import PageQuery, actor_of, page_of
from northstar.compensation import (
    calculations,
    claims,
    eligibility,
    figures,
    fund,
    mediations,
    reports,
    selectors,
)
from northstar.compensation.figures import as_money
from northstar.compensation.models import Claim, Disbursement, Mediation, SavedCalculation
from northstar.compensation.schemas import (
    AgreementIn,
    CalculateIn,
    CalculationDetailOut,
    CalculationListOut,
    ClaimDetailOut,
    ClaimIn,
    ClaimListOut,
    ClaimOut,
    DepositIn,
    DisbursementDeclineIn,
    DisbursementIn,
    DisbursementListOut,
    DisbursementOut,
    DisbursementPage,
    EligibilityOut,
    EscalationIn,
    FiguresOut,
    FundBalanceOut,
    FundReportOut,
    MediationDetailOut,
    MediationIn,
    MediationListOut,
    MediationOut,
    PartyIn,
    PaymentIn,
    SaveCalculationIn,
    ScheduleIn,
    SessionIn,
    StatementOut,
    TransitionIn,
)
from northstar.core.actor import Actor
from northstar.core.db import reading_figures
from northstar.core.errors import Forbidden, NotFound
from northstar.core.fields import reveal

router = Router(tags=["compensation"])


# --- serialisers ---------------------------------------------------------------


def calculation_out(calc: SavedCalculation, opened: dict | None = None) -> dict:
    out = {"id": calc.pk, "case_id": calc.case_id, "label": calc.label,
           "jurisdiction": calc.jurisdiction, "method": calc.method, "currency": calc.currency,
           "total": as_money(calc.total, calc.currency), "calculator_version": calc.calculator_version,
           "rule_set_version": calc.rule_set_version, "created_at": calc.created_at.isoformat()}
    if opened is not None:
        out.update(opened)
    return out


def claim_out(claim: Claim, *, detail: bool = False, payer_name: str | None = None,
              texts: dict | None = None) -> dict:
    """``texts``: the sealed proofs and notes opened by ``claims.open_claim_texts``."""
    texts = texts or {"proofs": {}, "notes": {}}
    out = {
        "id": claim.pk, "case_id": claim.case_id, "route": claim.route, "status": claim.status,
        "payer": claim.payer, "forum_reference": claim.forum_reference,
        "calculation_id": claim.calculation_id, "currency": claim.currency,
        "amount_claimed": as_money(claim.amount_claimed, claim.currency),
        "amount_awarded": as_money(claim.amount_awarded, claim.currency) if claim.amount_awarded is not None else None,
        "amount_agreed": as_money(claim.amount_agreed, claim.currency) if claim.amount_agreed is not None else None,
        "filed_on": claim.filed_on, "decided_on": claim.decided_on, "closed_on": claim.closed_on,
        "escalated_from_mediation_id": claim.escalated_from_id, "version": claim.version,
    }
    if detail:
        out["payer_name"] = payer_name
        out["instalments"] = [
            {"id": i.pk, "number": i.number, "due_on": i.due_on, "amount": as_money(i.amount, claim.currency)}
            for i in claim.instalments.filter(superseded_at__isnull=True)]
        out["payments"] = [
            {"id": p.pk, "received_on": p.received_on, "amount": as_money(p.amount, claim.currency),
             "proof_reference": texts["proofs"].get(p.pk, str(p.proof_reference or ""))}
            for p in claim.payments.all()]
        out["timeline"] = [
            {"kind": e.kind, "on": e.on, "from_status": e.from_status, "to_status": e.to_status,
             "amount": as_money(e.amount, claim.currency) if e.amount is not None else None, "note": texts["notes"].get(e.pk, str(e.note or "")),
             "by": e.actor_label, "at": e.at.isoformat()} for e in claim.events.all()]
        out["figures"] = figures.claim_figures(claims.claim_facts(claim), timezone.localdate())
    return out


def mediation_out(item: Mediation, *, opened: dict | None = None) -> dict:
    """``opened``: what ``mediations.read_mediation`` opened; without it sealed text is masked."""
    out = {
        "id": item.pk, "case_id": item.case_id, "status": item.status,
        "mediator": item.mediator, "opened_on": item.opened_on,
        "agreed_on": item.agreed_on, "closed_on": item.closed_on,
        "claim_id": item.claim_id,
        "failure_reason": opened["failure_reason"] if opened else str(item.failure_reason or ""),
        "eligibility": item.eligibility,
        "court_claim_ids": [c.pk for c in item.court_claims.all()],
        "sessions": [{"id": s.pk, "held_on": s.held_on, "outcome": s.outcome,
                      "summary": reveal(s.summary) if opened else None}
                     for s in item.sessions.all()],
        "parties": [{"id": p.pk, "role": p.role,
                     "represented_by": opened["represented_by"].get(p.pk, "") if opened
                     else str(p.represented_by or ""),
                     "name": reveal(p.name) if opened else None}
                    for p in item.parties.all()],
    }
    if opened:
        out["agreement_terms"] = reveal(item.agreement_terms) or None
    return out


def disbursement_out(d: Disbursement) -> dict:
    return {"id": d.pk, "survivor_id": d.survivor_id, "case_id": d.case_id, "purpose": d.purpose,
            "amount": as_money(d.amount, d.fund.currency), "currency": d.fund.currency, "paid_on": d.paid_on,
            "approver": d.approver.get_username(), "status": d.status}


# --- the calculator ------------------------------------------------------------


@router.post("/compensation/calculate", response=StatementOut)
def calculate_claim(request, payload: CalculateIn):
    """Stateless: an itemised statement for the figures given. Nothing is stored."""
    actor = actor_of(request)
    if actor.survivor_id is not None:
        raise Forbidden("the calculator is for staff")
    return calculations.run_calculator(payload.model_dump(mode="json"))


@router.post("/cases/{case_id}/calculations", response={201: CalculationDetailOut})
def save_calculation(request, case_id: int, payload: SaveCalculationIn):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    data = payload.model_dump(mode="json")
    label = data.pop("label", "")
    calc = calculations.save_calculation(actor, case, data=data, label=label)
    return 201, calculation_out(calc, calculations.open_calculation(actor, calc))


@router.get("/cases/{case_id}/calculations", response=CalculationListOut)
def list_calculations(request, case_id: int):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    return {"items": [calculation_out(c) for c in calculations.calculations_on_case(actor, case)]}


@router.get("/compensation/calculations/{calculation_id}", response=CalculationDetailOut)
def get_calculation(request, calculation_id: int):
    actor = actor_of(request)
    calc = selectors.calculation_for(actor, calculation_id)
    return calculation_out(calc, calculations.open_calculation(actor, calc))


# --- claims --------------------------------------------------------------------


@router.post("/cases/{case_id}/claims", response={201: ClaimOut})
def create_claim(request, case_id: int, payload: ClaimIn):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    claim = claims.create_claim(actor, case, **payload.model_dump())
    return 201, claim_out(claim)


@router.get("/cases/{case_id}/claims", response=ClaimListOut)
def list_claims(request, case_id: int):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    return {"items": [claim_out(c) for c in claims.claims_on_case(actor, case)]}


def _claim_detail(actor: Actor, claim: Claim) -> dict:
    opened = claims.open_claim_detail(actor, claim)
    return claim_out(claim, detail=True, payer_name=opened["payer_name"] or None, texts=opened)


@router.get("/compensation/claims/{claim_id}", response=ClaimDetailOut)
def get_claim(request, claim_id: int):
    actor = actor_of(request)
    return _claim_detail(actor, selectors.claim_for(actor, claim_id))


@router.post("/compensation/claims/{claim_id}/transitions", response=ClaimOut)
def transition_claim(request, claim_id: int, payload: TransitionIn):
    actor = actor_of(request)
    claim = selectors.claim_for(actor, claim_id)
    claim = claims.transition_claim(actor, claim, **payload.model_dump())
    return claim_out(claim)


@router.post("/compensation/claims/{claim_id}/schedule", response=ClaimDetailOut)
def set_schedule(request, claim_id: int, payload: ScheduleIn):
    actor = actor_of(request)
    claim = selectors.claim_for(actor, claim_id)
    claims.set_schedule(actor, claim, instalments=payload.model_dump()["instalments"])
    claim.refresh_from_db()
    return _claim_detail(actor, claim)


@router.post("/compensation/claims/{claim_id}/payments", response={201: ClaimDetailOut})
def record_payment(request, claim_id: int, payload: PaymentIn):
    actor = actor_of(request)
    claim = selectors.claim_for(actor, claim_id)
    claims.record_payment(actor, claim, **payload.model_dump())
    claim.refresh_from_db()
    return 201, _claim_detail(actor, claim)


# --- figures -------------------------------------------------------------------


@router.get("/compensation/figures", response=FiguresOut)
def organisation_figures(request, as_of: dt.date | None = None):
    """Awarded vs received, time taken and on-time compliance, overall and by route.

    Aggregates only. Supervisors see their organisation's claims; those who see only
    disclosure-safe figures (researchers) see only claims of survivors whose statistics
    consent stands, and no group backed by fewer than ``MIN_CELL`` survivors (nor one
    recoverable by subtraction).
    """
    with reading_figures():  # figures may be read on the replica (core/db.py)
        return reports.organisation_report(actor_of(request), as_of=as_of or timezone.localdate())


# --- mediation -----------------------------------------------------------------


@router.get("/cases/{case_id}/mediation-eligibility", response=EligibilityOut)
def mediation_eligibility(request, case_id: int):
    """Whether out-of-court compensation may be offered, and why, from the pathways engine."""
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    return eligibility.read_mediation_assessment(actor, case)


@router.post("/cases/{case_id}/mediations", response={201: MediationOut})
def open_mediation(request, case_id: int, payload: MediationIn):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    opened = mediations.open_mediation(actor, case, **payload.model_dump())
    return 201, mediation_out(opened)


@router.get("/cases/{case_id}/mediations", response=MediationListOut)
def list_mediations(request, case_id: int):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    return {"items": [mediation_out(m) for m in mediations.mediations_on_case(actor, case)]}


@router.get("/compensation/mediations/{mediation_id}", response=MediationDetailOut)
def get_mediation(request, mediation_id: int):
    actor = actor_of(request)
    found = selectors.mediation_for(actor, mediation_id)
    return mediation_out(found, opened=mediations.read_mediation(actor, found))


@router.post("/compensation/mediations/{mediation_id}/parties", response={201: MediationOut})
def add_party(request, mediation_id: int, payload: PartyIn):
    actor = actor_of(request)
    found = selectors.mediation_for(actor, mediation_id)
    mediations.add_party(actor, found, **payload.model_dump())
    return 201, mediation_out(found)


@router.post("/compensation/mediations/{mediation_id}/sessions", response={201: MediationOut})
def record_session(request, mediation_id: int, payload: SessionIn):
    actor = actor_of(request)
    found = selectors.mediation_for(actor, mediation_id)
    mediations.record_session(actor, found, **payload.model_dump())
    return 201, mediation_out(found)


@router.post("/compensation/mediations/{mediation_id}/agreement", response={201: ClaimOut})
def record_agreement(request, mediation_id: int, payload: AgreementIn):
    actor = actor_of(request)
    found = selectors.mediation_for(actor, mediation_id)
    claim = mediations.record_agreement(actor, found, **payload.model_dump())
    return 201, claim_out(claim)


@router.post("/compensation/mediations/{mediation_id}/escalation", response={201: ClaimOut})
def escalate_mediation(request, mediation_id: int, payload: EscalationIn):
    actor = actor_of(request)
    found = selectors.mediation_for(actor, mediation_id)
    claim = mediations.escalate_mediation(actor, found, **payload.model_dump())
    return 201, claim_out(claim)


# --- the victim fund -----------------------------------------------------------


@router.get("/compensation/fund", response=FundReportOut)
def fund_report(request):
    """Balance, deposits and disbursements by purpose; per survivor only for case staff."""
    return fund.fund_report(actor_of(request))


@router.post("/compensation/fund/deposits", response={201: FundBalanceOut})
def deposit(request, payload: DepositIn):
    actor = actor_of(request)
    if not policy.may_see_fund(actor):
        raise Forbidden("your role does not work with the victim fund")
    fund.deposit_to_fund(actor, **payload.model_dump())
    found = selectors.fund_of(actor)
    return 201, {"currency": found.currency,
                 "balance": as_money(fund.fund_balance(found), found.currency)}


@router.post("/survivors/{survivor_id}/disbursements", response={201: DisbursementOut})
def disburse(request, survivor_id: int, payload: DisbursementIn):
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id, change=True)  # 404 outside reach
    if not policy.may_see_fund(actor):
        raise Forbidden("your role does not work with the victim fund")
    data = payload.model_dump()
    case_id = data.pop("case_id")
    case = policy.case_for(actor, case_id) if case_id is not None else None
    paid = fund.disburse(actor, survivor, case=case, **data)
    return 201, disbursement_out(paid)


@router.get("/compensation/fund/approvals", response=DisbursementPage)
def disbursements_awaiting_me(request, paging: Query[PageQuery]):
    """Disbursements that name you as approver and wait for your decision, oldest first, a
    page at a time (the `next` cursor, or `page`); only the page answered is audited."""
    actor = actor_of(request)
    items, facts = page_of(fund.awaiting_approval(actor), paging)
    return {"items": [disbursement_out(d) for d in fund.awaiting_shown(actor, items)], **facts}


@router.post("/compensation/fund/disbursements/{disbursement_id}/approve",
             response=DisbursementOut)
def approve_disbursement(request, disbursement_id: int):
    """Only the approver the disbursement names may approve it."""
    actor = actor_of(request)
    found = selectors.disbursement_for(actor, disbursement_id)
    return disbursement_out(fund.approve_disbursement(actor, found))


@router.post("/compensation/fund/disbursements/{disbursement_id}/decline",
             response=DisbursementOut)
def decline_disbursement(request, disbursement_id: int, payload: DisbursementDeclineIn):
    """The named approver declines, with a reason (sealed); the money returns to the fund."""
    actor = actor_of(request)
    found = selectors.disbursement_for(actor, disbursement_id)
    return disbursement_out(fund.decline_disbursement(actor, found, reason=payload.reason))


@router.get("/survivors/{survivor_id}/disbursements", response=DisbursementListOut)
def list_disbursements(request, survivor_id: int):
    actor = actor_of(request)
    if not policy.works_with_records(actor):
        raise NotFound("No such survivor")
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    items = fund.disbursements_to(actor, survivor)
    total = sum((d.amount for d in items), Decimal(0))
    currency = items[0].fund.currency if items else "THB"
    return {"items": [disbursement_out(d) for d in items], "total": as_money(total, currency)}
