"""Every statement an API list request sends, with its PostgreSQL plan (issue 13, h-lists4).

Run against a copy of a bench population (it signs a token in, so it writes):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ns_me_100000 \\
        DJANGO_SETTINGS_MODULE=bench.scale_settings \\
        .venv/bin/python bench/lists_statements.py [PATH ...]

For each request (default: the survivor list, page 19 and 1901 of it, the case list) it
prints each statement the app sent, then ``EXPLAIN (ANALYZE, BUFFERS)`` of it twice: with
the values (the custom plan) and as a prepared statement under ``force_generic_plan`` (the
plan PostgreSQL keeps once server-side binding has prepared it). Not a test: it reads
plans and buffers, which are what grows with N or not.
"""

from __future__ import annotations

import os
import re
import sys

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from psycopg import sql as pgsql  # noqa: E402

from northstar.core.tokens import issue_token  # noqa: E402

PATHS = ["/api/v1/survivors?page_size=50", "/api/v1/survivors?page_size=50&page=19",
         "/api/v1/survivors?page_size=50&page=1901", "/api/v1/cases?page_size=50"]


_PROBE = None


def probe():
    """A connection of its own for the EXPLAINs (Django's keeps psycopg's prepared
    statements, which a DEALLOCATE would pull from under it)."""
    global _PROBE
    if _PROBE is None:
        _PROBE = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _PROBE


def literal(value) -> str:
    return pgsql.Literal(value).as_string(probe())


def explain(sql: str, params) -> list[str]:
    out = []
    with probe().cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        out.append("  custom plan:")
        out += ["    " + r[0] for r in cur.fetchall()]
        numbered = sql
        n = 0

        def number(_m):
            nonlocal n
            n += 1
            return f"${n}"

        numbered = re.sub(r"%s", number, sql)
        cur.execute(f"PREPARE lists4_probe AS {numbered}")
        cur.execute("SET plan_cache_mode = force_generic_plan")
        args = ", ".join(literal(p) for p in params)
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) EXECUTE lists4_probe"
                    + (f"({args})" if params else ""))
        out.append("  generic plan:")
        out += ["    " + r[0] for r in cur.fetchall()]
        cur.execute("RESET plan_cache_mode")
        cur.execute("DEALLOCATE lists4_probe")
    return out


def _keeper(sent: list):
    def keep(execute, sql, params, many, context):
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    return keep


def main(paths: list[str]) -> None:
    user = get_user_model().objects.get(username=os.environ.get("BENCH_USER", "caseworker.th"))
    _, raw = issue_token(user, name="lists4", days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    for path in paths:
        client.get(path)  # warm: the recipes are written, the connection is open
        sent: list[tuple[str, tuple]] = []
        with connection.execute_wrapper(_keeper(sent)):
            response = client.get(path)
        print(f"## {path}: {response.status_code}, {len(response.content)} bytes, "
              f"{len(sent)} statements")
        for sql, params in sent:
            print(f"- {sql[:600]}  {params[:8]}")
            if sql.lstrip().upper().startswith("SELECT"):
                print("\n".join(explain(sql, params)))
        print()


if __name__ == "__main__":
    main(sys.argv[1:] or PATHS)
