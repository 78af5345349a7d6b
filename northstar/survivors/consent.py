"""The one question every flow of survivor data asks: may this happen now?

Referral, statistics, research, law-enforcement sharing and advocacy each call
``may_flow`` before data moves, and the access policy calls it for referral
recipients. Consent is per purpose and, for referral, per recipient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from northstar.survivors.models import PURPOSES_NEEDING_RECIPIENT, Consent, ConsentPurpose

#: Organisation kinds whose work is investigating or prosecuting: a referral to one is
#: also a flow to law enforcement. ("prosecution" is matched once core has that kind.)
LAW_ENFORCEMENT_KINDS = frozenset({"law_enforcement", "prosecution"})


@dataclass(frozen=True)
class FlowDecision:
    allowed: bool
    reason: str
    consent: Consent | None = None

    def __bool__(self) -> bool:
        return self.allowed


def in_force(consents: QuerySet[Consent] | None = None, *,
             at: dt.datetime | None = None) -> QuerySet[Consent]:
    """Those of ``consents`` (default: all) in force at ``at``: given, not withdrawn, not expired.

    The database answers, so a list filtered by it pages correctly; it says what
    ``Consent.is_active`` says of one row.
    """
    at = at or timezone.now()
    consents = Consent.objects.all() if consents is None else consents
    return consents.filter(given_at__lte=at).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at),
        Q(expires_at__isnull=True) | Q(expires_at__gt=at),
    )


def active_consents(survivor, purpose: str, *, at: dt.datetime | None = None):
    """Consents for ``purpose`` in force at ``at``, as a queryset."""
    return in_force(Consent.objects.filter(survivor=survivor, purpose=purpose), at=at)


def may_flow(
    survivor, purpose: str, *, recipient=None, at: dt.datetime | None = None
) -> FlowDecision:
    """May ``survivor``'s data flow for ``purpose`` (to ``recipient``) at ``at``?"""
    if purpose not in ConsentPurpose.values:
        return FlowDecision(False, f"unknown purpose {purpose!r}")
    if purpose in PURPOSES_NEEDING_RECIPIENT and recipient is None:
        return FlowDecision(False, f"{purpose} consent names a recipient; none was given")
    consents = active_consents(survivor, purpose, at=at)
    if recipient is not None and purpose in PURPOSES_NEEDING_RECIPIENT:
        consents = consents.filter(recipient=recipient)
    elif recipient is not None:
        # For other purposes a consent may be general (no recipient) or named.
        consents = consents.filter(Q(recipient__isnull=True) | Q(recipient=recipient))
    consent = consents.order_by("-given_at").first()
    if consent is None:
        who = f" to {recipient}" if recipient is not None else ""
        return FlowDecision(False, f"no active {purpose} consent{who}")
    return FlowDecision(True, "active consent", consent)


def flows_q(purpose: str, *, recipient=None, at: dt.datetime | None = None,
            survivor: str = "pk"):
    """``may_flow`` for a whole set at once: a condition true for the rows whose survivor's
    data may flow for ``purpose`` (to ``recipient``) at ``at``.

    ``survivor`` names the path from the filtered model to the survivor's id ("pk" on
    survivors, "survivor" on cases, "case__survivor" on claims). It asks the database with
    one ``EXISTS`` over the consents, so a list or an aggregate filtered by consent costs
    one query however many records it covers; it answers what ``may_flow`` answers for each
    (tests/survivors/test_consent_sets.py compares the two on a mixed population).

        Case.objects.filter(flows_q("statistics", survivor="survivor"))
    """
    if purpose not in ConsentPurpose.values or (
            purpose in PURPOSES_NEEDING_RECIPIENT and recipient is None):
        return Value(False)
    consents = in_force(Consent.objects.filter(survivor=OuterRef(survivor), purpose=purpose),
                        at=at)
    if recipient is not None and purpose in PURPOSES_NEEDING_RECIPIENT:
        consents = consents.filter(recipient=recipient)
    elif recipient is not None:
        consents = consents.filter(Q(recipient__isnull=True) | Q(recipient=recipient))
    return Exists(consents)


def is_law_enforcement(organisation) -> bool:
    """Police, immigration enforcement or a prosecution agency: sharing with it is sharing
    with law enforcement, whatever the referral is for."""
    return getattr(organisation, "kind", None) in LAW_ENFORCEMENT_KINDS


def may_refer(survivor, recipient, *, at: dt.datetime | None = None) -> FlowDecision:
    """May a referral send ``survivor``'s data to ``recipient``?

    It needs referral consent naming the recipient, and — when the recipient is
    law enforcement or a prosecutor — also consent to share with law enforcement
    naming that same organisation: a general "yes to the police" or a referral
    consent alone is not a survivor's choice to be handed to these police.
    """
    decision = may_flow(survivor, ConsentPurpose.REFERRAL, recipient=recipient, at=at)
    if not decision or not is_law_enforcement(recipient):
        return decision
    named = active_consents(survivor, ConsentPurpose.LAW_ENFORCEMENT_SHARING, at=at).filter(
        recipient=recipient).exists()
    if not named:
        return FlowDecision(False, f"{recipient} is law enforcement: it also needs consent to "
                                   f"share with law enforcement naming {recipient}")
    return decision
