"""Huge amounts and rates on the honoraria page: 422 naming the field, never a 500, and
nothing stored."""

from __future__ import annotations

import pytest

from northstar.core.errors import DomainError
from northstar.engagement import actions as engagement
from northstar.engagement.models import HonorariumEntry, HonorariumRate
from tests.engagement.conftest import held


@pytest.fixture
def owed(consenting, coord, make_activity):
    activity = make_activity(kind="training", hours="2")
    p = engagement.invite(coord, activity, survivor=consenting, pseudonym="Lotus")
    engagement.answer(coord, p, accept=True)
    engagement.prepare(coord, p, support_person="Peer", briefed=True, debriefing_planned=True)
    held(activity)
    engagement.check_before_activity(coord, p)
    return engagement.record_time_given(coord, p)


@pytest.mark.parametrize("amount", ["100000000000", "1e30", "99999999999.9999"])
def test_a_payment_too_large_to_store_is_refused_naming_the_amount(client, users, owed, amount):
    client.force_login(users[("a", "council_coordinator")])
    before = HonorariumEntry.objects.count()
    answer = client.post("/engagement/honoraria/", {
        "op": "pay", "survivor": owed.survivor_id, "amount": amount, "currency": "THB",
        "method": "cash", "on": "2026-01-05"})
    assert answer.status_code == 422
    assert "amount" in answer.context["pay"].errors
    assert HonorariumEntry.objects.count() == before


@pytest.mark.parametrize("per_hour", ["100000000000", "1e30"])
def test_a_rate_too_large_to_store_is_refused_naming_the_rate(client, users, per_hour):
    client.force_login(users[("a", "org_admin")])
    answer = client.post("/engagement/honoraria/", {
        "op": "rate", "kind": "training", "currency": "THB", "per_hour": per_hour})
    assert answer.status_code == 422
    assert "per_hour" in answer.context["rate"].errors
    assert not HonorariumRate.objects.filter(kind="training").exists()


def test_time_given_beyond_what_the_ledger_holds_is_refused_naming_the_hours(
        consenting, coord, make_activity):
    activity = make_activity(kind="training", hours="2")
    p = engagement.invite(coord, activity, survivor=consenting, pseudonym="Lotus")
    engagement.answer(coord, p, accept=True)
    engagement.prepare(coord, p, support_person="Peer", briefed=True, debriefing_planned=True)
    held(activity)
    engagement.check_before_activity(coord, p)
    with pytest.raises(DomainError) as refused:
        engagement.record_time_given(coord, p, hours="100000")
    assert refused.value.field == "hours"
    assert not HonorariumEntry.objects.filter(participation=p).exists()


def test_a_rate_too_large_is_refused_by_the_action_too(users, actor_for):
    with pytest.raises(DomainError) as refused:
        engagement.set_rate(actor_for(users[("a", "org_admin")]), kind="training",
                            currency="THB", per_hour="1e30")
    assert refused.value.field == "per_hour"
