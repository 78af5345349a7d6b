"""The figures read each claim's kept summary (``compensation.summary``) instead of its
payments: through the real actions (payments on time, late and back-dated, a schedule
replaced, a claim withdrawn, a case and a survivor archived) the organisation's figures
stay exactly what the record-by-record Python arithmetic says of the same claims; and they
ask the database the same number of questions for 3 claims as for 30."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.compensation import claims, figures, reports, summary
from northstar.compensation.claims import claim_facts
from northstar.compensation.models import Claim, Instalment, Payment
from northstar.core.actor import Actor
from northstar.survivors import actions


def record_by_record(found, as_of):
    """The figures as the per-claim Python arithmetic gives them from the claims' rows."""
    facts = [claim_facts(c) for c in found.prefetch_related("payments", "instalments")]
    return figures.organisation_figures(facts, as_of)


def assert_same_figures(actor, today):
    found = reports.organisation_claims(actor)
    for as_of in (today, today - dt.timedelta(days=160), today + dt.timedelta(days=90)):
        assert reports.figures_in_sql(found, as_of) == record_by_record(found, as_of), as_of


@pytest.fixture
def two_cases(caseworker, actor_for):
    actor = actor_for(caseworker)
    made = []
    for name in ("Demo Malai", "Demo Thida"):
        survivor = actions.create_survivor(actor, data={
            "given_name": name, "family_name": "Testperson", "nationality": "KH"})
        made.append(actions.create_case(actor, survivor, data={
            "forms_of_exploitation": ["labour"]}))
    return made


def test_the_kept_summary_follows_every_action_and_the_figures_stay_exact(
        caseworker, supervisor, actor_for, two_cases):
    worker, boss = actor_for(caseworker), actor_for(supervisor)
    today = timezone.localdate()

    def ago(days):
        return today - dt.timedelta(days=days)

    first, second = two_cases
    court = claims.create_claim(worker, first, route="civil_suit", payer="employer",
                                amount_claimed="3000", currency="THB", filed_on=ago(400))
    court = claims.transition_claim(worker, court, to="awarded", on=ago(380), amount="3000")
    fund = claims.create_claim(worker, second, route="state_fund", payer="state_fund",
                               amount_claimed="500", currency="USD", filed_on=ago(300))
    fund = claims.transition_claim(worker, fund, to="settled", on=ago(290), amount="500")
    assert_same_figures(boss, today)

    # A schedule: one instalment long past, one past, one to come.
    claims.set_schedule(worker, court, instalments=[
        {"due_on": ago(300), "amount": "1000"}, {"due_on": ago(200), "amount": "1000"},
        {"due_on": today + dt.timedelta(days=30), "amount": "1000"}])
    claims.set_schedule(worker, fund, instalments=[{"due_on": ago(100), "amount": "500"}])
    court.refresh_from_db()
    assert court.last_due_on == today + dt.timedelta(days=30)
    assert court.received_total == 0 and court.first_paid_on is None
    assert_same_figures(boss, today)

    # Paid on time for the first, late for the second (the money came after its due day).
    claims.record_payment(worker, court, received_on=ago(310), amount="1000",
                          proof_reference="slip 1")
    claims.record_payment(worker, court, received_on=ago(150), amount="1000",
                          proof_reference="slip 2")
    covered = dict(Instalment.objects.filter(claim=court, superseded_at__isnull=True)
                   .values_list("due_on", "covered_on_time"))
    assert covered == {ago(300): True, ago(200): False, today + dt.timedelta(days=30): False}
    assert_same_figures(boss, today)

    # A payment recorded today but received before the second instalment fell due (a late
    # entry of an old slip) makes that instalment on time after all.
    claims.record_payment(worker, fund, received_on=ago(250), amount="200",
                          proof_reference="fund slip")
    claims.record_payment(worker, court, received_on=ago(210), amount="500",
                          proof_reference="slip 0")
    court.refresh_from_db()
    assert (court.received_total, court.first_paid_on, court.last_paid_on) == (
        Decimal("2500.00"), ago(310), ago(150))
    assert Instalment.objects.get(claim=court, due_on=ago(200)).covered_on_time is False
    assert_same_figures(boss, today)

    # The schedule replaced: the old instalments no longer count, the new ones are judged
    # against every payment already received.
    claims.set_schedule(worker, court, instalments=[
        {"due_on": ago(305), "amount": "1000"}, {"due_on": ago(140), "amount": "2000"}])
    court.refresh_from_db()
    assert court.last_due_on == ago(140)
    assert list(Instalment.objects.filter(claim=court, superseded_at__isnull=True)
                .order_by("due_on").values_list("covered_on_time", flat=True)) == [True, False]
    assert not Instalment.objects.filter(claim=court, superseded_at__isnull=False,
                                         covered_on_time=True).exists()
    assert_same_figures(boss, today)

    # Paid in full (the claim moves on by itself); the fund's claim defaulted; a third
    # claim filed, then withdrawn.
    claims.record_payment(worker, court, received_on=ago(100), amount="500",
                          proof_reference="slip 3")
    claims.transition_claim(worker, fund, to="defaulted", on=today)
    tribunal = claims.create_claim(worker, second, route="labour_tribunal", payer="employer",
                                   amount_claimed="800", currency="THB", filed_on=ago(30))
    assert_same_figures(boss, today)
    claims.transition_claim(worker, tribunal, to="withdrawn", on=today)
    assert Claim.objects.get(pk=court.pk).status == "paid_in_full"
    everything = reports.figures_in_sql(reports.organisation_claims(boss), today)["all"]
    assert everything["by_status"] == {"defaulted": 1, "paid_in_full": 1, "withdrawn": 1}
    assert everything["obligations_fully_due"] == 2
    assert everything["money"]["THB"]["received"] == "3000.00"
    assert_same_figures(boss, today)

    # Archived records leave the figures (their claims keep their summary).
    actions.archive_case(worker, second)
    assert reports.figures_in_sql(reports.organisation_claims(boss), today)["all"]["claims"] == 1
    assert_same_figures(boss, today)
    actions.archive_survivor(worker, first.survivor)
    assert reports.figures_in_sql(reports.organisation_claims(boss), today)["all"]["claims"] == 0
    assert_same_figures(boss, today)


