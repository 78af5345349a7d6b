"""Every write of the engagement app: one function per operation, one transaction, one
audit entry written here (never by the caller).

Callers asked the policy first (``policy.coordinates_engagement``, the engagement
selectors, or the portal's own survivor). The rules that protect the survivor are checked
here, whoever calls: no invitation without an engagement consent in force; a child only
anonymously, with a guardian's consent and their best interest recorded; nothing counted as
time given while the Do No Harm check before the activity has a block; honoraria owed for
time given and nothing else.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError, Forbidden
from northstar.engagement import participation as checks
from northstar.engagement.models import (
    COUNCIL_KINDS,
    Activity,
    ActivityKind,
    Consultation,
    ConsultationChange,
    Council,
    CouncilMembership,
    HonorariumEntry,
    HonorariumRate,
    LedgerEntryKind,
    OutreachKind,
    OutreachLeader,
    OutreachSession,
    OutreachTopic,
    Participation,
    ParticipationStatus,
    PaymentMethod,
)
from northstar.engagement.rules import rates
from northstar.survivors import actions as survivor_actions
from northstar.survivors.consent import active_consents, may_flow
from northstar.survivors.models import ConsentGivenBy, ConsentPurpose, Survivor

OPEN = (ParticipationStatus.INVITED, ParticipationStatus.ACCEPTED)


#: The largest values the ledger's columns hold (DecimalField max_digits/decimal_places):
#: anything larger is refused naming the field, never a database error (a 500).
MOST = {"hours": Decimal("999.99"), "per_hour": Decimal("99999999.9999"),
        "amount": Decimal("9999999999.9999")}


def _decimal(value, field: str, *, positive: bool = True) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("must be a decimal number", field) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise DomainError("must be a number above zero", field)
    most = MOST.get(field)
    if most is not None and number > most:
        raise DomainError(f"must be at most {most:f}", field)
    return number


def _text(value: str, field: str, *, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("is required", field)
    if len(value) > limit:
        raise DomainError(f"at most {limit} characters", field)
    return value


def _own(actor: Actor, organisation_id: int) -> None:
    if actor.organisation is None or actor.organisation.pk != organisation_id:
        raise Forbidden("not this organisation's engagement record")


# --- Councils and activities -----------------------------------------------------------


@transaction.atomic
def create_council(actor: Actor, *, name: str, kind: str) -> Council:
    if kind not in COUNCIL_KINDS:
        raise DomainError("must be advisory_council or national_committee", "kind")
    council = Council.objects.create(organisation=actor.organisation, kind=kind,
                                     name=_text(name, "name", limit=200))
    audit.record(actor, "create", "council", council.pk, fields=["name", "kind"])
    return council


@transaction.atomic
def add_council_member(actor: Actor, council: Council, *, survivor: Survivor,
                       term_start: dt.date, term_end: dt.date | None = None) -> CouncilMembership:
    _own(actor, council.organisation_id)
    _require_engagement_consent(survivor)
    if term_end is not None and term_end < term_start:
        raise DomainError("a term ends after it starts", "term_end")
    membership = CouncilMembership.objects.create(council=council, survivor=survivor,
                                                  term_start=term_start, term_end=term_end)
    audit.record(actor, "create", "council_membership", membership.pk,
                 survivor_ref=survivor.reference, fields=["term_start", "term_end"])
    return membership


@transaction.atomic
def end_council_membership(actor: Actor, membership: CouncilMembership, *,
                           on: dt.date | None = None) -> CouncilMembership:
    """A member steps down (their choice, told to the coordinator): the term ends that day."""
    _own(actor, membership.council.organisation_id)
    if membership.ended_on is not None:
        raise Conflict("this member has already stepped down", "membership")
    membership.ended_on = on or timezone.localdate()
    membership.save(update_fields=["ended_on"])
    audit.record(actor, "update", "council_membership", membership.pk,
                 survivor_ref=membership.survivor.reference, fields=["ended_on"])
    return membership


@transaction.atomic
def create_activity(actor: Actor, *, kind: str, title: str, starts_at: dt.datetime,
                    hours, place: str = "", public: bool = False,
                    asks_for_own_story: bool = False, offender_may_be_present: bool | None = None,
                    council: Council | None = None) -> Activity:
    if kind not in ActivityKind.values:
        raise DomainError(f"must be one of: {', '.join(ActivityKind.values)}", "kind")
    if council is not None:
        _own(actor, council.organisation_id)
    activity = Activity.objects.create(
        organisation=actor.organisation, kind=kind, council=council,
        title=_text(title, "title", limit=200), starts_at=starts_at,
        hours=_decimal(hours, "hours"), place=_text(place, "place", limit=200, required=False),
        public=bool(public), asks_for_own_story=bool(asks_for_own_story),
        offender_may_be_present=offender_may_be_present, created_by_label=actor.label)
    audit.record(actor, "create", "engagement_activity", activity.pk,
                 fields=["kind", "title", "starts_at", "hours", "place", "public"])
    return activity


@transaction.atomic
def record_minutes(actor: Actor, activity: Activity, *, minutes: str) -> Activity:
    _own(actor, activity.organisation_id)
    activity.minutes = _text(minutes, "minutes", limit=5000)
    activity.save(update_fields=["minutes"])
    audit.record(actor, "update", "engagement_activity", activity.pk, fields=["minutes"])
    return activity


@transaction.atomic
def set_offender_presence(actor: Actor, activity: Activity, *, may_be_present: bool | None
                          ) -> Activity:
    _own(actor, activity.organisation_id)
    activity.offender_may_be_present = may_be_present
    activity.save(update_fields=["offender_may_be_present"])
    audit.record(actor, "update", "engagement_activity", activity.pk,
                 fields=["offender_may_be_present"])
    return activity


# --- Invitations, answers, withdrawal --------------------------------------------------


def _require_engagement_consent(survivor: Survivor) -> None:
    if not may_flow(survivor, ConsentPurpose.ENGAGEMENT):
        raise DomainError("the survivor has no engagement consent in force: they are not "
                          "invited or listed", "survivor")


def _guardian_consent(survivor: Survivor) -> bool:
    return active_consents(survivor, ConsentPurpose.ENGAGEMENT).filter(
        given_by=ConsentGivenBy.GUARDIAN).exists()


@transaction.atomic
def invite(actor: Actor, activity: Activity, *, survivor: Survivor, pseudonym: str,
           best_interest_note: str = "") -> Participation:
    """Invite a survivor who consented to engagement. Anonymous by default; a child (under
    18 or age unknown) only with a guardian's engagement consent and their best interest
    written down, and always anonymously."""
    _own(actor, activity.organisation_id)
    if survivor.organisation_id != activity.organisation_id:
        raise Forbidden("not this organisation's survivor")
    _require_engagement_consent(survivor)
    if activity.cancelled_at is not None or activity.starts_at <= timezone.now():
        raise DomainError("invitations are sent before an activity, not after", "activity")
    possibly_child = survivor.is_child() is not False
    note = _text(best_interest_note, "best_interest_note", limit=1000, required=False)
    if possibly_child:
        if not _guardian_consent(survivor):
            raise DomainError("the survivor is, or may be, a child: a parent's or guardian's "
                              "engagement consent must be in force", "survivor")
        if not note:
            raise DomainError("the survivor is, or may be, a child: write why taking part "
                              "is in their best interest", "best_interest_note")
    if Participation.objects.filter(activity=activity, survivor=survivor).exists():
        raise Conflict("this survivor is already invited", "survivor")
    p = Participation.objects.create(
        activity=activity, survivor=survivor, pseudonym=_text(pseudonym, "pseudonym", limit=60),
        anonymous=True, best_interest_note=note, best_interest_recorded=bool(note),
        invited_by_label=actor.label)
    audit.record(actor, "create", "engagement_participation", p.pk,
                 survivor_ref=survivor.reference,
                 fields=["pseudonym"] + (["best_interest_note"] if note else []),
                 note=f"invited to activity {activity.pk}")
    return p


def _lock(participation: Participation) -> Participation:
    return Participation.objects.select_for_update().select_related(
        "activity", "survivor").get(pk=participation.pk)


def _store_check(p: Participation) -> dict:
    result = checks.check(p)
    p.safeguards_result = result
    p.safeguards_checked_at = timezone.now()
    return result


@transaction.atomic
def answer(actor: Actor, participation: Participation, *, accept: bool,
           tell_own_story: bool = False, use_own_name: bool = False) -> Participation:
    """The survivor's own answer to an invitation (in the portal, or told to staff).

    Accepting in the portal states the right to stop at any moment without losing any
    service (the page says so beside the button); accepting runs the Do No Harm check."""
    p = _lock(participation)
    if actor.survivor_id is not None and actor.survivor_id != p.survivor_id:
        raise Forbidden("only the survivor answers their invitation")
    if p.status != ParticipationStatus.INVITED:
        raise Conflict("this invitation was already answered", "participation")
    if p.activity.starts_at <= timezone.now() or p.activity.cancelled_at is not None:
        raise DomainError("this activity has already taken place", "participation")
    if accept:
        _require_engagement_consent(p.survivor)
        p.status = ParticipationStatus.ACCEPTED
        p.chose_to_tell_own_story = bool(tell_own_story)
        # A child takes part only anonymously, whatever is asked (the engine blocks it too).
        p.anonymous = not use_own_name or p.survivor.is_child() is not False
        # The portal says it beside the button; staff recording a spoken answer tick it
        # themselves when they said it (``prepare``).
        p.right_to_withdraw_stated = p.right_to_withdraw_stated or actor.survivor_id is not None
    else:
        p.status = ParticipationStatus.DECLINED
    p.answered_at = timezone.now()
    p.version += 1
    if accept:
        _store_check(p)
    p.save()
    audit.record(actor, "update", "engagement_participation", p.pk,
                 survivor_ref=p.survivor.reference,
                 fields=["status", "anonymous", "chose_to_tell_own_story"],
                 note=f"{'accepted' if accept else 'declined'} activity {p.activity_id}")
    return p


@transaction.atomic
def withdraw(actor: Actor, participation: Participation, *, why: str = "") -> Participation:
    """Stop taking part, at any moment. Nothing else of the survivor's changes: not their
    services, case, plan, referrals or consents, nor what they are owed for time given."""
    p = _lock(participation)
    if actor.survivor_id is not None and actor.survivor_id != p.survivor_id:
        raise Forbidden("only the survivor withdraws themself")
    if p.status not in OPEN:
        raise Conflict("this survivor is not taking part in this activity", "participation")
    p.status = ParticipationStatus.WITHDRAWN
    p.withdrawn_at = timezone.now()
    p.version += 1
    p.save(update_fields=["status", "withdrawn_at", "version"])
    audit.record(actor, "update", "engagement_participation", p.pk,
                 survivor_ref=p.survivor.reference, fields=["status", "withdrawn_at"],
                 note=f"withdrew from activity {p.activity_id}" + (f" ({why})" if why else ""))
    return p


def withdraw_from_future(actor: Actor, survivor: Survivor, *, why: str) -> int:
    """Take the survivor out of every activity still to come and end their council terms
    today; returns how many invitations or places were withdrawn."""
    now = timezone.now()
    n = 0
    for p in Participation.objects.filter(survivor=survivor, status__in=OPEN,
                                          activity__starts_at__gt=now):
        withdraw(actor, p, why=why)
        n += 1
    today = timezone.localdate()
    for m in CouncilMembership.objects.filter(survivor=survivor, ended_on__isnull=True):
        m.ended_on = today
        m.save(update_fields=["ended_on"])
        audit.record(actor, "update", "council_membership", m.pk,
                     survivor_ref=survivor.reference, fields=["ended_on"], note=why)
    return n


@transaction.atomic
def stop_engagement(actor: Actor, survivor: Survivor) -> int:
    """The survivor stops taking part altogether (portal): the engagement consent is
    withdrawn and they leave every future activity. Nothing else changes."""
    if actor.survivor_id != survivor.pk:
        raise Forbidden("only the survivor stops their own engagement")
    n = withdraw_from_future(actor, survivor, why="the survivor stopped taking part")
    for consent in active_consents(survivor, ConsentPurpose.ENGAGEMENT):
        survivor_actions.withdraw_consent(actor, consent,
                                          reason="withdrawn by the survivor in the portal")
    return n


def on_consent_saved(sender, instance, **kwargs) -> None:
    """Whoever withdraws an engagement consent (portal, caseworker, API), the survivor
    leaves every future activity at once. Connected in ``apps.ready``."""
    if (instance.purpose != ConsentPurpose.ENGAGEMENT or instance.withdrawn_at is None
            or may_flow(instance.survivor, ConsentPurpose.ENGAGEMENT)):
        return
    actor = Actor.system("engagement", organisation=instance.survivor.organisation)
    withdraw_from_future(actor, instance.survivor, why="engagement consent withdrawn")


# --- Trauma-informed preparation and the check before the activity ------------------------


@transaction.atomic
def prepare(actor: Actor, participation: Participation, *, support_person: str = "",
            briefed: bool | None = None, debriefing_planned: bool | None = None,
            right_to_withdraw_stated: bool | None = None) -> Participation:
    """Record the care around a participant: a named support person, the briefing, the
    planned debriefing, that the right to stop was said; then re-run the check."""
    p = _lock(participation)
    _own(actor, p.activity.organisation_id)
    changed = []
    person = _text(support_person, "support_person", limit=150, required=False)
    if person:
        p.support_person, p.support_person_named = person, True
        changed += ["support_person"]
    if briefed and p.briefed_at is None:
        p.briefed_at = timezone.now()
        changed.append("briefed_at")
    if debriefing_planned is not None:
        p.debriefing_planned = bool(debriefing_planned)
        changed.append("debriefing_planned")
    if right_to_withdraw_stated:
        p.right_to_withdraw_stated = True
        changed.append("right_to_withdraw_stated")
    _store_check(p)
    p.version += 1
    p.save()
    audit.record(actor, "update", "engagement_participation", p.pk,
                 survivor_ref=p.survivor.reference, fields=changed + ["safeguards_result"])
    return p


@transaction.atomic
def check_before_activity(actor: Actor, participation: Participation) -> dict:
    """Run the Do No Harm check now and keep its findings on the participation."""
    p = _lock(participation)
    _own(actor, p.activity.organisation_id)
    result = _store_check(p)
    p.save(update_fields=["safeguards_result", "safeguards_checked_at"])
    audit.record(actor, "update", "engagement_participation", p.pk,
                 survivor_ref=p.survivor.reference, fields=["safeguards_result"],
                 note=f"Do No Harm check: {len(checks.blocks(result))} block(s), "
                      f"rules {result['rule_set_version']}")
    return result


@transaction.atomic
def record_debrief(actor: Actor, participation: Participation) -> Participation:
    p = _lock(participation)
    _own(actor, p.activity.organisation_id)
    if p.status != ParticipationStatus.ACCEPTED:
        raise Conflict("only someone who took part is debriefed", "participation")
    p.debriefed_at = timezone.now()
    p.save(update_fields=["debriefed_at"])
    audit.record(actor, "update", "engagement_participation", p.pk,
                 survivor_ref=p.survivor.reference, fields=["debriefed_at"])
    return p


# --- Honoraria ---------------------------------------------------------------------------


def rate_for(organisation, kind: str) -> tuple[Decimal, str]:
    """The organisation's own rate per hour for ``kind``, or the default for its currency."""
    own = HonorariumRate.objects.filter(organisation=organisation, kind=kind).first()
    if own is not None:
        return own.per_hour, own.currency
    currency = rates.default_currency(organisation.jurisdiction)
    rate = rates.default_rate(kind, currency)
    if rate is None:
        currency, rate = "USD", rates.default_rate(kind, "USD")
    return rate, currency


