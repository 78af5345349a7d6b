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
from northstar.survivors.models import Survivor


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


def test_a_merge_never_joins_two_organisations_records_even_if_one_moved_after_the_asking(
        case_a, caseworker, supervisor, org_b, users):
    actor = _actor(caseworker)
    other = actions.create_survivor(actor, data={"given_name": "Demo Sokha",
                                                 "family_name": "Testperson"})
    request = actions.request_merge(actor, kept=other, merged=case_a.survivor,
                                    reason="Same person.")
    # Moved by a platform operator (the transfer pages refuse while a merge waits).
    Survivor.objects.filter(pk=case_a.survivor_id).update(organisation=org_b)
    with pytest.raises(Conflict, match="another organisation"):
        actions.decide_merge(_actor(supervisor), request, approve=True)
    moved = Survivor.objects.get(pk=case_a.survivor_id)
    assert moved.archived_at is None and moved.organisation == org_b


def test_a_transfer_is_not_accepted_while_a_merge_of_the_record_waits(
        case_a, caseworker, supervisor, org_b, users):
    actor = _actor(caseworker)
    other = actions.create_survivor(actor, data={"given_name": "Demo Sokha",
                                                 "family_name": "Testperson"})
    actions.record_consent(actor, case_a.survivor, purpose="referral", recipient=org_b,
                           language="km", method="written")
    transfer = actions.request_transfer(actor, case_a, to_organisation=org_b)
    request = actions.request_merge(actor, kept=case_a.survivor, merged=other,
                                    reason="Same person.")
    boss_b = _actor(users[("b", Role.SUPERVISOR)])
    with pytest.raises(Conflict, match="merge"):
        case_tasks.accept_transfer(boss_b, transfer)
    assert Survivor.objects.get(pk=case_a.survivor_id).organisation != org_b
    actions.decide_merge(_actor(supervisor), request, approve=True)
    case_tasks.accept_transfer(boss_b, transfer)
    assert Survivor.objects.get(pk=case_a.survivor_id).organisation == org_b
    assert Survivor.objects.get(pk=other.pk).organisation != org_b  # archived, stays behind


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


def test_a_transfer_to_the_police_needs_the_survivors_consent_to_share_with_them(
        case_a, caseworker):
    from northstar.core.models import Organisation
    from tests.conftest import make_user

    police = Organisation.objects.create(name="Anti-trafficking police", kind="law_enforcement",
                                         jurisdiction="KH", code="POL")
    make_user("officer.police", police, Role.CASEWORKER)
    actor = _actor(caseworker)
    actions.record_consent(actor, case_a.survivor, purpose="referral", recipient=police,
                           language="km", method="written")
    with pytest.raises(DomainError, match="law enforcement") as refused:
        actions.request_transfer(actor, case_a, to_organisation=police)
    assert refused.value.field == "to_organisation"
    actions.record_consent(actor, case_a.survivor, purpose="law_enforcement_sharing",
                           recipient=police, language="km", method="written")
    assert actions.request_transfer(actor, case_a, to_organisation=police).pk


def test_an_organisation_that_passed_a_survivor_on_no_longer_sees_how_it_received_them(
        case_a, caseworker, org_a, org_b, users):
    """A → B, then B → A: B (no longer responsible) sees neither transfer."""
    first = _transfer(case_a, caseworker, org_b, users)
    caseworker_b = users[("b", Role.CASEWORKER)]
    actions.record_consent(_actor(caseworker_b), case_a.survivor, purpose="referral",
                           recipient=org_a, language="km", method="written")
    back = actions.request_transfer(_actor(caseworker_b), case_a, to_organisation=org_a)
    case_tasks.accept_transfer(_actor(users[("a", Role.SUPERVISOR)]), back)
    seen_by_b = set(policy.visible_transfers(_actor(caseworker_b)).values_list("pk", flat=True))
    assert seen_by_b == set()
    seen_by_a = set(policy.visible_transfers(_actor(caseworker)).values_list("pk", flat=True))
    assert seen_by_a == {first.pk, back.pk}


def test_merge_requests_of_a_survivor_transferred_away_leave_the_old_organisations_list(
        case_a, caseworker, supervisor, org_b, users):
    actor = _actor(caseworker)
    other = actions.create_survivor(actor, data={"given_name": "Demo Sokha",
                                                 "family_name": "Testperson"})
    request = actions.request_merge(actor, kept=case_a.survivor, merged=other,
                                    reason="Same person.")
    actions.decide_merge(_actor(supervisor), request, approve=False)
    assert policy.visible_merge_requests(actor).filter(pk=request.pk).exists()
    _transfer(case_a, caseworker, org_b, users)
    assert not policy.visible_merge_requests(actor).filter(pk=request.pk).exists()


def test_a_survivor_with_a_merge_waiting_is_not_transferred_until_it_is_decided(
        case_a, caseworker, org_b):
    actor = _actor(caseworker)
    other = actions.create_survivor(actor, data={"given_name": "Demo Sokha",
                                                 "family_name": "Testperson"})
    actions.request_merge(actor, kept=other, merged=case_a.survivor, reason="Same person.")
    actions.record_consent(actor, case_a.survivor, purpose="referral", recipient=org_b,
                           language="km", method="written")
    with pytest.raises(Conflict, match="merge"):
        actions.request_transfer(actor, case_a, to_organisation=org_b)


def test_a_merge_that_would_forget_the_family_is_involved_is_refused(caseworker):
    actor = _actor(caseworker)
    kept = actions.create_survivor(actor, data={"given_name": "Dara", "family_name": "Kim",
                                                "birth_year": 2015, "family_involved": "no"})
    merged = actions.create_survivor(actor, data={"given_name": "Dara", "family_name": "Kim",
                                                  "birth_year": 2015, "family_involved": "yes"})
    with pytest.raises(DomainError, match="family is involved") as refused:
        actions.request_merge(actor, kept=kept, merged=merged, reason="Same person.")
    assert refused.value.field == "family_involved"
    assert actions.request_merge(actor, kept=merged, merged=kept, reason="Same person.").pk
