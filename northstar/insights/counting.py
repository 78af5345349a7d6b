"""The measures of ``measures.toml``, counted for one organisation, in the database.

Every function here has the one signature the measures file names (other apps' counting
functions share it)::

    def count(organisation_id: int, *, period: tuple[date, date] | None = None) -> list[Grid]

returning one ``Grid`` per split (``Grid.measure`` = "<measure>.<split>"). Each function
is **one SQL statement** for all its splits: never a loop over records, never ``may_flow``
per record, never a correlated subquery per row. The consent gate is ``counted_cases``:
live cases of the organisation whose survivor's ``statistics`` consent stands now
(``flows_q``, one ``EXISTS``), computed once per statement as the ``counted`` common table
expression that every split joins; "the latest ranking / screening of each survivor" is a
``ROW_NUMBER()`` over the survivor's rows. Cells count survivors (people), not cases or
rows: a survivor with two cases is one person (each measure says on which case they are
counted). ``tests/insights/test_counting_statements.py`` checks every grid against the
previous per-row ORM counting (``tests/insights/reference_counting.py``); an organisation
of 100,000 survivors: bench/README.md, "Branch h-insights100k".

Grids are exact counts of one organisation: disclosure control happens later, once, in
``core.disclosure`` (``insights.figures``).
"""

# The SQL below is built from table names of the models and fixed text; every value is a
# query parameter.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import (
    BooleanField,
    CharField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, ExtractQuarter, ExtractYear, TruncDate

from northstar.compensation.figures import ROUTES
from northstar.compensation.models import Claim, Payment
from northstar.core.tables import Count as Cell
from northstar.core.tables import Grid
from northstar.justice.models import TimelineEvent
from northstar.pathways.models import Outcome, PlanItem, PlanStatus, PlanStatusChange, Priorities
from northstar.safeguards.models import Finding, FindingStatus, Severity
from northstar.screening.models import Classification, Screening
from northstar.survivors.consent import flows_q
from northstar.survivors.models import Case, ConsentPurpose, Sex, TrialParticipation

Period = tuple[dt.date, dt.date] | None
log = logging.getLogger(__name__)

TRIAL = tuple(TrialParticipation.values)
OUTCOMES = tuple(Outcome.values)
#: Age bands at intake (the younger possible age where only the birth year is known, as
#: for child protection); an unknown age is its own band, never "adult".
AGE_BANDS = ((0, 17, "0-17"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 49, "35-49"),
             (50, None, "50+"))
UNKNOWN_AGE = "unknown"
SUPPORTED = (PlanStatus.IN_PROGRESS, PlanStatus.DELIVERED)
#: Hearing testimony that is a retelling (``justice.timeline.TOLD_AT_HEARING``).
TOLD_AT_HEARING = ("in_person", "video")
#: Parties a trial may hold to account (the hearing's ``<party>_held_to_account`` details;
#: seed 004).
PARTIES = ("broker", "employer", "organised_crime")


def counted_cases(organisation_id: int) -> QuerySet[Case]:
    """The consent gate, as a set: the organisation's live cases whose survivor's
    ``statistics`` consent stands (one ``EXISTS``; ``may_flow`` for the whole set)."""
    return Case.objects.filter(
        organisation_id=organisation_id, archived_at__isnull=True,
        survivor__archived_at__isnull=True,
    ).filter(flows_q(ConsentPurpose.STATISTICS, survivor="survivor")).order_by()


def _in(period: Period, field: str) -> Q:
    if period is None:
        return Q()
    start, end = period
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _on_date(period: Period, field: str) -> Q:
    """``field`` (a date and time) falls within ``period`` (whole days)."""
    return _in(period, f"{field}__date")


def _grid(measure: str, rows, columns, found: dict, *, share: bool,
          additive_rows: bool = True, additive_columns: bool = True) -> Grid:
    """A grid of ``found[(row, column)] = (people, of)``, rows and columns in the order
    given, then any others the data holds (sorted)."""
    rows = tuple(rows) + tuple(sorted({r for r, _ in found} - set(rows)))
    columns = tuple(columns) + tuple(sorted({c for _, c in found} - set(columns)))
    cells = {key: Cell(people, of if share else None) for key, (people, of) in found.items()}
    return Grid(measure, rows, columns, cells, additive_rows, additive_columns,
                "share" if share else "people")


