"""Who reaches the engagement pages and endpoints: the organisation's coordinator (and its
supervisors and administrators); never another organisation (404); and a coordinator never
reaches a case record."""

from __future__ import annotations

import pytest
from django.utils import timezone

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.engagement import actions as engagement
from northstar.engagement.models import Participation
from northstar.survivors import actions as survivors
from tests.conftest import ApiClient
from tests.engagement.conftest import held

PAGES = ["/engagement/", "/engagement/honoraria/", "/engagement/councils/",
         "/engagement/consultations/", "/engagement/outreach/"]


@pytest.mark.parametrize("role", [Role.COUNCIL_COORDINATOR, Role.SUPERVISOR, Role.ORG_ADMIN])
def test_those_who_coordinate_engagement_reach_its_pages(client, users, role):
    client.force_login(users[("a", role)])
    for url in PAGES:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.LEGAL_OFFICER, Role.RESEARCHER,
                                  Role.FUNDER, Role.GOVERNMENT])
def test_other_roles_get_404_on_every_engagement_page(client, users, role):
    client.force_login(users[("a", role)])
    for url in PAGES:
        assert client.get(url).status_code == 404, (role, url)


def test_another_organisation_gets_404_on_our_activity_page_and_endpoint(
        client, users, consenting, coord, make_activity):
    activity = make_activity()
    engagement.invite(coord, activity, survivor=consenting, pseudonym="Lotus")
    for role in Role.values:
        client.force_login(users[("b", role)])
        assert client.get(f"/engagement/activities/{activity.pk}/").status_code == 404, role
        api = ApiClient(users[("b", role)])
        assert api.get(f"/api/v1/engagement/activities/{activity.pk}").status_code == 404, role
        assert api.get("/api/v1/engagement/activities").json() == []
        refused = client.post(f"/engagement/activities/{activity.pk}/",
                              {"op": "minutes", "minutes": "Not ours."})
        assert refused.status_code == 404, role
    owner = ApiClient(users[("a", Role.COUNCIL_COORDINATOR)])
    assert owner.get(f"/api/v1/engagement/activities/{activity.pk}").status_code == 200


def test_a_council_coordinator_gets_404_on_case_records(client, users, case_a):
    client.force_login(users[("a", Role.COUNCIL_COORDINATOR)])
    assert client.get(f"/cases/{case_a.pk}/").status_code == 404
    assert client.get(f"/survivors/{case_a.survivor_id}/").status_code == 404
    api = ApiClient(users[("a", Role.COUNCIL_COORDINATOR)])
    assert api.get(f"/api/v1/cases/{case_a.pk}").status_code == 404
    assert api.get(f"/api/v1/survivors/{case_a.survivor_id}").status_code == 404


def test_participants_appear_by_pseudonym_and_the_read_is_audited(client, coordinator,
                                                                  consenting, coord,
                                                                  make_activity):
    activity = make_activity()
    engagement.invite(coord, activity, survivor=consenting, pseudonym="Lotus")
    client.force_login(coordinator)
    before = AuditEntry.objects.count()
    html = client.get(f"/engagement/activities/{activity.pk}/").content.decode()
    assert "Lotus" in html
    assert consenting.reference not in html.split('id="invite-form"')[0]
    assert "Sokha" not in html and "Testperson" not in html
    reads = AuditEntry.objects.filter(pk__gt=0, action="read").order_by("-pk")[:5]
    assert AuditEntry.objects.count() > before
    assert any(str(consenting.pk) in e.record_ids for e in reads)


def test_the_coordinator_invites_by_reference_and_one_without_consent_is_a_422(
        client, coordinator, consenting, caseworker, actor_for, make_activity):
    stranger = survivors.create_survivor(actor_for(caseworker), data={
        "given_name": "Demo Other", "family_name": "Noconsent", "date_of_birth": "1990-01-01",
        "sex": "female", "nationality": "KH"})
    activity = make_activity()
    client.force_login(coordinator)
    url = f"/engagement/activities/{activity.pk}/"
    ok = client.post(url, {"op": "invite", "reference": consenting.reference,
                           "pseudonym": "Lotus"})
    assert ok.status_code == 302
    refused = client.post(url, {"op": "invite", "reference": stranger.reference,
                                "pseudonym": "X"})
    assert refused.status_code == 422 and 'id="inv-survivor-error"' in refused.content.decode()
    assert not Participation.objects.filter(survivor=stranger).exists()


