"""The outcome measures for insights, one organisation at a time, as ``Grid``s.

Each function has the signature the insights app calls by dotted path
(``northstar/insights/measures.toml``):

    def <name>(organisation_id: int, *, period: tuple[date, date] | None = None) -> list[Grid]

Counts are of people (distinct survivors) and come from aggregate SQL — a fixed
number of queries whatever the number of records. Only survivors whose consent allows
``statistics`` at the moment of counting are counted (``consent.flows_q``); withdrawn
answers never are. Disclosure control is the insights app's business, not this one's.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as When_
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Value, When
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


def _latest_per_survivor_and_moment(qs):
    """One response per survivor and moment: their latest (the highest id) of ``qs``."""
    newer = qs.filter(survivor=OuterRef("survivor"), moment=OuterRef("moment"),
                      pk__gt=OuterRef("pk"))
    return qs.exclude(Exists(newer))


def wellbeing(organisation_id: int, *,
              period: tuple[dt.date, dt.date] | None = None) -> list[Grid]:
    """WHO-5 score bands by moment: people in each band, of the people with a score at
    that moment (each survivor once per moment: their latest score)."""
    bands = instruments.instrument("who5").bands
    moments = tuple(m.id for m in instruments.moments() if "who5" in m.instruments)
    scored = _latest_per_survivor_and_moment(
        _responses(organisation_id, period).filter(who5_score__isnull=False))
    band = When_(*[When(who5_score__lte=b.upto, then=Value(b.id)) for b in bands],
                 output_field=CharField())
    cells: dict[tuple[str, str], People] = {}
    totals = dict(scored.values("moment").annotate(n=Count("survivor", distinct=True))
                  .values_list("moment", "n"))
    for row in (scored.annotate(band=band).values("moment", "band")
                .annotate(n=Count("survivor", distinct=True))):
        cells[(row["band"], row["moment"])] = People(row["n"], totals[row["moment"]])
    for b in bands:
        for m in moments:
            cells.setdefault((b.id, m), People(0, totals.get(m, 0)))
    return [Grid("outcomes.wellbeing.by_moment", tuple(b.id for b in bands), moments, cells)]


def fairness(organisation_id: int, *,
              period: tuple[dt.date, dt.date] | None = None) -> list[Grid]:
    """Share agreeing, per procedural-justice dimension: by moment, and by trial
    participation (the case's). A survivor agrees on a dimension when every item of it
    they answered is "agree" or "strongly agree"; "rather not say" counts for neither."""
    inst = instruments.instrument("fairness")
    dims = inst.dimensions
    moments = tuple(m.id for m in instruments.moments() if "fairness" in m.instruments)
    agrees = inst.agrees_from
    latest = _latest_per_survivor_and_moment(_responses(organisation_id, period).filter(
        Exists(SurveyAnswer.objects.filter(response=OuterRef("pk"), instrument="fairness",
                                           value__isnull=False))))
    answers = SurveyAnswer.objects.filter(response__in=latest, instrument="fairness",
                                          value__isnull=False)

    def grid(measure: str, column: str, columns: tuple[str, ...]) -> Grid:
        cells = {}
        for row in (answers.values("dimension", column).annotate(
                of=Count("response__survivor", distinct=True),
                against=Count("response__survivor", distinct=True,
                              filter=Q(value__lt=agrees)))):
            cells[(row["dimension"], row[column])] = People(row["of"] - row["against"],
                                                           row["of"])
        for d in dims:
            for c in columns:
                cells.setdefault((d, c), People(0, 0))
        return Grid(measure, dims, columns, cells)

    # By trial participation: each survivor once, at their latest response with fairness
    # answers (any moment), split by their case's participation.
    newest = latest.exclude(Exists(latest.filter(survivor=OuterRef("survivor"),
                                                 pk__gt=OuterRef("pk"))))
    by_moment = grid("outcomes.fairness.by_moment", "response__moment", moments)
    answers = answers.filter(response__in=newest)
    by_trial = grid("outcomes.fairness.by_trial", "response__case__trial_participation",
                    tuple(TrialParticipation.values))
    return [by_moment, by_trial]


def follow_up(organisation_id: int, *,
              period: tuple[dt.date, dt.date] | None = None) -> list[Grid]:
    """Per month-mark (3, 6, 12, 24): check-ins due (window opened), done within the window,
    missed (window over, not done), still open; and of those recorded (answers not
    withdrawn): safe from retaliation, housing, income against before, re-exploitation.
    People: a survivor with two closed cases counts once per cell."""
    today = timezone.localdate()
    marks = tuple(str(m.months) for m in instruments.check_in_marks())
    qs = CheckIn.objects.filter(case__organisation_id=organisation_id,
                                cancelled_at__isnull=True,
                                case__archived_at__isnull=True).filter(
        flows_q("statistics", survivor="survivor"))
    if period is not None:
        qs = qs.filter(due_on__gte=period[0], due_on__lte=period[1])
    done_q = Q(done_on__isnull=False, done_on__lte=F("window_ends"))
    status = {
        "due": Q(due_on__lte=today),
        "done": done_q,
        "missed": Q(window_ends__lt=today) & ~done_q,
        "open": Q(due_on__lte=today, window_ends__gte=today, done_on__isnull=True),
    }
    row = qs.values("months").annotate(**{
        name: Count("survivor", distinct=True, filter=cond) for name, cond in status.items()})
    counts = {str(r["months"]): r for r in row}
    cells = {}
    for mark in marks:
        r = counts.get(mark, {k: 0 for k in status})
        cells[("due", mark)] = People(r["due"])
        for name in ("done", "missed", "open"):
            cells[(name, mark)] = People(r[name], r["due"])
    grids = [Grid("outcomes.follow_up.check_ins", tuple(status), marks, cells)]
    recorded = qs.filter(done_on__isnull=False, withdrawn_at__isnull=True)
    recorded_by_mark = dict(recorded.values("months").annotate(
        n=Count("survivor", distinct=True)).values_list("months", "n"))
    for measure, field, choices in (("outcomes.follow_up.safe", "safe", Safe),
                                    ("outcomes.follow_up.housing", "housing", Housing),
                                    ("outcomes.follow_up.income", "income", Income),
                                    ("outcomes.follow_up.reexploited", "reexploited", Reexploited)):
        rows = (*choices.values, "not_said")
        cells = {}
        for r in recorded.values("months", field).annotate(n=Count("survivor", distinct=True)):
            key = r[field] or "not_said"
            cells[(key, str(r["months"]))] = People(r["n"], recorded_by_mark[r["months"]])
        for key in rows:
            for mark in marks:
                cells.setdefault((key, mark), People(0, recorded_by_mark.get(int(mark), 0)))
        grids.append(Grid(measure, rows, marks, cells))
    return grids

