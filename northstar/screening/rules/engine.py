"""Screening: where on the spectrum of exploitation a situation sits.

Pure Python; the rules, word lists and explanations live in
``screening.toml`` beside this module. ``assess`` returns exactly the body of
``POST /api/v1/screening/assess``. Missing answers are *unknown*, never false:
the result lists them, and says identification must not be forced.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import model_validator

from northstar.rules import loader
from northstar.rules.errors import InvalidInput

RULES_FILE = Path(__file__).with_name("screening.toml")

KINDS = (
    "palermo",
    "palermo_child",
    "palermo_child_age_unknown",
    "act_purpose_without_means",
    "ilo_forced_labour",
    "indicators_together",
    "migration_fact",
    "purpose",
    "indicator",
    "indicator_hint",
    "nothing_fired",
    "unknowns",
)
ANSWER_KEYS = (
    "age", "act", "means", "purpose", "indicators", "involuntary", "menace_of_penalty", "migration"
)
UNKNOWN = "unknown"
#: Migration facts (issue 11 §7), each "yes" | "no" | "unknown"; absent = unknown.
MIGRATION_KEYS = ("entry", "visa_tied_to_employer", "documents_held_by_employer", "recruitment_debt")
MIGRATION_VALUES = {
    "entry": ("regular", "irregular", UNKNOWN),
    "visa_tied_to_employer": ("yes", "no", UNKNOWN),
    "documents_held_by_employer": ("yes", "no", UNKNOWN),
    "recruitment_debt": ("yes", "no", UNKNOWN),
}
#: A migration fact that is itself an ILO indicator when the indicator is not answered.
MIGRATION_INDICATORS = {"documents_held_by_employer": "retention_of_identity_documents"}


class InvalidAnswers(InvalidInput):
    """Answers the engine cannot read; ``field`` names the offending answer."""


class ScreeningRule(loader.Rule):
    kind: Literal[KINDS]
    classification: loader.Text
    purposes: list[str] | None = None
    indicators: list[str] | None = None
    #: For ``indicator`` rules: how many of ``indicators`` must be present (one alone is not
    #: a finding, ILO 2012: "in other cases several indicators together are needed").
    min_indicators: int = 1
    #: For ``migration_fact`` rules: the facts (all must hold) that make the rule fire.
    migration: dict[str, str] | None = None
    #: A flag a caseworker cannot miss, shown above the classification (key of ``flags``).
    flag: str | None = None


class ScreeningFile(loader.RuleFile):
    """``screening.toml``: the spectrum's classes, the word lists and the rules."""

    classes: list[str]
    child_age_under: int
    acts: list[str]
    means: list[str]
    purposes: list[str]
    indicators: list[str]
    flags: dict[str, loader.Text]
    rules: list[ScreeningRule]

    @model_validator(mode="after")
    def _consistent(self) -> ScreeningFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule {rule.id}: duplicate id")
            seen.add(rule.id)
            if rule.classification not in self.classes:
                raise ValueError(
                    f"rule {rule.id}: unknown classification {rule.classification!r}"
                )
            for name in rule.indicators or ():
                if name not in self.indicators:
                    raise ValueError(f"rule {rule.id}: unknown indicator {name!r}")
            for name in rule.purposes or ():
                if name not in self.purposes:
                    raise ValueError(f"rule {rule.id}: unknown purpose {name!r}")
            if rule.flag is not None and rule.flag not in self.flags:
                raise ValueError(f"rule {rule.id}: unknown flag {rule.flag!r}")
            for key, value in (rule.migration or {}).items():
                if value not in MIGRATION_VALUES.get(key, ()):
                    raise ValueError(f"rule {rule.id}: unknown migration fact {key}={value!r}")
        return self


def load(path: Path = RULES_FILE) -> dict:
    """Read and validate a screening rule file; ``RuleDataError`` names what is wrong."""
    return loader.load(path, ScreeningFile).model_dump(exclude_unset=True)


@lru_cache(maxsize=1)
def rules() -> dict:
    return load()


