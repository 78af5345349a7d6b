"""Pathways: which of the nine interventions fit this survivor, and why.

Pure Python; the interventions and every applicability rule live in
``interventions.toml`` beside this module. ``assess`` returns exactly the body
of ``POST /api/v1/pathways/assess``: all nine interventions, always, each with
its eligibility, conditions, readiness, feasibility notes and the rules that
fired. No intervention ever depends on taking part in a trial: the loader
refuses a rule file that would make it so.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import model_validator

from northstar.law import position as law
from northstar.rules import loader
from northstar.rules.conditions import When, check_facts, matches
from northstar.rules.errors import InvalidInput

RULES_FILE = Path(__file__).with_name("interventions.toml")

OUTCOMES = ("monetary_support", "healing", "safety_self_and_others")
PATHWAYS = ("procedural", "restorative", "transformational")
READINESS = ("ready", "needs_research", "needs_modification")
ELIGIBILITY = ("not_eligible", "conditional", "eligible")  # worst first
EFFECTS = ("not_eligible", "conditional", "restrict_options", "feasibility", "note")
COERCION = ("low", "high", "unknown")
RELATIONSHIP = ("stranger", "community", "family", "unknown")
TRIAL = ("yes", "no", "undecided")
ADVOCACY = ("none", "anonymous", "public")
#: The classification of the case's latest screening (screening.toml classes).
SCREENING = (
    "no_indication", "indicator_present", "labour_rights_violation", "forced_labour",
    "possible_trafficking", "trafficking",
)
#: Screenings that are, or may be, trafficking: no out-of-court settlement.
TRAFFICKING_SCREENINGS = ("possible_trafficking", "trafficking")
#: The offender's criminal case: none brought, pending, decided, or unknown.
CRIMINAL_CASE = ("none", "pending", "decided", "unknown")
#: Migration facts (issue 11 §7) and the values each may take; default unknown.
MIGRATION = {
    "entry": ("regular", "irregular", "unknown"),
    "visa_tied_to_employer": ("yes", "no", "unknown"),
    "documents_held_by_employer": ("yes", "no", "unknown"),
    "recruitment_debt": ("yes", "no", "unknown"),
}
FACTS = frozenset(
    {
        "screening",
        "offender_criminal_case",
        *MIGRATION,
        "jurisdiction",
        "age",
        "is_child",
        "exploitation",
        "coercion",
        "relationship_to_offender",
        "cross_border",
        "fears_retaliation_at_home",
        "trial_participation",
        "received_trauma_care",
        "wants_reconcile",
        "advocacy",
        "livelihood_interests",
    }
)
#: Facts only a ``note`` rule may test: nothing may depend on testifying.
NOTE_ONLY_FACTS = frozenset({"trial_participation"})
PROFILE_KEYS = frozenset(
    {
        "jurisdiction",
        "age",
        "child",
        "exploitation",
        "coercion",
        "relationship_to_offender",
        "cross_border",
        "fears_retaliation_at_home",
        "trial_participation",
        "received_trauma_care",
        "wishes",
        "screening",
        "offender_criminal_case",
        "migration",
    }
)
WISH_KEYS = frozenset({"reconcile", "advocacy", "livelihood_interests"})


class InvalidProfile(InvalidInput):
    """A profile the engine cannot read; ``field`` names the offending entry."""


class Intervention(loader.Rule):
    key: loader.Text
    title: loader.Text
    pathway: Literal[PATHWAYS]
    outcome: Literal[OUTCOMES]
    readiness: Literal[READINESS]
    options: list[str] | None = None


class ApplicabilityRule(loader.Rule):
    interventions: list[str]
    effect: Literal[EFFECTS]
    when: When
    condition: loader.Text | None = None
    options: list[str] | None = None


class InterventionsFile(loader.RuleFile):
    """``interventions.toml``: the nine interventions and the rules that decide who they fit."""

    jurisdictions: list[str]
    exploitation: list[str]
    child_age_under: int
    interventions: list[Intervention]
    rules: list[ApplicabilityRule]

    @model_validator(mode="after")
    def _consistent(self) -> InterventionsFile:
        keys = [i.key for i in self.interventions]
        if len(set(keys)) != 9 or len(keys) != 9:
            raise ValueError(f"expected the nine interventions once each, found {keys}")
        seen: set[str] = set()
        for entry in [*self.interventions, *self.rules]:
            if entry.id in seen:
                raise ValueError(f"rule {entry.id}: duplicate id")
            seen.add(entry.id)
        for rule in self.rules:
            for key in rule.interventions:
                if key not in keys:
                    raise ValueError(f"rule {rule.id}: unknown intervention {key!r}")
            if rule.effect == "conditional" and not rule.condition:
                raise ValueError(f"rule {rule.id}: a conditional rule needs a 'condition'")
            if rule.effect == "restrict_options" and not rule.options:
                raise ValueError(f"rule {rule.id}: a restrict_options rule needs 'options'")
            check_facts(rule.id, rule.when, FACTS)
            if rule.effect != "note" and set(rule.when) & NOTE_ONLY_FACTS:
                raise ValueError(
                    f"rule {rule.id}: only a 'note' rule may test trial_participation; no "
                    "intervention may depend on taking part in a trial"
                )
        return self


def load(path: Path = RULES_FILE) -> dict:
    """Read and validate an interventions file; ``RuleDataError`` names what is wrong."""
    return loader.load(path, InterventionsFile).model_dump(exclude_unset=True)


@lru_cache(maxsize=1)
def rules() -> dict:
    return load()


def intervention_keys() -> tuple[str, ...]:
    return tuple(i["key"] for i in rules()["interventions"])


def list_rules() -> list[dict]:
    data = rules()
    entries = list(data["interventions"]) + list(data["rules"])
    return [
        {
            "rule_set": "pathways",
            "rule_set_version": data["version"],
            "id": r["id"],
            "explanation": r["explanation"],
            "source": r["source"],
            "checked": r["checked"].isoformat(),
        }
        for r in entries
    ]


def titles() -> dict[str, str]:
    """Intervention key → its name in words."""
    return {i["key"]: i["title"] for i in rules()["interventions"]}


def rule_ids() -> frozenset[str]:
    data = rules()
    return frozenset(r["id"] for r in list(data["interventions"]) + list(data["rules"]))


def _optional_bool(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InvalidProfile(field, "must be true, false or null")


def _choice(value: Any, field: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    if value is None:
        return default
    if value not in allowed:
        raise InvalidProfile(field, f"must be one of {', '.join(allowed)}")
    return value


def facts_of(profile: Mapping[str, Any]) -> dict:
    """Validate a profile and turn it into the facts rules test."""
    data = rules()
    if not isinstance(profile, Mapping):
        raise InvalidProfile("profile", "must be an object")
    extra = set(profile) - PROFILE_KEYS
    if extra:
        raise InvalidProfile(sorted(extra)[0], "unknown field")
    jurisdiction = profile.get("jurisdiction")
    if jurisdiction not in data["jurisdictions"]:
        raise InvalidProfile("jurisdiction", f"must be one of {', '.join(data['jurisdictions'])}")
    age = profile.get("age")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130
    ):
        raise InvalidProfile("age", "must be a whole number of years between 0 and 130")
    child_flag = _optional_bool(profile.get("child"), "child")
    if age is not None:
        is_child = age < data["child_age_under"] or child_flag is True
    else:
        is_child = child_flag
    exploitation = profile.get("exploitation")
    if exploitation is not None:
        if not isinstance(exploitation, list) or any(
            e not in data["exploitation"] for e in exploitation
        ):
            raise InvalidProfile(
                "exploitation", f"must be a list of {', '.join(data['exploitation'])}"
            )
        exploitation = list(dict.fromkeys(exploitation)) or None
    wishes = profile.get("wishes") or {}
    if not isinstance(wishes, Mapping):
        raise InvalidProfile("wishes", "must be an object")
    extra = set(wishes) - WISH_KEYS
    if extra:
        raise InvalidProfile(f"wishes.{sorted(extra)[0]}", "unknown field")
    interests = wishes.get("livelihood_interests")
    if interests is not None and (
        not isinstance(interests, list) or not all(isinstance(x, str) for x in interests)
    ):
        raise InvalidProfile("wishes.livelihood_interests", "must be a list of words")
    interests = [x.strip() for x in interests or [] if x.strip()] or None
    migration = profile.get("migration") or {}
    if not isinstance(migration, Mapping):
        raise InvalidProfile("migration", "must be an object")
    extra = set(migration) - set(MIGRATION)
    if extra:
        raise InvalidProfile(f"migration.{sorted(extra)[0]}", "unknown field")
    return {
        **{
            name: _choice(migration.get(name), f"migration.{name}", allowed, "unknown")
            for name, allowed in MIGRATION.items()
        },
        "screening": _choice(profile.get("screening"), "screening", SCREENING, None),
        "offender_criminal_case": _choice(
            profile.get("offender_criminal_case"), "offender_criminal_case", CRIMINAL_CASE,
            "unknown",
        ),
        "jurisdiction": jurisdiction,
        "age": age,
        "is_child": is_child,
        "exploitation": exploitation,
        "coercion": _choice(profile.get("coercion"), "coercion", COERCION, "unknown"),
        "relationship_to_offender": _choice(
            profile.get("relationship_to_offender"),
            "relationship_to_offender",
            RELATIONSHIP,
            "unknown",
        ),
        "cross_border": _optional_bool(profile.get("cross_border"), "cross_border"),
        "fears_retaliation_at_home": _optional_bool(
            profile.get("fears_retaliation_at_home"), "fears_retaliation_at_home"
        ),
        "trial_participation": _choice(
            profile.get("trial_participation"), "trial_participation", TRIAL, "undecided"
        ),
        "received_trauma_care": _optional_bool(
            profile.get("received_trauma_care"), "received_trauma_care"
        ),
        "wants_reconcile": _optional_bool(wishes.get("reconcile"), "wishes.reconcile"),
        "advocacy": _choice(wishes.get("advocacy"), "wishes.advocacy", ADVOCACY, None),
        "livelihood_interests": interests,
    }


def _assess_one(item: dict, facts: dict, fired: list[dict]) -> dict:
    eligibility = "eligible"
    conditions: list[str] = []
    feasibility: list[str] = []
    options = list(item.get("options", []))
    for rule in fired:
        effect = rule["effect"]
        if effect == "not_eligible":
            eligibility = "not_eligible"
        elif effect == "conditional":
            conditions.append(rule["condition"])
            if eligibility == "eligible":
                eligibility = "conditional"
        elif effect == "restrict_options":
            options = [o for o in options if o in rule["options"]]
        elif effect == "feasibility":
            feasibility.append(rule["explanation"])
    if eligibility == "not_eligible":
        conditions, options = [], []
    reasons = [{"rule": r["id"], "explanation": r["explanation"]} for r in fired]
    reasons.append({"rule": item["id"], "explanation": item["explanation"]})
    if facts["livelihood_interests"] and item["key"] == "livelihood":
        feasibility.append("Interests: " + ", ".join(facts["livelihood_interests"]))
    if item["key"] == "state_compensation" and eligibility != "not_eligible":
        feasibility.extend(state_compensation_in_law(facts["jurisdiction"]))
    return {
        "key": item["key"],
        "title": item["title"],
        "pathway": item["pathway"],
        "outcome": item["outcome"],
        "eligibility": eligibility,
        "conditions": conditions,
        "readiness": item["readiness"],
        "feasibility": feasibility,
        "options": options,
        "reasons": reasons,
    }


def assess(profile: Mapping[str, Any]) -> dict:
    """All nine interventions for one profile; the body of ``POST /api/v1/pathways/assess``."""
    data = rules()
    facts = facts_of(profile)
    fired = [r for r in data["rules"] if matches(r["when"], facts)]
    # Worst effects first, so a caseworker reads why something is not offered before the notes.
    order = {
        "not_eligible": 0,
        "conditional": 1,
        "restrict_options": 2,
        "feasibility": 3,
        "note": 4,
    }
    fired.sort(key=lambda r: order[r["effect"]])
    return {
        "interventions": [
            _assess_one(item, facts, [r for r in fired if item["key"] in r["interventions"]])
            for item in data["interventions"]
        ],
        "routes_without_testimony": routes_without_testimony(facts),
        "rule_set_version": data["version"],
    }


#: Compensation routes the state compensation intervention covers (not settlement or wages).
STATE_ROUTES = ("criminal_court_order", "civil_claim", "state_fund", "state_support")
DELIVERY_WORDS = {
    "delivering": "pays in practice",
    "improvable": "improvable, not delivering",
    "unknown": "whether it pays in practice is not known",
}


def state_compensation_in_law(jurisdiction: str) -> list[str]:
    """This jurisdiction's own compensation routes, from its legal position (``northstar.law``):
    what the law provides and whether it pays, so no survivor is promised a payment the
    record does not show. A route the law does not provide is not listed."""
    try:
        position = law.position_for(jurisdiction)
    except law.UnknownJurisdiction:
        return ["No legal position is recorded for this jurisdiction: do not promise compensation."]
    notes = [
        f"{position.name}: {r.label} — {DELIVERY_WORDS[r.delivery.value]} "
        f"(source: {r.exists.source})"
        for r in position.compensation_routes
        if r.route in STATE_ROUTES and r.exists.value == "yes"
    ]
    return notes or [
        f"{position.name}: no state or court compensation route was found in the sources; "
        "that does not mean none exists. Ask a lawyer before promising anything."
    ]


def routes_without_testimony(facts: dict) -> list[dict]:
    """For a survivor who will not testify: the compensation routes that still work without
    her testimony, from the jurisdiction's legal position (``northstar.law``).

    Empty unless she said she will not take part in a trial. An out-of-court
    settlement is listed only when the latest screening is known not to be
    trafficking (unknown is never safe).
    """
    if facts["trial_participation"] != "no":
        return []
    screening = facts["screening"]
    trafficking = None if screening is None else screening in TRAFFICKING_SCREENINGS
    return [
        {
            "route": r.route,
            "label": r.label,
            "delivery": r.delivery.value,
            "source": r.needs_testimony.source,
        }
        for r in law.routes_without_testimony(facts["jurisdiction"], trafficking=trafficking)
    ]


def order_by_priorities(results: list[dict], ranking: list[str]) -> list[dict]:
    """Interventions ordered by the survivor's ranking of outcomes, offered ones first."""
    rank = {outcome: i for i, outcome in enumerate(ranking)}
    elig = {e: i for i, e in enumerate(reversed(ELIGIBILITY))}
    return sorted(
        results, key=lambda r: (rank.get(r["outcome"], len(rank)), elig[r["eligibility"]])
    )
