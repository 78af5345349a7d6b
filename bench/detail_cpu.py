"""A/B of the detail reads in process: app CPU, PostgreSQL CPU and statements per request.

    BENCH_DB=ns_detail_100000 NORTHSTAR_VAR_DIR=/work/main/var/bench \\
      .venv/bin/python bench/detail_cpu.py TREE [N] [--paths survivor,case,me]

Runs ``N`` (default 2,000) requests of each detail read (``GET /api/v1/survivors/{id}``,
``GET /api/v1/cases/{id}``, ``GET /api/v1/me``) through the WSGI application of the tree
``TREE`` (as gunicorn calls it), on one kept PostgreSQL connection, after 200 warming
requests, and prints per request: app CPU (``process_time``; mean, and the least and median of 20
batches, which a busy machine disturbs less), the PostgreSQL backend's CPU (its process
clock, same machine only), the statements sent and the Python calls made (``sys.setprofile``
over 20 requests: a count, the same on a busy machine). Run it alternately with
two trees (before and after a change) on the same *copy* of a bench database: every read
writes an audit entry. Lines are JSON, for ``bench/README.md``'s tables.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(tree: str, n: int, paths: list[str]) -> None:
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
    os.environ["DB_CONN_MAX_AGE"] = "3600"
    db = os.environ.get("BENCH_DB", "ns_detail_100000")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    import django

    django.setup()
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from spend import backend_clock, backend_pid, wsgi_call

    from northstar.core.tokens import issue_token
    from northstar.survivors.models import Case, Survivor
    from northstar.wsgi import application as app

    user = get_user_model().objects.get(username="caseworker.th")
    org = user.membership.organisation
    _, raw = issue_token(user, name="detail-cpu", days=1)
    token = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    survivor = (Survivor.objects.filter(organisation=org, archived_at__isnull=True)
                .order_by("-created_at", "-id")[10])
    case = (Case.objects.filter(survivor__organisation=org, archived_at__isnull=True)
            .order_by("-created_at", "-id").first())
    urls = {"survivor": f"/api/v1/survivors/{survivor.pk}", "case": f"/api/v1/cases/{case.pk}",
            "me": "/api/v1/me"}
    for name in paths:
        url = urls[name]
        for _ in range(200):
            assert wsgi_call(app, "GET", url, token) == 200
        with CaptureQueriesContext(connection) as queries:
            wsgi_call(app, "GET", url, token)
        statements = len(queries.captured_queries)
        read = backend_clock(backend_pid(connection))
        batches, size = [], max(1, n // 20)
        server, wall = read(), time.perf_counter()
        for _ in range(20):
            cpu = time.process_time()
            for _ in range(size):
                wsgi_call(app, "GET", url, token)
            batches.append((time.process_time() - cpu) / size * 1000)
        server, wall = read() - server, time.perf_counter() - wall
        batches.sort()
        calls = [0]

        def count(frame, event, arg, calls=calls):
            if event in ("call", "c_call"):
                calls[0] += 1

        sys.setprofile(count)
        for _ in range(20):
            wsgi_call(app, "GET", url, token)
        sys.setprofile(None)
        print(json.dumps({"tree": tree, "path": name, "n": size * 20,
                          "app_cpu_ms": round(sum(batches) / len(batches), 3),
                          "app_cpu_min_ms": round(batches[0], 3),
                          "app_cpu_median_ms": round(batches[len(batches) // 2], 3),
                          "pg_cpu_ms": round(server / (size * 20) / 1e6, 3),
                          "wall_ms": round(wall / (size * 20) * 1000, 3),
                          "statements": statements, "python_calls": calls[0] // 20,
                          "load": open("/proc/loadavg").read().split()[0]}), flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    chosen = ["survivor", "case", "me"]
    for a in sys.argv[1:]:
        if a.startswith("--paths="):
            chosen = a.split("=", 1)[1].split(",")
    main(args[0], int(args[1]) if len(args) > 1 else 2000, chosen)
