"""Compensation over JSON: the calculator, calculations on a case, claims, payments,
mediation, the victim fund and delivery figures. Thin: parse, ask the policy, call an action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Router

from northstar import policy
from northstar.apiutils import actor_of
from northstar.compensation import actions, figures, selectors
from northstar.compensation.calculator import CalculationError, calculate
from northstar.compensation.figures import as_money
from northstar.compensation.models import Claim, Disbursement, Mediation, SavedCalculation
from northstar.compensation.schemas import (
    AgreementIn,
    CalculateIn,
    ClaimIn,
    DepositIn,
    DisbursementIn,
    EscalationIn,
    MediationIn,
    PartyIn,
    PaymentIn,
    SaveCalculationIn,
    ScheduleIn,
    SessionIn,
    TransitionIn,
)
from northstar.core import audit, roles
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden, NotFound
from northstar.core.fields import reveal

router = Router(tags=["compensation"])

_listed = actions.note_listed


# --- serialisers ---------------------------------------------------------------


def calculation_out(calc: SavedCalculation, opened: dict | None = None) -> dict:
    out = {"id": calc.pk, "case_id": calc.case_id, "label": calc.label,
           "jurisdiction": calc.jurisdiction, "method": calc.method, "currency": calc.currency,
           "total": as_money(calc.total, calc.currency), "calculator_version": calc.calculator_version,
           "rule_set_version": calc.rule_set_version, "created_at": calc.created_at.isoformat()}
    if opened is not None:
        out.update(opened)
    return out


def claim_out(claim: Claim, *, detail: bool = False, payer_name: str | None = None) -> dict:
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
             "proof_reference": p.proof_reference} for p in claim.payments.all()]
        out["timeline"] = [
            {"kind": e.kind, "on": e.on, "from_status": e.from_status, "to_status": e.to_status,
             "amount": as_money(e.amount, claim.currency) if e.amount is not None else None, "note": e.note,
             "by": e.actor_label, "at": e.at.isoformat()} for e in claim.events.all()]
        out["figures"] = figures.claim_figures(actions.claim_facts(claim), timezone.localdate())
    return out


def mediation_out(mediation: Mediation, *, opened: bool = False) -> dict:
    out = {
        "id": mediation.pk, "case_id": mediation.case_id, "status": mediation.status,
        "mediator": mediation.mediator, "opened_on": mediation.opened_on,
        "agreed_on": mediation.agreed_on, "closed_on": mediation.closed_on,
        "claim_id": mediation.claim_id, "failure_reason": mediation.failure_reason,
        "eligibility": mediation.eligibility,
        "court_claim_ids": [c.pk for c in mediation.court_claims.all()],
        "sessions": [{"id": s.pk, "held_on": s.held_on, "outcome": s.outcome,
                      "summary": reveal(s.summary) if opened else None}
                     for s in mediation.sessions.all()],
        "parties": [{"id": p.pk, "role": p.role, "represented_by": p.represented_by,
                     "name": reveal(p.name) if opened else None}
                    for p in mediation.parties.all()],
    }
    if opened:
        out["agreement_terms"] = reveal(mediation.agreement_terms) or None
    return out


def disbursement_out(d: Disbursement) -> dict:
    return {"id": d.pk, "survivor_id": d.survivor_id, "case_id": d.case_id, "purpose": d.purpose,
            "amount": as_money(d.amount, d.fund.currency), "currency": d.fund.currency, "paid_on": d.paid_on,
            "approver": d.approver.get_username()}


# --- the calculator ------------------------------------------------------------


@router.post("/compensation/calculate")
def calculate_claim(request, payload: CalculateIn):
    """Stateless: an itemised statement for the figures given. Nothing is stored."""
    actor = actor_of(request)
    if actor.survivor_id is not None:
        raise Forbidden("the calculator is for staff")
    try:
        return calculate(payload.model_dump(mode="json"))
    except CalculationError as exc:
        raise DomainError(exc.message, exc.field) from None


@router.post("/cases/{case_id}/calculations", response={201: dict})
def save_calculation(request, case_id: int, payload: SaveCalculationIn):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    data = payload.model_dump(mode="json")
    label = data.pop("label", "")
    calc = actions.save_calculation(actor, case, data=data, label=label)
    return 201, calculation_out(calc, actions.reveal_calculation(actor, calc))


@router.get("/cases/{case_id}/calculations")
def list_calculations(request, case_id: int):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    items = list(selectors.visible_calculations(actor).filter(case=case))
    _listed(actor, "compensation_calculation", items, case.survivor.reference)
    return {"items": [calculation_out(c) for c in items]}


@router.get("/compensation/calculations/{calculation_id}")
def get_calculation(request, calculation_id: int):
    actor = actor_of(request)
    calc = selectors.calculation_for(actor, calculation_id)
    return calculation_out(calc, actions.reveal_calculation(actor, calc))


# --- claims --------------------------------------------------------------------


@router.post("/cases/{case_id}/claims", response={201: dict})
def create_claim(request, case_id: int, payload: ClaimIn):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    claim = actions.create_claim(actor, case, **payload.model_dump())
    return 201, claim_out(claim)


@router.get("/cases/{case_id}/claims")
def list_claims(request, case_id: int):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    items = list(selectors.visible_claims(actor).filter(case=case))
    _listed(actor, "compensation_claim", items, case.survivor.reference)
    return {"items": [claim_out(c) for c in items]}


def _claim_detail(actor: Actor, claim: Claim) -> dict:
    name = actions.reveal_claim(actor, claim)
    return claim_out(claim, detail=True, payer_name=name or None)


@router.get("/compensation/claims/{claim_id}")
def get_claim(request, claim_id: int):
    actor = actor_of(request)
    return _claim_detail(actor, selectors.claim_for(actor, claim_id))


@router.post("/compensation/claims/{claim_id}/transitions")
def transition_claim(request, claim_id: int, payload: TransitionIn):
    actor = actor_of(request)
    claim = selectors.claim_for(actor, claim_id)
    claim = actions.transition_claim(actor, claim, **payload.model_dump())
    return claim_out(claim)


@router.post("/compensation/claims/{claim_id}/schedule")
def set_schedule(request, claim_id: int, payload: ScheduleIn):
    actor = actor_of(request)
    claim = selectors.claim_for(actor, claim_id)
    actions.set_schedule(actor, claim, instalments=payload.model_dump()["instalments"])
    claim.refresh_from_db()
    return _claim_detail(actor, claim)


@router.post("/compensation/claims/{claim_id}/payments", response={201: dict})
def record_payment(request, claim_id: int, payload: PaymentIn):
    actor = actor_of(request)
    claim = selectors.claim_for(actor, claim_id)
    actions.record_payment(actor, claim, **payload.model_dump())
    claim.refresh_from_db()
    return 201, _claim_detail(actor, claim)


# --- figures -------------------------------------------------------------------


@router.get("/compensation/figures")
def organisation_figures(request, as_of: dt.date | None = None):
    """Awarded vs received, time taken and on-time compliance, overall and by route.

    Aggregates only. Supervisors and administrators see their organisation's
    claims; researchers see only claims of survivors whose statistics consent
    stands, and no group backed by fewer than ``MIN_CELL`` survivors (nor one recoverable by subtraction).
    """
    return actions.organisation_report(actor_of(request), as_of=as_of or timezone.localdate())


# --- mediation -----------------------------------------------------------------


@router.get("/cases/{case_id}/mediation-eligibility")
def mediation_eligibility(request, case_id: int):
    """Whether out-of-court compensation may be offered, and why, from the pathways engine."""
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    return actions.read_mediation_assessment(actor, case)


@router.post("/cases/{case_id}/mediations", response={201: dict})
def open_mediation(request, case_id: int, payload: MediationIn):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    data = payload.model_dump()
    mediation = actions.open_mediation(actor, case, **data)
    return 201, mediation_out(mediation)


@router.get("/cases/{case_id}/mediations")
def list_mediations(request, case_id: int):
    actor = actor_of(request)
    case = selectors.staff_case_for(actor, case_id)
    items = list(selectors.visible_mediations(actor).filter(case=case)
                 .prefetch_related("court_claims", "sessions", "parties"))
    _listed(actor, "compensation_mediation", items, case.survivor.reference)
    return {"items": [mediation_out(m) for m in items]}


def _mediation_detail(actor: Actor, mediation: Mediation) -> dict:
    actions.reveal_mediation(actor, mediation)
    return mediation_out(mediation, opened=True)


@router.get("/compensation/mediations/{mediation_id}")
def get_mediation(request, mediation_id: int):
    actor = actor_of(request)
    return _mediation_detail(actor, selectors.mediation_for(actor, mediation_id))


@router.post("/compensation/mediations/{mediation_id}/parties", response={201: dict})
def add_party(request, mediation_id: int, payload: PartyIn):
    actor = actor_of(request)
    mediation = selectors.mediation_for(actor, mediation_id)
    actions.add_party(actor, mediation, **payload.model_dump())
    return 201, mediation_out(mediation)


@router.post("/compensation/mediations/{mediation_id}/sessions", response={201: dict})
def record_session(request, mediation_id: int, payload: SessionIn):
    actor = actor_of(request)
    mediation = selectors.mediation_for(actor, mediation_id)
    actions.record_session(actor, mediation, **payload.model_dump())
    return 201, mediation_out(mediation)


@router.post("/compensation/mediations/{mediation_id}/agreement", response={201: dict})
def record_agreement(request, mediation_id: int, payload: AgreementIn):
    actor = actor_of(request)
    mediation = selectors.mediation_for(actor, mediation_id)
    claim = actions.record_agreement(actor, mediation, **payload.model_dump())
    return 201, claim_out(claim)


@router.post("/compensation/mediations/{mediation_id}/escalation", response={201: dict})
def escalate_mediation(request, mediation_id: int, payload: EscalationIn):
    actor = actor_of(request)
    mediation = selectors.mediation_for(actor, mediation_id)
    claim = actions.escalate_mediation(actor, mediation, **payload.model_dump())
    return 201, claim_out(claim)


# --- the victim fund -----------------------------------------------------------


def _fund_staff(actor: Actor) -> None:
    if actor.survivor_id is not None or actor.organisation is None or not (
            roles.works_with_records(actor.role) or actor.role in roles.ADMIN_ROLES):
        raise Forbidden("your role does not work with the victim fund")


@router.get("/compensation/fund")
def fund_report(request):
    """Balance, deposits and disbursements by purpose; per survivor only for case staff."""
    actor = actor_of(request)
    if not (policy.may_see_aggregates(actor) or roles.works_with_records(actor.role)) \
            or actor.survivor_id is not None:
        raise Forbidden("your role does not see the victim fund")
    fund = selectors.fund_of(actor)
    if fund is None:
        return {"currency": None, "balance": "0", "deposits": "0", "disbursed": "0",
                "by_purpose": {}, "per_survivor": None}
    cur = fund.currency
    deposits = sum((d.amount for d in fund.deposits.all()), Decimal(0))
    rows = list(fund.disbursements.select_related("survivor"))
    by_purpose: dict[str, str | None] = {}
    for row in rows:
        by_purpose[row.purpose] = as_money(
            sum((r.amount for r in rows if r.purpose == row.purpose), Decimal(0)), cur)
    if actor.role == roles.Role.RESEARCHER:
        by_purpose = actions.suppress_small_purposes(
            by_purpose, [(r.purpose, r.survivor_id) for r in rows])
    out = {"currency": cur, "balance": as_money(actions.fund_balance(fund), cur),
           "deposits": as_money(deposits, cur),
           "disbursed": as_money(sum((r.amount for r in rows), Decimal(0)), cur),
           "by_purpose": by_purpose, "per_survivor": None}
    if roles.works_with_records(actor.role):
        visible = set(policy.visible_survivors(actor).values_list("pk", flat=True))
        per: dict[str, dict] = {}
        for row in rows:
            if row.survivor_id in visible:
                item = per.setdefault(row.survivor.reference, {"total": Decimal(0), "count": 0})
                item["total"] += row.amount
                item["count"] += 1
        out["per_survivor"] = {k: {"total": as_money(v["total"], cur), "count": v["count"]}
                               for k, v in sorted(per.items())}
        audit.record(actor, "read", "victim_fund_disbursement", "",
                     note=f"fund report: {len(per)} survivor(s)")
    return out


@router.post("/compensation/fund/deposits", response={201: dict})
def deposit(request, payload: DepositIn):
    actor = actor_of(request)
    _fund_staff(actor)
    actions.deposit_to_fund(actor, **payload.model_dump())
    fund = selectors.fund_of(actor)
    return 201, {"currency": fund.currency,
                 "balance": as_money(actions.fund_balance(fund), fund.currency)}


@router.post("/survivors/{survivor_id}/disbursements", response={201: dict})
def disburse(request, survivor_id: int, payload: DisbursementIn):
    actor = actor_of(request)
    _fund_staff(actor)
    if not roles.works_with_records(actor.role):
        raise NotFound("No such survivor")
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    data = payload.model_dump()
    case_id = data.pop("case_id")
    case = policy.case_for(actor, case_id) if case_id is not None else None
    paid = actions.disburse(actor, survivor, case=case, **data)
    return 201, disbursement_out(paid)


@router.get("/survivors/{survivor_id}/disbursements")
def list_disbursements(request, survivor_id: int):
    actor = actor_of(request)
    if not roles.works_with_records(actor.role) or actor.survivor_id is not None:
        raise NotFound("No such survivor")
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    items = list(Disbursement.objects.filter(survivor=survivor).select_related("fund", "approver"))
    _listed(actor, "victim_fund_disbursement", items, survivor.reference)
    total = sum((d.amount for d in items), Decimal(0))
    currency = items[0].fund.currency if items else "THB"
    return {"items": [disbursement_out(d) for d in items], "total": as_money(total, currency)}
