"""Claims: filed, decided, scheduled and paid, each step dated on the claim's timeline and
audited; and the audited reads of a claim and of a case's claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from northstar.compensation import (
    eligibility,
    figures,
    lifecycle,
    selectors,
    summary,
    validation,
)
from northstar.compensation.models import (
    Claim,
    ClaimEvent,
    ClaimStatus,
    CompensationAlert,
    Instalment,
    Mediation,
    Payer,
    Payment,
    Route,
    SavedCalculation,
)
from northstar.compensation.validation import choice, day, money
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError
from northstar.core.fields import reveal
from northstar.survivors.models import Case


def add_event(actor: Actor, claim: Claim, *, kind: str, on: dt.date, from_status: str = "",
           to_status: str = "", amount: Decimal | None = None, note: str = "") -> ClaimEvent:
    return ClaimEvent.objects.create(claim=claim, kind=kind, on=on, from_status=from_status,
                                     to_status=to_status, amount=amount, note=note[:300],
                                     actor_label=actor.label)


@transaction.atomic
def create_claim(actor: Actor, case: Case, *, route: str, payer: str, amount_claimed,
                 currency: str, calculation_id: int | None = None, payer_name: str = "",
                 forum_reference: str = "", filed_on=None, escalated_from: Mediation | None = None,
                 conditions_confirmed: bool = False, _mediation_checked: bool = False) -> Claim:
    """A claim in draft, or filed when ``filed_on`` is given."""
    route = choice(route, "route", Route)
    payer = choice(payer, "payer", Payer)
    code = validation.currency(currency)
    amount = money(amount_claimed, "amount_claimed", code)
    if route == Route.OUT_OF_COURT_MEDIATION and not _mediation_checked:
        eligibility.require_mediation_allowed(case, conditions_confirmed=conditions_confirmed)
    calc = None
    if calculation_id is not None:
        calc = SavedCalculation.objects.filter(case=case, pk=calculation_id).first()
        if calc is None:
            raise DomainError("no such calculation on this case", "calculation_id")
    filed = day(filed_on, "filed_on") if filed_on not in (None, "") else None
    claim = Claim.objects.create(
        case=case, route=route, payer=payer, payer_name=payer_name or "",
        forum_reference=forum_reference[:120], calculation=calc, currency=code,
        amount_claimed=amount, created_by=actor.user, escalated_from=escalated_from,
    )
    # A claim recorded after it was filed is dated as drafted on its filing day, so its
    # timeline reads in order.
    add_event(actor, claim, kind=ClaimEvent.Kind.TRANSITION, on=filed or timezone.localdate(),
           to_status=ClaimStatus.DRAFT, amount=amount, note="claim recorded")
    audit.record(actor, "create", "compensation_claim", claim.pk,
                 survivor_ref=case.survivor.reference,
                 fields=["route", "payer", "amount_claimed", "currency"]
                 + (["payer_name"] if payer_name else []))
    if filed is not None:
        claim = transition_claim(actor, claim, to=ClaimStatus.FILED, on=filed)
    return claim


def _last_event_day(claim: Claim) -> dt.date | None:
    last = claim.events.filter(kind__in=(ClaimEvent.Kind.TRANSITION, ClaimEvent.Kind.PAYMENT)
                               ).exclude(to_status=ClaimStatus.DRAFT).order_by("-on").first()
    return last.on if last else None


@transaction.atomic
def transition_claim(actor: Actor, claim: Claim, *, to: str, on, amount=None,
                     note: str = "") -> Claim:
    """Move a claim along its lifecycle, dated and audited; a move not allowed is a 409."""
    current = Claim.objects.select_for_update().get(pk=claim.pk)
    why = lifecycle.refusal(current.status, to, route=current.route)
    if why:
        if to not in lifecycle.ALLOWED:
            raise DomainError(why, "to")
        raise Conflict(why, "to", status=current.status)
    when = day(on, "on")
    last = _last_event_day(current)
    if last and when < last:
        raise DomainError(f"the claim's last step was on {last.isoformat()}; this cannot be earlier",
                          "on")
    received = current.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if to == ClaimStatus.PAID_IN_FULL and (current.obligation is None
                                           or received < current.obligation):
        raise Conflict(f"{received} of {current.obligation} {current.currency} has been received; "
                       "record the payments before marking the claim paid in full", "to",
                       status=current.status)
    if to == ClaimStatus.PAYING and received == 0:
        raise Conflict("no payment has been received yet; record the first payment", "to",
                       status=current.status)
    fields = ["status"]
    if to in (ClaimStatus.AWARDED, ClaimStatus.SETTLED):
        value = money(amount, "amount", current.currency)
        if to == ClaimStatus.AWARDED:
            current.amount_awarded = value
            fields.append("amount_awarded")
        else:
            current.amount_agreed = value
            fields.append("amount_agreed")
    elif amount not in (None, ""):
        raise DomainError("an amount is recorded only when a claim is awarded or settled", "amount")
    if to == ClaimStatus.FILED:
        current.filed_on = when
    if to in (ClaimStatus.AWARDED, ClaimStatus.SETTLED, ClaimStatus.REJECTED):
        current.decided_on = when
    if to in lifecycle.FINAL:
        current.closed_on = when
    previous = current.status
    current.status = to
    current.version = F("version") + 1
    # Named columns only: the figures' summary columns are the summary's to write.
    current.save(update_fields=["status", "version", "amount_awarded", "amount_agreed",
                                "filed_on", "decided_on", "closed_on"])
    current.refresh_from_db()
    add_event(actor, current, kind=ClaimEvent.Kind.TRANSITION, on=when, from_status=previous,
           to_status=to, amount=current.obligation if to in (ClaimStatus.AWARDED,
                                                             ClaimStatus.SETTLED) else None,
           note=note)
    audit.record(actor, "update", "compensation_claim", current.pk,
                 survivor_ref=current.case.survivor.reference, fields=fields,
                 note=f"{previous} → {to} on {when.isoformat()}")
    return current


def _active_instalments(claim: Claim):
    return claim.instalments.filter(superseded_at__isnull=True)


@transaction.atomic
def set_schedule(actor: Actor, claim: Claim, *, instalments: list[dict]) -> list[Instalment]:
    """Replace the payment schedule; the old one is kept as superseded. Must add up to the award."""
    current = Claim.objects.select_for_update().get(pk=claim.pk)
    if current.status not in lifecycle.OWING:
        raise Conflict(f"a schedule is set only on a claim that is owed; this claim is {current.status}",
                       "instalments", status=current.status)
    if not instalments:
        raise DomainError("give at least one instalment", "instalments")
    rows = []
    for i, item in enumerate(instalments):
        due_on = day(item.get("due_on"), f"instalments.{i}.due_on", not_future=False)
        if current.decided_on and due_on < current.decided_on:
            raise DomainError("an instalment cannot fall due before the award or agreement",
                              f"instalments.{i}.due_on")
        amount = money(item.get("amount"), f"instalments.{i}.amount", current.currency)
        rows.append((due_on, amount))
    total = sum((a for _, a in rows), Decimal(0))
    if total != current.obligation:
        raise DomainError(f"the instalments add up to {total} {current.currency}, but "
                          f"{current.obligation} {current.currency} is owed", "instalments")
    if len({d for d, _ in rows}) != len(rows):
        raise DomainError("two instalments fall on the same day", "instalments")
    now = timezone.now()
    _active_instalments(current).update(superseded_at=now)
    created = [Instalment.objects.create(claim=current, number=n, due_on=d, amount=a)
               for n, (d, a) in enumerate(sorted(rows), start=1)]
    summary.refresh([current.pk])
    add_event(actor, current, kind=ClaimEvent.Kind.SCHEDULE, on=timezone.localdate(), amount=total,
           note=f"{len(created)} instalment(s), last due {created[-1].due_on.isoformat()}")
    audit.record(actor, "update", "compensation_claim", current.pk,
                 survivor_ref=current.case.survivor.reference, fields=["instalments"])
    return created


@transaction.atomic
def record_payment(actor: Actor, claim: Claim, *, received_on, amount, proof_reference: str,
                   ) -> Payment:
    """A payment received; the first moves the claim to paying, the last to paid in full."""
    current = Claim.objects.select_for_update().get(pk=claim.pk)
    if current.status not in lifecycle.OWING:
        raise Conflict(f"a payment cannot be recorded on a {current.status} claim; nothing is owed "
                       "on it", "claim", status=current.status)
    when = day(received_on, "received_on")
    if current.decided_on and when < current.decided_on:
        raise DomainError("a payment cannot precede the award or agreement", "received_on")
    value = money(amount, "amount", current.currency)
    proof = str(proof_reference or "").strip()
    if not proof:
        raise DomainError("a proof reference (receipt, transfer or court record) is required",
                          "proof_reference")
    received = current.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if received + value > current.obligation:
        raise DomainError(f"this payment would exceed the {current.obligation} {current.currency} "
                          f"owed ({received} already received)", "amount")
    payment = Payment.objects.create(claim=current, received_on=when, amount=value,
                                     proof_reference=proof[:200], recorded_by=actor.user)
    summary.refresh([current.pk])
    add_event(actor, current, kind=ClaimEvent.Kind.PAYMENT, on=when, amount=value,
           note=f"proof: {proof[:200]}")
    audit.record(actor, "create", "compensation_payment", payment.pk,
                 survivor_ref=current.case.survivor.reference,
                 fields=["received_on", "amount", "proof_reference"])
    if received + value == current.obligation:
        transition_claim(actor, current, to=ClaimStatus.PAID_IN_FULL, on=when,
                         note="paid in full")
    elif current.status != ClaimStatus.PAYING:
        transition_claim(actor, current, to=ClaimStatus.PAYING, on=when, note="first payment")
    CompensationAlert.objects.filter(instalment__claim=current, resolved_on__isnull=True).exclude(
        instalment__in=overdue_instalments(current, timezone.localdate())
    ).update(resolved_on=timezone.localdate())
    return payment



def claim_facts(claim: Claim) -> figures.ClaimFacts:
    """The plain facts the figures are computed from (uses prefetched payments and instalments)."""
    return figures.ClaimFacts(
        route=claim.route, currency=claim.currency, status=claim.status,
        filed_on=claim.filed_on, decided_on=claim.decided_on, obligation=claim.obligation,
        payments=tuple((p.received_on, p.amount) for p in claim.payments.all()),
        instalments=tuple((i.due_on, i.amount) for i in claim.instalments.all()
                          if i.superseded_at is None),
    )


def overdue_instalments(claim: Claim, as_of: dt.date) -> list[Instalment]:
    """The claim's active instalments past due and not covered by the payments so far."""
    active = sorted(_active_instalments(claim), key=lambda i: (i.due_on, i.number))
    late = figures.overdue_instalments(claim_facts(claim), as_of)
    return [active[i] for i in late]


