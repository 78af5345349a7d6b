"""The pathways engine's profile, built from a stored case and its survivor."""

from __future__ import annotations

from northstar.pathways.rules.engine import MIGRATION
from northstar.survivors.models import Case


def profile_for_case(case: Case, wishes: dict | None = None) -> dict:
    """What the engine needs to know, from the record; ``wishes`` as the survivor said them.

    Advocacy visibility comes from the survivor's record unless the wishes say
    otherwise. ``received_trauma_care`` is true when a trauma-informed support
    plan item on the case has been delivered or is in progress. ``screening`` is
    the latest screening's class (none: not screened). Migration facts and the
    offender's criminal case are read with ``getattr`` so this runs before those
    fields exist on the case; anything missing is unknown.
    """
    survivor = case.survivor
    wishes = dict(wishes or {})
    if "advocacy" not in wishes and survivor.advocacy_visibility:
        wishes["advocacy"] = survivor.advocacy_visibility
    care = case.plan_items.filter(
        intervention__in=("trauma_informed_support", "peer_therapy"),
        status__in=("in_progress", "delivered"),
    ).exists()
    age = survivor.age_on()
    profile = {
        "jurisdiction": case.jurisdiction,
        "age": age,
        "child": survivor.is_child(),
        "exploitation": list(case.forms_of_exploitation or []) or None,
        "coercion": case.coercion,
        "relationship_to_offender": case.relationship_to_offender,
        "cross_border": case.cross_border
        if (case.country_of_origin and case.country_of_destination)
        else None,
        "fears_retaliation_at_home": case.fears_retaliation_at_home,
        "trial_participation": case.trial_participation,
        "received_trauma_care": True if care else None,
        "wishes": wishes,
        "screening": case.screenings.order_by("-created_at", "-id")
        .values_list("classification", flat=True)
        .first(),
        "offender_criminal_case": getattr(case, "offender_criminal_case", None) or "unknown",
        "migration": {name: getattr(case, name, None) or "unknown" for name in MIGRATION},
    }
    return profile