def test_the_calendar_shows_debriefings_still_due_after_an_activity(client, coordinator,
                                                                     consenting, coord,
                                                                     make_activity):
    activity = make_activity(title="Policy review of shelter rules")
    p = engagement.invite(coord, activity, survivor=consenting, pseudonym="Lotus")
    engagement.answer(coord, p, accept=True)
    held(activity)
    client.force_login(coordinator)
    html = client.get("/engagement/").content.decode()
    past = html.split('id="activities-past"')[1]
    assert "Policy review of shelter rules" in past
    assert '<td class="debrief-due"><strong>1</strong>' in past
    engagement.record_debrief(coord, p)
    past = client.get("/engagement/").content.decode().split('id="activities-past"')[1]
    assert '<td class="debrief-due">0</td>' in past


def test_a_new_activity_from_the_page_is_audited(client, coordinator):
    client.force_login(coordinator)
    response = client.post("/engagement/", {
        "kind": "training", "title": "Training labour inspectors",
        "starts_at": (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "hours": "3", "place": "Provincial hall", "offender_may_be_present": "no"})
    assert response.status_code == 302, response.content[:500]
    assert AuditEntry.objects.filter(record_type="engagement_activity", action="create").exists()


def test_bad_input_on_a_page_is_422_naming_the_problem_never_500(client, coordinator):
    client.force_login(coordinator)
    response = client.post("/engagement/", {"kind": "nonsense", "title": "", "hours": "x"})
    assert response.status_code == 422
    response = client.post("/engagement/outreach/", {"kind": "community", "held_on": "2026-01-01",
                                                     "place": "Village", "led_by": "staff",
                                                     "audience_women": "-3"})
    assert response.status_code == 422


def test_minutes_are_sealed_and_opening_them_is_audited(client, coordinator, coord,
                                                        make_activity):
    activity = make_activity()
    engagement.record_minutes(coord, activity, minutes="Ma Hla proposed shorter meetings.")
    client.force_login(coordinator)
    page = client.get(f"/engagement/activities/{activity.pk}/").content.decode()
    assert "Ma Hla" not in page and 'id="open-minutes"' in page
    opened = client.get(f"/engagement/activities/{activity.pk}/?minutes=1").content.decode()
    assert "Ma Hla proposed shorter meetings." in opened
    assert any("minutes" in e.fields and str(activity.pk) in e.record_ids
               for e in AuditEntry.objects.filter(action="read"))


def test_a_member_steps_down_from_the_council(client, coordinator, coord, consenting):
    council = engagement.create_council(coord, name="Survivors' council",
                                        kind="advisory_council")
    membership = engagement.add_council_member(coord, council, survivor=consenting,
                                               term_start=timezone.localdate())
    client.force_login(coordinator)
    response = client.post("/engagement/councils/", {"op": "step_down",
                                                     "membership": membership.pk})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on == timezone.localdate()


def test_the_calendar_shows_time_given_not_yet_recorded(client, coordinator, consenting, coord,
                                                        make_activity):
    activity = make_activity(title="Peer support circle", kind="peer_support")
    p = engagement.invite(coord, activity, survivor=consenting, pseudonym="Lotus")
    engagement.answer(coord, p, accept=True)
    engagement.prepare(coord, p, support_person="Peer", briefed=True, debriefing_planned=True)
    held(activity)
    engagement.check_before_activity(coord, p)
    engagement.record_debrief(coord, p)
    client.force_login(coordinator)
    past = client.get("/engagement/").content.decode().split('id="activities-past"')[1]
    assert '<td class="time-due"><strong>1</strong>' in past  # not yet recorded
    engagement.record_time_given(coord, p)
    past = client.get("/engagement/").content.decode().split('id="activities-past"')[1]
    assert '<td class="time-due">0</td>' in past
