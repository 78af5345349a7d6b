"""The portal's panel on the staff survivor page: access status and the PIN link."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar import policy
from northstar.core.models import AuditEntry
from northstar.portal import actions
from northstar.ui import panels


def access_panel(request, survivor) -> dict | None:
    actor = request.actor
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        return None
    access = actions.access_of(survivor)
    since = timezone.now() - dt.timedelta(days=30)
    quick_exits = AuditEntry.objects.filter(
        survivor_ref=survivor.reference, record_type="portal_session",
        note="left with quick exit", at__gte=since).count()
    backoff = actions.backoff_of(survivor)
    waiting = bool(backoff and backoff.waiting())
    return {
        "survivor_id": survivor.pk,
        "access": access,
        "wrong_tries": backoff.failures if backoff else 0,
        "waiting": waiting,
        "wait_until": backoff.wait_until if waiting else None,
        "quick_exits": quick_exits,
        "may_change": policy.may_change_survivor(actor, survivor),
        "may_lift": policy.may_lift_portal_backoff(actor, survivor),
    }


def register() -> None:
    panels.register_survivor_panel("portal", "portal/panels/access.html", access_panel, order=80)
