"""Demo: the first organisation's survivors' council, a meeting to come, a training held and
paid for, a consultation that changed something, and outreach sessions. Adults only, each
with an engagement consent recorded first; the portal's demo survivor is invited too when
they are an adult, so the portal's "Taking part" page has something to show."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.core.actor import Actor
from northstar.engagement import actions
from northstar.engagement.models import Activity, Council
from northstar.portal.models import PortalAccess
from northstar.survivors import actions as survivor_actions
from northstar.survivors.models import Survivor

PSEUDONYMS = ["Lotus", "River", "Dawn", "Jasmine"]


def seed(context: dict) -> None:
    org = context["organisations"][0]
    if Council.objects.filter(organisation=org).exists():
        return
    suffix = org.jurisdiction.lower()
    caseworker = Actor.for_user(context["users"][f"caseworker.{suffix}"], "cli")
    coordinator = Actor.for_user(context["users"][f"council_coordinator.{suffix}"], "cli")
    portal_ids = set(PortalAccess.objects.filter(survivor__organisation=org)
                     .values_list("survivor_id", flat=True))
    adults = [s for s in Survivor.objects.filter(organisation=org).order_by("pk")
              if s.is_child() is False]
    adults.sort(key=lambda s: s.pk not in portal_ids)  # the portal's demo survivor first
    people = adults[:3]
    if not people:
        return
    for survivor in people:
        survivor_actions.record_consent(caseworker, survivor, purpose="engagement",
                                        language=survivor.preferred_language, method="verbal")
    now = timezone.now()
    council = actions.create_council(coordinator, name="Survivors' advisory council",
                                     kind="advisory_council")
    for survivor in people:
        actions.add_council_member(coordinator, council, survivor=survivor,
                                   term_start=timezone.localdate() - dt.timedelta(days=60),
                                   term_end=timezone.localdate() + dt.timedelta(days=305))
    meeting = actions.create_activity(
        coordinator, kind="advisory_council", council=council, title="Council: shelter rules",
        starts_at=now + dt.timedelta(days=10), hours="2", place="Community hall",
        offender_may_be_present=False)
    for survivor, name in zip(people, PSEUDONYMS, strict=False):
        actions.invite(coordinator, meeting, survivor=survivor, pseudonym=name)

    training = actions.create_activity(
        coordinator, kind="training", title="Training labour inspectors",
        starts_at=now + dt.timedelta(hours=1), hours="3", place="Provincial office",
        offender_may_be_present=False)
    trainer = actions.invite(coordinator, training, survivor=people[-1], pseudonym="Dawn")
    actions.answer(coordinator, trainer, accept=True)
    actions.prepare(coordinator, trainer, support_person="Peer supporter", briefed=True,
                    debriefing_planned=True)
    Activity.objects.filter(pk=training.pk).update(starts_at=now - dt.timedelta(days=5))
    trainer.refresh_from_db()
    actions.check_before_activity(coordinator, trainer)
    owed = actions.record_time_given(coordinator, trainer)
    actions.record_payment(coordinator, trainer.survivor, amount=owed.amount / 2,
                           currency=owed.currency, method="mobile_money",
                           account_details="demo account", on=timezone.localdate())

    consultation = actions.record_consultation(
        coordinator, question="What should change in how shelters set their rules?",
        held_on=timezone.localdate() - dt.timedelta(days=20), others_consulted=14)
    actions.record_change(coordinator, consultation,
                          what_changed="Curfew replaced by a sign-out book agreed with residents",
                          changed_on=timezone.localdate() - dt.timedelta(days=5))
    actions.record_outreach(coordinator, kind="safe_migration",
                            held_on=timezone.localdate() - dt.timedelta(days=12),
                            place="Border district market", led_by="survivor_changemaker",
                            leader_pseudonym="Dawn", topics=["recruitment_fees", "safe_migration"],
                            audience_women=23, audience_men=11, audience_children=4)
    actions.record_outreach(coordinator, kind="family_counselling",
                            held_on=timezone.localdate() - dt.timedelta(days=8),
                            place="Village health post", led_by="staff", at_risk_families=6)
