"""Reads of the engagement app. Each starts from the policy: staff see their own
organisation's engagement records (``policy.engagement_organisation_id``), a survivor in the
portal only their own invitations and ledger. A read that shows survivors (by reference or
pseudonym) or their ledger writes the audited read itself, every id shown stored whole.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from northstar import policy
from northstar.core import audit, keyset
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, NotFound
from northstar.core.fields import reveal
from northstar.core.prepared import planned_each_run
from northstar.engagement.models import (
    Activity,
    Consultation,
    Council,
    CouncilMembership,
    HonorariumEntry,
    LedgerEntryKind,
    OutreachSession,
    Participation,
    ParticipationStatus,
)
from northstar.survivors.models import Survivor


def _org(actor: Actor) -> int | None:
    return policy.engagement_organisation_id(actor)


def visible_activities(actor: Actor) -> QuerySet[Activity]:
    org = _org(actor)
    if org is None:
        return Activity.objects.none()
    return Activity.objects.filter(organisation_id=org)


def activity_for(actor: Actor, activity_id) -> Activity:
    return policy.one_of(visible_activities(actor), activity_id, "activity")


def visible_councils(actor: Actor) -> QuerySet[Council]:
    org = _org(actor)
    return Council.objects.none() if org is None else Council.objects.filter(organisation_id=org)


def visible_participations(actor: Actor) -> QuerySet[Participation]:
    if actor.survivor_id is not None:
        return Participation.objects.filter(survivor_id=actor.survivor_id)
    org = _org(actor)
    if org is None:
        return Participation.objects.none()
    return Participation.objects.filter(activity__organisation_id=org)


def participation_for(actor: Actor, participation_id) -> Participation:
    return policy.one_of(visible_participations(actor).select_related("activity", "survivor"),
                         participation_id, "participation")


def visible_consultations(actor: Actor) -> QuerySet[Consultation]:
    org = _org(actor)
    return (Consultation.objects.none() if org is None
            else Consultation.objects.filter(organisation_id=org))


def visible_outreach(actor: Actor) -> QuerySet[OutreachSession]:
    org = _org(actor)
    return (OutreachSession.objects.none() if org is None
            else OutreachSession.objects.filter(organisation_id=org))


def payee_for(actor: Actor, survivor_id) -> Survivor:
    """A survivor the organisation owes or paid an honorarium: still paid after they stop
    taking part (what is owed for time given never lapses)."""
    org = _org(actor)
    if org is None:
        raise NotFound()
    owed = HonorariumEntry.objects.filter(organisation_id=org).values("survivor_id")
    return policy.one_of(Survivor.objects.filter(organisation_id=org, pk__in=owed),
                         survivor_id, "survivor")


#: How many survivors the "who may be invited" suggestions show for a typed reference.
SUGGESTIONS = 10


def _typed_reference(reference) -> str:
    return reference.strip()[:40] if isinstance(reference, str) else ""


def candidate_by_reference(actor: Actor, reference) -> Survivor:
    """The survivor a coordinator typed the exact reference of, when they may invite them
    (``policy.engagement_candidates``: own organisation, live, engagement consent in force).
    Otherwise a ``DomainError`` naming ``reference`` (a 422), the same whether no survivor
    has that reference, one has not consented, or one belongs to another organisation:
    the answer never tells which."""
    typed = _typed_reference(reference)
    if not typed:
        raise DomainError(_("Type the survivor's reference."), "reference")
    found = (policy.engagement_candidates(actor).filter(reference=typed)
             .only("id", "reference", "birth_year", "organisation_id").first())
    if found is None:
        raise DomainError(_("No survivor with this reference has agreed to take part in "
                            "engagement here."), "reference")
    return found


def anyone_may_be_invited(actor: Actor) -> bool:
    """Whether one survivor of the organisation may be invited (the councils page and a
    coming activity's page offer the form only then). Planned for the organisation asked
    about on every run: the generic plan PostgreSQL keeps after a few runs on a connection
    (``bench/generic_plans.py``: "auto: generic") was the large organisation's, and took a
    small one 130 ms where its own plan takes 0.3 (issue 13, h-smallreads)."""
    with planned_each_run():
        return policy.engagement_candidates(actor).exists()


#: How much of a reference's random part (after the hyphen: ``ORGA-2AB3CD``, the
#: organisation's code and six of 32 letters) a typed prefix must hold before suggestions
#: are read: two narrow them to one reference in 1,024 of the organisation's, so the read
#: stops within a few rows of the ``survivor_org_reference`` index whatever its size.
TYPED_AFTER_HYPHEN = 2


def _narrow_enough(typed: str) -> bool:
    head, hyphen, tail = typed.rpartition("-")
    return bool(hyphen and head) and len(tail) >= TYPED_AFTER_HYPHEN


def candidates_starting(actor: Actor, typed: str) -> QuerySet[Survivor]:
    """Who may be invited whose reference starts with ``typed``, by reference (read a few)."""
    return (policy.engagement_candidates(actor)
            .filter(reference__gte=typed, reference__lt=typed + "\uffff")
            .filter(reference__startswith=typed).order_by("reference")
            .only("id", "reference", "organisation_id"))


def candidates_matching(actor: Actor, prefix) -> list[Survivor]:
    """At most ``SUGGESTIONS`` survivors who may be invited whose reference starts with
    ``prefix`` (the code, the hyphen and ``TYPED_AFTER_HYPHEN`` characters at least), by
    reference: an audited read of those shown, the prefix itself not recorded."""
    typed = _typed_reference(prefix)
    if not _narrow_enough(typed):
        raise DomainError(_("Type the reference up to at least two characters after the "
                            "hyphen, as in ABC-2K."), "reference")
    # The prefix as a range of the organisation's references (``>= typed`` and below
    # ``typed`` followed by the highest character): one range of ``survivor_org_reference``
    # in the list's order, stopped after ten. ``startswith`` keeps the match exact. It was
    # ``UPPER(reference) LIKE``, the trigram index's expression, from two characters: at
    # 100,000 survivors "MHF-2" read its 3,082 matches of every organisation, probed each
    # one's consents and sorted (82 ms; issue 13, h-smallreads).
    found = list(candidates_starting(actor, typed)[:SUGGESTIONS])
    audit.record_read(actor, found, record_type="survivor", fields=["reference"],
                      note=f"engagement: who may be invited, {len(found)} shown for a typed "
                           "reference (the reference typed not recorded)")
    return found


def calendar(actor: Actor) -> list[dict]:
    """Every activity, with how many take part and how many follow-ups are open — one
    query, counts in SQL."""
    now = timezone.now()
    rows = (visible_activities(actor).filter(cancelled_at__isnull=True)
            .annotate(
                taking_part=Count("participations", filter=Q(
                    participations__status=ParticipationStatus.ACCEPTED)),
                invited=Count("participations", filter=Q(
                    participations__status=ParticipationStatus.INVITED)),
                debrief_due=Count("participations", filter=Q(
                    participations__status=ParticipationStatus.ACCEPTED,
                    participations__debriefed_at__isnull=True, starts_at__lte=now)),
                time_unrecorded=Count("participations", distinct=True, filter=Q(
                    participations__status=ParticipationStatus.ACCEPTED,
                    participations__ledger__isnull=True, starts_at__lte=now)))
            .order_by("starts_at", "id"))
    return [{"activity": a, "past": a.starts_at <= now} for a in rows]


def participants_of(actor: Actor, activity: Activity) -> QuerySet[Participation]:
    """Who is invited to or takes part in ``activity`` (one the actor may see, from
    ``activity_for``), in the order shown: read one page of it, then ``participants_shown``.
    Each row carries its survivor's reference (``survivor_reference``), not the survivor's
    sealed row."""
    return (Participation.objects.filter(activity=activity)
            .annotate(survivor_reference=F("survivor__reference")).order_by("id"))


def participants_shown(actor: Actor, activity: Activity, shown: list[Participation]) -> None:
    """The audited read of ``activity`` and of the participants on the page shown (only
    those): a pseudonym where the survivor chose anonymity, else their reference; never a
    name or a case."""
    audit.record_read(actor, activity, record_type="engagement_activity",
                      note=f"engagement: activity {activity.pk}")
    if shown:
        audit.record_read(actor, [p.survivor_id for p in shown], record_type="survivor",
                          fields=["engagement_participation"],
                          note=f"engagement: participants of activity {activity.pk}")


def participation_counts(activity: Activity) -> dict[str, int]:
    """How many of ``activity``'s participants take part, are invited, and still await a
    debriefing after it was held: counted in SQL over all of them, whichever page is shown."""
    found = Participation.objects.filter(activity=activity).aggregate(
        taking_part=Count("id", filter=Q(status=ParticipationStatus.ACCEPTED)),
        invited=Count("id", filter=Q(status=ParticipationStatus.INVITED)),
        debrief_due=Count("id", filter=Q(status=ParticipationStatus.ACCEPTED,
                                         debriefed_at__isnull=True)))
    if activity.starts_at > timezone.now():
        found["debrief_due"] = 0
    return found


def council_members(actor: Actor, council: Council) -> QuerySet[CouncilMembership]:
    """The members of ``council`` (one from ``visible_councils``), newest term first, with
    their survivor's reference only: read one page, then ``council_members_shown``."""
    return (CouncilMembership.objects.filter(council=council).select_related("survivor")
            .only("id", "council_id", "survivor_id", "term_start", "term_end", "ended_on",
                  "survivor__id", "survivor__reference")
            .order_by("-term_start", "-id"))


def council_members_shown(actor: Actor, shown: list[CouncilMembership]) -> None:
    """The audited read of the council members on the pages shown (only those)."""
    if shown:
        audit.record_read(actor, [m.survivor_id for m in shown], record_type="survivor",
                          fields=["council_membership"], note="engagement: council members")


def minutes_of(actor: Actor, activity: Activity) -> str:
    """The activity's minutes, opened for the organisation's coordinator: an audited read
    (minutes may name people)."""
    audit.record_read(actor, activity, record_type="engagement_activity", fields=["minutes"],
                      note=f"engagement: minutes of activity {activity.pk} opened")
    return reveal(activity.minutes)


def _totals(entries) -> dict[str, dict[str, Decimal]]:
    """{currency: {"owed": …, "paid": …, "due": …}} from ledger rows; what is still due is
    never shown below zero (an advance is not a debt of the survivor's)."""
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"owed": Decimal(0), "paid": Decimal(0)})
    for row in entries:
        out[row["currency"]][row["kind"]] = row["total"] or Decimal(0)
    for values in out.values():
        values["due"] = max(values["owed"] - values["paid"], Decimal(0))
    return dict(out)


