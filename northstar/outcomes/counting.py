"""The outcome measures for insights, one organisation at a time, as ``Grid``s.

Each function has the signature the insights app calls by dotted path
(``northstar/insights/measures.toml``):

    def <name>(organisation_id: int, *, period: tuple[date, date] | None = None) -> list[Grid]

Counts are of people (distinct survivors) and come from aggregate SQL — a fixed
number of queries whatever the number of records. Only survivors whose consent allows
``statistics`` at the moment of counting are counted (``consent.flows_q``); withdrawn
answers never are. Disclosure control is the insights app's business, not this one's.
"""

# The SQL below is built from table names of the models and fixed text; every value is a
# query parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt

from django.db import connection, connections
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from northstar.core.tables import Count as People
from northstar.core.tables import Grid
from northstar.outcomes.models import (
    CheckIn,
    Housing,
    Income,
    Reexploited,
    Safe,
    SurveyAnswer,
    SurveyResponse,
)
from northstar.outcomes.rules import instruments
from northstar.survivors.consent import flows_q
from northstar.survivors.models import TrialParticipation


def _responses(organisation_id: int, period: tuple[dt.date, dt.date] | None):
    qs = SurveyResponse.objects.filter(case__organisation_id=organisation_id,
                                       withdrawn_at__isnull=True,
                                       case__archived_at__isnull=True).filter(
        flows_q("statistics", survivor="survivor"))
    if period is not None:
        qs = qs.filter(answered_on__gte=period[0], answered_on__lte=period[1])
    return qs


def _statement(ctes: dict, body: str, params: list) -> list[tuple]:
    """``WITH <name> AS (<queryset's SQL>), … <body>``: one query, on the database the
    querysets read from (the replica inside ``reading_figures``)."""
    texts, args = [], []
    for name, queryset in ctes.items():
        sql, values = queryset.query.sql_with_params()
        texts.append(f"{name} AS ({sql})")
        args.extend(values)
    alias = next(iter(ctes.values())).db
    with connections[alias].cursor() as cursor:
        cursor.execute(f"WITH {', '.join(texts)} {body}", [*args, *params])
        return cursor.fetchall()


def _answers_table() -> str:
    return connection.ops.quote_name(SurveyAnswer._meta.db_table)


def wellbeing(organisation_id: int, *,
              period: tuple[dt.date, dt.date] | None = None) -> list[Grid]:
    """WHO-5 score bands by moment: people in each band, of the people with a score at
    that moment (each survivor once per moment: their latest score).

    One statement: the organisation's scored responses (the consent gate once), "their
    latest per survivor and moment" a ``ROW_NUMBER()`` (the highest id), then the bands and
    the totals per moment (``tests/outcomes/test_counting_statements.py`` compares it with
    the previous counting)."""
    bands = instruments.instrument("who5").bands
    moments = tuple(m.id for m in instruments.moments() if "who5" in m.instruments)
    scored = (_responses(organisation_id, period).filter(who5_score__isnull=False).order_by()
              .annotate(rid=F("pk"), sid=F("survivor_id"), rmoment=F("moment"),
                        score=F("who5_score"))
              .values("rid", "sid", "rmoment", "score"))
    whens = " ".join("WHEN score <= %s THEN %s" for _ in bands)
    rows = _statement({"scored": scored}, f"""
, latest AS (
  SELECT sid, rmoment, CASE {whens} END AS band,
         ROW_NUMBER() OVER (PARTITION BY sid, rmoment ORDER BY rid DESC) AS n
  FROM scored)
SELECT 'band', rmoment, band, COUNT(DISTINCT sid)
FROM latest WHERE n = 1 GROUP BY rmoment, band
UNION ALL
SELECT 'total', rmoment, NULL, COUNT(DISTINCT sid) FROM latest WHERE n = 1 GROUP BY rmoment""",
                      [v for b in bands for v in (b.upto, b.id)])
    totals = {moment: int(n) for kind, moment, _band, n in rows if kind == "total"}
    cells: dict[tuple[str, str], People] = {}
    for kind, moment, band, n in rows:
        if kind == "band":
            cells[(band, moment)] = People(int(n), totals[moment])
    for b in bands:
        for m in moments:
            cells.setdefault((b.id, m), People(0, totals.get(m, 0)))
    return [Grid("outcomes.wellbeing.by_moment", tuple(b.id for b in bands), moments, cells)]


