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

``When`` is the pydantic type a rule schema gives its ``when`` field;
``check_facts`` is what the schema calls to refuse a fact its engine never sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator

OPERATORS = frozenset({"is", "is_not", "unknown", "in", "not_in", "contains", "lacks", "gte", "lt"})


def _one_operator(test: dict[str, Any]) -> dict[str, Any]:
    if len(test) != 1:
        raise ValueError("a test must be a table with exactly one operator")
    (op,) = test
    if op not in OPERATORS:
        raise ValueError(f"unknown operator {op!r} (known: {sorted(OPERATORS)})")
    return test


#: ``{ fact = { operator = operand } }``: every test one known operator.
When = dict[str, Annotated[dict[str, Any], AfterValidator(_one_operator)]]


def check_facts(rule_id: str, when: Mapping[str, Any], facts: frozenset[str]) -> None:
    """Refuse a ``when`` that tests a fact the engine never sets (a typo would never fire)."""
    for fact in when:
        if fact not in facts:
            raise ValueError(
                f"rule {rule_id}: unknown fact {fact!r} in 'when' (known: {sorted(facts)})"
            )


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
