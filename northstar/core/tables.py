"""The shape every aggregate figure travels in, from the app that counts it to the page,
the chart, the CSV and the PDF that show it.

An app counts one organisation at a time into a ``Grid`` (rows × columns of ``Count``);
a roll-up adds grids cell by cell (``add``), so figures across organisations are sums of
per-organisation counts, never a query over pooled records. Disclosure control turns a
grid into a ``Table`` whose hidden cells are ``None``; nothing downstream of a ``Table``
can see a hidden value. Pure Python: no Django, so it is the same in a job, a page and a
benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Count:
    """Survivors counted in a cell (``people``) and, for a share, out of how many (``of``)."""

    people: int
    of: int | None = None

    def __add__(self, other: Count) -> Count:
        if (self.of is None) != (other.of is None):
            raise ValueError("cannot add a share to a plain count")
        return Count(self.people + other.people,
                     None if self.of is None else self.of + other.of)

    @property
    def share(self) -> float | None:
        return None if not self.of else self.people / self.of


@dataclass(frozen=True)
class Grid:
    """One measure, counted: ``cells[(row, column)]``. Row and column keys are codes
    (``"trial_yes"``, ``"KH"``, ``"2026Q3"``); labels are the page's business."""

    measure: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], Count] = field(default_factory=dict)
    #: Whether each survivor falls in one row only (the rows add up to a total that may be
    #: published), and likewise for columns. A split where one person can sit in several
    #: rows (by pathway: a plan has items of several) is not additive: no total is shown
    #: for it, and disclosure control treats each cell on its own.
    additive_rows: bool = True
    additive_columns: bool = True

    def get(self, row: str, column: str) -> Count:
        return self.cells.get((row, column), Count(0, None))


def add(grids: Iterable[Grid]) -> Grid:
    """The roll-up: the cell-by-cell sum of per-organisation grids of one measure. Rows and
    columns are the union, in first-seen order."""
    grids = list(grids)
    if not grids:
        raise ValueError("nothing to add")
    measure = grids[0].measure
    if any(g.measure != measure for g in grids):
        raise ValueError("grids of different measures cannot be added")
    additive_rows = all(g.additive_rows for g in grids)
    additive_columns = all(g.additive_columns for g in grids)
    rows: dict[str, None] = {}
    columns: dict[str, None] = {}
    cells: dict[tuple[str, str], Count] = {}
    for grid in grids:
        rows.update(dict.fromkeys(grid.rows))
        columns.update(dict.fromkeys(grid.columns))
        for key, count in grid.cells.items():
            cells[key] = cells[key] + count if key in cells else count
    return Grid(measure, tuple(rows), tuple(columns), cells, additive_rows, additive_columns)


@dataclass(frozen=True)
class Table:
    """A grid after disclosure control: what may be shown. ``values[(row, column)]`` is a
    number or ``None`` (hidden); ``hidden`` says how many cells were hidden and why."""

    measure: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: dict[tuple[str, str], float | int | None]
    unit: str = "people"  # "people", "share", "days", or a currency code
    threshold: int = 0
    hidden: int = 0
    notes: tuple[str, ...] = ()
    #: For a share: the survivors counted (numerator) and out of how many (denominator)
    #: behind each shown value, rounded like every published count; ``None`` where hidden.
    counts: dict[tuple[str, str], int | None] = field(default_factory=dict)
    bases: dict[tuple[str, str], int | None] = field(default_factory=dict)
    #: Whose figures these are: "own" (the viewer's organisation), "total" (the sum of the
    #: organisations shown) or "org:<id>" (one of them), with a name for the page.
    scope: str = ""
    scope_label: str = ""
    #: Rounding base applied to the counts (1: exact).
    rounded_to: int = 1
