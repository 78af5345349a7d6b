"""The councils page, an activity's page and its endpoint show one page of members or
participants, never all of them (issue 13: 10,002 council members at 100k were one page of
2.5 s): the first page with a count and a pager, the next page through its cursor with the
council chosen kept, the audit naming only the rows shown, and the endpoint answering the
paging facts while its head-counts still cover every participant."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.engagement import actions as engagement
from northstar.engagement import views
from northstar.engagement.models import ActivityKind, CouncilMembership, Participation
from tests.query_counts import rows_built

SIZE = 2


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of two rows, so three members already make a second page."""
    monkeypatch.setattr(views, "PAGE_SIZE", SIZE)




def _seat(coord, council, found: list) -> list:
    """Each survivor a member, the later ones with later terms (shown first)."""
    for i, person in enumerate(found):
        engagement.add_council_member(coord, council, survivor=person,
                                      term_start=dt.date(2025, 1, 1) + dt.timedelta(days=i))
    return found


def _next_link(html: str) -> str:
    found = re.search(r'<a href="\?([^"]*)" rel="next"', html)
    assert found, "a link to the next page"
    return "?" + found.group(1).replace("&amp;", "&")


def _members_read(before: int) -> set[str]:
    entries = AuditEntry.objects.filter(pk__gt=before, action="read",
                                         note="engagement: council members")
    return {str(i) for e in entries for i in e.record_ids}


def test_the_councils_page_shows_a_first_page_and_the_next_keeps_the_council(
        client, coordinator, coord, council, people, small_pages):
    newest, middle, oldest = reversed(_seat(coord, council, people(3)))
    client.force_login(coordinator)
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    html = client.get("/engagement/councils/").content.decode()
    table = html.split(f'id="council-{council.pk}"')[1].split("</table>")[0]
    assert newest.reference in table and middle.reference in table
    assert oldest.reference not in table
    assert "3 survivors" in html
    assert _members_read(before) == {str(newest.pk), str(middle.pk)}

    link = _next_link(html)
    assert f"council={council.pk}" in link
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    second = client.get("/engagement/councils/" + link).content.decode()
    table = second.split(f'id="council-{council.pk}"')[1].split("</table>")[0]
    assert oldest.reference in table
    assert newest.reference not in table and middle.reference not in table
    assert 'rel="first"' in second and 'rel="next"' not in second
    assert _members_read(before) == {str(oldest.pk)}


def test_a_council_chosen_shows_only_that_council_and_another_organisations_is_404(
        client, coordinator, coord, council, people, small_pages, users):
    other = engagement.create_council(coord, name="Youth committee",
                                      kind=ActivityKind.ADVISORY_COUNCIL)
    client.force_login(coordinator)
    html = client.get(f"/engagement/councils/?council={other.pk}").content.decode()
    assert f'id="council-{other.pk}"' in html and f'id="council-{council.pk}"' not in html
    client.force_login(users[("b", Role.COUNCIL_COORDINATOR)])
    assert client.get(f"/engagement/councils/?council={other.pk}").status_code == 404


def test_the_councils_page_builds_one_page_of_members_however_many(
        client, coordinator, coord, council, people, small_pages):
    _seat(coord, council, people(6))
    client.force_login(coordinator)
    built = rows_built([CouncilMembership], lambda: client.get("/engagement/councils/"))
    assert built.get("CouncilMembership", 0) == SIZE + 1  # one more tells a next page


