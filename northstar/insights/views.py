"""The insights pages: a dashboard per audience, each table as CSV, the whole as a PDF
(prepared as a job: ``insights/report.py``).

Figures come from one place, ``insights.figures.tables_for(actor, period=…)``, already
through disclosure control: a hidden cell is ``None`` and stays hidden here — drawn as a
hatched bar labelled in words, an empty CSV cell with a note, never a zero. These pages
show figures only: no record is linked, no survivor named. What a reader sees (own
organisation, the organisations sharing with a funder and their total, a jurisdiction's
roll-up) is decided by the policy and ``tables_for``; the page renders whatever comes back,
grouped into sections by the measure key's prefix (unknown prefixes get a section of their
own, so a new measure shows up without a change here).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from northstar import policy
from northstar.core import jobs, places
from northstar.core.db import reading_figures
from northstar.core.errors import DomainError, NotFound
from northstar.core.tables import Table
from northstar.insights import charts

# --- Sections: measure key prefix → heading --------------------------------------

#: (section, heading, section names and measure key prefixes that belong to it), in the
#: order a funder reads them: did survivors get what they wanted first. A measure's section
#: is the one ``measures.toml`` gives it, else the prefix of its key.
SECTIONS = (
    ("outcome", gettext_lazy("Own outcome delivered"), ("outcomes", "outcome", "own_outcome")),
    ("identification", gettext_lazy("Identification and time to first support"),
     ("identification", "funnel", "time_to_first_support", "time_to_support")),
    ("surveys", gettext_lazy("Wellbeing and fairness"),
     ("surveys", "survey", "wellbeing", "fairness", "procedural")),
    ("follow_up", gettext_lazy("Follow-up after a case closes"),
     ("follow_up", "follow_ups", "followup")),
    ("do_no_harm", gettext_lazy("Do No Harm"), ("do_no_harm", "harm", "safeguards")),
    ("compensation", gettext_lazy("Compensation"), ("compensation",)),
    ("accountability", gettext_lazy("Who is held to account"),
     ("justice", "accountability", "held_to_account")),
)
OTHER = "other"

#: Row and column codes as words, where the project's choice labels do not say it well.
CODE_LABELS = {
    "total": gettext_lazy("Total"), "all": gettext_lazy("All"),
    "unknown": gettext_lazy("Not known"), "people": gettext_lazy("People"),
    "share": gettext_lazy("Share"), "delivered": gettext_lazy("Delivered"),
    "screened": gettext_lazy("Screened"),
    "formally_identified": gettext_lazy("Formally identified"),
    "receiving_support": gettext_lazy("Receiving support"),
    "not_yet": gettext_lazy("Not yet supported"), "not_paid": gettext_lazy("Not paid yet"),
    "block_overridden": gettext_lazy("Block overridden"),
    "received_any": gettext_lazy("Received any payment"),
    "paid_in_full": gettext_lazy("Paid in full"), "held": gettext_lazy("Held to account"),
    "broker": gettext_lazy("Broker"), "employer": gettext_lazy("Employer"),
    "organised_crime": gettext_lazy("Organised crime"),
    "4_or_more": gettext_lazy("4 or more"),
}
#: Codes whose words depend on the split: trial participation "yes" is "with a trial".
SPLIT_LABELS = {
    "trial": {"yes": gettext_lazy("With a trial"), "no": gettext_lazy("Without a trial"),
              "undecided": gettext_lazy("Trial undecided")},
}
#: What each split is, under the measure's name.
SPLIT_TITLES = {
    "trial": gettext_lazy("by trial participation"), "pathway": gettext_lazy("by pathway"),
    "intervention": gettext_lazy("by intervention"),
    "jurisdiction": gettext_lazy("by jurisdiction"),
    "sex_age": gettext_lazy("by sex and age band"),
    "quarter": gettext_lazy("by quarter of intake"), "class": gettext_lazy("by screening class"),
    "days": gettext_lazy("by days from first contact"),
    "days_to_first_payment": gettext_lazy("by days from claim to first payment"),
    "received": gettext_lazy("by route"), "party": gettext_lazy("by party"),
    "findings": gettext_lazy("findings by rule and severity"),
    "retellings": gettext_lazy("retellings per survivor"),
    "reflection": gettext_lazy("reflection periods"),
}
#: Splits drawn with the columns as groups and the rows as the bars of each group: the
#: headline compares with and without a trial within each first-ranked outcome.
TRANSPOSED = {"trial"}
QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")
#: The margin row / column of a table that adds up (``core.disclosure.TOTAL``).
TOTAL = "total"
DAY_BAND = re.compile(r"^(\d+)-(\d+)$")


def _measure(key: str):
    """The measure a table's key (``<measure key>.<split>``) belongs to: the longest measure
    key it starts with (measure keys may hold dots themselves: ``outcomes.wellbeing``)."""
    from northstar.insights import measures

    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        try:
            return measures.by_key(".".join(parts[:end]))
        except KeyError:
            continue
    return None


def section_of(measure: str) -> str:
    found = _measure(measure)
    prefix = (found.key if found else measure).split(".", 1)[0]
    named = getattr(found, "section", "") or ""
    for key, _heading, names in SECTIONS:
        if named and named in names:
            return key
    for key, _heading, names in SECTIONS:
        if any(prefix == p or prefix.startswith(p + "_") for p in names):
            return key
    return OTHER


def code_label(code: object, split: str = "") -> str:
    """A row or column code as words: a quarter, a country, a band of days, a known code,
    or a choice label."""
    from northstar.web.templatetags.northstar_web import label  # the project's choice labels

    text = str(code)
    if text in SPLIT_LABELS.get(split, {}):
        return str(SPLIT_LABELS[split][text])
    if text in CODE_LABELS:
        return str(CODE_LABELS[text])
    if m := QUARTER.match(text):
        return f"{m.group(1)} Q{m.group(2)}"
    if re.fullmatch(r"[A-Z]{2}", text):
        return places.country_name(text, translation.get_language())
    if split.startswith("days") and (m := DAY_BAND.match(text)):
        return _("%(low)s–%(high)s days") % {"low": m.group(1), "high": m.group(2)}
    if split.startswith("days") and text.startswith("over_"):
        return _("over %(n)s days") % {"n": text.removeprefix("over_")}
    if re.fullmatch(r"\d+(-\d+|\+)?", text):
        return text.replace("-", "–")
    return label(text)


# --- Periods: quarters -------------------------------------------------------------

QUARTERS_OFFERED = 12


def quarter_bounds(code: str) -> tuple[dt.date, dt.date]:
    m = QUARTER.match(code)
    if not m:
        raise DomainError(_("Choose a quarter from the list."), "period")
    year, q = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    end = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1))
    return start, end


def recent_quarters(today: dt.date, count: int = QUARTERS_OFFERED) -> list[str]:
    year, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _i in range(count):
        out.append(f"{year}Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out


def chosen_period(request) -> tuple[str, tuple[dt.date, dt.date] | None]:
    code = request.GET.get("period", "")
    if not code:
        return "", None
    if code not in recent_quarters(timezone.localdate()):
        raise DomainError(_("Choose a quarter from the list."), "period")
    return code, quarter_bounds(code)


# --- What the pages show -------------------------------------------------------------


@dataclass
class Shown:
    """One table as the page, the CSV and the PDF show it."""

    table: Table
    scope: str                      # whose figures: an organisation, a total, a jurisdiction
    name: str
    definition: str = ""
    numerator: str = ""
    denominator: str = ""
    source: str = ""
    period_date: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # (text, kind)
    chart: str = ""
    #: Whether the table carries its measure's definition and notes (the first of its
    #: measure on a page; the others only what differs), so a page stays within budget.
    explain: bool = True
    show_notes: bool = True

    @property
    def key(self) -> str:
        return self.table.measure

    @property
    def split(self) -> str:
        return self.key.split(".", 1)[1] if "." in self.key else ""

    @property
    def slug(self) -> str:
        scope = getattr(self.table, "scope", "") or self.scope
        return re.sub(r"[^a-z0-9]+", "-", f"{self.key}-{scope}".lower()).strip("-")

    @property
    def hidden_note(self) -> str:
        return _("%(count)s of %(cells)s cells hidden.") % {
            "count": self.table.hidden, "cells": len(self.table.rows) * len(self.table.columns)}


def _text(value: object) -> str:
    return "" if value is None else str(value)


META = ("name", "definition", "numerator", "denominator", "source", "period_date")
#: The measure's words a reader reads in their language (``insights/texts.py`` lists them
#: for the catalogues); the source stays as written: it names a law, a paper or a seed.
TRANSLATED = frozenset({"name", "definition", "numerator", "denominator", "period_date"})


def _measure_meta(measure, table: Table) -> dict:
    """Name (with the split), definition, numerator, denominator, source and the date the
    period applies to, from the measure's definition in ``measures.toml``."""
    found = measure if measure is not None else _measure(table.measure)
    meta = {name: _text(getattr(found, name, "")) for name in META}
    meta.update({name: _(meta[name]) for name in TRANSLATED if meta[name]})
    prefix, _dot, split = table.measure.rpartition(".")
    meta["name"] = meta["name"] or code_label(prefix)
    if split:
        meta["name"] += " — " + str(SPLIT_TITLES.get(split, code_label(split)))
    return meta


