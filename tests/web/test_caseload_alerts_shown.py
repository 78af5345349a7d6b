"""The caseload's "Needs attention" builds only what it shows (issue 13, branch h-caseload).

Each alert source reads its candidates as plain rows (what the merge needs: due date,
severity, survivor; and the few columns its words need), no model instance; the merge keeps
the most urgent of them all, and only the ten alerts of the page shown are worded (title,
translation, money, link). These tests hold the outcome to the records: the same alerts, in
the same order, as a reference built here the plain way from the models, and the same
audited read of the claims behind them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models.signals import post_init
from django.urls import reverse
from django.utils import timezone

from northstar import policy
from northstar.compensation import alerts as compensation_alerts
from northstar.compensation import figures
from northstar.compensation.models import Claim, CompensationAlert, Instalment
from northstar.core.models import AuditEntry
from northstar.justice import selectors as justice_selectors
from northstar.justice.models import TimelineEvent
from northstar.referrals.models import Referral
from northstar.referrals.vocabulary import ANSWER_WITHIN_HOURS
from northstar.safeguards import panels as safeguards_panels
from northstar.safeguards.models import Finding
from northstar.ui import panels
from tests.web.test_flat_in_alerts import add_alerts
from tests.web.test_intake import client_for

#: Records an alert is made from: the caseload builds none of them.
ALERT_RECORDS = (TimelineEvent, Finding, CompensationAlert, Instalment, Claim, Referral)


def _reference_alerts(actor, *, limit: int) -> list[tuple]:
    """Every source's ``limit`` most urgent alerts built from model instances, the way the
    sources did before they read rows, merged by urgency (registry order within a tie)."""
    today = timezone.localdate()
    now = timezone.now()
    org = actor.organisation
    by_source: dict[str, list[tuple]] = {}
    by_source["justice_timeline"] = [
        (t.due, t.severity, f"{case.reference}: {t.title}",
         reverse("justice:timeline", args=[case.pk]), case.survivor.reference)
        for case, t in justice_selectors.tasks_for(actor, today=today, limit=limit)]
    blocks = Finding.objects.filter(case__in=policy.visible_cases(actor), status="open",
                                    severity="block").order_by("created_at", "id")[:limit]
    by_source["do_no_harm"] = [
        (timezone.localdate(f.created_at), "warning", f"Do No Harm: {f.explanation}",
         reverse("safeguards:case", args=[f.case_id]), f.case.survivor.reference)
        for f in blocks]
    compensation = []
    for alert in compensation_alerts.open_alerts_for(actor, limit=limit):
        instalment, claim = alert.instalment, alert.instalment.claim
        compensation.append((
            instalment.due_on, "overdue",
            f"Compensation instalment {instalment.number} of "
            f"{figures.as_money(instalment.amount, claim.currency)} {claim.currency} overdue "
            f"({claim.get_route_display()})",
            reverse("compensation:claim", args=[claim.pk]), claim.case.survivor.reference))
    by_source["compensation_overdue"] = compensation
    pressing = ("urgent", "emergency")
    incoming = sorted(Referral.objects.filter(recipient=org, status="sent"),
                      key=lambda r: (r.urgency not in pressing, r.sent_at, r.pk))[:limit]
    referrals = [(timezone.localtime(r.sent_at).date(),
                  "warning" if r.urgency in pressing else "info",
                  f"Referral #{r.pk} from {r.sender.name} waits for your answer ({r.urgency})",
                  reverse("referrals:detail", args=[r.pk]), "") for r in incoming]
    late = []
    for r in Referral.objects.filter(sender=org, survivor__organisation=org, status="sent"):
        due = r.sent_at + dt.timedelta(hours=ANSWER_WITHIN_HOURS.get(r.urgency, 168))
        if due <= now:
            late.append((due, r.pk, r))
    referrals += [(min(timezone.localtime(due).date(), today), "overdue",
                   f"{r.survivor.reference}: referral #{r.pk} to {r.recipient.name} "
                   "unanswered — chase or refer elsewhere",
                   reverse("referrals:detail", args=[r.pk]), r.survivor.reference)
                  for due, _pk, r in sorted(late, key=lambda x: x[:2])[:limit]]
    by_source["referrals"] = referrals
    merged = [a for key in panels._alert_sources for a in by_source.get(key, [])]
    merged.sort(key=lambda a: (panels.SEVERITY_RANK.get(a[1], 3), a[0] or dt.date.max))
    return merged[:limit]


def _as_tuples(alerts) -> list[tuple]:
    return [(a.due, a.severity, a.title, a.url, a.survivor_reference) for a in alerts]


def test_the_caseloads_alerts_are_those_the_records_give_in_the_same_order(
        caseworker, actor_for, case_a, org_b):
    actor = actor_for(caseworker)
    # 30 of each kind: overdue follow-ups, instalments and unanswered referrals tie on due
    # dates across sources; blocks and urgent incoming referrals are warnings. 20 cuts every
    # source's list; 120 cuts the merged list among the warnings.
    add_alerts(actor, case_a, 30, partner=org_b)
    for limit, severities in ((20, {"overdue"}), (120, {"overdue", "warning"})):
        expected = _reference_alerts(actor, limit=limit)
        assert len(expected) == limit
        assert {a[1] for a in expected} == severities
        assert _as_tuples(panels.alerts_for(actor, limit=limit)) == expected


def test_the_caseload_builds_no_alert_record_and_words_only_the_page_shown(
        caseworker, actor_for, case_a, org_b):
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 30, partner=org_b)
    built: Counter = Counter()

    def count(sender, **kwargs):
        built[sender.__name__] += 1

    post_init.connect(count)
    try:
        page = panels.AlertPage(actor, 1, at_least=50)
        titles = [a.title for a in page]  # what the template reads of the page shown
        response = client_for(caseworker).get("/")
    finally:
        post_init.disconnect(count)
    assert response.status_code == 200
    assert not {model.__name__ for model in ALERT_RECORDS} & set(built), built
    assert len(page.alerts) == 51 and len(titles) == 10
    # The ten shown are worded; the forty-one kept for the pager and the table are not.
    assert [a.worded for a in page.alerts] == [True] * 10 + [False] * 41
    for title in titles:
        assert title in response.content.decode()


def test_the_caseload_audits_the_same_claims_behind_its_alerts(caseworker, actor_for, case_a,
                                                               org_b):
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 60, partner=org_b)
    client = client_for(caseworker)
    client.get("/")
    start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.get("/")
    [entry] = AuditEntry.objects.filter(pk__gt=start, record_type="compensation_claim")
    reference = compensation_alerts.open_alerts_for(actor, limit=51)
    claims = list(dict.fromkeys(str(a.instalment.claim_id) for a in reference))
    assert [str(i) for i in entry.record_ids] == claims
    assert entry.note == f"overdue instalment alerts: {len(reference)}"


def test_the_caseload_table_speaks_the_readers_language_with_the_links_reverse_gives(
        caseworker, case_a):
    """The table's words and links are worked out in the view (not per row in the template):
    still the reader's language, the reader's time zone and ``reverse()``'s links."""
    from django.utils import translation

    from northstar.core import places

    survivor = case_a.survivor
    client = client_for(caseworker)
    client.cookies["django_language"] = "km"
    html = client.get("/?whose=all").content.decode()
    with translation.override("km"):
        country = places.country_name(survivor.nationality, "km")
        status = case_a.get_status_display()
        survivor_url = reverse("survivor", args=[survivor.pk])
        case_url = reverse("case", args=[case_a.pk])
    assert survivor.nationality and country != survivor.nationality
    recorded = timezone.localtime(survivor.created_at).date().isoformat()
    assert (f'<a href="{survivor_url}">{survivor.reference}</a></td><td>{country}</td>'
            in html)
    assert f'<a href="{case_url}">{case_a.reference}</a> <small>{status}</small>' in html
    assert f"<td>{recorded}</td></tr>" in html


def test_a_do_no_harm_block_is_dated_by_the_organisations_day_not_utcs(
        caseworker, actor_for, case_a, org_b):
    """A block found at 20:00 UTC is found on the next day in Bangkok (UTC+7): the caseload
    and the case page date it by the local day, as every other alert is dated."""
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 1, partner=org_b)
    found_at = dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC)
    Finding.objects.filter(case=case_a).update(created_at=found_at)
    local_day = timezone.localdate(found_at)
    assert local_day != found_at.date()  # the project's zone is ahead of UTC
    shown = [a for a in panels.alerts_for(actor, limit=50) if "Do No Harm" in a.title]
    assert [a.due for a in shown] == [local_day]
    on_case_page = safeguards_panels.survivor_block_alerts(actor, case_a.survivor)
    assert [a.due for a in on_case_page] == [local_day]
