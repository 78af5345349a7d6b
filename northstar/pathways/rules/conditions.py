"""The tiny condition language rule files use in their ``when`` tables.

A ``when`` table maps a fact name to one test; a rule fires when every test
holds. Kept here, pure and small, so a lawyer reads a rule as data:

    when = { exploitation = { contains = "sex" }, coercion = { in = ["high"] } }

Tests (``value`` is the fact; ``None`` means unknown and satisfies only
``is_not``, ``unknown`` and ``lacks``/``not_in`` where said):

- ``is``       value == operand (``true``, ``false`` or a string)
- ``is_not``   value != operand (so an unknown value is "not true")
- ``unknown``  operand true: value is None; false: value is known
- ``in``       scalar value is one of operand; list value shares an item
- ``not_in``   known scalar not in operand; list value shares no item
- ``contains`` list value includes operand
- ``lacks``    list value (known) does not include operand
- ``gte`` / ``lt``  number comparisons on a known value
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

OPERATORS = frozenset({"is", "is_not", "unknown", "in", "not_in", "contains", "lacks", "gte", "lt"})


class RuleDataError(ValueError):
    """A rule file that cannot be trusted: the message names the file and rule."""


class InvalidInput(ValueError):
    """Input an engine cannot read; ``field`` names the offending entry (the API's 422)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def read_rule_file(path: Path, top_keys: frozenset[str] | set[str]) -> tuple[dict, str]:
    """The parsed TOML file and its name, refusing top-level keys no engine reads."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    where = path.name
    unknown = set(data) - set(top_keys)
    if unknown:
        raise RuleDataError(f"{where}: unknown key(s) {sorted(unknown)}")
    return data, where


def check_when(when: object, facts: frozenset[str], where: str) -> None:
    """Raise ``RuleDataError`` unless ``when`` only uses known facts and operators."""
    if not isinstance(when, Mapping):
        raise RuleDataError(f"{where}: 'when' must be a table")
    for fact, test in when.items():
        if fact not in facts:
            raise RuleDataError(
                f"{where}: unknown fact {fact!r} in 'when' (known: {sorted(facts)})"
            )
        if not isinstance(test, Mapping) or len(test) != 1:
            raise RuleDataError(f"{where}: test on {fact!r} must be a table with one operator")
        (op,) = test.keys()
        if op not in OPERATORS:
            raise RuleDataError(f"{where}: unknown operator {op!r} on {fact!r}")


def _holds(op: str, value: Any, operand: Any) -> bool:
    if op == "unknown":
        return (value is None) == bool(operand)
    if op == "is":
        return value is not None and value == operand
    if op == "is_not":
        return value != operand
    if isinstance(value, list | tuple | set | frozenset):
        items = set(value)
        if op == "in":
            return bool(items & set(operand))
        if op == "not_in":
            return not (items & set(operand))
        if op == "contains":
            return operand in items
        if op == "lacks":
            return operand not in items
        return False
    if value is None:
        return False
    if op == "in":
        return value in operand
    if op == "not_in":
        return value not in operand
    if op == "gte":
        return value >= operand
    if op == "lt":
        return value < operand
    return False


def matches(when: Mapping[str, Mapping[str, Any]], facts: Mapping[str, Any]) -> bool:
    """Does every test in ``when`` hold for ``facts``?"""
    for fact, test in when.items():
        ((op, operand),) = test.items()
        if not _holds(op, facts.get(fact), operand):
            return False
    return True


def check_common(
    rule: Mapping, where: str, required: tuple[str, ...], allowed: frozenset[str]
) -> None:
    """Every rule names itself, explains itself and says where it comes from."""
    unknown = set(rule) - allowed
    if unknown:
        raise RuleDataError(f"{where}: unknown key(s) {sorted(unknown)}")
    for key in required:
        value = rule.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise RuleDataError(f"{where}: missing {key!r}")
    checked = rule.get("checked")
    if not isinstance(checked, dt.date):
        raise RuleDataError(f"{where}: 'checked' must be a date (YYYY-MM-DD), got {checked!r}")
