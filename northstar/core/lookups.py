"""``has_element``: "this JSON list holds this value", answered by the database.

PostgreSQL asks ``@>`` (``jsonb`` containment, which a GIN index serves);
SQLite, which has no JSON containment, asks its JSON1 ``json_each``. Both give
exact membership (``"km"`` does not match ``"km-KH"``), so a filtered list pages
correctly instead of being filtered in Python after the page was cut::

    Survivor.objects.filter(languages__has_element="km")
"""

from __future__ import annotations

import json

from django.db.models import JSONField, Lookup


@JSONField.register_lookup
class HasElement(Lookup):
    lookup_name = "has_element"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", [*lhs_params, json.dumps([self.rhs])]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # ``lhs`` is the column Django compiled; the value is a bound parameter.
        return (f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)",  # noqa: S608
                [*lhs_params, self.rhs])

    def as_sql(self, compiler, connection):  # pragma: no cover - only SQLite and PostgreSQL run
        raise NotImplementedError(f"has_element is not written for {connection.vendor}")
