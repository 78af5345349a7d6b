"""Matching the names in intelligence reports and deciding which patterns may be shared:
a pure engine (no Django), tested without a database.

- ``entity_key``: a name reduced to what identifies the business or person: the words
  normalised and transliterated (``name_tokens.normalise``: Thai, Khmer, Burmese and other
  scripts to Latin), the generic words of ``intelligence.toml`` dropped ("Co., Ltd",
  "Recruitment"), the rest run together and reduced by the name-search phonetic rules.
  "Golden Star Recruitment", "Golden Star Recruitment Co., Ltd" and "Goldenstar" all
  become ``goldenstar``.
- ``clusters``: keys that are equal, or share enough character trigrams, are one entity.
  Keys arrive as opaque strings (the caller stores keyed digests of them), so the engine
  never needs a name in the clear.
- ``shared_entities`` / ``shared_routes``: which clusters and routes are corroborated by
  enough independent, reviewed reports to leave the organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from northstar.rules.loader import RuleFile, Sourced, Text
from northstar.rules.loader import load as load_file
from northstar.survivors import name_tokens as nt

RULES_FILE = Path(__file__).parent / "intelligence.toml"
REGION_FILE = Path(__file__).parent / "region.toml"


class Matching(Sourced):
    generic_words: list[Text]
    similarity: float
    explanation: Text


class Sharing(Sourced):
    min_reports: int
    min_route_reports: int
    explanation: Text


class LawEnforcement(Sourced):
    min_reports: int
    min_organisations: int
    explanation: Text


class RateLimit(Sourced):
    per_device_per_day: int
    per_address_per_day: int
    explanation: Text


class IntelligenceRules(RuleFile):
    matching: Matching
    sharing: Sharing
    law_enforcement: LawEnforcement
    rate_limit: RateLimit


class Region(RuleFile):
    countries: dict[str, list[int]]


@lru_cache(maxsize=1)
def rules() -> IntelligenceRules:
    return load_file(RULES_FILE, IntelligenceRules)


@lru_cache(maxsize=1)
def region() -> dict[str, tuple[int, int]]:
    """Country code → (column, row) on the schematic map."""
    return {code: (xy[0], xy[1]) for code, xy in load_file(REGION_FILE, Region).countries.items()}


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(w.lower() for w in rules().matching.generic_words)


def entity_key(name: str) -> str:
    """What identifies a named agency, employer or recruiter, or "" for a name of nothing."""
    words = nt.words(name)
    core = [w for w in words if w not in _generic()] or words
    return "".join(nt.phonetic(w) for w in core)


#: A consonant skeleton shorter than this says too little to match on its own.
MIN_SKELETON = 4


def trigrams(key: str) -> set[str]:
    """What a key is compared by: its character trigrams (``t:``) and its consonant
    skeleton (``s:``), so a vowel written differently ("Goldan", "Golden"; a common
    difference between romanisations) still meets."""
    out = {f"t:{g}" for g in nt.trigrams(key)}
    skeleton = "".join(c for c in key if c not in "aeiouy")
    if len(skeleton) >= MIN_SKELETON:
        out.add(f"s:{skeleton}")
    return out


def similar(a: set[str], b: set[str], threshold: float | None = None) -> bool:
    """Equal skeletons, or enough shared trigrams (the caller may pass digests of both, as
    long as a skeleton's digest is told apart: its text starts with ``s:``)."""
    if not a or not b:
        return False
    if any(x.startswith("s:") for x in a & b):
        return True
    a_t = {x for x in a if not x.startswith("s:")}
    b_t = {x for x in b if not x.startswith("s:")}
    if not a_t or not b_t:
        return False
    limit = rules().matching.similarity if threshold is None else threshold
    return len(a_t & b_t) / len(a_t | b_t) >= limit


@dataclass(frozen=True)
class Mention:
    """One naming of an entity in one report, as the engine sees it (no name)."""

    report: int
    organisation: int
    kind: str
    key: str                     # an opaque digest of ``entity_key``
    grams: frozenset[str] = frozenset()  # opaque digests of its trigrams
    independent: bool = True


@dataclass
class Entity:
    kind: str
    keys: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def reports(self) -> set[int]:
        """Reports that name it independently (another naming from the same source the same
        day does not add a report)."""
        return {m.report for m in self.mentions if m.independent}

    @property
    def organisations(self) -> set[int]:
        return {m.organisation for m in self.mentions if m.independent}


def clusters(mentions: Iterable[Mention]) -> list[Entity]:
    """Mentions grouped into entities per kind: equal keys, or keys similar by trigrams."""
    mentions = list(mentions)
    by_key: dict[tuple[str, str], list[Mention]] = {}
    grams: dict[tuple[str, str], frozenset[str]] = {}
    for m in mentions:
        by_key.setdefault((m.kind, m.key), []).append(m)
        grams[(m.kind, m.key)] = grams.get((m.kind, m.key), frozenset()) | m.grams
    keys = sorted(by_key)
    parent = {k: k for k in keys}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # Only keys that share a trigram or a skeleton can be similar: compare those pairs, not
    # every pair (an inverted index from each gram to the keys that have it).
    postings: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for k in keys:
        for g in grams[k]:
            postings.setdefault((k[0], g), []).append(k)
    pairs = {(a, b) for group in postings.values() for i, a in enumerate(group)
             for b in group[i + 1:]}
    for a, b in sorted(pairs):
        if similar(set(grams[a]), set(grams[b])):
            parent[root(b)] = root(a)
    out: dict[tuple[str, str], Entity] = {}
    for k in keys:
        entity = out.setdefault(root(k), Entity(kind=k[0]))
        entity.keys.add(k[1])
        entity.mentions.extend(by_key[k])
    return list(out.values())


def shared_entities(mentions: Iterable[Mention], *, law_enforcement: bool = False) -> list[Entity]:
    """Entities named in enough independent reviewed reports to be shared (the caller passes
    only mentions of reviewed reports of organisations that share)."""
    r = rules()
    need = r.law_enforcement.min_reports if law_enforcement else r.sharing.min_reports
    orgs = r.law_enforcement.min_organisations if law_enforcement else 1
    found = [e for e in clusters(mentions)
             if len(e.reports) >= need and len(e.organisations) >= orgs]
    return sorted(found, key=lambda e: (-len(e.reports), e.kind, min(e.keys)))


def shared_routes(routes: Iterable[tuple[str, str, str, int]], *,
                  minimum: int | None = None) -> dict[tuple[str, str, str], int]:
    """(period, from, to) → number of reports, only where at least ``min_route_reports``
    reports (``routes``: (period, from, to, report id)) used it in that period."""
    need = rules().sharing.min_route_reports if minimum is None else minimum
    seen: dict[tuple[str, str, str], set[int]] = {}
    for period, origin, destination, report in routes:
        if origin and destination:
            seen.setdefault((period, origin, destination), set()).add(report)
    return {k: len(v) for k, v in sorted(seen.items()) if len(v) >= need}


def load() -> IntelligenceRules:
    """Read the files as they are on disk now (``manage.py rules`` validates them)."""
    load_file(REGION_FILE, Region)
    return load_file(RULES_FILE, IntelligenceRules)


def list_rules() -> list[dict]:
    r = rules()
    rows = []
    for name in ("matching", "sharing", "law_enforcement", "rate_limit"):
        entry = getattr(r, name)
        values = {k: v for k, v in entry.model_dump().items()
                  if k not in ("source", "checked", "explanation")}
        shown = ", ".join(f"{k}={v if not isinstance(v, list) else len(v)}"
                          for k, v in values.items())
        rows.append({"rule_set": "intelligence", "rule_set_version": str(r.version),
                     "id": name, "explanation": f"{shown}: {entry.explanation}",
                     "source": entry.source, "checked": entry.checked.isoformat()})
    return rows
