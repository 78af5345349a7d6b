"""What an organisation may see of a survivor through referrals.

This module and ``referrals/models.py`` are the *sharing* layer: below the
policy, above survivors; they import neither the policy nor anything above it.
``northstar.policy`` decides access; this module answers
the referral part of the question. A referral grants a read-only view of the
fields chosen for it while it is accepted or in progress *and* the referral
consent it was made under still stands (not withdrawn, not expired). Revoking
the referral, closing or completing it, or withdrawing the consent ends the
view at once: every answer is computed from the rows at the moment of asking.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from northstar.referrals.models import ACCESS_STATES, Referral


def active_referrals(organisation, at: dt.datetime | None = None) -> QuerySet:
    """Referrals through which ``organisation`` may see a survivor at ``at``."""
    at = at or timezone.now()
    if organisation is None or organisation.pk is None:
        return Referral.objects.none()
    return Referral.objects.filter(
        recipient=organisation,
        status__in=ACCESS_STATES,
        consent__recipient=organisation,
        consent__purpose="referral",
        consent__given_at__lte=at,
    ).filter(
        Q(consent__withdrawn_at__isnull=True) | Q(consent__withdrawn_at__gt=at),
        Q(consent__expires_at__isnull=True) | Q(consent__expires_at__gt=at),
    )


def shared_survivor_ids(organisation, at: dt.datetime | None = None) -> QuerySet:
    """Ids of survivors ``organisation`` may see through active, consented referrals."""
    return active_referrals(organisation, at).values_list("survivor_id", flat=True)


def shared_fields(organisation, survivor, at: dt.datetime | None = None) -> frozenset[str] | None:
    """Union of the fields of ``survivor`` shared with ``organisation``, or None."""
    rows = active_referrals(organisation, at).filter(survivor=survivor).values_list(
        "shared_fields", flat=True)
    fields: set[str] = set()
    for names in rows:
        fields.update(names or ())
    return frozenset(fields) if fields else None