def _flatten(result) -> list[tuple[object, Table]]:
    """``tables_for`` answers sections (``.measure`` and ``.tables``); each table with its
    measure's definition. Plain Tables are taken as they come."""
    out: list[tuple[object, Table]] = []
    for item in result or ():
        if isinstance(item, Table):
            out.append((None, item))
        else:
            out.extend((getattr(item, "measure", None), t) for t in item.tables)
    return out


def hidden_label(threshold: int) -> str:
    return _("hidden (fewer than %(n)s people)") % {"n": threshold}


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _cell(table: Table, key: tuple[str, str]):
    """A cell's value for a chart: a number, ``None`` (hidden) or ``charts.NO_ONE`` (a share
    of nobody: its base is 0)."""
    value = table.values.get(key)
    if value is None and table.unit == "share" and (table_bases(table).get(key) == 0):
        return charts.NO_ONE
    return value


def table_bases(table: Table) -> dict:
    return getattr(table, "bases", None) or {}


def _value_text(table: Table, key: tuple[str, str]) -> str:
    """A cell as text: a share as per cent with its people (``63% (19 of 30)``) where the
    figures carry them; hidden: the words for it; a share of nobody: a dash."""
    value = _cell(table, key)
    if value is None:
        return hidden_label(table.threshold)
    if value is charts.NO_ONE:
        return "—"
    if table.unit != "share":
        return _number(value)
    text = f"{value * 100:.0f}%"
    people = (getattr(table, "counts", None) or {}).get(key)
    base = table_bases(table).get(key)
    if people is not None and base is not None:
        text += " " + _("(%(people)s of %(base)s)") % {"people": _number(people),
                                                       "base": _number(base)}
    return text


