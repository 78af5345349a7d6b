"""Small-cell suppression for aggregate figures, written once: the threshold (read from
``rules/disclosure.toml``), primary suppression of small cells, and complementary
suppression so a hidden cell cannot be recovered from the total."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

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
    return data


RULES = _load()
#: Fewer survivors than this behind a figure and the figure is not shown.
MIN_CELL: int = RULES["min_cell"]["value"]

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
