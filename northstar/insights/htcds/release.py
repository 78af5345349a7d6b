"""A k-anonymous release of an HTCDS case-level file: generalise, then suppress.

Pure Python (no Django, no pandas): plain lists, dicts and ``Counter``. The rules —
the quasi-identifiers, each one's generalisation hierarchy, k and the most that may be
suppressed — are data (``rules/release.toml``, every entry with ``source`` and ``checked``).

The algorithm is a full-domain generalisation over the lattice of hierarchy levels
(Samarati 2001; the search space of ARX's Flash and of Incognito), searched whole
with exact pruning, since the lattice is small (3 levels × 6 quasi-identifiers = 729 nodes):

1. Each record's quasi-identifiers are read at level 0 (an age is already a band) and
   counted: one ``Counter`` of distinct combinations, one pass over the records.
2. Every node of the lattice (a level per quasi-identifier) gets its class sizes by
   rolling up the counts of the node one step below it that has the fewest classes
   (never the records again), so the work is on the distinct combinations, which shrink
   as levels rise.
3. At a node, records in classes of fewer than k are suppressed (withheld from the
   release whole). Among the nodes that suppress at most ``max_suppression`` of the
   records, the release takes the one with the least information loss:

       loss = (Σ over released records of mean_q(level_q / top_q) + suppressed) / records

   — Sweeney's precision metric with a suppressed record counted as fully generalised,
   so generalising everything and suppressing everything both cost 1, and keeping the
   finest levels at the price of a few suppressed records can cost less than either.
   Ties go to fewer suppressed records, then to the lower node. A node's loss is at least
   its generalisation share, which only grows up the lattice: once a node's share exceeds
   the best loss found, neither it nor any node above it is evaluated (exact pruning).
4. The released rows carry the generalised quasi-identifiers and the ``carry`` columns;
   the report (``Release.report``) says the k, the counts, the share suppressed, the
   level chosen for each quasi-identifier and the loss. Every class of the released rows
   has at least k records (checked before returning; ``ReleaseError`` otherwise).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import Field as PydanticField

from northstar.rules.errors import RuleDataError
from northstar.rules.loader import RuleFile, Sourced, Strict, Text, load

RULES_FILE = Path(__file__).parent / "rules" / "release.toml"
UNKNOWN = "Unknown"
TOP = "*"
MULTI_SEPARATOR = ";"


class ReleaseError(ValueError):
    """A file that cannot be released (a quasi-identifier column missing, or a release
    that would break k-anonymity)."""


class LevelSpec(Strict):
    name: Text
    groups: dict[str, list[str]] = PydanticField(default_factory=dict)
    other: str = ""
    periods: int = 0


class QuasiIdentifier(Sourced):
    id: Text
    column: Text
    output: Text
    explanation: Text
    multi: bool = False
    mixed: str = ""
    ranges: dict[str, list[int]] = PydanticField(default_factory=dict)
    levels: list[LevelSpec]


class ReleaseSettings(Sourced):
    k: int
    max_suppression: float
    explanation: Text


class Carry(Sourced):
    columns: list[str]


class ReleaseFile(RuleFile):
    release: ReleaseSettings
    carry: Carry
    quasi_identifier: list[QuasiIdentifier]


@dataclass
class Hierarchy:
    """One quasi-identifier's generalisation: level 0 from the raw cell, then step by step."""

    qi: QuasiIdentifier
    _base: dict[str, str] = field(default_factory=dict)
    _up: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self):
        self._up = [{} for _ in self.qi.levels]
        self._members = [{m: label for label, members in spec.groups.items() for m in members}
                         for spec in self.qi.levels]

    @property
    def top(self) -> int:
        return len(self.qi.levels) - 1

    def base(self, raw: str) -> str:
        got = self._base.get(raw)
        if got is None:
            got = self._base[raw] = self._compute_base(raw)
        return got

    def _compute_base(self, raw: str) -> str:
        text = (raw or "").strip()
        if not text:
            return UNKNOWN
        if self.qi.ranges:
            try:
                number = float(text)
            except ValueError:
                return UNKNOWN
            for label, (low, high) in self.qi.ranges.items():
                if low <= number <= high:
                    return label
            return UNKNOWN
        if self.qi.multi:
            return MULTI_SEPARATOR.join(sorted(set(text.split(MULTI_SEPARATOR))))
        return text

    def up(self, level: int, value: str) -> str:
        """The value at ``level`` of a value at ``level - 1``."""
        cache = self._up[level]
        got = cache.get(value)
        if got is None:
            got = cache[value] = self._compute_up(level, value)
        return got

    def _compute_up(self, level: int, value: str) -> str:
        spec = self.qi.levels[level]
        if level == self.top and not spec.groups and not spec.periods:
            return spec.other or TOP
        if value == UNKNOWN or (self.qi.mixed and value == self.qi.mixed):
            return value
        if spec.periods:
            try:
                year = int(value)
            except ValueError:
                return UNKNOWN
            start = year - year % spec.periods
            return f"{start}–{start + spec.periods - 1}"
        members = self._members[level]
        parts = value.split(MULTI_SEPARATOR) if self.qi.multi else [value]
        labels = {members.get(p, spec.other or p) for p in parts}
        if len(labels) == 1:
            return labels.pop()
        return self.qi.mixed or spec.other or TOP

    def at(self, level: int, base_value: str) -> str:
        value = base_value
        for step in range(1, level + 1):
            value = self.up(step, value)
        return value


