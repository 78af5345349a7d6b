"""Every named permission and selector of the policy, for every kind of actor.

Written to kill what a mutation run on ``northstar/policy.py`` left alive: each row
says who may do what, so negating a condition, swapping ``and``/``or`` or dropping a
filter changes an answer here. A portal session never carries staff rights, and
staff without an organisation have none.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from northstar import policy
from northstar.core.actor import Actor
from northstar.core.errors import Forbidden, NotFound
from northstar.core.models import Membership
from northstar.core.roles import Role
from northstar.referrals import actions as referrals
from northstar.survivors.actions import archive_survivor, record_consent
from northstar.survivors.models import Case
from tests.records import build_records, person

CW, LO, SUP, ADMIN, RES, COUNCIL = (Role.CASEWORKER, Role.LEGAL_OFFICER, Role.SUPERVISOR,
                                    Role.ORG_ADMIN, Role.RESEARCHER, Role.COUNCIL_COORDINATOR)
FUNDER, GOV = Role.FUNDER, Role.GOVERNMENT

#: permission → the roles (in their own organisation) for which it is true.
WHO_MAY = {
    "works_with_records": {CW, LO, SUP},
    "may_record": {CW, LO, SUP},
    "may_read_audit": {SUP},
    "may_archive": {SUP},
    "may_override_block": {SUP},
    "may_see_aggregates": {RES, SUP, ADMIN},
    "sees_only_disclosure_safe_figures": {CW, LO, ADMIN, RES, COUNCIL, FUNDER, GOV},
    "is_administrator": {ADMIN},
    "may_see_fund": {CW, LO, SUP, ADMIN},
    "may_manage_fund": {SUP, ADMIN},
    "may_manage_directory": {SUP, ADMIN},
    "may_review_translations": {ADMIN},
}


@pytest.mark.parametrize("permission", sorted(WHO_MAY))
@pytest.mark.parametrize("role", Role.values)
def test_each_role_has_exactly_its_named_permissions(permission, role, users, actor_for):
    actor = actor_for(users[("a", role)])
    assert getattr(policy, permission)(actor) is (role in WHO_MAY[permission]), (permission, role)


@pytest.mark.parametrize("permission", sorted(set(WHO_MAY) - {"sees_only_disclosure_safe_figures"}))
def test_a_survivor_in_the_portal_has_no_staff_permission(permission, survivor_a):
    assert getattr(policy, permission)(Actor.survivor(survivor_a)) is False


@pytest.mark.parametrize("permission", sorted(set(WHO_MAY) - {"sees_only_disclosure_safe_figures",
                                                               "may_review_translations"}))
@pytest.mark.parametrize("role", [SUP, ADMIN, CW, RES])
def test_a_portal_session_never_carries_a_staff_role(permission, role, survivor_a, org_a):
    """Were a role ever set on a survivor's actor, it would still open nothing."""
    forged = Actor(user=None, organisation=org_a, role=role, channel="portal",
                   survivor_id=survivor_a.pk)
    assert getattr(policy, permission)(forged) is False


@pytest.mark.parametrize("permission", ["works_with_records", "may_record", "may_archive",
                                        "may_override_block", "may_see_aggregates",
                                        "is_administrator", "may_see_fund", "may_manage_fund",
                                        "may_manage_directory", "may_review_translations"])
@pytest.mark.parametrize("role", [SUP, ADMIN, CW, RES])
def test_staff_without_an_organisation_have_no_permission(permission, role):
    assert getattr(policy, permission)(Actor(user=None, organisation=None, role=role,
                                             channel="cli")) is False


def test_django_staff_review_translations_without_an_admin_role(users, actor_for):
    user = users[("a", CW)]
    assert policy.may_review_translations(actor_for(user)) is False
    user.is_staff = True
    user.save()
    assert policy.may_review_translations(actor_for(user)) is True


def test_supervisors_see_exact_figures_and_everyone_else_disclosure_safe_ones(users, actor_for,
                                                                              survivor_a):
    assert policy.sees_only_disclosure_safe_figures(actor_for(users[("a", SUP)])) is False
    assert policy.sees_only_disclosure_safe_figures(Actor.survivor(survivor_a)) is True