@transaction.atomic
def set_rate(actor: Actor, *, kind: str, currency: str, per_hour) -> HonorariumRate:
    if kind not in ActivityKind.values:
        raise DomainError(f"must be one of: {', '.join(ActivityKind.values)}", "kind")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise DomainError("a three-letter currency code", "currency")
    rate, _ = HonorariumRate.objects.update_or_create(
        organisation=actor.organisation, kind=kind,
        defaults={"currency": currency, "per_hour": _decimal(per_hour, "per_hour",
                                                             positive=False),
                  "updated_at": timezone.now(), "updated_by_label": actor.label})
    audit.record(actor, "update", "honorarium_rate", rate.pk, fields=["currency", "per_hour"],
                 note=f"{kind}: {rate.per_hour} {currency}/hour")
    return rate


@transaction.atomic
def record_time_given(actor: Actor, participation: Participation, *, hours=None
                      ) -> HonorariumEntry:
    """The survivor gave their time: what they are owed accrues from the hours alone.

    Refused while the Do No Harm check before the activity has a block (fix what it names
    first), and for an activity still to come."""
    p = _lock(participation)
    _own(actor, p.activity.organisation_id)
    if p.status != ParticipationStatus.ACCEPTED and not (
            p.status == ParticipationStatus.WITHDRAWN and p.withdrawn_at
            and p.withdrawn_at > p.activity.starts_at):
        raise Conflict("only time someone gave is paid for", "participation")
    if p.activity.starts_at > timezone.now():
        raise DomainError("the activity has not taken place yet", "participation")
    if not p.safeguards_checked_at or checks.blocks(p.safeguards_result):
        raise DomainError("the Do No Harm check before this activity has a block or was "
                          "not run", "participation")
    if p.ledger.filter(kind=LedgerEntryKind.OWED).exists():
        raise Conflict("the time given at this activity is already recorded", "participation")
    given = _decimal(hours if hours not in (None, "") else p.activity.hours, "hours")
    rate, currency = rate_for(p.activity.organisation, p.activity.kind)
    if rates.owed(given, rate, currency) > MOST["amount"]:
        raise DomainError("more hours than the ledger can hold at this rate", "hours")
    entry = HonorariumEntry.objects.create(
        organisation=p.activity.organisation, survivor=p.survivor, participation=p,
        kind=LedgerEntryKind.OWED, hours=given, rate=rate, currency=currency,
        amount=rates.owed(given, rate, currency), on=timezone.localdate(p.activity.starts_at),
        recorded_by_label=actor.label)
    audit.record(actor, "create", "honorarium_entry", entry.pk,
                 survivor_ref=p.survivor.reference, fields=["hours", "rate", "amount"],
                 note=f"owed for activity {p.activity_id}")
    return entry


