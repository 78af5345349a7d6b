"""The four reads h-slowreads changed, one request at a time on a kept connection (issue 13).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_slowreads_100000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench [NORTHSTAR_ROOT=/work/main] \\
      .venv/bin/python bench/slow_reads.py [--repeat 7] [--warm 3]

Requests through the WSGI application (``spend.wsgi_call``), as the caseworker of the largest
organisation (``caseworker.th``) and, on the same connection after it, of a small one
(``caseworker.kh``): ``GET /api/v1/referrals``, ``GET /api/v1/case-tasks``,
``/justice/tasks/``, ``GET /api/v1/timeline/tasks`` and the caseload ``/``. Prints for each
the median wall ms, this process's CPU ms, the PostgreSQL backend's CPU ms (from
``/proc/<pid>/schedstat``) and the statements run. ``NORTHSTAR_ROOT`` picks the code measured
(another checkout: the "before"). Requests write audit entries: run it on a copy of a bench
database. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

URLS = ["/api/v1/referrals", "/api/v1/case-tasks", "/justice/tasks/", "/api/v1/timeline/tasks",
        "/"]


def run(urls_of, *, users: str, token: str, description: str, resolve=None) -> None:
    """The loop both scripts share (``bench/small_reads.py`` too): for each user, each URL of
    ``urls_of(username, user)`` (``resolve(app, url, headers)`` may turn it into another, e.g.
    a first page's "Next page"), ``--warm`` requests, then ``--repeat`` timed ones."""
    from django.contrib.auth import get_user_model
    from prepare import session_for
    from spend import backend_ns, backend_pid, wsgi_call

    from northstar.core.tokens import issue_token
    from northstar.wsgi import application as app

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--users", default=users)
    args = parser.parse_args()
    import northstar

    print(f"# {connection.settings_dict['NAME']} code {Path(northstar.__file__).parent} "
          f"load {os.getloadavg()[0]:.1f}")
    print("user\turl\tstatus\twall ms\tcpu ms\tbackend cpu ms\tstatements")
    for username in args.users.split(","):
        user = get_user_model().objects.get(username=username)
        _, raw = issue_token(user, name=token, days=1)
        session = session_for(user)
        for url in urls_of(username, user):
            headers = ({"HTTP_AUTHORIZATION": f"Bearer {raw}"} if url.startswith("/api/")
                       else {"HTTP_COOKIE": f"sessionid={session}"})
            if resolve is not None:
                url = resolve(app, url, headers)
            for _ in range(args.warm):
                wsgi_call(app, "GET", url, headers)
            pid = backend_pid(connection)
            walls, cpus, backs, statements, status = [], [], [], 0, 0
            for _ in range(args.repeat):
                before_ns = backend_ns(pid)
                wall, cpu = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as captured:
                    status = wsgi_call(app, "GET", url, headers)
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                after_ns = backend_ns(pid)
                if before_ns is not None and after_ns is not None:
                    backs.append((after_ns - before_ns) / 1e6)
                statements = len(captured.captured_queries)
            back = f"{statistics.median(backs):.1f}" if backs else "-"
            print(f"{username}\t{url}\t{status}\t{statistics.median(walls):.1f}\t"
                  f"{statistics.median(cpus):.1f}\t{back}\t{statements}", flush=True)


def main() -> None:
    run(lambda _username, _user: URLS, users="caseworker.th,caseworker.kh", token="slow-reads",
        description=__doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
