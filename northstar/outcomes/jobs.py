"""Daily: schedule follow-up check-ins of newly closed cases and raise the tasks of those
that fell due (``actions.keep_check_ins``)."""

from __future__ import annotations

import datetime as dt

from northstar.core import jobs


@jobs.task("outcomes.check_ins")
def check_ins(job, *, today: str | None = None):
    from northstar.outcomes.actions import keep_check_ins

    result = keep_check_ins(today=dt.date.fromisoformat(today) if today else None)
    jobs.report(job, result["tasks"], result["tasks"])
    return result


jobs.schedule("outcome_check_ins", "outcomes.check_ins", every="day")