#: PostgreSQL's memory for one sort or hash of a counting statement (``set_config(…, true)``:
#: to the end of the transaction only).
WORK_MEM = "64MB"

# --- One statement per measure --------------------------------------------------------
#
# Each measure below is one SQL statement: ``WITH counted AS (…), … SELECT …``. The common
# table expressions that read the app's tables are querysets compiled by the ORM for the
# database in use (so the consent gate, time zones and JSON reads are Django's own); the
# rest is plain SQL that PostgreSQL and SQLite both run (window functions, ``GROUP BY``,
# ``COUNT(DISTINCT …)``, ``CASE``). The consent-gated set of cases is computed once per
# statement and every split is counted from it; "the latest X of each survivor" is a
# ``ROW_NUMBER()`` over the survivor's rows, never a correlated subquery per row.


def _rows(ctes: dict[str, QuerySet | tuple[str, list]], body: str,
          params: tuple | list = ()) -> list[tuple]:
    """``WITH <name> AS (<queryset's SQL>), … <body>`` in one query; ``body`` may define
    more expressions (starting with a comma) before its ``SELECT``. A CTE is a queryset or
    ``(sql, params)`` (the consent-gated set read from ``counted_once``'s table)."""
    texts, args = [], []
    for name, queryset in ctes.items():
        sql, values = (queryset if isinstance(queryset, tuple)
                       else queryset.query.sql_with_params())
        texts.append(f"{name} AS ({sql})")
        args.extend(values)
    # On the database the querysets read from: the replica inside ``reading_figures``.
    alias = Case.objects.db
    database = connections[alias]
    with transaction.atomic(using=alias), database.cursor() as cursor:
        if database.vendor == "postgresql":
            # The statement sorts and hashes the organisation's rows once; at 100,000 cases
            # that is tens of megabytes, past the default 4 MB (a sort spilled to disk).
            cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
        cursor.execute(f"WITH {', '.join(texts)} {body}", [*args, *params])
        return cursor.fetchall()


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _counted(organisation_id: int, period: Period = None, *, contact: bool = False,
             **columns) -> QuerySet | tuple[str, list]:
    """``counted_cases`` (with the intake date in ``period``) as rows of ``cid`` (the case),
    ``sid`` (its survivor) and ``columns`` (name → expression on the case); with
    ``contact``, also ``contact`` (the survivor's first contact). Inside ``counted_once``
    for this organisation: the same rows read from its table (``columns`` must then be
    among ``ONCE_COLUMNS``), else the consent gate as a queryset."""
    table = _once.get().get((Case.objects.db, organisation_id))
    if table is not None:
        names = ["cid", "sid", *columns, *(["contact"] if contact else [])]
        sql = f"SELECT {', '.join(names)} FROM {table} WHERE org = %s"
        params: list = [organisation_id]
        if period is not None:
            sql += " AND opened_on >= %s AND opened_on <= %s"
            params += list(period)
        return sql, params
    if contact:
        columns["contact"] = F("survivor__created_at")
    return (counted_cases(organisation_id).filter(_on_date(period, "created_at"))
            .annotate(cid=F("pk"), sid=F("survivor_id"), **columns)
            .values("cid", "sid", *columns))


def _contacted(organisation_id: int, period: Period) -> QuerySet | tuple[str, list]:
    """``_counted(…, contact=True)`` whose first contact falls within ``period``."""
    table = _once.get().get((Case.objects.db, organisation_id))
    if table is not None:
        return (f"SELECT cid, sid, contact FROM {table} WHERE org = %s "
                "AND contact_on >= %s AND contact_on <= %s", [organisation_id, *period])
    return _counted(organisation_id, contact=True).filter(
        _on_date(period, "survivor__created_at"))


# --- The consent-gated set, counted once per dashboard -------------------------------

#: (database alias, organisation) → the temporary table holding its consent-gated cases,
#: inside ``counted_once``.
_once: ContextVar[dict[tuple[str, int], str]] = ContextVar("insights_counted_once",
                                                           default={})  # noqa: B039