def _kind(table: Table, key: tuple[str, str]) -> str:
    """How the table marks a cell: "hidden", "empty" (no one to count) or shown ("")."""
    value = _cell(table, key)
    return "hidden" if value is None else "empty" if value is charts.NO_ONE else ""


def _chart(shown: Shown, cid: str) -> str:
    table, split = shown.table, shown.split
    rows, columns = list(table.rows), list(table.columns)
    opts = {"share": table.unit == "share", "suffix": _(" days") if table.unit == "days" else "",
            "hidden_label": hidden_label(table.threshold)}
    title = f"{shown.name} — {shown.scope}" if shown.scope else shown.name
    desc = _("The table after this chart gives every value in it.")
    row_labels = dict(zip(rows, [code_label(r, split) for r in rows], strict=True))
    col_labels = dict(zip(columns, [code_label(c, split) for c in columns], strict=True))

    def value(r, c):
        return _cell(table, (r, c))

    # A row or column where there is no one to count anywhere says nothing: not drawn (the
    # table beside the chart keeps it).
    rows = [r for r in rows if any(value(r, c) is not charts.NO_ONE for c in columns)] or rows
    columns = [c for c in columns
               if any(value(r, c) is not charts.NO_ONE for r in rows)] or columns
    plain_cols = [c for c in columns if c != TOTAL]
    plain_rows = [r for r in rows if r != TOTAL]
    if charts.looks_like_quarters(plain_cols):
        series = [(row_labels[r], [value(r, c) for c in plain_cols]) for r in rows]
        return charts.line(cid, title, desc, [col_labels[c] for c in plain_cols], series, **opts)
    if charts.looks_like_quarters(plain_rows) and len(columns) <= 4:
        series = [(col_labels[c], [value(r, c) for r in plain_rows]) for c in columns]
        return charts.line(cid, title, desc, [row_labels[r] for r in plain_rows], series, **opts)
    opts["empty_label"] = _("no one to count")
    if "funnel" in table.measure and (len(rows) == 1 or TOTAL in rows):
        row = TOTAL if TOTAL in rows else rows[0]
        return charts.funnel(cid, title, desc, [(col_labels[c], value(row, c)) for c in plain_cols],
                             hidden_label=opts["hidden_label"],
                             of_previous=_("{share} of the step before"))
    if len(columns) == 1:
        return charts.horizontal_bars(cid, title, desc,
                                      [(row_labels[r], value(r, columns[0])) for r in rows], **opts)
    if len(rows) == 1:
        return charts.horizontal_bars(cid, title, desc,
                                      [(col_labels[c], value(rows[0], c)) for c in columns], **opts)
    if split in TRANSPOSED:
        groups = [(col_labels[c], [(row_labels[r], value(r, c)) for r in rows]) for c in columns]
    else:
        groups = [(row_labels[r], [(col_labels[c], value(r, c)) for c in columns]) for r in rows]
    return charts.grouped_bars(cid, title, desc, groups, **opts)