def list_rules() -> list[dict]:
    """Every rule with its source and date, for ``manage.py rules`` and the docs."""
    data = rules()
    return [
        {
            "rule_set": "screening",
            "rule_set_version": data["version"],
            "id": r["id"],
            "explanation": r["explanation"],
            "source": r["source"],
            "checked": r["checked"].isoformat(),
        }
        for r in data["rules"]
    ]


def is_lower(classification: str, than: str) -> bool:
    """Whether ``classification`` sits lower on the spectrum (the order of ``classes``) than ``than``."""
    order = rules()["classes"]
    if classification not in order or than not in order:
        return False
    return order.index(classification) < order.index(than)


def rule_ids() -> frozenset[str]:
    return frozenset(r["id"] for r in rules()["rules"])


def _tri(answers: Mapping, key: str) -> bool | None:
    value = answers.get(key)
    if value is None or value == UNKNOWN:
        return None
    if isinstance(value, bool):
        return value
    raise InvalidAnswers(key, 'must be true, false or "unknown"')


def _listed(answers: Mapping, key: str, allowed: list[str]) -> list[str] | None:
    value = answers.get(key)
    if value is None or value == UNKNOWN:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidAnswers(key, "must be a list of names")
    for v in value:
        if v not in allowed:
            raise InvalidAnswers(key, f"unknown value {v!r}; expected one of {', '.join(allowed)}")
    return list(dict.fromkeys(value))


def read_answers(answers: Mapping[str, Any]) -> dict:
    """Validate and normalise answers: unknown keys or values raise ``InvalidAnswers``."""
    data = rules()
    if not isinstance(answers, Mapping):
        raise InvalidAnswers("answers", "must be an object")
    extra = set(answers) - set(ANSWER_KEYS)
    if extra:
        key = sorted(extra)[0]
        raise InvalidAnswers(key, "unknown answer")
    age = answers.get("age")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130
    ):
        raise InvalidAnswers("age", "must be a whole number of years between 0 and 130")
    raw_indicators = answers.get("indicators") or {}
    if not isinstance(raw_indicators, Mapping):
        raise InvalidAnswers("indicators", 'must be an object of indicator: true/false/"unknown"')
    indicators: dict[str, bool | None] = {}
    for name in raw_indicators:
        if name not in data["indicators"]:
            raise InvalidAnswers(f"indicators.{name}", "unknown ILO indicator")
        try:
            indicators[name] = _tri(raw_indicators, name)
        except InvalidAnswers as err:
            raise InvalidAnswers(f"indicators.{name}", err.message) from None
    migration = read_migration(answers.get("migration"))
    for fact, indicator in MIGRATION_INDICATORS.items():
        if migration[fact] == "yes" and indicators.get(indicator) is None:
            indicators[indicator] = True
    return {
        "age": age,
        "act": _listed(answers, "act", data["acts"]),
        "means": _listed(answers, "means", data["means"]),
        "purpose": _listed(answers, "purpose", data["purposes"]),
        "indicators": indicators,
        "involuntary": _tri(answers, "involuntary"),
        "menace_of_penalty": _tri(answers, "menace_of_penalty"),
        "migration": migration,
    }


def read_migration(raw: Any) -> dict[str, str]:
    """Migration facts with unknown as the default; a bad key or value raises ``InvalidAnswers``."""
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise InvalidAnswers("migration", "must be an object of fact: value")
    for key, value in raw.items():
        if key not in MIGRATION_KEYS:
            raise InvalidAnswers(f"migration.{key}", "unknown migration fact")
        if value is not None and value not in MIGRATION_VALUES[key]:
            raise InvalidAnswers(
                f"migration.{key}", f"must be one of {', '.join(MIGRATION_VALUES[key])}"
            )
    return {key: raw.get(key) or UNKNOWN for key in MIGRATION_KEYS}


