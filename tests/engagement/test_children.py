"""A child — under 18, or of unknown age (unknown is never safe) — takes part only
anonymously, with a guardian's consent and their best interest recorded, and never gives
a public testimony."""

from __future__ import annotations

import pytest

from northstar.core.errors import DomainError
from northstar.engagement import actions as engagement
from northstar.survivors import actions as survivors


@pytest.fixture
def child(caseworker, actor_for):
    """A survivor whose age is unknown: every child protection applies."""
    return survivors.create_survivor(actor_for(caseworker), data={
        "given_name": "Demo Child", "family_name": "Unknownage", "sex": "female",
        "nationality": "MM", "languages": ["my"], "preferred_language": "my"})


def consent(survivor, caseworker, actor_for, *, by: str):
    extra = {"guardian_relationship": "social_worker", "guardian_name": "Daw Demo"} if by == "guardian" else {}
    return survivors.record_consent(actor_for(caseworker), survivor, purpose="engagement",
                                    language="my", method="verbal", given_by=by, **extra)


def test_an_unknown_age_is_treated_as_a_child(child):
    assert child.is_child() is None


def test_a_child_is_not_invited_without_a_guardians_consent(child, caseworker, actor_for, coord,
                                                            make_activity):
    consent(child, caseworker, actor_for, by="survivor")
    with pytest.raises(DomainError) as refused:
        engagement.invite(coord, make_activity(), survivor=child, pseudonym="Star",
                          best_interest_note="Wants to help younger girls; counsellor agrees.")
    assert "guardian" in refused.value.message


def test_a_child_is_not_invited_without_their_best_interest_written(child, caseworker,
                                                                    actor_for, coord,
                                                                    make_activity):
    consent(child, caseworker, actor_for, by="guardian")
    with pytest.raises(DomainError) as refused:
        engagement.invite(coord, make_activity(), survivor=child, pseudonym="Star")
    assert refused.value.field == "best_interest_note"


def test_a_child_takes_part_only_anonymously_even_if_they_ask_for_their_name(
        child, caseworker, actor_for, coord, make_activity):
    consent(child, caseworker, actor_for, by="guardian")
    invitation = engagement.invite(coord, make_activity(), survivor=child, pseudonym="Star",
                                   best_interest_note="Peer group with her counsellor present.")
    answered = engagement.answer(coord, invitation, accept=True, use_own_name=True)
    assert answered.anonymous is True
    assert answered.best_interest_recorded


def test_a_childs_public_testimony_is_blocked_before_the_activity(child, caseworker, actor_for,
                                                                  coord, make_activity):
    consent(child, caseworker, actor_for, by="guardian")
    public = make_activity(kind="speaking", title="Public forum", public=True)
    invitation = engagement.invite(coord, public, survivor=child, pseudonym="Star",
                                   best_interest_note="She asked to speak; counsellor consulted.")
    engagement.answer(coord, invitation, accept=True)
    result = engagement.check_before_activity(coord, invitation)
    blocks = {f["rule"] for f in result["findings"] if f["severity"] == "block"}
    assert "no_public_testimony_by_a_child" in blocks
    invitation.refresh_from_db()
    assert invitation.safeguards_result["findings"][0]["severity"] == "block"