def shown_tables(actor, period=None, *, export: bool = False, with_charts: bool = True,
                 measures=None) -> list[Shown]:
    """Every table ``tables_for`` gives this actor (of ``measures`` only, if given),
    labelled, with its chart. (``tables_for`` audits the read, as an export when
    ``export``.)"""
    from northstar.insights import figures  # the one entry point to the figures

    out = []
    for measure, table in _flatten(figures.tables_for(actor, period=period, export=export,
                                                      measures=measures)):
        shown = Shown(table=table, scope=str(getattr(table, "scope_label", "") or ""),
                      **_measure_meta(measure, table))
        split = shown.split
        shown.columns = [code_label(c, split) for c in table.columns]
        shown.rows = [(code_label(r, split), [(_value_text(table, (r, c)), _kind(table, (r, c)))
                                              for c in table.columns])
                      for r in table.rows]
        out.append(shown)
    if with_charts:
        draw(out)
    return out


def draw(tables: list[Shown]) -> None:
    """Each table's chart (ids ``c1``, ``c2`` … unique on the page), and which tables carry
    their measure's definition: the first of each measure; the rest their notes only where
    they differ from that first one's."""
    first: dict[str, Shown] = {}
    for i, shown in enumerate(tables, 1):
        shown.chart = mark_safe(_chart(shown, f"c{i}"))  # noqa: S308 - every text is escaped
        measure = shown.key.split(".", 1)[0]
        lead = first.setdefault(measure, shown)
        shown.explain = lead is shown
        shown.show_notes = shown.explain or shown.table.notes != lead.table.notes


def _section(table_key: str) -> tuple[str, object]:
    """The section (key, heading) a table (``<measure key>.<split>``) is shown in: one of
    SECTIONS, or for an unknown prefix a section of its own."""
    key = section_of(table_key)
    if key != OTHER:
        return key, next(heading for k, heading, _names in SECTIONS if k == key)
    prefix = table_key.split(".", 1)[0]
    return f"{OTHER}-{prefix}", code_label(prefix)


def sections(shown: list[Shown]) -> list[dict]:
    """The tables grouped by section, in SECTIONS order; unknown prefixes last, each
    measure prefix a section of its own."""
    grouped: dict[str, dict] = {}
    for key, heading, _prefixes in SECTIONS:
        grouped[key] = {"key": key, "heading": heading, "tables": []}
    for item in shown:
        key, heading = _section(item.key)
        grouped.setdefault(key, {"key": key, "heading": heading, "tables": []})
        grouped[key]["tables"].append(item)
    return [s for s in grouped.values() if s["tables"]]


def measure_sections() -> list[dict]:
    """Every section a dashboard can show, in ``sections``' order, with the keys of the
    measures in it (``measures``), worked out from ``measures.toml`` without counting
    anything: every measure gives tables for every scope a reader sees, so these are the
    sections ``sections`` makes of all of them (tests/insights/test_dashboard.py)."""
    from northstar.insights.measures import all_measures

    grouped: dict[str, dict] = {}
    for key, heading, _prefixes in SECTIONS:
        grouped[key] = {"key": key, "heading": heading, "measures": []}
    for measure in all_measures():
        key, heading = _section(f"{measure.key}.{(measure.splits or ['all'])[0]}")
        grouped.setdefault(key, {"key": key, "heading": heading, "measures": []})
        grouped[key]["measures"].append(measure.key)
    return [s for s in grouped.values() if s["measures"]]


def _audience(actor) -> str:
    if policy.is_funder(actor):
        return _("Figures of the organisations that share them with you: each, and all of "
                 "them together.")
    if policy.is_government(actor):
        return _("The roll-up of the organisations of your jurisdiction that contribute "
                 "their counts.")
    return _("Your organisation's own figures.")


