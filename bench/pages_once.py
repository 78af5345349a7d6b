"""The caseload, case and survivor page, one request at a time, in process, on a bench database.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_bench_100000 \\
      NORTHSTAR_VAR_DIR=$PWD/var/bench .venv/bin/python bench/pages_once.py

Signs the demo caseworker in (``force_login``, as ``profile_request.py --session``), picks
the case ``bench/prepare.py`` picks (the caseworker's newest survivor's case), warms each
page twice, then times ``--repeat`` requests through the whole Django stack on one
persistent connection and prints the median, the queries of one request and their time in
SQL, and the machine's load average. ``NORTHSTAR_ROOT`` runs another checkout's code with
this script (``NORTHSTAR_ROOT=/work/main``: the before figures). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from northstar.survivors.models import Case, Survivor  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--user", default="caseworker.th")
    parser.add_argument("--queries", action="store_true",
                        help="also list every query of one request with its time")
    parser.add_argument("--whole-over", type=float, default=None, metavar="MS",
                        help="with --queries, print whole the SQL of queries slower than MS")
    parser.add_argument("--pages", default="caseload,case,survivor",
                        help="which pages, comma-separated (caseload, case, survivor)")
    args = parser.parse_args()
    user = get_user_model().objects.get(username=args.user)
    org = user.membership.organisation
    survivor = Survivor.objects.filter(organisation=org, cases__isnull=False).order_by(
        "-created_at", "-id").first()
    case = Case.objects.filter(survivor=survivor).order_by("pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    print(f"{Survivor.objects.filter(organisation=org).count()} survivors; "
          f"load average {os.getloadavg()[0]:.1f}; code from {sys.path[0]}")
    pages = {"caseload": ("caseload page", "/"), "case": ("case page", f"/cases/{case.pk}/"),
             "survivor": ("survivor page", f"/survivors/{survivor.pk}/")}
    for key in args.pages.split(","):
        name, path = pages[key.strip()]
        for _ in range(2):
            client.get(path)
        times, cpu = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                started, started_cpu = time.perf_counter(), time.process_time()
                status = client.get(path).status_code
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(f"{name}: HTTP {status}, median {statistics.median(times):.0f} ms of "
              f"{args.repeat} (min {min(times):.0f}), {statistics.median(cpu):.0f} ms CPU, "
              f"{len(ctx.captured_queries)} queries, {sql_ms:.0f} ms in SQL")
        if args.queries:
            for q in ctx.captured_queries:
                took = float(q["time"]) * 1000
                whole = args.whole_over is not None and took > args.whole_over
                print(f"  {took:6.1f} ms  {q['sql'] if whole else q['sql'][:200]}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
