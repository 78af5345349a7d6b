"""Materialised per-organisation counts: the insights figures read from a small table that a
job refreshes, instead of aggregating every case on each page view (issue 15 §4).

Why (measured in ``bench/README.md``, "Insights at scale"): over 1,000,000 cases a measure
counted live on PostgreSQL scans and joins every case, consent, ranking and plan item of the
organisations asked for — seconds, many times what DuckDB takes over a columnar extract of
the same data. The grids themselves are small (tens to hundreds of cells per organisation
and measure), so reading them back costs milliseconds whatever the number of cases, and the
roll-ups (``core.tables.add``) add stored per-organisation grids, never pooled records —
which is what issue 15 §2 asks of a roll-up anyway. The cost moves to the refresh: one job
per day (``insights_refresh_counts``), or on demand, counting every organisation once.
A published figure is then a snapshot "as of" its refresh time, which the disclosure rules
want in any case (a series is compared release to release, not request to request).

- ``FigureGrid``: the shape of one organisation's grid of one measure (``Grid.measure``,
  rows, columns, additive or not) and when it was counted; ``FigureCount``: one of its
  cells (row, column, ``people`` and ``of``).
- ``refresh(counters, organisation_ids)``: replaces the stored grids of those organisations
  with what the counters say now, in one transaction per organisation (a reader sees the
  old or the new grids of an organisation, never half of each).
- ``grids(organisation_id, measures=None)``: the stored grids, as ``core.tables.Grid``;
  ``grids_of(organisation_ids, measures)`` the same for several organisations in two queries.
- ``refreshed_at(organisation_id)``: when they were counted (shown beside the figures).

A counter is any ``count(organisation_id, *, period=None) -> list[Grid]`` (the one signature
of the insights counting functions); the job takes them from ``COUNTERS`` (filled by the
module that defines the measures) and counts all time (``period=None``): figures for another
period are counted live.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import models, transaction
from django.utils import timezone

from northstar.core import jobs
from northstar.core.models import Organisation
from northstar.core.tables import Count, Grid
from northstar.insights.counting import counted_once

Counter = Callable[..., list[Grid]]
#: The counting functions the refresh job runs: registered by the module that defines the
#: measures (``COUNTERS.append(count_fn)``), or passed to ``refresh`` directly.
COUNTERS: list[Counter] = []


class FigureGrid(models.Model):
    """The shape of one organisation's grid of one measure, as counted at ``counted_at``:
    its rows and columns in order (some may hold no cell) and whether they add up."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=120)
    rows = models.JSONField(default=list)
    columns = models.JSONField(default=list)
    additive_rows = models.BooleanField(default=True)
    additive_columns = models.BooleanField(default=True)
    #: The grid's own unit where it names one ("people" for a count split of a share
    #: measure); empty: read from the cells, as ``core.tables.Grid`` does.
    unit = models.CharField(max_length=16, blank=True, default="")
    counted_at = models.DateTimeField()

    class Meta:
        app_label = "insights"
        constraints = [models.UniqueConstraint(fields=["organisation", "measure"],
                                               name="insights_grid_once")]

    def __str__(self) -> str:
        return f"{self.measure} of {self.organisation_id}"


