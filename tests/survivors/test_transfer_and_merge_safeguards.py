"""A hostile second read of transfer and merge (issue 14): what a transfer leaves behind in
the name index, a child's record moved on the child's own word, and a merge that would
join two organisations' records or lose a child's age."""

from __future__ import annotations

import pytest

from northstar import policy
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError
from northstar.core.roles import Role
from northstar.justice import tasks as case_tasks
from northstar.survivors import actions
from northstar.survivors.models import MergeRequest, Survivor


def _actor(user):
    return Actor.for_user(user, "cli")


def _transfer(case, caseworker, org_b, users, **consent):
    actions.record_consent(_actor(caseworker), case.survivor, purpose="referral",
                           recipient=org_b, language="km", method="written", **consent)
    transfer = actions.request_transfer(_actor(caseworker), case, to_organisation=org_b)
    return case_tasks.accept_transfer(_actor(users[("b", Role.SUPERVISOR)]), transfer)


def test_a_transferred_survivor_is_found_by_name_in_the_new_organisation_only(
        case_a, caseworker, org_b, users):
    _transfer(case_a, caseworker, org_b, users)
    new = _actor(users[("b", Role.CASEWORKER)])
    old = _actor(caseworker)
    found = actions.search_survivors(new, "Sokha Testperson",
                                     within=policy.visible_survivors(new))
    assert [f.survivor.pk for f in found] == [case_a.survivor_id]
    assert actions.find_duplicates(new, given_name="Demo Sokha", family_name="Testperson",
                                   date_of_birth="1998-04-12")
    assert actions.search_survivors(old, "Sokha Testperson",
                                    within=policy.visible_survivors(old)) == []


@pytest.mark.parametrize("birth", [{"birth_year": 2015}, {}], ids=["child", "age unknown"])
def test_a_childs_record_is_not_transferred_on_the_childs_own_consent(
        caseworker, org_b, users, birth):
    actor = _actor(caseworker)
    child = actions.create_survivor(actor, data={"given_name": "Dara", "family_name": "Kim",
                                                 **birth})
    case = actions.create_case(actor, child, data={"forms_of_exploitation": ["labour"]})
    actions.record_consent(actor, child, purpose="referral", recipient=org_b, language="km",
                           method="written")
    with pytest.raises(DomainError, match="parent or guardian") as refused:
        actions.request_transfer(actor, case, to_organisation=org_b)
    assert refused.value.field == "to_organisation"
    # With a guardian's consent (not family: the family's part is unknown) it may go.
    actions.record_consent(actor, child, purpose="referral", recipient=org_b, language="km",
                           method="written", given_by="guardian",
                           guardian_relationship="social_worker", guardian_name="Ms Srey")
    assert actions.request_transfer(actor, case, to_organisation=org_b).pk


def test_a_merge_asked_before_a_transfer_never_joins_two_organisations_records(
        case_a, caseworker, supervisor, org_b, users):
    actor = _actor(caseworker)
    other = actions.create_survivor(actor, data={"given_name": "Demo Sokha",
                                                 "family_name": "Testperson"})
    request = actions.request_merge(actor, kept=other, merged=case_a.survivor,
                                    reason="Same person.")
    _transfer(case_a, caseworker, org_b, users)
    with pytest.raises(Conflict):
        actions.decide_merge(_actor(supervisor), request, approve=True)
    moved = Survivor.objects.get(pk=case_a.survivor_id)
    assert moved.archived_at is None and moved.organisation == org_b
    assert MergeRequest.objects.get(pk=request.pk).status == "requested"


@pytest.mark.parametrize("kept_birth,merged_birth", [
    ({}, {"birth_year": 2015}),                          # the child's age would be lost
    ({"birth_year": 1990}, {"birth_year": 2015}),        # an adult and a child
    ({"birth_year": 2015}, {"birth_year": 1990}),
], ids=["unknown-kept child-merged", "adult-kept child-merged", "child-kept adult-merged"])
def test_a_merge_that_would_lose_or_contradict_a_childs_age_is_refused(
        caseworker, kept_birth, merged_birth):
    actor = _actor(caseworker)
    kept = actions.create_survivor(actor, data={"given_name": "Dara", "family_name": "Kim",
                                                **kept_birth})
    merged = actions.create_survivor(actor, data={"given_name": "Dara", "family_name": "Kim",
                                                  **merged_birth})
    with pytest.raises(DomainError, match="child") as refused:
        actions.request_merge(actor, kept=kept, merged=merged, reason="Same person.")
    assert refused.value.field == "birth_year"


def test_a_childs_record_merged_into_a_childs_record_is_allowed(caseworker):
    actor = _actor(caseworker)
    kept = actions.create_survivor(actor, data={"given_name": "Dara", "family_name": "Kim",
                                                "birth_year": 2015})
    merged = actions.create_survivor(actor, data={"given_name": "Dara", "family_name": "Kim"})
    assert actions.request_merge(actor, kept=kept, merged=merged, reason="Same person.").pk
