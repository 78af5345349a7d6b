"""The insights pages: a dashboard per audience, each table as CSV, the whole as a PDF.

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
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from northstar import policy
from northstar.core import audit, places
from northstar.core.errors import DomainError, NotFound
from northstar.core.tables import Table
from northstar.insights import charts

# --- Sections: measure key prefix → heading --------------------------------------

#: (section, heading, measure key prefixes), in the order a funder reads them: did
#: survivors get what they wanted first.
SECTIONS = (
    ("outcome", gettext_lazy("Own outcome delivered"), ("own_outcome", "outcome")),
    ("identification", gettext_lazy("Identification and time to first support"),
     ("identification", "funnel", "time_to_first_support", "time_to_support", "first_support")),
    ("surveys", gettext_lazy("Wellbeing and fairness"),
     ("wellbeing", "fairness", "survey", "procedural")),
    ("follow_up", gettext_lazy("Follow-up after a case closes"), ("follow_up", "followup")),
    ("do_no_harm", gettext_lazy("Do No Harm"), ("do_no_harm", "harm", "safeguards")),
    ("compensation", gettext_lazy("Compensation"), ("compensation",)),
    ("accountability", gettext_lazy("Who is held to account"),
     ("accountability", "held_to_account")),
)
OTHER = "other"

#: Row and column codes that are not a project choice value or a country.
CODE_LABELS = {
    "trial_yes": gettext_lazy("With a trial"),
    "trial_no": gettext_lazy("Without a trial"),
    "trial_undecided": gettext_lazy("Trial undecided"),
    "total": gettext_lazy("Total"),
    "all": gettext_lazy("All"),
    "unknown": gettext_lazy("Not known"),
    "share": gettext_lazy("Share"),
    "people": gettext_lazy("People"),
    "delivered": gettext_lazy("Delivered"),
}
QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")


def section_of(measure: str) -> str:
    prefix = measure.split(".", 1)[0]
    for key, _heading, prefixes in SECTIONS:
        if any(prefix == p or prefix.startswith(p + "_") for p in prefixes):
            return key
    return OTHER


def code_label(code: object) -> str:
    """A row or column code as words: a quarter, a country, a known code, or a choice label."""
    from northstar.web.templatetags.northstar_web import label  # the project's choice labels

    text = str(code)
    if text in CODE_LABELS:
        return str(CODE_LABELS[text])
    if m := QUARTER.match(text):
        return f"{m.group(1)} Q{m.group(2)}"
    if re.fullmatch(r"[A-Z]{2}", text):
        return places.country_name(text, translation.get_language())
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
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[str]]] = field(default_factory=list)
    chart: str = ""
    hidden_note: str = ""

    @property
    def key(self) -> str:
        return self.table.measure

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.key}-{self.scope}".lower()).strip("-")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _measure_meta(item, table: Table) -> dict:
    """Name, definition, numerator, denominator and source of a table's measure: carried by
    what ``tables_for`` returned, or read from the measures' definitions."""
    meta = {}
    for name in ("name", "definition", "numerator", "denominator", "source"):
        meta[name] = _text(getattr(item, name, "") or "")
    found = getattr(item, "measure_meta", None) or getattr(item, "meta", None)
    if found is not None:
        for name in meta:
            meta[name] = meta[name] or _text(getattr(found, name, "") or (
                found.get(name, "") if isinstance(found, dict) else ""))
    if not meta["name"]:
        meta["name"] = code_label(table.measure.replace(".", "_"))
    return meta


def _scope_of(item) -> str:
    for name in ("scope", "scope_label", "organisation_name"):
        value = getattr(item, name, None)
        if value:
            return str(value)
    organisation = getattr(item, "organisation", None)
    return str(getattr(organisation, "name", organisation or ""))


def _flatten(result) -> list[tuple[object, Table]]:
    """``tables_for`` answers Tables, or things holding one (``.table``) or several
    (``.tables``): each Table with what carries its metadata."""
    out: list[tuple[object, Table]] = []
    for item in result or ():
        if isinstance(item, Table):
            out.append((item, item))
        elif getattr(item, "table", None) is not None:
            out.append((item, item.table))
        elif getattr(item, "tables", None) is not None:
            for inner in item.tables:
                table = inner if isinstance(inner, Table) else inner.table
                out.append((inner if not isinstance(inner, Table) else item, table))
    return out


def hidden_label(threshold: int) -> str:
    return _("hidden (fewer than %(n)s people)") % {"n": threshold}


