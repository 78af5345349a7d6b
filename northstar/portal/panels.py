"""The portal's panel on the staff survivor page: access status and the PIN link."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar import policy
from northstar.core.models import AuditEntry
from northstar.portal.models import PortalAccess
from northstar.ui import panels


def access_panel(request, survivor) -> dict | None:
    actor = request.actor
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        return None
    access = PortalAccess.objects.filter(survivor=survivor).first()
    since = timezone.now() - dt.timedelta(days=30)
    quick_exits = AuditEntry.objects.filter(
        survivor_ref=survivor.reference, record_type="portal_session",
        note="left with quick exit", at__gte=since).count()
    return {
        "survivor_id": survivor.pk,
        "access": access,
        "locked": access.is_locked() if access else False,
        "quick_exits": quick_exits,
        "may_change": policy.changeable_survivors(actor).filter(pk=survivor.pk).exists(),
    }


def register() -> None:
    panels.register_survivor_panel("portal", "portal/panels/access.html", access_panel, order=80)