def test_recomputing_the_summary_changes_nothing_the_actions_kept(
        caseworker, actor_for, two_cases):
    worker = actor_for(caseworker)
    today = timezone.localdate()
    claim = claims.create_claim(worker, two_cases[0], route="labour_tribunal", payer="employer",
                                amount_claimed="900", currency="THB",
                                filed_on=today - dt.timedelta(days=90))
    claim = claims.transition_claim(worker, claim, to="awarded", on=today - dt.timedelta(days=80),
                                    amount="900")
    claims.set_schedule(worker, claim, instalments=[
        {"due_on": today - dt.timedelta(days=60), "amount": "300"},
        {"due_on": today - dt.timedelta(days=30), "amount": "600"}])
    claims.record_payment(worker, claim, received_on=today - dt.timedelta(days=61), amount="300",
                          proof_reference="r")

    def kept():
        row = Claim.objects.filter(pk=claim.pk).values(
            "received_total", "first_paid_on", "last_paid_on", "last_due_on").get()
        return row, list(Instalment.objects.filter(claim=claim).order_by("id")
                         .values_list("covered_on_time", flat=True))

    before = kept()
    assert before[1] == [True, False]
    summary.refresh_all()
    summary.refresh([claim.pk])
    assert kept() == before


def _claims(case, n):
    today = timezone.localdate()
    for i in range(n):
        claim = Claim.objects.create(
            case=case, route=figures.ROUTES[i % 5], status=("paying", "awarded", "filed")[i % 3],
            payer="employer", currency=("THB", "USD")[i % 2], amount_claimed=1000,
            amount_awarded=1000, filed_on=today - dt.timedelta(days=200 + i),
            decided_on=today - dt.timedelta(days=150))
        Instalment.objects.create(claim=claim, number=1, amount=1000,
                                  due_on=today - dt.timedelta(days=100 - i))
        Payment.objects.create(claim=claim, amount=400 + i,
                               received_on=today - dt.timedelta(days=120 - i))
        summary.refresh([claim.pk])


@pytest.mark.parametrize("role", ["supervisor", "researcher"])
def test_the_figures_ask_as_many_queries_for_30_claims_as_for_3(users, case_a, role):
    actor = Actor.for_user(users[("a", role)], "api")
    today = timezone.localdate()
    counted = []
    for n in (3, 27):
        _claims(case_a, n)
        with CaptureQueriesContext(connection) as captured:
            report = reports.organisation_report(actor, as_of=today)
        counted.append(len(captured.captured_queries))
        if role == "supervisor":
            assert report["all"]["claims"] == Claim.objects.count()
    assert Claim.objects.count() == 30
    assert counted[0] == counted[1]
