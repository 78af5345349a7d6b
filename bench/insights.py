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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import BIN, PG, ROOT, VAR, admin, db_comment, env_for, log  # noqa: E402

#: Django's time zone (settings.TIME_ZONE): dates and quarters of timestamps are taken in it
#: on both sides, as the ORM does.
TZ = os.environ.get("TIME_ZONE", "Asia/Bangkok")

# --- the columnar extract: table → (select over PostgreSQL, DuckDB column types) -------------
EXPORT = {
    "survivors_survivor": (
        "SELECT id, organisation_id, sex, birth_year, created_at, archived_at "
        "FROM survivors_survivor",
        {"id": "BIGINT", "organisation_id": "BIGINT", "sex": "VARCHAR", "birth_year": "INTEGER",
         "created_at": "TIMESTAMPTZ", "archived_at": "TIMESTAMPTZ"}),
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
        "SELECT case_id, kind, occurred_on, details->>'outcome' AS id_outcome, "
        "details->>'testimony' AS testimony, details->>'decision' AS decision, "
        "details->>'broker_held_to_account' AS held_broker, "
        "details->>'employer_held_to_account' AS held_employer, "
        "details->>'organised_crime_held_to_account' AS held_organised_crime, voided_at "
        "FROM justice_timelineevent",
        {"case_id": "BIGINT", "kind": "VARCHAR", "occurred_on": "DATE", "id_outcome": "VARCHAR",
         "testimony": "VARCHAR", "decision": "VARCHAR", "held_broker": "VARCHAR",
         "held_employer": "VARCHAR", "held_organised_crime": "VARCHAR",
         "voided_at": "TIMESTAMPTZ"}),
    "compensation_claim": (
        "SELECT id, case_id, route, status, amount_awarded, amount_agreed, filed_on "
        "FROM compensation_claim",
        {"id": "BIGINT", "case_id": "BIGINT", "route": "VARCHAR", "status": "VARCHAR",
         "amount_awarded": "DECIMAL(14,2)", "amount_agreed": "DECIMAL(14,2)",
         "filed_on": "DATE"}),
    "compensation_payment": (
        "SELECT claim_id, amount, received_on FROM compensation_payment",
        {"claim_id": "BIGINT", "amount": "DECIMAL(14,2)", "received_on": "DATE"}),
    "safeguards_finding": (
        "SELECT case_id, rule, severity, status FROM safeguards_finding",
        {"case_id": "BIGINT", "rule": "VARCHAR", "severity": "VARCHAR", "status": "VARCHAR"}),
}

# --- the measures, as Northstar counts them (northstar/insights/counting.py), in SQL ---------
# Each answers rows (organisation, row, column, people, of): the cells of each organisation's
# grid of that measure. Placeholders: <AT> the consent instant, <ONE_ORG> the filter for one
# organisation, <first> … the JSON reads (PostgreSQL reads the JSON, DuckDB the flattened
# column of the extract).
JSON_READS = {
    "pg": {"<first>": "p.ranking->>0", "<id_outcome>": "e.details->>'outcome'",
           "<testimony>": "e.details->>'testimony'", "<decision>": "e.details->>'decision'",
           "<held_broker>": "e.details->>'broker_held_to_account'",
           "<held_employer>": "e.details->>'employer_held_to_account'",
           "<held_organised_crime>": "e.details->>'organised_crime_held_to_account'"},
    "duck": {"<first>": "p.first_outcome", "<id_outcome>": "e.id_outcome",
             "<testimony>": "e.testimony", "<decision>": "e.decision",
             "<held_broker>": "e.held_broker", "<held_employer>": "e.held_employer",
             "<held_organised_crime>": "e.held_organised_crime"},
}
#: counting.counted_cases: live cases of live survivors whose statistics consent stands.
COUNTED = """counted AS (
  SELECT c.id, c.survivor_id, c.organisation_id, c.jurisdiction, c.trial_participation,
         c.created_at
  FROM survivors_case c JOIN survivors_survivor sv ON sv.id = c.survivor_id
  WHERE c.archived_at IS NULL AND sv.archived_at IS NULL <ONE_ORG> AND EXISTS (
    SELECT 1 FROM survivors_consent k WHERE k.survivor_id = c.survivor_id
      AND k.purpose = 'statistics' AND k.given_at <= <AT>
      AND (k.withdrawn_at IS NULL OR k.withdrawn_at > <AT>)
      AND (k.expires_at IS NULL OR k.expires_at > <AT>)))"""
