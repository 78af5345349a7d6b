"""Small-cell suppression for aggregate figures, written once: the threshold (read from
``rules/disclosure.toml``), primary suppression of small cells, and complementary
suppression so a hidden cell cannot be recovered from the total.

Two audiences (``INTERNAL``, ``EXTERNAL``), each with its threshold and rounding base, as
data. ``protect`` turns a family of grids of one measure (each organisation's and their
published sum) into ``Table``s where no hidden cell can be worked out from what is shown:

1. primary suppression: a cell resting on 1 … k−1 survivors is hidden; for a share, also
   one whose base or whose complement (those *not* counted) is 1 … k−1;
2. complementary suppression, across the rows AND columns of each table with its margins
   and across the family (the sum's cell = the organisations' cells): every published
   total is a linear equation over the cells; a hidden cell is recoverable exactly when
   its unit vector lies in the row space of those equations restricted to the hidden
   cells (``recoverable``: Gaussian elimination, checked over the rationals). While any
   hidden cell is recoverable, the cheapest "move" that makes it safe is hidden too
   (``suppression``: a cell, a rectangle, or a rectangle mirrored into a neighbour). This
   is stronger than "two hidden per line": it also catches a hidden cell recoverable
   from a chain of totals, or by subtracting one organisation from the sum;
3. rounding: every shown count (totals included, each independently) is rounded to the
   audience's base, so two releases (two periods, a later re-run) differ by a multiple
   of the base and a single person does not show; shares are computed from the
   unrounded counts of cells that survived 1–2 (safe), and a note says so.

Pure Python: no Django."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from northstar.core.tables import Grid, Table

RULES_FILE = Path(__file__).parent / "rules" / "disclosure.toml"


def _load(path: Path = RULES_FILE) -> dict:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    entry = data["min_cell"]
    missing = {"value", "source", "checked"} - set(entry)
    if missing:
        raise ValueError(f"{path.name}: min_cell lacks {sorted(missing)}")
    if not isinstance(entry["value"], int) or entry["value"] < 2:
        raise ValueError(f"{path.name}: min_cell.value must be a whole number of at least 2")
    for name in ("external_min_cell", "rounding"):
        extra = data.get(name)
        if extra is None:
            continue
        missing = {"source", "checked"} - set(extra)
        if missing:
            raise ValueError(f"{path.name}: {name} lacks {sorted(missing)}")
    external = data.get("external_min_cell", {}).get("value", entry["value"])
    if not isinstance(external, int) or external < entry["value"]:
        raise ValueError(f"{path.name}: external_min_cell.value must be a whole number no "
                         f"lower than min_cell.value")
    for key in ("internal", "external"):
        base = data.get("rounding", {}).get(key, 1)
        if not isinstance(base, int) or base < 1:
            raise ValueError(f"{path.name}: rounding.{key} must be a whole number of at least 1")
    return data


RULES = _load()
#: Fewer survivors than this behind a figure and the figure is not shown.
MIN_CELL: int = RULES["min_cell"]["value"]
#: The same, for anything seen outside the organisation (CTDC's k = 11).
EXTERNAL_MIN_CELL: int = RULES.get("external_min_cell", {}).get("value", MIN_CELL)

K = TypeVar("K")
V = TypeVar("V")


def is_small(people: int) -> bool:
    """A figure resting on at least one but fewer than ``MIN_CELL`` survivors identifies them."""
    return 0 < people < MIN_CELL


def hidden_cells(people: Mapping[K, int], *, additive: bool = True) -> set[K]:
    """Which cells of one group to blank, given the survivors (people, not rows) behind each.

    Primary suppression blanks every small cell. Where the cells add up to a total
    that stays visible (``additive``), a lone blank could be recovered by
    subtraction, so the next smallest non-empty cell is blanked with it
    (complementary suppression).
    """
    hidden = {key for key, n in people.items() if is_small(n)}
    if additive and len(hidden) == 1:
        rest = [key for key, n in people.items() if key not in hidden and n > 0]
        if rest:
            hidden.add(min(rest, key=lambda key: (people[key], str(key))))
    return hidden


def suppress(cells: Mapping[K, V], people: Mapping[K, int] | None = None, *,
             additive: bool = True, blank=None) -> dict[K, V]:
    """``cells`` with the cells ``hidden_cells`` names replaced by ``blank``.

    ``people`` counts the survivors behind each cell; where a cell is missing from
    it, the cell's own value (a count of people) is used.
    """
    counts = {key: (people or {}).get(key, value) for key, value in cells.items()}
    hidden = hidden_cells(counts, additive=additive)
    return {key: blank if key in hidden else value for key, value in cells.items()}


# --- Tables for an audience: primary + complementary suppression, rounding ------------

#: The code of a margin (row or column total) in a ``Table``'s rows and columns.
TOTAL = "total"


@dataclass(frozen=True)
class Audience:
    """Who will see a table: inside the organisation that counted it, or outside it."""

    name: str
    threshold: int
    round_to: int


INTERNAL = Audience("internal", MIN_CELL, RULES.get("rounding", {}).get("internal", 1))
EXTERNAL = Audience("external", EXTERNAL_MIN_CELL,
                    RULES.get("rounding", {}).get("external", 1))

Cell = tuple[str, str, str]  # (scope, row, column)


def rounded(n: int, base: int) -> int:
    """``n`` to the nearest multiple of ``base`` (halves up): 12 → 10, 13 → 15 at base 5."""
    return n if base <= 1 else base * ((n + base // 2) // base)


def _layout(grid: Grid, rows: tuple[str, ...], columns: tuple[str, ...]):
    """The rows and columns a grid is published with: its own, then a margin where the
    split is additive and has more than one row (column)."""
    out_rows = rows + ((TOTAL,) if grid.additive_rows and len(rows) > 1 else ())
    out_cols = columns + ((TOTAL,) if grid.additive_columns and len(columns) > 1 else ())
    return out_rows, out_cols


def _values(grid: Grid, rows, columns, out_rows, out_cols):
    """People (numerator) and base (denominator, or None) of every published cell,
    margins included (sums of the cells)."""
    people: dict[tuple[str, str], int] = {}
    bases: dict[tuple[str, str], int | None] = {}
    share = any(c.of is not None for c in grid.cells.values())
    for r in out_rows:
        for c in out_cols:
            rs = rows if r == TOTAL else (r,)
            cs = columns if c == TOTAL else (c,)
            people[(r, c)] = sum(grid.get(a, b).people for a in rs for b in cs)
            bases[(r, c)] = (sum(grid.get(a, b).of or 0 for a in rs for b in cs)
                             if share else None)
    return people, bases, share


def equations(family: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]],
              total: str | None) -> list[list[tuple[Cell, int]]]:
    """Every linear relation an onlooker knows between the published cells of a family:
    each margin is the sum of its row (column), and the ``total`` scope's cell is the sum
    of the other scopes' cells (where each publishes that cell)."""
    eqs: list[list[tuple[Cell, int]]] = []
    for scope, (rows, cols) in family.items():
        inner_r = [r for r in rows if r != TOTAL]
        inner_c = [c for c in cols if c != TOTAL]
        if TOTAL in cols:
            for r in rows:
                eqs.append([((scope, r, c), 1) for c in inner_c] + [((scope, r, TOTAL), -1)])
        if TOTAL in rows:
            for c in cols:
                eqs.append([((scope, r, c), 1) for r in inner_r] + [((scope, TOTAL, c), -1)])
    if total is not None and total in family:
        parts = [s for s in family if s != total]
        rows, cols = family[total]
        for r in rows:
            for c in cols:
                if all(r in family[s][0] and c in family[s][1] for s in parts):
                    eqs.append([((s, r, c), 1) for s in parts] + [((total, r, c), -1)])
    return eqs


