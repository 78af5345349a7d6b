"""Out-of-court mediation: opened only where the pathways engine allows it, its parties and
sessions, the agreement (a settled claim whose payments measure compliance) and escalation
to court; and the audited reads of a mediation and of a case's mediations."""

from __future__ import annotations

from django.db import transaction

from northstar.compensation import claims, eligibility, lifecycle, selectors
from northstar.compensation.models import (
    Claim,
    ClaimEvent,
    ClaimStatus,
    Mediation,
    MediationParty,
    MediationSession,
    MediationStatus,
    PartyRole,
    Route,
)
from northstar.compensation.rules import default_rules
from northstar.compensation.validation import choice, day
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError
from northstar.core.fields import reveal
from northstar.safeguards import actions as safeguard_actions
from northstar.survivors.models import Case

COURT_ROUTES = tuple(r for r in Route.values if r != Route.OUT_OF_COURT_MEDIATION)


def _clean_parties(parties: list[dict]) -> list[tuple[str, str, str]]:
    cleaned = []
    for i, party in enumerate(parties or []):
        role = choice(party.get("role"), f"parties.{i}.role", PartyRole)
        name = str(party.get("name") or "").strip()
        if not name:
            raise DomainError("the party's name is required", f"parties.{i}.name")
        cleaned.append((role, name, str(party.get("represented_by") or "")[:200]))
    return cleaned


@transaction.atomic
def open_mediation(actor: Actor, case: Case, *, opened_on, mediator: str = "",
                   parties: list[dict] | None = None,
                   conditions_confirmed: bool = False) -> Mediation:
    """Offered only where the pathways engine allows out-of-court compensation for this case."""
    item = eligibility.require_mediation_allowed(case, conditions_confirmed=conditions_confirmed)
    when = day(opened_on, "opened_on")
    cleaned = _clean_parties(parties or [])
    mediation = Mediation.objects.create(
        case=case, opened_on=when, mediator=mediator[:200], created_by=actor.user,
        eligibility={"eligibility": item["eligibility"], "conditions": item["conditions"],
                     "conditions_confirmed_by": actor.label if item["conditions"] else "",
                     "reasons": item["reasons"], "rule_set_version": item["rule_set_version"]})
    for role, name, rep in cleaned:
        MediationParty.objects.create(mediation=mediation, role=role, name=name, represented_by=rep)
    audit.record(actor, "create", "compensation_mediation", mediation.pk,
                 survivor_ref=case.survivor.reference,
                 fields=["opened_on", "mediator"] + (["parties"] if cleaned else []),
                 note=f"engine: {item['eligibility']}")
    return mediation


def _open(mediation: Mediation, field: str = "mediation") -> Mediation:
    current = Mediation.objects.select_for_update().get(pk=mediation.pk)
    if current.status != MediationStatus.OPEN:
        raise Conflict(f"this mediation is {current.status}", field, status=current.status)
    return current


@transaction.atomic
def add_party(actor: Actor, mediation: Mediation, *, role: str, name: str,
              represented_by: str = "") -> MediationParty:
    current = _open(mediation)
    (role, name, rep), = _clean_parties([{"role": role, "name": name,
                                          "represented_by": represented_by}])
    party = MediationParty.objects.create(mediation=current, role=role, name=name,
                                          represented_by=rep)
    audit.record(actor, "create", "compensation_mediation_party", party.pk,
                 survivor_ref=current.case.survivor.reference, fields=["role", "name"])
    return party


@transaction.atomic
def record_session(actor: Actor, mediation: Mediation, *, held_on, outcome: str,
                   summary: str = "") -> MediationSession:
    current = _open(mediation)
    when = day(held_on, "held_on")
    if when < current.opened_on:
        raise DomainError("a session cannot precede the opening of the mediation", "held_on")
    outcome = choice(outcome, "outcome", MediationSession.Outcome)
    session = MediationSession.objects.create(mediation=current, held_on=when, outcome=outcome,
                                              summary=summary or "")
    audit.record(actor, "create", "compensation_mediation_session", session.pk,
                 survivor_ref=current.case.survivor.reference,
                 fields=["held_on", "outcome"] + (["summary"] if summary else []))
    return session


