"""Referrals on the shared pages: a case/survivor panel and caseload alerts."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from northstar import policy
from northstar.referrals import actions
from northstar.referrals.models import Referral, ReferralStatus
from northstar.ui import panels
from northstar.ui.panels import Alert

OPEN_STATES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


def _panel(request, survivor, case=None) -> dict | None:
    actor = request.actor
    if not policy.works_with_records(actor):
        return None
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        return None
    referrals = list(Referral.objects.filter(survivor=survivor, sender=actor.organisation)
                     .select_related("recipient", "service"))
    return {
        "referrals": referrals,
        "new_url": reverse("referrals:new") + f"?survivor={survivor.pk}"
        + (f"&case={case.pk}" if case else ""),
        "may_change": policy.changeable_survivors(actor).filter(pk=survivor.pk).exists(),
    }


def case_panel(request, case) -> dict | None:
    return _panel(request, case.survivor, case)


def survivor_panel(request, survivor) -> dict | None:
    return _panel(request, survivor)


def referral_alerts(actor):
    """Referrals waiting for this organisation's answer, and its own referrals nobody answered."""
    if not policy.works_with_records(actor):
        return []
    org = actor.organisation
    today = timezone.localdate()
    alerts = []
    for r in Referral.objects.filter(recipient=org, status=ReferralStatus.SENT).select_related(
            "sender"):
        alerts.append(Alert(due=timezone.localtime(r.sent_at).date(),
                            title=f"Referral #{r.pk} from {r.sender.name} waits for your answer "
                                  f"({r.urgency})",
                            url=reverse("referrals:detail", args=[r.pk]),
                            severity="warning" if r.urgency in ("urgent", "emergency") else "info"))
    # Consent withdrawn or expired while the referral still stands: access has ended, but a
    # recipient outside Northstar only knows if someone tells them.
    # Only while the survivor is still the organisation's own: after a transfer, the old
    # organisation's access ends everywhere (as in ``selectors.visible_referrals``).
    live = Referral.objects.filter(sender=org, survivor__organisation=org,
                                   status__in=OPEN_STATES).select_related(
        "recipient", "survivor", "consent")
    for r in live:
        if not r.consent.is_active():
            alerts.append(Alert(due=today,
                                title=f"{r.survivor.reference}: consent for referral #{r.pk} ended "
                                      f"— tell {r.recipient.name} and close the referral",
                                url=reverse("referrals:detail", args=[r.pk]), severity="overdue",
                                survivor_reference=r.survivor.reference))
    for r, due in actions.overdue_unanswered(sender=org):
        if r.survivor.organisation_id != org.pk:
            continue
        alerts.append(Alert(due=min(timezone.localtime(due).date(), today),
                            title=f"{r.survivor.reference}: referral #{r.pk} to {r.recipient.name} "
                                  "unanswered — chase or refer elsewhere",
                            url=reverse("referrals:detail", args=[r.pk]), severity="overdue",
                            survivor_reference=r.survivor.reference))
    return alerts


def register() -> None:
    panels.register_case_panel("referrals", "referrals/panels/referrals.html", case_panel, order=55)
    panels.register_survivor_panel("referrals", "referrals/panels/referrals.html", survivor_panel,
                                   order=55)
    panels.register_alert_source("referrals", referral_alerts)
