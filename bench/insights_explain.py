"""``EXPLAIN (ANALYZE, BUFFERS)`` of every insights statement of one organisation, with a
reference query's time beside it (to read a loaded machine's figures).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_insights2_100000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/insights_explain.py \\
      --once --measures own_outcome_delivered [--plans]

For the organisation with the most cases (or ``--org``): the statement(s) each measure runs
(captured through ``connection.execute_wrapper``), then each run again under ``EXPLAIN
(ANALYZE, BUFFERS)`` in the same transaction settings the measure uses (``work_mem``).
``--once`` inside one ``counting.counted_once`` (the dashboard's way; its ``CREATE`` is
explained too). Prints per statement: execution time, shared buffers hit and read, temp
blocks, the slowest plan nodes (``--plans`` the whole plan); and the reference: ``SELECT
count(*) FROM survivors_case`` (a sequential scan of the cases), timed the same way before
and after. Reads only (the temporary table lives in the transaction). Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve()


def nodes(plan: dict, depth: int = 0):
    """Every node of a JSON plan with its exclusive time (its own, children's taken off)."""
    children = plan.get("Plans", [])
    total = plan.get("Actual Total Time", 0) * plan.get("Actual Loops", 1)
    own = total - sum(c.get("Actual Total Time", 0) * c.get("Actual Loops", 1)
                      for c in children)
    yield depth, plan, own
    for child in children:
        yield from nodes(child, depth + 1)


def label(plan: dict) -> str:
    name = plan["Node Type"]
    for key in ("Relation Name", "Index Name", "CTE Name", "Alias"):
        if key in plan:
            name += f" {plan[key]}"
            break
    if "Sort Method" in plan:
        name += f" ({plan['Sort Method']} {plan.get('Sort Space Used', '?')} kB)"
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", type=int)
    parser.add_argument("--measures", help="only these measure keys (comma-separated)")
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--plans", action="store_true", help="print every plan node")
    parser.add_argument("--top", type=int, default=6)
    args = parser.parse_args()
    sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(HERE.parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count

    from northstar.insights import counting
    from northstar.insights.measures import all_measures, resolve
    from northstar.survivors.models import Case

    org = args.org or (Case.objects.values("organisation_id").annotate(n=Count("pk"))
                       .order_by("-n")[0]["organisation_id"])
    wanted = set(args.measures.split(",")) if args.measures else None

    def explain(sql: str, params) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
            return cursor.fetchone()[0][0]

    def reference() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            found = explain("SELECT count(*) FROM survivors_case", [])
            cursor.execute("RESET max_parallel_workers_per_gather")
        return found["Execution Time"]

    def show(name: str, found: dict) -> None:
        plan = found["Plan"]
        hit = plan.get("Shared Hit Blocks", 0)
        read = plan.get("Shared Read Blocks", 0)
        temp = plan.get("Temp Read Blocks", 0) + plan.get("Temp Written Blocks", 0)
        print(f"{name:40} {found['Execution Time']:9.1f} ms  buffers hit {hit:7d} read {read:6d}"
              f" temp {temp:5d}  rows {plan.get('Actual Rows')}  load "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        ranked = sorted(nodes(plan), key=lambda n: -n[2])
        for depth, node, own in (sorted(nodes(plan), key=lambda n: 0) if args.plans
                                 else ranked[:args.top]):
            print(f"    {'  ' * depth if args.plans else ''}{own:8.1f} ms own  "
                  f"rows {node.get('Actual Rows', 0) * node.get('Actual Loops', 1):>8}  "
                  f"{label(node)}")

    captured: list[tuple[str, object]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with transaction.atomic():
        print(f"reference count(*) of the cases (no parallel workers): {reference():.1f} ms")
        once = contextlib.nullcontext()
        if args.once:
            with connection.execute_wrapper(capture):
                once = counting.counted_once([org])
                once.__enter__()
            made = [(s, p) for s, p in captured if s.startswith("CREATE TEMPORARY")]
            if made:
                sql, params = made[0]
                select = sql[sql.index(" AS ") + 4:]
                show("counted_once (the gated set, as a SELECT)", explain(select, params))
        for measure in all_measures():
            if wanted and measure.key not in wanted:
                continue
            captured.clear()
            with connection.execute_wrapper(capture):
                resolve(measure)(org)
            for sql, params in captured:
                if not sql.lstrip().startswith(("WITH", "SELECT")) or "set_config" in sql:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('work_mem', %s, true)",
                                   [counting.WORK_MEM])
                show(measure.key, explain(sql, params))
        once.__exit__(None, None, None)
        print(f"reference count(*) of the cases (no parallel workers): {reference():.1f} ms")
    print(json.dumps({"org": org, "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