#: The latest ranking of each survivor's latest ranked case, and whether a plan item for its
#: first outcome was delivered.
OWN = COUNTED + """,
ranked AS (
  SELECT DISTINCT ON (c.survivor_id) c.id AS case_id, c.survivor_id, c.organisation_id,
         c.trial_participation, c.jurisdiction, c.created_at, <first> AS first_outcome
  FROM counted c JOIN pathways_priorities p ON p.case_id = c.id
  ORDER BY c.survivor_id, c.created_at DESC, c.id DESC, p.recorded_at DESC, p.id DESC),
own AS (
  SELECT r.*, EXISTS (SELECT 1 FROM pathways_planitem i WHERE i.case_id = r.case_id
                      AND i.outcome = r.first_outcome AND i.status = 'delivered') AS got
  FROM ranked r WHERE r.first_outcome IS NOT NULL)"""
SHARE = ("COUNT(DISTINCT survivor_id) FILTER (WHERE got) AS people, "
         "COUNT(DISTINCT survivor_id) AS of_people")


def _bands(column: str, bounds: tuple[int, ...], none_label: str, *, interval: bool) -> str:
    """counting._banded in SQL: the first band whose upper bound (days) holds ``column``."""
    whens, low = [f"WHEN {column} IS NULL THEN '{none_label}'"], 0
    for high in bounds:
        limit = f"INTERVAL '{high} days'" if interval else str(high)
        whens.append(f"WHEN {column} <= {limit} THEN '{low}-{high}'")
        low = high + 1
    return f"CASE {' '.join(whens)} ELSE 'over_{bounds[-1]}' END"


def _measure_bands(key: str, default: tuple[int, ...]) -> tuple[int, ...]:
    sys.path.insert(0, str(ROOT))
    from northstar.insights.measures import by_key  # pure: no Django

    return tuple(by_key(key).bands or default)


