"""CPU per request, Python calls and queries of the API lists (issue 13), with a caseworker's
token on one persistent connection, as gunicorn would.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_lists2_10000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/lists_cpu.py [--repeat 200]

``NORTHSTAR_ROOT`` runs another checkout's code (the "before"), so before and after can be
alternated in one shell loop. Per path: the SHA-256 of the answer's body (the same data must
give the same answer before and after; a cursor's signing time left out), the queries of one request, the Python function calls
of one request (cProfile: does not move with the machine's load), then CPU milliseconds per
request over ``--repeat`` requests, here and in the connection's PostgreSQL backend
(``time.process_time``, ``/proc/<pid>/stat``; moves with the load, so compare
within one round). A list writes its audit entry: run it on a copy of a bench database.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core import signing  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from northstar.core.tokens import issue_token  # noqa: E402
from northstar.survivors.models import Survivor  # noqa: E402


def backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (as ``floor_cpu.py``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--user", default="caseworker.th")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    user = get_user_model().objects.get(username=args.user)
    _, raw = issue_token(user, name="lists_cpu", days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    live = Survivor.objects.filter(organisation=user.membership.organisation,
                                   archived_at__isnull=True).count()
    deep = max(1, round(live / 50 * 0.95))
    paths = args.paths or ["/api/v1/survivors?page_size=50",
                           f"/api/v1/survivors?page_size=50&page={deep}",
                           "/api/v1/cases?page_size=50"]
    # The second page by cursor: the ``next`` of the first.
    first = client.get("/api/v1/survivors?page_size=50").json()
    if not args.paths and first.get("next"):
        paths.append(f"/api/v1/survivors?page_size=50&cursor={first['next']}")
    import northstar
    print(f"code from {Path(northstar.__file__).parent.parent}; load average "
          f"{os.getloadavg()[0]:.1f}")
    for path in paths:
        for _ in range(3):
            body = client.get(path).content
        profile = cProfile.Profile()
        queries = []

        def counted(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            profile.enable()
            client.get(path)
            profile.disable()
        calls = pstats.Stats(profile).total_calls
        server, started = backend_cpu(), time.process_time()
        for _ in range(args.repeat):
            client.get(path)
        cpu = (time.process_time() - started) / args.repeat * 1000
        server = (backend_cpu() - server) / args.repeat * 1000
        answer = json.loads(body)
        if isinstance(answer, dict) and answer.get("next"):
            # A cursor carries the second it was signed at (and, since h-lists2, the
            # count): compare the row it names.
            answer["next"] = json.loads(signing.b64_decode(
                answer["next"].split(":")[0].encode()))[:2]
        digest = hashlib.sha256(json.dumps(answer).encode()).hexdigest()[:12]
        label = path if len(path) < 60 else path[:57] + "..."
        print(f"{label:60} {cpu:5.2f} ms CPU + {server:4.2f} in PostgreSQL  {calls:6d} calls  {len(queries)} "
              f"queries  {len(body)} B sha {digest}")


if __name__ == "__main__":
    main()
