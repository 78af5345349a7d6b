"""Every statement the pages and the API run, planned for its values and generically (issue 13).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_generic_100000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/generic_plans.py \\
      [--only TEXT] [--roles caseworker,supervisor] [--all] [--planned] [--out plans.json]

With server-side binding (``NORTHSTAR_PG_SERVER_SIDE_BINDING``, on by default) psycopg
prepares a statement at its third run on a connection (``NORTHSTAR_PG_PREPARE_THRESHOLD``),
and after five runs PostgreSQL may keep one *generic* plan, made without the parameters'
values, for every later run on that connection, whichever organisation it serves. A plan
that is fine on average can read a whole table for a skewed value (twice already: the
timeline's coming tasks, 0.5 -> 20-26 ms at 100,000 survivors; the small organisation's
figures after the big one's; bench/README.md, h-plans and h-caseload4).

This script requests every GET URL of the UI and the API (``bench/sweep.py``'s walk of the
URL resolver, with the caseload's and the lists' usual query strings) as each role of the
largest organisation (``.th``, organisation 1) and of a small one (``.kh``, organisation 2),
ids filled from each organisation's own rows, and keeps every statement it runs with the
parameters of its first run for each organisation. Then, on a second connection, each
distinct statement with parameters is prepared with the parameter types psycopg gives them
(as the app's connection prepares it) and run under ``EXPLAIN (ANALYZE, BUFFERS)`` with
``plan_cache_mode = force_custom_plan`` and ``force_generic_plan`` (best of ``--repeat``,
planning included), with each organisation's values, in a transaction rolled back (an
``UPDATE`` or ``DELETE`` is explained too; a plain ``INSERT … VALUES`` has no plan to
choose and is left out). "auto" says which plan PostgreSQL itself keeps after six runs
with those values on a fresh connection (``pg_prepared_statements.generic_plans``).

Prints one row per statement and organisation: custom ms, generic ms, ratio, shared
buffers custom/generic (a count the machine's load does not change), auto's choice, and
the tables the generic plan scans sequentially but the custom one does not; then, for every
row whose generic plan is more than ``--ratio`` (3) times the custom one and over
``--floor`` (1) ms, the whole statement, its values and both plans. Statements read inside
``core.db.reading_figures()`` (``force_custom_plan``) or run within
``core.prepared.planned_each_run()`` (never prepared) are planned per run by the app and are
left out unless ``--planned``. Requests write audit entries: run it on a copy of a bench
database. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

import sweep  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402
from django.urls import get_resolver  # noqa: E402

#: The organisations compared: the largest and a small one (``bench`` populations).
ORGS = [("th", 1), ("kh", 2)]
#: Query strings the pages and lists are asked with as well as their bare URL.
VARIANTS = {"/": ["/?whose=all", "/?q=A", "/?apage=2", "/?attention=any",
                  "/?whose=all&status=open", "/?nationality=kh"],
            "/api/v1/survivors": ["/api/v1/survivors?page=2", "/api/v1/survivors?q=A"],
            "/api/v1/cases": ["/api/v1/cases?page=2", "/api/v1/cases?status=open"],
            "/referrals/": ["/referrals/?page=2"]}
#: Unbounded lists rendered whole and PDFs (seconds a request at 100k, no choice of plan
#: that matters beside their size; bench/README.md, h-sweep): only with ``--all``.
SLOW = ("/compensation/fund/", "/engagement/councils/", "/engagement/activities/",
        "/advocacy/", "/portal/staff/translations/", "/insights/report.pdf", ".pdf",
        "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/engagement/activities/",
        "/api/v1/compensation/fund/approvals", "/documents/exports/")
SKIP = ("/exit/", "/sign-out/", "/logout/", "/revoke", "/login/", "/language/")
ROLES = sweep.ROLES


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


def urls_of(org: int, everything: bool, only: str) -> list[str]:
    from northstar.insights import measures

    sweep.ORG = org
    measure = f"{measures.all_measures()[0].key}.total"
    seen, urls = set(), []
    for pattern, _name in sweep.walk(get_resolver().url_patterns):
        if pattern.startswith("admin/") or pattern in seen:
            continue
        seen.add(pattern)
        url = sweep.fill(pattern, measure)
        if url is None or any(s in url for s in SKIP):
            continue
        if not everything and any(s in url for s in SLOW):
            continue
        for one in [url, *VARIANTS.get(url, [])]:
            if not only or only in one:
                urls.append(one)
    return urls


class Capture:
    """Every statement run, by its SQL: the parameters, types and origin of its first run for
    each organisation, and how often it ran."""

    def __init__(self) -> None:
        self.statements: dict[str, dict] = {}
        self.org = ""
        self.where = ""

    def __call__(self, execute, sql, params, many, context):
        if not many and params and not isinstance(params, dict):  # %(name)s: not the app's
            from psycopg.adapt import PyFormat, Transformer

            from northstar.core import db

            found = self.statements.setdefault(sql, {"calls": 0, "by_org": {}, "where": self.where,
                                                     "figures": False, "each_run": False})
            found["calls"] += 1
            if db._alias.get() is not None:
                found["figures"] = True
            if connection.connection.prepare_threshold is None:  # core.prepared.planned_each_run
                found["each_run"] = True
            if self.org not in found["by_org"]:
                values = list(params)
                tx = Transformer(connection.connection)
                tx.dump_sequence(values, [PyFormat.AUTO] * len(values))
                found["by_org"][self.org] = {"params": values, "types": list(tx.types or ()),
                                             "where": self.where}
        return execute(sql, params, many, context)


def run_requests(capture: Capture, roles: list[str], everything: bool, only: str) -> None:
    from django.contrib.auth import get_user_model
    from prepare import session_for
    from spend import wsgi_call

    from northstar.core.tokens import issue_token
    from northstar.wsgi import application as app

    users = get_user_model().objects
    for code, org in ORGS:
        urls = urls_of(org, everything, only)
        sweep.ORG = org
        capture.org = code
        for role in roles:
            if role == "portal":
                headers_for = sweep.portal_headers(app, wsgi_call)
                if headers_for is None:
                    continue
                role_urls = [u for u in urls if u.startswith("/portal/") and "/staff/" not in u]
            else:
                user = users.get(username=f"{role}.{code}")
                _, raw = issue_token(user, name="generic-plans", days=1)
                session = session_for(user)
                role_urls = [u for u in urls if not u.startswith("/portal/") or "/staff/" in u]
            started, errors = time.perf_counter(), 0
            for url in role_urls:
                if role == "portal":
                    headers = headers_for
                elif url.startswith("/api/"):
                    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
                else:
                    headers = {"HTTP_COOKIE": f"sessionid={session}"}
                capture.where = f"{role}.{code} {url}"
                try:
                    with connection.execute_wrapper(capture):
                        wsgi_call(app, "GET", url, headers)
                except Exception as error:  # noqa: BLE001 - a sweep notes what fails
                    errors += 1
                    print(f"-- {role}.{code} {url}: {error!r}", file=sys.stderr)
            print(f"# {role}.{code}: {len(role_urls)} URLs in "
                  f"{time.perf_counter() - started:.0f} s, {errors} errors, "
                  f"{len(capture.statements)} statements so far", flush=True)


def explain(cursor, name: str, args: str, mode: str, repeat: int) -> dict:
    cursor.execute(f"SET plan_cache_mode = {mode}")
    best = None
    for _ in range(repeat):
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE {name}{args}")
        out = cursor.fetchone()[0]
        out = out[0] if isinstance(out, list) else json.loads(out)[0]
        ms = out.get("Planning Time", 0.0) + out["Execution Time"]
        if best is None or ms < best["ms"]:
            best = {"ms": ms, "plan": out}
        if ms > 2000:  # a slow statement is not asked again
            break
    node = best["plan"]["Plan"]
    best["buffers"] = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
    best["seq"] = sorted(set(_seq_scans(node)))
    return best


def _seq_scans(node: dict):
    if node["Node Type"] == "Seq Scan":
        yield node.get("Relation Name", "?")
    for child in node.get("Plans", []):
        yield from _seq_scans(child)


def plan_lines(node: dict, depth: int = 0) -> list[str]:
    node = node.get("Plan", node)
    what = node["Node Type"]
    for key in ("Relation Name", "Index Name"):
        if key in node:
            what += f" {node[key]}"
    for key in ("Index Cond", "Filter", "Recheck Cond", "Hash Cond", "Join Filter"):
        if key in node:
            what += f" [{key}: {node[key][:160]}]"
    lines = [f"{'  ' * depth}{what} (rows {node.get('Actual Rows')} x{node.get('Actual Loops')}, "
             f"{node.get('Actual Total Time')} ms, buffers "
             f"{node.get('Shared Hit Blocks', 0) + node.get('Shared Read Blocks', 0)})"]
    for child in node.get("Plans", []):
        lines += plan_lines(child, depth + 1)
    return lines


def auto_choice(other, cursor, name: str, sql: bytes, types: list[int], args: str) -> str:
    """Which plan PostgreSQL keeps on its own after six runs with these values."""
    _prepare(other, name, sql, types)
    cursor.execute("RESET plan_cache_mode")
    for _ in range(6):
        cursor.execute(f"EXPLAIN EXECUTE {name}{args}")
        cursor.fetchall()
    cursor.execute("SELECT generic_plans FROM pg_prepared_statements WHERE name = %s", [name])
    (generic,) = cursor.fetchone()
    return "generic" if generic else "custom"


def _prepare(other, name: str, sql: bytes, types: list[int]) -> None:
    import psycopg
    from psycopg import pq

    result = other.pgconn.prepare(name.encode(), sql, types)
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.lookup(result.error_field(pq.DiagnosticField.SQLSTATE).decode())(
            result.get_error_message())


def compare(capture: Capture, args) -> list[dict]:
    import psycopg
    from psycopg import sql as pgsql

    other = psycopg.connect(os.environ["DATABASE_URL"])
    cursor = other.cursor()
    cursor.execute("SET jit = off")
    cursor.execute(f"SET statement_timeout = '{int(args.timeout * 1000)}'")
    other.commit()
    rows, counter, skipped = [], 0, 0
    statements = sorted(capture.statements.items(), key=lambda kv: -kv[1]["calls"])
    for sql, seen in statements:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("SELECT", "UPDATE", "DELETE", "WITH", "INSERT"):
            continue
        if head == "INSERT" and " SELECT " not in sql.upper():
            continue
        if (seen["figures"] or seen["each_run"]) and not args.planned:
            skipped += 1
            continue
        for org, first in seen["by_org"].items():
            counter += 1
            name = f"generic_plans_{counter}"
            text = dollar_sql(sql).encode()
            literals = [pgsql.Literal(p).as_string(other) for p in first["params"]]
            call = f"({', '.join(literals)})"
            row = {"sql": sql, "org": org, "calls": seen["calls"], "where": first["where"],
                   "params": [repr(p) for p in first["params"]]}
            try:
                _prepare(other, name, text, first["types"])
                row["custom"] = explain(cursor, name, call, "force_custom_plan", args.repeat)
                row["generic"] = explain(cursor, name, call, "force_generic_plan", args.repeat)
                other.rollback()
                row["auto"] = auto_choice(other, cursor, name + "_auto", text, first["types"], call)
            except psycopg.Error as error:
                other.rollback()
                row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
            finally:
                other.rollback()
                for prepared in (name, name + "_auto"):
                    other.pgconn.exec_(f"DEALLOCATE {prepared}".encode())
            rows.append(row)
            if len(rows) % 50 == 0:
                print(f"# {len(rows)} explained", flush=True)
    other.close()
    print(f"# {skipped} statements planned per run by the app (figures, planned_each_run) "
          f"left out", flush=True)
    return rows


def short(sql: str, width: int = 110) -> str:
    return " ".join(sql.split())[:width]


def report(rows: list[dict], args) -> None:
    done = [r for r in rows if "error" not in r]
    for r in done:
        r["ratio"] = r["generic"]["ms"] / max(r["custom"]["ms"], 0.001)
        r["bad"] = r["ratio"] > args.ratio and r["generic"]["ms"] > args.floor
    done.sort(key=lambda r: -r["ratio"])
    print(f"\n# {len(done)} statement x organisation explained, {len(rows) - len(done)} not "
          f"(errors below); load {os.getloadavg()[0]:.1f}")
    print("flag\torg\tcalls\tcustom ms\tgeneric ms\tratio\tbuffers c/g\tauto\tgeneric-only seq "
          "scans\tfirst run by\tstatement")
    for r in done:
        extra = sorted(set(r["generic"]["seq"]) - set(r["custom"]["seq"]))
        print(f"{'BAD' if r['bad'] else 'ok'}\t{r['org']}\t{r['calls']}\t{r['custom']['ms']:.2f}"
              f"\t{r['generic']['ms']:.2f}\t{r['ratio']:.1f}\t{r['custom']['buffers']}/"
              f"{r['generic']['buffers']}\t{r['auto']}\t{','.join(extra) or '-'}\t{r['where']}\t"
              f"{short(r['sql'], 90)}")
    for r in rows:
        if "error" in r:
            print(f"! {r['org']}\t{r['error']}\t{short(r['sql'])}")
    for r in done:
        if not r["bad"]:
            continue
        print(f"\n## BAD {r['org']}: custom {r['custom']['ms']:.2f} ms, generic "
              f"{r['generic']['ms']:.2f} ms (auto: {r['auto']}); first run by {r['where']}")
        print(r["sql"])
        print("values:", ", ".join(r["params"]))
        print("custom plan:\n  " + "\n  ".join(plan_lines(r["custom"]["plan"])))
        print("generic plan:\n  " + "\n  ".join(plan_lines(r["generic"]["plan"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--only", default="", help="text a URL must contain")
    parser.add_argument("--all", action="store_true", help="the slow whole lists and PDFs too")
    parser.add_argument("--planned", action="store_true",
                        help="also the statements the app plans per run (reading_figures(), "
                             "core.prepared.planned_each_run)")
    parser.add_argument("--repeat", type=int, default=3, help="EXPLAIN ANALYZE runs per mode")
    parser.add_argument("--ratio", type=float, default=3.0)
    parser.add_argument("--floor", type=float, default=1.0, help="ms a generic plan must exceed")
    parser.add_argument("--timeout", type=float, default=30.0, help="s per EXPLAIN")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    binding = connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    print(f"# {connection.settings_dict['NAME']}, server-side binding "
          f"{'on' if binding else 'off'}, load {os.getloadavg()[0]:.1f}", flush=True)
    capture = Capture()
    run_requests(capture, args.roles.split(","), args.all, args.only)
    rows = compare(capture, args)
    report(rows, args)
    if args.out:
        for r in rows:
            for mode in ("custom", "generic"):
                if mode in r:
                    r[mode] = {k: v for k, v in r[mode].items() if k != "plan"} | {
                        "plan": plan_lines(r[mode]["plan"])}
        Path(args.out).write_text(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