class FigureCount(models.Model):
    """One cell of an organisation's grid of one measure."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=120)
    row = models.CharField(max_length=120)
    column = models.CharField(max_length=120)
    people = models.PositiveIntegerField()
    of = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        app_label = "insights"
        constraints = [models.UniqueConstraint(
            fields=["organisation", "measure", "row", "column"], name="insights_count_cell")]

    def __str__(self) -> str:
        return f"{self.measure}[{self.row}, {self.column}] of {self.organisation_id}"


def refresh(counters: Iterable[Counter] | None = None,
            organisation_ids: Iterable[int] | None = None) -> dict:
    """Count each organisation again with every counter and store its grids."""
    counters = list(counters if counters is not None else COUNTERS or default_counters())
    if organisation_ids is None:
        organisation_ids = Organisation.objects.filter(on_platform=True).order_by("pk") \
            .values_list("pk", flat=True)
    cells = organisations = 0
    for org_id in list(organisation_ids):
        # The organisation's consent-gated set computed once for every measure.
        with counted_once([org_id]):
            grids = [grid for counter in counters for grid in counter(org_id, period=None)]
        cells += store(org_id, grids)
        organisations += 1
    return {"organisations": organisations, "cells": cells}


def default_counters() -> list[Counter]:
    """The counting function of every measure in ``insights/measures.toml``."""
    from northstar.insights.measures import all_measures, resolve

    return [resolve(measure) for measure in all_measures()]


def store(organisation_id: int, grids: Iterable[Grid], *, at=None) -> int:
    """Replace the stored grids of one organisation (the measures named in ``grids``)."""
    at = at or timezone.now()
    grids = list(grids)
    shapes = [FigureGrid(organisation_id=organisation_id, measure=g.measure, rows=list(g.rows),
                         columns=list(g.columns), additive_rows=g.additive_rows,
                         additive_columns=g.additive_columns, unit=g.unit, counted_at=at)
              for g in grids]
    cells = [FigureCount(organisation_id=organisation_id, measure=g.measure, row=row,
                         column=column, people=count.people, of=count.of)
             for g in grids for (row, column), count in g.cells.items()]
    measures = {g.measure for g in grids}
    with transaction.atomic():
        for model in (FigureGrid, FigureCount):
            model.objects.filter(organisation_id=organisation_id, measure__in=measures).delete()
        FigureGrid.objects.bulk_create(shapes, batch_size=2000)
        FigureCount.objects.bulk_create(cells, batch_size=2000)
    return len(cells)


def grids(organisation_id: int, measures: Iterable[str] | None = None) -> list[Grid]:
    """The stored grids of one organisation (all, or those of ``measures``), in the order
    of their measures' names, rows and columns in the order they were counted."""
    return grids_of([organisation_id], measures).get(organisation_id, [])


def grids_of(organisation_ids: Iterable[int], measures: Iterable[str] | None = None
             ) -> dict[int, list[Grid]]:
    """``grids`` of several organisations in two queries (a funder's or a jurisdiction's
    organisations): {organisation id: [Grid, …]}; an organisation never counted is absent."""
    ids = list(organisation_ids)
    shapes = FigureGrid.objects.filter(organisation_id__in=ids)
    found = FigureCount.objects.filter(organisation_id__in=ids)
    if measures is not None:
        shapes = shapes.filter(measure__in=list(measures))
        found = found.filter(measure__in=list(measures))
    cells: dict[tuple[int, str], dict] = {}
    for org, measure, row, column, people, of in found.values_list(
            "organisation_id", "measure", "row", "column", "people", "of"):
        cells.setdefault((org, measure), {})[(row, column)] = Count(people, of)
    out: dict[int, list[Grid]] = {}
    for org, measure, rows, columns, add_rows, add_columns, unit in shapes.order_by(
            "organisation_id", "measure").values_list(
            "organisation_id", "measure", "rows", "columns", "additive_rows",
            "additive_columns", "unit"):
        out.setdefault(org, []).append(Grid(measure, tuple(rows), tuple(columns),
                                            cells.get((org, measure), {}), add_rows,
                                            add_columns, unit))
    return out


def refreshed_at(organisation_id: int):
    return FigureGrid.objects.filter(organisation_id=organisation_id).aggregate(
        at=models.Min("counted_at"))["at"]


@jobs.task("insights.refresh_counts")
def refresh_job(job, *, organisation_ids: list[int] | None = None):
    ids = list(organisation_ids) if organisation_ids is not None else list(
        Organisation.objects.filter(on_platform=True).order_by("pk").values_list("pk", flat=True))
    done = {"organisations": 0, "cells": 0}
    for i, org_id in enumerate(ids):
        jobs.report(job, i, len(ids), "Counting each organisation's figures")
        result = refresh(organisation_ids=[org_id])
        done["organisations"] += result["organisations"]
        done["cells"] += result["cells"]
    jobs.report(job, len(ids), len(ids))
    return done


jobs.schedule("insights_refresh_counts", "insights.refresh_counts", every="day")
