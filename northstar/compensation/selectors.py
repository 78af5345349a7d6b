"""Reads of compensation records, starting from the access policy.

Claims, calculations and mediations hang off cases, so what an actor may see
is exactly ``policy.visible_cases`` — restricted to staff who work with
records (a survivor's portal and referral recipients see none of it here).
Single records outside that answer ``NotFound`` (404).
"""

from __future__ import annotations

from django.db.models import QuerySet, prefetch_related_objects

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
from northstar.core.prepared import Prepared


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


#: One case's claims, mediations and newest calculations (the case page's money card),
#: their SQL written once per process; asked only for a case the actor may see.
_CLAIMS_OF_CASE = Prepared(lambda case_id: Claim.objects.filter(case_id=case_id),
                           -7_320_000_031)
_MEDIATIONS_OF_CASE = Prepared(lambda case_id: Mediation.objects.filter(case_id=case_id),
                               -7_320_000_032)
_CALCULATIONS_OF_CASE: dict[int | None, Prepared] = {}


def _of_case(actor: Actor, case, prepared: Prepared, prefetch: tuple = ()) -> list:
    """The rows ``prepared`` reads of one case, when the actor works with records and may
    see the case (as ``visible_*(actor).filter(case=case)``), each given ``case`` itself."""
    if not policy.works_with_records(actor):
        return []
    case_id = policy.visible_case_id(actor, case)
    items = prepared(case_id) if case_id is not None else []
    for item in items:
        item.case = case
    if items and prefetch:
        prefetch_related_objects(items, *prefetch)
    return items


def claims_of_case(actor: Actor, case, *, prefetch: tuple = ()) -> list[Claim]:
    """``visible_claims(actor).filter(case=case)`` as a list, without compiling it again."""
    return _of_case(actor, case, _CLAIMS_OF_CASE, prefetch)


def mediations_of_case(actor: Actor, case, *, prefetch: tuple = ()) -> list[Mediation]:
    """``visible_mediations(actor).filter(case=case)`` as a list."""
    return _of_case(actor, case, _MEDIATIONS_OF_CASE, prefetch)


def calculations_of_case(actor: Actor, case, *, limit: int | None = None,
                         ) -> list[SavedCalculation]:
    """``visible_calculations(actor).filter(case=case)[:limit]`` as a list."""
    prepared = _CALCULATIONS_OF_CASE.get(limit)
    if prepared is None:
        prepared = _CALCULATIONS_OF_CASE[limit] = Prepared(
            lambda case_id: SavedCalculation.objects.filter(case_id=case_id)[:limit],
            -7_320_000_033)
    return _of_case(actor, case, prepared)


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
