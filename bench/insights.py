"""The insights figures over a large population, on PostgreSQL, against DuckDB (issue 15 §4).

    .venv/bin/python bench/insights.py --cases 100000            # or 1000000, the issue's size
    .venv/bin/python bench/insights.py --cases 1000000 --organisations 50 --jurisdictions 10

1. **Population**: ``manage.py insights_population`` into a PostgreSQL database
   ``ns_insights_<size>`` (``ns_insights_1m`` for a million), generated once (marked with a
   database comment naming the figures) and reused; ``migrate`` runs on it every time, so
   merged migrations (indexes) apply.
2. **Export**: the columns the measures read, per table, by PostgreSQL ``COPY … TO STDOUT``
   (CSV) into DuckDB (in memory, typed) and from there ``COPY … TO`` Parquet files
   (``var/bench/insights-<size>/``). DuckDB's postgres scanner would need an extension
   download; this needs nothing but the ``duckdb`` wheel. JSON fields are flattened on the
   way (the first-ranked outcome, an identification decision's outcome).
3. **Measures**: each insights aggregate as SQL, per organisation (the roll-ups add
   per-organisation counts, never pooled records): the same SQL text on both sides but for
   the two flattened JSON values. PostgreSQL runs it over the live tables (``jit = off``,
   as an OLTP server should run: see the README), DuckDB over the Parquet files (views).
   Both answer with the same rows or the run says which measure differs.
4. **Northstar's own counting** (``--northstar``): when ``northstar.insights`` has
   counting functions (``insights.measures``: ``count(organisation_id, *, period)``), each
   is timed for every organisation and added up (``core.tables.add``).
5. **Materialised counts** (``--materialised``): the figures read from
   ``insights_figurecount`` (per-organisation counts written by the ``refresh_counts``
   job), with the job's own time.

Times are medians of ``--runs`` after one warming run; ratios Northstar / DuckDB per
measure. Nothing is asserted; a results file goes to ``bench/results/insights-<date>.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import BIN, PG, ROOT, VAR, admin, db_comment, env_for, log  # noqa: E402

#: The instant the consent gate is judged at: fixed, so both sides count the same people.
AT = "TIMESTAMPTZ '2026-12-01 00:00:00+00'"

# --- the columnar extract: table → (select over PostgreSQL, DuckDB column types) -------------
EXPORT = {
    "survivors_survivor": ("SELECT id, organisation_id, sex, birth_year FROM survivors_survivor",
                           {"id": "BIGINT", "organisation_id": "BIGINT", "sex": "VARCHAR",
                            "birth_year": "INTEGER"}),
    "survivors_case": (
        "SELECT id, survivor_id, organisation_id, jurisdiction, trial_participation, created_at, "
        "archived_at FROM survivors_case",
        {"id": "BIGINT", "survivor_id": "BIGINT", "organisation_id": "BIGINT",
         "jurisdiction": "VARCHAR", "trial_participation": "VARCHAR", "created_at": "TIMESTAMPTZ",
         "archived_at": "TIMESTAMPTZ"}),
    "survivors_consent": (
        "SELECT survivor_id, purpose, given_at, withdrawn_at, expires_at FROM survivors_consent",
        {"survivor_id": "BIGINT", "purpose": "VARCHAR", "given_at": "TIMESTAMPTZ",
         "withdrawn_at": "TIMESTAMPTZ", "expires_at": "TIMESTAMPTZ"}),
    "pathways_priorities": (
        "SELECT id, case_id, ranking->>0 AS first_outcome, recorded_at FROM pathways_priorities",
        {"id": "BIGINT", "case_id": "BIGINT", "first_outcome": "VARCHAR",
         "recorded_at": "TIMESTAMPTZ"}),
    "pathways_planitem": (
        "SELECT id, case_id, intervention, pathway, outcome, status FROM pathways_planitem",
        {"id": "BIGINT", "case_id": "BIGINT", "intervention": "VARCHAR", "pathway": "VARCHAR",
         "outcome": "VARCHAR", "status": "VARCHAR"}),
    "pathways_planstatuschange": (
        "SELECT item_id, status, changed_at FROM pathways_planstatuschange",
        {"item_id": "BIGINT", "status": "VARCHAR", "changed_at": "TIMESTAMPTZ"}),
    "screening_screening": (
        "SELECT id, case_id, classification, created_at FROM screening_screening",
        {"id": "BIGINT", "case_id": "BIGINT", "classification": "VARCHAR",
         "created_at": "TIMESTAMPTZ"}),
    "justice_timelineevent": (
        "SELECT case_id, kind, occurred_on, details->>'outcome' AS id_outcome, voided_at "
        "FROM justice_timelineevent",
        {"case_id": "BIGINT", "kind": "VARCHAR", "occurred_on": "DATE", "id_outcome": "VARCHAR",
         "voided_at": "TIMESTAMPTZ"}),
    "compensation_claim": (
        "SELECT id, case_id, route, status, amount_awarded, filed_on, decided_on "
        "FROM compensation_claim",
        {"id": "BIGINT", "case_id": "BIGINT", "route": "VARCHAR", "status": "VARCHAR",
         "amount_awarded": "DECIMAL(14,2)", "filed_on": "DATE", "decided_on": "DATE"}),
    "compensation_payment": (
        "SELECT claim_id, amount, received_on FROM compensation_payment",
        {"claim_id": "BIGINT", "amount": "DECIMAL(14,2)", "received_on": "DATE"}),
    "safeguards_finding": (
        "SELECT case_id, rule, severity, status FROM safeguards_finding",
        {"case_id": "BIGINT", "rule": "VARCHAR", "severity": "VARCHAR", "status": "VARCHAR"}),
}

# --- the measures: {first} and {id_outcome} are the two JSON reads -------------------------
#: Cases whose survivor's consent allows statistics at AT (consent.flows_q as SQL).
COUNTED = f"""counted AS (
  SELECT c.id, c.survivor_id, c.organisation_id, c.jurisdiction, c.trial_participation,
         c.created_at
  FROM survivors_case c
  WHERE c.archived_at IS NULL {{one_org}} AND EXISTS (
    SELECT 1 FROM survivors_consent k WHERE k.survivor_id = c.survivor_id
      AND k.purpose = 'statistics' AND k.given_at <= {AT}
      AND (k.withdrawn_at IS NULL OR k.withdrawn_at > {AT})
      AND (k.expires_at IS NULL OR k.expires_at > {AT})))"""
#: Own outcome delivered, per case: the latest ranking's first outcome, and whether a plan
#: item for it was delivered.
OWN = COUNTED + """,
ranked AS (
  SELECT DISTINCT ON (p.case_id) p.case_id, {first} AS first_outcome
  FROM pathways_priorities p WHERE p.case_id IN (SELECT id FROM counted)
  ORDER BY p.case_id, p.recorded_at DESC, p.id DESC),
