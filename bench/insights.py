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
  WHERE c.archived_at IS NULL AND EXISTS (
    SELECT 1 FROM survivors_consent k WHERE k.survivor_id = c.survivor_id
      AND k.purpose = 'statistics' AND k.given_at <= {AT}
      AND (k.withdrawn_at IS NULL OR k.withdrawn_at > {AT})
      AND (k.expires_at IS NULL OR k.expires_at > {AT})))"""
#: Own outcome delivered, per case: the latest ranking's first outcome, and whether a plan
#: item for it was delivered.
OWN = COUNTED + """,
ranked AS (
  SELECT DISTINCT ON (p.case_id) p.case_id, {first} AS first_outcome
  FROM pathways_priorities p ORDER BY p.case_id, p.recorded_at DESC, p.id DESC),
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
  FROM screening_screening s ORDER BY s.case_id, s.created_at DESC, s.id DESC),
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
  WHERE h.status IN ('in_progress', 'delivered') GROUP BY i.case_id)
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
paid AS (SELECT claim_id, SUM(amount) AS received, MIN(received_on) AS first_on
         FROM compensation_payment GROUP BY claim_id)
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


def sql_for(measure: str, engine: str) -> str:
    text = MEASURES[measure]
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


def measure_sql(db: str, folder: Path, runs: int) -> list[dict]:
    import psycopg

    duck = duck_connection(folder)
    results = []
    with psycopg.connect(f"{PG}/{db}") as conn:
        conn.execute("SET timezone = 'UTC'")
        conn.execute("SET jit = off")
        for measure in MEASURES:
            pg_sql, duck_sql = sql_for(measure, "pg"), sql_for(measure, "duck")
            pg_ms, pg_rows = timed(lambda s=pg_sql: conn.execute(s).fetchall(), runs)
            duck_ms, duck_rows = timed(lambda s=duck_sql: duck.execute(s).fetchall(), runs)
            same = normalised(pg_rows) == normalised(duck_rows)
            results.append({"measure": measure, "pg_ms": pg_ms, "duck_ms": duck_ms,
                            "ratio": pg_ms / duck_ms, "cells": len(pg_rows), "same": same})
            log(f"{measure:28} PostgreSQL {pg_ms:9.1f} ms  DuckDB {duck_ms:8.1f} ms  "
                f"× {pg_ms / duck_ms:6.1f}  {len(pg_rows)} cells  "
                f"{'same' if same else 'DIFFERENT'}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--jurisdictions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
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
    results = measure_sql(db, folder, args.runs)
    today = dt.date.today().isoformat()  # noqa: DTZ011
    out = ROOT / "bench" / "results" / f"insights-{today}-{args.cases}.md"
    table = ["| measure | PostgreSQL ms | DuckDB ms | × DuckDB | cells | same numbers |",
             "|---|---|---|---|---|---|"]
    table += [f"| {r['measure']} | {r['pg_ms']:.1f} | {r['duck_ms']:.1f} | {r['ratio']:.1f} | "
              f"{r['cells']} | {'yes' if r['same'] else 'NO'} |" for r in results]
    total_pg = sum(r["pg_ms"] for r in results)
    total_duck = sum(r["duck_ms"] for r in results)
    table.append(f"| all together | {total_pg:.0f} | {total_duck:.0f} | "
                 f"{total_pg / total_duck:.1f} | | |")
    out.write_text(f"# Insights figures, {args.cases:,} cases, {today}\n\n"
                   + "\n".join(lines) + "\n\n" + "\n".join(table) + "\n")
    print("\n".join(table))
    log(f"written to {out.relative_to(ROOT)}")
    if not all(r["same"] for r in results):
        raise SystemExit("PostgreSQL and DuckDB disagree on a measure (see above)")


if __name__ == "__main__":
    os.environ.pop("NORTHSTAR_TEST_DB_NAME", None)
    main()