# --- reads ---------------------------------------------------------------------


def claims_on_case(actor: Actor, case: Case) -> list[Claim]:
    """A case's claims as listed (route, status, amounts): one audited read naming each."""
    items = selectors.claims_of_case(actor, case, prefetch=("payments",))
    audit.record_read(actor, items, record_type="compensation_claim",
                      survivor_ref=case.survivor.reference)
    return items


def open_claim_detail(actor: Actor, claim: Claim, *, with_payer_name: bool = True) -> dict:
    """Open a claim's detail (payments with their sealed proof references, schedule, timeline
    with its sealed notes and, if asked, the payer's sealed name): one audited read naming
    the sealed fields opened. Returns ``payer_name`` ("" when not asked or none), ``proofs``
    and ``notes`` (by payment / event id)."""
    name = reveal(claim.payer_name) if with_payer_name else ""
    proofs = {p.pk: reveal(p.proof_reference) for p in claim.payments.all()}
    notes = {e.pk: reveal(e.note) for e in claim.events.all()}
    audit.record_read(actor, claim, record_type="compensation_claim",
                      survivor_ref=claim.case.survivor.reference,
                      fields=["payments", "timeline"] + (["payer_name"] if name else [])
                      + (["payments.proof_reference"] if any(proofs.values()) else [])
                      + (["timeline.note"] if any(notes.values()) else []))
    return {"payer_name": name, "proofs": proofs, "notes": notes}