own AS (
  SELECT c.*, r.first_outcome, EXISTS (
    SELECT 1 FROM pathways_planitem i WHERE i.case_id = c.id
      AND i.outcome = r.first_outcome AND i.status = 'delivered') AS got
  FROM counted c JOIN ranked r ON r.case_id = c.id)"""
SHARE = ("COUNT(DISTINCT survivor_id) FILTER (WHERE got) AS people, "
         "COUNT(DISTINCT survivor_id) AS of_people")

MEASURES: dict[str, str] = {
    "own_outcome.trial": f"""WITH {OWN}
SELECT organisation_id, trial_participation AS k1, '' AS k2, {SHARE} FROM own GROUP BY 1, 2""",
    "own_outcome.jurisdiction": f"""WITH {OWN}
SELECT organisation_id, jurisdiction AS k1, '' AS k2, {SHARE} FROM own GROUP BY 1, 2""",
    "own_outcome.sex_age": f"""WITH {OWN}
SELECT o.organisation_id, s.sex AS k1,
  CASE WHEN s.birth_year IS NULL THEN 'unknown'
       WHEN EXTRACT(YEAR FROM o.created_at) - s.birth_year < 18 THEN 'under_18'
       WHEN EXTRACT(YEAR FROM o.created_at) - s.birth_year < 25 THEN '18_24'
       WHEN EXTRACT(YEAR FROM o.created_at) - s.birth_year < 40 THEN '25_39'
       ELSE '40_plus' END AS k2,
  COUNT(DISTINCT o.survivor_id) FILTER (WHERE o.got) AS people,
  COUNT(DISTINCT o.survivor_id) AS of_people
