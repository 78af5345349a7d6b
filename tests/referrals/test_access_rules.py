"""``referrals.access``: the one answer the access policy asks about referral recipients."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.referrals import access, actions, csv_import
from northstar.survivors import actions as survivor_actions


def _accepted(actor_for, sender, recipient_user, survivor, org, fields):
    referral = actions.create_referral(actor_for(sender), survivor=survivor, recipient=org,
                                       needs=["legal_aid"], shared_fields=fields)
    return actions.take_step(actor_for(recipient_user), referral, step="accept")


def test_shared_fields_are_the_union_of_active_referrals(caseworker, other_caseworker, actor_for,
                                                         survivor_a, org_b, referral_consent):
    _accepted(actor_for, caseworker, other_caseworker, survivor_a, org_b, ["given_name"])
    second = _accepted(actor_for, caseworker, other_caseworker, survivor_a, org_b, ["phone"])
    assert access.shared_fields(org_b, survivor_a) == {"reference", "given_name", "phone"}
    actions.take_step(actor_for(caseworker), second, step="revoke", note="phone not needed")
    assert access.shared_fields(org_b, survivor_a) == {"reference", "given_name"}


def test_expired_consent_ends_access_when_it_expires(caseworker, other_caseworker, actor_for,
                                                     survivor_a, org_b):
    expires = timezone.now() + dt.timedelta(days=30)
    survivor_actions.record_consent(actor_for(caseworker), survivor_a, purpose="referral",
                                    recipient=org_b, language="km", method="written",
                                    expires_at=expires)
    _accepted(actor_for, caseworker, other_caseworker, survivor_a, org_b, None)
    assert list(access.shared_survivor_ids(org_b)) == [survivor_a.pk]
    after = expires + dt.timedelta(seconds=1)
    assert list(access.shared_survivor_ids(org_b, at=after)) == []
    assert access.shared_fields(org_b, survivor_a, at=after) is None


def test_a_sent_or_declined_referral_grants_nothing(caseworker, other_caseworker, actor_for,
                                                    survivor_a, org_b, referral_consent):
    referral = actions.create_referral(actor_for(caseworker), survivor=survivor_a, recipient=org_b,
                                       needs=["legal_aid"])
    assert access.shared_fields(org_b, survivor_a) is None
    actions.take_step(actor_for(other_caseworker), referral, step="decline", note="full")
    assert list(access.shared_survivor_ids(org_b)) == []


def test_the_sender_gains_nothing_through_its_own_referral(caseworker, other_caseworker, actor_for,
                                                           survivor_a, org_a, org_b,
                                                           referral_consent):
    _accepted(actor_for, caseworker, other_caseworker, survivor_a, org_b, None)
    assert list(access.shared_survivor_ids(org_a)) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_csv_parser_never_crashes_and_never_returns_records_with_errors_unflagged(text):
    result = csv_import.parse(text)
    assert result.ok or result.errors
    for error in result.errors:
        assert error.row >= 1 and error.column and error.message
