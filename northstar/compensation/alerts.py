"""Overdue-instalment alerts, raised daily by ``manage.py compensation_alerts``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from northstar import policy
from northstar.compensation import lifecycle, selectors
from northstar.compensation.claims import overdue_instalments
from northstar.compensation.models import Claim, CompensationAlert
from northstar.core import audit
from northstar.core.actor import Actor


def _responsible_people(claim: Claim) -> list:
    """The case's responsible caseworker and the organisation's supervisors, if still active."""
    organisation = claim.case.survivor.organisation
    people = list(policy.staff_who_oversee(organisation))
    creator = claim.case.responsible
    if creator and policy.staff_who_work_with_records(organisation).filter(pk=creator.pk).exists():
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
        for instalment in overdue_instalments(claim, as_of):
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


def open_alerts_for(actor: Actor) -> list[CompensationAlert]:
    """Open overdue-instalment alerts addressed to this person, on claims they may see.

    Shown on the caseload with the survivor's reference and the amount overdue, so
    showing them is an audited read naming each claim."""
    if actor.user is None:
        return []
    alerts = list(CompensationAlert.objects.filter(
        recipient=actor.user, resolved_on__isnull=True,
        instalment__claim__in=selectors.visible_claims(actor).values("pk"),
    ).select_related("instalment__claim__case__survivor"))
    shown = list({a.instalment.claim_id: a.instalment.claim for a in alerts}.values())
    audit.record_read(actor, shown, record_type="compensation_claim",
                      note=f"overdue instalment alerts: {len(alerts)}" if shown else "")
    return alerts
