"""The victim fund: money in (deposits), interim assistance out (disbursements), and its
report. Assistance is never tied to testimony or to taking part in a trial."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Min, QuerySet, Sum
from django.utils import timezone

from northstar import policy
from northstar.compensation import selectors, validation
from northstar.compensation.calculator import minor_unit, quantize
from northstar.compensation.figures import as_money
from northstar.compensation.models import Disbursement, FundDeposit, Purpose, VictimFund
from northstar.compensation.validation import choice, day, money
from northstar.core import audit, disclosure
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError, Forbidden
from northstar.core.prepared import Prepared
from northstar.survivors.models import Case, Survivor


def fund_balance(fund: VictimFund) -> Decimal:
    """What is left to pay out: deposits less every disbursement approved or awaiting its
    approver (money promised to a survivor is reserved until it is declined)."""
    deposits = fund.deposits.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    paid = fund.disbursements.filter(declined_at__isnull=True).aggregate(
        s=Sum("amount"))["s"] or Decimal(0)
    return quantize(Decimal(deposits) - Decimal(paid), minor_unit(fund.currency))


@transaction.atomic
def deposit_to_fund(actor: Actor, *, amount, received_on, source: str,
                    currency: str | None = None) -> FundDeposit:
    """Money into the organisation's fund; the first deposit sets the fund's currency."""
    if not policy.may_manage_fund(actor):
        raise Forbidden("only a supervisor or organisation administrator records deposits")
    fund = VictimFund.objects.select_for_update().filter(organisation=actor.organisation).first()
    if fund is None:
        if not currency:
            raise DomainError("the first deposit sets the fund's currency", "currency")
        fund = VictimFund.objects.create(organisation=actor.organisation,
                                         currency=validation.currency(currency))
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
    purpose = choice(purpose, "purpose", Purpose)
    value = money(amount, "amount", fund.currency)
    try:
        approver_pk = int(approver_id)
    except (TypeError, ValueError):
        approver_pk = -1
    approver = policy.staff_who_manage_fund(actor.organisation).filter(pk=approver_pk).first()
    if approver is None:
        raise DomainError("the approver must be an active supervisor or administrator of your "
                          "organisation", "approver_id")
    if case is not None and case.survivor_id != survivor.pk:
        raise DomainError("this case belongs to another survivor", "case_id")
    balance = fund_balance(fund)
    if value > balance:
        raise DomainError(f"the fund holds {balance} {fund.currency}; {value} cannot be paid out",
                          "amount", balance=str(balance))
    # The approver must approve: a disbursement naming someone else waits for them. Naming
    # oneself is approving it now (and audited as such).
    approves_now = actor.user is not None and approver.pk == actor.user.pk
    paid = Disbursement.objects.create(
        fund=fund, survivor=survivor, case=case, purpose=purpose, amount=value,
        paid_on=day(paid_on, "paid_on"), approver=approver, note=note or "",
        recorded_by=actor.user, approved_at=timezone.now() if approves_now else None)
    audit.record(actor, "create", "victim_fund_disbursement", paid.pk,
                 survivor_ref=survivor.reference,
                 fields=["purpose", "amount", "paid_on", "approver"] + (["note"] if note else [])
                 + (["approved_at"] if approves_now else []),
                 note="approved by its recorder" if approves_now else "awaiting its approver")
    return paid


def _decision(actor: Actor, disbursement: Disbursement) -> Disbursement:
    locked = Disbursement.objects.select_for_update().select_related("survivor").get(
        pk=disbursement.pk)
    if not policy.may_manage_fund(actor) or actor.user is None \
            or locked.approver_id != actor.user.pk:
        raise Forbidden("only the approver named on this disbursement may decide it")
    if locked.status != "pending":
        raise Conflict(f"this disbursement is already {locked.status}")
    return locked


@transaction.atomic
def approve_disbursement(actor: Actor, disbursement: Disbursement) -> Disbursement:
    """The named approver approves: the money may now be paid to the survivor."""
    found = _decision(actor, disbursement)
    found.approved_at = timezone.now()
    found.save(update_fields=["approved_at"])
    audit.record(actor, "update", "victim_fund_disbursement", found.pk,
                 survivor_ref=found.survivor.reference, fields=["approved_at"], note="approved")
    return found


@transaction.atomic
def decline_disbursement(actor: Actor, disbursement: Disbursement, *, reason: str) -> Disbursement:
    """The named approver declines, saying why (sealed); the reserved money returns to the fund."""
    if not str(reason or "").strip():
        raise DomainError("say why the disbursement is declined", "reason")
    found = _decision(actor, disbursement)
    found.declined_at = timezone.now()
    found.decline_reason = reason.strip()[:1000]
    found.save(update_fields=["declined_at", "decline_reason"])
    audit.record(actor, "update", "victim_fund_disbursement", found.pk,
                 survivor_ref=found.survivor.reference, fields=["declined_at", "decline_reason"],
                 note="declined")
    return found


#: What a list of disbursements needs of its survivor is its reference and organisation
#: (the audit entry's owner): every other column is left unread.
_SEALED_SURVIVOR_COLUMNS = tuple(
    f"survivor__{f.name}" for f in Survivor._meta.concrete_fields
    if f.name not in ("id", "reference", "organisation"))


def awaiting_approval(actor: Actor) -> QuerySet[Disbursement]:
    """Disbursements waiting for this actor's decision, oldest first, as a list to page
    (one approver had 10,002 waiting at 100k survivors): nothing is read yet, and only the
    page shown is audited (``awaiting_shown``)."""
    if actor.user is None or not policy.may_manage_fund(actor):
        raise Forbidden("only a supervisor or organisation administrator approves disbursements")
    return (Disbursement.objects.filter(
        fund__organisation=actor.organisation, approver=actor.user, approved_at__isnull=True,
        declined_at__isnull=True).select_related("fund", "survivor", "approver")
        # of the survivor only the reference is shown: its sealed columns are not read
        .defer(*_SEALED_SURVIVOR_COLUMNS).order_by("recorded_at", "pk"))


def awaiting_shown(actor: Actor, items: list[Disbursement]) -> list[Disbursement]:
    """The page of the waiting list shown to its approver: one audited read naming each
    row (its owner is the survivor's organisation, read with the row)."""
    audit.record_read(actor, items, record_type="victim_fund_disbursement",
                      owners=[d.survivor.organisation_id for d in items],
                      note=f"{len(items)} awaiting approval" if items else "")
    return items


# --- reads ---------------------------------------------------------------------


#: ``survivor.fund_disbursements.select_related("fund", "approver")[:limit]`` per limit:
#: SQL written once per process (the survivor page's panel asks on every view).
_DISBURSEMENTS_TO: dict[int | None, Prepared] = {}


def disbursements_to(actor: Actor, survivor: Survivor, *, limit: int | None = None,
                     ) -> list[Disbursement]:
    """What the fund paid this survivor, newest first, as shown: one audited read naming each."""
    prepared = _DISBURSEMENTS_TO.get(limit)
    if prepared is None:
        prepared = _DISBURSEMENTS_TO[limit] = Prepared(
            lambda survivor_id: Disbursement.objects.filter(survivor_id=survivor_id)
            .select_related("fund", "approver")[:limit], -7_320_000_157)
    items = prepared(survivor.pk)
    for item in items:
        item.survivor = survivor  # as the related manager gives it
    audit.record_read(actor, items, record_type="victim_fund_disbursement",
                      survivor_ref=survivor.reference)
    return items


def fund_report(actor: Actor, *, per_survivor: bool = True) -> dict:
    """Balance, deposits and disbursements by purpose; per survivor only for case staff.

    Those who see the figures without working with the fund (researchers) never see
    what a purpose paid when fewer than ``MIN_CELL`` survivors received it. The report is an audited read; the
    per-survivor breakdown names every disbursement behind it.
    """
    if not (policy.may_see_aggregates(actor) or policy.works_with_records(actor)):
        raise Forbidden("your role does not see the victim fund")
    fund = selectors.fund_of(actor)
    if fund is None:
        audit.record_read(actor, (), record_type="victim_fund_figures", note="fund report: no fund")
        return {"currency": None, "balance": "0", "deposits": "0", "disbursed": "0", "awaiting_approval": "0",
                "by_purpose": {}, "per_survivor": None}
    cur = fund.currency
    deposits = fund.deposits.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    # Summed by PostgreSQL, not by loading every disbursement with its survivor's sealed
    # row (10,000 of them at 100k survivors: 0.6 s of CPU a report). Purposes come in the
    # order of their first disbursement, as the dict always listed them.
    approved = fund.disbursements.filter(approved_at__isnull=False).order_by()
    by_rows = list(approved.values("purpose").annotate(
        total=Sum("amount"), people=Count("survivor_id", distinct=True), first=Min("id"))
        .order_by("first"))
    pending = fund.disbursements.filter(
        approved_at__isnull=True, declined_at__isnull=True).order_by().aggregate(
        s=Sum("amount"))["s"] or Decimal(0)
    by_purpose: dict[str, str | None] = {r["purpose"]: as_money(r["total"], cur) for r in by_rows}
    if not policy.may_see_fund(actor):
        by_purpose = disclosure.suppress(by_purpose, {r["purpose"]: r["people"] for r in by_rows})
    disbursed = sum((r["total"] for r in by_rows), Decimal(0))
    out = {"currency": cur, "balance": as_money(Decimal(deposits) - disbursed - pending, cur),
           "deposits": as_money(deposits, cur), "disbursed": as_money(disbursed, cur),
           "awaiting_approval": as_money(pending, cur),
           "by_purpose": by_purpose, "per_survivor": None}
    if per_survivor and policy.works_with_records(actor):
        # The survivors the policy lets the actor see, as a semi-join (not 100,000 ids read
        # into Python); only what the breakdown and its audit entry name is read, with each
        # row's owning organisation (so the entry is stamped as the rows would stamp it).
        shown = list(approved.filter(survivor__in=policy.visible_survivors(actor).values("pk"))
                     .order_by("pk").values_list("pk", "amount", "survivor__reference",
                                                 "survivor__organisation_id"))
        per: dict[str, dict] = {}
        for _, amount, reference, _ in shown:
            item = per.setdefault(reference, {"total": Decimal(0), "count": 0})
            item["total"] += amount
            item["count"] += 1
        out["per_survivor"] = {k: {"total": as_money(v["total"], cur), "count": v["count"]}
                               for k, v in sorted(per.items())}
        audit.record_read(actor, [row[0] for row in shown], record_type="victim_fund_disbursement",
                          owners=[row[3] for row in shown],
                          fields=["per_survivor"], note=f"fund report: {len(per)} survivor(s)")
    else:
        audit.record_read(actor, (), record_type="victim_fund_figures",
                          note="fund report: balance and totals by purpose")
    return out
