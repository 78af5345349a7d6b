"""Delete sign-in attempt counters older than the rate-limit window needs (30 days).

The audit log keeps the record of every attempt; this table only serves rate
limiting. Run it daily from the scheduler, like the other housekeeping commands.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from northstar.portal.models import CodeBackoff, SignInAttempt


class Command(BaseCommand):
    help = "Delete portal sign-in attempt counters older than --days (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, **options):
        cutoff = timezone.now() - dt.timedelta(days=max(1, options["days"]))
        deleted, _ = SignInAttempt.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"deleted {deleted} sign-in attempt(s) older than {cutoff:%Y-%m-%d}")
        # A code nobody tried for a day starts afresh: its wait (at most minutes) is long over.
        quiet = timezone.now() - dt.timedelta(days=1)
        forgotten, _ = CodeBackoff.objects.filter(updated_at__lt=quiet).delete()
        self.stdout.write(f"forgot the wrong tries of {forgotten} code(s) quiet for a day")
