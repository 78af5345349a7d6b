"""Create and update under load, two versions of the code side by side in one run (issue 13:
create and update ≥ 0.3 of the floor), on a COPY of a bench database: they write.

    createdb -h 127.0.0.1 -U postgres -T ns_bench_10000 ns_mine_10000
    git archive <before> | tar -x -C /tmp/before
    BENCH_VAR_DIR=/work/main/var/bench .venv/bin/python bench/write_ab.py ns_mine_10000 \\
        A=/tmp/before B=. --rounds 2 --duration 5s

Each round measures, one after the other, the floor, then each version's create and update
(``wrk -t2 -c50``, gunicorn -w 2, the same settings as ``bench/scale.py``), so the versions
see the same load; prints requests/s and the ratio to the floor measured just before.
Each update run first reads every target's current version, so no request answers 409.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402


def targets(db: str, limit: int = 20000) -> list:
    import psycopg

    with psycopg.connect(f"{scale.PG}/{db}") as conn:
        return conn.execute(
            "SELECT s.id, s.version FROM survivors_survivor s JOIN core_organisation o "
            "ON o.id = s.organisation_id WHERE o.code = 'MHF' AND s.archived_at IS NULL "
            "ORDER BY s.id LIMIT %s", [limit]).fetchall()


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", help="a copy of a bench database (never ns_bench_*)")
    parser.add_argument("versions", nargs="+", help="NAME=checkout directory")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--only", choices=("create", "update"), default=None)
    args = parser.parse_args()
    if args.db.startswith("ns_bench_"):
        raise SystemExit("writes: run it on a copy, not on the shared ns_bench_* databases")
    versions = [(v.split("=", 1)[0], Path(v.split("=", 1)[1]).resolve()) for v in args.versions]
    scale.LOGS.mkdir(parents=True, exist_ok=True)
    prep = json.loads(subprocess.run([sys.executable, str(scale.BENCH / "prepare.py")],
                                     cwd=scale.ROOT, env=scale.env_for(args.db), check=True,
                                     capture_output=True, text=True).stdout)
    auth = {"Authorization": f"Bearer {prep['tokens']['caseworker']}"}
    base = f"http://127.0.0.1:{scale.NS_PORT}"
    floor_url = f"http://127.0.0.1:{scale.FLOOR_PORT}/records"
    work = Path(tempfile.mkdtemp())
    loadargs = {"duration": args.duration, "connections": args.connections}
    rows = []
    with scale.floor_server(100000):
        scale.wait_for(floor_url)
        for rnd in range(1, args.rounds + 1):
            for kind in ("create", "update"):
                if args.only and kind != args.only:
                    continue
                for name, root in versions:
                    script = (scale.post_script(work) if kind == "create"
                              else scale.patch_script(work, targets(args.db)))
                    url = base + ("/api/v1/survivors" if kind == "create" else "/")
                    env = scale.env_for(args.db, PYTHONPATH=str(root))
                    with scale.gunicorn("northstar.wsgi:application", scale.NS_PORT, env, root):
                        scale.wait_for(f"{base}/api/v1/health")
                        for _ in range(2):
                            scale.one_at_a_time(f"{base}/api/v1/me", auth, repeat=0)
                        before = load()
                        floor = scale.wrk(floor_url, **loadargs)
                        ns = scale.wrk(url, headers=auth, script=script, **loadargs)
                    row = (rnd, kind, name, ns["rps"], floor["rps"], ns["rps"] / floor["rps"],
                           ns["p50"], ns["p99"], ns["errors"], f"{before}–{load()}")
                    rows.append(row)
                    scale.log(" ".join(str(x) for x in row))
                    time.sleep(1)
    print("| round | request | version | req/s | floor req/s | ratio | p50 ms | p99 ms | non-2xx "
          "| load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.0f} | {r[4]:.0f} | {r[5]:.3f} | "
              f"{r[6] or 0:.0f} | {r[7] or 0:.0f} | {r[8]} | {r[9]} |")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
