"""A k-anonymous release of an HTCDS case-level file: generalise, then suppress.

Pure Python (no Django, no pandas): plain lists, dicts and ``Counter``. The rules —
the quasi-identifiers, each one's generalisation hierarchy, k and the most that may be
suppressed — are data (``rules/release.toml``, every entry with ``source`` and ``checked``).

The algorithm is a full-domain generalisation over the lattice of hierarchy levels
(Samarati 2001; the search space of ARX's Flash and of Incognito), evaluated exhaustively
since the lattice is small (3 levels × 6 quasi-identifiers = 729 nodes):

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
   Ties go to fewer suppressed records, then to the lower node.
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


def _roll(counts: dict, q: int, step: dict) -> dict:
    out: dict = defaultdict(int)
    for key, n in counts.items():
        out[key[:q] + (step[key[q]],) + key[q + 1:]] += n
    return out


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

    # 1. Level-0 values, one pass per quasi-identifier, then one Counter.
    columns = []
    for h, i in zip(hierarchies, where, strict=True):
        for raw in {r[i] for r in rows}:
            h.base(raw)
        base = h._base
        columns.append([base[r[i]] for r in rows])
    bottom = (0,) * len(hierarchies)
    counts: dict[tuple, dict] = {bottom: Counter(zip(*columns, strict=True))}
    del columns

    # 2.–3. Every node, by height, each rolled up from one node a step below.
    nodes = sorted(itertools.product(*[range(t + 1) for t in tops]), key=lambda n: (sum(n), n))
    best = None
    evaluated = within = 0
    height = 0
    for node in nodes:
        if sum(node) > height:  # drop the counts two heights down: no longer needed
            height = sum(node)
            for old in [n for n in counts if sum(n) < height - 1]:
                del counts[old]
        if node != bottom:
            # Of the nodes one step below, roll up the one with the fewest classes.
            q, below = min(((i, node[:i] + (node[i] - 1,) + node[i + 1:])
                            for i, level in enumerate(node) if level > 0),
                           key=lambda pair: len(counts[pair[1]]))
            h = hierarchies[q]
            step = {v: h.up(node[q], v) for v in {key[q] for key in counts[below]}}
            counts[node] = _roll(counts[below], q, step)
        evaluated += 1
        suppressed = sum(n for n in counts[node].values() if n < k)
        if n_records and suppressed / n_records > limit:
            continue
        within += 1
        generalised = sum(level / top for level, top in zip(node, tops, strict=True)) / len(tops)
        loss = ((n_records - suppressed) * generalised + suppressed) / n_records if n_records else 0
        candidate = (round(loss, 12), suppressed, sum(node), node)
        if best is None or candidate < best:
            best, classes = candidate, counts[node]
    if best is None:  # nothing within the limit: everything generalised ("*" for all)
        node = tuple(tops)
        classes = counts[node]
        suppressed = sum(n for n in classes.values() if n < k)
        best = (1.0, suppressed, sum(node), node)
    loss, suppressed, _height, node = best

    # 4. The released rows.
    final = [{v: h.at(level, v) for v in h._base.values()}
             for h, level in zip(hierarchies, node, strict=True)]
    carry = [c for c in settings.carry if c in header]
    carry_at = [header.index(c) for c in carry]
    out_rows: list[list[str]] = []
    released_classes: Counter = Counter()
    for r in rows:
        key = tuple(f[h._base[r[i]]] for f, h, i in zip(final, hierarchies, where, strict=True))
        if classes[key] < k:
            continue
        released_classes[key] += 1
        out_rows.append([*key, *(r[i] for i in carry_at)])
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
        "nodes_within_limit": within,
        "rules_version": settings.version,
    }
    return Release([*(qi.output for qi in settings.quasi_identifiers), *carry], out_rows, report)
