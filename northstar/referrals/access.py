"""What an organisation may see of a survivor through referrals.

This module and ``referrals/models.py`` are the *sharing* layer: below the
policy, above survivors; they import neither the policy nor anything above it.
``northstar.policy`` decides access; this module answers
the referral part of the question. A referral grants a read-only view of the
fields chosen for it while it is accepted or in progress *and* the referral
consent it was made under still stands (not withdrawn, not expired). Revoking
the referral, closing or completing it, or withdrawing the consent ends the
view at once. A recipient that is law enforcement or a prosecutor also needs
the survivor's consent to share with law enforcement naming it, for as long as
it sees anything (``survivors.consent.may_refer``): every answer is computed from the rows at the moment of asking.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from northstar.core.prepared import Recipe, exists_sql
from northstar.referrals.models import ACCESS_STATES, Referral
from northstar.survivors.consent import in_force, is_law_enforcement
from northstar.survivors.models import Consent, ConsentPurpose


def active_referrals(organisation, at: dt.datetime | None = None) -> QuerySet:
    """Referrals through which ``organisation`` may see a survivor at ``at``."""
    at = at or timezone.now()
    if organisation is None or organisation.pk is None:
        return Referral.objects.none()
    referrals = Referral.objects.filter(
        recipient=organisation,
        status__in=ACCESS_STATES,
        consent__recipient=organisation,
        consent__purpose="referral",
        consent__given_at__lte=at,
    ).filter(
        Q(consent__withdrawn_at__isnull=True) | Q(consent__withdrawn_at__gt=at),
        Q(consent__expires_at__isnull=True) | Q(consent__expires_at__gt=at),
    )
    if is_law_enforcement(organisation):
        named = in_force(Consent.objects.filter(
            survivor=OuterRef("survivor"), recipient=organisation,
            purpose=ConsentPurpose.LAW_ENFORCEMENT_SHARING), at=at)
        referrals = referrals.filter(Exists(named))
    return referrals


def receives_referrals(organisation) -> bool:
    """Whether any referral to ``organisation`` is in a state that may grant a view: one
    indexed look-up (``recipient, status``) that lets the policy skip the sharing subquery
    for the many organisations that receive none."""
    if organisation is None or organisation.pk is None:
        return False
    return _RECEIVED.scalar((), (organisation.pk,), exists_sql) is not None


#: The referrals to one organisation in a state that may grant a view; the ``exists()`` of
#: every list request, its SQL written once per process (``core.prepared``).
_RECEIVED = Recipe(lambda org_id: Referral.objects.filter(recipient_id=org_id,
                                                          status__in=ACCESS_STATES),
                   -7_310_000_021)


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
