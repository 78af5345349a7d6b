"""In the portal a survivor sees and answers only their own invitations; a child says yes to
taking part only with a parent, guardian or caseworker."""

from __future__ import annotations

from django.test import Client

from northstar import policy
from northstar.engagement import actions as engagement
from northstar.engagement.models import ParticipationStatus
from northstar.portal import actions as portal_actions
from northstar.survivors import actions as survivors

PIN = "482913"


def signed_in(survivor, caseworker, actor_for) -> Client:
    portal_actions.set_pin(actor_for(caseworker), survivor, pin=PIN)
    client = Client()
    assert client.post("/portal/", {"reference": survivor.reference, "pin": PIN}).status_code == 302
    return client


def test_a_survivor_cannot_see_or_answer_another_survivors_invitation(
        consenting, caseworker, actor_for, coord, make_activity):
    invitation = engagement.invite(coord, make_activity(), survivor=consenting, pseudonym="Lotus")
    other = survivors.create_survivor(actor_for(caseworker), data={
        "given_name": "Demo Other", "family_name": "Person", "date_of_birth": "1990-02-02",
        "sex": "female", "nationality": "KH"})
    client = signed_in(other, caseworker, actor_for)
    page = client.get("/portal/engagement/").content.decode()
    assert f"invitation-{invitation.pk}" not in page and "Lotus" not in page
    answer = client.post("/portal/engagement/answer/",
                         {"participation": invitation.pk, "choice": "decline"})
    assert answer.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == ParticipationStatus.INVITED


def test_without_the_engagement_consent_the_page_explains_it_and_offers_the_choice(
        survivor_a, caseworker, actor_for):
    page = signed_in(survivor_a, caseworker, actor_for).get("/portal/engagement/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="engagement-no-consent"' in html and 'id="engagement-consent-give"' in html


def test_saying_yes_in_the_portal_gives_the_engagement_consent(survivor_a, caseworker,
                                                               actor_for, coord):
    client = signed_in(survivor_a, caseworker, actor_for)
    client.post("/portal/choices/consent/", {"purpose": "engagement", "choice": "give"})
    assert list(policy.engagement_candidates(coord)) == [survivor_a]
