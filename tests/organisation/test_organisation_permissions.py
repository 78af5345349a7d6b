"""The named permissions behind the organisation pages (``northstar/policy.py``)."""

from __future__ import annotations

import pytest

from northstar import policy
from northstar.core.roles import Role


def test_an_admin_may_change_others_of_their_own_organisation_only(users, actor_for):
    admin = actor_for(users[("a", Role.ORG_ADMIN)])
    assert policy.may_change_role(admin, users[("a", Role.SUPERVISOR)].membership)
    assert not policy.may_change_role(admin, users[("b", Role.CASEWORKER)].membership)
    assert not policy.may_change_role(admin, users[("a", Role.ORG_ADMIN)].membership)
    assert not policy.may_change_membership(admin, users[("a", Role.ORG_ADMIN)].membership)


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ORG_ADMIN])
def test_no_other_role_administers_the_organisation(users, actor_for, role, org_a):
    actor = actor_for(users[("a", role)])
    assert not policy.may_administer_organisation(actor)
    assert not policy.administers(actor, org_a.pk)
    assert not policy.may_change_role(actor, users[("a", Role.CASEWORKER)].membership)


def test_an_admin_administers_their_organisation_and_not_another(users, actor_for, org_a,
                                                                 org_b):
    admin = actor_for(users[("a", Role.ORG_ADMIN)])
    assert policy.administers(admin, org_a.pk) and not policy.administers(admin, org_b.pk)
    assert policy.navigation(admin)["may_administer_organisation"] is True