FROM own o JOIN survivors_survivor s ON s.id = o.survivor_id GROUP BY 1, 2, 3""",
    "own_outcome.quarter": f"""WITH {OWN}
SELECT organisation_id,
  CAST(EXTRACT(YEAR FROM created_at) AS INTEGER) || 'Q'
    || CAST(EXTRACT(QUARTER FROM created_at) AS INTEGER) AS k1, '' AS k2, {SHARE}
FROM own GROUP BY 1, 2""",
    "own_outcome.intervention": f"""WITH {OWN}
SELECT o.organisation_id, i.pathway AS k1, i.intervention AS k2,
  COUNT(DISTINCT o.survivor_id) FILTER (WHERE i.status = 'delivered') AS people,
  COUNT(DISTINCT o.survivor_id) AS of_people
FROM own o JOIN pathways_planitem i ON i.case_id = o.id AND i.outcome = o.first_outcome
GROUP BY 1, 2, 3""",
    "funnel": f"""WITH {COUNTED},
latest AS (
  SELECT DISTINCT ON (s.case_id) s.case_id, s.classification
  FROM screening_screening s WHERE s.case_id IN (SELECT id FROM counted)
  ORDER BY s.case_id, s.created_at DESC, s.id DESC),
steps AS (
  SELECT c.organisation_id, c.survivor_id, l.classification,
    EXISTS (SELECT 1 FROM justice_timelineevent e WHERE e.case_id = c.id
            AND e.kind = 'identification_decision' AND e.voided_at IS NULL
            AND {{id_outcome}} = 'identified') AS identified,
    EXISTS (SELECT 1 FROM pathways_planitem i JOIN pathways_planstatuschange h
            ON h.item_id = i.id WHERE i.case_id = c.id
            AND h.status IN ('in_progress', 'delivered')) AS supported
  FROM counted c LEFT JOIN latest l ON l.case_id = c.id)
SELECT organisation_id, COALESCE(classification, 'not_screened') AS k1, '' AS k2,
  COUNT(DISTINCT survivor_id) FILTER (WHERE identified) AS people,
  COUNT(DISTINCT survivor_id) FILTER (WHERE supported) AS of_people
FROM steps GROUP BY 1, 2""",
    "first_support_days": f"""WITH {COUNTED},
firsts AS (
  SELECT i.case_id, MIN(h.changed_at) AS first_at FROM pathways_planitem i
  JOIN pathways_planstatuschange h ON h.item_id = i.id
  WHERE h.status IN ('in_progress', 'delivered') AND i.case_id IN (SELECT id FROM counted)
  GROUP BY i.case_id)
SELECT c.organisation_id,
  CASE WHEN f.first_at IS NULL THEN 'none'
       WHEN CAST(f.first_at AS DATE) - CAST(c.created_at AS DATE) <= 7 THEN '0_7'
       WHEN CAST(f.first_at AS DATE) - CAST(c.created_at AS DATE) <= 30 THEN '8_30'
       WHEN CAST(f.first_at AS DATE) - CAST(c.created_at AS DATE) <= 90 THEN '31_90'
       WHEN CAST(f.first_at AS DATE) - CAST(c.created_at AS DATE) <= 180 THEN '91_180'
       ELSE 'over_180' END AS k1, '' AS k2,
  COUNT(DISTINCT c.survivor_id) AS people, NULL AS of_people
FROM counted c LEFT JOIN firsts f ON f.case_id = c.id GROUP BY 1, 2""",
    "do_no_harm.findings": f"""WITH {COUNTED}
SELECT c.organisation_id, f.rule AS k1, f.severity || ':' || f.status AS k2,
  COUNT(DISTINCT c.survivor_id) AS people, COUNT(*) AS of_people
FROM counted c JOIN safeguards_finding f ON f.case_id = c.id GROUP BY 1, 2, 3""",
    "do_no_harm.retellings": f"""WITH {COUNTED},
