"""Server-rendered pictures of shared patterns: a schematic map (each country a box on the
grid of ``rules/region.toml``, routes as lines between them) and a timeline of reviewed
reports per month. No tiles, no script; small cells are already blanked by the caller."""

from __future__ import annotations

from collections import Counter

from northstar.core import places
from northstar.intelligence.rules import engine

CELL_W, CELL_H, BOX_W, BOX_H, PAD = 90, 60, 70, 30, 10


def _centre(code: str) -> tuple[int, int] | None:
    at = engine.region().get(code)
    if at is None:
        return None
    return PAD + at[0] * CELL_W + BOX_W // 2, PAD + at[1] * CELL_H + BOX_H // 2


def route_map(routes: dict[tuple[str, str, str], int], lang: str) -> dict:
    """Boxes and lines for the template: every shared route, summed over its periods."""
    totals = Counter()
    for (_, origin, destination), n in routes.items():
        totals[(origin, destination)] += n
    used = {c for pair in totals for c in pair}
    region = engine.region()
    boxes = [{"code": code, "name": places.country_name(code, lang),
              "x": PAD + x * CELL_W, "y": PAD + y * CELL_H, "used": code in used}
             for code, (x, y) in sorted(region.items())]
    lines = []
    for (origin, destination), n in sorted(totals.items()):
        a, b = _centre(origin), _centre(destination)
        if a is None or b is None:
            continue
        lines.append({"x1": a[0], "y1": a[1], "x2": b[0], "y2": b[1], "n": n,
                      "width": min(2 + n, 12), "mx": (a[0] + b[0]) // 2,
                      "my": (a[1] + b[1]) // 2,
                      "label": f"{places.country_name(origin, lang)} → "
                               f"{places.country_name(destination, lang)}: {n}"})
    width = PAD * 2 + (max(x for x, _ in region.values()) + 1) * CELL_W
    height = PAD * 2 + (max(y for _, y in region.values()) + 1) * CELL_H
    return {"boxes": boxes, "lines": lines, "width": width, "height": height,
            "box_w": BOX_W, "box_h": BOX_H}


def timeline(months: dict[str, int | None]) -> dict:
    """Bars per month; a blanked month (too few reports to show) is drawn as a gap."""
    bar, gap, height = 28, 6, 120
    top = max([n for n in months.values() if n] or [1])
    bars = []
    for i, (month, n) in enumerate(months.items()):
        h = 0 if not n else max(2, round(n / top * (height - 30)))
        bars.append({"month": month, "n": n, "x": i * (bar + gap), "y": height - 18 - h,
                     "h": h, "w": bar, "label_y": height - 4})
    return {"bars": bars, "width": max(len(bars), 1) * (bar + gap), "height": height}
