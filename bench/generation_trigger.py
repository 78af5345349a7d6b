"""What the list-generation trigger (``core.generations``, survivors 0019) costs a write.

    createdb -U postgres -h 127.0.0.1 -T ns_bench_1000 ns_trigger_copy
    .venv/bin/python bench/generation_trigger.py postgresql://postgres@127.0.0.1:5432/ns_trigger_copy
    dropdb -U postgres -h 127.0.0.1 ns_trigger_copy

A one-row UPDATE of a survivor in its own transaction, 2,000 times, with the table's
generation trigger enabled and disabled in turn (6 rounds, the order alternated), on a COPY
of a bench population (it alters the table's triggers). Prints the median microseconds per
transaction of each. Asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import time

import psycopg


def main(url: str, n: int = 2000, rounds: int = 6) -> None:
    conn = psycopg.connect(url, autocommit=True)
    cur = conn.cursor()
    ids = [r[0] for r in cur.execute("SELECT id FROM survivors_survivor ORDER BY id LIMIT 200")]
    triggers = [r[0] for r in cur.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'survivors_survivor'::regclass "
        "AND NOT tgisinternal")]
    print("triggers:", triggers)

    def run() -> float:
        start = time.perf_counter()
        for k in range(n):
            with conn.transaction():
                cur.execute("UPDATE survivors_survivor SET reference = reference WHERE id = %s",
                            [ids[k % len(ids)]])
        return (time.perf_counter() - start) / n * 1e6

    found: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for k in range(rounds):
            for mode in ("on", "off") if k % 2 == 0 else ("off", "on"):
                for name in triggers:
                    cur.execute(f"ALTER TABLE survivors_survivor "
                                f"{'ENABLE' if mode == 'on' else 'DISABLE'} TRIGGER {name}")
                found[mode].append(run())
    finally:
        for name in triggers:
            cur.execute(f"ALTER TABLE survivors_survivor ENABLE TRIGGER {name}")
    for mode, values in found.items():
        print(f"trigger {mode}: median {statistics.median(values):.1f} µs a transaction "
              f"({', '.join(f'{v:.0f}' for v in values)})")


if __name__ == "__main__":
    main(sys.argv[1])
