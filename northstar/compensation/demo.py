"""Demo compensation data for the Thai NGO: a calculation, court and mediated claims with
schedules and payments (one instalment overdue), a fund with deposits and disbursements."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.compensation import alerts, calculations, claims, fund, mediations
from northstar.compensation.models import Claim
from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.survivors.models import Case


def _calc_input(start: dt.date) -> dict:
    return {
        "jurisdiction": "TH", "currency": "THB", "method": "statutory",
        "work_periods": [{"start": start.isoformat(), "end": (start + dt.timedelta(days=89)).isoformat(),
                          "days_worked": 78, "hours_per_day": 11, "normal_daily_hours": "8",
                          "agreed_daily_wage": "300", "statutory_daily_wage": "400",
                          "amount_paid": "6000"}],
        "recruitment_fees": "12000", "medical_costs": "3500", "travel_costs": "2800",
        "non_pecuniary": {"amount": "0", "justification": ""},
    }


def seed(context: dict) -> None:
    users = context["users"]
    caseworker, supervisor = users.get("caseworker.th"), users.get("supervisor.th")
    if caseworker is None or supervisor is None or Claim.objects.exists():
        return
    actor = Actor.for_user(caseworker, "cli")
    boss = Actor.for_user(supervisor, "cli")
    today = timezone.localdate()
    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    cases = list(Case.objects.filter(survivor__organisation=actor.organisation).order_by("id"))
    labour = [c for c in cases if "labour" in (c.forms_of_exploitation or [])
              and "sex" not in (c.forms_of_exploitation or [])]
    if not labour:
        return
    first = labour[0]
    calc = calculations.save_calculation(actor, first, data=_calc_input(ago(500)),
                                    label="Unpaid wages, fishing boat (demo)")
    court = claims.create_claim(actor, first, route="criminal_restitution", payer="offender",
                                 amount_claimed=str(calc.total), currency="THB",
                                 calculation_id=calc.pk, filed_on=ago(400),
                                 forum_reference="Demo Criminal Court 123/2568")
    court = claims.transition_claim(actor, court, to="awarded", on=ago(250), amount="30000")
    claims.set_schedule(actor, court, instalments=[
        {"due_on": ago(200), "amount": "10000"}, {"due_on": ago(140), "amount": "10000"},
        {"due_on": ago(80), "amount": "10000"}])
    claims.record_payment(actor, court, received_on=ago(190), amount="10000",
                           proof_reference="Court deposit slip (demo)")
    for case in labour[1:4]:
        if case.coercion != "low":
            continue
        try:
            opened = mediations.open_mediation(actor, case, opened_on=ago(300),
                                              mediator="Provincial labour office (demo)",
                                              parties=[{"role": "worker", "name": "Survivor"},
                                                       {"role": "employer", "name": "Demo Co."}])
        except DomainError:
            continue
        mediations.record_session(actor, opened, held_on=ago(290), outcome="progress")
        agreed = mediations.record_agreement(
            actor, opened, agreed_on=ago(280), amount="18000", currency="THB",
            payer="employer", terms="Unpaid wages in two instalments (demo).",
            term_kinds=["payment_in_instalments"], voluntary=True, interpreter_needed=True,
            interpreter_present=True,
            instalments=[{"due_on": ago(250), "amount": "9000"},
                         {"due_on": ago(220), "amount": "9000"}])
        claims.record_payment(actor, agreed, received_on=ago(252), amount="9000",
                              proof_reference="Bank transfer (demo)")
        claims.record_payment(actor, agreed, received_on=ago(221), amount="9000",
                              proof_reference="Bank transfer (demo)")
        break
    fund.deposit_to_fund(boss, amount="200000", received_on=ago(365), currency="THB",
                            source="Demo donor grant")
    for case, purpose, amount in zip(labour[:3], ("living_costs", "medical", "transport"),
                                     ("4500", "2200", "900"), strict=False):
        fund.disburse(actor, case.survivor, purpose=purpose, amount=amount, paid_on=ago(100),
                         approver_id=supervisor.pk, case=case)
    _figures_over_the_threshold(actor, cases, ago)
    alerts.raise_overdue_alerts(as_of=today)


def _figures_over_the_threshold(actor, cases, ago) -> None:
    """Enough labour-tribunal claims of survivors who consented to anonymous statistics
    that the researcher's figures show numbers, not hidden small groups (issue 14)."""
    counted = [c for c in cases if not Claim.objects.filter(case=c).exists()
               and c.survivor.consents.filter(
        purpose="statistics", withdrawn_at__isnull=True).exists()][:5]
    for i, case in enumerate(counted):
        claim = claims.create_claim(actor, case, route="labour_tribunal", payer="employer",
                                    amount_claimed=str(20000 + 2500 * i), currency="THB",
                                    filed_on=ago(320 - 10 * i))
        claim = claims.transition_claim(actor, claim, to="awarded", on=ago(200 - 10 * i),
                                        amount=str(16000 + 2000 * i))
        half = str(8000 + 1000 * i)
        claims.set_schedule(actor, claim, instalments=[
            {"due_on": ago(170 - 10 * i), "amount": half},
            {"due_on": ago(110 - 10 * i), "amount": half}])
        claims.record_payment(actor, claim, received_on=ago(172 - 10 * i), amount=half,
                              proof_reference="Bank transfer (demo)")
        if i % 4 != 3:  # most employers paid the second half on time; one did not yet
            claims.record_payment(actor, claim, received_on=ago(111 - 10 * i), amount=half,
                                  proof_reference="Bank transfer (demo)")
