"""``manage.py restore FILE --target-url URL``: restore a backup into a fresh database and prove it.

Refuses when the key ring lacks a key id the manifest names, when the dump does
not match its manifest, or when the target holds any table. After restoring it
opens every sealed value with the key ring and verifies the audit chain; any
failure exits non-zero.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import dj_database_url
import psycopg
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from northstar.core.backup import BackupError, check_restored, conninfo, restore


def _create_database(target: dict) -> None:
    info, env = conninfo(target, dbname="postgres")
    with psycopg.connect(info, password=env.get("PGPASSWORD"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))


class Command(BaseCommand):
    help = "Restore FILE (made by `backup`) into an empty database and verify it."

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path)
        parser.add_argument("--target-url", required=True,
                            help="postgresql://owner@host/newdb — an empty database")
        parser.add_argument("--create", action="store_true", help="create the target database")

    def handle(self, *args, dump: Path, target_url: str, create=False, **opts):
        target = dj_database_url.parse(target_url)
        if target["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("restore needs a PostgreSQL target")
        try:
            if create:
                _create_database(target)
            manifest = restore(dump, target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except subprocess.CalledProcessError as exc:
            raise CommandError(f"pg_restore failed: {exc.stderr.decode(errors='replace')}") from exc
        report = verify(target, manifest)
        self.stdout.write(f"restored {dump} into {target['NAME']}: "
                          f"{report['sealed_values_opened']} sealed values open, "
                          f"{report['audit_entries']} audit entries, chain verified")
        self.stdout.write("next: manage.py db_roles --grant against the new database, then "
                          "point DATABASE_URL/DATABASE_MIGRATE_URL at it")


def verify(target: dict, manifest: dict) -> dict:
    """Every sealed value opens and the audit chain holds in the restored database, or CommandError."""
    report = check_restored(target, manifest)
    if report["problems"]:
        raise CommandError("restore is not whole:\n  " + "\n  ".join(report["problems"][:20]))
    return report