@dataclass(frozen=True)
class Rules:
    k: int
    max_suppression: float
    carry: tuple[str, ...]
    quasi_identifiers: tuple[QuasiIdentifier, ...]
    version: str


def _check(data: ReleaseFile) -> Rules:
    name = RULES_FILE.name
    if data.release.k < 2:
        raise RuleDataError(f"{name}: release.k must be at least 2")
    if not 0 <= data.release.max_suppression <= 1:
        raise RuleDataError(f"{name}: release.max_suppression must be a share from 0 to 1")
    for qi in data.quasi_identifier:
        if len(qi.levels) < 2:
            raise RuleDataError(f"{name}: rule {qi.id}: needs at least two levels")
        top = qi.levels[-1]
        if top.groups or top.periods or (top.other or TOP) != TOP:
            raise RuleDataError(f"{name}: rule {qi.id}: the last level must be '*'")
        for low_high in qi.ranges.values():
            if len(low_high) != 2 or low_high[0] > low_high[1]:
                raise RuleDataError(f"{name}: rule {qi.id}: each range is [low, high]")
    return Rules(k=data.release.k, max_suppression=data.release.max_suppression,
                 carry=tuple(data.carry.columns), quasi_identifiers=tuple(data.quasi_identifier),
                 version=data.version)


@lru_cache(maxsize=1)
def rules(path: Path = RULES_FILE) -> Rules:
    return _check(load(path, ReleaseFile))


@dataclass
class Release:
    header: list[str]
    rows: list[list[str]]
    report: dict


