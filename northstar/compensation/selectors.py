"""Reads of compensation records, starting from the access policy.

Claims, calculations and mediations hang off cases, so what an actor may see
is exactly ``policy.visible_cases`` — restricted to staff who work with
records (a survivor's portal and referral recipients see none of it here).
Single records outside that answer ``NotFound`` (404).
"""

from __future__ import annotations

from django.db.models import QuerySet

from northstar import policy
from northstar.compensation.models import (
    Claim,
    Disbursement,
    Mediation,
    SavedCalculation,
    VictimFund,
)
from northstar.core.actor import Actor
from northstar.core.errors import NotFound


def visible_claims(actor: Actor) -> QuerySet[Claim]:
    if not policy.works_with_records(actor):
        return Claim.objects.none()
    return Claim.objects.filter(case__in=policy.visible_cases(actor)).select_related(
        "case__survivor")


def visible_calculations(actor: Actor) -> QuerySet[SavedCalculation]:
    if not policy.works_with_records(actor):
        return SavedCalculation.objects.none()
    return SavedCalculation.objects.filter(case__in=policy.visible_cases(actor)).select_related(
        "case__survivor")


def visible_mediations(actor: Actor) -> QuerySet[Mediation]:
    if not policy.works_with_records(actor):
        return Mediation.objects.none()
    return Mediation.objects.filter(case__in=policy.visible_cases(actor)).select_related(
        "case__survivor")


_one = policy.one_of


def claim_for(actor: Actor, claim_id) -> Claim:
    return _one(visible_claims(actor), claim_id, "claim")


def calculation_for(actor: Actor, calculation_id) -> SavedCalculation:
    return _one(visible_calculations(actor), calculation_id, "calculation")


def mediation_for(actor: Actor, mediation_id) -> Mediation:
    return _one(visible_mediations(actor), mediation_id, "mediation")


def staff_case_for(actor: Actor, case_id):
    """A case the actor may work on (not a survivor, not read-only)."""
    if not policy.works_with_records(actor):
        raise NotFound("No such case")
    return policy.case_for(actor, case_id, change=True)


def fund_of(actor: Actor) -> VictimFund | None:
    """The actor's organisation's fund (balance and totals only; no survivor behind it)."""
    if actor.organisation is None or actor.survivor_id is not None:
        return None
    return VictimFund.objects.filter(organisation=actor.organisation).first()



def disbursement_for(actor: Actor, disbursement_id) -> Disbursement:
    """A disbursement of the actor's own fund, for those who may approve one; 404 otherwise."""
    if not policy.may_manage_fund(actor):
        raise NotFound("No such disbursement")
    found = Disbursement.objects.filter(fund__organisation=actor.organisation) \
        .select_related("fund", "survivor", "approver")
    return policy.one_of(found, disbursement_id, "disbursement")
