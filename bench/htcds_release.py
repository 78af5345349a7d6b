"""The k = 11 HTCDS release at scale, against ARX's published figure (issue 15 §4).

    .venv/bin/python bench/htcds_release.py [--records 1000000] [--k 11] [--seed 15]

Generates N synthetic case records in memory (no database: the release is pure Python,
``northstar/insights/htcds/release.py``) with a realistic skew — a few citizenships and
countries of exploitation carry most cases and a long tail carries the rest (Zipf-like, as
in CTDC's global dataset) and most of a country's cases going along one to three corridors
to the same countries of exploitation, more women than men, sexual and labour exploitation most
often, ages around the late twenties, some unknown — then times, in the same run:

- the baseline: one plain ``Counter`` pass over the same records' six quasi-identifiers
  (the least any release must do: count the classes once);
- the release: level-0 values, the lattice of 729 generalisations, suppression, the
  released rows and the report.

It prints both times, their ratio, the share suppressed and the information loss, beside
the ARX figure issue 15 quotes for a k = 11 release of 1.19 M records (about 64 s, 4–15 %
suppressed; its primary source, the ARX project's performance figures, not re-checked here,
and measured on another machine with other data and hierarchies). Times depend on
the machine; the ratio to the baseline is the figure to compare between runs. Nothing
here is a test: ``tests/insights/test_htcds_release.py`` checks behaviour.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from northstar.insights.htcds import release  # noqa: E402  (after the path is set)

ARX_SECONDS, ARX_RECORDS, ARX_SUPPRESSED = 64.0, 1_190_000, (0.04, 0.15)

HEADER = ["vic_AgeWhenTrafficked", "prs_Gender", "prs_Citizenship", "vic_LocationOfExploitation",
          "vic_TypeOfExploitation", "ext_YearOfRegistration", "vic_TraffickingStatus",
          "cas_Status"]
#: Most frequent first (CTDC-like: a handful of countries carry most of the cases).
CITIZENSHIPS = ["PH", "UA", "MD", "ID", "KH", "MM", "BY", "RO", "VN", "LA", "TH", "NP", "BD",
                "KG", "UZ", "HT", "NG", "GH", "ET", "KE", "UG", "CN", "IN", "LK", "PK", "AF",
                "US", "MX", "GT", "HN", "SV", "BR", "CO", "VE", "BG", "AL", "RU", "KZ", "TJ",
                "MN", "KP", "ER", "SO", "SD", "CD", "CM", "SN", "ML", "BF", "NE", "MG", "ZW",
                "MW", "MZ", "TZ", "EG", "MA", "TN", "SY", "IQ"]
DESTINATIONS = ["US", "RU", "UA", "TH", "MY", "ID", "SA", "AE", "PH", "KH", "PL", "TR", "KW",
                "QA", "GB", "DE", "IT", "JP", "KR", "CN", "TW", "HK", "SG", "MM", "IN", "LB",
                "JO", "OM", "BH", "IL", "MX", "BR", "AR", "ZA", "NG", "GH", "KE", "EG", "LY",
                "FR", "ES", "NL", "BE", "SE", "CZ", "RO", "GR", "CY", "KZ", "MD"]
KINDS = [("SexualExploitation", 45), ("ForcedLabour", 38), ("ForcedLabour;SexualExploitation", 5),
         ("Servitude", 4), ("ForcedMarriage", 3), ("Other", 2), ("ForcedBegging", 1.5),
         ("ChildLabour", 1), ("OrganRemoval", 0.2), ("ForcedMilitaryByNonStateActors", 0.3)]
GENDERS = [("Feminine", 68), ("Masculine", 29), ("NonSpecifiedUnknown", 2.5),
           ("TransgenderFeminine", 0.4), ("TransgenderMasculine", 0.1)]
STATUSES = [("ActualVictimOfTrafficking", 60), ("PossibleVictimOfTrafficking", 35), ("", 5)]


def _zipf(values, s):
    return values, [1 / (i + 1) ** s for i in range(len(values))]


def generate(n: int, seed: int) -> list[list[str]]:
    rnd = random.Random(seed)
    cits, cw = _zipf(CITIZENSHIPS, 1.3)
    dests, dw = _zipf(DESTINATIONS, 1.1)
    # Corridors: each citizenship sends three in four of its cases to one to three countries
    # (Cambodia → Thailand, the Philippines → the Gulf …), the rest anywhere.
    corridors = {c: rnd.sample(DESTINATIONS[:20], rnd.randint(1, 3)) for c in CITIZENSHIPS}
    kinds, kw = zip(*KINDS, strict=True)
    genders, gw = zip(*GENDERS, strict=True)
    statuses, sw = zip(*STATUSES, strict=True)
    # Draw each column at once (choices with k=n is far faster than n calls).
    ages = [str(max(3, min(80, int(rnd.gauss(27, 10))))) if rnd.random() < 0.8 else ""
            for _ in range(n)]
    citizenship = rnd.choices(cits, cw, k=n)
    anywhere = rnd.choices(dests, dw, k=n)
    destination = [rnd.choice(corridors[c]) if rnd.random() < 0.75 else anywhere[i]
                   for i, c in enumerate(citizenship)]
    columns = [ages, rnd.choices(genders, gw, k=n), citizenship,
               destination, rnd.choices(kinds, kw, k=n),
               [str(y) for y in rnd.choices(range(2002, 2026),
                                            [1 + (y - 2002) * 0.4 for y in range(2002, 2026)],
                                            k=n)],
               rnd.choices(statuses, sw, k=n), ["Active"] * n]
    return [list(row) for row in zip(*columns, strict=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=11)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--max-suppression", type=float, default=None,
                        help="the share that may be suppressed (default: release.toml, 0.15)")
    args = parser.parse_args()

    started = time.perf_counter()
    rows = generate(args.records, args.seed)
    generated = time.perf_counter() - started
    qi = [HEADER.index(q.column) for q in release.rules().quasi_identifiers]

    started, cpu = time.perf_counter(), time.process_time()
    baseline = Counter(tuple(r[i] for i in qi) for r in rows)
    baseline_s, baseline_cpu = time.perf_counter() - started, time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    result = release.anonymise(HEADER, rows, k=args.k, max_suppression=args.max_suppression)
    release_s, release_cpu = time.perf_counter() - started, time.process_time() - cpu
    r = result.report
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    arx_per_record = ARX_SECONDS / ARX_RECORDS

    print(f"HTCDS k-anonymous release, {dt.date.today().isoformat()}: {args.records:,} synthetic "
          f"records (generated in {generated:.1f} s), k = {args.k}")
    print(f"  distinct quasi-identifier combinations: {len(baseline):,}")
    print(f"  baseline (one Counter pass over the quasi-identifiers): {baseline_s:.2f} s "
          f"(CPU {baseline_cpu:.2f} s)")
    print(f"  release (lattice of 729 generalisations, suppression, rows, report): "
          f"{release_s:.2f} s (CPU {release_cpu:.2f} s) = {release_s / baseline_s:.1f} × "
          f"baseline (CPU: {release_cpu / baseline_cpu:.1f} ×)")
    print(f"  suppressed: {r['suppressed']:,} ({100 * r['suppressed_share']:.2f} %), "
          f"information loss {r['information_loss']:.3f}, {r['classes']:,} classes "
          f"(smallest {r['smallest_class']}), {r['nodes_within_limit']} of "
          f"{r['nodes_evaluated']} evaluated within the {100 * r['max_suppression']:.0f} % "
          f"limit, {r['nodes_pruned']} pruned")
    print("  levels: " + ", ".join(f"{q} {v['level']}/{v['of']} ({v['name']})"
                                   for q, v in r["levels"].items()))
    print(f"  ARX (published, 1.19 M records): ~{ARX_SECONDS:.0f} s, "
          f"{100 * ARX_SUPPRESSED[0]:.0f}–{100 * ARX_SUPPRESSED[1]:.0f} % suppressed; per record "
          f"here {release_s / args.records * 1e6:.1f} µs (wall) vs ARX {arx_per_record * 1e6:.1f} µs "
          f"({release_s / args.records / arx_per_record:.2f} × ARX's time, other machine)")
    print(f"  peak memory of this process: {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
