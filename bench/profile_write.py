"""Where one create (POST /api/v1/survivors) and one update (PATCH /api/v1/survivors/{id})
spend their time, on a COPY of a bench database (they write: never the shared ns_bench_*).

    createdb -h 127.0.0.1 -U postgres -T ns_bench_10000 ns_mine_10000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_mine_10000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/profile_write.py --cpu

Through the whole Django stack with a caseworker's token and a persistent connection, as
gunicorn would: prints the statements of one create and one update (SELECT / INSERT /
UPDATE / SAVEPOINT / COMMIT counted), then CPU milliseconds per request over ``--repeat``
(and, with ``--cpu``, a cProfile by cumulative CPU time).
"""

from __future__ import annotations

import argparse
import collections
import json
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

from northstar.core.tokens import issue_token  # noqa: E402
from northstar.survivors.models import Survivor  # noqa: E402

BODY = {"nationality": "KH", "languages": ["km"], "sex": "female",
        "given_name": "Bench Load", "family_name": "Writer"}


def kinds(captured) -> str:
    count = collections.Counter(q["sql"].split(None, 1)[0].upper() for q in captured)
    return ", ".join(f"{n} {k}" for k, n in sorted(count.items()))


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine:
    /proc/<pid>/stat, user + system), or 0.0 where it cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--user", default="caseworker.th")
    parser.add_argument("--cpu", action="store_true", help="also a cProfile by cumulative CPU")
    parser.add_argument("--only", choices=("create", "update"), default=None)
    args = parser.parse_args()
    user = get_user_model().objects.get(username=args.user)
    _, raw = issue_token(user, name="profile-write", days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    mine = Survivor.objects.filter(organisation=user.membership.organisation)
    targets = list(mine.order_by("id").values_list("id", flat=True)[:args.repeat * 3 + 10])
    versions = dict(mine.filter(id__in=targets).values_list("id", "version"))
    state = {"i": 0}

    def create():
        r = client.post("/api/v1/survivors", json.dumps(BODY), content_type="application/json")
        assert r.status_code == 201, r.content
        return r

    def update():
        sid = targets[state["i"] % len(targets)]
        state["i"] += 1
        r = client.patch(f"/api/v1/survivors/{sid}",
                         json.dumps({"version": versions[sid], "interpreter_needed": True}),
                         content_type="application/json")
        assert r.status_code == 200, r.content
        versions[sid] = r.json()["version"]
        return r

    for name, call in (("create", create), ("update", update)):
        if args.only and name != args.only:
            continue
        call()
        call()  # warm
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            call()
            took = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(f"\n== {name}: {took:.1f} ms, {len(ctx.captured_queries)} statements "
              f"({kinds(ctx.captured_queries)}; {sql_ms:.1f} ms in SQL)")
        for q in ctx.captured_queries:
            print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:200]}")
        server = backend_cpu()
        started = time.process_time()
        for _ in range(args.repeat):
            call()
        own = (time.process_time() - started) / args.repeat * 1000
        server = (backend_cpu() - server) / args.repeat * 1000
        print(f"CPU per {name}: {own:.2f} ms here + {server:.2f} ms in its PostgreSQL backend "
              f"(over {args.repeat}; load {Path('/proc/loadavg').read_text().split()[0]})")
        if args.cpu:
            import cProfile
            import pstats
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(args.repeat):
                call()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(
                int(os.environ.get("PROFILE_LINES", "60")))


if __name__ == "__main__":
    main()
