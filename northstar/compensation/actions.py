"""Every write of compensation data, and every opening of its sealed parts, audited here.

Callers ask the policy first (``policy.case_for`` / ``survivor_for`` or the
selectors in ``selectors.py``); these functions check the business rules, work
in one transaction and write the audit entry.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from northstar.compensation import figures, lifecycle
from northstar.compensation.calculator import CalculationError, calculate, quantize
from northstar.compensation.models import (
    Claim,
    ClaimEvent,
    ClaimStatus,
    CompensationAlert,
    Disbursement,
    FundDeposit,
    Instalment,
    Mediation,
    MediationParty,
    MediationSession,
    MediationStatus,
    PartyRole,
    Payer,
    Payment,
    Purpose,
    Route,
    SavedCalculation,
    VictimFund,
)
from northstar.compensation.rules import default_rules
from northstar.core import audit, roles
from northstar.core.actor import Actor
from northstar.core.disclosure import MIN_CELL
from northstar.core.errors import Conflict, DomainError, Forbidden
from northstar.core.fields import reveal
from northstar.survivors.models import Case, Survivor

COURT_ROUTES = tuple(r for r in Route.values if r != Route.OUT_OF_COURT_MEDIATION)


# --- small validators ----------------------------------------------------------


def money(value, field: str, currency: str, *, allow_zero: bool = False) -> Decimal:
    """A positive Decimal with no more decimals than the currency's ISO 4217 minor unit."""
    if isinstance(value, float | bool) or value is None or value == "":
        raise DomainError("an amount is required as a decimal string, e.g. \"1500.00\"", field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError(f"{value!r} is not an amount", field) from None
    if not amount.is_finite():
        raise DomainError(f"{value!r} is not an amount", field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError("the amount must be greater than zero", field)
    minor = currency_minor_unit(currency, "currency")
    if -amount.as_tuple().exponent > minor:
        raise DomainError(f"{currency} has {minor} decimal place(s)", field)
    if amount >= Decimal(10) ** 14:
        raise DomainError("the amount is too large", field)
    return amount


def currency_minor_unit(currency: str, field: str) -> int:
    found = default_rules().currencies.get(str(currency or "").upper())
    if found is None:
        known = ", ".join(sorted(default_rules().currencies))
        raise DomainError(f"unsupported currency {currency!r}; use one of {known}", field)
    return found.minor_unit


def day(value, field: str, *, not_future: bool = True) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except (TypeError, ValueError):
            raise DomainError("a date as YYYY-MM-DD is required", field) from None
    if not_future and value > timezone.localdate():
        raise DomainError("this date is in the future", field)
    return value


def _choice(value, field: str, choices) -> str:
    if value not in choices.values:
        raise DomainError(f"must be one of {', '.join(choices.values)}", field)
    return value


# --- calculations --------------------------------------------------------------


@transaction.atomic
def save_calculation(actor: Actor, case: Case, *, data: dict, label: str = "") -> SavedCalculation:
    """Run the calculator and keep its input and itemised result on the case."""
    try:
        result = calculate(data)
    except CalculationError as exc:
        raise DomainError(exc.message, exc.field) from None
    calc = SavedCalculation.objects.create(
        case=case, label=label[:120], inputs=json.dumps(data, default=str),
        result=json.dumps(result), jurisdiction=result["jurisdiction"], method=result["method"],
        currency=result["currency"], total=Decimal(result["total"]),
        calculator_version=result["calculator_version"],
        rule_set_version=result["rule_set_version"], created_by=actor.user,
    )
    audit.record(actor, "create", "compensation_calculation", calc.pk,
                 survivor_ref=case.survivor.reference, fields=["inputs", "result"])
    return calc


def reveal_calculation(actor: Actor, calc: SavedCalculation, *, export: str = "") -> dict:
    """The stored input and result; opening them is a read (or an export) in the audit log."""
    audit.record(actor, "export" if export else "read", "compensation_calculation", calc.pk,
                 survivor_ref=calc.case.survivor.reference, fields=["inputs", "result"],
                 note=f"statement as {export}" if export else "")
    return {"inputs": json.loads(reveal(calc.inputs)), "result": json.loads(reveal(calc.result))}


def note_listed(actor: Actor, record_type: str, items, survivor_ref: str = "") -> None:
    """A list shown is a read too: one entry naming what was shown."""
    if items:
        audit.record(actor, "read", record_type, "", survivor_ref=survivor_ref,
                     note=f"listed {len(items)}: " + ",".join(str(i.pk) for i in items)[:280])


# --- claims --------------------------------------------------------------------


def reveal_claim(actor: Actor, claim: Claim) -> str:
    """Open a claim's detail (payer's name, payments, timeline); audited as a read."""
    name = reveal(claim.payer_name)
    audit.record(actor, "read", "compensation_claim", claim.pk,
                 survivor_ref=claim.case.survivor.reference,
                 fields=["payer_name", "payments", "timeline"] if name else ["payments", "timeline"])
    return name


def reveal_mediation(actor: Actor, mediation: Mediation) -> None:
    """Record that a mediation's parties, sessions and terms were opened."""
    audit.record(actor, "read", "compensation_mediation", mediation.pk,
                 survivor_ref=mediation.case.survivor.reference,
                 fields=["parties", "sessions", "agreement_terms"])


def mediation_assessment(case: Case) -> dict:
    """The pathways engine's answer for out-of-court compensation on this case."""
    from northstar.pathways.profile import profile_for_case
    from northstar.pathways.rules.engine import assess

    result = assess(profile_for_case(case))
    item = next(i for i in result["interventions"] if i["key"] == "out_of_court_compensation")
    return {**item, "rule_set_version": result.get("rule_set_version", "")}


def read_mediation_assessment(actor: Actor, case: Case) -> dict:
    """The engine's answer, as shown to a person: it is worked out from the case's facts
    (form of exploitation, the survivor's wishes), so showing it is an audited read."""
    item = mediation_assessment(case)
    audit.record(actor, "read", "mediation_eligibility", case.pk,
                 survivor_ref=case.survivor.reference, note=f"engine: {item['eligibility']}")
    return item


def _require_mediation_allowed(case: Case, *, conditions_confirmed: bool) -> dict:
    """Refuse out-of-court compensation where the engine says not eligible (naming the rules);
    where it is conditional, the caseworker must confirm the conditions are met."""
    from northstar.pathways.rules.engine import rules as pathway_rules

    item = mediation_assessment(case)
    effects = {r["id"]: r["effect"] for r in pathway_rules()["rules"]}
    if item["eligibility"] not in ("eligible", "conditional"):
        blocking = [r for r in item["reasons"] if effects.get(r["rule"]) == "not_eligible"]
        raise DomainError("Out-of-court compensation is not available for this case: "
                          + " ".join(r["explanation"] for r in blocking), "route",
                          rules=[r["rule"] for r in blocking])
    if item["eligibility"] == "conditional" and not conditions_confirmed:
        raise DomainError("Out-of-court compensation is offered here only on conditions; confirm "
                          "they are met: " + " ".join(item["conditions"]), "conditions_confirmed",
                          conditions=item["conditions"])
    return item


def _event(actor: Actor, claim: Claim, *, kind: str, on: dt.date, from_status: str = "",
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
    route = _choice(route, "route", Route)
    payer = _choice(payer, "payer", Payer)
    currency = str(currency or "").upper()
    currency_minor_unit(currency, "currency")
    amount = money(amount_claimed, "amount_claimed", currency)
    if route == Route.OUT_OF_COURT_MEDIATION and not _mediation_checked:
        _require_mediation_allowed(case, conditions_confirmed=conditions_confirmed)
    calc = None
    if calculation_id is not None:
        calc = SavedCalculation.objects.filter(case=case, pk=calculation_id).first()
        if calc is None:
            raise DomainError("no such calculation on this case", "calculation_id")
    filed = day(filed_on, "filed_on") if filed_on not in (None, "") else None
    claim = Claim.objects.create(
        case=case, route=route, payer=payer, payer_name=payer_name or "",
        forum_reference=forum_reference[:120], calculation=calc, currency=currency,
        amount_claimed=amount, created_by=actor.user, escalated_from=escalated_from,
    )
    # A claim recorded after it was filed is dated as drafted on its filing day, so its
    # timeline reads in order.
    _event(actor, claim, kind=ClaimEvent.Kind.TRANSITION, on=filed or timezone.localdate(),
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
    current.save()
    current.refresh_from_db()
    _event(actor, current, kind=ClaimEvent.Kind.TRANSITION, on=when, from_status=previous,
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
    _event(actor, current, kind=ClaimEvent.Kind.SCHEDULE, on=timezone.localdate(), amount=total,
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
    _event(actor, current, kind=ClaimEvent.Kind.PAYMENT, on=when, amount=value,
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
        instalment__in=_overdue_instalments(current, timezone.localdate())
    ).update(resolved_on=timezone.localdate())
    return payment


# --- figures -------------------------------------------------------------------


def claim_facts(claim: Claim) -> figures.ClaimFacts:
    return figures.ClaimFacts(
        route=claim.route, currency=claim.currency, status=claim.status,
        filed_on=claim.filed_on, decided_on=claim.decided_on, obligation=claim.obligation,
        payments=tuple((p.received_on, p.amount) for p in claim.payments.all()),
        instalments=tuple((i.due_on, i.amount) for i in claim.instalments.all()
                          if i.superseded_at is None),
    )


def _overdue_instalments(claim: Claim, as_of: dt.date) -> list[Instalment]:
    active = sorted(_active_instalments(claim), key=lambda i: (i.due_on, i.number))
    late = figures.overdue_instalments(claim_facts(claim), as_of)
    return [active[i] for i in late]


def _responsible_people(claim: Claim) -> list:
    """The case's responsible caseworker and the organisation's supervisors, if still active."""
    organisation = claim.case.survivor.organisation
    users = get_user_model().objects.filter(
        is_active=True, membership__organisation=organisation)
    people = list(users.filter(membership__role=roles.Role.SUPERVISOR))
    creator = claim.case.responsible
    if creator and users.filter(pk=creator.pk, membership__role__in=roles.CASE_ROLES).exists():
        people.append(creator)
    return list({p.pk: p for p in people}.values())


@transaction.atomic
def raise_overdue_alerts(*, as_of: dt.date) -> dict:
    """Alert the responsible people about every overdue instalment; resolve those since paid."""
    actor = Actor.system("cli")
    raised = resolved = 0
    still_overdue: set[int] = set()
    claims = Claim.objects.filter(status__in=lifecycle.OWING).select_related(
        "case__survivor__organisation", "case__created_by", "case__caseworker")
    for claim in claims:
        for instalment in _overdue_instalments(claim, as_of):
            still_overdue.add(instalment.pk)
            for person in _responsible_people(claim):
                _, created = CompensationAlert.objects.get_or_create(
                    instalment=instalment, recipient=person, defaults={"raised_on": as_of})
                raised += created
    stale = CompensationAlert.objects.filter(resolved_on__isnull=True).exclude(
        instalment_id__in=still_overdue)
    resolved = stale.update(resolved_on=as_of)
    if raised or resolved:
        audit.record(actor, "create", "compensation_alert", "",
                     note=f"overdue instalments on {as_of.isoformat()}: {raised} raised, "
                          f"{resolved} resolved")
    return {"raised": raised, "resolved": resolved, "overdue_instalments": len(still_overdue)}


#: Researchers see a group's figures only when at least this many survivors stand behind it.


def _suppress_small_groups(result: dict, route_and_survivor: list[tuple[str, int]]) -> None:
    """Hide every group behind fewer than ``MIN_CELL`` *survivors* (one survivor's three
    claims are still one person), and never leave a hidden route recoverable by
    subtraction: when exactly one route is hidden, the next smallest is hidden with it,
    since the routes add up to the "all" group that stays visible."""
    hidden = {"claims": f"<{MIN_CELL}", "suppressed": True}

    def people(route: str | None = None) -> int:
        return len({s for r, s in route_and_survivor if route is None or r == route})

    small = [r for r in result["by_route"] if 0 < people(r) < MIN_CELL]
    if len(small) == 1:
        rest = [r for r in result["by_route"] if r not in small and people(r) > 0]
        if rest:
            small.append(min(rest, key=lambda r: (people(r), r)))
    for route in small:
        result["by_route"][route] = dict(hidden)
    if 0 < people() < MIN_CELL:
        result["all"] = dict(hidden)


def suppress_small_purposes(by_purpose: dict[str, str], purpose_and_survivor: list[tuple[str, int]],
                            ) -> dict[str, str | None]:
    """Blank (None) what the fund paid for a purpose fewer than ``MIN_CELL`` survivors
    received: one survivor's medical bill is theirs. The purposes add up to the
    disbursed total, so a lone blank takes the next smallest purpose with it."""
    people = {p: len({s for q, s in purpose_and_survivor if q == p}) for p in by_purpose}
    hidden = [p for p, n in people.items() if 0 < n < MIN_CELL]
    if len(hidden) == 1:
        rest = [p for p, n in people.items() if p not in hidden and n > 0]
        if rest:
            hidden.append(min(rest, key=lambda p: (people[p], p)))
    return {p: None if p in hidden else total for p, total in by_purpose.items()}


def organisation_report(actor: Actor, *, as_of: dt.date) -> dict:
    """The organisation's delivery figures, overall and by route. Aggregates only.

    Supervisors and administrators see all their organisation's claims;
    researchers only claims of survivors whose statistics consent stands, and
    no group backed by fewer than ``MIN_CELL`` survivors.
    """
    from northstar import policy
    from northstar.survivors.consent import may_flow

    if not policy.may_see_aggregates(actor) or actor.organisation is None:
        raise Forbidden("your role does not see compensation figures")
    claims = list(Claim.objects.filter(
        case__survivor__organisation=actor.organisation, case__archived_at__isnull=True,
        case__survivor__archived_at__isnull=True,
    ).select_related("case__survivor").prefetch_related("payments", "instalments"))
    researcher = actor.role == roles.Role.RESEARCHER
    if researcher:
        claims = [c for c in claims if may_flow(c.case.survivor, "statistics")]
    facts = [claim_facts(c) for c in claims]
    result = figures.organisation_figures(facts, as_of)
    result["restricted_to_statistics_consent"] = researcher
    if researcher:
        _suppress_small_groups(result, [(f.route, c.case.survivor_id)
                                        for f, c in zip(facts, claims, strict=True)])
    audit.record(actor, "read", "compensation_figures", "",
                 note=f"organisation figures as of {as_of.isoformat()}")
    return result


# --- mediation -----------------------------------------------------------------


def _clean_parties(parties: list[dict]) -> list[tuple[str, str, str]]:
    cleaned = []
    for i, party in enumerate(parties or []):
        role = _choice(party.get("role"), f"parties.{i}.role", PartyRole)
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
    item = _require_mediation_allowed(case, conditions_confirmed=conditions_confirmed)
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
    outcome = _choice(outcome, "outcome", MediationSession.Outcome)
    session = MediationSession.objects.create(mediation=current, held_on=when, outcome=outcome,
                                              summary=summary or "")
    audit.record(actor, "create", "compensation_mediation_session", session.pk,
                 survivor_ref=current.case.survivor.reference,
                 fields=["held_on", "outcome"] + (["summary"] if summary else []))
    return session


@transaction.atomic
def record_agreement(actor: Actor, mediation: Mediation, *, agreed_on, amount, currency: str,
                     payer: str, terms: str, instalments: list[dict] | None = None) -> Claim:
    """The parties agreed: a settled out-of-court claim, whose payments measure compliance."""
    current = _open(mediation)
    when = day(agreed_on, "agreed_on")
    if when < current.opened_on:
        raise DomainError("the agreement cannot precede the opening of the mediation", "agreed_on")
    if not str(terms or "").strip():
        raise DomainError("record the terms the parties agreed", "terms")
    claim = create_claim(actor, current.case, route=Route.OUT_OF_COURT_MEDIATION, payer=payer,
                         amount_claimed=amount, currency=currency, filed_on=current.opened_on,
                         _mediation_checked=True)
    claim = transition_claim(actor, claim, to=ClaimStatus.SETTLED, on=when, amount=amount,
                             note="agreement reached in mediation")
    if instalments:
        set_schedule(actor, claim, instalments=instalments)
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
    court = create_claim(actor, current.case, route=route, payer=payer,
                         amount_claimed=amount_claimed, currency=currency, filed_on=filed_on,
                         forum_reference=forum_reference, escalated_from=current)
    if agreed_claim is not None:
        agreed = Claim.objects.get(pk=agreed_claim.pk)
        if agreed.status in lifecycle.OWING:
            transition_claim(actor, agreed, to=ClaimStatus.DEFAULTED, on=when,
                             note=f"escalated to court (claim {court.pk})")
        _event(actor, agreed, kind=ClaimEvent.Kind.ESCALATION, on=when,
               note=f"escalated to {route}, claim {court.pk}: {reason}")
    _event(actor, court, kind=ClaimEvent.Kind.ESCALATION, on=when,
           note=f"escalated from mediation {current.pk}: {reason}")
    current.status = MediationStatus.ESCALATED
    current.closed_on = when
    current.failure_reason = reason[:300]
    current.save()
    audit.record(actor, "update", "compensation_mediation", current.pk,
                 survivor_ref=current.case.survivor.reference,
                 fields=["status", "closed_on", "failure_reason"], note=f"court claim {court.pk}")
    return court


# --- the victim fund -----------------------------------------------------------


def fund_balance(fund: VictimFund) -> Decimal:
    deposits = fund.deposits.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    paid = fund.disbursements.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return quantize(Decimal(deposits) - Decimal(paid), currency_minor_unit(fund.currency, "currency"))


@transaction.atomic
def deposit_to_fund(actor: Actor, *, amount, received_on, source: str,
                    currency: str | None = None) -> FundDeposit:
    """Money into the organisation's fund; the first deposit sets the fund's currency."""
    if not roles.oversees(actor.role) and actor.role not in roles.ADMIN_ROLES:
        raise Forbidden("only a supervisor or organisation administrator records deposits")
    fund = VictimFund.objects.select_for_update().filter(organisation=actor.organisation).first()
    if fund is None:
        code = str(currency or "").upper()
        if not code:
            raise DomainError("the first deposit sets the fund's currency", "currency")
        currency_minor_unit(code, "currency")
        fund = VictimFund.objects.create(organisation=actor.organisation, currency=code)
    elif currency and str(currency).upper() != fund.currency:
        raise DomainError(f"the fund is kept in {fund.currency}", "currency")
    value = money(amount, "amount", fund.currency)
    if not str(source or "").strip():
        raise DomainError("say where the money came from", "source")
    deposit = FundDeposit.objects.create(fund=fund, amount=value, received_on=day(received_on,
                                         "received_on"), source=source[:200],
                                         recorded_by=actor.user)
    audit.record(actor, "create", "victim_fund_deposit", deposit.pk, fields=["amount", "source"])
    return deposit


@transaction.atomic
def disburse(actor: Actor, survivor: Survivor, *, purpose: str, amount, paid_on, approver_id,
             case: Case | None = None, note: str = "") -> Disbursement:
    """Interim assistance to a survivor. Refused beyond the balance; never tied to testimony."""
    fund = VictimFund.objects.select_for_update().filter(organisation=actor.organisation).first()
    if fund is None:
        raise DomainError("the organisation has no victim fund yet; record a deposit first", "fund")
    purpose = _choice(purpose, "purpose", Purpose)
    value = money(amount, "amount", fund.currency)
    try:
        approver_pk = int(approver_id)
    except (TypeError, ValueError):
        approver_pk = -1
    approver = get_user_model().objects.filter(
        pk=approver_pk, is_active=True,
        membership__organisation=actor.organisation,
        membership__role__in=(roles.Role.SUPERVISOR, roles.Role.ORG_ADMIN)).first()
    if approver is None:
        raise DomainError("the approver must be an active supervisor or administrator of your "
                          "organisation", "approver_id")
    if case is not None and case.survivor_id != survivor.pk:
        raise DomainError("this case belongs to another survivor", "case_id")
    balance = fund_balance(fund)
    if value > balance:
        raise DomainError(f"the fund holds {balance} {fund.currency}; {value} cannot be paid out",
                          "amount", balance=str(balance))
    paid = Disbursement.objects.create(
        fund=fund, survivor=survivor, case=case, purpose=purpose, amount=value,
        paid_on=day(paid_on, "paid_on"), approver=approver, note=note or "",
        recorded_by=actor.user)
    audit.record(actor, "create", "victim_fund_disbursement", paid.pk,
                 survivor_ref=survivor.reference,
                 fields=["purpose", "amount", "paid_on", "approver"] + (["note"] if note else []))
    return paid