def honoraria_payees(actor: Actor) -> QuerySet[Survivor]:
    """Everyone the organisation owes or paid an honorarium, by reference (the order the
    honoraria page lists them, a page at a time: ``keyset.page``), their id, reference and
    organisation only. Read one page of it, then ``honoraria_shown``."""
    org = _org(actor)
    if org is None:
        return Survivor.objects.none()
    ledger = HonorariumEntry.objects.filter(organisation_id=org).values("survivor_id")
    return (Survivor.objects.filter(pk__in=ledger).only("id", "reference", "organisation_id")
            .order_by("reference"))


def honoraria_payee_count(actor: Actor) -> keyset.Count:
    """How many survivors ``honoraria_payees`` lists, capped (``keyset.count_cap``): the
    organisation's distinct payees in its ledger, read from ``honorarium_org_payee`` alone
    and stopped after the cap (every ledger line names a survivor, so the same number).
    ``keyset.count`` of the payees hashed every line of the ledger first (issue 13)."""
    org = _org(actor)
    if org is None:
        return keyset.Count(0, True)
    cap = keyset.count_cap()
    return keyset.capped(ledger_payee_ids(org)[: cap + 1].count(), cap)


def ledger_payee_ids(org: int) -> QuerySet:
    """The distinct survivors of the organisation's ledger, in id order (``survivor_id``)."""
    return (HonorariumEntry.objects.filter(organisation_id=org).order_by("survivor_id")
            .values("survivor_id").distinct())


