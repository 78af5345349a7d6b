"""The caseload's search by reference at N survivors: one request per search term, its
slowest statements and their plans.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_plans_100000 \\
    NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/caseload_search.py [N]

For a supervisor (every survivor of the organisation) and a caseworker ("my cases"), each
term (a whole reference, a part of one, a term nothing matches, a term most references
hold) is requested N times (default 5) on one kept connection: wall and CPU milliseconds
per run, then the times of the search's statements (those with ``LIKE``) in the last run and the
two slowest with their ``EXPLAIN
(ANALYZE)`` on a second connection (the values written in, as Django's client-side
binding sends them; run with NORTHSTAR_PG_SERVER_SIDE_BINDING=off for those). Prints;
asserts nothing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")


def main(n: int) -> None:
    import django

    django.setup()
    import psycopg
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from northstar.survivors.models import Survivor

    newest = Survivor.objects.filter(organisation_id=1).order_by("-created_at", "-id")
    whole = newest.values_list("reference", flat=True)[5000]
    oldest = newest.reverse().values_list("reference", flat=True)[10]
    terms = [("whole reference, recent", whole), ("whole reference, old", oldest),
             ("part of one (6 chars)", oldest[-6:]), ("matches nothing", "ZZZZQQQQ"),
             ("in most references", "MHF")]
    other = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    oc = other.cursor()
    oc.execute("SET jit = off")
    print(f"# {Survivor.objects.count()} survivors, {n} runs per term, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    for username in ("supervisor.th", "caseworker.th"):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=username))
        for label, term in terms:
            runs = []
            for _ in range(n):
                with CaptureQueriesContext(connection) as captured:
                    wall, cpu = time.perf_counter(), time.process_time()
                    response = client.get("/", {"q": term, "whose": "all"}
                                          if username.startswith("supervisor") else {"q": term})
                    wall = (time.perf_counter() - wall) * 1000
                    cpu = (time.process_time() - cpu) * 1000
                assert response.status_code == 200
                runs.append((wall, cpu))
            print(f"{username}\t{label} ({term})\twall ms "
                  + " ".join(f"{w:.0f}" for w, _ in runs) + "\tcpu ms "
                  + " ".join(f"{c:.0f}" for _, c in runs)
                  + f"\t{len(captured.captured_queries)} statements", flush=True)
            searching = [q for q in captured.captured_queries if "LIKE" in q["sql"]]
            print("  the search's statements, ms: "
                  + " ".join(f"{float(q['time']) * 1000:.1f}" for q in searching))
            slowest = sorted(searching, key=lambda q: -float(q["time"]))[:2]
            for q in slowest:
                sql = q["sql"]
                print(f"  {float(q['time']) * 1000:.1f} ms\t{' '.join(sql.split())[:160]}")
                if "$1" in sql or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                oc.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql)
                for (line,) in oc.fetchall():
                    print(f"      {line}")
    other.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
