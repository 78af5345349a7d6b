"""Reads of referrals and the directory. Referrals are seen by the two sides only."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.referrals import access
from northstar.referrals.models import Referral, Service


def visible_referrals(actor: Actor, *, direction: str | None = None) -> QuerySet[Referral]:
    """Referrals the actor's organisation sent or received (or only those ``direction``,
    ``"sent"`` or ``"received"``); nothing for anyone else."""
    if not policy.works_with_records(actor):
        return Referral.objects.none()
    org = actor.organisation
    # The sender sees what it sent while the survivor is still its own: once a transfer has
    # moved the survivor to another organisation, the old one's access ends everywhere.
    sent = Q(sender=org, survivor__organisation=org)
    if direction == "sent":
        side = sent
    elif direction == "received":
        side = Q(recipient=org)
    else:
        # ``sent | received``, written as (sent by us or received) and (still our survivor
        # or received): the same rows, but the join to the survivor is outside the first OR,
        # so PostgreSQL walks ``referral_sent_order`` newest first and checks each row's
        # survivor by primary key, stopping after the page (as one OR with the join inside it
        # was a hash join of every survivor of the organisation and a sort of every referral:
        # 115 ms a page and 53 ms the capped count at 100,000 survivors; issue 13).
        side = ((Q(sender=org) | Q(recipient=org))
                & (Q(survivor__organisation=org) | Q(recipient=org)))
    return (Referral.objects.filter(side)
            .select_related("sender", "recipient", "service", "survivor", "consent"))


def referral_for(actor: Actor, referral_id) -> Referral:
    return policy.one_of(visible_referrals(actor), referral_id, "referral")


def recipient_may_see_survivor(actor: Actor, referral: Referral) -> bool:
    """The recipient sees who a referral is about only while it grants access."""
    if actor.organisation and referral.sender_id == actor.organisation.pk:
        return True
    return access.active_referrals(actor.organisation).filter(pk=referral.pk).exists()


def referrals_granting_access(actor: Actor, referrals: list[Referral]) -> set[int]:
    """Ids among ``referrals`` through which the actor sees the survivor: every one the
    actor's organisation sent, and those received that grant access right now."""
    org_pk = actor.organisation.pk if actor.organisation else None
    sent = {r.pk for r in referrals if r.sender_id == org_pk}
    received = [r.pk for r in referrals if r.pk not in sent]
    if not received:
        return sent
    return sent | set(access.active_referrals(actor.organisation)
                      .filter(pk__in=received).values_list("pk", flat=True))


def referrals_seen(actor: Actor, referrals: list[Referral]) -> set[int]:
    """Referrals shown to the actor: the read is audited, and the ids through which the
    actor sees the survivor are returned (one query for the whole page).

    Seeing referrals is reading survivor data (who needs what): one audit entry for the
    page, naming every referral id whole; it names the survivor when the page is about
    one survivor whom the actor may still see. A recipient whose access has ended no
    longer learns who a referral is about, so their entry names no survivor either.
    """
    granting = referrals_granting_access(actor, referrals)
    refs = {r.survivor.reference if r.pk in granting else "" for r in referrals}
    audit.record_read(actor, referrals, record_type="referral",
                      survivor_ref=refs.pop() if len(refs) == 1 else "",
                      note=f"viewed {len(referrals)} referral(s)")
    return granting


def search_services(*, need: str = "", jurisdiction: str = "", area: str = "",
                    language: str = "", serves: str = "", trauma_informed: bool | None = None,
                    no_curfew: bool = False, q: str = "") -> QuerySet[Service]:
    """Active services matching every given criterion, shortest wait first (unknown waits
    last). The database answers every criterion, lists included (``core.lookups``), so
    the result pages without reading the whole directory.

    A service with no areas (or no population) listed serves every area (everyone).
    """
    qs = Service.objects.filter(active=True).select_related("provider", "provider__provider_profile")
    if need:
        qs = qs.filter(kind=need)
    if trauma_informed is not None:
        qs = qs.filter(trauma_informed=trauma_informed)
    if no_curfew:
        qs = qs.filter(curfew=False, movement_restrictions="")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(provider__name__icontains=q))
    if jurisdiction:
        qs = qs.filter(jurisdictions__has_element=jurisdiction.upper())
    if language:
        qs = qs.filter(languages__has_language=language.lower())
    if area.strip():
        qs = qs.filter(Q(areas=[]) | Q(areas__has_element_containing=area.strip()))
    if serves:
        qs = qs.filter(Q(serves=[]) | Q(serves__has_element=serves))
    return qs.order_by(F("waiting_days").asc(nulls_last=True), "name", "pk")
