"""The matching of the shared-patterns count (issue 13), engine alone: the mentions the
count reads (every reviewed mention of the organisations that share, as
``intelligence.selectors._compute`` reads them) matched by ``engine.clusters`` as it was
(every pair of keys sharing any gram compared, copied below) and as it is now (prefix
filtering), alternated in one process, the two outputs checked equal every round.

On a database filled by ``bench/intelligence_patterns.py`` (its ``population``):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_patterns_bench \\
      NORTHSTAR_VAR_DIR=var/bench-patterns .venv/bin/python bench/intelligence_clusters.py 3

Prints the median and worst time of each, the keys per kind and the pairs each compared.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")

import django  # noqa: E402

django.setup()

from northstar.intelligence.models import Mention, Report, ReviewStatus  # noqa: E402
from northstar.intelligence.rules import engine  # noqa: E402
from northstar.intelligence.selectors import _sharing_organisations  # noqa: E402


def clusters_before(mentions):
    """``engine.clusters`` as it was before branch h-patterns (verbatim but for the count)."""
    mentions = list(mentions)
    by_key, grams = {}, {}
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

    postings = {}
    for k in keys:
        for g in grams[k]:
            postings.setdefault((k[0], g), []).append(k)
    pairs = {(a, b) for group in postings.values() for i, a in enumerate(group)
             for b in group[i + 1:]}
    clusters_before.pairs = len(pairs)
    for a, b in sorted(pairs):
        if engine.similar(set(grams[a]), set(grams[b])):
            parent[root(b)] = root(a)
    out = {}
    for k in keys:
        entity = out.setdefault(root(k), engine.Entity(kind=k[0]))
        entity.keys.add(k[1])
        entity.mentions.extend(by_key[k])
    return list(out.values())


def mentions(law_enforcement: bool = False) -> list[engine.Mention]:
    reports = Report.objects.filter(status=ReviewStatus.ACCEPTED,
                                    organisation_id__in=_sharing_organisations(law_enforcement))
    rows = Mention.objects.filter(report__in=reports).values(
        "report_id", "report__organisation_id", "kind", "key", "grams", "independent")
    return [engine.Mention(report=m["report_id"], organisation=m["report__organisation_id"],
                           kind=m["kind"], key=m["key"], grams=frozenset(m["grams"]),
                           independent=m["independent"]) for m in rows]


def main(rounds: int) -> None:
    found = mentions()
    keys: dict[str, set[str]] = {}
    for m in found:
        keys.setdefault(m.kind, set()).add(m.key)
    print(f"{len(found)} mentions; keys per kind: "
          f"{ {k: len(v) for k, v in sorted(keys.items())} }", flush=True)
    before, after = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        old = clusters_before(found)
        before.append(time.perf_counter() - start)
        start = time.perf_counter()
        new = engine.clusters(found)
        after.append(time.perf_counter() - start)
        assert new == old, "the entities differ"
        print(f"  round: before {before[-1] * 1000:.1f} ms, after {after[-1] * 1000:.1f} ms "
              f"({len(new)} entities, equal)", flush=True)
    load = os.getloadavg()[0]
    print(f"engine.clusters, {len(found)} mentions, {rounds} rounds alternated, "
          f"load average {load:.2f}; before compared {clusters_before.pairs} pairs")
    for label, runs in (("before (every pair sharing a gram)", before),
                        ("after (prefix filtering)", after)):
        print(f"  {label}: median {statistics.median(runs) * 1000:.1f} ms, "
              f"worst {max(runs) * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
