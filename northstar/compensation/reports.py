"""The organisation's compensation figures: awarded against received, time taken and
on-time compliance, overall and by route. Aggregates only, and an audited read."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from northstar import policy
from northstar.compensation import figures
from northstar.compensation.claims import claim_facts
from northstar.compensation.models import Claim
from northstar.core import audit, disclosure
from northstar.core.actor import Actor
from northstar.core.errors import Forbidden
from northstar.survivors.consent import active_consents
from northstar.survivors.models import ConsentPurpose


def _suppress_small_groups(result: dict, route_and_survivor: list[tuple[str, int]]) -> None:
    """Hide every group behind fewer than ``MIN_CELL`` *survivors* (one survivor's three
    claims are still one person); the routes add up to the "all" group that stays
    visible, so a lone hidden route takes the next smallest with it."""
    hidden = {"claims": f"<{disclosure.MIN_CELL}", "suppressed": True}
    people = {route: len({s for r, s in route_and_survivor if r == route})
              for route in result["by_route"]}
    for route in disclosure.hidden_cells(people):
        result["by_route"][route] = dict(hidden)
    if disclosure.is_small(len({s for _, s in route_and_survivor})):
        result["all"] = dict(hidden)


def organisation_report(actor: Actor, *, as_of: dt.date) -> dict:
    """The organisation's delivery figures, overall and by route.

    Those who see exact figures (supervisors) count all their organisation's
    claims; the others only claims of survivors whose statistics consent stands,
    and no group backed by fewer than ``MIN_CELL`` survivors.
    """
    if not policy.may_see_aggregates(actor):
        raise Forbidden("your role does not see compensation figures")
    found = Claim.objects.filter(
        case__survivor__organisation=actor.organisation, case__archived_at__isnull=True,
        case__survivor__archived_at__isnull=True,
    )
    restricted = policy.sees_only_disclosure_safe_figures(actor)
    if restricted:
        # The statistics consent in force, asked in the database for every claim at once.
        found = found.filter(Exists(active_consents(OuterRef("case__survivor"),
                                                    ConsentPurpose.STATISTICS)))
    claims = list(found.select_related("case__survivor")
                  .prefetch_related("payments", "instalments"))
    facts = [claim_facts(c) for c in claims]
    result = figures.organisation_figures(facts, as_of)
    result["restricted_to_statistics_consent"] = restricted
    if restricted:
        _suppress_small_groups(result, [(f.route, c.case.survivor_id)
                                        for f, c in zip(facts, claims, strict=True)])
    audit.record_read(actor, (), record_type="compensation_figures",
                      note=f"organisation figures as of {as_of.isoformat()} "
                           f"over {len(claims)} claim(s)")
    return result
