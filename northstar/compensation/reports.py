"""The organisation's compensation figures: awarded against received, time taken and
on-time compliance, overall and by route. Aggregates only, and an audited read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from northstar import policy
from northstar.compensation import figures
from northstar.compensation.models import MONEY, Claim, Instalment, Payment
from northstar.core import audit, disclosure
from northstar.core.actor import Actor
from northstar.core.errors import Forbidden
from northstar.survivors.consent import flows_q
from northstar.survivors.models import ConsentPurpose

MONEY_FIELD = DecimalField(**MONEY)


def _suppress_small_groups(result: dict, people: dict) -> None:
    """Hide every group behind fewer than ``MIN_CELL`` *survivors* (``people``: by route,
    and under None in all; one survivor's three claims are still one person); the routes
    add up to the "all" group that stays visible, so a lone hidden route takes the next
    smallest with it."""
    hidden = {"claims": f"<{disclosure.MIN_CELL}", "suppressed": True}
    by_route = {route: people.get(route, 0) for route in result["by_route"]}
    for route in disclosure.hidden_cells(by_route):
        result["by_route"][route] = dict(hidden)
    if disclosure.is_small(people.get(None, 0)):
        result["all"] = dict(hidden)


def _obligation():
    """What the payer owes, in SQL (``Claim.obligation``): the award, else the agreed amount."""
    return Coalesce("amount_awarded", "amount_agreed")


def _grouped(rows, key: str = "route"):
    """Rows of a ``values(route, ...)`` query as {route: [row, ...]}, with None for all."""
    out: dict = {None: []}
    for row in rows:
        out[None].append(row)
        out.setdefault(row[key], []).append(row)
    return out


def _medians(claims: QuerySet[Claim], days) -> dict:
    """The median of ``days`` (a duration expression; rows where it is null left out) over
    all claims (key None) and per route, in the database: each row numbered by ``days`` in
    all and in its route, keeping only the one or two middle rows of either (window
    functions, one query whatever the number of claims)."""
    order = [F("days").asc(), F("pk").asc()]
    by_route = {"partition_by": [F("route")]}
    middle = claims.annotate(days=days).filter(days__isnull=False).annotate(
        n_all=Window(Count("pk")),
        twice_all=Window(RowNumber(), order_by=order) * 2,
        n_route=Window(Count("pk"), **by_route),
        twice_route=Window(RowNumber(), order_by=order, **by_route) * 2,
    ).filter(
        Q(twice_all__gte=F("n_all"), twice_all__lte=F("n_all") + 2)
        | Q(twice_route__gte=F("n_route"), twice_route__lte=F("n_route") + 2),
    ).values_list("route", "days", "twice_all", "n_all", "twice_route", "n_route")
    found: dict = {}
    for route, value, twice_all, n_all, twice_route, n_route in middle:
        if n_all <= twice_all <= n_all + 2:
            found.setdefault(None, []).append(value.days)
        if n_route <= twice_route <= n_route + 2:
            found.setdefault(route, []).append(value.days)
    return {group: str(values[0]) if len(values) == 1
            else str((Decimal(values[0]) + Decimal(values[1])) / 2)
            for group, values in found.items()}


def _payment_day(kind):
    first = Payment.objects.filter(claim=OuterRef("pk")).order_by().values("claim").annotate(
        day=kind("received_on")).values("day")[:1]
    return Subquery(first, output_field=DateField())


_ON_TIME_SQL = """
WITH claims AS ({claims}),
events AS (
    SELECT i.claim_id, i.due_on AS day, 1 AS kind, i.amount AS ranked, i.id,
           i.amount AS scheduled, 0 AS paid
      FROM compensation_instalment i
     WHERE i.claim_id IN (SELECT claim_id FROM claims) AND i.superseded_at IS NULL
       AND i.due_on <= %s
    UNION ALL
    SELECT p.claim_id, p.received_on, 0, 0, p.id, 0, p.amount
      FROM compensation_payment p
     WHERE p.claim_id IN (SELECT claim_id FROM claims) AND p.received_on <= %s),
running AS (
    SELECT claim_id, kind,
           SUM(scheduled) OVER w AS scheduled_by_then, SUM(paid) OVER w AS paid_by_then
      FROM events
    WINDOW w AS (PARTITION BY claim_id ORDER BY day, kind, ranked, id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
SELECT claims.claim_route, COUNT(*),
       SUM(CASE WHEN running.paid_by_then >= running.scheduled_by_then THEN 1 ELSE 0 END)
  FROM running JOIN claims ON claims.claim_id = running.claim_id
 WHERE running.kind = 1
 GROUP BY claims.claim_route
"""


def _instalments_on_time(claims: QuerySet[Claim], as_of: dt.date) -> list[dict]:
    """Per route: the active instalments due by ``as_of`` and those the claim had received
    enough for by their due date (what it had received by then ≥ what was scheduled by
    then). One pass of running totals (window functions) over the claims' instalments and
    payments merged in date order, payments of a day before its instalments, instalments of
    a day by amount then id: the same order as ``figures`` uses."""
    # The claims' own query, as Django compiles it, with the column names used here.
    inner, params = claims.values(claim_id=F("pk"), claim_route=F("route")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_ON_TIME_SQL.format(claims=inner), [*params, as_of, as_of])
        return [{"claim__route": route, "due": due, "on_time": int(on_time or 0)}
                for route, due, on_time in cursor.fetchall()]


_MEDIANS_SQL = """
WITH claims AS ({claims}),
paid AS (
    SELECT claim_id, MIN(received_on) AS first_day, MAX(received_on) AS last_day
      FROM compensation_payment WHERE claim_id IN (SELECT claim_id FROM claims) GROUP BY claim_id)
SELECT claims.claim_route, GROUPING(claims.claim_route),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY claims.claim_decided - claims.claim_filed),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY paid.first_day - claims.claim_filed),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY paid.last_day - claims.claim_filed)
  FROM claims LEFT JOIN paid ON paid.claim_id = claims.claim_id
 GROUP BY ROLLUP (claims.claim_route)
