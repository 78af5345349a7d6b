"""Who is acting, for whom, and through which channel.

Every action takes an ``Actor``: the audit entry needs all three, and the access
policy needs the organisation and role. Built once per request by
``ActorMiddleware`` (pages) or the API's auth (tokens), or by a command.
"""

from __future__ import annotations

from dataclasses import dataclass

from northstar.core.models import Membership, Organisation
from northstar.core.prepared import Prepared


@dataclass(frozen=True)
class Actor:
    user: object | None
    organisation: Organisation | None
    role: str | None
    channel: str
    #: Set when a survivor acts for themself through the portal.
    survivor_id: int | None = None

    @property
    def label(self) -> str:
        if self.survivor_id is not None:
            return f"survivor#{self.survivor_id}"
        if self.user is None:
            return f"system:{self.channel}"
        return self.user.get_username()

    @classmethod
    def for_user(cls, user, channel: str) -> Actor:
        membership = _membership_of(user) if user and user.is_authenticated else None
        return cls(
            user=user if user and user.is_authenticated else None,
            organisation=membership.organisation if membership else None,
            role=membership.role if membership else None,
            channel=channel,
        )

    @classmethod
    def system(cls, channel: str = "system", organisation: Organisation | None = None) -> Actor:
        return cls(user=None, organisation=organisation, role=None, channel=channel)

    @classmethod
    def survivor(cls, survivor) -> Actor:
        return cls(
            user=None,
            organisation=survivor.organisation,
            role=None,
            channel="portal",
            survivor_id=survivor.pk,
        )


#: A user's membership with its organisation: SQL written once per process.
_MEMBERSHIP = Prepared(lambda user_id: Membership.objects.select_related("organisation").filter(
    user_id=user_id), -7_320_000_181)


def _membership_of(user) -> Membership | None:
    """The user's membership with its organisation, in one query (every page and API
    request builds an actor: ``user.membership`` then ``.organisation`` were two). Kept on
    the user as ``user.membership`` would keep it, so later reads of either cost nothing."""
    descriptor = user.__class__.membership  # through a lazy request.user too
    if descriptor.is_cached(user):
        return getattr(user, "membership", None)
    membership = _MEMBERSHIP.first(user.pk)
    descriptor.related.set_cached_value(user, membership)
    if membership is not None:
        descriptor.related.field.set_cached_value(membership, user)
    return membership
