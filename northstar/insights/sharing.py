"""An organisation's sharing choices, changed by its org admin (``policy``) and audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden
from northstar.insights.models import Sharing


def current(organisation) -> dict:
    """What the organisation shares today: ``contributes`` (to its jurisdiction's roll-up)
    and ``funders`` (the ids of the funders it shares with)."""
    live = Sharing.objects.filter(organisation=organisation, stopped_at__isnull=True)
    return {"contributes": live.filter(funder__isnull=True).exists(),
            "funders": set(live.filter(funder__isnull=False).values_list("funder_id", flat=True))}


@transaction.atomic
def set_sharing(actor: Actor, *, contributes: bool, funder_ids) -> dict:
    """Make the organisation's choices these: start what is new, stop what is no longer
    chosen (kept, with when and by whom). Each change is one audit entry. Returns
    ``current``."""
    if not policy.may_manage_figure_sharing(actor):
        raise Forbidden("only the organisation's administrators choose who sees its figures")
    organisation = actor.organisation
    wanted = {int(i) for i in funder_ids}
    funders = set(policy.funders_to_share_with().filter(pk__in=wanted)
                  .values_list("pk", flat=True))
    if wanted - funders:
        raise DomainError("must be funders on the platform", "funders")
    if organisation.pk in wanted:
        raise DomainError("an organisation does not share with itself", "funders")
    live = {s.funder_id: s for s in Sharing.objects.select_for_update().filter(
        organisation=organisation, stopped_at__isnull=True)}
    targets = set(wanted) | ({None} if contributes else set())
    now = timezone.now()
    for funder_id, sharing in live.items():
        if funder_id not in targets:
            sharing.stopped_at, sharing.stopped_by_label = now, actor.label
            sharing.save(update_fields=["stopped_at", "stopped_by_label"])
            audit.record(actor, "update", "figure_sharing", sharing.pk, fields=["stopped_at"],
                         note=_what(funder_id, "stopped sharing figures with"))
    for funder_id in targets - set(live):
        sharing = Sharing.objects.create(organisation=organisation, funder_id=funder_id,
                                         started_at=now, started_by_label=actor.label)
        audit.record(actor, "create", "figure_sharing", sharing.pk,
                     fields=["organisation", "funder"],
                     note=_what(funder_id, "started sharing figures with"))
    return current(organisation)


def _what(funder_id, verb: str) -> str:
    return (f"{verb} the jurisdiction's roll-up" if funder_id is None
            else f"{verb} funder organisation #{funder_id}")