def build_measures() -> dict[str, str]:  # noqa: PLR0915 - one SQL text per measure
    support_bounds = _measure_bands("time_to_first_support", (7, 30, 90, 180, 365))
    payment_bounds = _measure_bands("compensation", (30, 90, 180, 365, 730))
    age = "EXTRACT(YEAR FROM o.created_at) - s.birth_year - 1"
    return {
        "own_outcome_delivered.trial": f"""WITH {OWN}
SELECT organisation_id, trial_participation, first_outcome, {SHARE} FROM own GROUP BY 1, 2, 3""",
        "own_outcome_delivered.pathway": f"""WITH {OWN}
SELECT o.organisation_id, i.pathway, o.first_outcome,
  COUNT(DISTINCT o.survivor_id) FILTER (WHERE i.status = 'delivered'
                                        AND i.outcome = o.first_outcome) AS people,
  COUNT(DISTINCT o.survivor_id) AS of_people
FROM own o JOIN pathways_planitem i ON i.case_id = o.case_id GROUP BY 1, 2, 3""",
        "own_outcome_delivered.intervention": f"""WITH {OWN}
SELECT o.organisation_id, i.intervention, o.first_outcome,
  COUNT(DISTINCT o.survivor_id) FILTER (WHERE i.status = 'delivered'
                                        AND i.outcome = o.first_outcome) AS people,
  COUNT(DISTINCT o.survivor_id) AS of_people
FROM own o JOIN pathways_planitem i ON i.case_id = o.case_id GROUP BY 1, 2, 3""",
        "own_outcome_delivered.jurisdiction": f"""WITH {OWN}
SELECT organisation_id, jurisdiction, first_outcome, {SHARE} FROM own GROUP BY 1, 2, 3""",
        "own_outcome_delivered.sex_age": f"""WITH {OWN}
SELECT o.organisation_id, s.sex,
  CASE WHEN s.birth_year IS NULL THEN 'unknown'
       WHEN {age} BETWEEN 0 AND 17 THEN '0-17' WHEN {age} BETWEEN 18 AND 24 THEN '18-24'
       WHEN {age} BETWEEN 25 AND 34 THEN '25-34' WHEN {age} BETWEEN 35 AND 49 THEN '35-49'
       WHEN {age} >= 50 THEN '50+' ELSE 'unknown' END AS band,
  COUNT(DISTINCT o.survivor_id) FILTER (WHERE o.got) AS people,
  COUNT(DISTINCT o.survivor_id) AS of_people
FROM own o JOIN survivors_survivor s ON s.id = o.survivor_id GROUP BY 1, 2, 3""",
        "own_outcome_delivered.quarter": f"""WITH {OWN}
SELECT organisation_id,
  CAST(CAST(EXTRACT(YEAR FROM created_at) AS INTEGER) AS VARCHAR) || 'Q'
    || CAST(CAST(EXTRACT(QUARTER FROM created_at) AS INTEGER) AS VARCHAR) AS quarter,
  first_outcome, {SHARE}
FROM own GROUP BY 1, 2, 3""",
        "identification_funnel.class": f"""WITH {COUNTED},
latest AS (
  SELECT DISTINCT ON (c.survivor_id) c.organisation_id, c.survivor_id, s.classification
  FROM counted c JOIN screening_screening s ON s.case_id = c.id
  ORDER BY c.survivor_id, s.created_at DESC, s.id DESC),
identified AS (
  SELECT DISTINCT c.survivor_id FROM counted c JOIN justice_timelineevent e ON e.case_id = c.id
  WHERE e.kind = 'identification_decision' AND e.voided_at IS NULL
    AND <id_outcome> = 'identified'),
supported AS (
  SELECT DISTINCT c.survivor_id FROM counted c JOIN pathways_planitem i ON i.case_id = c.id
  WHERE i.status IN ('in_progress', 'delivered')),
steps AS (
  SELECT l.*, l.survivor_id IN (SELECT survivor_id FROM identified) AS identified,
         l.survivor_id IN (SELECT survivor_id FROM supported) AS supported
  FROM latest l),
tally AS (
  SELECT organisation_id, classification, COUNT(DISTINCT survivor_id) AS screened,
    COUNT(DISTINCT survivor_id) FILTER (WHERE identified) AS formally_identified,
    COUNT(DISTINCT survivor_id) FILTER (WHERE supported) AS receiving_support
  FROM steps GROUP BY 1, 2)
SELECT organisation_id, classification, 'screened', screened, NULL FROM tally
UNION ALL SELECT organisation_id, classification, 'formally_identified', formally_identified,
  NULL FROM tally
UNION ALL SELECT organisation_id, classification, 'receiving_support', receiving_support,
  NULL FROM tally""",
        "time_to_first_support.days": f"""WITH {COUNTED},
survivors AS (SELECT DISTINCT c.organisation_id, c.survivor_id FROM counted c),
firsts AS (
  SELECT c.survivor_id, MIN(h.changed_at) AS first_at FROM counted c
  JOIN pathways_planitem i ON i.case_id = c.id
  JOIN pathways_planstatuschange h ON h.item_id = i.id
  WHERE h.status IN ('in_progress', 'delivered') GROUP BY c.survivor_id),
waits AS (
  SELECT v.organisation_id, v.survivor_id, f.first_at - s.created_at AS wait
  FROM survivors v JOIN survivors_survivor s ON s.id = v.survivor_id
  LEFT JOIN firsts f ON f.survivor_id = v.survivor_id)
SELECT organisation_id, {_bands("wait", support_bounds, "not_yet", interval=True)} AS band,
  'people', COUNT(*), NULL FROM waits GROUP BY 1, 2""",
        "do_no_harm.findings": f"""WITH {COUNTED}
SELECT c.organisation_id, f.rule, f.severity, COUNT(DISTINCT c.survivor_id), NULL
FROM counted c JOIN safeguards_finding f ON f.case_id = c.id GROUP BY 1, 2, 3
UNION ALL
SELECT c.organisation_id, f.rule, 'block_overridden', COUNT(DISTINCT c.survivor_id), NULL
FROM counted c JOIN safeguards_finding f ON f.case_id = c.id
WHERE f.severity = 'block' AND f.status = 'overridden' GROUP BY 1, 2, 3""",
        "do_no_harm.retellings": f"""WITH {COUNTED},
survivors AS (SELECT DISTINCT c.organisation_id, c.survivor_id FROM counted c),
told AS (
  SELECT c.survivor_id, COUNT(*) AS n FROM counted c
  JOIN justice_timelineevent e ON e.case_id = c.id
  WHERE e.voided_at IS NULL AND (e.kind = 'interview' OR (e.kind = 'hearing'
        AND <testimony> IN ('in_person', 'video')))
  GROUP BY c.survivor_id)
SELECT v.organisation_id,
  CASE WHEN COALESCE(t.n, 0) >= 4 THEN '4_or_more'
       ELSE CAST(COALESCE(t.n, 0) AS VARCHAR) END AS band,
  'people', COUNT(*), NULL
FROM survivors v LEFT JOIN told t ON t.survivor_id = v.survivor_id GROUP BY 1, 2""",
        "do_no_harm.reflection": f"""WITH {COUNTED},
starts AS (SELECT c.organisation_id, c.survivor_id, c.id AS case_id FROM counted c
           JOIN justice_timelineevent e ON e.case_id = c.id
           WHERE e.kind = 'reflection_period_start' AND e.voided_at IS NULL),
ends AS (SELECT c.organisation_id, c.survivor_id, c.id AS case_id,
                COALESCE(<decision>, 'none') AS decision FROM counted c
         JOIN justice_timelineevent e ON e.case_id = c.id
         WHERE e.kind = 'reflection_period_end' AND e.voided_at IS NULL)
SELECT organisation_id, 'granted', 'people', COUNT(DISTINCT survivor_id), NULL
FROM starts GROUP BY 1
UNION ALL
SELECT organisation_id, 'ended_' || decision, 'people', COUNT(DISTINCT survivor_id), NULL
FROM ends WHERE survivor_id IN (SELECT survivor_id FROM starts) GROUP BY 1, 2
UNION ALL
SELECT organisation_id, 'running', 'people', COUNT(DISTINCT survivor_id), NULL
FROM starts s WHERE NOT EXISTS (SELECT 1 FROM ends n WHERE n.case_id = s.case_id)
GROUP BY 1""",
        "compensation.received": f"""WITH {COUNTED},
owed AS (
  SELECT c.organisation_id, c.survivor_id, cl.route, cl.status,
    EXISTS (SELECT 1 FROM compensation_payment y WHERE y.claim_id = cl.id) AS paid_any
  FROM counted c JOIN compensation_claim cl ON cl.case_id = c.id
  WHERE COALESCE(cl.amount_awarded, cl.amount_agreed) IS NOT NULL),
tally AS (
  SELECT organisation_id, route, COUNT(DISTINCT survivor_id) AS of_people,
    COUNT(DISTINCT survivor_id) FILTER (WHERE paid_any) AS received_any,
    COUNT(DISTINCT survivor_id) FILTER (WHERE status = 'paid_in_full') AS paid_in_full
  FROM owed GROUP BY 1, 2)
SELECT organisation_id, route, 'received_any', received_any, of_people FROM tally
UNION ALL SELECT organisation_id, route, 'paid_in_full', paid_in_full, of_people FROM tally""",
        "compensation.days_to_first_payment": f"""WITH {COUNTED},
waits AS (
  SELECT c.organisation_id, c.survivor_id,
    (SELECT MIN(y.received_on) FROM compensation_payment y WHERE y.claim_id = cl.id)
      - cl.filed_on AS wait
  FROM counted c JOIN compensation_claim cl ON cl.case_id = c.id
  WHERE COALESCE(cl.amount_awarded, cl.amount_agreed) IS NOT NULL
    AND cl.filed_on IS NOT NULL)
SELECT organisation_id, {_bands("wait", payment_bounds, "not_paid", interval=False)} AS band,
  'people', COUNT(DISTINCT survivor_id), NULL FROM waits GROUP BY 1, 2""",
        "held_to_account.party": f"""WITH {COUNTED},
hearings AS (
  SELECT c.organisation_id, c.survivor_id, <held_broker> AS broker,
         <held_employer> AS employer, <held_organised_crime> AS organised_crime
  FROM counted c JOIN justice_timelineevent e ON e.case_id = c.id
  WHERE e.kind = 'hearing' AND e.voided_at IS NULL),
tally AS (
  SELECT organisation_id, COUNT(DISTINCT survivor_id) AS of_people,
    COUNT(DISTINCT survivor_id) FILTER (WHERE broker = 'true') AS broker,
    COUNT(DISTINCT survivor_id) FILTER (WHERE employer = 'true') AS employer,
    COUNT(DISTINCT survivor_id) FILTER (WHERE organised_crime = 'true') AS organised_crime
  FROM hearings GROUP BY 1)
SELECT organisation_id, 'broker', 'held', broker, of_people FROM tally
UNION ALL SELECT organisation_id, 'employer', 'held', employer, of_people FROM tally
UNION ALL SELECT organisation_id, 'organised_crime', 'held', organised_crime, of_people
FROM tally""",
    }


