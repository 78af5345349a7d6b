"""The outcome measures counted by one statement each (``outcomes/counting.py``) give the
very grids the previous ORM counting gave (``reference_counting.py``, its anti-joins kept
as they were), over a varied population — several responses per survivor and moment,
survivors with two cases, withdrawn responses, "rather not say", no consent, another
organisation — for all time and for a period: same rows, columns and cells."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from northstar.core.roles import Role
from northstar.outcomes import counting
from northstar.outcomes.models import (
    CheckIn,
    Housing,
    Income,
    Reexploited,
    Safe,
    SurveyAnswer,
    SurveyResponse,
)
from northstar.outcomes.rules import instruments
from northstar.survivors import actions as survivors
from northstar.survivors.models import Case
from tests.outcomes import reference_counting
from tests.records import person

pytestmark = pytest.mark.django_db

FUNCTIONS = ("wellbeing", "fairness", "follow_up")
TODAY = dt.date(2026, 6, 30)
PERIODS = (None, (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
           (dt.date(2026, 1, 1), dt.date(2028, 12, 31)))


def _shape(grids) -> dict:
    return {g.measure: (g.rows, g.columns, g.additive_rows, g.additive_columns, g.unit,
                        {k: (c.people, c.of) for k, c in g.cells.items()}) for g in grids}


def _answer(rng, response, moment: str) -> bool:
    """Answers for the instruments of ``moment``: some items left out, some "rather not
    say"; True when any WHO-5 item was left out (no score)."""
    scale_of = {}
    partial = False
    rows, who5 = [], {}
    for key in instruments.moment(moment).instruments:
        inst = instruments.instrument(key)
        values = instruments.scale(inst.scale).values
        scale_of[key] = values
        for item in inst.items:
            roll = rng.random()
            value = None if roll < 0.1 else rng.choice(list(values))
            if key == "who5":
                who5[item.id] = value
                partial = partial or value is None
            elif roll > 0.9:
                continue  # not asked / left out
            rows.append(SurveyAnswer(response=response, instrument=key, item=item.id,
                                     dimension=item.dimension or "", value=value))
    SurveyAnswer.objects.bulk_create(rows)
    if who5 and not partial:
        response.who5_score = instruments.who5_score(who5)
        response.save(update_fields=["who5_score"])
    return partial


@pytest.fixture
def population(staff, users, actor_for):
    rng = random.Random(13)
    other = actor_for(users[("b", Role.CASEWORKER)])
    moments = [m.id for m in instruments.moments()]
    cases = []
    for i in range(24):
        who = other if i % 8 == 7 else staff
        survivor = person(who.user, given_name=f"Counted{i}", family_name="Statement")
        case = survivors.create_case(who, survivor,
                                     data={"forms_of_exploitation": ["labour"]})
        Case.objects.filter(pk=case.pk).update(
            trial_participation=rng.choice(["yes", "no", "undecided"]))
        cases.append(case)
        if i % 5 == 3:  # a second case of the same person, with other participation
            second = survivors.create_case(who, survivor,
                                           data={"forms_of_exploitation": ["sex"]})
            Case.objects.filter(pk=second.pk).update(trial_participation="yes")
            cases.append(second)
        if i % 6 != 5:  # a sixth never consented to statistics
            survivors.record_consent(who, survivor, purpose="statistics", language="km",
                                     method="verbal")
    for n, case in enumerate(Case.objects.filter(pk__in=[c.pk for c in cases])
                             .select_related("survivor").order_by("pk")):
        for k in range(rng.randint(0, 5)):
            moment = rng.choice(moments)
            answered = TODAY - dt.timedelta(days=rng.randint(0, 800))
            response = SurveyResponse.objects.create(
                survivor=case.survivor, case=case, moment=moment, occasion=f"o{n}-{k}",
                occurred_on=answered, channel="read_aloud", answered_on=answered,
                recorded_by_label="test",
                withdrawn_at=timezone.now() if rng.random() < 0.1 else None)
            _answer(rng, response, moment)
        if rng.random() < 0.6:  # closed some time ago: check-ins at each mark
            closed = TODAY - dt.timedelta(days=rng.randint(30, 900))
            for months in (3, 6, 12, 24):
                due = closed + dt.timedelta(days=30 * months)
                ends = due + dt.timedelta(days=30)
                done = (due + dt.timedelta(days=rng.randint(-5, 45))
                        if rng.random() < 0.6 else None)
                CheckIn.objects.create(
                    case=case, survivor=case.survivor, closed_on=closed, months=months,
                    due_on=due, window_ends=ends, done_on=done,
                    safe=rng.choice(["", *Safe.values]), housing=rng.choice(["", *Housing.values]),
                    income=rng.choice(["", *Income.values]),
                    reexploited=rng.choice(["", *Reexploited.values]),
                    cancelled_at=timezone.now() if rng.random() < 0.05 else None,
                    withdrawn_at=timezone.now() if rng.random() < 0.1 else None)
    return {c.organisation_id for c in cases}


def test_the_statements_count_what_the_anti_joins_counted(population):
    cells = 0
    for org in population:
        for name in FUNCTIONS:
            for period in PERIODS:
                now = _shape(getattr(counting, name)(org, period=period))
                before = _shape(getattr(reference_counting, name)(org, period=period))
                assert now == before, (name, org, period)
                cells += sum(sum(1 for people, _of in shape[-1].values() if people)
                             for shape in now.values())
    assert cells > 40, "the population must fill cells"


def test_an_organisation_with_no_answers_gets_the_same_empty_grids(org_a):
    for name in FUNCTIONS:
        assert _shape(getattr(counting, name)(org_a.pk)) == \
            _shape(getattr(reference_counting, name)(org_a.pk))


def test_each_outcome_measure_is_one_query(population, django_assert_num_queries):
    for org in population:
        for name in FUNCTIONS:
            with django_assert_num_queries(1):
                getattr(counting, name)(org)
