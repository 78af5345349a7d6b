"""Submit this period's run of every scheduled job (cron, when there is no Celery beat).

Each run has an idempotency key per period (``compensation_alerts:2026-12-06``), so
calling this every few minutes, from every instance, still runs each period once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from northstar.core import jobs


class Command(BaseCommand):
    help = "Submit every scheduled job due in the current period (each runs once per period)."

    def handle(self, *args, **opts):
        for job in jobs.sweep():  # running jobs whose worker died (core/jobs.py)
            self.stdout.write(f"job #{job.pk} ({job.kind}): its worker stopped; "
                              f"{job.get_status_display().lower()}")
        for name in sorted(jobs.SCHEDULES):
            entry = jobs.SCHEDULES[name]
            key = entry.key(jobs.timezone.now())
            existing = jobs.Job.objects.filter(key=key).exists()
            job = jobs.submit_scheduled(name)
            job.refresh_from_db()
            state = "already submitted" if existing else "submitted"
            self.stdout.write(f"{name} (every {entry.every}): {state} as job #{job.pk}, "
                              f"key {job.key}, {job.get_status_display().lower()}")