"""

_MEDIAN_KEYS = ("median_days_filing_to_decision", "median_days_filing_to_first_payment",
                "median_days_filing_to_last_payment")


def _day_count(value) -> str | None:
    """A median of whole days as ``_medians`` writes it: "12", or "12.5" between two."""
    if value is None:
        return None
    exact = Decimal(str(value))
    return str(exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact)


def _medians_postgresql(claims: QuerySet[Claim]) -> dict:
    """The three medians, in all and per route, in one query: PostgreSQL's
    ``percentile_cont(0.5)`` (the middle value, or the mean of the two middle ones: what
    ``_medians`` computes with window functions) over ``GROUP BY ROLLUP(route)``, with each
    claim's first and last payment days from one grouped pass over its payments instead of
    two correlated subqueries per claim."""
    inner, params = claims.values(
        claim_id=F("pk"), claim_route=F("route"), claim_filed=F("filed_on"),
        claim_decided=F("decided_on")).query.sql_with_params()
    out: dict = {key: {} for key in _MEDIAN_KEYS}
    with connection.cursor() as cursor:
        cursor.execute(_MEDIANS_SQL.format(claims=inner), params)
        for route, grouped, *values in cursor.fetchall():
            group = None if grouped else route
            for key, value in zip(_MEDIAN_KEYS, values, strict=True):
                if value is not None:
                    out[key][group] = _day_count(value)
    return out


def figures_in_sql(claims: QuerySet[Claim], as_of: dt.date) -> dict:
    """``figures.organisation_figures`` of ``claims``, every figure an aggregate asked of the
    database: a dozen queries whatever the number of claims (counts and sums grouped by
    route, status and currency; running totals of instalments as subqueries; medians by a
    window function). tests/compensation/test_figures_in_sql.py holds it to the Python
    arithmetic on a built population."""
    claims = claims.order_by()
    active_due_later = Instalment.objects.filter(
        claim=OuterRef("pk"), superseded_at__isnull=True, due_on__gte=as_of)
    active_any = Instalment.objects.filter(claim=OuterRef("pk"), superseded_at__isnull=True)
    marked = claims.annotate(
        owed=_obligation(),
        fully_due=Q(status__in=("paid_in_full", "defaulted"))
        | (Exists(active_any) & ~Exists(active_due_later)),
    )
    judged = Q(owed__isnull=False, fully_due=True)
    counts = _grouped(marked.values("route", "status").annotate(
        n=Count("pk"),
        judged=Count("pk", filter=judged),
        completed=Count("pk", filter=judged & Q(status="paid_in_full"))))
    owed = _grouped(marked.filter(owed__isnull=False).values("route", "currency").annotate(
        total=Sum("owed")))
    received = _grouped(Payment.objects.filter(
        claim__in=marked.filter(owed__isnull=False).values("pk")).order_by()
        .values("claim__route", "claim__currency").annotate(total=Sum("amount")),
        key="claim__route")
    instalments = _grouped(_instalments_on_time(claims, as_of), key="claim__route")
    if connection.vendor == "postgresql":
        medians = _medians_postgresql(claims)
    else:
        medians = {
            "median_days_filing_to_decision": _medians(claims, ExpressionWrapper(
                F("decided_on") - F("filed_on"), output_field=DurationField())),
            "median_days_filing_to_first_payment": _medians(claims, ExpressionWrapper(
                _payment_day(Min) - F("filed_on"), output_field=DurationField())),
            "median_days_filing_to_last_payment": _medians(claims, ExpressionWrapper(
                _payment_day(Max) - F("filed_on"), output_field=DurationField())),
        }

    def group(route):
        rows = counts.get(route, [])
        statuses: dict[str, int] = {}
        for row in rows:
            statuses[row["status"]] = statuses.get(row["status"], 0) + row["n"]
        money: dict[str, dict[str, Decimal]] = {}
        for row in owed.get(route, []):
            bucket = money.setdefault(row["currency"], {"obligation": Decimal(0),
                                                         "received": Decimal(0)})
            bucket["obligation"] += row["total"]
        for row in received.get(route, []):
            money[row["claim__currency"]]["received"] += row["total"]
        due = sum(r["due"] for r in instalments.get(route, []))
        on_time = sum(r["on_time"] for r in instalments.get(route, []))
        judged_ = sum(r["judged"] for r in rows)
        completed = sum(r["completed"] for r in rows)
        return {
            "claims": sum(r["n"] for r in rows),
            "by_status": dict(sorted(statuses.items())),
            "money": {c: {"awarded_or_agreed": figures.as_money(v["obligation"], c),
                          "received": figures.as_money(v["received"], c),
                          "received_share": figures._rate_decimal(v["received"], v["obligation"])}
                      for c, v in sorted(money.items())},
            **{key: found.get(route) for key, found in medians.items()},
            "instalments_due": due,
            "instalments_on_time": on_time,
            "on_time_rate": figures._rate(on_time, due),
            "obligations_fully_due": judged_,
            "obligations_paid_in_full": completed,
            "completion_rate": figures._rate(completed, judged_),
        }

    return {
        "as_of": as_of.isoformat(),
        "all": group(None),
        "by_route": {route: group(route) for route in figures.ROUTES},
    }


def organisation_claims(actor: Actor) -> QuerySet[Claim]:
    """The claims the organisation's figures count for ``actor``: every claim of the
    organisation's live cases, or, for those who see only disclosure-safe figures, those of
    survivors whose statistics consent stands (asked in the database: ``flows_q``)."""
    found = Claim.objects.filter(
        case__survivor__organisation=actor.organisation, case__archived_at__isnull=True,
        case__survivor__archived_at__isnull=True,
    )
    if policy.sees_only_disclosure_safe_figures(actor):
        found = found.filter(flows_q(ConsentPurpose.STATISTICS, survivor="case__survivor"))
    return found


def organisation_report(actor: Actor, *, as_of: dt.date) -> dict:
    """The organisation's delivery figures, overall and by route.

    Those who see exact figures (supervisors) count all their organisation's
    claims; the others only claims of survivors whose statistics consent stands,
    and no group backed by fewer than ``MIN_CELL`` survivors.
    """
    if not policy.may_see_aggregates(actor):
        raise Forbidden("your role does not see compensation figures")
    found = organisation_claims(actor)
    restricted = policy.sees_only_disclosure_safe_figures(actor)
    result = figures_in_sql(found, as_of)
    result["restricted_to_statistics_consent"] = restricted
    if restricted:
        _suppress_small_groups(result, _people(found))
    audit.record_read(actor, (), record_type="compensation_figures",
                      note=f"organisation figures as of {as_of.isoformat()} "
                           f"over {result['all']['claims']} claim(s)")
    return result


def _people(claims: QuerySet[Claim]) -> dict:
    """Survivors behind the claims, per route and (key None) in all: two counts."""
    people = {row["route"]: row["n"] for row in claims.order_by().values("route").annotate(
        n=Count("case__survivor", distinct=True))}
    people[None] = claims.aggregate(n=Count("case__survivor", distinct=True))["n"]
    return people
