"""Lookups on JSON lists of strings, answered by the database on PostgreSQL and SQLite.

Filtering after the page was cut would page wrongly, and filtering in Python
reads every row. Each lookup asks "does some element of this list …":

- ``has_element``: equal the value (``languages__has_element="km"``; ``"km"``
  does not match ``"km-KH"``). PostgreSQL answers with ``@>`` (a GIN index serves it).
- ``has_language``: equal the language tag or be a regional form of it
  (``"km"`` matches ``"km"`` and ``"km-KH"``, not ``"kmr"``).
- ``has_element_containing``: contain the text, ignoring case
  (``areas__has_element_containing="phnom"``).

SQLite answers the element questions with JSON1's ``json_each``, PostgreSQL with
``jsonb_array_elements_text``; ``lhs`` is the column Django compiled, every value
is a bound parameter.
"""

from __future__ import annotations

import json

from django.db.models import JSONField, Lookup

_ELEMENTS = {
    "postgresql": "jsonb_array_elements_text({lhs}) AS element(value)",
    "sqlite": "json_each({lhs})",
}


class _ElementLookup(Lookup):
    prepare_rhs = False
    #: SQL condition on ``value`` (one element) and the parameters it binds.
    condition = "value = %s"

    def get_prep_lookup(self):
        return self.rhs

    def params_for(self, value) -> list:
        return [value]

    def as_sql(self, compiler, connection):
        elements = _ELEMENTS.get(connection.vendor)
        if elements is None:  # pragma: no cover - only SQLite and PostgreSQL run Northstar
            raise NotImplementedError(f"{self.lookup_name} is not written for {connection.vendor}")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql = f"EXISTS (SELECT 1 FROM {elements.format(lhs=lhs)} WHERE {self.condition})"  # noqa: S608
        return sql, [*lhs_params, *self.params_for(self.rhs)]


@JSONField.register_lookup
class HasElement(_ElementLookup):
    lookup_name = "has_element"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", [*lhs_params, json.dumps([self.rhs])]


@JSONField.register_lookup
class HasLanguage(_ElementLookup):
    lookup_name = "has_language"
    condition = "(LOWER(value) = LOWER(%s) OR LOWER(value) LIKE LOWER(%s))"

    def params_for(self, value) -> list:
        return [value, f"{value}-%"]


@JSONField.register_lookup
class HasElementContaining(_ElementLookup):
    lookup_name = "has_element_containing"
    condition = "LOWER(value) LIKE LOWER(%s) ESCAPE '\\'"

    def params_for(self, value) -> list:
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return [f"%{escaped}%"]