_numbers = itertools.count(1)
#: What ``counted_once``'s table holds per case (beside ``org``, ``opened_on`` and
#: ``contact_on``, the local dates of intake and of first contact, for periods).
ONCE_COLUMNS = ("cid", "sid", "opened", "trial", "place", "sex", "born", "y", "q",
                "contact")


def _gated(organisation_ids: list[int]) -> QuerySet:
    """Every column any measure reads of the consent-gated cases of ``organisation_ids``.
    The birth year, not the age band: the band is worked out from ``y`` by the one
    statement that splits by it, on its rows only (``_age_band_sql``); as an ORM ``Case``
    here it converted the intake time to local time eleven times per case (half of the
    table's making at 100,000 cases, bench/README.md "Branch h-insights2")."""
    return (Case.objects.filter(organisation_id__in=organisation_ids, archived_at__isnull=True,
                                survivor__archived_at__isnull=True)
            .filter(flows_q(ConsentPurpose.STATISTICS, survivor="survivor")).order_by()
            .annotate(org=F("organisation_id"), cid=F("pk"), sid=F("survivor_id"),
                      opened=F("created_at"), opened_on=TruncDate("created_at"),
                      trial=F("trial_participation"), place=F("jurisdiction"),
                      sex=F("survivor__sex"), born=F("survivor__birth_year"),
                      y=ExtractYear("created_at"), q=ExtractQuarter("created_at"),
                      contact=F("survivor__created_at"),
                      contact_on=TruncDate("survivor__created_at"))
            .values("org", *ONCE_COLUMNS, "opened_on", "contact_on"))


@contextlib.contextmanager
def counted_once(organisation_ids):
    """Within it, every measure counted for one of ``organisation_ids`` reads the
    consent-gated set of cases from one temporary table, computed once (the gate, the
    survivors join, the age band), instead of each statement computing it again: the
    dashboard counts fifteen measures. The same rows as ``counted_cases`` (tests compare
    the grids with and without). The table lives in a transaction on the primary and is
    dropped on leaving; on a replica (a hot standby creates no table, not even a
    temporary one) or with nothing to count, the statements compute the set themselves."""
    alias = Case.objects.db
    organisation_ids = [org for org in organisation_ids
                        if (alias, org) not in _once.get()]
    if alias != DEFAULT_DB_ALIAS or not organisation_ids:
        yield
        return
    database = connections[alias]
    table = database.ops.quote_name(f"insights_counted_{next(_numbers)}")
    sql, params = _gated(organisation_ids).query.sql_with_params()
    with transaction.atomic(using=alias):
        try:
            with transaction.atomic(using=alias), database.cursor() as cursor:
                cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {sql}", params)
                if database.vendor == "postgresql":
                    # Statistics of the join and distinct-count columns only: a third of
                    # the time of every column's (200 against 700 ms at 100,000 cases).
                    cursor.execute(f"ANALYZE {table} (cid, sid, org)")
        except DatabaseError:
            # A role without the TEMPORARY privilege (docs/operations.md): each statement
            # gates for itself, as without ``counted_once``; the same grids, more slowly.
            log.warning("insights: no temporary table (TEMPORARY privilege?); the consent "
                        "gate is computed per measure")
            yield
            return
        token = _once.set({**_once.get(), **{(alias, org): table
                                             for org in organisation_ids}})
        try:
            yield
        finally:
            _once.reset(token)
        with database.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")


def _of_organisation(model, organisation_id: int) -> QuerySet:
    """Rows of ``model`` (on a case) for a statement of one organisation: not filtered here,
    the join to ``counted`` (the organisation's consent-gated cases) decides which count,
    so the organisation's cases are read once. (Over many organisations the planner may
    reach a small one's rows through the ``case_id`` indexes of ``insights`` 0003 or scan;
    measured only for one organisation of 100,000, bench/README.md.)"""
    return model.objects.order_by()


