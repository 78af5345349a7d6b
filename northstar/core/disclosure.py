"""The one threshold under which aggregate figures are blanked, read from data."""

from __future__ import annotations

import tomllib
from pathlib import Path

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