def _value_text(table: Table, value) -> str:
    if value is None:
        return ""
    if table.unit == "share":
        return f"{value * 100:.0f}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _chart(shown: Shown) -> str:
    table = shown.table
    rows, columns = list(table.rows), list(table.columns)
    share = table.unit == "share"
    suffix = _(" days") if table.unit == "days" else ""
    hide = hidden_label(table.threshold)
    title = f"{shown.name} — {shown.scope}" if shown.scope else shown.name
    desc = shown.definition or shown.name
    cid = "c-" + shown.slug
    row_labels = [code_label(r) for r in rows]
    col_labels = [code_label(c) for c in columns]
    if charts.looks_like_quarters(columns):
        series = [(label, [table.values.get((r, c)) for c in columns])
                  for r, label in zip(rows, row_labels, strict=True)]
        return charts.line(cid, title, desc, col_labels, series, share=share, suffix=suffix,
                           hidden_label=hide)
    if charts.looks_like_quarters(rows) and len(columns) <= 4:
        series = [(label, [table.values.get((r, c)) for r in rows])
                  for c, label in zip(columns, col_labels, strict=True)]
        return charts.line(cid, title, desc, row_labels, series, share=share, suffix=suffix,
                           hidden_label=hide)
    if "funnel" in table.measure and len(columns) == 1:
        return charts.funnel(cid, title, desc,
                             [(label, table.values.get((r, columns[0])))
                              for r, label in zip(rows, row_labels, strict=True)],
                             hidden_label=hide, of_previous=_("{share} of the step before"))
    if len(columns) == 1:
        return charts.horizontal_bars(
            cid, title, desc, [(label, table.values.get((r, columns[0])))
                               for r, label in zip(rows, row_labels, strict=True)],
            share=share, suffix=suffix, hidden_label=hide)
    if len(rows) == 1:
        return charts.horizontal_bars(
            cid, title, desc, [(label, table.values.get((rows[0], c)))
                               for c, label in zip(columns, col_labels, strict=True)],
            share=share, suffix=suffix, hidden_label=hide)
    groups = [(rl, [(cl, table.values.get((r, c)))
                    for c, cl in zip(columns, col_labels, strict=True)])
              for r, rl in zip(rows, row_labels, strict=True)]
    return charts.grouped_bars(cid, title, desc, groups, share=share, suffix=suffix,
                               hidden_label=hide)


def shown_tables(actor, period=None, *, with_charts: bool = True) -> list[Shown]:
    """Every table ``tables_for`` gives this actor, labelled, with its chart."""
    from northstar.insights import figures  # the one entry point to the figures

    out = []
    for item, table in _flatten(figures.tables_for(actor, period=period)):
        meta = _measure_meta(item, table)
        shown = Shown(table=table, scope=_scope_of(item), **meta)
        shown.columns = [code_label(c) for c in table.columns]
        shown.rows = [(code_label(r), [_value_text(table, table.values.get((r, c)))
                                       for c in table.columns]) for r in table.rows]
        if table.hidden:
            shown.hidden_note = _(
                "%(count)s cell(s) hidden: each rests on fewer than %(n)s people, or would "
                "let a hidden one be worked out by subtraction.") % {
                    "count": table.hidden, "n": table.threshold}
        if with_charts:
            shown.chart = mark_safe(_chart(shown))  # noqa: S308 - every text in it is escaped
        out.append(shown)
    return out


def sections(shown: list[Shown]) -> list[dict]:
    """The tables grouped by section, in SECTIONS order; unknown prefixes last, each
    measure prefix a section of its own."""
    grouped: dict[str, dict] = {}
    for key, heading, _prefixes in SECTIONS:
        grouped[key] = {"key": key, "heading": heading, "tables": []}
    for item in shown:
        key = section_of(item.key)
        if key == OTHER:
            prefix = item.key.split(".", 1)[0]
            key = f"{OTHER}-{prefix}"
            grouped.setdefault(key, {"key": key, "heading": code_label(prefix), "tables": []})
        grouped[key]["tables"].append(item)
    return [s for s in grouped.values() if s["tables"]]


def _audit(actor, what: str, *, export: bool = False, period: str = "") -> None:
    """An aggregate read: no record is named, the note says what was shown."""
    audit.record_read(actor, (), record_type="insights_figures", export=export,
                      note=f"insights {what}" + (f" for {period}" if period else ""))


def _audience(actor) -> str:
    role = actor.role
    if role == "funder":
        return _("Figures of the organisations that share them with you, each and together.")
    if role == "government":
        return _("The roll-up of the organisations of your jurisdiction that contribute "
                 "their counts.")
    return _("Your organisation's own figures.")