told AS (
  SELECT c.organisation_id, c.survivor_id,
    COUNT(e.case_id) FILTER (WHERE e.kind = 'interview') AS interviews,
    COUNT(e.case_id) FILTER (WHERE e.kind = 'reflection_period_start') > 0 AS granted,
    COUNT(e.case_id) FILTER (WHERE e.kind = 'reflection_period_end') > 0 AS used
  FROM counted c LEFT JOIN justice_timelineevent e ON e.case_id = c.id
    AND e.voided_at IS NULL
    AND e.kind IN ('interview', 'reflection_period_start', 'reflection_period_end')
  GROUP BY c.id, c.organisation_id, c.survivor_id)
SELECT organisation_id,
  CASE WHEN interviews >= 3 THEN '3_plus' ELSE CAST(interviews AS VARCHAR) END AS k1,
  CASE WHEN used THEN 'reflection_used' WHEN granted THEN 'reflection_granted'
       ELSE 'no_reflection' END AS k2,
  COUNT(DISTINCT survivor_id) AS people, NULL AS of_people
FROM told GROUP BY 1, 2, 3""",
    "compensation.route": f"""WITH {COUNTED},
paid AS (SELECT y.claim_id, SUM(y.amount) AS received, MIN(y.received_on) AS first_on
         FROM compensation_payment y JOIN compensation_claim l ON l.id = y.claim_id
         WHERE l.case_id IN (SELECT id FROM counted) GROUP BY y.claim_id)
SELECT c.organisation_id, cl.route AS k1,
  CASE WHEN p.first_on IS NULL THEN 'unpaid'
       WHEN p.first_on - cl.filed_on <= 180 THEN 'paid_0_180'
       WHEN p.first_on - cl.filed_on <= 365 THEN 'paid_181_365'
       ELSE 'paid_over_365' END AS k2,
  COUNT(DISTINCT c.survivor_id) FILTER (WHERE cl.status = 'paid_in_full') AS people,
  COUNT(DISTINCT c.survivor_id) FILTER (WHERE cl.amount_awarded IS NOT NULL) AS of_people,
  SUM(cl.amount_awarded) AS awarded, SUM(p.received) AS received
FROM counted c JOIN compensation_claim cl ON cl.case_id = c.id
LEFT JOIN paid p ON p.claim_id = cl.id GROUP BY 1, 2, 3""",
}


def sql_for(measure: str, engine: str, *, one_org: bool = False) -> str:
    """The measure's SQL for ``engine`` ("pg" or "duck"); ``one_org``: for one organisation
    (``%(org)s``), as Northstar's ``count(organisation_id)`` asks."""
    text = MEASURES[measure].replace(
        "{one_org}", "AND c.organisation_id = %(org)s" if one_org else "")
    json_reads = ({"first": "p.ranking->>0", "id_outcome": "e.details->>'outcome'"}
                  if engine == "pg" else {"first": "p.first_outcome", "id_outcome": "e.id_outcome"})
    text = text.replace("{first}", json_reads["first"])
    return text.replace("{{id_outcome}}", json_reads["id_outcome"]).replace(
        "{id_outcome}", json_reads["id_outcome"])


# --- population ------------------------------------------------------------------------------
def db_name(cases: int) -> str:
    return "ns_insights_1m" if cases == 1_000_000 else f"ns_insights_{cases}"


