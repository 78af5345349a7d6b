"""The one entry point for every page, CSV, PDF and API answer about insights figures.

    tables_for(actor, *, period=None, export=False, measures=None) -> list[Section]

- ``period``: ``(first_day, last_day)`` (dates, both included) or ``None`` for all time;
  each measure applies it to the date it names (``Measure.period_date``).
- ``export``: ``True`` when the tables leave the page (CSV, PDF): audited as an export.
- ``measures``: the keys of the measures wanted (a table's CSV, one section of the
  dashboard), or ``None`` for every one; only those are counted.
- Returns one ``Section`` per measure of ``measures.toml`` (in file order), each holding
  the measure's definition (``section.measure``: key, name, definition, numerator,
  denominator, unit, source, …) and its ``core.tables.Table``s: one per split and per
  scope. ``Table.scope`` is "own" (the viewer's organisation), "total" (the sum of the
  organisations shown) or "org:<id>" (one of them, ``Table.scope_label`` its name); a
  funder gets "total" then each organisation, a government user "total" only.
- In a ``Table``: ``values[(row, column)]`` is a share (0–1) for ``unit == "share"``,
  else a count of survivors; ``None`` is hidden (disclosure control) — or, for a share,
  nobody to count (``bases[...] == 0``). Rows and columns are codes; a last row / column
  ``"total"`` (``core.disclosure.TOTAL``) is a margin, present where the split adds up.
  ``counts`` / ``bases`` give a share's numerator and denominator as shown (rounded).
  ``notes`` are translated sentences to print under the table.

Who sees whose counts is ``policy.figure_sources``; the counts are per organisation
(``insights.counting``) and a roll-up is ``core.tables.add`` of them, never a query over
pooled records; every table passes ``core.disclosure.protect`` with its published
neighbours (each organisation and their sum) before anyone sees it. The read is audited
as an aggregate read (no record ids): one entry per call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Min
from django.utils.translation import gettext as _

from northstar import policy
from northstar.core import audit, disclosure
from northstar.core.actor import Actor
from northstar.core.tables import Grid, Table, add
from northstar.insights import counting, materialised
from northstar.insights.measures import Measure, all_measures, resolve

Period = tuple[dt.date, dt.date] | None


@dataclass(frozen=True)
class Section:
    """One measure on a dashboard: its definition and its tables (every split × scope)."""

    measure: Measure
    tables: tuple[Table, ...]
    audience: str
    notes: tuple[str, ...] = ()

    def tables_of(self, scope: str) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.scope == scope)


def check_period(period: Period) -> Period:
    if period is None:
        return None
    start, end = period
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValueError("period must be two dates")
    if end < start:
        raise ValueError("the period ends before it starts")
    return start, end


def grids_of(measure: Measure, organisation_id: int, period: Period,
             stored: dict[int, dict[str, Grid]] | None = None) -> dict[str, Grid]:
    """One organisation's exact grids of ``measure``, by split key: from its last stored
    count (``insights.materialised``) where one is given, else counted now."""
    if stored and organisation_id in stored:
        prefix = measure.key + "."
        found = {key: grid for key, grid in stored[organisation_id].items()
                 if key.startswith(prefix) and "." not in key[len(prefix):]}
        if found:
            return found
    return {grid.measure: grid for grid in resolve(measure)(organisation_id, period=period)}


def stored_counts(organisation_ids: list[int]) -> dict[int, dict[str, Grid]]:
    """The organisations' grids as the refresh job last counted them (all time only).
    External readers (funders, governments) read these: a published figure is a dated
    snapshot, the same for every reader until the next count, and over a million cases it
    is read in milliseconds instead of counted in minutes (bench/README.md, "Insights at
    scale")."""
    return {org: {grid.measure: grid for grid in grids}
            for org, grids in materialised.grids_of(organisation_ids).items()}


def _notes(audience: disclosure.Audience, table: Table) -> tuple[str, ...]:
    notes = [_("Only survivors who consented to their data being used for statistics are "
               "counted; each survivor once.")]
    if table.hidden:
        notes.append(_("Cells resting on fewer than %(k)s survivors are hidden, and so are "
                       "others from which a hidden cell could be worked out.")
                     % {"k": audience.threshold})
    if audience.round_to > 1:
        notes.append(_("Counts are rounded to a multiple of %(base)s, so totals may differ "
                       "from the sum of their parts.") % {"base": audience.round_to})
    if table.unit == "share":
        notes.append(_("Shares are computed from the exact counts of the cells shown."))
    return tuple(notes)


def _median_note(table: Table) -> str | None:
    """The median wait estimated from shown bands (linear within the band holding it)."""
    column = table.columns[0]
    bands = [r for r in table.rows if r not in (disclosure.TOTAL, "not_yet", "not_paid")]
    values = [table.values.get((r, column)) for r in bands]
    if not bands or any(v is None for v in values) or not sum(values):
        return None
    half, seen = sum(values) / 2, 0
    for band, n in zip(bands, values, strict=True):
        if seen + n >= half and n:
            if band.startswith("over_"):
                return _("Median: more than %(days)s days (estimated from the bands).") % {
                    "days": band.removeprefix("over_")}
            low, high = (int(x) for x in band.split("-"))
            days = round(low + (half - seen) / n * (high - low))
            return _("Median: about %(days)s days (estimated from the bands, not from each "
                     "survivor's wait).") % {"days": days}
        seen += n
    return None  # pragma: no cover


def tables_for(actor: Actor, *, period: Period = None, export: bool = False,
               measures: Iterable[str] | None = None) -> list[Section]:
    """Every measure's tables that ``actor`` may see (see the module docstring); with
    ``measures``, only those measures' (each counted alone: a measure's tables depend on
    no other measure's, disclosure control included)."""
    wanted = None if measures is None else set(measures)
    chosen = [m for m in all_measures() if wanted is None or m.key in wanted]
    sources = policy.figure_sources(actor)
    period = check_period(period)
    audience = disclosure.EXTERNAL if sources.audience == "external" else disclosure.INTERNAL
    orgs = list(sources.organisations)
    labels = {f"org:{o.pk}": o.name for o in orgs}
    labels["total"] = _("All organisations shown")
    labels["own"] = orgs[0].name if sources.own and orgs else ""
    stored = (stored_counts([o.pk for o in orgs])
              if audience is disclosure.EXTERNAL and period is None else None)
    counted_on = None
    if stored:
        oldest = materialised.FigureGrid.objects.filter(
            organisation_id__in=list(stored)).aggregate(at=Min("counted_at"))["at"]
        counted_on = oldest and oldest.date()
    sections = []
    # The organisations counted now (not read from their stored counts): the consent-gated
    # set of each computed once for every measure (``counting.counted_once``).
    # For one measure (a table's CSV) the statement gates for itself: making the table
    # costs about what it saves once.
    live = [o.pk for o in orgs if not (stored and o.pk in stored)] if len(chosen) > 1 else []
    with counting.counted_once(live):
        counted = {measure.key: {f"org:{o.pk}": grids_of(measure, o.pk, period, stored)
                                 for o in orgs} for measure in chosen}
    for measure in chosen:
        per_org = counted[measure.key]
        split_keys = list(dict.fromkeys(k for grids in per_org.values() for k in grids))
        tables: list[Table] = []
        for split in split_keys:
            grids = {scope: g[split] for scope, g in per_org.items() if split in g}
            if sources.own:
                family, total, shown = {"own": grids[next(iter(grids))]}, None, {"own"}
            else:
                family = dict(grids)
                family["total"] = add(grids.values())
                total = "total"
                # A government sees only the sum; each organisation's table is still
                # treated as published (a funder may see it), so the sum is protected
                # against subtraction of any one of them.
                shown = set(family) if sources.each else {"total"}
            # The unit is the split's own (a share measure may have a split of counts,
            # as compensation's days to first payment): read from its grids.
            protected = disclosure.protect(family, audience, total=total, labels=labels)
            for scope in ["own", "total", *per_org]:
                if scope in protected and scope in shown:
                    table = protected[scope]
                    notes = list(_notes(audience, table))
                    if counted_on and all(o.pk in stored for o in orgs):
                        notes.append(_("Counted on %(date)s; the figures are refreshed daily.")
                                     % {"date": counted_on.isoformat()})
                    if measure.key == "time_to_first_support" or split.endswith(
                            "days_to_first_payment"):
                        median = _median_note(table)
                        if median:
                            notes.append(median)
                    tables.append(replace(table, notes=tuple(notes)))
        sections.append(Section(measure, tuple(tables), audience.name))
    who = ", ".join(str(o.pk) for o in orgs) or "none"
    span = f"{period[0].isoformat()}..{period[1].isoformat()}" if period else "all time"
    which = "" if wanted is None else f", measures {', '.join(m.key for m in chosen) or 'none'}"
    audit.record_read(actor, (), record_type="insights_figures", export=export,
                      note=f"{audience.name} figures of organisation(s) {who}, {span}{which}")
    return sections
