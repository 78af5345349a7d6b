"""A varied population for the figures and task tests: survivors with every state of
statistics consent, cases with priorities, delivered and undelivered plan items, timeline
events of every kind that gives a task (answered and not), and compensation claims on
every route, status and schedule. Seeded, so a failing comparison is reproducible.

Survivors, cases and consents go through the actions; the rest is written directly (these
tests compare two computations over the same rows, not the way rows are written).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from northstar.compensation import summary
from northstar.compensation.models import Claim, Instalment, Payment
from northstar.justice.models import TimelineEvent
from northstar.pathways.models import Outcome, PathwayAssessment, PlanItem, PlanStatus, Priorities
from northstar.survivors import actions
from northstar.survivors.models import Consent

ROUTES = ("criminal_restitution", "civil_suit", "state_fund", "labour_tribunal",
          "out_of_court_mediation")
STATUSES = ("draft", "filed", "awarded", "settled", "rejected", "paying", "paid_in_full",
            "defaulted")
TRIAL = ("yes", "no", "undecided")


def consent_state(survivor, state: str, actor) -> None:
    """Statistics consent in one of the states a population has."""
    if state == "none":
        return
    consent = actions.record_consent(actor, survivor, purpose="statistics", language="km",
                                     method="verbal")
    now = timezone.now()
    if state == "withdrawn":
        actions.withdraw_consent(actor, consent, reason="changed her mind")
    elif state == "expired":
        Consent.objects.filter(pk=consent.pk).update(expires_at=now - dt.timedelta(days=1))
    elif state == "expiring_later":
        Consent.objects.filter(pk=consent.pk).update(expires_at=now + dt.timedelta(days=30))
    elif state == "not_yet_given":
        Consent.objects.filter(pk=consent.pk).update(given_at=now + dt.timedelta(days=2))


CONSENT_STATES = ("given", "given", "withdrawn", "expired", "expiring_later", "none",
                  "not_yet_given")


def build(actor, n: int, *, seed: int = 13, today: dt.date | None = None) -> list:
    """``n`` survivors, each with one or two cases carrying everything the figures count."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    cases = []
    for i in range(n):
        survivor = actions.create_survivor(actor, data={"nationality": "KH", "languages": ["km"]})
        consent_state(survivor, CONSENT_STATES[i % len(CONSENT_STATES)], actor)
        for _ in range(1 + (i % 3 == 0)):
            case = actions.create_case(actor, survivor, data={"forms_of_exploitation": ["labour"]})
            case.trial_participation = rng.choice(TRIAL)
            case.save(update_fields=["trial_participation"])
            _pathways(actor, case, rng)
            _events(actor, case, rng, today)
            _claims(case, rng, today)
            cases.append(case)
    return cases


def _pathways(actor, case, rng) -> None:
    outcomes = list(Outcome.values)
    for k in range(rng.randint(0, 2)):
        rng.shuffle(outcomes)
        Priorities.objects.create(case=case, ranking=list(outcomes), words="",
                                  recorded_at=timezone.now() + dt.timedelta(minutes=k))
    assessment = PathwayAssessment.objects.create(case=case, rule_set_version="t")
    for outcome in outcomes:
        if rng.random() < 0.6:
            PlanItem.objects.create(case=case, intervention=f"i-{outcome}", pathway="p",
                                    outcome=outcome, assessment=assessment,
                                    eligibility_when_chosen="eligible",
                                    status=rng.choice(PlanStatus.values))


def _event(actor, case, kind, on, details=None, voided=False):
    return TimelineEvent.objects.create(
        case=case, kind=kind, stage="investigation", occurred_on=on, details=details or {},
        organisation=actor.organisation, recorded_by_label="test",
        voided_at=timezone.now() if voided else None)


def _events(actor, case, rng, today) -> None:
    def day(low, high):
        return today + dt.timedelta(days=rng.randint(low, high))

    for _ in range(rng.randint(0, 6)):
        kind = rng.choice(["reflection_period_start", "reflection_period_end", "hearing",
                           "follow_up_planned", "follow_up_done", "return", "shelter_stay",
                           "interview"])
        details = {}
        on = day(-60, 0)
        if kind == "reflection_period_start" and rng.random() < 0.5:
            details["ends_on"] = day(-20, 20).isoformat()
        elif kind == "hearing":
            on = day(-10, 20)
            details = {"testimony": rng.choice(["video", "in_person"]),
                       "faced_offender": rng.choice([True, False, None])}
            details = {k: v for k, v in details.items() if v is not None}
        elif kind == "follow_up_planned":
            on = day(-30, 5)
            details = {"due_on": (on + dt.timedelta(days=rng.randint(0, 20))).isoformat(),
                       "what": "call"}
        elif kind == "shelter_stay":
            details = {"shelter": "S", "curfew": False, "movement_restricted": False,
                       "ends_on": day(-2, 6).isoformat()}
        _event(actor, case, kind, on, details, voided=rng.random() < 0.1)


def _claims(case, rng, today) -> None:
    for _ in range(rng.randint(0, 2)):
        status = rng.choice(STATUSES)
        currency = rng.choice(["THB", "THB", "USD"])
        filed = today - dt.timedelta(days=rng.randint(100, 400))
        decided = filed + dt.timedelta(days=rng.randint(5, 90)) if rng.random() < 0.8 else None
        owed = Decimal(rng.randint(1, 50) * 100)
        awarded = owed if rng.random() < 0.5 else None
        agreed = owed if awarded is None and rng.random() < 0.7 else None
        claim = Claim.objects.create(
            case=case, route=rng.choice(ROUTES), status=status, payer="employer",
            currency=currency, amount_claimed=owed, amount_awarded=awarded,
            amount_agreed=agreed, filed_on=filed if rng.random() < 0.9 else None,
            decided_on=decided)
        parts = rng.randint(0, 4)
        for number in range(1, parts + 1):
            due = filed + dt.timedelta(days=30 * number + rng.choice([0, 0, 15]))
            Instalment.objects.create(
                claim=claim, number=number, due_on=due,
                amount=(owed / parts).quantize(Decimal("0.01")),
                superseded_at=timezone.now() if rng.random() < 0.1 else None)
        for _ in range(rng.randint(0, 3)):
            Payment.objects.create(
                claim=claim, received_on=filed + dt.timedelta(days=rng.randint(10, 200)),
                amount=Decimal(rng.randint(1, 20) * 50), proof_reference="")
        # Written directly, so the claim's kept summary is recomputed as the actions do.
        summary.refresh([claim.pk])
