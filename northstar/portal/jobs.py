"""Portal housekeeping, daily (``core/jobs.py``): sign-in attempt counters past 30 days."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.core import jobs


@jobs.task("portal.prune_attempts")
def prune_attempts(job, *, days: int = 30):
    from northstar.portal.models import SignInAttempt

    cutoff = timezone.now() - dt.timedelta(days=max(1, days))
    deleted, _ = SignInAttempt.objects.filter(at__lt=cutoff).delete()
    jobs.report(job, deleted, deleted)
    return {"deleted": deleted}


jobs.schedule("prune_portal_attempts", "portal.prune_attempts", every="day")
