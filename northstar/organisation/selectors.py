"""What an org admin may reach: their own organisation's rows, nothing else.

Everyone else — another organisation's admin, or any other role — gets ``NotFound``,
so the pages answer 404 and do not say whether an id exists elsewhere.
"""

from __future__ import annotations

from django.db.models import QuerySet

from northstar import policy
from northstar.core.actor import Actor
from northstar.core.errors import NotFound
from northstar.core.models import Membership, Organisation
from northstar.referrals.models import ProviderProfile, Service


def administered(actor: Actor) -> Organisation:
    """The actor's own organisation, if they administer it."""
    if not policy.may_administer_organisation(actor):
        raise NotFound()
    return actor.organisation


def provider_profile(actor: Actor) -> ProviderProfile:
    """The organisation's directory profile (unsaved if it has none yet)."""
    organisation = administered(actor)
    return (ProviderProfile.objects.filter(organisation=organisation).first()
            or ProviderProfile(organisation=organisation))


def services(actor: Actor) -> QuerySet[Service]:
    return Service.objects.filter(provider=administered(actor)).order_by("kind", "name", "pk")


def service_for(actor: Actor, service_id) -> Service:
    return policy.one_of(services(actor), service_id, "service")


def members(actor: Actor) -> QuerySet[Membership]:
    return (Membership.objects.filter(organisation=administered(actor))
            .select_related("user").order_by("user__username"))


def member_for(actor: Actor, membership_id) -> Membership:
    return policy.one_of(members(actor), membership_id, "member")
