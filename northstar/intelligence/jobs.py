"""The shared-patterns recount (``selectors.recount``) as a job: submitted when a review or a
sharing change makes the snapshots stale, never run in a viewer's request."""

from __future__ import annotations

from northstar.core import jobs


@jobs.task("intelligence.recount_patterns", idempotent=True)
def recount_patterns(job):
    from northstar.intelligence import selectors

    counted = selectors.recount()
    jobs.report(job, len(counted), len(counted))
    return {"counted": counted}