@transaction.atomic
def record_payment(actor: Actor, survivor: Survivor, *, amount, currency: str, method: str,
                   on: dt.date, account_details: str = "") -> HonorariumEntry:
    """An honorarium paid: by cash, mobile money or bank; the account details are sealed."""
    _own(actor, survivor.organisation_id)
    if method not in PaymentMethod.values:
        raise DomainError(f"must be one of: {', '.join(PaymentMethod.values)}", "method")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise DomainError("a three-letter currency code", "currency")
    entry = HonorariumEntry.objects.create(
        organisation=actor.organisation, survivor=survivor, kind=LedgerEntryKind.PAID,
        amount=rates.owed(_decimal(amount, "amount"), Decimal(1), currency), currency=currency,
        method=method,
        account_details=_text(account_details, "account_details", limit=200, required=False),
        on=on, recorded_by_label=actor.label)
    audit.record(actor, "create", "honorarium_entry", entry.pk,
                 survivor_ref=survivor.reference,
                 fields=["amount", "method"] + (["account_details"] if account_details else []),
                 note="honorarium paid")
    return entry


# --- Consultations and what changed ----------------------------------------------------


@transaction.atomic
def record_consultation(actor: Actor, *, question: str, held_on: dt.date,
                        activity: Activity | None = None, others_consulted: int = 0
                        ) -> Consultation:
    if activity is not None:
        _own(actor, activity.organisation_id)
    if not isinstance(others_consulted, int) or others_consulted < 0:
        raise DomainError("a whole number ≥ 0", "others_consulted")
    c = Consultation.objects.create(
        organisation=actor.organisation, activity=activity,
        question=_text(question, "question", limit=500), held_on=held_on,
        others_consulted=others_consulted, created_by_label=actor.label)
    audit.record(actor, "create", "consultation", c.pk, fields=["question", "held_on"])
    return c