MEASURES: dict[str, str] = build_measures()


def sql_for(measure: str, engine: str, *, one_org: bool = False, at: str = "") -> str:
    """The measure's SQL for ``engine`` ("pg" or "duck"); ``one_org``: for one organisation
    (``%(org)s``), as Northstar's ``count(organisation_id)`` asks; ``at``: the consent
    instant (a TIMESTAMPTZ literal; all the population's withdrawals are in the past)."""
    text = MEASURES[measure].replace(
        "<ONE_ORG>", "AND c.organisation_id = %(org)s" if one_org else "")
    text = text.replace("<AT>", at or "CURRENT_TIMESTAMP")
    for placeholder, read in JSON_READS[engine].items():
        text = text.replace(placeholder, read)
    return text


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
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        # populations generated before the generator did these (idempotent): withdrawals
        # only in the past, so the consent gate counts the same people whenever it runs;
        # hearings say who was held to account (random, as the generator does)
        conn.execute("UPDATE survivors_consent SET withdrawn_at = now() - interval '1 day' "
                     "WHERE withdrawn_at > now() - interval '1 day'")
        conn.execute(
            "UPDATE justice_timelineevent SET details = details || jsonb_build_object("
            "'broker_held_to_account', COALESCE((details->>'held_broker')::boolean, "
            "random() < 0.2), 'employer_held_to_account', COALESCE((details->>'held_employer')"
            "::boolean, random() < 0.15), 'organised_crime_held_to_account', "
            "COALESCE((details->>'held_organised_crime')::boolean, random() < 0.05)) "
            "WHERE kind = 'hearing' AND NOT details ? 'broker_held_to_account'")
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
    duck.execute(f"SET TimeZone = '{TZ}'")
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