def _context(request, *, with_charts: bool = True) -> dict:
    actor = request.actor
    if not policy.may_see_insights(actor):
        raise NotFound("No such page")
    code, period = chosen_period(request)
    shown = shown_tables(actor, period, with_charts=with_charts)
    threshold = max((s.table.threshold for s in shown), default=0)
    return {
        "sections": sections(shown), "period": code, "audience": _audience(actor),
        "quarters": [(q, code_label(q)) for q in recent_quarters(timezone.localdate())],
        "threshold": threshold, "today": timezone.localdate(),
        "hidden_total": sum(s.table.hidden for s in shown),
        "disclosure": _(
            "No figure here rests on fewer than %(n)s people: such cells are hidden, and so "
            "are others where a hidden cell could otherwise be worked out from a total or from "
            "another published table. Only survivors who consented to anonymous statistics "
            "are counted. No survivor is named or linked.") % {"n": threshold},
    }


@never_cache
@login_required
@require_GET
def dashboard(request):
    """The dashboard for this reader's audience; ``?section=`` picks one section to show
    (all on one page would pass 100 KB), ``?period=2026Q3`` one quarter."""
    context = _context(request)
    chosen = request.GET.get("section", "")
    keys = [s["key"] for s in context["sections"]]
    if chosen and chosen not in keys:
        raise DomainError(_("Choose a section from the list."), "section")
    current = chosen or (keys[0] if keys else "")
    context["current"] = current
    context["shown"] = [s for s in context["sections"] if s["key"] == current]
    _audit(request.actor, f"dashboard section {current or 'none'}", period=context["period"])
    return render(request, "insights/dashboard.html", context)


def csv_bytes(tables: list[Shown], *, threshold: int) -> bytes:
    """One measure's tables (one per scope) as CSV: a heading block naming the measure, its
    definition, the threshold and the source; then one line per row with the scope, the
    row's label, its cells (hidden: empty) and a note where a cell is hidden. UTF-8 with a
    BOM, so Excel reads Khmer."""
    from northstar.documents.exports import safe_cell

    first = tables[0]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Measure"), first.name])
    writer.writerow([_("Threshold"), _("Cells resting on fewer than %(n)s people are left "
                                       "empty (hidden).") % {"n": threshold}])
    writer.writerow([_("Source"), first.source])
    writer.writerow([_("Definition"), first.definition])
    if first.numerator or first.denominator:
        writer.writerow([_("Numerator"), first.numerator])
        writer.writerow([_("Denominator"), first.denominator])
    writer.writerow([])
    writer.writerow([_("Whose figures"), ""] + first.columns + [_("Note")])
    for shown in tables:
        table = shown.table
        for r in table.rows:
            values = [table.values.get((r, c)) for c in table.columns]
            hidden = sum(v is None for v in values)
            note = (_("%(count)s hidden: fewer than %(n)s people") % {
                "count": hidden, "n": table.threshold}) if hidden else ""
            writer.writerow([safe_cell(shown.scope), safe_cell(code_label(r))]
                            + ["" if v is None else v for v in values] + [note])
    return ("\ufeff" + out.getvalue()).encode()


@never_cache
@login_required
@require_GET
def table_csv(request, measure: str):
    """One table (every scope of it the reader sees) as CSV; an audited aggregate export."""
    from northstar.documents.views import file_response

    context = _context(request, with_charts=False)
    tables = [t for s in context["sections"] for t in s["tables"] if t.key == measure]
    if not tables:
        raise NotFound("No such table")
    data = csv_bytes(tables, threshold=max(t.table.threshold for t in tables))
    _audit(request.actor, f"table {measure} as CSV", export=True, period=context["period"])
    suffix = f"-{context['period']}" if context["period"] else ""
    return file_response(data, name=f"{measure}{suffix}.csv", content_type="text/csv; charset=utf-8")


@never_cache
@login_required
@require_GET
def report_pdf(request):
    """The whole dashboard as a PDF in the reader's language: charts, tables, definitions
    and the disclosure statement. Inline, as the case summary PDF is."""
    from northstar.documents.views import file_response
    from northstar.insights import pdf

    context = _context(request)
    language = translation.get_language() or "en"
    data = pdf.render(context, language=language)
    _audit(request.actor, f"dashboard as PDF ({language})", export=True,
           period=context["period"])
    suffix = f"-{context['period']}" if context["period"] else ""
    return file_response(data, name=f"insights{suffix}-{language}.pdf",
                         content_type="application/pdf")
