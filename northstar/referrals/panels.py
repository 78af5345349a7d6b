"""Referrals on the shared pages: a case/survivor panel and caseload alerts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from northstar import policy
from northstar.core import ahead
from northstar.core.prepared import Prepared, Rows
from northstar.core.template_tags import url_of
from northstar.referrals.models import OPEN_STATES, Referral, ReferralStatus
from northstar.referrals.vocabulary import ANSWER_WITHIN_HOURS
from northstar.ui import panels
from northstar.ui.panels import Alert, ShownAlert

#: The referrals an organisation sent for one survivor, with recipient and service (the
#: case and survivor pages' panel): SQL written once per process.
_SENT_OF_SURVIVOR = Prepared(lambda org_id, survivor_id: Referral.objects.filter(
    survivor_id=survivor_id, sender_id=org_id).select_related("recipient", "service"),
    -7_320_000_121, -7_320_000_122)


def _panel(request, survivor, case=None) -> dict | None:
    actor = request.actor
    if not policy.works_with_records(actor):
        return None
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        return None
    referrals = _SENT_OF_SURVIVOR(actor.organisation.pk, survivor.pk)
    return {
        "referrals": referrals,
        "new_url": url_of("referrals:new") + f"?survivor={survivor.pk}"
        + (f"&case={case.pk}" if case else ""),
        "may_change": policy.may_change_survivor(actor, survivor),
    }


def case_panel(request, case) -> dict | None:
    return _panel(request, case.survivor, case)


def survivor_panel(request, survivor) -> dict | None:
    return _panel(request, survivor)


#: Hours a referral of an urgency the rules do not name may wait (``actions.overdue_unanswered``).
DEFAULT_ANSWER_HOURS = 168

#: How many of each kind of referral alert the caseload asks for when not told.
ALERT_LIMIT = 200


def _first(qs, limit):
    return qs if limit is None else qs[:limit]


#: Urgencies an incoming referral is shown first for.
PRESSING = ("urgent", "emergency")


def _incoming(org_id):
    return Referral.objects.filter(recipient_id=org_id, status=ReferralStatus.SENT).annotate(
        calm=Case(When(urgency__in=PRESSING, then=Value(0)), default=Value(1))).order_by(
        "calm", "sent_at", "pk").values("pk", "sent_at", "urgency", "sender__name")


def _own(org_id):
    # Only while the survivor is still the organisation's own: after a transfer, the old
    # organisation's access ends everywhere (as in ``selectors.visible_referrals``).
    return Referral.objects.filter(sender_id=org_id, survivor__organisation_id=org_id)


def _ended(own, now):
    # ``Consent.is_active`` as a filter: not yet given, withdrawn, or expired by now; on the
    # referral's copies of the consent's times, so only the ended ones are read (two ranges
    # of the ``referral_open_consent_*`` indexes), not every open referral with its consent.
    return own.filter(status__in=OPEN_STATES).filter(
        Q(consent_given_at__gt=now) | Q(consent_ends_at__lte=now)).order_by(
        "-sent_at", "-pk").values("pk", "survivor__reference", "recipient__name")


#: The hours a referral may wait, each urgency's and the default's, once each (the
#: unanswered query's cut-off times are passed in this order).
_WAITS = sorted({*ANSWER_WITHIN_HOURS.values(), DEFAULT_ANSWER_HOURS})


def _unanswered(own, cutoffs):
    """Unanswered past the time their urgency allows (``actions.overdue_unanswered``), the
    longest overdue first: the answer's due time worked out and compared in SQL.
    ``cutoffs``: now less each of ``_WAITS``."""
    before = dict(zip(_WAITS, cutoffs, strict=True))
    late = ~Q(urgency__in=list(ANSWER_WITHIN_HOURS)) \
        & Q(sent_at__lte=before[DEFAULT_ANSWER_HOURS])
    for u, h in ANSWER_WITHIN_HOURS.items():
        late |= Q(urgency=u, sent_at__lte=before[h])
    return own.filter(late, status=ReferralStatus.SENT).annotate(answer_due=Case(
        *[When(urgency=u, then=F("sent_at") + Value(dt.timedelta(hours=h)))
          for u, h in ANSWER_WITHIN_HOURS.items()],
        default=F("sent_at") + Value(dt.timedelta(hours=DEFAULT_ANSWER_HOURS)),
        output_field=DateTimeField())).order_by("answer_due", "pk").values(
        "pk", "answer_due", "survivor__reference", "recipient__name")


#: The caseload's three queries (an organisation's own alerts, no survivor named), their SQL
#: written once per process and cut (``core.prepared.Rows``).
_STAND_IN_NOW = dt.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC)
#: The organisation's id is written into the SQL (``written_in``): planned once per
#: connection, not afresh on every view (h-caseload5).
_INCOMING = Rows(_incoming, -7_330_000_011, written_in=(0,))
_ENDED = Rows(lambda org_id, now: _ended(_own(org_id), now), -7_330_000_012, _STAND_IN_NOW,
              written_in=(0,))
_UNANSWERED = Rows(lambda org_id, *cutoffs: _unanswered(_own(org_id), cutoffs), -7_330_000_013,
                   *(_STAND_IN_NOW - dt.timedelta(hours=h) for h in _WAITS), written_in=(0,))


def _first(qs, limit):
    return qs if limit is None else qs[:limit]


def referral_alerts(actor, *, limit: int | None = ALERT_LIMIT, survivor=None):
    """Referrals waiting for this organisation's answer, and its own referrals nobody answered.

    Read as plain rows (no referral, organisation or survivor built), each alert worded
    only if shown (``panels.ShownAlert``). Each kind is its own query, ordered by urgency and cut at ``limit`` in SQL (consent
    ended and unanswered are overdue; then urgent incoming referrals, then the others,
    oldest first): the most urgent ``limit`` of them all are among what comes back, and an
    organisation's thousands of open referrals are never read. With ``survivor`` (the case
    page), only alerts naming that survivor: ended consent and unanswered referrals.
    Without, the three queries' SQL is written once per process (``Rows``)."""
    if not policy.works_with_records(actor):
        return []
    org = actor.organisation
    today = timezone.localdate()
    now = ahead.now()  # the page's "now" (the caseload reads these two ahead with it)
    alerts = []
    url = panels.url_for_each("referrals:detail")
    if survivor is None:
        incoming = _INCOMING.rows(org.pk, limit=limit)
        ended = _ENDED.rows(org.pk, now, limit=limit)
        unanswered = _UNANSWERED.rows(
            org.pk, *(now - dt.timedelta(hours=h) for h in _WAITS), limit=limit)
    else:
        incoming = []
        own = _own(org.pk).filter(survivor=survivor)
        ended = _first(_ended(own, now), limit)
        unanswered = _first(_unanswered(own, [now - dt.timedelta(hours=h) for h in _WAITS]),
                            limit)
    for r in incoming:
        alerts.append(ShownAlert(
            timezone.localtime(r["sent_at"]).date(),
            "warning" if r["urgency"] in PRESSING else "info", "",
            lambda r=r: (f"Referral #{r['pk']} from {r['sender__name']} waits for your "
                         f"answer ({r['urgency']})", url(r["pk"]))))
    # Consent withdrawn or expired while the referral still stands: access has ended, but a
    # recipient outside Northstar only knows if someone tells them.
    for r in ended:
        alerts.append(ShownAlert(
            today, "overdue", r["survivor__reference"],
            lambda r=r: (f"{r['survivor__reference']}: consent for referral #{r['pk']} ended "
                         f"— tell {r['recipient__name']} and close the referral", url(r["pk"]))))
    for r in unanswered:
        alerts.append(ShownAlert(
            min(timezone.localtime(r["answer_due"]).date(), today), "overdue",
            r["survivor__reference"],
            lambda r=r: (f"{r['survivor__reference']}: referral #{r['pk']} to "
                         f"{r['recipient__name']} unanswered — chase or refer elsewhere",
                         url(r["pk"]))))
    return alerts