@transaction.atomic
def record_agreement(actor: Actor, mediation: Mediation, *, agreed_on, amount, currency: str,
                     payer: str, terms: str, instalments: list[dict] | None = None,
                     term_kinds: list[str] | None = None, voluntary: bool | None = None,
                     interpreter_needed: bool | None = None,
                     interpreter_present: bool | None = None,
                     justification: str = "", second_supervisor_id: int | None = None) -> Claim:
    """The parties agreed: a settled out-of-court claim, whose payments measure compliance.

    The agreement first goes through the Do No Harm safeguards (``record_settlement``): a
    term requiring her to withdraw a complaint or testimony, a case screened as
    trafficking, or a needed interpreter who was absent blocks it (nothing is stored);
    unknown voluntariness or coercion warns. The check is recorded on the case.
    """
    current = _open(mediation)
    context = {"agreement_terms": list(term_kinds or []), "voluntary": voluntary,
               "interpreter_needed": interpreter_needed,
               "interpreter_present": interpreter_present}
    safeguard_actions.propose_action(
        actor, current.case, action="record_settlement",
        context={k: v for k, v in context.items() if v is not None},
        justification=justification, second_supervisor_id=second_supervisor_id)
    when = day(agreed_on, "agreed_on")
    if when < current.opened_on:
        raise DomainError("the agreement cannot precede the opening of the mediation", "agreed_on")
    if not str(terms or "").strip():
        raise DomainError("record the terms the parties agreed", "terms")
    claim = claims.create_claim(actor, current.case, route=Route.OUT_OF_COURT_MEDIATION, payer=payer,
                         amount_claimed=amount, currency=currency, filed_on=current.opened_on,
                         _mediation_checked=True)
    claim = claims.transition_claim(actor, claim, to=ClaimStatus.SETTLED, on=when, amount=amount,
                             note="agreement reached in mediation")
    if instalments:
        claims.set_schedule(actor, claim, instalments=instalments)
    current.status = MediationStatus.AGREED
    current.agreed_on = when
    current.agreement_terms = terms
    current.claim = claim
    current.save()
    audit.record(actor, "update", "compensation_mediation", current.pk,
                 survivor_ref=current.case.survivor.reference,
                 fields=["status", "agreed_on", "agreement_terms"], note=f"claim {claim.pk}")
    return claim


@transaction.atomic
def escalate_mediation(actor: Actor, mediation: Mediation, *, route: str, amount_claimed,
                       payer: str, reason: str, on, filed_on=None, forum_reference: str = "",
                       currency: str | None = None) -> Claim:
    """The dispute goes to court: a new claim linked to the mediation, whose history stays."""
    current = Mediation.objects.select_for_update().get(pk=mediation.pk)
    if current.status == MediationStatus.ESCALATED:
        raise Conflict("this mediation has already been escalated", "mediation",
                       status=current.status)
    if route not in COURT_ROUTES:
        raise DomainError(f"escalation goes to a court or fund route: {', '.join(COURT_ROUTES)}",
                          "route")
    if not str(reason or "").strip():
        raise DomainError("say why the mediation failed", "reason")
    when = day(on, "on")
    agreed_claim = current.claim
    if not currency:
        local = default_rules().jurisdictions.get(current.case.jurisdiction)
        currency = agreed_claim.currency if agreed_claim else (local.currency if local else "")
    court = claims.create_claim(actor, current.case, route=route, payer=payer,
                         amount_claimed=amount_claimed, currency=currency, filed_on=filed_on,
                         forum_reference=forum_reference, escalated_from=current)
    if agreed_claim is not None:
        agreed = Claim.objects.get(pk=agreed_claim.pk)
        if agreed.status in lifecycle.OWING:
            claims.transition_claim(actor, agreed, to=ClaimStatus.DEFAULTED, on=when,
                             note=f"escalated to court (claim {court.pk})")
        claims.add_event(actor, agreed, kind=ClaimEvent.Kind.ESCALATION, on=when,
               note=f"escalated to {route}, claim {court.pk}: {reason}")
    claims.add_event(actor, court, kind=ClaimEvent.Kind.ESCALATION, on=when,
           note=f"escalated from mediation {current.pk}: {reason}")
    current.status = MediationStatus.ESCALATED
    current.closed_on = when
    current.failure_reason = reason[:300]
    current.save()
    audit.record(actor, "update", "compensation_mediation", current.pk,
                 survivor_ref=current.case.survivor.reference,
                 fields=["status", "closed_on", "failure_reason"], note=f"court claim {court.pk}")
    return court


# --- reads ---------------------------------------------------------------------


def mediations_on_case(actor: Actor, case: Case) -> list[Mediation]:
    """A case's mediations as listed: one audited read naming each."""
    items = selectors.mediations_of_case(actor, case,
                                         prefetch=("court_claims", "sessions", "parties"))
    audit.record_read(actor, items, record_type="compensation_mediation",
                      survivor_ref=case.survivor.reference)
    return items


def read_mediation(actor: Actor, mediation: Mediation) -> dict:
    """Record that a mediation's parties, sessions, terms and failure reason were opened;
    returns the sealed free text opened here (representatives, why it failed)."""
    audit.record_read(actor, mediation, record_type="compensation_mediation",
                      survivor_ref=mediation.case.survivor.reference,
                      fields=["parties", "sessions", "agreement_terms", "failure_reason"])
    return {"failure_reason": reveal(mediation.failure_reason),
            "represented_by": {p.pk: reveal(p.represented_by) for p in mediation.parties.all()}}
