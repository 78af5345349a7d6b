"""The counting functions insights calls give the right people counts on built data:
consent to statistics decides who is counted, another organisation's survivors never are,
each survivor counts once per moment (their latest answers), withdrawn answers not at all."""

import datetime as dt

import pytest
from django.utils import timezone

from northstar.core.tables import Count, Grid
from northstar.justice import actions as justice
from northstar.outcomes import actions, counting
from northstar.outcomes.rules import instruments
from northstar.survivors import actions as survivors
from northstar.survivors.models import Case, StatusChange
from tests.records import person

pytestmark = pytest.mark.django_db

WHO5 = [i.id for i in instruments.instrument("who5").items]


def _who5(*values):
    return dict(zip(WHO5, values, strict=True))


@pytest.fixture
def people(staff, caseworker, counted, users, actor_for):
    """Four counted survivors of organisation A, one not counted, one of organisation B."""
    def one(name, trial="undecided", *, count=True, who=staff):
        survivor = person(who.user, given_name=name, family_name="Counted")
        case = survivors.create_case(who, survivor, data={"forms_of_exploitation": ["labour"]})
        Case.objects.filter(pk=case.pk).update(trial_participation=trial)
        case.refresh_from_db()
        if count:
            survivors.record_consent(who, survivor, purpose="statistics", language="km",
                                     method="verbal")
        return case

    from northstar.core.roles import Role
    other = actor_for(users[("b", Role.CASEWORKER)])
    return {"s1": one("One", "yes"), "s2": one("Two", "no"), "s3": one("Three"),
            "s4": one("Four"), "s5": one("Five", count=False),
            "b1": one("Bee", who=other)}


def test_wellbeing_counts_people_per_band_and_moment(people, staff, actor_for, users):
    from northstar.core.roles import Role

    record = actions.record_survey
    record(staff, people["s1"], occasion="intake", answers=_who5(5, 4, 4, 4, 3))   # 80 good
    record(staff, people["s2"], occasion="intake", answers=_who5(2, 2, 2, 2, 2))   # 40 poor
    record(staff, people["s3"], occasion="intake", answers=_who5(1, 1, 1, 1, 1))   # 20 low
    record(staff, people["s4"], occasion="intake", answers=_who5(5, 5, 5, 5, None))  # no score
    record(staff, people["s5"], occasion="intake", answers=_who5(5, 5, 5, 5, 5))   # no consent
    record(actor_for(users[("b", Role.CASEWORKER)]), people["b1"], occasion="intake",
           answers=_who5(5, 5, 5, 5, 5))                                            # org B
    # Two hearings for s1: only the latest answers count for the hearing moment.
    today = timezone.localdate()
    for days, values in ((10, (0, 0, 0, 0, 0)), (5, (3, 3, 3, 3, 3))):
        event = justice.record_event(staff, people["s1"], kind="hearing",
                                     occurred_on=today - dt.timedelta(days=days),
                                     details={"testimony": "video"})
        record(staff, people["s1"], occasion=f"hearing:{event.pk}", answers=_who5(*values))

    [grid] = counting.wellbeing(people["s1"].organisation_id)
    assert isinstance(grid, Grid) and grid.measure == "outcomes.wellbeing.by_moment"
    assert grid.rows == ("low", "poor", "good")
    assert grid.columns == ("intake", "hearing", "mediation", "close", "follow_up")
    assert [grid.get(b, "intake") for b in grid.rows] == [Count(1, 3), Count(1, 3), Count(1, 3)]
    assert [grid.get(b, "hearing") for b in grid.rows] == [Count(0, 1), Count(0, 1), Count(1, 1)]
    assert grid.get("good", "close") == Count(0, 0)
    [grid_b] = counting.wellbeing(people["b1"].organisation_id)
    assert grid_b.get("good", "intake") == Count(1, 1)


def test_fairness_counts_agreement_per_dimension_by_moment_and_by_trial(people, staff):
    record = actions.record_survey
    record(staff, people["s1"], occasion="intake", answers={
        "pj_voice_story": 5, "pj_voice_decisions": 4, "pj_respect": 2})
    record(staff, people["s2"], occasion="intake", answers={
        "pj_voice_story": 5, "pj_voice_decisions": 2, "pj_neutral": 4})
    record(staff, people["s3"], occasion="intake", answers=_who5(1, 1, 1, 1, 1))
    record(staff, people["s5"], occasion="intake", answers={"pj_trust": 5})  # not counted
    by_moment, by_trial = counting.fairness(people["s1"].organisation_id)
    assert by_moment.rows == ("voice", "neutrality", "respect", "trust")
    assert by_moment.get("voice", "intake") == Count(1, 2)
    assert by_moment.get("neutrality", "intake") == Count(1, 1)
    assert by_moment.get("respect", "intake") == Count(0, 1)
    assert by_moment.get("trust", "intake") == Count(0, 0)
    assert by_trial.columns == ("yes", "no", "undecided")
    assert by_trial.get("voice", "yes") == Count(1, 1)
    assert by_trial.get("voice", "no") == Count(0, 1)
    assert by_trial.get("respect", "yes") == Count(0, 1)


