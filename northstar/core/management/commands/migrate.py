"""``migrate`` as the owner role when ``DATABASE_MIGRATE_URL`` is set, then re-grant the runtime role.

The web server connects with ``DATABASE_URL`` (the runtime role, which owns
nothing); schema changes need the owner. After migrating, the runtime role's
grants are applied again so new tables are usable and the audit log stays
append-only for it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from northstar.core import dbroles


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        owner_db = settings.NORTHSTAR_MIGRATE_DATABASE
        alias = options.get("database") or "default"
        if not owner_db or alias != "default":
            return super().handle(*args, **options)
        connection = connections[alias]
        runtime = connection.settings_dict.get("USER")
        connection.close()
        saved = dict(connection.settings_dict)
        connection.settings_dict.update(
            {k: owner_db[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")})
        try:
            result = super().handle(*args, **options)
            if runtime and runtime != owner_db.get("USER"):
                with connection.cursor() as cursor:
                    dbroles.grant_runtime(cursor, runtime=runtime)
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
        return result