def fairness(organisation_id: int, *,
              period: tuple[dt.date, dt.date] | None = None) -> list[Grid]:
    """Share agreeing, per procedural-justice dimension: by moment, and by trial
    participation (the case's). A survivor agrees on a dimension when every item of it
    they answered is "agree" or "strongly agree"; "rather not say" counts for neither.

    One statement: the organisation's responses with a fairness answer (filtered on the
    case's own organisation column, the consent gate once), each survivor's latest per
    moment and latest of all two ``ROW_NUMBER()``s over them (the highest id; was two
    anti-joins re-reading the organisation's cases), joined to their fairness answers."""
    inst = instruments.instrument("fairness")
    dims = inst.dimensions
    moments = tuple(m.id for m in instruments.moments() if "fairness" in m.instruments)
    agrees = inst.agrees_from
    answered = (_responses(organisation_id, period).filter(
        Exists(SurveyAnswer.objects.filter(response=OuterRef("pk"), instrument="fairness",
                                           value__isnull=False))).order_by()
        .annotate(rid=F("pk"), sid=F("survivor_id"), rmoment=F("moment"),
                  rtrial=F("case__trial_participation"))
        .values("rid", "sid", "rmoment", "rtrial"))
    answers = _answers_table()
    rows = _statement({"answered": answered}, f"""
, latest AS (
  SELECT rid, sid, rmoment, rtrial,
         ROW_NUMBER() OVER (PARTITION BY sid, rmoment ORDER BY rid DESC) AS per_moment,
         ROW_NUMBER() OVER (PARTITION BY sid ORDER BY rid DESC) AS newest
  FROM answered)
SELECT 'moment', a.dimension, l.rmoment, COUNT(DISTINCT l.sid),
       COUNT(DISTINCT CASE WHEN a.value < %s THEN l.sid END)
FROM latest l JOIN {answers} a ON a.response_id = l.rid
WHERE l.per_moment = 1 AND a.instrument = %s AND a.value IS NOT NULL
GROUP BY a.dimension, l.rmoment
UNION ALL
SELECT 'trial', a.dimension, l.rtrial, COUNT(DISTINCT l.sid),
       COUNT(DISTINCT CASE WHEN a.value < %s THEN l.sid END)
FROM latest l JOIN {answers} a ON a.response_id = l.rid
WHERE l.newest = 1 AND a.instrument = %s AND a.value IS NOT NULL
GROUP BY a.dimension, l.rtrial""", [agrees, "fairness"] * 2)

    def grid(measure: str, kind: str, columns: tuple[str, ...]) -> Grid:
        cells = {}
        for got, dimension, column, of, against in rows:
            if got == kind:
                cells[(dimension, column)] = People(int(of) - int(against), int(of))
        for d in dims:
            for c in columns:
                cells.setdefault((d, c), People(0, 0))
        return Grid(measure, dims, columns, cells)

    # By trial participation: each survivor once, at their latest response with fairness
    # answers (any moment), split by their case's participation.
    return [grid("outcomes.fairness.by_moment", "moment", moments),
            grid("outcomes.fairness.by_trial", "trial", tuple(TrialParticipation.values))]


def follow_up(organisation_id: int, *,
              period: tuple[dt.date, dt.date] | None = None) -> list[Grid]:
    """Per month-mark (3, 6, 12, 24): check-ins due (window opened), done within the window,
    missed (window over, not done), still open; and of those recorded (answers not
    withdrawn): safe from retaliation, housing, income against before, re-exploitation.
    People: a survivor with two closed cases counts once per cell.

    One statement: the organisation's check-ins (the consent gate once), the states and
    each answer counted from them in one ``UNION ALL`` (was six queries, each gating)."""
    today = timezone.localdate()
    marks = tuple(str(m.months) for m in instruments.check_in_marks())
    qs = CheckIn.objects.filter(case__organisation_id=organisation_id,
                                cancelled_at__isnull=True,
                                case__archived_at__isnull=True).filter(
        flows_q("statistics", survivor="survivor"))
    if period is not None:
        qs = qs.filter(due_on__gte=period[0], due_on__lte=period[1])
    answers = (("outcomes.follow_up.safe", "safe", Safe),
               ("outcomes.follow_up.housing", "housing", Housing),
               ("outcomes.follow_up.income", "income", Income),
               ("outcomes.follow_up.reexploited", "reexploited", Reexploited))
    checks = (qs.order_by()
              .annotate(csid=F("survivor_id"), cm=F("months"), cdue=F("due_on"),
                        cend=F("window_ends"), cdone=F("done_on"), cwithdrawn=F("withdrawn_at"),
                        **{f"a_{field}": F(field) for _m, field, _c in answers})
              .values("csid", "cm", "cdue", "cend", "cdone", "cwithdrawn",
                      *(f"a_{field}" for _m, field, _c in answers)))
    recorded = "cdone IS NOT NULL AND cwithdrawn IS NULL"
    done = "(cdone IS NOT NULL AND cdone <= cend)"
    branches = [f"""
SELECT 'status', cm, NULL,
       COUNT(DISTINCT CASE WHEN cdue <= %s THEN csid END),
       COUNT(DISTINCT CASE WHEN {done} THEN csid END),
       COUNT(DISTINCT CASE WHEN cend < %s AND NOT {done} THEN csid END),
       COUNT(DISTINCT CASE WHEN cdue <= %s AND cend >= %s AND cdone IS NULL THEN csid END)
FROM checks GROUP BY cm""", f"""
SELECT 'recorded', cm, NULL, COUNT(DISTINCT csid), NULL, NULL, NULL
FROM checks WHERE {recorded} GROUP BY cm"""]
    branches += [f"""
SELECT '{field}', cm, a_{field}, COUNT(DISTINCT csid), NULL, NULL, NULL
FROM checks WHERE {recorded} GROUP BY cm, a_{field}""" for _m, field, _c in answers]
    rows = _statement({"checks": checks}, "\nUNION ALL".join(branches), [today] * 4)
    status = ("due", "done", "missed", "open")
    counts = {str(months): dict(zip(status, map(int, tallies), strict=True))
              for kind, months, _value, *tallies in rows if kind == "status"}
    recorded_by_mark = {int(months): int(n) for kind, months, _v, n, *_ in rows
                        if kind == "recorded"}
    cells = {}
    for mark in marks:
        r = counts.get(mark, dict.fromkeys(status, 0))
        cells[("due", mark)] = People(r["due"])
        for name in ("done", "missed", "open"):
            cells[(name, mark)] = People(r[name], r["due"])
    grids = [Grid("outcomes.follow_up.check_ins", status, marks, cells)]
    for measure, field, choices in answers:
        keys = (*choices.values, "not_said")
        cells = {}
        for kind, months, value, n, *_ in rows:
            if kind == field:
                cells[(value or "not_said", str(months))] = People(
                    int(n), recorded_by_mark[int(months)])
        for key in keys:
            for mark in marks:
                cells.setdefault((key, mark), People(0, recorded_by_mark.get(int(mark), 0)))
        grids.append(Grid(measure, keys, marks, cells))
    return grids