def test_withdrawn_answers_are_not_counted(people, staff):
    response = actions.record_survey(staff, people["s1"], occasion="intake",
                                     answers=_who5(5, 5, 5, 5, 5) | {"pj_trust": 5})
    actions.withdraw_survey(staff, response)
    [wellbeing] = counting.wellbeing(people["s1"].organisation_id)
    assert wellbeing.get("good", "intake") == Count(0, 0)
    assert counting.fairness(people["s1"].organisation_id)[0].get("trust", "intake") == \
        Count(0, 0)


def test_follow_up_counts_due_done_missed_and_the_answers(people, staff):
    for key in ("s1", "s2", "s5"):
        case = people[key]
        survivors.close_case(staff, case, version=case.version, reason="goals_met")
        StatusChange.objects.filter(case=case).update(
            at=timezone.now() - dt.timedelta(days=100))
    actions.keep_check_ins()
    from northstar.outcomes.models import CheckIn

    actions.record_check_in(staff, CheckIn.objects.get(case=people["s1"], months=3),
                            answers={"safe": "yes", "housing": "stable", "income": "less",
                                     "reexploited": "no"})
    actions.record_check_in(staff, CheckIn.objects.get(case=people["s5"], months=3),
                            answers={"safe": "no"})  # not counted: no statistics consent
    grids = {g.measure: g for g in counting.follow_up(people["s1"].organisation_id)}
    status = grids["outcomes.follow_up.check_ins"]
    assert status.columns == ("3", "6", "12", "24")
    assert status.get("due", "3") == Count(2)
    assert status.get("done", "3") == Count(1, 2)
    assert status.get("open", "3") == Count(1, 2)
    assert status.get("missed", "3") == Count(0, 2)
    assert status.get("due", "6") == Count(0)
    assert grids["outcomes.follow_up.safe"].get("yes", "3") == Count(1, 1)
    assert grids["outcomes.follow_up.safe"].get("no", "3") == Count(0, 1)
    assert grids["outcomes.follow_up.housing"].get("stable", "3") == Count(1, 1)
    assert grids["outcomes.follow_up.income"].get("less", "3") == Count(1, 1)
    assert grids["outcomes.follow_up.reexploited"].get("no", "3") == Count(1, 1)


def test_the_counts_are_aggregate_queries_not_a_loop_over_records(people, staff,
                                                                  django_assert_max_num_queries):
    for key in ("s1", "s2", "s3", "s4"):
        actions.record_survey(staff, people[key], occasion="intake",
                              answers=_who5(3, 3, 3, 3, 3) | {"pj_voice_story": 4})
    org = people["s1"].organisation_id
    with django_assert_max_num_queries(1):
        counting.wellbeing(org)
    with django_assert_max_num_queries(1):
        counting.fairness(org)
    with django_assert_max_num_queries(1):
        counting.follow_up(org)


def test_a_period_counts_only_answers_given_in_it(people, staff):
    actions.record_survey(staff, people["s1"], occasion="intake", answers=_who5(5, 5, 5, 5, 5))
    today = timezone.localdate()
    org = people["s1"].organisation_id
    inside = counting.wellbeing(org, period=(today - dt.timedelta(days=1), today))[0]
    before = counting.wellbeing(org, period=(dt.date(2020, 1, 1), dt.date(2020, 12, 31)))[0]
    assert inside.get("good", "intake") == Count(1, 1)
    assert before.get("good", "intake") == Count(0, 0)


def test_every_outcomes_measure_names_a_counting_function_of_the_agreed_shape():
    import importlib
    import inspect
    import tomllib
    from pathlib import Path

    import northstar

    path = Path(northstar.__file__).parent / "insights" / "measures.toml"
    text = path.read_text(encoding="utf-8")
    assert "# --- outcomes ---" in text
    ours = [m for m in tomllib.loads(text)["measure"] if m["key"].startswith("outcomes.")]
    assert {m["key"] for m in ours} == {"outcomes.wellbeing", "outcomes.fairness",
                                        "outcomes.follow_up"}
    for measure in ours:
        assert {"key", "name", "definition", "numerator", "denominator", "unit", "splits",
                "source", "checked", "count"} <= set(measure)
        module, name = measure["count"].rsplit(".", 1)
        fn = getattr(importlib.import_module(module), name)
        params = inspect.signature(fn).parameters
        assert list(params) == ["organisation_id", "period"]
        assert params["period"].kind is inspect.Parameter.KEYWORD_ONLY
        assert params["period"].default is None


def test_merging_two_records_of_one_person_moves_their_answers(people, staff, supervisor,
                                                               actor_for):
    kept, merged = people["s1"].survivor, people["s2"].survivor
    response = actions.record_survey(staff, people["s2"], occasion="intake",
                                     answers=_who5(5, 5, 5, 5, 5))
    request = survivors.request_merge(staff, kept=kept, merged=merged,
                                      reason="Same mother's name and village.")
    survivors.decide_merge(actor_for(supervisor), request, approve=True)
    response.refresh_from_db()
    assert response.survivor_id == kept.pk