def honoraria_page(actor: Actor, *, size: int, cursor: str | None = None
                   ) -> tuple[keyset.Count, keyset.Page]:
    """The count (first page only: later pages carry it in the cursor) and one page of
    ``honoraria_payees``. Planned for the organisation asked about on every run: a plan kept
    from the organisation with 100,000 survivors walked every reference of the table for
    one with 20 payees of none (157-163 ms at 100k; its own plan reads its ledger: 0.02)."""
    payees = honoraria_payees(actor)
    with planned_each_run():
        count = (keyset.carried(payees, cursor) if cursor else None) or \
            honoraria_payee_count(actor)
        return count, keyset.page(payees, size=size, cursor=cursor, count=count)


def honoraria_shown(actor: Actor, payees: list[Survivor]) -> list[dict]:
    """Per survivor of ``payees`` (one page of ``honoraria_payees``) and currency: owed,
    paid, still due (sums in SQL, one query for the page). An audited read naming those
    survivors only."""
    org = _org(actor)
    if org is None or not payees:
        return []
    rows = (HonorariumEntry.objects.filter(organisation_id=org,
                                           survivor_id__in=[s.pk for s in payees])
            .values("survivor_id", "currency", "kind").annotate(total=Sum("amount"))
            .order_by("survivor_id", "currency", "kind"))
    per: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        sums = per[row["survivor_id"]].setdefault(
            row["currency"], {"owed": Decimal(0), "paid": Decimal(0)})
        sums[row["kind"]] = row["total"]
    found = [{"survivor_id": s.pk, "reference": s.reference, "currency": cur, **v,
              "due": v["owed"] - v["paid"]}
             for s in payees for cur, v in sorted(per[s.pk].items())]
    audit.record_read(actor, [s.pk for s in payees], record_type="survivor",
                      fields=["honoraria"], note="engagement: honoraria due",
                      owners=[s.organisation_id for s in payees])
    return found