#: A large prime: while searching for complements, ranks of the 0/±1 equation systems are
#: computed modulo it (exact integer arithmetic, far faster than fractions). That could only
#: miss a recoverable cell if p divided a minor of the matrix (odds about 2**-61), and the
#: final answer is checked once more over the rationals (``recoverable(exact=True)``).
PRIME = 2**61 - 1


def recoverable(eqs: Iterable[list[tuple[Cell, int]]], hidden: set[Cell], *,
                exact: bool = False) -> set[Cell]:
    """The hidden cells whose value follows from the shown ones through ``eqs``: those
    whose unit vector lies in the row space of the equations restricted to the hidden
    cells (reduced row echelon form; a pivot with no free cell in its row is determined).
    ``exact``: over the rationals (fractions) instead of modulo ``PRIME``."""
    if exact:
        def norm(v):
            return v

        def inv(v):
            return 1 / Fraction(v)
    else:
        def norm(v):
            return v % PRIME

        def inv(v):
            return pow(v, PRIME - 2, PRIME)
    order = sorted(hidden)
    index = {cell: i for i, cell in enumerate(order)}
    pivots: dict[int, dict] = {}  # pivot column -> its normalised row
    for eq in eqs:
        row: dict = {}
        for cell, coef in eq:
            i = index.get(cell)
            if i is not None:
                row[i] = norm(row.get(i, 0) + coef)
        row = {k: v for k, v in row.items() if v}
        for col in sorted(k for k in row if k in pivots):
            if col not in row:
                continue
            factor = row[col]
            for k, v in pivots[col].items():
                row[k] = norm(row.get(k, 0) - factor * v)
            row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        inverse = inv(row[col])
        row = {k: norm(v * inverse) for k, v in row.items()}
        for other in pivots.values():  # keep every pivot row reduced (RREF)
            if col in other:
                factor = other[col]
                for k, v in row.items():
                    other[k] = norm(other.get(k, 0) - factor * v)
                for k in [k for k, v in other.items() if not v]:
                    del other[k]
        pivots[col] = row
    return {order[col] for col, row in pivots.items() if len(row) == 1}


