"""Raise alerts for overdue compensation instalments. A scheduler runs this daily."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from northstar.compensation.alerts import raise_overdue_alerts


class Command(BaseCommand):
    help = ("Alert the responsible caseworker and the supervisors about every compensation "
            "instalment past due and unpaid; resolve alerts for instalments since paid.")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the day to judge against (YYYY-MM-DD); default today")

    def handle(self, *args, **options):
        as_of = timezone.localdate()
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of must be a date as YYYY-MM-DD") from None
        result = raise_overdue_alerts(as_of=as_of)
        self.stdout.write(
            f"{as_of.isoformat()}: {result['overdue_instalments']} overdue instalment(s), "
            f"{result['raised']} alert(s) raised, {result['resolved']} resolved")
