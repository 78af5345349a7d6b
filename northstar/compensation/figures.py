"""Delivery figures for claims: awarded against received, time taken, on-time compliance.

Pure Python on plain data, so the same arithmetic serves a claim page, the
organisation's figures and a researcher's aggregate view. Money is summed per
currency and never across currencies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from northstar.compensation.calculator import minor_unit, quantize


def as_money(amount: Decimal, currency: str) -> str:
    """An amount as a string with exactly the currency's decimals (same on every database)."""
    return str(quantize(Decimal(amount), minor_unit(currency)))


ROUTES = ("criminal_restitution", "civil_suit", "state_fund", "labour_tribunal",
          "out_of_court_mediation")


@dataclass(frozen=True)
class ClaimFacts:
    route: str
    currency: str
    status: str
    filed_on: dt.date | None
    decided_on: dt.date | None
    obligation: Decimal | None
    payments: tuple[tuple[dt.date, Decimal], ...] = field(default=())
    instalments: tuple[tuple[dt.date, Decimal], ...] = field(default=())


def _days(start: dt.date | None, end: dt.date | None) -> int | None:
    return (end - start).days if start and end else None


def instalments_on_time(facts: ClaimFacts, as_of: dt.date) -> tuple[int, int]:
    """(instalments paid on time, instalments due by ``as_of``).

    An instalment is on time when everything received by its due date covers
    everything scheduled up to and including it.
    """
    due = sorted(i for i in facts.instalments if i[0] <= as_of)
    scheduled, on_time = Decimal(0), 0
    for due_on, amount in due:
        scheduled += amount
        received = sum((a for d, a in facts.payments if d <= due_on), Decimal(0))
        if received >= scheduled:
            on_time += 1
    return on_time, len(due)


def overdue_instalments(facts: ClaimFacts, as_of: dt.date) -> list[int]:
    """Indexes (in due order) of instalments past due and not covered by payments so far."""
    received = sum((a for _, a in facts.payments), Decimal(0))
    scheduled, late = Decimal(0), []
    for index, (due_on, amount) in enumerate(sorted(facts.instalments)):
        scheduled += amount
        if due_on < as_of and received < scheduled:
            late.append(index)
    return late


def claim_figures(facts: ClaimFacts, as_of: dt.date) -> dict:
    received = sum((a for _, a in facts.payments), Decimal(0))
    dates = sorted(d for d, _ in facts.payments)
    on_time, due = instalments_on_time(facts, as_of)
    return {
        "currency": facts.currency,
        "obligation": (as_money(facts.obligation, facts.currency)
                       if facts.obligation is not None else None),
        "received": as_money(received, facts.currency),
        "outstanding": (as_money(max(facts.obligation - received, Decimal(0)), facts.currency)
                        if facts.obligation is not None else None),
        "received_share": (str((received / facts.obligation).quantize(Decimal("0.0001")))
                           if facts.obligation else None),
        "days_filing_to_decision": _days(facts.filed_on, facts.decided_on),
        "days_filing_to_first_payment": _days(facts.filed_on, dates[0] if dates else None),
        "days_filing_to_last_payment": _days(facts.filed_on, dates[-1] if dates else None),
        "instalments_due": due,
        "instalments_on_time": on_time,
        "on_time_rate": _rate(on_time, due),
        "paid_in_full": facts.status == "paid_in_full",
    }


def _rate(part: int, whole: int) -> str | None:
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))) if whole else None


def _median(values: list[int]) -> str | None:
    """The median in whole or half days, computed without floats."""
    if not values:
        return None
    ordered, mid = sorted(values), len(values) // 2
    if len(ordered) % 2:
        return str(ordered[mid])
    return str((Decimal(ordered[mid - 1]) + Decimal(ordered[mid])) / 2)


def _fully_due(facts: ClaimFacts, as_of: dt.date) -> bool:
    """Whether the whole obligation should have been paid by now (so completion can be judged)."""
    if facts.status in ("paid_in_full", "defaulted"):
        return True
    return bool(facts.instalments) and max(d for d, _ in facts.instalments) < as_of


def group_figures(claims: list[ClaimFacts], as_of: dt.date) -> dict:
    """Totals for a set of claims: counts, money per currency, time taken and compliance."""
    money: dict[str, dict[str, Decimal]] = {}
    on_time = due = 0
    completed = judged = 0
    to_decision, to_first, to_last = [], [], []
    statuses: dict[str, int] = {}
    for facts in claims:
        statuses[facts.status] = statuses.get(facts.status, 0) + 1
        figures = claim_figures(facts, as_of)
        if facts.obligation is not None:
            bucket = money.setdefault(facts.currency, {"obligation": Decimal(0), "received": Decimal(0)})
            bucket["obligation"] += facts.obligation
            bucket["received"] += Decimal(figures["received"])
            if _fully_due(facts, as_of):
                judged += 1
                completed += facts.status == "paid_in_full"
        on_time += figures["instalments_on_time"]
        due += figures["instalments_due"]
        for key, into in (("days_filing_to_decision", to_decision),
                          ("days_filing_to_first_payment", to_first),
                          ("days_filing_to_last_payment", to_last)):
            if figures[key] is not None:
                into.append(figures[key])
    return {
        "claims": len(claims),
        "by_status": dict(sorted(statuses.items())),
        "money": {c: {"awarded_or_agreed": as_money(v["obligation"], c),
                      "received": as_money(v["received"], c),
                      "received_share": _rate_decimal(v["received"], v["obligation"])}
                  for c, v in sorted(money.items())},
        "median_days_filing_to_decision": _median(to_decision),
        "median_days_filing_to_first_payment": _median(to_first),
        "median_days_filing_to_last_payment": _median(to_last),
        "instalments_due": due,
        "instalments_on_time": on_time,
        "on_time_rate": _rate(on_time, due),
        "obligations_fully_due": judged,
        "obligations_paid_in_full": completed,
        "completion_rate": _rate(completed, judged),
    }


def _rate_decimal(part: Decimal, whole: Decimal) -> str | None:
    return str((part / whole).quantize(Decimal("0.0001"))) if whole else None


def organisation_figures(claims: list[ClaimFacts], as_of: dt.date) -> dict:
    """All claims, and the same split by route (mediated against court-imposed and the rest)."""
    return {
        "as_of": as_of.isoformat(),
        "all": group_figures(claims, as_of),
        "by_route": {route: group_figures([c for c in claims if c.route == route], as_of)
                     for route in ROUTES},
    }