def test_the_councils_page_count_and_pager_in_khmer(client, coordinator, coord, council,
                                                    people, small_pages):
    _seat(coord, council, people(3))
    client.force_login(coordinator)
    client.cookies["django_language"] = "km"
    html = client.get("/engagement/councils/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "អ្នករស់រានមានជីវិត 3 នាក់" in html  # "3 survivors"
    assert "ទំព័របន្ទាប់" in html  # "Next page"


@pytest.fixture
def invited(coord, make_activity, people):
    """An activity to come with three survivors invited (the first invited shown first)."""
    activity = make_activity(days=20, title="Shared meeting")
    found = people(3)
    for k, person in enumerate(found):
        p = engagement.invite(coord, activity, survivor=person, pseudonym=f"Lotus {k}")
        if k < 2:
            engagement.answer(coord, p, accept=True)
    return activity, found


def _participants_read(before: int, activity) -> set[str]:
    entries = AuditEntry.objects.filter(
        pk__gt=before, action="read", note=f"engagement: participants of activity {activity.pk}")
    return {str(i) for e in entries for i in e.record_ids}


def test_the_activity_page_shows_a_first_page_of_participants_and_then_the_next(
        client, coordinator, invited, small_pages):
    activity, (first, second, third) = invited
    client.force_login(coordinator)
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    html = client.get(f"/engagement/activities/{activity.pk}/").content.decode()
    assert "Lotus 0" in html and "Lotus 1" in html and "Lotus 2" not in html
    assert "3 survivors" in html
    assert _participants_read(before, activity) == {str(first.pk), str(second.pk)}

    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    page_two = client.get(f"/engagement/activities/{activity.pk}/" + _next_link(html))
    html = page_two.content.decode()
    assert "Lotus 2" in html and "Lotus 0" not in html and "Lotus 1" not in html
    assert 'rel="first"' in html
    assert 'id="invite-form"' in html  # the rest of the page is the same on every page
    assert _participants_read(before, activity) == {str(third.pk)}


def test_the_activity_page_builds_one_page_of_participants(client, coordinator, coord,
                                                           invited, people, small_pages):
    activity, _ = invited
    for k, person in enumerate(people(3)):
        engagement.invite(coord, activity, survivor=person, pseudonym=f"River {k}")
    client.force_login(coordinator)
    built = rows_built([Participation],
                       lambda: client.get(f"/engagement/activities/{activity.pk}/"))
    assert built.get("Participation", 0) == SIZE + 1  # one more tells a next page


def test_the_activity_endpoint_answers_one_page_and_its_paging_facts(coordinator, invited,
                                                                     api):
    activity, (first, second, third) = invited
    client = api(coordinator)
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    body = client.get(f"/api/v1/engagement/activities/{activity.pk}?page_size=2").json()
    assert [p["shown_as"] for p in body["participants"]] == ["Lotus 0", "Lotus 1"]
    paging = body["participants_paging"]
    assert paging["count"] == 3 and paging["count_is_exact"] is True
    assert paging["page"] == 1 and paging["page_size"] == 2 and paging["next"]
    assert (body["taking_part"], body["invited"], body["debriefings_due"]) == (2, 1, 0)
    assert _participants_read(before, activity) == {str(first.pk), str(second.pk)}

    rest = client.get(f"/api/v1/engagement/activities/{activity.pk}",
                      {"page_size": 2, "cursor": paging["next"]}).json()
    assert [p["shown_as"] for p in rest["participants"]] == ["Lotus 2"]
    assert rest["participants_paging"]["next"] is None
    assert rest["participants_paging"]["count"] == 3 and rest["participants_paging"]["page"] is None
    assert (rest["taking_part"], rest["invited"]) == (2, 1)

    bad = client.get(f"/api/v1/engagement/activities/{activity.pk}", {"cursor": "forged"})
    assert bad.status_code == 422


def test_debriefings_due_count_every_participant_after_the_activity(coordinator, invited,
                                                                    api):
    activity, _ = invited
    type(activity).objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=1))
    body = api(coordinator).get(f"/api/v1/engagement/activities/{activity.pk}?page_size=1").json()
    assert len(body["participants"]) == 1
    assert (body["taking_part"], body["invited"], body["debriefings_due"]) == (2, 1, 2)


def test_a_forged_cursor_or_council_on_the_pages_is_a_clear_4xx_not_a_500(
        client, coordinator, coord, council, invited, small_pages):
    activity, _ = invited
    client.force_login(coordinator)
    for path in (f"/engagement/councils/?council={council.pk}&cursor=forged",
                 f"/engagement/activities/{activity.pk}/?cursor=forged"):
        answer = client.get(path)
        assert answer.status_code == 422, (path, answer.status_code)
        assert "cursor" in answer.content.decode()
    assert client.get("/engagement/councils/?council=not-a-number").status_code in (400, 404, 422)
