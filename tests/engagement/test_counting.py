"""Engagement and outreach counted for insights: one organisation at a time, in SQL, counts
only."""

from __future__ import annotations

import datetime as dt
import inspect
import typing

from django.utils import timezone

from northstar.core.tables import Grid
from northstar.engagement import actions as engagement
from northstar.engagement import counting
from northstar.survivors import actions as survivors
from tests.engagement.conftest import held


def test_every_counting_function_has_the_one_signature_insights_calls():
    for name, fn in counting.MEASURES.items():
        sig = inspect.signature(fn)
        assert list(sig.parameters) == ["organisation_id", "period"], name
        assert sig.parameters["period"].kind is inspect.Parameter.KEYWORD_ONLY
        hints = typing.get_type_hints(fn)
        assert hints["return"] == list[Grid], name


def test_consultations_people_consulted_and_changes_are_counted(consenting, coord,
                                                               make_activity, org_a, org_b,
                                                               caseworker, actor_for):
    survivors.record_consent(actor_for(caseworker), consenting, purpose="statistics",
                             language="km", method="verbal")
    meeting = make_activity()
    p = engagement.invite(coord, meeting, survivor=consenting, pseudonym="Lotus")
    engagement.answer(coord, p, accept=True)
    held(meeting)
    asked = engagement.record_consultation(coord, question="What should shelters change?",
                                           held_on=timezone.localdate(), activity=meeting,
                                           others_consulted=12)
    engagement.record_consultation(coord, question="Survey on the intake form",
                                   held_on=timezone.localdate(), others_consulted=30)
    engagement.record_change(coord, asked, what_changed="Shelter curfew removed",
                             changed_on=timezone.localdate())

    (held_grid,) = counting.consultations_held(org_a.pk)
    assert held_grid.get("with_activity", "total").people == 1
    assert held_grid.get("without_activity", "total").people == 1
    (people,) = counting.survivors_consulted(org_a.pk)
    assert people.get("at_activities", "total").people == 1
    assert people.get("otherwise", "total").people == 42
    assert counting.changes_made(org_a.pk)[0].get("all", "total").people == 1
    assert counting.changes_made(org_b.pk)[0].get("all", "total").people == 0
    last_year = (dt.date(2000, 1, 1), dt.date(2000, 12, 31))
    assert counting.consultations_held(org_a.pk, period=last_year)[0].cells == {}


def test_outreach_sessions_and_audiences_are_counted_by_kind_and_leader(coord, org_a):
    engagement.record_outreach(coord, kind="safe_migration", held_on=dt.date(2026, 3, 1),
                               place="Mae Sot", led_by="survivor_changemaker",
                               leader_pseudonym="Lotus", topics=["recruitment_fees"],
                               audience_women=20, audience_men=10, audience_children=5)
    engagement.record_outreach(coord, kind="family_counselling", held_on=dt.date(2026, 3, 2),
                               place="Svay Rieng", led_by="staff", at_risk_families=4)
    (sessions,) = counting.outreach_sessions(org_a.pk)
    assert sessions.get("safe_migration", "survivor_changemaker").people == 1
    assert sessions.get("family_counselling", "staff").people == 1
    audience, families = counting.outreach_audience(org_a.pk)
    assert audience.get("safe_migration", "women").people == 20
    assert audience.get("safe_migration", "children").people == 5
    assert families.get("family_counselling", "families").people == 4
