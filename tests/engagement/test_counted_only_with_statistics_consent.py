"""A survivor who took part in engagement is counted in the figures (which reach funders and
governments through insights) only while their statistics consent stands, as every other
measure counts: the engagement consent is for taking part, not for being counted."""

from __future__ import annotations

from django.utils import timezone

from northstar.engagement import actions as engagement
from northstar.engagement import counting
from northstar.survivors import actions as survivors
from tests.engagement.conftest import held


def _took_part_in_a_consultation(coord, survivor, make_activity):
    meeting = make_activity()
    p = engagement.invite(coord, meeting, survivor=survivor, pseudonym="Lotus")
    engagement.answer(coord, p, accept=True)
    held(meeting)
    engagement.record_consultation(coord, question="What should shelters change?",
                                   held_on=timezone.localdate(), activity=meeting,
                                   others_consulted=0)


def test_a_survivor_without_statistics_consent_is_not_counted_as_taking_part(
        consenting, coord, make_activity, org_a):
    _took_part_in_a_consultation(coord, consenting, make_activity)
    (taking_part,) = counting.survivors_taking_part(org_a.pk)
    assert taking_part.get("advisory_council", "total").people == 0
    (consulted,) = counting.survivors_consulted(org_a.pk)
    assert consulted.get("at_activities", "total").people == 0


def test_with_statistics_consent_the_same_survivor_is_counted(
        consenting, coord, make_activity, org_a, caseworker, actor_for):
    survivors.record_consent(actor_for(caseworker), consenting, purpose="statistics",
                             language="km", method="verbal")
    _took_part_in_a_consultation(coord, consenting, make_activity)
    (taking_part,) = counting.survivors_taking_part(org_a.pk)
    assert taking_part.get("advisory_council", "total").people == 1
    (consulted,) = counting.survivors_consulted(org_a.pk)
    assert consulted.get("at_activities", "total").people == 1


def test_an_archived_record_is_not_counted_as_taking_part(
        consenting, coord, make_activity, org_a, caseworker, supervisor, actor_for):
    """An archived record is a mistake or a merged duplicate: counting it would count the
    same person twice."""
    survivors.record_consent(actor_for(caseworker), consenting, purpose="statistics",
                             language="km", method="verbal")
    _took_part_in_a_consultation(coord, consenting, make_activity)
    survivors.archive_survivor(actor_for(supervisor), consenting)
    (taking_part,) = counting.survivors_taking_part(org_a.pk)
    assert taking_part.get("advisory_council", "total").people == 0
    (consulted,) = counting.survivors_consulted(org_a.pk)
    assert consulted.get("at_activities", "total").people == 0
