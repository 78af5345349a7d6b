"""Charts as server-rendered SVG: horizontal bars, grouped bars, a line over quarters and a
funnel. Pure Python (no Django): plain labels and numbers in, an SVG string out.

What every chart keeps to:

- **A hidden cell is never a zero.** A value of ``None`` (hidden by disclosure control) is
  drawn as a hatched, outlined track the full width of the scale and labelled in words
  (``hidden_label``, e.g. "hidden (fewer than 11 people)"); a real zero is an empty bar
  labelled "0". The two cannot be confused by eye or by a screen reader.
- **Words, not colour alone.** Every bar carries its category and its value as text;
  the series of a grouped chart or a line are told apart by their label too, and lines
  by their dash pattern and marker.
- **Accessible.** ``role="img"`` with ``<title>`` and ``<desc>`` named by
  ``aria-labelledby``; the page puts the real data table beside every chart.
- **Any script.** Text uses the system sans family list that covers Khmer, Thai, Lao,
  Myanmar and CJK (no web fonts); labels sit on their own line above each bar, so long
  Khmer labels are not squeezed.
- **A phone.** A fixed ``viewBox`` and ``width="100%"``: the chart scales to 375 px.
- **No inline style** (the site's Content-Security-Policy refuses it): presentation
  attributes only.

The caller translates: every word shown (titles, labels, ``hidden_label``) comes in as text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

#: System fonts only; Noto covers every script of the region.
FONT = ("system-ui, 'Noto Sans', 'Noto Sans Khmer', 'Noto Sans Thai', 'Noto Sans Lao', "
        "'Noto Sans Myanmar', 'Noto Sans CJK TC', sans-serif")
WIDTH = 360          # viewBox width: close to a phone's, so text stays legible when scaled
PAD = 8
FONT_SIZE = 12
BAR = 16             # bar thickness
LABEL_GAP = 15       # line of text above a bar
INK, MUTED, LINE = "#1b1b1f", "#55575d", "#c9ccd1"
#: Series fills: distinguishable in greyscale too, and never the only cue (labels are).
FILLS = ("#0b57d0", "#8a4b00", "#146c2e", "#6b3fa0", "#a50e0e", "#00696f")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
HIDDEN = "hidden (fewer than the threshold)"
EMPTY = "no one to count"


class _NoOne:
    """A share with nobody behind it (0 of 0): not hidden, not zero — there is nothing to
    divide. Drawn as an empty outlined track with ``empty_label``."""

    def __repr__(self) -> str:
        return "NO_ONE"


#: Pass as a value where there is no one to count.
NO_ONE = _NoOne()
QUARTER = re.compile(r"^\d{4}-?Q[1-4]$")


@dataclass(frozen=True)
class Axis:
    """How values are scaled and written: shares as per cent of 0–1, else counts/days."""

    maximum: float
    share: bool = False
    suffix: str = ""

    def fraction(self, value: float) -> float:
        return 0.0 if self.maximum <= 0 else max(0.0, min(1.0, value / self.maximum))

    def text(self, value: float | int) -> str:
        if self.share:
            return f"{value * 100:.0f}%"
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.1f}{self.suffix}"
        return f"{int(value):,}{self.suffix}"

    def ticks(self) -> list[float]:
        if self.share:
            return [0, 0.25, 0.5, 0.75, 1.0]
        return [self.maximum * i / 4 for i in range(5)]


def axis_for(values: Sequence[float | int | None], *, share: bool = False,
             suffix: str = "") -> Axis:
    """A share is scaled 0–100 %; anything else 0 to a round number above the largest."""
    if share:
        return Axis(1.0, share=True)
    top = max((v for v in values if isinstance(v, int | float)), default=0)
    return Axis(_nice(top), suffix=suffix)


def _nice(top: float) -> float:
    if top <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _n(value: float) -> str:
    """A coordinate, short: at most one decimal, none when whole."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _e(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _open(chart_id: str, title: str, desc: str, height: float, kind: str) -> list[str]:
    cid = _e(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{cid}-t {cid}-d" font-family="{FONT}" font-size="{FONT_SIZE}" '
        f'fill="{INK}">',
        f'<title id="{cid}-t">{_e(title)}</title><desc id="{cid}-d">{_e(desc)}</desc>',
        f'<defs><pattern id="{cid}-h" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{LINE}" stroke-width="2"/></pattern></defs>',
    ]


