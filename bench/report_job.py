"""The insights report: the request before (drawn in it) and after (a job), on a bench copy.

    createdb -U postgres -h 127.0.0.1 -T ns_bench_100000 ns_reportjob_100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_reportjob_100000 \\
      BENCH_VAR_DIR=var/bench NORTHSTAR_VAR_DIR=var/bench \\
      .venv/bin/python bench/report_job.py [--user researcher.th] [--repeat 3]

``NORTHSTAR_ROOT=/work/main`` runs the code before the change: ``GET /insights/report.pdf``
drew the PDF in the request. After it, the request is ``POST /insights/report/`` (the
"Prepare the report" button): with a queue runner (``NORTHSTAR_JOBS_RUNNER=celery``) the web
process only writes the job's row and hands its id on. Here the hand-over is a list in this
process instead of Redis (the id is all a worker receives), so the request is timed as a web
worker spends it, and the job is then run here with ``jobs.run`` and timed as a worker spends
it. ``--inline`` times the request with the inline runner of ``make run`` (the job runs as
the request's transaction commits, in the same request). Prints wall and CPU time (this
process: Python and the database driver; PostgreSQL's own CPU is not in it) and queries,
median of ``--repeat``. Writes jobs and audit entries: never run it on a shared population.
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


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, \
        len(ctx.captured_queries)


def report(label: str, runs: list[tuple[float, float, int]]) -> None:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    print(f"{label:<44} wall {wall:8.0f} ms  CPU {cpu:8.0f} ms  queries {runs[0][2]:4d}  "
          f"(load {os.getloadavg()[0]:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="researcher.th")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--inline", action="store_true",
                        help="after: the inline runner of make run (the job in the request)")
    args = parser.parse_args()
    user = get_user_model().objects.get(username=args.user)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    print(f"code from {sys.path[0]}; {args.user}")
    try:
        from northstar.insights import report as reports
    except ImportError:
        reports = None
    if reports is None:  # before: drawn in the request
        runs = []
        for _ in range(args.repeat + 1):
            response, wall, cpu, queries = timed(lambda: client.get("/insights/report.pdf"))
            assert response.status_code == 200 and response.content.startswith(b"%PDF")
            runs.append((wall, cpu, queries))
        report("GET /insights/report.pdf (drawn in it)", runs[1:])
        print(f"PDF {len(response.content):,} bytes")
        return
    from northstar.core import jobs
    from northstar.core.models import Job

    handed: list[int] = []
    if not args.inline:
        jobs.dispatch = handed.append  # the queue: the id is all a worker gets
    requests, worked = [], []
    for _ in range(args.repeat + 1):
        response, wall, cpu, queries = timed(lambda: client.post("/insights/report/",
                                                                 {"period": ""}))
        assert response.status_code == 302, response.status_code
        requests.append((wall, cpu, queries))
        job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
        if not args.inline:
            assert handed[-1] == job_id
            done, wall, cpu, queries = timed(lambda jid=job_id: jobs.run(jid))
            worked.append((wall, cpu, queries))
        done = Job.objects.get(pk=job_id)
        assert done.status == "done", done.message
        page, *_rest = timed(lambda jid=job_id: client.get(f"/jobs/{jid}/"))
        assert page.status_code == 200
    label = "inline runner" if args.inline else "queue runner"
    report(f"POST /insights/report/ ({label})", requests[1:])
    if worked:
        report("the job (jobs.run, in the worker)", worked[1:])
    download, wall, cpu, queries = timed(lambda: client.get(f"/jobs/{job_id}/download"))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    report("GET /jobs/<id>/download", [(wall, cpu, queries)])
    print(f"PDF {len(download.content):,} bytes")


if __name__ == "__main__":
    main()