#: One survivor's open referrals sent by an organisation, with their recipients: what the
#: case page's referral alerts are chosen from (SQL written once per process).
_OPEN_SENT_OF_SURVIVOR = Prepared(
    lambda org_id, survivor_id: Referral.objects.filter(
        sender_id=org_id, survivor_id=survivor_id, status__in=[s.value for s in OPEN_STATES],
    ).select_related("recipient").order_by("-sent_at", "-pk"),
    -7_320_000_071, -7_320_000_072, constants=tuple(s.value for s in OPEN_STATES))


def survivor_referral_alerts(actor, survivor):
    """The same, for one survivor (the case page): ``referral_alerts(actor, survivor=…)``'s
    two kinds (consent ended, unanswered too long), chosen here from the survivor's open
    referrals (one query, a handful of rows) instead of by two queries whose conditions
    Django compiles on every page view. Only while the survivor is the organisation's own."""
    if not policy.works_with_records(actor):
        return []
    org = actor.organisation
    if survivor.organisation_id != org.pk:
        return []
    today = timezone.localdate()
    now = timezone.now()
    url = panels.url_for_each("referrals:detail")
    rows = _OPEN_SENT_OF_SURVIVOR(org.pk, survivor.pk)
    for r in rows:
        r.survivor = survivor
    alerts = [
        Alert(due=today,
              title=f"{r.survivor.reference}: consent for referral #{r.pk} ended "
                    f"— tell {r.recipient.name} and close the referral",
              url=url(r.pk), severity="overdue", survivor_reference=r.survivor.reference)
        for r in rows
        if (r.consent_given_at is not None and r.consent_given_at > now)
        or (r.consent_ends_at is not None and r.consent_ends_at <= now)]
    late = []
    for r in rows:
        if r.status != ReferralStatus.SENT:
            continue
        answer_due = r.sent_at + dt.timedelta(
            hours=ANSWER_WITHIN_HOURS.get(r.urgency, DEFAULT_ANSWER_HOURS))
        if answer_due <= now:
            late.append((answer_due, r.pk, r))
    for answer_due, _pk, r in sorted(late, key=lambda row: row[:2]):
        alerts.append(Alert(due=min(timezone.localtime(answer_due).date(), today),
                            title=f"{r.survivor.reference}: referral #{r.pk} to "
                                  f"{r.recipient.name} unanswered — chase or refer elsewhere",
                            url=url(r.pk), severity="overdue",
                            survivor_reference=r.survivor.reference))
    return alerts


def register() -> None:
    panels.register_case_panel("referrals", "referrals/panels/referrals.html", case_panel, order=55)
    panels.register_survivor_panel("referrals", "referrals/panels/referrals.html", survivor_panel,
                                   order=55)
    panels.register_alert_source("referrals", referral_alerts,
                                 for_survivor=survivor_referral_alerts)