@transaction.atomic
def record_change(actor: Actor, consultation: Consultation, *, what_changed: str,
                  changed_on: dt.date) -> ConsultationChange:
    _own(actor, consultation.organisation_id)
    change = ConsultationChange.objects.create(
        consultation=consultation, what_changed=_text(what_changed, "what_changed", limit=500),
        changed_on=changed_on)
    audit.record(actor, "create", "consultation_change", change.pk,
                 note=f"consultation {consultation.pk}")
    return change


# --- Prevention and outreach (§3) ------------------------------------------------------


def _count(value, field: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise DomainError("a whole number ≥ 0", field) from None
    if number < 0 or number > 1_000_000:
        raise DomainError("a whole number ≥ 0", field)
    return number


@transaction.atomic
def record_outreach(actor: Actor, *, kind: str, held_on: dt.date, place: str, led_by: str,
                    topics: list[str] | None = None, country: str = "",
                    audience_women=0, audience_men=0, audience_children=0,
                    at_risk_families=0, leader_pseudonym: str = "") -> OutreachSession:
    if kind not in OutreachKind.values:
        raise DomainError(f"must be one of: {', '.join(OutreachKind.values)}", "kind")
    if led_by not in OutreachLeader.values:
        raise DomainError(f"must be one of: {', '.join(OutreachLeader.values)}", "led_by")
    topics = list(topics or [])
    for topic in topics:
        if topic not in OutreachTopic.values:
            raise DomainError(f"unknown topic {topic!r}", "topics")
    session = OutreachSession.objects.create(
        organisation=actor.organisation, kind=kind, held_on=held_on,
        place=_text(place, "place", limit=200), country=(country or "")[:2].upper(),
        topics=topics, led_by=led_by,
        audience_women=_count(audience_women, "audience_women"),
        audience_men=_count(audience_men, "audience_men"),
        audience_children=_count(audience_children, "audience_children"),
        at_risk_families=_count(at_risk_families, "at_risk_families"),
        leader_pseudonym=_text(leader_pseudonym, "leader_pseudonym", limit=60, required=False)
        if led_by == OutreachLeader.SURVIVOR_CHANGEMAKER else "",
        created_by=actor.user)
    audit.record(actor, "create", "outreach_session", session.pk,
                 fields=["kind", "held_on", "place", "audience", "led_by"])
    return session
