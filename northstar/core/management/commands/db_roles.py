"""Create the owner and runtime database roles and their grants (PostgreSQL).

Run once per database as a superuser (``--admin-url``, default: the
``DATABASE_MIGRATE_URL`` or ``DATABASE_URL`` connection)::

    manage.py db_roles --create --owner northstar_owner --runtime northstar_runtime \\
        --admin-url postgresql://postgres@db/northstar

Passwords come from ``NORTHSTAR_OWNER_DB_PASSWORD`` / ``NORTHSTAR_RUNTIME_DB_PASSWORD``
(never on the command line). ``--take-ownership`` hands tables created by the
superuser to the owner role; ``--grant`` (re)applies the runtime grants, which
``manage.py migrate`` also does after every run when ``DATABASE_MIGRATE_URL`` is set.
"""

from __future__ import annotations

import os

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from northstar.core import dbroles


def _url_of(db: dict) -> str:
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None, port=str(db["PORT"]) if db.get("PORT") else None)


class Command(BaseCommand):
    help = "Create the owner (migration) and runtime database roles, and the runtime grants."

    def add_arguments(self, parser):
        parser.add_argument("--create", action="store_true", help="create both roles (idempotent)")
        parser.add_argument("--take-ownership", action="store_true",
                            help="make the owner role own every table (after migrating as superuser)")
        parser.add_argument("--grant", action="store_true", help="apply the runtime grants now")
        parser.add_argument("--owner", default=os.environ.get("NORTHSTAR_OWNER_DB_ROLE",
                                                              "northstar_owner"))
        parser.add_argument("--runtime", default=os.environ.get("NORTHSTAR_RUNTIME_DB_ROLE",
                                                                "northstar_runtime"))
        parser.add_argument("--admin-url", default=os.environ.get("DATABASE_ADMIN_URL"),
                            help="a superuser connection (default: the migration connection)")

    def handle(self, *args, create=False, take_ownership=False, grant=False, owner, runtime,
               admin_url=None, **opts):
        db = settings.NORTHSTAR_MIGRATE_DATABASE or settings.DATABASES["default"]
        if not admin_url and db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("database roles are a PostgreSQL matter; SQLite has none")
        if not (create or take_ownership or grant):
            raise CommandError("say what to do: --create, --take-ownership and/or --grant")
        with psycopg.connect(admin_url or _url_of(db)) as conn, conn.cursor() as cursor:
            database = conn.info.dbname
            if create:
                dbroles.create_roles(
                    cursor, owner=owner, runtime=runtime, database=database,
                    owner_password=os.environ.get("NORTHSTAR_OWNER_DB_PASSWORD"),
                    runtime_password=os.environ.get("NORTHSTAR_RUNTIME_DB_PASSWORD"))
                self.stdout.write(f"roles {owner} (owner) and {runtime} (runtime) ready on "
                                  f"{database}")
            if take_ownership:
                n = dbroles.take_ownership(cursor, owner=owner)
                self.stdout.write(f"{n} table(s) and sequence(s) now owned by {owner}")
            if grant:
                dbroles.grant_runtime(cursor, runtime=runtime)
                self.stdout.write(f"{runtime}: application tables read/write; audit log "
                                  "append-only; migration history read-only")