def _may_see(request) -> None:
    """Insights for this reader, and a period from the list (else 404 / 422): checked
    before anything is counted."""
    if not policy.may_see_insights(request.actor):
        raise NotFound("No such page")
    chosen_period(request)


def _context(request, *, export: bool = False, with_charts: bool = True,
             measures=None) -> dict:
    _may_see(request)
    code, _period = chosen_period(request)
    return figures_context(request.actor, code, export=export, with_charts=with_charts,
                           measures=measures)


def figures_context(actor, code: str = "", *, export: bool = False, with_charts: bool = True,
                    measures=None, shown: list[Shown] | None = None) -> dict:
    """What the dashboard and the report show ``actor`` for the quarter ``code`` ("" for
    all time), in the active language: the page, the CSV and the report job (which reads
    the tables itself, ``shown``, to report its progress between reading and drawing)."""
    period = quarter_bounds(code) if code else None
    if shown is None:
        shown = shown_tables(actor, period, export=export, with_charts=with_charts,
                             measures=measures)
    threshold = max((s.table.threshold for s in shown), default=0)
    return {
        "sections": sections(shown), "period": code, "audience": _audience(actor),
        "quarters": [(q, code_label(q)) for q in recent_quarters(timezone.localdate())],
        "threshold": threshold, "today": timezone.localdate(),
        "disclosure": _(
            "No figure here rests on fewer than %(n)s people: such cells are hidden, and so "
            "are others where a hidden cell could otherwise be worked out from a total or from "
            "another published table. Only survivors who consented to anonymous statistics "
            "are counted. No survivor is named or linked.") % {"n": threshold},
    }


def _scopes(shown: list[Shown]) -> list[tuple[str, str]]:
    """(scope code, words) of every scope in the tables, the total first."""
    found = dict.fromkeys((getattr(s.table, "scope", ""), s.scope) for s in shown)
    return sorted(found, key=lambda pair: pair[0] != "total")


def _on_the_page(section: dict, scope: str, several: bool) -> list[Shown]:
    """Which of a section's tables the page shows. One scope (an organisation's own
    figures, a government's roll-up): all. Several (a funder): with none chosen, the total
    of every split and, for the section's first split (its headline), each organisation
    beside it; with one chosen, every split of that one. (Every split of every organisation
    at once would pass 100 KB with a handful of organisations.)"""
    tables = section["tables"]
    if not several:
        return tables
    if scope:
        return [t for t in tables if getattr(t.table, "scope", "") == scope]
    headline = tables[0].key if tables else ""
    return [t for t in tables if getattr(t.table, "scope", "") == "total" or t.key == headline]


@never_cache
@login_required
@require_GET
@reading_figures()
def dashboard(request):
    """The dashboard for this reader's audience; ``?section=`` picks one section to show,
    ``?scope=`` (a funder) whose figures, ``?period=2026Q3`` one quarter. Only the shown
    section's measures are counted (the others are links)."""
    _may_see(request)
    every = measure_sections()
    keys = [s["key"] for s in every]
    chosen = request.GET.get("section", "")
    if chosen and chosen not in keys:
        raise DomainError(_("Choose a section from the list."), "section")
    current = chosen or (keys[0] if keys else "")
    wanted = next((s["measures"] for s in every if s["key"] == current), [])
    context = _context(request, with_charts=False, measures=wanted)
    if not context["sections"]:
        # Nothing this reader may see (no organisation's figures): no section to choose.
        if chosen:
            raise DomainError(_("Choose a section from the list."), "section")
        every = []
    everything = [t for s in context["sections"] for t in s["tables"]]
    scopes = _scopes(everything)
    scope = request.GET.get("scope", "")
    if scope and scope not in dict(scopes):
        raise DomainError(_("Choose whose figures from the list."), "scope")
    several = len(scopes) > 1
    shown = []
    for section in context["sections"]:
        if section["key"] == current:
            shown.append({**section, "tables": _on_the_page(section, scope, several)})
    draw([t for s in shown for t in s["tables"]])
    # The section links: every section (``measure_sections``), not only the counted one.
    context.update(current=current, shown=shown, scope=scope, request_key=uuid.uuid4().hex,
                   in_background=jobs.in_background(),
                   scopes=scopes if several else [],
                   sections=[{"key": s["key"], "heading": s["heading"]} for s in every])
    return render(request, "insights/dashboard.html", context)