def _roll(counts: dict[int, int], place: int, radix: int, delta: dict[int, int]) -> dict:
    """Class sizes one level up in one quasi-identifier: each class key (an integer, one
    digit per quasi-identifier) gets that digit replaced; merged classes add up."""
    out: dict[int, int] = defaultdict(int)
    for key, n in counts.items():
        out[key + delta[key // place % radix]] += n
    return out


@dataclass
class _Codes:
    """Every value a quasi-identifier takes at any level, numbered: a class is one integer
    (the digits of its values, in mixed radix), cheaper to hash and to roll up than a tuple."""

    values: list[str] = field(default_factory=list)
    code: dict[str, int] = field(default_factory=dict)

    def of(self, value: str) -> int:
        got = self.code.get(value)
        if got is None:
            got = self.code[value] = len(self.values)
            self.values.append(value)
        return got


def anonymise(header: Sequence[str], rows: Sequence[Sequence[str]], *, k: int | None = None,
              max_suppression: float | None = None, settings: Rules | None = None) -> Release:
    """The k-anonymous release of ``rows`` (lists aligned with ``header``)."""
    settings = settings or rules()
    k = settings.k if k is None else k
    limit = settings.max_suppression if max_suppression is None else max_suppression
    if k < 2:
        raise ReleaseError("k must be at least 2")
    header = list(header)
    missing = [qi.column for qi in settings.quasi_identifiers if qi.column not in header]
    if missing:
        raise ReleaseError(f"the file lacks the quasi-identifier column(s) {', '.join(missing)}")
    hierarchies = [Hierarchy(qi) for qi in settings.quasi_identifiers]
    where = [header.index(qi.column) for qi in settings.quasi_identifiers]
    tops = [h.top for h in hierarchies]
    n_records = len(rows)

    # 1. Level-0 values; every level's values numbered; one Counter of class keys.
    codes = [_Codes() for _ in hierarchies]
    at_level: list[list[set[int]]] = []  # per quasi-identifier, per level: the digits taken
    for h, c, i in zip(hierarchies, codes, where, strict=True):
        at_level.append([set() for _ in range(h.top + 1)])
        for raw in {r[i] for r in rows}:
            value = h.base(raw)
            at_level[-1][0].add(c.of(value))
            for level in range(1, h.top + 1):
                value = h.up(level, value)
                at_level[-1][level].add(c.of(value))
    radices = [len(c.values) for c in codes]
    places = [1]
    for radix in radices[:-1]:
        places.append(places[-1] * radix)
    raw_key = []  # per quasi-identifier: raw cell → its level-0 digit, in place
    for h, c, place in zip(hierarchies, codes, places, strict=True):
        raw_key.append({raw: c.code[base] * place for raw, base in h._base.items()})
    bottom = (0,) * len(hierarchies)
    counts: dict[tuple, dict] = {bottom: Counter(
        map(sum, zip(*[[m[r[i]] for r in rows] for m, i in zip(raw_key, where, strict=True)],
                     strict=True)))}

    # 2.–3. Every node, by height, each rolled up from one node a step below.
    nodes = sorted(itertools.product(*[range(t + 1) for t in tops]), key=lambda n: (sum(n), n))
    best, best_node = None, None
    evaluated = within = 0
    height = 0
    pruned = 0
    for node in nodes:
        generalised = sum(level / top for level, top in zip(node, tops, strict=True)) / len(tops)
        if best is not None and generalised > best[0] + 1e-12:
            # Its loss is at least its generalisation share, and so is every node above it:
            # none of them can win, and none needs its counts.
            pruned += 1
            continue
        if sum(node) > height:  # drop the counts two heights down: no longer needed
            height = sum(node)
            for old in [n for n in counts if sum(n) < height - 1 and n != best_node]:
                del counts[old]
        if node != bottom:
            # Of the nodes one step below, roll up the one with the fewest classes.
            q, below = min(((i, node[:i] + (node[i] - 1,) + node[i + 1:])
                            for i, level in enumerate(node) if level > 0),
                           key=lambda pair: len(counts[pair[1]]))
            h, c, place = hierarchies[q], codes[q], places[q]
            delta = {code: (c.code[h.up(node[q], c.values[code])] - code) * place
                     for code in at_level[q][node[q] - 1]}
            counts[node] = _roll(counts[below], place, radices[q], delta)
        evaluated += 1
        suppressed = sum(filter(k.__gt__, counts[node].values()))  # in classes under k
        if n_records and suppressed / n_records > limit:
            continue
        within += 1
        loss = ((n_records - suppressed) * generalised + suppressed) / n_records if n_records else 0
        candidate = (round(loss, 12), suppressed, sum(node), node)
        if best is None or candidate < best:
            best, best_node = candidate, node
    if best is None:  # nothing within the limit: everything generalised ("*" for all)
        node = tuple(tops)
        suppressed = sum(n for n in counts[node].values() if n < k)
        best = (1.0, suppressed, sum(node), node)
    loss, suppressed, _height, node = best
    classes = counts[node]

    # 4. The released rows.
    final = []  # per quasi-identifier: raw cell → (released value, its digit in place)
    for h, c, place, level in zip(hierarchies, codes, places, node, strict=True):
        final.append({raw: (h.at(level, base), c.code[h.at(level, base)] * place)
                      for raw, base in h._base.items()})
    carry = [c for c in settings.carry if c in header]
    carry_at = [header.index(c) for c in carry]
    out_rows: list[list[str]] = []
    released_classes: Counter = Counter()
    for r in rows:
        cells = [f[r[i]] for f, i in zip(final, where, strict=True)]
        key = sum(digit for _value, digit in cells)
        if classes[key] < k:
            continue
        released_classes[key] += 1
        out_rows.append([*(value for value, _digit in cells), *(r[i] for i in carry_at)])
    if released_classes and min(released_classes.values()) < k:
        raise ReleaseError("internal: a released class is smaller than k")  # pragma: no cover
    report = {
        "k": k,
        "records": n_records,
        "released": len(out_rows),
        "suppressed": n_records - len(out_rows),
        "suppressed_share": round((n_records - len(out_rows)) / n_records, 6) if n_records else 0,
        "max_suppression": limit,
        "information_loss": round(loss, 6),
        "loss_metric": "precision with suppression: mean over records of mean_q(level/top), "
                       "a suppressed record counting 1",
        "levels": {h.qi.id: {"column": h.qi.column, "output": h.qi.output, "level": level,
                             "of": h.top, "name": h.qi.levels[level].name}
                   for h, level in zip(hierarchies, node, strict=True)},
        "classes": len(released_classes),
        "smallest_class": min(released_classes.values()) if released_classes else 0,
        "nodes_evaluated": evaluated,
        "nodes_pruned": pruned,
        "nodes_within_limit": within,
        "rules_version": settings.version,
    }
    return Release([*(qi.output for qi in settings.quasi_identifiers), *carry], out_rows, report)