def _microseconds(later: str, earlier: str) -> str:
    """SQL for the microseconds from ``earlier`` to ``later`` (two timestamps or two dates),
    as Django subtracts them on this database."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000)"
    if connection.vendor == "sqlite":
        return f"django_timestamp_diff({later}, {earlier})"
    raise NotImplementedError(connection.vendor)  # pragma: no cover


def _pg_days(later: str, earlier: str) -> str:
    """Days between two dates in microseconds (PostgreSQL's date - date is whole days)."""
    if connection.vendor == "postgresql":
        return f"(({later} - {earlier}) * 86400000000)"
    return _microseconds(later, earlier)


def _band_sql(wait: str, bounds: tuple[int, ...], none_label: str) -> tuple[str, list]:
    """``_banded`` in SQL over a wait in microseconds: the first band whose upper bound in
    days holds it."""
    labels = day_bands(bounds)
    whens, params = [f"WHEN {wait} IS NULL THEN %s"], [none_label]
    for high, label in zip(bounds, labels, strict=False):
        whens.append(f"WHEN {wait} <= %s THEN %s")
        params += [high * 86_400_000_000, label]
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, labels[-1]]


# --- Own outcome delivered -----------------------------------------------------------


def _age_band_sql(year: str, born: str) -> tuple[str, list]:
    """SQL for the age band at intake from the intake's local year and the birth year (the
    younger possible age, ``year - born - 1``, where only the birth year is known, as for
    child protection); no birth year, or an age below 0, is "unknown", never "adult"."""
    age = f"({year} - {born} - 1)"
    whens, params = [f"WHEN {born} IS NULL THEN %s"], [UNKNOWN_AGE]
    for low, high, label in AGE_BANDS:
        if high is None:
            whens.append(f"WHEN {age} >= %s THEN %s")
            params += [low, label]
        else:
            whens.append(f"WHEN {age} >= %s AND {age} <= %s THEN %s")
            params += [low, high, label]
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, UNKNOWN_AGE]


def _delivered_columns(organisation_id: int) -> dict:
    """The case's columns ``own_outcome_delivered`` splits by (expressions on the case, or
    names only when read from ``counted_once``'s table)."""
    names = ("opened", "trial", "place", "sex", "born", "y", "q")
    if _once.get().get((Case.objects.db, organisation_id)):
        return dict.fromkeys(names)
    return dict(zip(names, (F("created_at"), F("trial_participation"), F("jurisdiction"),
                            F("survivor__sex"), F("survivor__birth_year"),
                            ExtractYear("created_at"), ExtractQuarter("created_at")),
                    strict=True))


