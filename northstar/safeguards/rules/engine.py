"""Do No Harm safeguards: what could this action do to the survivor?

Pure Python; the actions, context keys and safeguards live in
``safeguards.toml`` beside this module (each context key is documented there
with its type). ``check`` returns exactly the body of
``POST /api/v1/safeguards/check``: findings, each ``block`` or ``warn``, with
the rule, the harm type and an explanation. An action with no risk returns an
empty list. Unknown is never read as safe: a missing consent is no consent, a
missing age may be a child's.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import model_validator

from northstar.law import position
from northstar.rules import loader
from northstar.rules.conditions import When, check_facts, matches
from northstar.rules.errors import InvalidInput

RULES_FILE = Path(__file__).with_name("safeguards.toml")

SEVERITIES = ("block", "warn")
CONTEXT_TYPES = ("int", "bool", "string", "list")
#: Facts the engine derives from the context (documented in the TOML header).
DERIVED_FACTS = frozenset({"language_matches_preferred", "possibly_child", "retellings"})
#: Who may override a block: a supervisor (default), two supervisors, or nobody.
OVERRIDES = ("supervisor", "two_supervisors", "never")
#: Every earlier telling of the story: interviews, identification interviews, hearings.
RETELLING_KEYS = ("previous_interviews", "previous_identification_interviews", "previous_hearings")


class InvalidCheck(InvalidInput):
    """An action or context the engine cannot read; ``field`` names the offending entry."""


class ContextKey(loader.Strict):
    """A fact a caller may give, with its type and, for some, the values allowed."""

    type: Literal[CONTEXT_TYPES]
    description: loader.Text
    choices: list[str] | None = None


class SafeguardRule(loader.Rule):
    actions: list[str]
    severity: Literal[SEVERITIES]
    harm: loader.Text
    when: When
    #: Blocks only: who may let the action go ahead anyway, and how long the written reason must be.
    override: Literal[OVERRIDES] = "supervisor"
    min_justification: int = 20


class SafeguardsFile(loader.RuleFile):
    """``safeguards.toml``: the actions, the documented context and the Do No Harm rules."""

    child_age_under: int
    harms: list[str]
    actions: dict[str, loader.Text]
    context: dict[str, ContextKey]
    rules: list[SafeguardRule]

    @model_validator(mode="after")
    def _consistent(self) -> SafeguardsFile:
        facts = frozenset(self.context) | DERIVED_FACTS
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule {rule.id}: duplicate id")
            seen.add(rule.id)
            if rule.harm not in self.harms:
                raise ValueError(f"rule {rule.id}: unknown harm {rule.harm!r}")
            for action in rule.actions:
                if action not in self.actions:
                    raise ValueError(f"rule {rule.id}: unknown action {action!r}")
            check_facts(rule.id, rule.when, facts)
            if rule.severity == "warn" and "override" in rule.model_fields_set:
                raise ValueError(f"rule {rule.id}: only a block has an 'override'")
        return self


def load(path: Path = RULES_FILE) -> dict:
    """Read and validate a safeguards file; ``RuleDataError`` names what is wrong."""
    return loader.load(path, SafeguardsFile).model_dump(exclude_unset=True)


@lru_cache(maxsize=1)
def rules() -> dict:
    return load()


def actions() -> dict[str, str]:
    """Action name → plain description, for forms and the API schema."""
    return dict(rules()["actions"])


def context_keys() -> dict[str, dict]:
    return {k: dict(v) for k, v in rules()["context"].items()}


def list_rules() -> list[dict]:
    data = rules()
    return [
        {
            "rule_set": "safeguards",
            "rule_set_version": data["version"],
            "id": r["id"],
            "explanation": r["explanation"],
            "source": r["source"],
            "checked": r["checked"].isoformat(),
            "severity": r["severity"],
            "harm": r["harm"],
            "actions": list(r["actions"]),
            "override": r.get("override", "supervisor") if r["severity"] == "block" else None,
        }
        for r in data["rules"]
    ]


def rule_ids() -> frozenset[str]:
    return frozenset(r["id"] for r in rules()["rules"])


def read_context(context: Mapping[str, Any]) -> dict:
    """Validate a context against the documented keys; unknown keys raise ``InvalidCheck``."""
    spec = rules()["context"]
    if not isinstance(context, Mapping):
        raise InvalidCheck("context", "must be an object")
    facts: dict[str, Any] = {}
    for key, value in context.items():
        if key not in spec:
            raise InvalidCheck(f"context.{key}", "unknown context key")
        kind = spec[key]["type"]
        field = f"context.{key}"
        if value is None:
            facts[key] = None
            continue
        if kind == "int" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise InvalidCheck(field, "must be a whole number ≥ 0 or null")
        if kind == "bool" and not isinstance(value, bool):
            raise InvalidCheck(field, "must be true, false or null")
        if kind == "string" and not isinstance(value, str):
            raise InvalidCheck(field, "must be text or null")
        if kind == "list" and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise InvalidCheck(field, "must be a list of names")
        choices = spec[key].get("choices")
        if choices:
            for v in value if kind == "list" else [value]:
                if v not in choices:
                    raise InvalidCheck(
                        field, f"unknown value {v!r}; expected one of {', '.join(choices)}"
                    )
        facts[key] = value
    # A consent that is not recorded is no consent.
    if facts.get("consents") is None:
        facts["consents"] = []
    # Unknown coercion is "unknown", whether the caller said so or left it out.
    if facts.get("coercion") is None:
        facts["coercion"] = "unknown"
    age = facts.get("age")
    facts["possibly_child"] = age is None or age < rules()["child_age_under"]
    told = [facts.get(k) for k in RETELLING_KEYS]
    facts["retellings"] = None if all(t is None for t in told) else sum(t or 0 for t in told)
    language, preferred = facts.get("language"), facts.get("preferred_language")
    facts["language_matches_preferred"] = (
        None if not language or not preferred else language.lower() == preferred.lower()
    )
    return facts


def check(action: str, context: Mapping[str, Any]) -> dict:
    """Findings for one proposed action; the body of ``POST /api/v1/safeguards/check``."""
    data = rules()
    if action not in data["actions"]:
        raise InvalidCheck(
            "action", f"unknown action; expected one of {', '.join(data['actions'])}"
        )
    facts = read_context(context)
    findings = [
        _finding(r)
        for r in data["rules"]
        if action in r["actions"] and matches(r["when"], facts)
    ]
    findings.sort(key=lambda f: SEVERITIES.index(f["severity"]))
    out = {"findings": findings, "rule_set_version": data["version"]}
    if facts.get("jurisdiction"):
        out["law_here"] = law_here(action, facts["jurisdiction"], facts.get("possibly_child"))
    return out


#: Which parts of the legal position bear on each action (statement key prefixes).
LAW_TOPICS = {
    "detain": ("non_punishment", "movement"),
    "charge_with_offence": ("non_punishment",),
    "restrict_movement": ("movement",),
    "return_home": ("return", "movement"),
    "interview": ("reflection", "testimony"),
    "identify_formally": ("reflection", "referral"),
    "share_with_law_enforcement": ("non_punishment", "testimony"),
    "settle_out_of_court": ("compensation",),
    "record_settlement": ("compensation",),
    "condition_services_on_testimony": ("compensation",),
}


def law_here(action: str, jurisdiction: str, child: bool | None) -> list[dict]:
    """What the law of this jurisdiction says on the matter of ``action``, each statement
    with its basis and source; where it is not known, the statement says so."""
    topics = LAW_TOPICS.get(action, ())
    return [
        {"key": st.key, "text": st.text, "basis": st.basis, "source": st.source}
        for st in position.law_statements(jurisdiction, child=child)
        if st.key.split(".")[0] in topics
    ]


def _finding(rule: dict) -> dict:
    finding = {
        "rule": rule["id"],
        "severity": rule["severity"],
        "harm": rule["harm"],
        "explanation": rule["explanation"],
    }
    if rule["severity"] == "block":
        finding["override"] = rule.get("override", "supervisor")
        finding["min_justification"] = rule.get("min_justification", 20)
    return finding


def override_of(rule_id: str) -> tuple[str, int]:
    """Who may override the block ``rule_id`` and the shortest written reason accepted.

    A rule no longer in the file keeps the plain supervisor override.
    """
    for rule in rules()["rules"]:
        if rule["id"] == rule_id:
            return rule.get("override", "supervisor"), rule.get("min_justification", 20)
    return "supervisor", 20


def override_needed(result: dict) -> tuple[str, int]:
    """The strictest override among a result's blocks: ``never`` beats two supervisors beats one."""
    found = blocks(result)
    if not found:
        return "supervisor", 0
    strictest = max((f["override"] for f in found), key=OVERRIDES.index)
    return strictest, max(f["min_justification"] for f in found)


def blocks(result: dict) -> list[dict]:
    return [f for f in result["findings"] if f["severity"] == "block"]