def cells_of(rows) -> dict:
    """Rows (organisation, row, column, people, of) → {(organisation, row, column): (people,
    of)}, leaving out empty cells (nobody, out of nobody), which one side may list and the
    other not."""
    out = {}
    for org, row, column, people, of in rows:
        if people or of:
            out[(int(org), str(row), str(column))] = (int(people),
                                                      None if of is None else int(of))
    return out


def cells_of_grids(by_org: dict) -> dict:
    return cells_of((org, r, c, n.people, n.of) for org, grids in by_org.items()
                    for g in grids for (r, c), n in g.cells.items())


def setup_django(db: str) -> None:
    os.environ.update(env_for(db))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def measure_sql(db: str, folder: Path, runs: int, *, per_org: bool,
                grids: list[str] | None = None) -> list[dict]:
    """Each measure's SQL on PostgreSQL (all organisations in one grouped query, and one
    query per organisation) and on DuckDB; the cells must be the same."""
    import psycopg

    duck = duck_connection(folder)
    results = []
    with psycopg.connect(f"{PG}/{db}") as conn:
        conn.execute(f"SET timezone = '{TZ}'")
        conn.execute("SET jit = off")
        orgs = [r[0] for r in conn.execute(
            "SELECT id FROM core_organisation WHERE code LIKE 'IP%%' ORDER BY id").fetchall()]
        for measure in [m for m in MEASURES if not grids or m in grids]:
            pg_sql, duck_sql = sql_for(measure, "pg"), sql_for(measure, "duck")
            pg_ms, pg_rows = timed(lambda s=pg_sql: conn.execute(s).fetchall(), runs)
            duck_ms, duck_rows = timed(lambda s=duck_sql: duck.execute(s).fetchall(), runs)
            result = {"measure": measure, "pg_ms": pg_ms, "duck_ms": duck_ms,
                      "cells": cells_of(pg_rows), "each_ms": None}
            same = result["cells"] == cells_of(duck_rows)
            if per_org:
                one_sql = sql_for(measure, "pg", one_org=True)
                each_ms, each_rows = timed(lambda s=one_sql: [
                    row for org in orgs for row in conn.execute(s, {"org": org}).fetchall()], 1)
                result["each_ms"] = each_ms
                same = same and result["cells"] == cells_of(each_rows)
            result["same"] = same
            results.append(result)
            each = "" if result["each_ms"] is None else f" (per organisation {each_ms:9.1f})"
            log(f"{measure:36} PostgreSQL {pg_ms:9.1f} ms{each}  DuckDB {duck_ms:8.1f} ms  "
                f"× {pg_ms / duck_ms:6.1f}  {len(result['cells'])} cells  "
                f"{'same' if same else 'DIFFERENT'}")
    return results


