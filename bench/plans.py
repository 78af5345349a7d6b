"""The figures under prepared (generic) plans: each figure requested N times on one kept
connection, then every statement PostgreSQL prepared on it planned both ways.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_plans_100000 \\
    NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/plans.py [N] [LABEL]

Since h-binding, psycopg prepares a statement at its third run on a connection and
PostgreSQL, after five custom plans, may keep one *generic* plan made without the
parameters' values (issue 13). A generic plan made for the average organisation can be
bad for a skewed one, so for each figure (compensation API and page, delivery, the
insights figures; a researcher and a supervisor of the big organisation, the small
organisation's, a funder and a government user) this prints:

- each run's wall time and CPU time in milliseconds (runs 1-2 unprepared, 3-7 prepared
  with custom plans, 8+ with the generic plan where PostgreSQL chose it), the statements;
- for every statement prepared on the connection with a generic plan in use
  (``pg_prepared_statements.generic_plans > 0``): its execution time with
  ``plan_cache_mode = force_custom_plan`` and ``force_generic_plan`` (``EXPLAIN (ANALYZE)
  EXECUTE`` on a second connection, the parameters of the last run, best of 3), and the
  generic plan when it is worse by more than a fifth and 0.5 ms.

Each run's PostgreSQL CPU is the backend's own (``/proc/<pid>/schedstat``), which the load
of other sessions on the machine changes less than wall time. LABEL keeps the figures
whose label holds it (``a|b``: either). Run it with ``NORTHSTAR_PG_SERVER_SIDE_BINDING=off`` too for the times without binding (no
statement is then prepared). Nothing is asserted; the figures are not changed.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

FIGURES = [
    ("compensation API (supervisor.th)", "supervisor.th", "api", "/api/v1/compensation/figures"),
    ("compensation API (researcher.th)", "researcher.th", "api", "/api/v1/compensation/figures"),
    ("compensation API (supervisor.kh)", "supervisor.kh", "api", "/api/v1/compensation/figures"),
    ("compensation page (researcher.th)", "researcher.th", "page", "/compensation/figures/"),
    ("compensation page (researcher.kh)", "researcher.kh", "page", "/compensation/figures/"),
    ("delivery API (researcher.th)", "researcher.th", "api", "/api/v1/pathways/delivery"),
    ("delivery API (supervisor.th)", "supervisor.th", "api", "/api/v1/pathways/delivery"),
    ("delivery API (researcher.kh)", "researcher.kh", "api", "/api/v1/pathways/delivery"),
    ("insights API (researcher.th)", "researcher.th", "api", "/api/v1/insights/figures"),
    ("insights API (supervisor.th)", "supervisor.th", "api", "/api/v1/insights/figures"),
    ("insights API (researcher.kh)", "researcher.kh", "api", "/api/v1/insights/figures"),
    ("insights API (funder.th)", "funder.th", "api", "/api/v1/insights/figures"),
    ("insights API (government.th)", "government.th", "api", "/api/v1/insights/figures"),
    # The small organisation's reader on a connection that served the big one's first.
    ("compensation API (researcher.th>researcher.kh)", "researcher.th>researcher.kh", "api",
     "/api/v1/compensation/figures"),
    ("compensation API (supervisor.th>supervisor.kh)", "supervisor.th>supervisor.kh", "api",
     "/api/v1/compensation/figures"),
    ("delivery API (researcher.th>researcher.kh)", "researcher.th>researcher.kh", "api",
     "/api/v1/pathways/delivery"),
    ("compensation page (researcher.kh>researcher.th)", "researcher.kh>researcher.th", "page",
     "/compensation/figures/"),
]
#: A table's CSV counts its one measure without the dashboard's temporary table (whose
#: name changes per request, so the dashboard's statements are never prepared): these are.
MEASURES = ["own_outcome_delivered.trial", "identification_funnel.class",
            "time_to_first_support.days", "do_no_harm.findings", "compensation.received",
            "held_to_account.party", "outcomes.wellbeing.by_moment",
            "outcomes.fairness.by_moment", "outcomes.follow_up.check_ins",
            "engagement.consultations_held.by_setting",
            "engagement.survivors_consulted.by_setting", "engagement.changes_made.all",
            "engagement.survivors_taking_part.by_activity_kind",
            "engagement.outreach_sessions.by_kind", "engagement.outreach_audience.by_kind"]
FIGURES += [(f"insights CSV {m} ({u})", u, "page", f"/insights/tables/{m}.csv")
            for u in ("researcher.th", "researcher.kh", "researcher.th>researcher.kh")
            for m in MEASURES]


def backend_ns(connection) -> int:
    """The PostgreSQL backend process of Django's connection (opened if need be)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _schedstat(pid: int) -> int:
    """CPU nanoseconds the backend has run (``/proc/<pid>/schedstat``): PostgreSQL's own
    time, apart from the load of other sessions on the machine."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def dollar_sql(sql: str) -> str:
    """Django's ``%s`` placeholders as psycopg sends them (``$1``, ``$2``…)."""
    n = 0

    def repl(match):
        nonlocal n
        if match.group(0) == "%%":
            return "%"
        n += 1
        return f"${n}"

    return re.sub(r"%%|%s", repl, sql)


