"""Where a create or update under wrk spends its time besides CPU (issue 13: why ``scale.py``'s
ratio of a write is lower than ``spend.py``'s), on a COPY of a bench database: they write.

    createdb -h 127.0.0.1 -U postgres -T ns_bench_100000 ns_mine_100000
    BENCH_VAR_DIR=/work/main/var/bench .venv/bin/python bench/write_waits.py ns_mine_100000 \\
        --only create,update --duration 10s

Each run is ``bench/scale.py``'s: the floor's list under ``wrk -t2 -c50``, then the request
(gunicorn -w 2, the same settings, scripts and token), each on a fresh server. While wrk runs,
PostgreSQL's ``pg_stat_activity`` of the copy is sampled every ``--interval`` seconds: each
sample counts the app's backends by what they do (running, waiting on a lock, on the WAL
flush, or idle: waiting for the app), so a lock wait between the two workers (the audit
chain's head row, one row every write updates) or the durable COMMIT's WAL flush shows as
the share of the run it took. The CPU the two gunicorn workers and the copy's backends used
(``/proc/<pid>/stat``) is divided by the requests answered: CPU per request under load, to set
beside ``spend.py``'s.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def worker_state(pid: int) -> str:
    """R (running or waiting for a core), S (sleeping: on a socket, PostgreSQL or wrk), D."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        wchan = Path(f"/proc/{pid}/wchan").read_text().strip()
    except OSError:
        return "gone"
    return f"worker {state} {wchan}" if state != "R" else "worker R"


def backends_of(workers: list[int]) -> list[int]:
    """The PostgreSQL backends serving ``workers`` (their sockets' ports, by ``ss``), so another
    session's server on the same database is not counted."""
    import psycopg

    out = subprocess.run(["ss", "-tnpH", "dst", "127.0.0.1:5432"], capture_output=True,
                         text=True).stdout
    ports = [int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines()
             if any(f"pid={w}," in line for w in workers)]
    with psycopg.connect(scale.PG + "/postgres", autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE client_port = ANY(%s)", [ports]).fetchall()]


def timed(workers: list[int], go) -> tuple[dict, float, float]:
    """``go()``'s result, and the CPU seconds ``workers`` and their backends used during it."""
    backends = backends_of(workers)
    app0 = sum(cpu_seconds(p) for p in workers)
    server0 = sum(cpu_seconds(p) for p in backends)
    result = go()
    late = [p for p in backends_of(workers) if p not in backends]  # connected during go()
    return (result, sum(cpu_seconds(p) for p in workers) - app0,
            sum(cpu_seconds(p) for p in [*backends, *late]) - server0)


def sample(db: str, stop: threading.Event, interval: float, seen: dict, counts: dict,
           workers: list[int]) -> None:
    import psycopg

    with psycopg.connect(scale.PG + "/postgres", autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(
                "SELECT pid, state, coalesce(wait_event_type, ''), coalesce(wait_event, ''), "
                "left(query, 40) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'", [db]).fetchall()
            counts["samples"] += 1
            for pid in workers:
                counts[worker_state(pid)] += 1
            for _pid, state, wtype, wevent, query in rows:
                if state == "active":
                    what = f"{wtype}:{wevent}" if wtype else "running"
                    if wtype == "Lock":
                        what += " (" + query.split("(")[0].strip()[:30] + ")"
                elif state == "idle in transaction":
                    what = "idle in transaction (app working)"
                else:
                    what = f"{state} (waiting for the app)"
                counts[what] += 1
            stop.wait(interval)


def run(db: str, kind: str, args, prep: dict, work: Path, floor_workers: list[int]) -> dict:
    base = f"http://127.0.0.1:{scale.NS_PORT}"
    floor_url = f"http://127.0.0.1:{scale.FLOOR_PORT}/records"
    auth = {"Authorization": f"Bearer {prep['tokens']['caseworker']}"}
    script = (scale.post_script(work) if kind == "create"
              else scale.patch_script(work, prep["updates"]))
    url = base + ("/api/v1/survivors" if kind == "create" else "/")
    load = {"duration": args.duration, "connections": args.connections}
    env = scale.env_for(db, PYTHONPATH=os.pathsep.join([str(scale.ROOT), *args.path]),
                        **({"PGOPTIONS": args.pgoptions} if args.pgoptions else {}))
    with scale.gunicorn(args.app, scale.NS_PORT, env, scale.ROOT) as proc:
        scale.wait_for(f"{base}/api/v1/health")
        for _ in range(2):
            scale.one_at_a_time(f"{base}/api/v1/me", auth, repeat=0)
        before = Path("/proc/loadavg").read_text().split()[0]
        floor, floor_app, floor_server = timed(floor_workers,
                                               lambda: scale.wrk(floor_url, **load))
        workers = children(proc.pid)
        seen, counts = {}, collections.Counter()
        stop = threading.Event()
        sampler = threading.Thread(target=sample, args=(db, stop, args.interval, seen, counts,
                                                        workers))
        sampler.start()
        ns, app, server = timed(workers, lambda: scale.wrk(url, headers=auth, script=script,
                                                           **load))
        stop.set()
        sampler.join()
    seconds = float(args.duration.rstrip("s"))
    requests = ns["rps"] * seconds
    floor_requests = floor["rps"] * seconds
    floor_cost = (floor_app + floor_server) / floor_requests
    samples = counts.pop("samples")
    return {"kind": kind, "rps": ns["rps"], "floor": floor["rps"], "ratio": ns["rps"] / floor["rps"],
            "p50": ns["p50"], "errors": ns["errors"], "load": f"{before}–"
            + Path("/proc/loadavg").read_text().split()[0],
            "app_ms": app / requests * 1000, "server_ms": server / requests * 1000,
            "floor_app_ms": floor_app / floor_requests * 1000,
            "floor_server_ms": floor_server / floor_requests * 1000,
            "cpu_ratio": floor_cost / ((app + server) / requests),
            "backends": {k: v / samples for k, v in counts.most_common()}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", help="a copy of a bench database (never ns_bench_*)")
    parser.add_argument("--only", default="create,update")
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--app", default="northstar.wsgi:application",
                        help="the WSGI application gunicorn serves (a wrapper to measure it)")
    parser.add_argument("--path", action="append", default=[], help="added to PYTHONPATH")
    parser.add_argument("--pgoptions", default="", help="PGOPTIONS of Northstar's connections, "
                        "for an experiment (e.g. '-c synchronous_commit=off'; never in production)")
    parser.add_argument("--interval", type=float, default=0.005)
    args = parser.parse_args()
    if args.db.startswith("ns_bench_"):
        raise SystemExit("write_waits: run it on a copy, not on the shared ns_bench_* databases")
    scale.LOGS.mkdir(parents=True, exist_ok=True)
    prep = json.loads(subprocess.run([sys.executable, str(scale.BENCH / "prepare.py")],
                                     cwd=scale.ROOT, env=scale.env_for(args.db), check=True,
                                     capture_output=True, text=True).stdout)
    work = Path(tempfile.mkdtemp())
    with scale.floor_server(100000) as floor:
        scale.wait_for(f"http://127.0.0.1:{scale.FLOOR_PORT}/records")
        for kind in args.only.split(","):
            result = run(args.db, kind, args, prep, work, children(floor.pid))
            print(json.dumps(result), flush=True)
    subprocess.run([sys.executable, str(scale.BENCH / "prepare.py"), "forget-created",
                    str(prep["last_survivor_id"])], cwd=scale.ROOT, env=scale.env_for(args.db),
                   check=True)


if __name__ == "__main__":
    main()
