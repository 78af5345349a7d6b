"""Whether out-of-court compensation (mediation) may be offered on a case: the pathways
engine decides, and this module asks it, shows its answer and enforces it."""

from __future__ import annotations

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.pathways.profile import profile_for_case
from northstar.pathways.rules import engine as pathways_engine
from northstar.survivors.models import Case

INTERVENTION = "out_of_court_compensation"


def mediation_assessment(case: Case) -> dict:
    """The pathways engine's answer for out-of-court compensation on this case."""
    result = pathways_engine.assess(profile_for_case(case))
    item = next(i for i in result["interventions"] if i["key"] == INTERVENTION)
    return {**item, "rule_set_version": result.get("rule_set_version", "")}


def read_mediation_assessment(actor: Actor, case: Case) -> dict:
    """The engine's answer, as shown to a person: it is worked out from the case's facts
    (form of exploitation, the survivor's wishes), so showing it is an audited read."""
    item = mediation_assessment(case)
    audit.record_read(actor, case, record_type="mediation_eligibility",
                      survivor_ref=case.survivor.reference, note=f"engine: {item['eligibility']}")
    return item


def require_mediation_allowed(case: Case, *, conditions_confirmed: bool) -> dict:
    """Refuse out-of-court compensation where the engine says not eligible (naming the rules);
    where it is conditional, the caseworker must confirm the conditions are met."""
    item = mediation_assessment(case)
    effects = {r["id"]: r["effect"] for r in pathways_engine.rules()["rules"]}
    if item["eligibility"] not in ("eligible", "conditional"):
        blocking = [r for r in item["reasons"] if effects.get(r["rule"]) == "not_eligible"]
        raise DomainError("Out-of-court compensation is not available for this case: "
                          + " ".join(r["explanation"] for r in blocking), "route",
                          rules=[r["rule"] for r in blocking])
    if item["eligibility"] == "conditional" and not conditions_confirmed:
        raise DomainError("Out-of-court compensation is offered here only on conditions; confirm "
                          "they are met: " + " ".join(item["conditions"]), "conditions_confirmed",
                          conditions=item["conditions"])
    return item