# --- Who is asked, notified or assigned ----------------------------------------------


def test_the_staff_lists_name_active_people_of_the_organisation_in_the_right_roles(users,
                                                                                  org_a):
    retired = users[("a", SUP)].__class__.objects.create_user(username="retired.sup")
    Membership.objects.create(user=retired, organisation=org_a, role=SUP)
    retired.is_active = False
    retired.save()
    names = lambda qs: sorted(u.username for u in qs)  # noqa: E731
    assert names(policy.staff_who_oversee(org_a)) == ["supervisor.a"]
    assert names(policy.staff_who_manage_fund(org_a)) == ["org_admin.a", "supervisor.a"]
    assert names(policy.staff_who_work_with_records(org_a)) == [
        "caseworker.a", "legal_officer.a", "supervisor.a"]


# --- Selectors -----------------------------------------------------------------------


@pytest.fixture
def shared(users, org_b):
    """Org A's survivor referred to org B, accepted: org B sees the shared fields only."""
    built = build_records(caseworker=users[("a", CW)], supervisor=users[("a", SUP)],
                          recipient=org_b)
    referrals.take_step(Actor.for_user(users[("b", CW)], "cli"), built["obj"]["referral"],
                        step="accept")
    return built


@pytest.mark.parametrize("role", [CW, LO, SUP])
def test_case_staff_see_and_change_their_organisations_survivors_and_no_one_elses(
        role, users, actor_for, survivor_a, case_a, other_caseworker):
    theirs = person(other_caseworker, given_name="Demo Other", family_name="Org")
    actor = actor_for(users[("a", role)])
    assert list(policy.visible_survivors(actor)) == [survivor_a]
    assert list(policy.changeable_survivors(actor)) == [survivor_a]
    assert list(policy.visible_cases(actor)) == [case_a]
    assert policy.survivor_fields(actor, survivor_a) is policy.ALL_FIELDS
    with pytest.raises(NotFound):
        policy.survivor_for(actor, theirs.pk)
    with pytest.raises(NotFound):
        policy.survivor_fields(actor, theirs)


@pytest.mark.parametrize("role", [ADMIN, RES, COUNCIL])
def test_roles_without_casework_see_no_record(role, users, actor_for, survivor_a, case_a):
    actor = actor_for(users[("a", role)])
    assert not policy.visible_survivors(actor).exists()
    assert not policy.changeable_survivors(actor).exists()
    assert not policy.visible_cases(actor).exists()
    assert not policy.visible_consents(actor).exists()
    with pytest.raises(NotFound):
        policy.survivor_fields(actor, survivor_a)


def test_archived_survivors_and_cases_leave_every_view(users, actor_for, case_a, survivor_a):
    actor = actor_for(users[("a", CW)])
    Case.objects.filter(pk=case_a.pk).update(archived_at=timezone.now())
    assert not policy.visible_cases(actor).exists()
    assert list(policy.visible_survivors(actor)) == [survivor_a]
    Case.objects.filter(pk=case_a.pk).update(archived_at=None)
    # Through the action: it also marks the survivor's cases (``Case.survivor_archived``),
    # the copy the case lists read instead of joining survivors.
    archive_survivor(actor_for(users[("a", Role.SUPERVISOR)]), survivor_a)
    assert not policy.visible_survivors(actor).exists()
    assert not policy.changeable_survivors(actor).exists()
    assert not policy.visible_cases(actor).exists(), "a live case of an archived survivor"
    assert not policy.visible_survivors(Actor.survivor(survivor_a)).exists()


def test_a_recipient_sees_the_shared_fields_read_only_and_never_the_case(shared, users,
                                                                          actor_for):
    recipient = actor_for(users[("b", CW)])
    survivor = shared["obj"]["survivor"]
    assert list(policy.visible_survivors(recipient)) == [survivor]
    assert not policy.changeable_survivors(recipient).exists()
    assert not policy.visible_cases(recipient).exists()
    assert not policy.visible_consents(recipient).exists()
    fields = policy.survivor_fields(recipient, survivor)
    assert fields is not policy.ALL_FIELDS and "reference" in fields
    assert policy.survivor_for(recipient, survivor.pk) == survivor
    with pytest.raises(Forbidden):
        policy.survivor_for(recipient, survivor.pk, change=True)
    # Other roles of the recipient organisation see nothing.
    assert not policy.visible_survivors(actor_for(users[("b", RES)])).exists()


