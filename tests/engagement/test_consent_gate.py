"""The engagement consent gates everything: no invitation, no listing without it; withdrawn,
it takes the survivor out of every future activity and changes nothing else."""

from __future__ import annotations

import pytest
from django.apps import apps

from northstar import policy
from northstar.core.errors import DomainError
from northstar.core.models import AuditChainHead, AuditEntry
from northstar.engagement import actions as engagement
from northstar.engagement.models import Participation, ParticipationStatus
from northstar.survivors import actions as survivors
from northstar.survivors.models import Consent
from tests.engagement.conftest import held


def test_nobody_is_invited_or_listed_without_an_engagement_consent(survivor_a, coord,
                                                                   make_activity):
    with pytest.raises(DomainError) as refused:
        engagement.invite(coord, make_activity(), survivor=survivor_a, pseudonym="Lotus")
    assert refused.value.field == "survivor"
    assert list(policy.engagement_candidates(coord)) == []
    assert not Participation.objects.exists()


def test_an_advocacy_consent_is_not_an_engagement_consent(survivor_a, caseworker, actor_for,
                                                          coord, make_activity):
    survivors.record_consent(actor_for(caseworker), survivor_a, purpose="advocacy",
                             language="km", method="verbal")
    assert list(policy.engagement_candidates(coord)) == []
    with pytest.raises(DomainError):
        engagement.invite(coord, make_activity(), survivor=survivor_a, pseudonym="Lotus")


def test_with_the_consent_the_survivor_is_listed_and_invited_anonymously(consenting, coord,
                                                                         make_activity):
    assert list(policy.engagement_candidates(coord)) == [consenting]
    invitation = engagement.invite(coord, make_activity(), survivor=consenting,
                                   pseudonym="Lotus")
    assert invitation.anonymous and invitation.status == ParticipationStatus.INVITED


def test_another_organisations_coordinator_lists_nobody_of_ours(consenting, users, actor_for):
    other = actor_for(users[("b", "council_coordinator")])
    assert list(policy.engagement_candidates(other)) == []


def test_withdrawing_the_consent_removes_them_from_future_activities_only(
        consenting, coord, make_activity, caseworker, actor_for):
    past = make_activity(title="Held meeting")
    came = engagement.invite(coord, past, survivor=consenting, pseudonym="Lotus")
    engagement.answer(coord, came, accept=True)
    engagement.prepare(coord, came, support_person="Peer", briefed=True, debriefing_planned=True)
    held(past)
    engagement.check_before_activity(coord, came)
    owed = engagement.record_time_given(coord, came)
    future = engagement.invite(coord, make_activity(title="Next meeting"), survivor=consenting,
                               pseudonym="Lotus")
    consent = Consent.objects.get(survivor=consenting, purpose="engagement")

    survivors.withdraw_consent(actor_for(caseworker), consent, reason="She asked to stop.")

    future.refresh_from_db()
    came.refresh_from_db()
    assert future.status == ParticipationStatus.WITHDRAWN
    assert came.status == ParticipationStatus.ACCEPTED  # the past stays as it was
    assert owed.__class__.objects.get(pk=owed.pk).amount == owed.amount  # still owed
    assert AuditEntry.objects.filter(record_type="engagement_participation",
                                     record_id=str(future.pk), action="update").exists()


def _rows_other_than_engagement() -> dict:
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label == "engagement" or model in (AuditEntry, AuditChainHead):
            continue
        qs = model._default_manager.order_by("pk")
        if model is Consent:
            qs = qs.exclude(purpose="engagement")
        rows[model._meta.label] = list(qs.values())
    return rows


def test_withdrawing_the_consent_changes_no_other_row_anywhere(consenting, case_a, coord,
                                                               make_activity, caseworker,
                                                               actor_for):
    engagement.invite(coord, make_activity(), survivor=consenting, pseudonym="Lotus")
    before = _rows_other_than_engagement()
    consent = Consent.objects.get(survivor=consenting, purpose="engagement")
    survivors.withdraw_consent(actor_for(caseworker), consent)
    after = _rows_other_than_engagement()
    changed = [table for table in before if before[table] != after[table]]
    assert changed == [], changed


def test_a_survivor_who_withdrew_cannot_be_invited_again(consenting, coord, make_activity,
                                                         caseworker, actor_for):
    consent = Consent.objects.get(survivor=consenting, purpose="engagement")
    survivors.withdraw_consent(actor_for(caseworker), consent)
    with pytest.raises(DomainError):
        engagement.invite(coord, make_activity(), survivor=consenting, pseudonym="Lotus")


def test_a_yes_recorded_by_staff_warns_until_they_say_the_right_to_stop_was_stated(
        consenting, coord, make_activity):
    invitation = engagement.invite(coord, make_activity(), survivor=consenting, pseudonym="Lotus")
    answered = engagement.answer(coord, invitation, accept=True)
    rules = {f["rule"] for f in answered.safeguards_result["findings"]}
    assert "right_to_withdraw_not_stated" in rules
    prepared = engagement.prepare(coord, answered, right_to_withdraw_stated=True)
    assert "right_to_withdraw_not_stated" not in {
        f["rule"] for f in prepared.safeguards_result["findings"]}
