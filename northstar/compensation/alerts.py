"""Overdue-instalment alerts, raised daily by ``manage.py compensation_alerts``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from northstar import policy
from northstar.compensation import lifecycle, selectors
from northstar.compensation.models import (
    MONEY,
    Claim,
    CompensationAlert,
    Instalment,
    Payment,
)
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.models import Organisation
from northstar.core.prepared import Prepared, Rows
from northstar.survivors.selectors import survivor_named_only


def overdue_instalments(claims: QuerySet[Claim], as_of: dt.date) -> QuerySet[Instalment]:
    """The active instalments of ``claims`` past due on ``as_of`` and not covered by what the
    claim has received (``claims.overdue_instalments`` for a whole set, in one query: the
    running total of the schedule against the sum of payments, both as subqueries)."""
    before = Instalment.objects.filter(claim=OuterRef("claim"), superseded_at__isnull=True).filter(
        Q(due_on__lt=OuterRef("due_on"))
        | Q(due_on=OuterRef("due_on"), number__lt=OuterRef("number"))
        | Q(due_on=OuterRef("due_on"), number=OuterRef("number"), pk__lte=OuterRef("pk")))
    scheduled = Subquery(before.order_by().values("claim").annotate(t=Sum("amount"))
                         .values("t")[:1])
    paid = Payment.objects.filter(claim=OuterRef("claim")).order_by().values("claim") \
        .annotate(t=Sum("amount")).values("t")[:1]
    return Instalment.objects.filter(
        claim__in=claims.values("pk"), superseded_at__isnull=True, due_on__lt=as_of,
    ).annotate(
        scheduled=scheduled,
        received=Coalesce(Subquery(paid), Value(Decimal(0)), output_field=DecimalField(**MONEY)),
    ).filter(received__lt=F("scheduled"))


def _recipients(rows) -> dict[int, set[int]]:
    """Per overdue instalment, the people to alert: the organisation's supervisors and the
    case's responsible caseworker (assigned, else who opened it) while they still work with
    records there. Two queries per organisation, whatever the number of claims."""
    oversee: dict[int, set[int]] = {}
    workers: dict[int, set[int]] = {}
    for org_id in {org for _pk, org, _cw, _by in rows}:
        organisation = Organisation(pk=org_id)
        oversee[org_id] = set(policy.staff_who_oversee(organisation).values_list("pk", flat=True))
        workers[org_id] = set(policy.staff_who_work_with_records(organisation)
                              .values_list("pk", flat=True))
    out = {}
    for pk, org, caseworker, created_by in rows:
        people = set(oversee[org])
        responsible = caseworker or created_by
        if responsible and responsible in workers[org]:
            people.add(responsible)
        out[pk] = people
    return out


@transaction.atomic
def raise_overdue_alerts(*, as_of: dt.date) -> dict:
    """Alert the responsible people about every overdue instalment; resolve those since paid.

    Set-based: one query finds every overdue instalment, one reads the alerts already
    raised, one bulk insert raises the new ones and one update resolves the rest, so the
    daily run costs the same number of queries for 10 claims or 100,000."""
    actor = Actor.system("cli")
    overdue = overdue_instalments(Claim.objects.filter(status__in=lifecycle.OWING), as_of)
    found = list(overdue.values_list("pk", "claim__case__survivor__organisation_id",
                                     "claim__case__caseworker_id", "claim__case__created_by_id",
                                     "due_on"))
    due = {row[0]: row[4] for row in found}
    rows = [row[:4] for row in found]
    still_overdue = {pk for pk, *_rest in rows}
    wanted = {(pk, person) for pk, people in _recipients(rows).items() for person in people}
    existing = set(CompensationAlert.objects.filter(
        instalment__in=overdue.values("pk")).values_list("instalment_id", "recipient_id"))
    new = sorted(wanted - existing)
    CompensationAlert.objects.bulk_create(
        [CompensationAlert(instalment_id=i, recipient_id=p, raised_on=as_of, due_on=due[i])
         for i, p in new],
        batch_size=1000)
    raised = len(new)
    stale = CompensationAlert.objects.filter(resolved_on__isnull=True).exclude(
        instalment__in=overdue.values("pk"))
    resolved = stale.update(resolved_on=as_of)
    if raised or resolved:
        audit.record(actor, "create", "compensation_alert", "",
                     note=f"overdue instalments on {as_of.isoformat()}: {raised} raised, "
                          f"{resolved} resolved")
    return {"raised": raised, "resolved": resolved, "overdue_instalments": len(still_overdue)}


#: The most overdue-instalment alerts the caseload lists (the earliest due first).
ALERT_LIMIT = 200


def open_alerts_for(actor: Actor, *, survivor=None,
                    limit: int | None = ALERT_LIMIT) -> list[CompensationAlert]:
    """Open overdue-instalment alerts addressed to this person, on claims they may see (on
    one ``survivor``'s when given), the earliest due first, at most ``limit``.

    Shown on the caseload with the survivor's reference and the amount overdue, so
    showing them is an audited read naming each claim."""
    if actor.user is None:
        return []
    if survivor is not None and policy.works_with_records(actor):
        # The case page: one survivor's alerts by one query written once (``_OPEN_OF_SURVIVOR``).
        alerts = _OPEN_OF_SURVIVOR(actor.user.pk, actor.organisation.pk, survivor.pk)
        if limit is not None:
            alerts = alerts[:limit]
        for alert in alerts:
            alert.instalment.claim.case.survivor = survivor
        _claims_shown(actor, [a.instalment.claim_id for a in alerts])
        return alerts
    related = "instalment__claim__case__survivor"
    alerts = _open_alerts(actor, survivor=survivor, limit=limit,
                          shape=lambda qs: qs.select_related(related)
                          .defer(*survivor_named_only(related)))
    _claims_shown(actor, [a.instalment.claim_id for a in alerts])
    return alerts


#: What an overdue-instalment alert on the caseload shows of its alert, instalment, claim
#: and survivor (``open_alert_rows``).
ALERT_ROW = ("pk", "instalment__due_on", "instalment__number", "instalment__amount",
             "instalment__claim_id", "instalment__claim__currency", "instalment__claim__route",
             "instalment__claim__case__survivor__reference")


def open_alert_rows(actor: Actor, *, limit: int | None = ALERT_LIMIT) -> list[dict]:
    """``open_alerts_for`` (the caseload's: no one survivor) as plain rows (``ALERT_ROW``):
    the same alerts in the same order and the same audited read naming their claims, with
    no alert, instalment, claim, case or survivor built (five model instances an alert,
    most of them for alerts the caseload's merge then drops). For case staff with a limit
    one statement written once per process (``_OPEN_TO_STAFF``)."""
    if actor.user is None:
        return []
    if limit is not None and policy.works_with_records(actor):
        rows = _OPEN_TO_STAFF.rows(actor.user.pk, actor.organisation.pk, limit=limit)
    else:
        rows = _open_alerts(actor, survivor=None, limit=limit,
                            shape=lambda qs: qs.values(*ALERT_ROW))
    _claims_shown(actor, [r["instalment__claim_id"] for r in rows])
    return rows


def _claims_shown(actor: Actor, claim_ids: list[int]) -> None:
    """The audited read of the claims behind the alerts given: each claim once, in the
    order of the alerts."""
    shown = list(dict.fromkeys(claim_ids))
    audit.record_read(actor, shown, record_type="compensation_claim",
                      note=f"overdue instalment alerts: {len(claim_ids)}" if shown else "")


#: A person's open alerts on claims their organisation's case staff see (``staff_cases_q``
#: through the claim's case: ``visible_claims`` of case staff), the earliest due first, as
#: the caseload's rows: SQL written once per process and cut. PostgreSQL walks the person's
#: open alerts in order (``compensation_alert_open_due``) and stops at the cut; it never
#: works out every claim of the organisation (EXPLAIN at 100k: 51 alerts, ~0.6 ms).
_OPEN_TO_STAFF = Rows(lambda user_id, org_id: CompensationAlert.objects.filter(
    policy.staff_cases_q(org_id, via="instalment__claim__case__"),
    recipient_id=user_id, resolved_on__isnull=True).order_by("due_on", "pk").values(
    *ALERT_ROW), -7_330_000_033, -7_330_000_034,
    written_in=(0, 1))  # the person's and organisation's ids in the SQL: planned once (h-caseload5)


def _open_alerts(actor: Actor, *, survivor, limit: int | None, shape) -> list:
    """The open alerts to this person on claims they may see, the earliest due first, at
    most ``limit``, each read as ``shape(queryset)`` gives it (models or rows)."""
    claims = selectors.visible_claims(actor)
    if survivor is not None:
        claims = claims.filter(case__survivor=survivor)
    mine = CompensationAlert.objects.filter(recipient=actor.user, resolved_on__isnull=True)
    if survivor is not None:
        mine = mine.filter(instalment__claim__case__survivor=survivor)
    ordered = mine.order_by("due_on", "pk")  # the alert's copy: one index range
    if limit is None:
        return list(shape(ordered.filter(instalment__claim__in=claims.values("pk"))))
    # The earliest due of the person's own alerts first (their ids and claims only),
    # then which of those claims they may see, by primary key: asking the database
    # for "visible claims" whole would work out every claim of the organisation.
    alerts, start = [], 0
    while len(alerts) < limit:
        batch = list(ordered.values_list("pk", "instalment__claim_id")[start:start + limit])
        if not batch:
            break
        start += len(batch)
        found = shape(ordered.filter(
            pk__in=[pk for pk, _claim in batch],
            instalment__claim__in=claims.filter(
                pk__in={claim for _pk, claim in batch}).values("pk"),
        ))
        alerts += list(found[:limit - len(alerts)])
        if len(batch) < limit:
            break
    return alerts


#: A person's open alerts on one survivor's claims their organisation's case staff see (the
#: case page), with instalment, claim and case: SQL written once per process.
_OPEN_OF_SURVIVOR = Prepared(
    lambda user_id, org_id, survivor_id: CompensationAlert.objects.filter(
        policy.staff_cases_q(org_id, via="instalment__claim__case__"),
        recipient_id=user_id, resolved_on__isnull=True,
        instalment__claim__case__survivor_id=survivor_id,
    ).select_related("instalment__claim__case").order_by("due_on", "pk"),
    -7_320_000_091, -7_320_000_092, -7_320_000_093, constants=(False,))
