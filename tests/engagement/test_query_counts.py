"""The engagement pages and endpoints cost the same number of queries with 2 survivors taking
part as with 12 (issue 13): the calendar, an activity's page with its participants, the
honoraria owed and paid, the councils with their members, consultations and outreach. Each
survivor added brings every related row these pages show: an invitation to a coming
activity and to the shared one, time given at a past activity, a payment, a council seat,
a consultation and an outreach session."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from northstar.engagement import actions as engagement
from northstar.engagement.models import ActivityKind
from northstar.survivors import actions as survivors
from northstar.survivors.models import Survivor
from tests.engagement.conftest import held
from tests.query_counts import few_and_many
from tests.web.test_intake import client_for

_n = itertools.count(1)


@pytest.fixture
def shared(coord, make_activity):
    """The activity whose page is read, and the council whose members are listed."""
    return {"activity": make_activity(days=20, title="Shared meeting"),
            "council": engagement.create_council(coord, name="Survivor council",
                                                 kind=ActivityKind.ADVISORY_COUNCIL)}


@pytest.fixture
def grow(coord, caseworker, actor_for, make_activity, shared):
    staff = actor_for(caseworker)

    def more(n: int) -> None:
        for _ in range(n):
            k = next(_n)
            person = survivors.create_survivor(staff, data={
                "given_name": f"Person {k}", "nationality": "KH", "languages": ["km"],
                "date_of_birth": "1995-01-01"})
            survivors.record_consent(staff, person, purpose="engagement", language="km",
                                     method="verbal")
            # A reference the suggestions' typed prefix ("ORGA-2A", PAGES) finds.
            Survivor.objects.filter(pk=person.pk).update(reference=f"ORGA-2A{k:05d}")
            coming = make_activity(days=5 + k % 20, title=f"Meeting {k}")
            engagement.invite(coord, coming, survivor=person, pseudonym=f"Lotus {k}")
            p = engagement.invite(coord, shared["activity"], survivor=person,
                                  pseudonym=f"Shared {k}")
            engagement.answer(coord, p, accept=True)
            past = make_activity(days=3, title=f"Training {k}", kind="training")
            taken = engagement.invite(coord, past, survivor=person, pseudonym=f"Past {k}")
            engagement.answer(coord, taken, accept=True)
            engagement.prepare(coord, taken, support_person="Peer", briefed=True,
                               debriefing_planned=True)
            held(past)
            engagement.check_before_activity(coord, taken)
            engagement.record_time_given(coord, taken)
            engagement.record_payment(coord, person, amount="50", currency="THB",
                                      method="cash", on=timezone.localdate())
            engagement.add_council_member(coord, shared["council"], survivor=person,
                                          term_start=dt.date(2025, 1, 1))
            engagement.record_consultation(coord, question=f"Question {k}",
                                           held_on=dt.date(2025, 3, 1), activity=coming,
                                           others_consulted=k)
            engagement.record_outreach(coord, kind="community", held_on=dt.date(2025, 4, 1),
                                       place=f"Village {k}", led_by="staff", audience_women=5)

    return more


PAGES = ["/engagement/", "/engagement/activities/{activity}/",
         "/engagement/activities/{activity}/?minutes=1", "/engagement/honoraria/",
         "/engagement/councils/", "/engagement/consultations/", "/engagement/outreach/",
         "/engagement/candidates/?reference=ORGA-2A"]
API = ["/api/v1/engagement/activities", "/api/v1/engagement/activities/{activity}",
       "/api/v1/engagement/figures"]


@pytest.mark.parametrize("path", PAGES)
def test_the_engagement_pages_cost_the_same_with_2_and_12_taking_part(coordinator, shared,
                                                                     grow, path):
    client = client_for(coordinator)
    url = path.format(activity=shared["activity"].pk)
    few, many = few_and_many(lambda: client.get(url), grow)
    assert many == few


@pytest.mark.parametrize("path", API)
def test_the_engagement_endpoints_cost_the_same_with_2_and_12_taking_part(coordinator, shared,
                                                                         grow, api, path):
    client = api(coordinator)
    url = path.format(activity=shared["activity"].pk)
    few, many = few_and_many(lambda: client.get(url), grow)
    assert many == few