def csv_bytes(tables: list[Shown]) -> bytes:
    """One measure's tables (one per scope) as CSV: a heading block naming the measure, its
    definition, the threshold and the source; then one line per row with whose figures,
    the row's label, its cells (hidden: empty) and a note where a cell is hidden. UTF-8 with
    a BOM, so Excel reads Khmer."""
    from northstar.documents.exports import safe_cell

    first = tables[0]
    threshold = max(t.table.threshold for t in tables)
    out = io.StringIO()
    writer = csv.writer(out)

    def line(*cells):
        writer.writerow([safe_cell(c) for c in cells])

    line(_("Measure"), first.name)
    line(_("Threshold"), _("Cells resting on fewer than %(n)s people are left empty "
                           "(hidden).") % {"n": threshold})
    line(_("Source"), first.source)
    line(_("Definition"), first.definition)
    if first.numerator or first.denominator:
        line(_("Numerator"), first.numerator)
        line(_("Denominator"), first.denominator)
    line(_("Unit"), _("share of 1 (0.5 is half)") if first.table.unit == "share"
         else code_label(first.table.unit))
    for note in dict.fromkeys(n for t in tables for n in t.table.notes):
        line(_("Note"), note)
    writer.writerow([])
    line(_("Whose figures"), "", *first.columns, _("Note"))
    for shown in tables:
        table = shown.table
        for r in table.rows:
            values = [table.values.get((r, c)) for c in table.columns]
            hidden = sum(v is None for v in values)
            note = (_("%(count)s hidden: fewer than %(n)s people") % {
                "count": hidden, "n": table.threshold}) if hidden else ""
            line(shown.scope, code_label(r, shown.split),
                 *["" if v is None else round(v, 4) for v in values], note)
    return ("\ufeff" + out.getvalue()).encode()


@never_cache
@login_required
@require_GET
@reading_figures()
def table_csv(request, measure: str):
    """One table (every scope of it the reader sees) as CSV; an audited aggregate export.
    Only its measure is counted."""
    from northstar.documents.views import file_response

    _may_see(request)
    found = _measure(measure)
    if found is None:
        raise NotFound("No such table")
    context = _context(request, export=True, with_charts=False, measures=[found.key])
    tables = [t for s in context["sections"] for t in s["tables"] if t.key == measure]
    if not tables:
        raise NotFound("No such table")
    suffix = f"-{context['period']}" if context["period"] else ""
    return file_response(csv_bytes(tables), name=f"{measure}{suffix}.csv",
                         content_type="text/csv; charset=utf-8")


class ReportForm(forms.Form):
    """Prepare the report: the quarter (empty: all of them) and the form's own key, so that
    sending it twice (a double click, a browser's retry) starts one job."""

    period = forms.ChoiceField(label=gettext_lazy("Quarter"), required=False)
    request_key = forms.RegexField(regex=r"^[A-Za-z0-9_-]{8,64}$", required=False,
                                   widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("All quarters"))] + [
            (q, code_label(q)) for q in recent_quarters(timezone.localdate())]


def report_form(period: str = "") -> ReportForm:
    return ReportForm(initial={"period": period, "request_key": uuid.uuid4().hex})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    """The whole dashboard as a PDF, prepared in the background (``insights/report.py``).
    GET: the form ("Prepare the report", the quarter chosen on the dashboard) and the
    reader's recent reports with their downloads; POST: start it, then the job's page
    (progress, then the download)."""
    from northstar.insights import report as reports

    actor = request.actor
    if not policy.may_see_insights(actor):
        raise NotFound("No such page")
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            job = reports.submit(actor, period=form.cleaned_data["period"],
                                 language=translation.get_language() or settings.LANGUAGE_CODE,
                                 request_key=form.cleaned_data["request_key"] or None)
            return redirect("jobs:job", job_id=job.pk)
        status = 422
    else:
        code = request.GET.get("period", "")
        if code and code not in recent_quarters(timezone.localdate()):
            raise DomainError(_("Choose a quarter from the list."), "period")
        form, status = report_form(code), 200
    return render(request, "insights/report_page.html", {
        "form": form, "past": reports.past_reports(actor),
        "in_background": jobs.in_background()}, status=status)


@never_cache
@login_required
@require_GET
def report_pdf(request):
    """The old address of the report, drawn in the request until December 2026: now the
    report page (``report``) with the same quarter, one click from the job. A GET starts
    no work (a bookmark, a link preview or a prefetch must not spend seconds of CPU), and a
    recent report already prepared is there to download."""
    _may_see(request)
    code, _period = chosen_period(request)
    target = reverse("insights:report")
    return redirect(f"{target}?{urlencode({'period': code})}" if code else target)