def measure_northstar(db: str, results: list[dict], runs: int, *, materialised: bool,
                      only: list[str] | None = None) -> list:
    """Northstar's own counting functions (``insights/measures.toml``), every organisation
    one at a time as the app counts them, timed per function; their grids checked against
    the SQL's cells. Then (``materialised``) the grids stored as materialised counts and
    read back for every organisation with the roll-up (``core.tables.add``) per grid."""
    setup_django(db)
    from django.db import connection

    from northstar.core.models import Organisation
    from northstar.insights.measures import all_measures, resolve

    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    orgs = list(Organisation.objects.filter(code__startswith="IP").order_by("pk")
                .values_list("pk", flat=True))
    by_measure = {r["measure"]: r for r in results}
    functions = []
    by_org: dict = {}
    for measure in [m for m in all_measures() if not only or m.key in only]:
        count = resolve(measure)
        ms, counted = timed(lambda c=count: {org: c(org) for org in orgs}, max(1, runs - 2))
        names = sorted({g.measure for grids in counted.values() for g in grids})
        duck_ms = sum(by_measure[n]["duck_ms"] for n in names if n in by_measure)
        checked = [n for n in names if n in by_measure]
        same = all(cells_of_grids({o: [g for g in gs if g.measure == n]
                                   for o, gs in counted.items()}) == by_measure[n]["cells"]
                   for n in checked)
        for org, grids in counted.items():
            by_org.setdefault(org, []).extend(grids)
        functions.append({"function": measure.key, "ms": ms, "duck_ms": duck_ms,
                          "grids": names, "same": same and len(checked) == len(names)})
        log(f"Northstar {measure.key:28} {ms:9.1f} ms for {len(orgs)} organisations; "
            f"DuckDB for its {len(names)} grids {duck_ms:8.1f} ms  × {ms / duck_ms:6.1f}  "
            f"{'same' if functions[-1]['same'] else 'DIFFERENT'}")
    if materialised:
        functions += measure_materialised(results, runs, by_org, orgs)
    connection.close()
    return functions


def grids_from_sql(results: list[dict]) -> dict:
    """{organisation: [Grid, …]} from the SQL's cells (the same cells as Northstar's counting
    where both ran): what a refresh from one grouped query per measure would store."""
    from northstar.core.tables import Count, Grid

    by_org: dict = {}
    for r in results:
        cells: dict = {}
        for (org, row, column), (people, of) in r["cells"].items():
            cells.setdefault(org, {})[(row, column)] = Count(people, of)
        for org, found in cells.items():
            by_org.setdefault(org, []).append(Grid(
                r["measure"], tuple(dict.fromkeys(k[0] for k in found)),
                tuple(dict.fromkeys(k[1] for k in found)), found))
    return by_org


def measure_materialised(results: list[dict], runs: int, by_org: dict, orgs: list) -> list:
    """Store every organisation's grids as materialised counts, then time reading each grid
    back for every organisation with the roll-up (core.tables.add); check the sums."""
    from northstar.core.tables import add
    from northstar.insights import materialised as stored

    began = time.perf_counter()
    for org, grids in by_org.items():
        stored.store(org, grids)
    store_s = time.perf_counter() - began
    log(f"materialised counts stored in {store_s:.1f} s")
    for r in results:
        def read(measure=r["measure"]):
            return add(g for gs in stored.grids_of(orgs, [measure]).values() for g in gs)
        ms, rolled = timed(read, runs)
        r["materialised_ms"] = ms
        expected: dict = {}
        for (_org, row, column), (people, of) in r["cells"].items():
            p, o = expected.get((row, column), (0, None))
            expected[(row, column)] = (p + people, None if of is None else (o or 0) + of)
        got = {k: (v.people, v.of) for k, v in rolled.cells.items() if v.people or v.of}
        r["same"] = r["same"] and got == expected
        log(f"materialised {r['measure']:36} {ms:8.1f} ms  "
            f"{'same' if r['same'] else 'DIFFERENT'}")
    return [{"function": "(store all grids as materialised counts)", "ms": store_s * 1000}]


