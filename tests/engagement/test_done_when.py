"""Issue 16's "done when", for engagement: a survivor in the portal, in Burmese, joins a
council meeting with the engagement consent, sees the honorarium owed and paid, and
withdraws from the next activity without any change to their services."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone

from northstar.compensation.models import Claim
from northstar.core.actor import Actor
from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.engagement import actions as engagement
from northstar.engagement.models import Participation, ParticipationStatus
from northstar.pathways.models import PlanItem
from northstar.portal.localformat import format_money
from northstar.referrals.models import Referral
from northstar.survivors.models import Case, Consent
from tests.engagement.conftest import held
from tests.records import PIN, build_records

BURMESE = r"[\u1000-\u109F]"


def services_of(survivor) -> dict:
    """Everything that is the survivor's help: case, plan, referrals, claims, consents other
    than engagement — every field of every row."""
    rows = lambda qs: [model_to_dict(o) for o in qs.order_by("pk")]  # noqa: E731
    return {
        "cases": rows(Case.objects.filter(survivor=survivor)),
        "plan": rows(PlanItem.objects.filter(case__survivor=survivor)),
        "referrals": rows(Referral.objects.filter(survivor=survivor)),
        "claims": rows(Claim.objects.filter(case__survivor=survivor)),
        "consents": rows(Consent.objects.filter(survivor=survivor).exclude(purpose="engagement")),
    }


@pytest.fixture
def world(org_a, org_b, users):
    return build_records(caseworker=users[("a", Role.CASEWORKER)],
                         supervisor=users[("a", Role.SUPERVISOR)], recipient=org_b)


def in_burmese(client: Client) -> Client:
    client.get("/portal/language/my/?next=/portal/engagement/")
    return client


def test_a_survivor_in_burmese_joins_is_paid_for_their_time_and_leaves_without_losing_help(
        world, users):
    survivor = world["obj"]["survivor"]
    meeting = world["obj"]["activity"]  # a council meeting she is invited to (records.py)
    coordinator = Actor.for_user(users[("a", Role.COUNCIL_COORDINATOR)], "web")
    services_before = services_of(survivor)

    portal = Client()
    assert portal.post("/portal/", {"reference": survivor.reference, "pin": PIN}).status_code == 302
    page = in_burmese(portal).get("/portal/engagement/")
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="my">' in html
    assert page["Content-Language"] == "my"
    assert re.search(BURMESE, html), "the page is in Burmese"
    invitation = Participation.objects.get(activity=meeting, survivor=survivor)
    assert f'id="invitation-{invitation.pk}"' in html

    # She joins the council meeting, anonymously by default.
    joined = portal.post("/portal/engagement/answer/",
                         {"participation": invitation.pk, "choice": "join"})
    assert joined.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == ParticipationStatus.ACCEPTED and invitation.anonymous
    assert invitation.right_to_withdraw_stated

    # The coordinator prepares her taking part; the Do No Harm check has no block.
    engagement.prepare(coordinator, invitation, support_person="Ma Hla (peer)", briefed=True,
                       debriefing_planned=True)
    assert engagement.check_before_activity(coordinator, invitation)["findings"] == []

    # The meeting is held; two hours given are owed at the default THB rate (150/h).
    held(meeting)
    owed = engagement.record_time_given(coordinator, invitation)
    assert owed.amount == Decimal("300.00") and owed.currency == "THB"
    engagement.record_payment(coordinator, survivor, amount="200", currency="THB",
                              method="mobile_money", account_details="+95 9 000 000",
                              on=timezone.localdate())

    page = portal.get("/portal/engagement/").content.decode()
    # Owed 300; paid 300 (records.py) + 200; she sees both in Burmese number format.
    assert f'<td class="owed">{format_money(Decimal("300"), "THB", "my")}</td>' in page
    assert f'<td class="paid">{format_money(Decimal("500"), "THB", "my")}</td>' in page

    # The next activity: she is invited, says yes, then withdraws from it.
    nxt = engagement.create_activity(coordinator, kind="training", title="Training police",
                                     starts_at=timezone.now() + dt.timedelta(days=14),
                                     hours="3", offender_may_be_present=False)
    next_invite = engagement.invite(coordinator, nxt, survivor=survivor, pseudonym="Lotus")
    portal.post("/portal/engagement/answer/", {"participation": next_invite.pk, "choice": "join"})
    left = portal.post("/portal/engagement/answer/",
                       {"participation": next_invite.pk, "choice": "leave"})
    assert left.status_code == 302 and left["Location"].endswith("?saved=left")
    next_invite.refresh_from_db()
    assert next_invite.status == ParticipationStatus.WITHDRAWN

    # Her services are exactly as they were; what she is owed still stands.
    assert services_of(survivor) == services_before
    assert owed.__class__.objects.filter(pk=owed.pk).exists()
    assert AuditEntry.objects.filter(record_type="engagement_participation",
                                     record_id=str(next_invite.pk), action="update",
                                     actor_label=f"survivor#{survivor.pk}").exists()


def test_stopping_engagement_in_the_portal_withdraws_the_consent_and_changes_nothing_else(
        world):
    survivor = world["obj"]["survivor"]
    invitation = Participation.objects.get(activity=world["obj"]["activity"], survivor=survivor)
    before = services_of(survivor)
    portal = Client()
    portal.post("/portal/", {"reference": survivor.reference, "pin": PIN})
    stopped = in_burmese(portal).post("/portal/engagement/stop/")
    assert stopped.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == ParticipationStatus.WITHDRAWN
    assert not Consent.objects.filter(survivor=survivor, purpose="engagement",
                                      withdrawn_at__isnull=True).exists()
    assert services_of(survivor) == before
    page = portal.get("/portal/engagement/").content.decode()
    assert 'id="engagement-no-consent"' in page and 'id="engagement-stop"' not in page
