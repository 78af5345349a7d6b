"""Create the audit log's monthly partitions ahead of time (PostgreSQL; as the owner role).

Run it monthly from cron (or after ``migrate``): entries of a month with no partition
land in the default partition, and a month's partition cannot be created later
while the default one holds entries of that month.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from northstar.core import auditparts


class Command(BaseCommand):
    help = "Create missing monthly partitions of the audit log, up to --months-ahead months."

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=12)

    def handle(self, *args, months_ahead=12, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("The audit log is partitioned on PostgreSQL only.")
        with auditparts.as_owner() as runtime, connection.cursor() as cursor:
            if not auditparts.is_partitioned(cursor):
                raise CommandError("The audit log is not partitioned: run manage.py migrate.")
            today = dt.datetime.now(dt.UTC).date()
            created = auditparts.ensure_partitions(cursor, start=today,
                                                   months_ahead=max(0, months_ahead),
                                                   today=today, runtime=runtime)
            cursor.execute(f'SELECT count(*) FROM "{auditparts.DEFAULT_PARTITION}"')  # noqa: S608
            (strays,) = cursor.fetchone()
        for name in created:
            self.stdout.write(f"created {name}")
        self.stdout.write(f"{len(created)} partition(s) created; "
                          f"{strays} entr(y/ies) in the default partition")
