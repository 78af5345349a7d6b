"""Referral reminders, hourly (``core/jobs.py``): each overdue referral at most once a day."""

from __future__ import annotations

from northstar.core import jobs
from northstar.core.actor import Actor


@jobs.task("referrals.reminders")
def reminders(job):
    from northstar.referrals import actions

    reminded = actions.send_reminders(Actor.system("system"))
    jobs.report(job, len(reminded), len(reminded))
    return {"reminded": len(reminded)}


jobs.schedule("referral_reminders", "referrals.reminders", every="hour")
