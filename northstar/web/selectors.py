"""Which intakes a person may see: their organisation's, if they work with records.

Follows ``northstar.policy``: outside → ``NotFound``; the survivor an intake
points to must itself still be visible (an archived survivor closes the intake).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.web.models import Intake


def visible_intakes(actor: Actor) -> QuerySet[Intake]:
    if not policy.works_with_records(actor):
        return Intake.objects.none()
    return Intake.objects.filter(organisation=actor.organisation).filter(
        Q(survivor__isnull=True) | Q(survivor__in=policy.changeable_survivors(actor))
    ).select_related("survivor", "case", "started_by")


def intakes_listed(actor: Actor, intakes) -> list[Intake]:
    """One page of unfinished intakes, as shown (who, which survivor, which step): audited."""
    shown = list(intakes)
    audit.record_read(actor, shown, record_type="intake")
    return shown


def intake_for(actor: Actor, intake_id) -> Intake:
    return policy.one_of(visible_intakes(actor), intake_id, "intake")
