"""The demo directory imports cleanly and the demo seeds a consented cross-border referral."""

from __future__ import annotations

from northstar.justice import demo as justice_demo
from northstar.justice.models import TimelineEvent
from northstar.referrals import csv_import
from northstar.referrals import demo as referrals_demo
from northstar.referrals.models import Referral, Service
from northstar.survivors import actions as survivor_actions


def test_demo_directory_csv_is_valid():
    result = csv_import.parse(referrals_demo.DIRECTORY.read_text(encoding="utf-8"))
    assert result.ok, [str(e) for e in result.errors]
    assert {r.kind for r in result.records} >= {"shelter", "legal_aid", "mental_health",
                                                "interpretation"}


def test_demo_seed_is_idempotent_and_the_referral_is_consented(org_a, org_b, caseworker,
                                                               actor_for, users):
    survivor = survivor_actions.create_survivor(actor_for(caseworker), data={
        "given_name": "Demo Dara", "nationality": "KH", "languages": ["km"]})
    context = {"organisations": [org_a, org_b], "users": {"caseworker.th": caseworker}}
    referrals_demo.seed(context)
    referrals_demo.seed(context)
    count = Service.objects.count()
    assert count >= 12
    referral = Referral.objects.get()
    assert (referral.survivor, referral.sender_jurisdiction, referral.recipient_jurisdiction) == (
        survivor, "TH", "KH")
    assert referral.consent.recipient == org_b
    justice_demo.seed(context)  # no cases: nothing to put on a timeline, and no error
    assert not TimelineEvent.objects.exists()


def test_demo_timeline_raises_findings(case_a, caseworker, org_a, org_b):
    context = {"organisations": [org_a, org_b], "users": {"caseworker.th": caseworker}}
    justice_demo.seed(context)
    rules = {r for e in TimelineEvent.objects.all() for r in e.finding_rules}
    assert {"minimise_retelling_the_story", "never_restrict_movement_in_shelter",
            "interpreter_needed_for_interview"} <= rules
