"""Who runs an HTCDS command: a named staff member, whose organisation and role decide."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from northstar import policy
from northstar.core.actor import Actor


def staff_actor(username: str) -> Actor:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active staff member is called {username!r}.")
    actor = Actor.for_user(user, "cli")
    if not policy.may_exchange_htcds(actor):
        raise CommandError(f"{username} may not exchange HTCDS files: only an organisation's "
                           "supervisors and org admins may.")
    return actor