def explain_ms(cursor, name: str, literals: list[str], mode: str) -> tuple[float, dict]:
    cursor.execute(f"SET plan_cache_mode = {mode}")
    best, plan = None, None
    for _ in range(3):
        args = f"({', '.join(literals)})" if literals else ""
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}{args}")
        out = cursor.fetchone()[0]
        out = out[0] if isinstance(out, list) else json.loads(out)[0]
        ms = out["Planning Time"] + out["Execution Time"]
        if best is None or ms < best:
            best, plan = ms, out
    return best, plan


def plan_lines(plan: dict, depth: int = 0) -> list[str]:
    node = plan.get("Plan", plan)
    what = node["Node Type"]
    for key in ("Relation Name", "Index Name"):
        if key in node:
            what += f" {node[key]}"
    lines = [f"{'  ' * depth}{what} (rows {node.get('Actual Rows')}, "
             f"{node.get('Actual Total Time')} ms)"]
    for child in node.get("Plans", []):
        lines += plan_lines(child, depth + 1)
    return lines


def main(n: int, only: str = "") -> None:
    import django

    django.setup()
    import psycopg
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from northstar.core.tokens import issue_token

    binding = bool(connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"))
    print(f"# binding {'on' if binding else 'off'}, {n} runs per figure, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    users = get_user_model().objects
    seen: dict[str, tuple[str, list]] = {}  # $-SQL -> (Django SQL, last params)

    def keep(execute, sql, params, many, context):
        if not many:
            seen[dollar_sql(sql)] = (sql, list(params or ()))
        return execute(sql, params, many, context)

    other = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    oc = other.cursor()
    oc.execute("SET jit = off")
    counter = 0
    for label, username, kind, url in FIGURES:
        if not any(part in label for part in only.split("|")):
            continue
        def client_of(username, kind=kind):
            if kind == "api":
                _, raw = issue_token(users.get(username=username), name="plans", days=1)
                return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(users.get(username=username))
            return client

        connection.close()  # a fresh connection: nothing prepared yet
        seen.clear()
        if ">" in username:
            # The connection first serves another organisation's reader N times (as a kept
            # connection serves whoever comes next), then the one measured.
            first, username = username.split(">")
            warm = client_of(first)
            for _ in range(n):
                warm.get(url)
        client = client_of(username)
        runs = []
        with connection.execute_wrapper(keep):
            for _ in range(n):
                backend = backend_ns(connection)
                with CaptureQueriesContext(connection) as captured:
                    wall, cpu = time.perf_counter(), time.process_time()
                    before = _schedstat(backend)
                    response = client.get(url)
                    db = (_schedstat(backend) - before) / 1e6
                    wall = (time.perf_counter() - wall) * 1000
                    cpu = (time.process_time() - cpu) * 1000
                if response.status_code != 200:
                    break
                runs.append((wall, cpu, len(captured.captured_queries), db))
        if not runs:
            print(f"{label}\tanswered {response.status_code}: left out", flush=True)
            continue
        print(f"{label}\twall ms " + " ".join(f"{r[0]:.0f}" for r in runs)
              + "\tcpu ms " + " ".join(f"{r[1]:.0f}" for r in runs)
              + "\tpostgres cpu ms " + " ".join(f"{r[3]:.0f}" for r in runs)
              + f"\t{runs[-1][2]} statements", flush=True)
        if not binding:
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, statement, parameter_types::text[], generic_plans, "
                           "custom_plans FROM pg_prepared_statements WHERE NOT from_sql")
            prepared = cursor.fetchall()
        generic = [p for p in prepared if p[3] > 0 and p[2]]  # parameters: a choice
        print(f"  prepared {len(prepared)}, with a generic plan in use {len(generic)}")
        for _name, statement, types, _g, _c in generic:
            if statement not in seen:
                print(f"  ? not captured: {statement[:120]}")
                continue
            _sql, params = seen[statement]
            counter += 1
            name = f"plans_{counter}"
            try:
                oc.execute(f"PREPARE {name} ({', '.join(types)}) AS {statement}")
                literals = [psycopg.sql.Literal(p).as_string(other) for p in params]
                custom, _ = explain_ms(oc, name, literals, "force_custom_plan")
                worse, gplan = explain_ms(oc, name, literals, "force_generic_plan")
            except psycopg.Error as e:
                print(f"  ! {type(e).__name__}: {e} in {statement[:120]}")
                continue
            finally:
                oc.execute("RESET plan_cache_mode")
            flag = "WORSE" if worse > custom * 1.2 and worse - custom > 0.5 else "ok"
            print(f"  {flag}\tcustom {custom:.2f} ms\tgeneric {worse:.2f} ms\t"
                  f"{' '.join(statement.split())[:150]}", flush=True)
            if flag == "WORSE":
                print("    params:", params)
                print("    " + "\n    ".join(plan_lines(gplan)))
    other.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10, *sys.argv[2:3])
