"""Housekeeping, daily (``core/jobs.py``): portal sign-in attempt counters past 30 days, the
API's idempotency keys past 24 hours (``core/idempotency.py``), and the files of finished
jobs past their kind's retention (``jobs.prune_files``: the insights reports after
``NORTHSTAR_REPORT_KEEP_DAYS``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.core import idempotency, jobs


@jobs.task("portal.prune_attempts")
def prune_attempts(job, *, days: int = 30):
    from northstar.portal.models import SignInAttempt

    cutoff = timezone.now() - dt.timedelta(days=max(1, days))
    deleted, _ = SignInAttempt.objects.filter(at__lt=cutoff).delete()
    keys = idempotency.prune()
    files = jobs.prune_files()  # old reports' files (``jobs.keep_files``)
    jobs.report(job, deleted + keys + files, deleted + keys + files)
    return {"deleted": deleted, "idempotency_keys": keys, "job_files": files}


jobs.schedule("prune_portal_attempts", "portal.prune_attempts", every="day")