def _hidden_bar(chart_id: str, x: float, y: float, width: float, label: str) -> str:
    """A hidden cell: the whole track hatched and outlined, with the reason in words."""
    return (f'<g class="hidden-cell" data-value="hidden"><rect x="{_n(x)}" y="{_n(y)}" '
            f'width="{_n(width)}" height="{BAR}" fill="url(#{_e(chart_id)}-h)" stroke="{MUTED}" '
            f'stroke-dasharray="3 2"/><text x="{_n(x + 4)}" y="{_n(y + BAR - 4)}">{_e(label)}'
            f'</text></g>')


def _empty_bar(x: float, y: float, width: float, label: str) -> str:
    return (f'<g class="empty-cell" data-value="none"><rect x="{_n(x)}" y="{_n(y)}" '
            f'width="{_n(width)}" height="{BAR}" fill="none" stroke="{LINE}"/>'
            f'<text x="{_n(x + 4)}" y="{_n(y + BAR - 4)}" fill="{MUTED}">{_e(label)}</text></g>')


def _bar(x: float, y: float, width: float, value_text: str, fill: str, track: float,
         raw: float | int) -> str:
    """A shown value: the bar, and its value as text right of it (inside if no room)."""
    end = x + width
    inside = end + 6 + 7 * len(value_text) > x + track and width > 40
    tx, extra = (end - 4, ' text-anchor="end" fill="#fff"') if inside else (end + 4, "")
    return (f'<g class="cell" data-value="{_e(raw)}"><rect x="{_n(x)}" y="{_n(y)}" '
            f'width="{_n(width)}" height="{BAR}" fill="{fill}"/><text x="{_n(tx)}" '
            f'y="{_n(y + BAR - 4)}"{extra}>{_e(value_text)}</text></g>')


def _scale(axis: Axis, x: float, track: float, top: float, bottom: float) -> list[str]:
    out = [f'<g class="axis" font-size="10" fill="{MUTED}">']
    ticks = axis.ticks()
    for i, tick in enumerate(ticks):
        tx = x + track * axis.fraction(tick)
        anchor = "start" if i == 0 else "end" if i == len(ticks) - 1 else "middle"
        out.append(f'<line x1="{_n(tx)}" y1="{_n(top)}" x2="{_n(tx)}" y2="{_n(bottom)}" '
                   f'stroke="{LINE}"/><text x="{_n(tx)}" y="{_n(bottom + 12)}" '
                   f'text-anchor="{anchor}">{_e(axis.text(tick))}</text>')
    out.append("</g>")
    return out


def horizontal_bars(chart_id: str, title: str, desc: str,
                    bars: Sequence[tuple[str, float | int | None]], *, share: bool = False,
                    suffix: str = "", hidden_label: str = HIDDEN, empty_label: str = EMPTY) -> str:
    """One bar per category, each labelled above with its name and at its end with its
    value; shares on a 0–100 % scale."""
    return grouped_bars(chart_id, title, desc, [(label, [("", value)]) for label, value in bars],
                        share=share, suffix=suffix, hidden_label=hidden_label,
                        empty_label=empty_label, kind="bars")