def write_results(args, lines: list[str], results: list[dict], functions: list[dict]) -> Path:
    today = dt.date.today().isoformat()  # noqa: DTZ011
    part = "-part" if args.grids or args.functions else ""
    out = ROOT / "bench" / "results" / f"insights-{today}-{args.cases}{part}.md"
    table = ["| grid | PostgreSQL, one query for all organisations (ms) | one query per "
             "organisation (ms) | DuckDB (ms) | PostgreSQL × DuckDB | materialised read + "
             "roll-up (ms) | materialised × DuckDB | cells | same numbers |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        m, e, duck = r.get("materialised_ms"), r.get("each_ms"), r["duck_ms"]
        each = "" if e is None else f"{e:.0f}"
        read = " | " if m is None else f"{m:.1f} | {m / duck:.2f}"
        table.append(
            f"| {r['measure']} | {r['pg_ms']:.0f} | {each} | {duck:.0f} | "
            f"{r['pg_ms'] / duck:.1f} | {read} | {len(r['cells'])} | "
            f"{'yes' if r['same'] else 'NO'} |")
    if functions:
        table += ["", "| Northstar counting function (every organisation, one at a time) | ms | "
                  "DuckDB for the same grids (ms) | × DuckDB | same numbers |",
                  "|---|---|---|---|---|"]
        for f in functions:
            if "duck_ms" in f:
                table.append(f"| {f['function']} ({', '.join(f['grids'])}) | {f['ms']:.0f} | "
                             f"{f['duck_ms']:.0f} | {f['ms'] / f['duck_ms']:.1f} | "
                             f"{'yes' if f['same'] else 'NO'} |")
            else:
                table.append(f"| {f['function']} | {f['ms']:.0f} | | | |")
    out.write_text(f"# Insights figures, {args.cases:,} cases, {today}\n\n"
                   + "\n".join(lines) + "\n\n" + "\n".join(table) + "\n")
    print("\n".join(lines + table))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--jurisdictions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-organisation", action="store_true",
                        help="also time each measure's SQL one organisation at a time")
    parser.add_argument("--northstar", action="store_true",
                        help="also time Northstar's counting functions (insights.counting)")
    parser.add_argument("--materialised", action="store_true",
                        help="store the grids as materialised counts and time reading them "
                             "back (those Northstar counted with --northstar, else the SQL's)")
    parser.add_argument("--grids", help="only these grids (comma-separated names)")
    parser.add_argument("--functions", help="with --northstar: only these counting functions "
                                            "(comma-separated measure keys)")
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
        lines.append(f"Export to Parquet: {seconds:.1f} s "
                     f"({', '.join(f'{t} {n:,}' for t, n in rows.items())})")
    results = measure_sql(db, folder, args.runs, per_org=args.per_organisation,
                          grids=args.grids.split(",") if args.grids else None)
    functions = []
    if args.northstar:
        functions = measure_northstar(
            db, results, args.runs, materialised=args.materialised,
            only=args.functions.split(",") if args.functions else None)
    elif args.materialised:
        setup_django(db)
        from northstar.core.models import Organisation

        orgs = list(Organisation.objects.filter(code__startswith="IP").order_by("pk")
                    .values_list("pk", flat=True))
        functions = measure_materialised(results, args.runs, grids_from_sql(results), orgs)
    out = write_results(args, lines, results, functions)
    log(f"written to {out.relative_to(ROOT)}")
    if not all(r["same"] for r in results) or not all(f.get("same", True) for f in functions):
        raise SystemExit("the sides disagree on a measure (see above)")


if __name__ == "__main__":
    os.environ.pop("NORTHSTAR_TEST_DB_NAME", None)
    main()
