"""Remind senders of referrals nobody has answered in the time their urgency allows.

Run by a scheduler (e.g. hourly). Each overdue referral is marked reminded at
most once a day and the reminder audited; the sender's caseload shows it as an
alert. Output names referrals by number and survivor reference only.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from northstar.core.actor import Actor
from northstar.referrals import actions


class Command(BaseCommand):
    help = "Mark and list referrals that sit unanswered past their urgency's answer time."

    def handle(self, *args, **options):
        reminded = actions.send_reminders(Actor.system("cli"))
        for r in reminded:
            self.stdout.write(f"referral #{r.pk} ({r.survivor.reference}, {r.urgency}) to "
                              f"{r.recipient.name}: unanswered since {r.sent_at:%Y-%m-%d %H:%M}")
        self.stdout.write(f"{len(reminded)} reminder(s)")
