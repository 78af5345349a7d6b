"""The demo data shows engagement: a council, invitations, a training paid for, outreach."""

import io

from django.core.management import call_command

from northstar.engagement.models import (
    Council,
    HonorariumEntry,
    OutreachSession,
    Participation,
)


def test_the_demo_seeds_engagement_for_adults_who_consented(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    assert Council.objects.count() == 1
    invited = list(Participation.objects.select_related("survivor"))
    assert invited and all(p.survivor.is_child() is False for p in invited)
    assert HonorariumEntry.objects.filter(kind="owed").exists()
    assert OutreachSession.objects.count() == 2
    call_command("seed_demo", stdout=io.StringIO())
    assert Council.objects.count() == 1  # idempotent