def grouped_bars(chart_id: str, title: str, desc: str,
                 groups: Sequence[tuple[str, Sequence[tuple[str, float | int | None]]]], *,
                 share: bool = False, suffix: str = "", hidden_label: str = HIDDEN,
                 empty_label: str = EMPTY, kind: str = "grouped") -> str:
    """Groups (e.g. each first-ranked outcome) of bars, one per series (e.g. with a trial /
    without a trial): each group's name on its own line, each bar preceded by its series'
    name, so a reader never has to match colours to a legend."""
    series = list(dict.fromkeys(name for _g, cells in groups for name, _v in cells))
    fill = {name: FILLS[i % len(FILLS)] for i, name in enumerate(series)}
    axis = axis_for([v for _g, cells in groups for _n, v in cells], share=share, suffix=suffix)
    x, track = PAD, WIDTH - 2 * PAD
    rows: list[str] = []
    y = PAD
    for group, cells in groups:
        if kind == "grouped":
            rows.append(f'<text x="{x}" y="{_n(y + FONT_SIZE)}" font-weight="700">{_e(group)}</text>')
            y += LABEL_GAP + 2
        for name, value in cells:
            label = name if kind == "grouped" else group
            if label:
                rows.append(f'<text x="{x}" y="{_n(y + FONT_SIZE)}">{_e(label)}</text>')
                y += LABEL_GAP
            if value is None:
                rows.append(_hidden_bar(chart_id, x, y, track, hidden_label))
            elif value is NO_ONE:
                rows.append(_empty_bar(x, y, track, empty_label))
            else:
                rows.append(_bar(x, y, track * axis.fraction(value), axis.text(value),
                                 fill[name], track, value))
            y += BAR + 6
        y += 4
    bottom = y
    height = bottom + 16 + PAD
    return "".join(_open(chart_id, title, desc, height, kind)
                   + _scale(axis, x, track, PAD, bottom) + rows + ["</svg>"])