def _fires(rule: dict, a: dict, child_age_under: int) -> list[str] | None:
    """The answers that make ``rule`` fire, or None when it does not."""
    kind = rule["kind"]
    if kind == "palermo":
        if a["act"] and a["means"] and a["purpose"]:
            return [
                f"act: {', '.join(a['act'])}",
                f"means: {', '.join(a['means'])}",
                f"purpose: {', '.join(a['purpose'])}",
            ]
        return None
    if kind == "palermo_child":
        if a["age"] is not None and a["age"] < child_age_under and a["act"] and a["purpose"]:
            return [
                f"age: {a['age']}",
                f"act: {', '.join(a['act'])}",
                f"purpose: {', '.join(a['purpose'])}",
            ]
        return None
    if kind == "palermo_child_age_unknown":
        if a["age"] is None and a["act"] and a["purpose"] and not a["means"]:
            return [
                "age: unknown",
                f"act: {', '.join(a['act'])}",
                f"purpose: {', '.join(a['purpose'])}",
            ]
        return None
    if kind == "act_purpose_without_means":
        # An adult (or a child: palermo_child decides) with act and purpose but no means
        # recorded yet: a purpose of exploitation is itself an indication.
        if a["age"] is not None and a["act"] and a["purpose"] and not a["means"]:
            means = "unknown" if a["means"] is None else "none reported yet"
            return [
                f"act: {', '.join(a['act'])}",
                f"means: {means}",
                f"purpose: {', '.join(a['purpose'])}",
            ]
        return None
    if kind == "indicators_together":
        if all(a["indicators"].get(n) is True for n in rule["indicators"]):
            return [f"indicators.{n}: true" for n in rule["indicators"]]
        return None
    if kind == "migration_fact":
        wanted = rule.get("migration") or {}
        if wanted and all(a["migration"][k] == v for k, v in wanted.items()):
            return [f"migration.{k}: {v}" for k, v in wanted.items()]
        return None
    if kind == "ilo_forced_labour":
        if a["involuntary"] is True and a["menace_of_penalty"] is True:
            return ["involuntary: true", "menace_of_penalty: true"]
        return None
    if kind == "purpose":
        hit = [p for p in (a["purpose"] or []) if p in rule["purposes"]]
        return [f"purpose: {', '.join(hit)}"] if hit else None
    if kind in ("indicator", "indicator_hint"):
        hit = [n for n in rule["indicators"] if a["indicators"].get(n) is True]
        if len(hit) < rule.get("min_indicators", 1):
            return None
        return [f"indicators.{n}: true" for n in hit] or None
    return None  # nothing_fired / unknowns are decided after the others


def unknown_answers(a: dict, data: dict) -> list[str]:
    """Names of the answers still unknown, in the order a caseworker would ask them."""
    out = []
    for key in ("age", "act", "means", "purpose", "involuntary", "menace_of_penalty"):
        if a[key] is None:
            out.append(key)
    out.extend(f"indicators.{n}" for n in data["indicators"] if a["indicators"].get(n) is None)
    return out


def assess(answers: Mapping[str, Any]) -> dict:
    """Classify a situation; the body of ``POST /api/v1/screening/assess``."""
    data = rules()
    a = read_answers(answers)
    order = data["classes"]
    fired: list[tuple[dict, list[str]]] = []
    for rule in data["rules"]:
        triggered = _fires(rule, a, data["child_age_under"])
        if triggered is not None:
            fired.append((rule, triggered))
    unknown = unknown_answers(a, data)
    if not fired:
        fired += [(r, []) for r in data["rules"] if r["kind"] == "nothing_fired"]
    if unknown:
        fired += [(r, unknown[:]) for r in data["rules"] if r["kind"] == "unknowns"]
    classification = max((r["classification"] for r, _ in fired), key=order.index, default=order[0])
    fired.sort(key=lambda item: -order.index(item[0]["classification"]))
    flags = list(dict.fromkeys(r["flag"] for r, _ in fired if r.get("flag")))
    return {
        "classification": classification,
        "flags": [{"flag": f, "text": data["flags"][f]} for f in flags],
        "reasons": [
            {"rule": r["id"], "explanation": r["explanation"], "answers": t} for r, t in fired
        ],
        "unknown": unknown,
        "rule_set_version": data["version"],
    }
