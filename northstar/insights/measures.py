"""The measures of ``measures.toml``, read and checked: each one defined once, as data.

Pure Python (no Django, in the ``engines`` import contract): the dotted path of each
measure's counting function is checked for shape here and resolved (imported) by
``resolve``; the app's ``ready()`` resolves every one, so a bad path stops the server
at start-up, not on a funder's page.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from northstar.rules.errors import RuleDataError
from northstar.rules.loader import read_toml

MEASURES_FILE = Path(__file__).with_name("measures.toml")
REQUIRED = ("key", "name", "definition", "numerator", "denominator", "unit", "splits",
            "count", "source", "checked")
UNITS = ("share", "people", "days")
DOTTED = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    splits: tuple[str, ...]
    count: str
    source: str
    checked: str
    section: str = ""
    period_date: str = ""
    bands: tuple[int, ...] = ()

    def split_key(self, split: str) -> str:
        return f"{self.key}.{split}"


def parse(path: Path = MEASURES_FILE) -> tuple[Measure, ...]:
    """Every measure of ``path``, in file order; any flaw is a ``RuleDataError``."""
    raw = read_toml(path)
    for head in ("version", "source", "checked"):
        if not raw.get(head):
            raise RuleDataError(f"{path.name}: missing {head!r}")
    found: list[Measure] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw.get("measure", [])):
        name = entry.get("key", f"#{i + 1}")
        missing = [k for k in REQUIRED if not entry.get(k)]
        if missing:
            raise RuleDataError(f"{path.name}: measure {name}: missing {missing}")
        unknown = set(entry) - set(Measure.__dataclass_fields__)
        if unknown:
            raise RuleDataError(f"{path.name}: measure {name}: unknown key {sorted(unknown)}")
        if name in seen:
            raise RuleDataError(f"{path.name}: measure {name} is defined twice")
        seen.add(name)
        if entry["unit"] not in UNITS:
            raise RuleDataError(f"{path.name}: measure {name}: unit must be one of {UNITS}")
        if not DOTTED.match(entry["count"]):
            raise RuleDataError(f"{path.name}: measure {name}: count {entry['count']!r} is "
                                f"not a dotted path to a function")
        found.append(Measure(
            **{**entry, "splits": tuple(entry["splits"]), "checked": str(entry["checked"]),
               "bands": tuple(entry.get("bands", ()))}))
    return tuple(found)


@cache
def all_measures() -> tuple[Measure, ...]:
    return parse()


def by_key(key: str) -> Measure:
    for measure in all_measures():
        if measure.key == key:
            return measure
    raise KeyError(key)


def resolve(measure: Measure) -> Callable:
    """The counting function ``measure.count`` names; a path that leads nowhere is a
    ``RuleDataError`` naming the measure."""
    module_name, _, attr = measure.count.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise RuleDataError(f"measures.toml: measure {measure.key}: count "
                            f"{measure.count!r}: no module {module_name!r} ({exc})") from None
    function = getattr(module, attr, None)
    if not callable(function):
        raise RuleDataError(f"measures.toml: measure {measure.key}: count "
                            f"{measure.count!r}: {module_name} has no function {attr!r}")
    return function


def resolve_all(measures: tuple[Measure, ...] | None = None) -> dict[str, Callable]:
    return {m.key: resolve(m) for m in (measures if measures is not None else all_measures())}
