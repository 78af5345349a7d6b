"""Where one API request spends its time, on a bench database (issue 13, fixed cost).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_bench_10000 NORTHSTAR_VAR_DIR=var/bench \\
      .venv/bin/python bench/profile_request.py /api/v1/survivors/{id} /api/v1/survivors

Each path (``{id}`` is a survivor of the bench organisation, ``{case}`` its newest case) is requested through the whole
Django stack (middleware, Ninja auth, audit) with a caseworker's token and a persistent
connection, as gunicorn would; it prints the queries of one request with their time, then a
pyinstrument profile of ``--repeat`` requests (pyinstrument is a dev dependency).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from northstar.core.tokens import issue_token  # noqa: E402
from northstar.survivors.models import Case, Survivor  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--user", default="caseworker.th")
    parser.add_argument("--cpu", action="store_true",
                        help="profile CPU time (cProfile on process_time), not wall time: "
                             "on a loaded machine wall time is mostly waiting for the CPU")
    parser.add_argument("--session", action="store_true",
                        help="signed in as a page session (for pages) instead of a token")
    args = parser.parse_args()
    user = get_user_model().objects.get(username=args.user)
    _, raw = issue_token(user, name="profile", days=1)
    survivor = Survivor.objects.filter(organisation=user.membership.organisation).order_by(
        "-created_at", "-id")[10]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    if args.session:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
    for path in args.paths:
        if "{case}" in path:
            case = Case.objects.filter(survivor__organisation=user.membership.organisation,
                                       archived_at__isnull=True).order_by("-created_at",
                                                                          "-id").first()
            path = path.replace("{case}", str(case.pk))
        path = path.replace("{id}", str(survivor.pk))
        client.get(path)
        client.get(path)  # warm: imports, first-use stamps, connection
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            status = client.get(path).status_code
            took = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(f"\n== {path}: HTTP {status}, {took:.1f} ms, {len(ctx.captured_queries)} queries "
              f"({sql_ms:.1f} ms in SQL)")
        for q in ctx.captured_queries:
            print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:160]}")
        if args.cpu:
            cpu_profile(client, path, args.repeat)
            continue
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.repeat):
            client.get(path)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))


def cpu_profile(client, path: str, repeat: int) -> None:
    """CPU milliseconds per request, whole and by function (cumulative), over ``repeat``."""
    import cProfile
    import pstats

    started = time.process_time()
    for _ in range(repeat):
        client.get(path)
    plain = (time.process_time() - started) / repeat * 1000
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(repeat):
        client.get(path)
    profile.disable()
    print(f"CPU per request without the profiler: {plain:.2f} ms")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "60")))


if __name__ == "__main__":
    main()