# --- The survivor's own view (portal) -----------------------------------------------------


def my_invitations(actor: Actor) -> dict[str, list[Participation]]:
    """The signed-in survivor's invitations to come, places taken, and past activities."""
    now = timezone.now()
    mine = list(visible_participations(actor).select_related("activity")
                .filter(activity__cancelled_at__isnull=True).order_by("activity__starts_at"))
    return {
        "invited": [p for p in mine if p.status == ParticipationStatus.INVITED
                    and p.activity.starts_at > now],
        "upcoming": [p for p in mine if p.status == ParticipationStatus.ACCEPTED
                     and p.activity.starts_at > now],
        "past": [p for p in mine if p.status == ParticipationStatus.ACCEPTED
                 and p.activity.starts_at <= now],
    }


def my_ledger(actor: Actor) -> tuple[list[HonorariumEntry], dict[str, dict[str, Decimal]]]:
    """The signed-in survivor's honoraria: every line and the totals per currency."""
    if actor.survivor_id is None:
        return [], {}
    entries = HonorariumEntry.objects.filter(survivor_id=actor.survivor_id)
    lines = list(entries.select_related("participation__activity").order_by("on", "id"))
    totals = _totals(entries.values("currency", "kind").annotate(total=Sum("amount"))
                     .order_by("currency"))
    return lines, totals


OWED, PAID = LedgerEntryKind.OWED, LedgerEntryKind.PAID
