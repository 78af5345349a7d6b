"""Every insights measure of one organisation, counted live, and the `/insights/` dashboard.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_insights100k_100000 \\
      NORTHSTAR_VAR_DIR=$PWD/var/bench .venv/bin/python bench/insights_org.py --dashboard

For the organisation with the most cases (or ``--org``): each measure's counting function
(``insights/measures.toml``) run once to warm, then ``--runs`` times; prints the median in
ms, its queries and their time in SQL, and the machine's load average. ``--dashboard``
also times the whole dashboard page for the organisation's researcher (``force_login``,
in process, one persistent connection); ``--once`` counts the measures inside one
``counting.counted_once`` (the consent-gated set made once, as the dashboard does; its
making timed on its own); ``--refresh`` the materialised refresh of that
organisation (``materialised.refresh``: it writes the organisation's stored counts — only
on a database of your own).

``--ab ROOT`` runs the same script with another checkout's code (``NORTHSTAR_ROOT``, e.g.
an export of the base commit) and this one's, alternated ``--rounds`` times in separate
processes, and prints both side by side (medians over the rounds). Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def run_here(args) -> dict:
    sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(HERE.parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from northstar.core.models import Membership
    from northstar.insights.measures import all_measures, resolve
    from northstar.survivors.models import Case

    def reference() -> float:
        """A sequential scan's time in the server (``count(*)`` of the cases, one process,
        median of 3): how slow the machine is right now, to read the others against."""
        if connection.vendor != "postgresql":
            return 0.0
        found = []
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            for _ in range(3):
                cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) "
                               "SELECT count(*) FROM survivors_case")
                found.append(cursor.fetchone()[0][0]["Execution Time"])
        return statistics.median(found)

    org = args.org or (Case.objects.values("organisation_id").annotate(n=Count("pk"))
                       .order_by("-n")[0]["organisation_id"])
    wanted = set(args.measures.split(",")) if args.measures else None
    out = {"root": sys.path[0], "org": org, "load": [load()], "measures": {},
           "reference_ms": [reference()]}
    cases = Case.objects.filter(organisation_id=org).count()
    out["cases"] = cases

    backend = None
    if args.cpu and connection.vendor == "postgresql":
        # CPU seconds, not wall time: what PostgreSQL's process for this connection spent
        # (from /proc, same machine), and this Python process's; far less moved by the
        # other processes' load than the clock. One process: no parallel workers, whose
        # CPU would not be in the backend's.
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        out["cpu"] = {}

    def server_cpu() -> float:
        with open(f"/proc/{backend}/stat") as stat:  # noqa: PTH123
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def timed(fn, name: str = "") -> tuple[list[float], int, float]:
        fn()  # warm
        times, server, python = [], [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                began, cpu = time.perf_counter(), time.process_time()
                was = server_cpu() if backend else 0.0
                fn()
                times.append((time.perf_counter() - began) * 1000)
                python.append((time.process_time() - cpu) * 1000)
                server.append(server_cpu() - was if backend else 0.0)
        if backend:
            out["cpu"][name] = {"server_ms": statistics.median(server),
                                "python_ms": statistics.median(python)}
            if not args.json:
                print(f"{'':36} CPU: PostgreSQL {statistics.median(server):8.0f} ms, "
                      f"Python {statistics.median(python):8.0f} ms", flush=True)
        sql = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        return times, len(ctx.captured_queries), sql

    once = contextlib.nullcontext()
    if args.once:
        # As the dashboard counts: the consent-gated set made once (timed on its own), then
        # every measure reading it (insights.counting.counted_once).
        from northstar.insights.counting import counted_once

        began = time.perf_counter()
        was = server_cpu() if backend else 0.0
        once = counted_once([org])
        once.__enter__()
        out["once_ms"] = (time.perf_counter() - began) * 1000
        if backend:
            out["cpu"]["once_ms"] = {"server_ms": server_cpu() - was, "python_ms": 0.0}
        if not args.json:
            print(f"{'counted_once (the gated set)':36} {out['once_ms']:9.1f} ms", flush=True)
    for measure in all_measures():
        if wanted and measure.key not in wanted:
            continue
        count = resolve(measure)
        times, queries, sql = timed(lambda c=count: c(org), measure.key)
        out["measures"][measure.key] = {"ms": statistics.median(times), "min": min(times),
                                        "queries": queries, "sql_ms": sql}
        if not args.json:
            print(f"{measure.key:36} {statistics.median(times):9.1f} ms (min {min(times):8.1f})"
                  f" {queries:4d} queries {sql:9.1f} ms SQL   load {load()}", flush=True)
    once.__exit__(None, None, None)
    if args.dashboard:
        researcher = Membership.objects.filter(organisation_id=org, role="researcher") \
            .select_related("user").first()
        user = researcher.user if researcher else get_user_model().objects.get(
            username=args.user)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        status = []
        times, queries, sql = timed(
            lambda: status.append(client.get(args.page).status_code), "dashboard")
        out["dashboard"] = {"ms": statistics.median(times), "min": min(times),
                            "queries": queries, "sql_ms": sql, "status": status[-1]}
        if not args.json:
            print(f"{'dashboard /insights/ (researcher)':36} {statistics.median(times):9.1f} ms"
                  f" (min {min(times):8.1f}) {queries:4d} queries {sql:9.1f} ms SQL  HTTP "
                  f"{status[-1]}   load {load()}", flush=True)
    if args.refresh:
        from northstar.insights import materialised

        times, queries, sql = timed(lambda: materialised.refresh(organisation_ids=[org]),
                                    "refresh")
        out["refresh"] = {"ms": statistics.median(times), "min": min(times),
                          "queries": queries, "sql_ms": sql}
        if not args.json:
            print(f"{'refresh_counts (one organisation)':36} {statistics.median(times):9.1f} ms"
                  f" (min {min(times):8.1f}) {queries:4d} queries {sql:9.1f} ms SQL   load "
                  f"{load()}", flush=True)
    out["load"].append(load())
    out["reference_ms"].append(reference())
    if args.json:
        print(json.dumps(out))
    else:
        print(f"organisation {org}: {cases} cases; code from {sys.path[0]}; load average "
              f"{out['load'][0]} → {out['load'][1]}; reference count(*) of the cases "
              f"{out['reference_ms'][0]:.1f} → {out['reference_ms'][1]:.1f} ms")
    return out


def run_ab(args) -> None:
    """Before (``--ab ROOT``) and after (this checkout), alternated in separate processes."""
    base = [sys.executable, str(HERE), "--json", "--runs", str(args.runs)]
    for flag in ("measures", "org"):
        if getattr(args, flag):
            base += [f"--{flag}", str(getattr(args, flag))]
    base += [f"--{flag}" for flag in ("dashboard", "once", "refresh", "cpu")
             if getattr(args, flag)]
    base += ["--page", args.page]
    got: dict[str, list[dict]] = {"before": [], "after": []}
    for round_ in range(args.rounds):
        for side, root in (("before", args.ab), ("after", str(HERE.parent.parent))):
            env = {**os.environ, "NORTHSTAR_ROOT": root}
            done = subprocess.run(base, env=env, capture_output=True, text=True, check=True)
            got[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"round {round_ + 1} {side} done, load {load()}", file=sys.stderr, flush=True)
    first = got["after"][0]
    print(f"organisation {first['org']} ({first['cases']:,} cases); medians over "
          f"{args.rounds} alternated rounds of {args.runs} runs each; load average "
          + ", ".join(f"{r['load'][0]}–{r['load'][1]}" for side in got.values() for r in side)
          + "; reference count(*) of the cases (ms) "
          + ", ".join(f"{r['reference_ms'][0]:.0f}–{r['reference_ms'][1]:.0f}"
                      for side in got.values() for r in side))
    cpu = ((" before PostgreSQL CPU (ms) | after PostgreSQL CPU (ms) | before Python CPU (ms) |"
            " after Python CPU (ms) |") if args.cpu else "")
    print(f"| measure | before (ms) | before queries | after (ms) | after queries | × faster |{cpu}")
    print("|---|---|---|---|---|---|" + ("---|" * 4 if args.cpu else ""))
    keys = ((["once_ms"] if args.once else []) + list(first["measures"])
            + [k for k in ("dashboard", "refresh") if getattr(args, k)])
    for key in keys:
        def pick(side, key=key):
            rows = [r["measures"].get(key) or r.get(key) for r in got[side]]
            if key == "once_ms":  # the making of counted_once's table: one figure a run
                return statistics.median(rows), 2
            return statistics.median(r["ms"] for r in rows), rows[-1]["queries"]
        (b_ms, b_q), (a_ms, a_q) = pick("before"), pick("after")
        line = f"| {key} | {b_ms:,.0f} | {b_q} | {a_ms:,.0f} | {a_q} | {b_ms / a_ms:.1f} |"
        if args.cpu:
            def used(side, what, key=key):
                return statistics.median(r["cpu"].get(key, {}).get(what, 0.0)
                                         for r in got[side])
            line += "".join(f" {used(side, what):,.0f} |" for what in ("server_ms", "python_ms")
                            for side in ("before", "after"))
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measures", help="only these measure keys (comma-separated)")
    parser.add_argument("--dashboard", action="store_true")
    parser.add_argument("--refresh", action="store_true")
    parser.add_argument("--once", action="store_true",
                        help="count the measures inside one counted_once, as the dashboard")
    parser.add_argument("--user", default="researcher.ip001")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cpu", action="store_true",
                        help="also CPU time of PostgreSQL's backend (no parallel workers) "
                             "and of Python, per measure")
    parser.add_argument("--page", default="/insights/",
                        help="the dashboard URL --dashboard times (e.g. /insights/report.pdf)")
    parser.add_argument("--ab", help="another checkout's root: before/after alternated")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.ab:
        run_ab(args)
    else:
        run_here(args)


if __name__ == "__main__":
    main()
