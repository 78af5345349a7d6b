"""The organisation's compensation figures: awarded against received, time taken and
on-time compliance, overall and by route. Aggregates only, and an audited read."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import connections
from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from northstar import policy
from northstar.compensation import figures
from northstar.compensation.models import MONEY, Claim, Instalment
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


_MEDIAN_KEYS = ("median_days_filing_to_decision", "median_days_filing_to_first_payment",
                "median_days_filing_to_last_payment")
_MEDIAN_DAYS = {"median_days_filing_to_decision": "decided_on",
                "median_days_filing_to_first_payment": "first_paid_on",
                "median_days_filing_to_last_payment": "last_paid_on"}


def _day_count(value) -> str | None:
    """A median of whole days as ``_medians`` writes it: "12", or "12.5" between two."""
    if value is None:
        return None
    exact = Decimal(str(value))
    return str(exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact)


def _marked(claims: QuerySet[Claim], as_of: dt.date) -> QuerySet[Claim]:
    """The claims with what each owes and whether the whole of it should have been paid by
    ``as_of`` (paid in full or defaulted, or its last active instalment already past)."""
    return claims.order_by().annotate(
        owed=_obligation(),
        fully_due=Q(status__in=("paid_in_full", "defaulted")) | Q(last_due_on__lt=as_of),
    )


_ONE_PASS_SQL = """
WITH c AS MATERIALIZED ({claims}),
counts AS (
    SELECT c_route AS route, c_status AS status, c_currency AS currency, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE c_owed IS NOT NULL AND c_fully_due) AS judged,
           COUNT(*) FILTER (WHERE c_owed IS NOT NULL AND c_fully_due
                              AND c_status = 'paid_in_full') AS completed,
           SUM(c_owed) AS owed_total,
           SUM(c_received) FILTER (WHERE c_owed IS NOT NULL) AS received
      FROM c GROUP BY c_route, c_status, c_currency),
instalments AS (
    SELECT c.c_route AS route, COUNT(*) AS due,
           COUNT(*) FILTER (WHERE i.covered_on_time) AS on_time
      FROM compensation_instalment i JOIN c ON c.c_id = i.claim_id
     WHERE i.superseded_at IS NULL AND i.due_on <= %s
     GROUP BY c.c_route),
middle AS (
    SELECT c_route AS route, GROUPING(c_route) AS whole,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c_decided - c_filed) AS decision,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c_first_paid - c_filed) AS first_paid,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c_last_paid - c_filed) AS last_paid,
           {people} AS people
      FROM c GROUP BY ROLLUP (c_route))
SELECT (SELECT COALESCE(json_agg(counts), '[]') FROM counts)::text,
       (SELECT COALESCE(json_agg(instalments), '[]') FROM instalments)::text,
       (SELECT COALESCE(json_agg(middle), '[]') FROM middle)::text
