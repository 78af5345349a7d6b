"""``manage.py backup FILE``: a pg_dump of the database plus FILE.manifest.json (key ids, never keys)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from northstar.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Dump the PostgreSQL database to FILE and write FILE.manifest.json beside it."

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path)

    def handle(self, *args, output: Path, **opts):
        db = settings.NORTHSTAR_MIGRATE_DATABASE or settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("backup needs PostgreSQL (SQLite: copy var/northstar.sqlite3 "
                               "while the server is stopped)")
        if output.exists():
            raise CommandError(f"{output} exists: a backup never overwrites another")
        try:
            manifest = backup(db, output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except subprocess.CalledProcessError as exc:
            raise CommandError(f"pg_dump failed: {exc.stderr.decode(errors='replace')}") from exc
        self.stdout.write(f"backed up {db['NAME']} to {output} ({manifest['sha256'][:12]}…); "
                          f"needs field keys {', '.join(manifest['key_ids']) or '(none)'}")