def ensure_population(cases: int, organisations: int, jurisdictions: int) -> str:
    db = db_name(cases)
    marker = (f"northstar insights population cases={cases} organisations={organisations} "
              f"jurisdictions={jurisdictions}")
    comment = db_comment(db)
    if comment is None:
        with admin() as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
    VAR.mkdir(parents=True, exist_ok=True)
    env = env_for(db)
    subprocess.run([str(BIN / "python"), "manage.py", "migrate", "--noinput"], cwd=ROOT,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    if comment != marker:
        log(f"generating {cases} cases into {db} (once; reused afterwards)")
        started = time.monotonic()
        subprocess.run([str(BIN / "python"), "manage.py", "insights_population", "--cases",
                        str(cases), "--organisations", str(organisations), "--jurisdictions",
                        str(jurisdictions)], cwd=ROOT, env=env, check=True)
        with admin() as conn:
            conn.execute(f"COMMENT ON DATABASE \"{db}\" IS '{marker}'")
        import psycopg

        with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        log(f"{db} ready in {time.monotonic() - started:.0f} s")
    return db


# --- export to Parquet -------------------------------------------------------------------------
def export(db: str, folder: Path) -> tuple[float, dict]:
    import duckdb
    import psycopg

    folder.mkdir(parents=True, exist_ok=True)
    duck = duckdb.connect()
    started = time.monotonic()
    rows = {}
    with psycopg.connect(f"{PG}/{db}") as conn:
        conn.execute("SET timezone = 'UTC'")
        for table, (select, types) in EXPORT.items():
            csv = folder / f"{table}.csv"
            with open(csv, "wb") as out, conn.cursor() as cur:  # noqa: PTH123
                with cur.copy(f"COPY ({select}) TO STDOUT (FORMAT csv, HEADER)") as copy:
                    for block in copy:
                        out.write(block)
            columns = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
            duck.execute(f"COPY (SELECT * FROM read_csv('{csv}', header = true, "
                         f"columns = {{{columns}}})) TO '{folder / table}.parquet' "
                         "(FORMAT parquet)")
            csv.unlink()
            rows[table] = duck.execute(
                f"SELECT COUNT(*) FROM '{folder / table}.parquet'").fetchone()[0]
    duck.close()
    return time.monotonic() - started, rows


def duck_connection(folder: Path):
    import duckdb

    duck = duckdb.connect()
    duck.execute("SET TimeZone = 'UTC'")
    for table in EXPORT:
        duck.execute(f"CREATE VIEW {table} AS SELECT * FROM '{folder / table}.parquet'")
    return duck


# --- timing --------------------------------------------------------------------------------------
def timed(run, runs: int) -> tuple[float, object]:
    result = run()  # warm-up (and the answer)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def normalised(rows) -> list[tuple]:
    out = []
    for row in rows:
        out.append(tuple(
            None if v is None else
            round(float(v), 2) if isinstance(v, (Decimal, float)) else
            int(v) if isinstance(v, int) else str(v) for v in row))
    return sorted(out, key=repr)


def grid_of(measure: str, rows) -> dict:
    """Rows (organisation, k1, k2, people, of, …) → {organisation: Grid} (core.tables)."""
    from northstar.core.tables import Count, Grid

    cells: dict = {}
    for org, k1, k2, people, of, *_ in rows:
        cells.setdefault(org, {})[(str(k1), str(k2))] = Count(
            int(people), None if of is None else int(of))
    return {org: Grid(measure, tuple(dict.fromkeys(r for r, _ in c)),
                      tuple(dict.fromkeys(k for _, k in c)), c) for org, c in cells.items()}


def measure_sql(db: str, folder: Path, runs: int, *, materialised: bool) -> list[dict]:
    import psycopg

    duck = duck_connection(folder)
    results = []
    with psycopg.connect(f"{PG}/{db}") as conn:
        conn.execute("SET timezone = 'UTC'")
        conn.execute("SET jit = off")
        orgs = [r[0] for r in conn.execute(
            "SELECT id FROM core_organisation WHERE code LIKE 'IP%%' ORDER BY id").fetchall()]
        for measure in MEASURES:
            pg_sql, duck_sql = sql_for(measure, "pg"), sql_for(measure, "duck")
            one_sql = sql_for(measure, "pg", one_org=True)
            pg_ms, pg_rows = timed(lambda s=pg_sql: conn.execute(s).fetchall(), runs)
            duck_ms, duck_rows = timed(lambda s=duck_sql: duck.execute(s).fetchall(), runs)
            each_ms, each_rows = timed(lambda s=one_sql: [
                row for org in orgs for row in conn.execute(s, {"org": org}).fetchall()],
                max(1, runs - 2))
            same = normalised(pg_rows) == normalised(duck_rows) == normalised(each_rows)
            result = {"measure": measure, "pg_ms": pg_ms, "each_ms": each_ms, "duck_ms": duck_ms,
                      "cells": len(pg_rows), "same": same, "grids": grid_of(measure, pg_rows)}
            results.append(result)
            log(f"{measure:28} PostgreSQL {pg_ms:9.1f} ms (per organisation {each_ms:9.1f})  "
                f"DuckDB {duck_ms:8.1f} ms  × {pg_ms / duck_ms:6.1f}  {len(pg_rows)} cells  "
                f"{'same' if same else 'DIFFERENT'}")
    if materialised:
        measure_materialised(db, results, runs)
    return results


def measure_materialised(db: str, results: list[dict], runs: int) -> None:
    """Store every organisation's grids (what the refresh job does, here from the grouped
    SQL above: one pass per measure), then time reading them back for every organisation and
    adding them up (core.tables.add): what a roll-up page costs with materialised counts."""
    os.environ.update(env_for(db))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from northstar.core.tables import add
    from northstar.insights import materialised

    started = time.perf_counter()
    by_org: dict = {}
    for result in results:
        for org, grid in result["grids"].items():
            by_org.setdefault(org, []).append(grid)
    for org, grids in by_org.items():
        materialised.store(org, grids)
    stored_s = time.perf_counter() - started
    log(f"materialised counts stored in {stored_s:.1f} s "
        f"({sum(len(g.cells) for gs in by_org.values() for g in gs)} cells)")
    for result in results:
        def read(measure=result["measure"]):
            return add(g for gs in materialised.grids_of(list(by_org), [measure]).values()
                       for g in gs)
        ms, rolled = timed(read, runs)
        expected = add(result["grids"].values())
        result["materialised_ms"] = ms
        result["same"] = result["same"] and rolled.cells == expected.cells
    connection.close()
    results.append({"measure": "(store all grids, after counting)", "stored_s": stored_s})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--jurisdictions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--materialised", action="store_true",
                        help="also store the grids as materialised counts and time reading them")
    parser.add_argument("--skip-export", action="store_true",
                        help="reuse the Parquet files of an earlier run")
    args = parser.parse_args()
    db = ensure_population(args.cases, args.organisations, args.jurisdictions)
    folder = VAR / f"insights-{args.cases}"
    lines = []
    if not args.skip_export or not (folder / "survivors_case.parquet").exists():
        seconds, rows = export(db, folder)
        log(f"exported to Parquet in {seconds:.1f} s: "
            + ", ".join(f"{t} {n}" for t, n in rows.items()))
        lines.append(f"Export to Parquet: {seconds:.1f} s ({', '.join(f'{t} {n:,}' for t, n in rows.items())})")
    results = measure_sql(db, folder, args.runs, materialised=args.materialised)
    stored = [r for r in results if "stored_s" in r]
    results = [r for r in results if "stored_s" not in r]
    today = dt.date.today().isoformat()  # noqa: DTZ011
    out = ROOT / "bench" / "results" / f"insights-{today}-{args.cases}.md"
    table = ["| measure | PostgreSQL, all organisations (ms) | PostgreSQL, one query per "
             "organisation (ms) | DuckDB (ms) | × DuckDB | materialised read + roll-up (ms) | "
             "× DuckDB | cells | same numbers |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        m = r.get("materialised_ms")
        read = "" if m is None else f"{m:.1f} | {m / r['duck_ms']:.2f}"
        table.append(
            f"| {r['measure']} | {r['pg_ms']:.0f} | {r['each_ms']:.0f} | {r['duck_ms']:.0f} | "
            f"{r['pg_ms'] / r['duck_ms']:.1f} | {read or ' | '} | {r['cells']} | "
            f"{'yes' if r['same'] else 'NO'} |")
    total = {k: sum(r.get(k) or 0 for r in results)
             for k in ("pg_ms", "each_ms", "duck_ms", "materialised_ms")}
    table.append(f"| all together | {total['pg_ms']:.0f} | {total['each_ms']:.0f} | "
                 f"{total['duck_ms']:.0f} | {total['pg_ms'] / total['duck_ms']:.1f} | "
                 f"{total['materialised_ms']:.1f} | "
                 f"{total['materialised_ms'] / total['duck_ms']:.2f} | | |")
    if stored:
        lines.append(f"Materialised counts: all grids stored in {stored[0]['stored_s']:.1f} s "
                     "after counting (the refresh job = the counting above + this).")
    out.write_text(f"# Insights figures, {args.cases:,} cases, {today}\n\n"
                   + "\n".join(lines) + "\n\n" + "\n".join(table) + "\n")
    print("\n".join(lines + table))
    log(f"written to {out.relative_to(ROOT)}")
    if not all(r["same"] for r in results):
        raise SystemExit("PostgreSQL and DuckDB disagree on a measure (see above)")


if __name__ == "__main__":
    os.environ.pop("NORTHSTAR_TEST_DB_NAME", None)
    main()
