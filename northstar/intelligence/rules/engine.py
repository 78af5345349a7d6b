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

import math
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


def clusters(mentions: Iterable[Mention], *, threshold: float | None = None) -> list[Entity]:
    """Mentions grouped into entities per kind: equal keys, or keys ``similar`` (an equal
    skeleton, or trigrams at least ``matching.similarity`` alike by Jaccard), joined
    transitively. Which entities come out depends only on which keys are joined, not on
    the order they were found in: listed in the order of their smallest (kind, key), each
    one's mentions in (kind, key) order."""
    by_key: dict[tuple[str, str], list[Mention]] = {}
    grams: dict[tuple[str, str], frozenset[str]] = {}
    for m in mentions:
        by_key.setdefault((m.kind, m.key), []).append(m)
        grams[(m.kind, m.key)] = grams.get((m.kind, m.key), frozenset()) | m.grams
    keys = sorted(by_key)
    limit = rules().matching.similarity if threshold is None else threshold
    root = _Entities(keys).join_similar(keys, grams, limit).root
    out: dict[tuple[str, str], Entity] = {}
    for k in keys:
        entity = out.setdefault(root(k), Entity(kind=k[0]))
        entity.keys.add(k[1])
        entity.mentions.extend(by_key[k])
    return list(out.values())


def _min_overlap(threshold: float, size: int) -> int:
    """The fewest trigrams a set of ``size`` must share with another for their Jaccard to
    reach ``threshold``: |a∩b| ≥ t·|a∪b| ≥ t·|a|. A hair under (1e-9) so a product that
    floating point puts just above a whole number never asks for one trigram too many."""
    return max(1, math.ceil(threshold * size - 1e-9))


class _Entities:
    """Keys joined into entities (union-find, by size, with path halving)."""

    def __init__(self, keys):
        self.parent = {k: k for k in keys}
        self.size = dict.fromkeys(keys, 1)

    def root(self, k):
        parent = self.parent
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def join(self, a, b):
        """Join the entities whose roots are ``a`` and ``b``; the root of the whole."""
        if a == b:
            return a
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]
        return a

    def join_similar(self, keys, grams, threshold: float) -> _Entities:
        """Join every two keys of a kind that ``similar`` calls alike, without comparing
        every pair (prefix filtering: Bayardo, Ma & Srikant, "Scaling up all pairs
        similarity search", WWW 2007):

        - an equal skeleton joins keys whatever their trigrams: one pass over a dict;
        - Jaccard ≥ t needs |a∩b| ≥ α = ⌈t·|a|⌉, so with every set's trigrams in one order
          (rarest in the kind first), a and b share one of a's first |a| − α + 1 and one
          of b's first |b| − α + 1 trigrams (sharing none there, at most α − 1 of a's
          could be common). Only those prefixes are indexed and probed: the common grams
          (legal-form words, common syllables) sit at the end of every set and seldom pair;
        - the keys under one trigram of the index are kept by entity: an entity the key
          already belongs to is passed over whole, and of another entity only members up
          to the first alike are compared (many keys of one entity do not cost a
          comparison each).
        """
        root, join = self.root, self.join
        first_with: dict[tuple[str, str], tuple[str, str]] = {}
        for k in keys:  # equal skeletons
            for g in grams[k]:
                if g.startswith("s:"):
                    other = first_with.setdefault((k[0], g), k)
                    join(root(other), root(k))
        tri = {k: [g for g in grams[k] if not g.startswith("s:")] for k in keys}
        frequency: dict[tuple[str, str], int] = {}
        for k in keys:
            for g in tri[k]:
                frequency[(k[0], g)] = frequency.get((k[0], g), 0) + 1
        # (kind, trigram) → entity root when filed → keys filed there with that trigram
        index: dict[tuple[str, str], dict[tuple[str, str], list[tuple[str, str]]]] = {}
        sets: dict[tuple[str, str], frozenset[str]] = {}
        parent = self.parent
        for k in keys:
            own = tri[k]
            if not own:
                continue
            kind = k[0]
            own.sort(key=lambda g: (frequency[(kind, g)], g))
            mine = sets[k] = frozenset(own)
            size = len(own)
            prefix = own[:size - _min_overlap(threshold, size) + 1]
            mine_root = root(k)
            tried: set[tuple[str, str]] = set()
            for g in prefix:
                groups = index.get((kind, g))
                if not groups:
                    continue
                for filed in [r for r in groups if parent[r] != r]:  # entities since joined
                    members = groups.pop(filed)
                    top = root(filed)
                    have = groups.get(top)
                    if have is None:
                        groups[top] = members
                    elif len(have) >= len(members):
                        have.extend(members)
                    else:
                        members.extend(have)
                        groups[top] = members
                for filed, members in groups.items():
                    if root(filed) == mine_root:
                        continue
                    for other in members:
                        if other in tried:
                            continue
                        theirs = sets[other]
                        common = len(mine & theirs)
                        # The same division as ``similar``: |a∪b| = |a| + |b| − |a∩b|.
                        if common / (size + len(theirs) - common) >= threshold:
                            mine_root = join(mine_root, root(filed))
                            break
                        tried.add(other)
            for g in prefix:
                index.setdefault((kind, g), {}).setdefault(mine_root, []).append(k)
        return self


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