def own_outcome_delivered(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Share of survivors whose first-ranked outcome has a delivered plan item for it.

    Columns: the outcome ranked first (the denominators add up across them). Rows: trial
    participation, jurisdiction, sex (columns: age band), quarter of intake; and, where a
    survivor can sit in several rows (non-additive), the pathway and the intervention of
    the plan items (of survivors with an item of that pathway, those whose first-ranked
    outcome an item of that pathway delivered). Period: the case's intake date.

    Each survivor is counted on the latest ranking of their latest case that has one (a
    ``ROW_NUMBER()`` over the survivor's ranked cases), once, in one statement for every
    split."""
    key = "own_outcome_delivered"
    counted = _counted(organisation_id, period, **_delivered_columns(organisation_id))
    rankings = (_of_organisation(Priorities, organisation_id)
                .annotate(rid=F("pk"), rcase=F("case_id"), rat=F("recorded_at"),
                          first=KT("ranking__0"))
                .values("rid", "rcase", "rat", "first"))
    band, band_params = _age_band_sql("c.y", "c.born")
    # The plan items of each survivor's counted case are read once (``held``: one index
    # probe per survivor), and "served" (an item delivered for the first-ranked outcome),
    # the pathway and the intervention splits are all counted from it; was an ``EXISTS``
    # per survivor and a join per split, three probes per survivor (bench/README.md,
    # "Branch h-insights2").
    rows = _rows({"counted": counted, "rankings": rankings}, f"""
, ranked AS (
  SELECT c.cid, c.sid, c.trial, c.place, c.sex, {band} AS age_band, c.y, c.q, r.first,
         ROW_NUMBER() OVER (PARTITION BY c.sid
                            ORDER BY c.opened DESC, c.cid DESC, r.rat DESC, r.rid DESC) AS n
  FROM counted c JOIN rankings r ON r.rcase = c.cid),
latest AS (SELECT * FROM ranked WHERE n = 1 AND first IS NOT NULL),
held AS (
  SELECT l.sid, l.first, i.pathway, i.intervention,
         CASE WHEN i.status = %s AND i.outcome = l.first THEN 1 ELSE 0 END AS got
  FROM latest l JOIN {_table(PlanItem)} i ON i.case_id = l.cid),
served AS (SELECT sid, MAX(got) AS served FROM held GROUP BY sid)
SELECT 'fine', l.trial, l.place, l.sex, l.age_band, l.y, l.q, l.first,
       SUM(COALESCE(s.served, 0)), COUNT(*)
FROM latest l LEFT JOIN served s ON s.sid = l.sid
GROUP BY l.trial, l.place, l.sex, l.age_band, l.y, l.q, l.first
UNION ALL
SELECT 'pathway', pathway, NULL, NULL, NULL, NULL, NULL, first, SUM(got), COUNT(*)
FROM (SELECT sid, first, pathway, MAX(got) AS got FROM held
      GROUP BY sid, first, pathway) per_pathway
GROUP BY pathway, first
UNION ALL
SELECT 'intervention', intervention, NULL, NULL, NULL, NULL, NULL, first, SUM(got), COUNT(*)
FROM (SELECT sid, first, intervention, MAX(got) AS got FROM held
      GROUP BY sid, first, intervention) per_intervention
GROUP BY intervention, first""", [*band_params, PlanStatus.DELIVERED])
    splits: dict[str, dict] = {s: {} for s in
                               ("trial", "jurisdiction", "sex_age", "quarter", "pathway",
                                "intervention")}
    for kind, trial, place, sex, age_band, y, q, first, people, of in rows:
        people, of = int(people), int(of)
        if kind != "fine":
            splits[kind][(trial, first)] = (people, of)
            continue
        # ``latest`` holds one row per survivor, so the survivors of a coarser group are
        # the sum over the fine groups it holds.
        for split, cell in (("trial", (trial, first)), ("jurisdiction", (place, first)),
                            ("sex_age", (sex, age_band)),
                            ("quarter", (f"{int(y)}Q{int(q)}", first))):
            was_people, was_of = splits[split].get(cell, (0, 0))
            splits[split][cell] = (was_people + people, was_of + of)
    return [
        _grid(f"{key}.trial", TRIAL, OUTCOMES, splits["trial"], share=True),
        _grid(f"{key}.pathway", (), OUTCOMES, splits["pathway"], share=True,
              additive_rows=False),
        _grid(f"{key}.intervention", (), OUTCOMES, splits["intervention"], share=True,
              additive_rows=False),
        _grid(f"{key}.jurisdiction", (), OUTCOMES, splits["jurisdiction"], share=True),
        _grid(f"{key}.sex_age", tuple(Sex.values),
              tuple(label for _, _, label in AGE_BANDS) + (UNKNOWN_AGE,), splits["sex_age"],
              share=True),
        _grid(f"{key}.quarter", (), OUTCOMES, splits["quarter"], share=True),
    ]


# --- Identification funnel and time to first support ---------------------------------


def identification_funnel(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Survivors screened, by the class of their latest screening (rows, adding up), and of
    them those formally identified and those receiving support (columns: steps of a
    funnel, which do not add up). Period: the case's intake date."""
    screenings = (_of_organisation(Screening, organisation_id)
                  .annotate(scase=F("case_id"), sat=F("created_at"), spk=F("pk"),
                            cls=F("classification"))
                  .values("scase", "sat", "spk", "cls"))
    identified = (_of_organisation(TimelineEvent, organisation_id)
                  .filter(kind="identification_decision", voided_at__isnull=True)
                  # As text (``->>``): the condition of ``insights`` 0003's
                  # ``ins_event_identified`` index, so the planner reads that index
                  # instead of every event with its JSON (was ``->`` and a jsonb literal).
                  .alias(outcome=Cast(KT("details__outcome"), TextField()))
                  .filter(outcome="identified")
                  .annotate(ecase=F("case_id")).values("ecase"))
    rows = _rows({"counted": _counted(organisation_id, period), "screenings": screenings,
                  "identified": identified}, f"""
, latest AS (
  SELECT c.sid, s.cls,
         ROW_NUMBER() OVER (PARTITION BY c.sid ORDER BY s.sat DESC, s.spk DESC) AS n
  FROM counted c JOIN screenings s ON s.scase = c.cid),
who_identified AS (SELECT DISTINCT c.sid FROM counted c JOIN identified e ON e.ecase = c.cid),
who_supported AS (
  SELECT DISTINCT c.sid FROM counted c JOIN {_table(PlanItem)} i ON i.case_id = c.cid
  WHERE i.status IN (%s, %s))
SELECT l.cls, COUNT(*), COUNT(w.sid), COUNT(u.sid)
FROM latest l LEFT JOIN who_identified w ON w.sid = l.sid
  LEFT JOIN who_supported u ON u.sid = l.sid
WHERE l.n = 1 GROUP BY l.cls""", list(SUPPORTED))
    steps = ("screened", "formally_identified", "receiving_support")
    found = {(cls, step): (int(n), None) for cls, *counts in rows
             for step, n in zip(steps, counts, strict=True)}
    return [_grid("identification_funnel.class", tuple(Classification.values), steps, found,
                  share=False, additive_columns=False)]


def day_bands(bounds: tuple[int, ...]) -> tuple[str, ...]:
    """Band codes for upper bounds in days: (7, 30) → "0-7", "8-30", "over_30"."""
    out, low = [], 0
    for high in bounds:
        out.append(f"{low}-{high}")
        low = high + 1
    return (*out, f"over_{bounds[-1]}")


def _bounds(key: str, default: tuple[int, ...]) -> tuple[int, ...]:
    from northstar.insights.measures import by_key

    try:
        return by_key(key).bands or default
    except KeyError:  # pragma: no cover - the measure is in the file
        return default


def time_to_first_support(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Survivors by days from first contact (their record was opened) to the first plan
    item put in progress or delivered, in bands (rows add up; "not_yet" for those not yet
    supported). Period: the date of first contact."""
    bounds = _bounds("time_to_first_support", (7, 30, 90, 180, 365))
    ctes = {"counted": _counted(organisation_id, contact=True)}
    people = "counted"
    if period is not None:
        ctes["contacted"] = _contacted(organisation_id, period)
        people = "contacted"
    # The wait is worked out once per survivor, where the first support is found (the
    # first contact is the survivor's, the same on each of their cases); the band's
    # ``CASE`` compares it (was the subtraction and the epoch's extraction at each of its
    # seven branches: a sixth of the statement's CPU at 100,000 cases).
    wait = _microseconds("MIN(h.changed_at)", "MIN(c.contact)")
    band, params = _band_sql("f.wait", bounds, "not_yet")
    rows = _rows(ctes, f"""
, people AS (SELECT DISTINCT sid FROM {people}),
firsts AS (
  SELECT c.sid, {wait} AS wait
  FROM counted c JOIN {_table(PlanItem)} i ON i.case_id = c.cid
    JOIN {_table(PlanStatusChange)} h ON h.item_id = i.id
  WHERE h.status IN (%s, %s) GROUP BY c.sid),
banded AS (
  SELECT {band} AS band FROM people p LEFT JOIN firsts f ON f.sid = p.sid)
SELECT band, COUNT(*) FROM banded GROUP BY band""", [*SUPPORTED, *params])
    found = {(band, "people"): (int(n), None) for band, n in rows}
    return [_grid("time_to_first_support.days", (*day_bands(bounds), "not_yet"), ("people",),
                  found, share=False)]


# --- Do No Harm ----------------------------------------------------------------------


def told_events(period: Period = None) -> QuerySet:
    """The times a survivor told their story: interviews, and hearings where they testified.
    Its condition is ``insights`` 0005's ``ins_event_told`` index's own (an index-only scan
    on PostgreSQL; tests/insights/test_count_indexes.py checks the planner can use it)."""
    return (_of_organisation(TimelineEvent, None).filter(voided_at__isnull=True)
            .filter(_in(period, "occurred_on"))
            .filter(Q(kind="interview") | Q(kind="hearing",
                                            details__testimony__in=TOLD_AT_HEARING)))


def do_no_harm(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Survivors with a finding by rule and severity (and with a block overridden);
    survivors by how often they told their story; reflection periods granted and how
    they ended. Period: when the finding was raised or the event happened."""
    findings = (_of_organisation(Finding, organisation_id).filter(_on_date(period, "created_at"))
                .annotate(fcase=F("case_id"), frule=F("rule"), fseverity=F("severity"),
                          fstatus=F("status"))
                .values("fcase", "frule", "fseverity", "fstatus"))
    events = _of_organisation(TimelineEvent, organisation_id).filter(voided_at__isnull=True)
    told = told_events(period).annotate(ecase=F("case_id")).values("ecase")
    starts = (events.filter(_in(period, "occurred_on")).filter(kind="reflection_period_start")
              .annotate(ecase=F("case_id")).values("ecase"))
    ends = (events.filter(kind="reflection_period_end")
            .annotate(ecase=F("case_id"),
                      decision=Coalesce(KT("details__decision"), Value("none"),
                                        output_field=CharField()))
            .values("ecase", "decision"))
    # The retellings: every counted survivor's number of tellings (0 included) in one
    # aggregation of the counted cases left-joined to the told events (was the distinct
    # survivors, a tally of the told ones and a join of the two).
    rows = _rows({"counted": _counted(organisation_id), "findings": findings, "told": told,
                  "starts": starts, "ends": ends}, """
, tally AS (SELECT c.sid, COUNT(t.ecase) AS n FROM counted c
          LEFT JOIN told t ON t.ecase = c.cid GROUP BY c.sid),
granted AS (SELECT DISTINCT c.sid, c.cid FROM counted c JOIN starts s ON s.ecase = c.cid),
closed AS (SELECT c.sid, c.cid, e.decision FROM counted c JOIN ends e ON e.ecase = c.cid)
SELECT 'findings', f.frule, f.fseverity, COUNT(DISTINCT c.sid)
FROM counted c JOIN findings f ON f.fcase = c.cid GROUP BY f.frule, f.fseverity
UNION ALL
SELECT 'findings', f.frule, 'block_overridden', COUNT(DISTINCT c.sid)
FROM counted c JOIN findings f ON f.fcase = c.cid
WHERE f.fseverity = %s AND f.fstatus = %s GROUP BY f.frule
UNION ALL
SELECT 'retellings', CASE WHEN n >= 4 THEN '4_or_more' ELSE CAST(n AS VARCHAR(8)) END,
       'people', COUNT(*)
FROM tally GROUP BY CASE WHEN n >= 4 THEN '4_or_more' ELSE CAST(n AS VARCHAR(8)) END
UNION ALL
SELECT 'reflection', 'granted', 'people', COUNT(DISTINCT sid) FROM granted
UNION ALL
SELECT 'reflection', 'ended_' || decision, 'people', COUNT(DISTINCT sid) FROM closed
WHERE sid IN (SELECT sid FROM granted) GROUP BY decision
UNION ALL
SELECT 'reflection', 'running', 'people', COUNT(DISTINCT g.sid) FROM granted g
WHERE NOT EXISTS (SELECT 1 FROM closed e WHERE e.cid = g.cid)""",
                 [Severity.BLOCK, FindingStatus.OVERRIDDEN])
    found: dict[str, dict] = {"findings": {}, "retellings": {}, "reflection": {}}
    for grid, row, column, n in rows:
        found[grid][(row, column)] = (int(n), None)
    return [
        _grid("do_no_harm.findings", (), (Severity.WARN, Severity.BLOCK, "block_overridden"),
              found["findings"], share=False, additive_rows=False, additive_columns=False),
        _grid("do_no_harm.retellings", ("0", "1", "2", "3", "4_or_more"), ("people",),
              found["retellings"], share=False),
        _grid("do_no_harm.reflection",
              ("granted", "ended_cooperate", "ended_decline", "ended_undecided",
               "ended_none", "running"), ("people",), found["reflection"], share=False,
              additive_rows=False),
    ]


# --- Compensation --------------------------------------------------------------------


def compensation(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Of survivors with an award or agreed amount, by route: the share who received any
    payment and the share paid in full; and survivors by days from filing to the first
    payment (``compensation.reports``' first payment), in bands. Period: the claim's
    filing date."""
    bounds = _bounds("compensation", (30, 90, 180, 365, 730))
    claims = (_of_organisation(Claim, organisation_id).filter(_in(period, "filed_on"))
              .annotate(owed=Coalesce("amount_awarded", "amount_agreed"))
              .filter(owed__isnull=False)
              .annotate(clid=F("pk"), ccase=F("case_id"), croute=F("route"),
                        cstatus=F("status"), filed=F("filed_on"))
              .values("clid", "ccase", "croute", "cstatus", "filed"))
    band, params = _band_sql(_pg_days("first_day", "filed"), bounds, "not_paid")
    rows = _rows({"counted": _counted(organisation_id), "claims": claims}, f"""
, paid AS (
  SELECT y.claim_id AS clid, MIN(y.received_on) AS first_day
  FROM {_table(Payment)} y JOIN claims k ON k.clid = y.claim_id GROUP BY y.claim_id),
owed AS (
  SELECT c.sid, k.croute, k.cstatus, k.filed, p.first_day
  FROM counted c JOIN claims k ON k.ccase = c.cid LEFT JOIN paid p ON p.clid = k.clid)
SELECT 'received', croute, COUNT(DISTINCT sid),
  COUNT(DISTINCT CASE WHEN first_day IS NOT NULL THEN sid END),
  COUNT(DISTINCT CASE WHEN cstatus = %s THEN sid END)
FROM owed GROUP BY croute
UNION ALL
SELECT 'days', band, COUNT(DISTINCT sid), NULL, NULL
FROM (SELECT sid, {band} AS band FROM owed WHERE filed IS NOT NULL) w GROUP BY band""",
                 ["paid_in_full", *params])
    received, waited = {}, {}
    for kind, row, of, paid_any, in_full in rows:
        if kind == "received":
            received[(row, "received_any")] = (int(paid_any), int(of))
            received[(row, "paid_in_full")] = (int(in_full), int(of))
        else:
            waited[(row, "people")] = (int(of), None)
    return [
        _grid("compensation.received", ROUTES, ("received_any", "paid_in_full"), received,
              share=True, additive_rows=False, additive_columns=False),
        _grid("compensation.days_to_first_payment", (*day_bands(bounds), "not_paid"),
              ("people",), waited, share=False, additive_rows=False),
    ]


# --- Who is held to account ----------------------------------------------------------


def held_to_account(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Where a trial happens (a hearing on the timeline), the share of survivors whose
    hearings record the broker, the employer or an organised crime group held to account
    (the hearing's ``<party>_held_to_account`` details). Period: the hearing's date."""
    held = {party: ExpressionWrapper(Q(**{f"details__{party}_held_to_account": True}),
                                     output_field=BooleanField()) for party in PARTIES}
    hearings = (_of_organisation(TimelineEvent, organisation_id)
                .filter(kind="hearing", voided_at__isnull=True)
                .filter(_in(period, "occurred_on"))
                .annotate(ecase=F("case_id"), **held).values("ecase", *PARTIES))
    tallies = ", ".join(f"COUNT(DISTINCT CASE WHEN h.{party} THEN c.sid END)"
                        for party in PARTIES)
    ((of, *held_counts),) = _rows({"counted": _counted(organisation_id), "hearings": hearings},
                                  f"""
SELECT COUNT(DISTINCT c.sid), {tallies} FROM counted c JOIN hearings h ON h.ecase = c.cid""")
    found = {(party, "held"): (int(n), int(of))
             for party, n in zip(PARTIES, held_counts, strict=True)}
    return [_grid("held_to_account.party", PARTIES, ("held",), found, share=True,
                  additive_rows=False)]