def test_a_survivor_sees_their_own_record_and_changes_no_case(shared, users, actor_for,
                                                              other_caseworker):
    survivor = shared["obj"]["survivor"]
    other = person(users[("a", CW)], given_name="Demo Malai", family_name="Next")
    me = Actor.survivor(survivor)
    assert list(policy.visible_survivors(me)) == [survivor]
    assert not policy.changeable_survivors(me).exists()
    assert list(policy.visible_cases(me)) == [shared["obj"]["case"]]
    assert set(policy.visible_consents(me)) == set(survivor.consents.all())
    assert policy.survivor_fields(me, survivor) is policy.ALL_FIELDS
    with pytest.raises(NotFound):
        policy.survivor_fields(me, other)
    assert policy.case_for(me, shared["case_id"]) == shared["obj"]["case"]
    with pytest.raises(Forbidden):
        policy.case_for(me, shared["case_id"], change=True)
    with pytest.raises(NotFound):
        policy.survivor_for(me, other.pk)


def test_staff_change_their_own_case(users, actor_for, case_a):
    assert policy.case_for(actor_for(users[("a", CW)]), case_a.pk, change=True) == case_a
    assert policy.survivor_for(actor_for(users[("a", CW)]), case_a.survivor_id,
                               change=True) == case_a.survivor


def test_consents_are_seen_by_their_organisations_case_staff_only(shared, users, actor_for):
    consents = set(shared["obj"]["survivor"].consents.all())
    assert set(policy.visible_consents(actor_for(users[("a", CW)]))) == consents
    assert policy.consent_for(actor_for(users[("a", CW)]), shared["consent_id"]).pk == \
        shared["consent_id"]
    with pytest.raises(NotFound):
        policy.consent_for(actor_for(users[("b", CW)]), shared["consent_id"])


@pytest.mark.parametrize("bad_id", ["abc", None, "", "1.5", [], 10**12])
def test_a_malformed_or_missing_id_is_not_found_like_any_other(bad_id, users, actor_for,
                                                               survivor_a):
    with pytest.raises(NotFound) as raised:
        policy.survivor_for(actor_for(users[("a", CW)]), bad_id)
    assert "survivor" in str(raised.value)


def test_what_a_refusal_says_names_the_kind_of_record_and_nothing_more(shared, users,
                                                                        actor_for):
    """These are the API's 404/403 bodies: the same for a missing and a hidden record."""
    stranger = actor_for(users[("b", RES)])
    for ask, record_id, message in (
            (policy.survivor_for, shared["survivor_id"], "No such survivor"),
            (policy.case_for, shared["case_id"], "No such case"),
            (policy.consent_for, shared["consent_id"], "No such consent")):
        with pytest.raises(NotFound) as raised:
            ask(stranger, record_id)
        assert raised.value.message == message
    with pytest.raises(NotFound) as raised:
        policy.survivor_fields(stranger, shared["obj"]["survivor"])
    assert raised.value.message == "No such survivor"
    with pytest.raises(Forbidden) as raised:
        policy.survivor_for(actor_for(users[("b", CW)]), shared["survivor_id"], change=True)
    assert raised.value.message == "This record is shared with your organisation read-only"
    with pytest.raises(Forbidden) as raised:
        policy.case_for(Actor.survivor(shared["obj"]["survivor"]), shared["case_id"],
                        change=True)
    assert raised.value.message == "A survivor cannot change case records"


def test_a_case_or_consent_from_the_policy_arrives_with_its_survivor(
        users, actor_for, case_a, django_assert_max_num_queries):
    """Pages show the survivor's reference beside every case and consent: one query each."""
    actor = actor_for(users[("a", CW)])
    consent = record_consent(actor, case_a.survivor, purpose="statistics", language="km",
                             method="verbal")
    with django_assert_max_num_queries(1):
        assert policy.case_for(actor, case_a.pk).survivor.reference == case_a.survivor.reference
    with django_assert_max_num_queries(1):
        assert policy.consent_for(actor, consent.pk).survivor.pk == case_a.survivor_id
