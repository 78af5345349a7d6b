"""Archive the oldest month of the audit log to a JSON-lines file and detach its partition.

PostgreSQL only, as the owner role (``DATABASE_MIGRATE_URL``). The file holds every
entry with both hashes, so ``manage.py verify_audit --archive FILE …`` still verifies
the whole chain: through the archives in order, then the live table, whose first
entry must follow the last archived one. The file is not sealed: the entries hold
no plaintext personal data (``core/auditparts.py``); store it with the backups.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from northstar.core import auditparts


class Command(BaseCommand):
    help = "Write one month's audit partition (the oldest live) to a file and detach it."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM (a UTC month)")
        parser.add_argument("--out", required=True, help="the archive file to write (.jsonl)")
        parser.add_argument("--drop", action="store_true",
                            help="drop the detached partition once the file is written")

    def handle(self, *args, month, out, drop=False, **opts):
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            raise CommandError("--month must be a month as YYYY-MM") from None
        path = Path(out)
        if path.exists():
            raise CommandError(f"{path} exists already; archives are never overwritten.")
        if connection.vendor != "postgresql":
            raise CommandError("Archiving needs the audit log's partitions (PostgreSQL).")
        with auditparts.as_owner(), transaction.atomic(), connection.cursor() as cursor:
            if not auditparts.is_partitioned(cursor):
                raise CommandError("The audit log is not partitioned: run manage.py migrate.")
            try:
                done = auditparts.archive_partition(cursor, first, path, drop=drop)
            except auditparts.NotArchivable as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            f"archived {done['entries']} entr(y/ies) of {month} (ids {done['first_id']}–"
            f"{done['last_id']}) to {path}; partition {done['partition']} "
            f"{'dropped' if drop else 'detached'}; last hash {done['last_hash']}")
