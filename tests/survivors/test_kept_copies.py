"""Copies kept for the list indexes stay equal to what they copy, through every action (issue 13).

A case keeps its survivor's creation time and whether the survivor is archived; a survivor
whether it has any case; a referral its consent's given and end times; an overdue-instalment
alert its instalment's due date. Each is checked against the original after the actions that
could make them differ.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from northstar import policy
from northstar.compensation import alerts as compensation_alerts
from northstar.compensation.models import Claim, CompensationAlert, Instalment
from northstar.referrals import actions as referral_actions
from northstar.referrals.models import Referral
from northstar.survivors import actions, importer
from northstar.survivors.models import Case, MergeRequest, Survivor


def _copies_agree() -> None:
    for case in Case.objects.select_related("survivor"):
        assert case.survivor_created_at == case.survivor.created_at, case
        assert case.survivor_archived == (case.survivor.archived_at is not None), case
    for survivor in Survivor.objects.all():
        assert survivor.has_cases == Case.objects.filter(survivor=survivor).exists(), survivor


def _case(actor, survivor):
    return actions.create_case(actor, survivor, data={"forms_of_exploitation": ["labour"]})


def test_a_new_case_copies_its_survivor_and_marks_it_as_having_cases(caseworker, actor_for):
    actor = actor_for(caseworker)
    survivor = actions.create_survivor(actor, data={"nationality": "KH"})
    assert Survivor.objects.get(pk=survivor.pk).has_cases is False
    case = _case(actor, survivor)
    case.refresh_from_db()
    assert case.survivor_created_at == survivor.created_at and not case.survivor_archived
    _copies_agree()


def test_archiving_a_survivor_hides_their_live_cases_from_every_case_list(
        caseworker, supervisor, actor_for):
    actor = actor_for(caseworker)
    survivor = actions.create_survivor(actor, data={"nationality": "KH"})
    case = _case(actor, survivor)
    assert policy.visible_cases(actor).filter(pk=case.pk).exists()
    actions.archive_survivor(actor_for(supervisor), survivor)
    _copies_agree()
    assert Case.objects.get(pk=case.pk).archived_at is None  # the case itself is left as it was
    assert not policy.visible_cases(actor).filter(pk=case.pk).exists()


def test_a_merge_moves_the_copies_with_the_cases(caseworker, supervisor, actor_for):
    actor = actor_for(caseworker)
    kept = actions.create_survivor(actor, data={"nationality": "KH"})
    merged = actions.create_survivor(actor, data={"nationality": "KH"})
    Survivor.objects.filter(pk=merged.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30))
    merged.refresh_from_db()
    moved = _case(actor, merged)
    request = actions.request_merge(actor, kept=kept, merged=merged, reason="same person")
    actions.decide_merge(actor_for(supervisor), MergeRequest.objects.get(pk=request.pk),
                         approve=True)
    _copies_agree()
    moved.refresh_from_db()
    assert moved.survivor_id == kept.pk and moved.survivor_created_at == kept.created_at
    assert Survivor.objects.get(pk=kept.pk).has_cases


def test_the_bulk_import_writes_the_copies(caseworker, org_a, actor_for):
    rows = [{"given_name": f"Name{i}", "family_name": "Chan", "nationality": "KH"}
            for i in range(3)]
    cases = [{"forms_of_exploitation": ["labour"]}, None, {"forms_of_exploitation": ["sexual"]}]
    ids = importer.import_rows(actor_for(caseworker), org_a, [importer.check_row(r)
                                                              for r in rows],
                               cases=cases)
    assert [Survivor.objects.get(pk=pk).has_cases for pk in ids] == [True, False, True]
    _copies_agree()


def test_a_referral_copies_its_consent_and_withdrawing_it_ends_the_copy(
        caseworker, org_b, actor_for):
    actor = actor_for(caseworker)
    survivor = actions.create_survivor(actor, data={"nationality": "KH"})
    consent = actions.record_consent(actor, survivor, purpose="referral", recipient=org_b,
                                     language="km", method="written")
    referral = referral_actions.create_referral(actor, survivor=survivor, recipient=org_b,
                                                needs=["legal_aid"])
    referral.refresh_from_db()
    assert referral.consent_given_at == consent.given_at
    assert referral.consent_ends_at == consent.expires_at  # None: no end yet
    withdrawn = actions.withdraw_consent(actor, consent, reason="asked to stop")
    assert Referral.objects.get(pk=referral.pk).consent_ends_at == withdrawn.withdrawn_at


def test_an_overdue_alert_copies_its_instalments_due_date(case_a, caseworker):
    today = timezone.localdate()
    claim = Claim.objects.create(case=case_a, route="civil_suit", status="paying",
                                 payer="employer", currency="THB", amount_claimed=Decimal(300))
    due = [today - dt.timedelta(days=d) for d in (9, 4)]
    for n, day in enumerate(due, start=1):
        Instalment.objects.create(claim=claim, number=n, due_on=day, amount=Decimal(100))
    compensation_alerts.raise_overdue_alerts(as_of=today)
    alerts = CompensationAlert.objects.select_related("instalment")
    assert alerts.exists()
    for alert in alerts:
        assert alert.due_on == alert.instalment.due_on