def _sensitive(people: int, base: int | None, threshold: int) -> bool:
    def small(n: int) -> bool:
        return 0 < n < threshold

    if base is None:
        return small(people)
    return small(people) or small(base) or small(base - people)


def suppression(eqs: list[list[tuple[Cell, int]]], sensitive: set[Cell],
                size: Mapping[Cell, int],
                layout: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
                ) -> set[Cell]:
    """The cells to hide: the ``sensitive`` ones, and complements until none of them (nor
    any complement) is ``recoverable``. ``size`` is what hiding a cell costs (survivors
    behind it; an empty cell costs most, as hiding a known zero protects nothing).

    Each round hides one move: a single cell sharing an equation with a recoverable one, or
    (given ``layout``) the three cells closing a rectangle with it in its table, or that
    rectangle in its table and the same four positions in one neighbour (what a sum of
    organisations needs). Of the cheapest few, the move leaving the fewest recoverable
    cells wins, then the cheapest. Greedy, so not always the fewest cells hidden; never
    unsafe, as the loop ends only when nothing is recoverable."""
    hidden = set(sensitive)
    touching: dict[Cell, list[int]] = {}
    for i, eq in enumerate(eqs):
        for cell, _coef in eq:
            touching.setdefault(cell, []).append(i)

    def cost(cell: Cell) -> int:
        n = size.get(cell, 0)
        return n if n > 0 else 10**6

    def rectangles(target: Cell):
        scope, r, c = target
        rows, cols = layout[scope]
        for r2 in rows:
            for c2 in cols:
                if r2 == r or c2 == c:
                    continue
                square = {(r, c2), (r2, c2), (r2, c)}
                yield {(scope, *k) for k in square}
                for other, (o_rows, o_cols) in layout.items():
                    if other != scope and {r, r2} <= set(o_rows) and {c, c2} <= set(o_cols):
                        yield ({(scope, *k) for k in square}
                               | {(other, *k) for k in square | {(r, c)}})

    while True:
        found = recoverable(eqs, hidden) or recoverable(eqs, hidden, exact=True)
        if not found:
            return hidden
        neighbours = {cell for t in found for i in touching.get(t, ())
                      for cell, _ in eqs[i]} - hidden
        if not neighbours:
            neighbours = {cell for h in hidden for i in touching.get(h, ())
                          for cell, _ in eqs[i]} - hidden
        if not neighbours:  # pragma: no cover - everything is hidden already
            return hidden
        moves = [frozenset({c}) for c in sorted(neighbours, key=lambda c: (cost(c), c))[:9]]
        if layout is not None:
            target = min(found)
            squares = {frozenset(m - hidden) for m in rectangles(target)} - {frozenset()}
            moves += sorted(squares, key=lambda m: (sum(map(cost, m)), sorted(m)))[:12]
        best = None
        moves.sort(key=lambda m: (sum(map(cost, m)), sorted(m)))
        for move in moves[:14]:  # cheapest first: the first that leaves nothing wins
            left = len(recoverable(eqs, hidden | move))
            key = (left, sum(map(cost, move)), sorted(move))
            if best is None or key < best[0]:
                best = (key, move)
            if left == 0:
                break
        hidden |= best[1]