"""


def _one_pass_postgresql(claims: QuerySet[Claim], as_of: dt.date, *, people: bool):
    """Every aggregate of the figures in one statement on PostgreSQL: the claims (with
    their visibility and consent filters) are found once into a materialised CTE, then
    grouped three ways (route × status × currency; instalments due by route; the three
    medians, ``percentile_cont(0.5)``, and the survivors behind them over ``ROLLUP(route)``).
    Money comes back as exact decimals (the JSON read with ``parse_float=Decimal``).
    Returns (counts, instalments, medians, people) as the portable path builds them."""
    inner, params = _marked(claims, as_of).values(
        c_id=F("pk"), c_route=F("route"), c_status=F("status"), c_currency=F("currency"),
        c_owed=F("owed"), c_received=F("received_total"), c_fully_due=F("fully_due"),
        c_filed=F("filed_on"), c_decided=F("decided_on"), c_first_paid=F("first_paid_on"),
        c_last_paid=F("last_paid_on"), c_survivor=F("case__survivor"),
    ).query.sql_with_params()
    # On the database the queryset reads from: the replica inside ``reading_figures``.
    with connections[claims.db].cursor() as cursor:
        # The survivors behind each group only for those who see suppressed figures.
        sql = _ONE_PASS_SQL.format(claims=inner, people="COUNT(DISTINCT c_survivor)"
                                   if people else "NULL::bigint")
        cursor.execute(sql, [*params, as_of])
        counts, instalments, middle = (json.loads(text, parse_float=Decimal)
                                       for text in cursor.fetchone())
    medians: dict = {key: {} for key in _MEDIAN_KEYS}
    behind: dict = {}
    for row in middle:
        group = None if row["whole"] else row["route"]
        behind[group] = row["people"]
        for key, column in zip(_MEDIAN_KEYS, ("decision", "first_paid", "last_paid"),
                               strict=True):
            if row[column] is not None:
                medians[key][group] = _day_count(row[column])
    for row in counts:
        for key in ("owed_total", "received"):
            if row[key] is not None:
                row[key] = Decimal(row[key])
    return _grouped(counts), _grouped(instalments), medians, behind if people else None


def _portable(claims: QuerySet[Claim], as_of: dt.date):
    """The same aggregates as ``_one_pass_postgresql`` as a few ORM queries (SQLite)."""
    marked = _marked(claims, as_of)
    owing = Q(owed__isnull=False)
    judged = owing & Q(fully_due=True)
    counts = _grouped(marked.values("route", "status", "currency").annotate(
        n=Count("pk"),
        judged=Count("pk", filter=judged),
        completed=Count("pk", filter=judged & Q(status="paid_in_full")),
        owed_total=Sum("owed", filter=owing),
        received=Sum("received_total", filter=owing)))
    instalments = _grouped(Instalment.objects.filter(
        claim__in=claims.order_by().values("pk"), superseded_at__isnull=True,
        due_on__lte=as_of,
    ).order_by().values(route=F("claim__route")).annotate(
        due=Count("pk"), on_time=Count("pk", filter=Q(covered_on_time=True))))
    medians = {key: _medians(claims.order_by(), ExpressionWrapper(
        F(column) - F("filed_on"), output_field=DurationField()))
        for key, column in _MEDIAN_DAYS.items()}
    return counts, instalments, medians, None


def _figures(claims: QuerySet[Claim], as_of: dt.date, *,
             people: bool = False) -> tuple[dict, dict | None]:
    """The figures, and when asked on PostgreSQL the survivors behind each group (else
    None: ``_people`` counts them)."""
    if connections[claims.db].vendor == "postgresql":
        counts, instalments, medians, people = _one_pass_postgresql(claims, as_of,
                                                                    people=people)
    else:
        counts, instalments, medians, people = _portable(claims, as_of)

    def group(route):
        rows = counts.get(route, [])
        statuses: dict[str, int] = {}
        money: dict[str, dict[str, Decimal]] = {}
        for row in rows:
            statuses[row["status"]] = statuses.get(row["status"], 0) + row["n"]
            if row["owed_total"] is not None:
                bucket = money.setdefault(row["currency"], {"obligation": Decimal(0),
                                                            "received": Decimal(0)})
                bucket["obligation"] += row["owed_total"]
                bucket["received"] += row["received"] or Decimal(0)
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

    result = {
        "as_of": as_of.isoformat(),
        "all": group(None),
        "by_route": {route: group(route) for route in figures.ROUTES},
    }
    return result, people


def figures_in_sql(claims: QuerySet[Claim], as_of: dt.date) -> dict:
    """``figures.organisation_figures`` of ``claims``, every figure an aggregate asked of the
    database from the claims' kept summary (``compensation.summary``), never a payment row:
    one statement on PostgreSQL, a few grouped queries elsewhere, whatever the number of
    claims. tests/compensation/test_figures_in_sql.py and test_figures_summary.py hold it to
    the Python arithmetic."""
    return _figures(claims, as_of)[0]


def organisation_claims(actor: Actor) -> QuerySet[Claim]:
    """The claims the organisation's figures count for ``actor``: every claim of the
    organisation's live cases, or, for those who see only disclosure-safe figures, those of
    survivors whose statistics consent stands (asked in the database: ``flows_q``).

    The organisation and the survivor's archived state are read from the case's own copies
    (``Case.organisation``, ``Case.survivor_archived``): no survivor is joined."""
    found = Claim.objects.filter(
        case__organisation=actor.organisation, case__archived_at__isnull=True,
        case__survivor_archived=False,
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
    result, people = _figures(found, as_of, people=restricted)
    result["restricted_to_statistics_consent"] = restricted
    if restricted:
        _suppress_small_groups(result, people if people is not None else _people(found))
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