def line(chart_id: str, title: str, desc: str, x_labels: Sequence[str],
         series: Sequence[tuple[str, Sequence[float | int | None]]], *, share: bool = False,
         suffix: str = "", hidden_label: str = HIDDEN) -> str:
    """Values over quarters: one line per series, each with its own dash and marker and its
    name written at its last shown point. A hidden point breaks the line and is marked
    with a hatched box and the word for it, never drawn at zero."""
    axis = axis_for([v for _n, vs in series for v in vs], share=share, suffix=suffix)
    left, right, top = 40, WIDTH - 70, PAD + 4
    legend_h = LABEL_GAP * len(series)
    plot_h = 150
    bottom = top + plot_h
    height = bottom + 30 + legend_h + PAD
    n = max(1, len(x_labels) - 1)
    xs = [left + (right - left) * i / n for i in range(len(x_labels))] if len(x_labels) > 1 \
        else [(left + right) / 2]

    def ypos(v: float) -> float:
        return bottom - plot_h * axis.fraction(v)

    out = _open(chart_id, title, desc, height, "line")
    out.append(f'<g class="axis" font-size="10" fill="{MUTED}">')
    for tick in axis.ticks():
        out.append(f'<line x1="{left}" y1="{_n(ypos(tick))}" x2="{right}" y2="{_n(ypos(tick))}" '
                   f'stroke="{LINE}"/><text x="{left - 4}" y="{_n(ypos(tick) + 3)}" '
                   f'text-anchor="end">{_e(axis.text(tick))}</text>')
    every = max(1, math.ceil(len(x_labels) / 6))
    for i, (xv, label) in enumerate(zip(xs, x_labels, strict=True)):
        if i % every == 0 or i == len(x_labels) - 1:
            out.append(f'<text x="{_n(xv)}" y="{_n(bottom + 14)}" text-anchor="middle">'
                       f'{_e(label)}</text>')
    out.append("</g>")
    for s, (name, values) in enumerate(series):
        colour, dash = FILLS[s % len(FILLS)], DASHES[s % len(DASHES)]
        segments: list[list[tuple[float, float]]] = [[]]
        out.append(f'<g class="series" data-series="{_e(name)}">')
        for xv, v, label in zip(xs, values, x_labels, strict=False):
            if v is NO_ONE:
                segments.append([])
                continue
            if v is None:
                segments.append([])
                out.append(f'<g class="hidden-cell" data-value="hidden"><rect x="{_n(xv - 5)}" '
                           f'y="{_n(top)}" width="10" height="{plot_h}" fill="url(#{_e(chart_id)}-h)" '
                           f'stroke="{MUTED}" stroke-dasharray="3 2" opacity="0.6"/>'
                           f'<title>{_e(label)}: {_e(hidden_label)}</title></g>')
                continue
            segments[-1].append((xv, ypos(v)))
            out.append(f'<g class="cell" data-value="{_e(v)}"><circle cx="{_n(xv)}" '
                       f'cy="{_n(ypos(v))}" r="3.5" fill="{colour}"/><title>{_e(label)}: '
                       f'{_e(axis.text(v))}</title></g>')
        for seg in segments:
            if len(seg) > 1:
                points = " ".join(f"{_n(px)},{_n(py)}" for px, py in seg)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                           f'stroke-width="2"{dash_attr}/>')
        shown = [(xv, v) for xv, v in zip(xs, values, strict=False)
                 if v is not None and v is not NO_ONE]
        if shown:
            lx, lv = shown[-1]
            out.append(f'<text x="{_n(lx + 6)}" y="{_n(ypos(lv) + 4)}" font-size="10">'
                       f'{_e(axis.text(lv))}</text>')
        out.append("</g>")
    # The key: each series' name beside a sample of its dash, in words.
    ky = bottom + 30
    hidden_any = any(v is None for _n, vs in series for v in vs)
    for s, (name, _values) in enumerate(series):
        colour, dash = FILLS[s % len(FILLS)], DASHES[s % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{PAD}" y1="{ky - 4}" x2="{PAD + 24}" y2="{ky - 4}" stroke="{colour}" '
                   f'stroke-width="2"{dash_attr}/><text x="{PAD + 30}" y="{ky}">{_e(name)}</text>')
        ky += LABEL_GAP
    if hidden_any:
        out[0] = out[0].replace(f'{height:.0f}"', f'{height + LABEL_GAP:.0f}"', 1)
        out.append(f'<rect x="{PAD + 7}" y="{ky - 10}" width="10" height="10" '
                   f'fill="url(#{_e(chart_id)}-h)" stroke="{MUTED}"/>'
                   f'<text x="{PAD + 30}" y="{ky}">{_e(hidden_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def funnel(chart_id: str, title: str, desc: str,
           steps: Sequence[tuple[str, float | int | None]], *, hidden_label: str = HIDDEN,
           of_previous: str = "{share} of the step before") -> str:
    """Steps narrowing from the first (e.g. screened → identified → receiving support):
    bars centred, widths relative to the first step, each labelled with its count and its
    share of the step before. A hidden step is a full-width hatched bar with the reason."""
    first = next((v for _l, v in steps if v is not None), 0) or 0
    axis = Axis(float(first) if first else 1.0)
    track = WIDTH - 2 * PAD
    out: list[str] = []
    y = PAD
    previous: float | None = None
    for label, value in steps:
        out.append(f'<text x="{_n(WIDTH / 2)}" y="{_n(y + FONT_SIZE)}" text-anchor="middle">'
                   f'{_e(label)}</text>')
        y += LABEL_GAP
        if value is None:
            out.append(_hidden_bar(chart_id, PAD, y, track, hidden_label))
            previous = None
        else:
            width = max(2.0, track * axis.fraction(value)) if value else 0.0
            x = (WIDTH - width) / 2
            text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
            if previous:
                text += " · " + of_previous.replace("{share}", f"{value / previous * 100:.0f}%")
            out.append(f'<g class="cell" data-value="{_e(value)}"><rect x="{_n(x)}" y="{_n(y)}" '
                       f'width="{_n(width)}" height="{BAR}" fill="{FILLS[0]}"/></g>'
                       f'<text x="{_n(WIDTH / 2)}" y="{_n(y + BAR + 12)}" text-anchor="middle" '
                       f'font-size="11">{_e(text)}</text>')
            previous = float(value)
            y += 13
        y += BAR + 8
    return "".join(_open(chart_id, title, desc, y + PAD, "funnel") + out + ["</svg>"])


def looks_like_quarters(keys: Sequence[str]) -> bool:
    return len(keys) > 1 and all(QUARTER.match(str(k)) for k in keys)