def protect(family: Mapping[str, Grid], audience: Audience, *, total: str | None = None,
            unit: str | None = None, labels: Mapping[str, str] | None = None,
            notes: tuple[str, ...] = ()) -> dict[str, Table]:
    """The tables of one measure that may be shown to ``audience``, for each scope of
    ``family`` (``{"org:1": grid, "org:2": grid, "total": add(...)}``; ``total`` names the
    scope that is the sum of the others, so subtraction across the family is guarded).

    Hidden cells are ``None``; margins are published as row/column ``TOTAL`` where a split
    is additive. Share grids (cells with ``of``) give shares in ``values`` and the rounded
    counts and bases beside them in ``counts`` and ``bases``."""
    if not family:
        return {}
    grids = list(family.values())
    measure = grids[0].measure
    rows = tuple(dict.fromkeys(r for g in grids for r in g.rows))
    columns = tuple(dict.fromkeys(c for g in grids for c in g.columns))
    layout: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    people: dict[Cell, int] = {}
    bases: dict[Cell, int | None] = {}
    share = False
    for scope, grid in family.items():
        out_rows, out_cols = _layout(grid, rows, columns)
        layout[scope] = (out_rows, out_cols)
        p, b, is_share = _values(grid, rows, columns, out_rows, out_cols)
        share = share or is_share
        for key, n in p.items():
            people[(scope, *key)] = n
            bases[(scope, *key)] = b[key]
    if share:
        bases = {k: (v or 0) for k, v in bases.items()}
    sensitive = {cell for cell, n in people.items()
                 if _sensitive(n, bases[cell] if share else None, audience.threshold)}
    size = {cell: (bases[cell] if share else people[cell]) for cell in people}
    hidden = suppression(equations(layout, total), sensitive, size, layout)
    base = audience.round_to
    out: dict[str, Table] = {}
    for scope, (out_rows, out_cols) in layout.items():
        values: dict[tuple[str, str], float | int | None] = {}
        counts: dict[tuple[str, str], int | None] = {}
        shown_bases: dict[tuple[str, str], int | None] = {}
        for r in out_rows:
            for c in out_cols:
                cell = (scope, r, c)
                if cell in hidden:
                    values[(r, c)] = None
                    if share:
                        counts[(r, c)] = shown_bases[(r, c)] = None
                    continue
                n = people[cell]
                if share:
                    d = bases[cell]
                    values[(r, c)] = round(n / d, 3) if d else None
                    counts[(r, c)] = rounded(n, base)
                    shown_bases[(r, c)] = rounded(d, base)
                else:
                    values[(r, c)] = rounded(n, base)
        scope_notes = list(notes)
        if base > 1:
            scope_notes.append(f"counts rounded to a multiple of {base}")
        if share:
            scope_notes.append("shares computed from the unrounded counts of shown cells")
        out[scope] = Table(
            measure=measure, rows=out_rows, columns=out_cols, values=values,
            unit=unit or ("share" if share else "people"), threshold=audience.threshold,
            hidden=sum(1 for cell in hidden if cell[0] == scope), notes=tuple(scope_notes),
            counts=counts, bases=shown_bases, scope=scope,
            scope_label=(labels or {}).get(scope, scope), rounded_to=base)
    return out
