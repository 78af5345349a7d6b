"""``flows_q`` (consent asked for a whole set in one EXISTS) answers what ``may_flow`` answers
for each survivor, on a population with consent given, withdrawn, expired, expiring later,
not yet in force, given by a guardian for a child, named to one recipient or general."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from northstar.survivors import actions
from northstar.survivors.consent import flows_q, may_flow
from northstar.survivors.models import Case, Consent, ConsentPurpose, Survivor
from tests import populations


@pytest.fixture
def mixed(caseworker, actor_for, org_a, org_b):
    actor = actor_for(caseworker)
    people = []
    for state in populations.CONSENT_STATES:
        s = actions.create_survivor(actor, data={"nationality": "KH"})
        populations.consent_state(s, state, actor)
        people.append(s)
    child = actions.create_survivor(actor, data={"nationality": "KH", "date_of_birth": (
        timezone.localdate() - dt.timedelta(days=365 * 12)).isoformat()})
    actions.record_consent(actor, child, purpose="statistics", language="km", method="verbal",
                           given_by="guardian", guardian_relationship="social_worker",
                           guardian_name="A parent")
    people.append(child)
    named = actions.create_survivor(actor, data={"nationality": "KH"})
    for purpose in ("referral", "law_enforcement_sharing", "research"):
        actions.record_consent(actor, named, purpose=purpose, recipient=org_b, language="km",
                               method="written")
    general = actions.create_survivor(actor, data={"nationality": "KH"})
    actions.record_consent(actor, general, purpose="research", language="km", method="written")
    late = actions.create_survivor(actor, data={"nationality": "KH"})
    c = actions.record_consent(actor, late, purpose="referral", recipient=org_b, language="km",
                               method="written")
    Consent.objects.filter(pk=c.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    people += [named, general, late]
    for s in people:
        actions.create_case(actor, s, data={"forms_of_exploitation": ["labour"]})
    return people


QUESTIONS = [(purpose, recipient) for purpose in ConsentPurpose.values
             for recipient in (None, "a", "b")]


@pytest.mark.parametrize(("purpose", "recipient"), QUESTIONS)
def test_the_set_answer_is_may_flow_for_every_survivor(mixed, org_a, org_b, purpose, recipient):
    to = {"a": org_a, "b": org_b}.get(recipient)
    expected = {s.pk for s in Survivor.objects.all() if may_flow(s, purpose, recipient=to)}
    assert set(Survivor.objects.filter(flows_q(purpose, recipient=to))
               .values_list("pk", flat=True)) == expected
    # the same through a relation, as the figures use it
    assert set(Case.objects.filter(flows_q(purpose, recipient=to, survivor="survivor"))
               .values_list("survivor_id", flat=True)) == expected


def test_the_population_has_both_answers(mixed):
    allowed = set(Survivor.objects.filter(flows_q("statistics")).values_list("pk", flat=True))
    assert 0 < len(allowed) < len(mixed)
    # given, given, expiring later, the guardian's consent for the child
    assert len(allowed) == 4


def test_an_unknown_purpose_lets_nothing_flow(mixed):
    assert not Survivor.objects.filter(flows_q("marketing")).exists()
    assert not Survivor.objects.filter(flows_q("referral")).exists()  # names no recipient
