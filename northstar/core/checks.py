"""System checks that need the database: the server refuses to start with wrong field keys."""

from __future__ import annotations

from django.core.checks import Error, Warning, register
from django.db import DatabaseError, connection

from northstar.core.keys import key_problems
from northstar.core.models import KeyCheck


@register("northstar_keys")
def field_keys_open_this_database(app_configs=None, **kwargs):
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        return [Warning(f"field keys not verified: database unavailable ({exc})",
                        id="northstar.W001")]
    if KeyCheck._meta.db_table not in tables:
        return []  # before the first migrate there is nothing to check against
    try:
        problems = key_problems()
    except ValueError as exc:  # a malformed key: not 32 bytes, or no key at all
        problems = [str(exc)]
    return [Error(p, hint="NORTHSTAR_FIELD_KEYS must hold the keys this database was sealed "
                  "with (see docs/operations.md, key escrow)", id="northstar.E001")
            for p in problems]
