"""The pure timeline: details checked per kind, tasks derived, events mapped to safeguards."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from northstar.justice.timeline import (
    EVENT_KINDS,
    EventError,
    EventFacts,
    clean_details,
    current_stage,
    derive_tasks,
    reflection_period_active,
    safeguard_checks,
)

TODAY = dt.date(2026, 6, 10)


def ev(i, event_kind, day, stage="investigation", **details):
    return EventFacts(i, event_kind, day, stage, details)


def test_interview_details_must_say_who_and_whether_an_interpreter_was_there():
    with pytest.raises(EventError) as excinfo:
        clean_details("interview", {"interviewer": "Pol. Lt. A", "interviewer_role": "police",
                                    "language": "th", "video_recorded": False})
    assert excinfo.value.field == "details.interpreter_present"


def test_unknown_detail_and_bad_choice_are_named():
    with pytest.raises(EventError) as excinfo:
        clean_details("hearing", {"testimony": "video", "mood": "tense"})
    assert excinfo.value.field == "details.mood"
    with pytest.raises(EventError) as excinfo:
        clean_details("hearing", {"testimony": "shouted"})
    assert excinfo.value.field == "details.testimony"
    with pytest.raises(EventError) as excinfo:
        clean_details("party", {})
    assert excinfo.value.field == "kind"


def test_reflection_period_ending_soon_is_a_warning_then_overdue():
    start = ev(1, "reflection_period_start", TODAY - dt.timedelta(days=13),
               ends_on=(TODAY + dt.timedelta(days=1)).isoformat())
    [task] = derive_tasks([start], TODAY)
    assert task.kind == "reflection_period_ending" and task.severity == "warning"
    [late] = derive_tasks([start], TODAY + dt.timedelta(days=5))
    assert late.severity == "overdue"
    ended = ev(2, "reflection_period_end", TODAY)
    assert derive_tasks([start, ended], TODAY) == []


def test_hearing_tomorrow_is_a_warning_and_past_hearings_are_not_tasks():
    tomorrow = ev(1, "hearing", TODAY + dt.timedelta(days=1), "adjudication", testimony="video")
    past = ev(2, "hearing", TODAY - dt.timedelta(days=1), "adjudication", testimony="in_person")
    far = ev(3, "hearing", TODAY + dt.timedelta(days=40), "adjudication", testimony="in_person")
    tasks = derive_tasks([tomorrow, past, far], TODAY)
    assert [t.title for t in tasks] == ["Hearing tomorrow (video): prepare and accompany"]
    assert tasks[0].severity == "warning"


def test_follow_up_is_due_until_a_contact_is_recorded():
    planned = ev(1, "follow_up_planned", TODAY - dt.timedelta(days=10), "rehabilitation",
                 due_on=(TODAY - dt.timedelta(days=2)).isoformat(), what="check on medical care")
    [task] = derive_tasks([planned], TODAY)
    assert task.severity == "overdue" and "medical care" in task.title
    done = ev(2, "follow_up_done", TODAY - dt.timedelta(days=1), "rehabilitation")
    assert derive_tasks([planned, done], TODAY) == []


def test_a_return_asks_for_a_follow_up_thirty_days_later():
    back = ev(1, "return", TODAY - dt.timedelta(days=31), "reintegration_advocacy",
              destination_country="KH", voluntary=True, informed_consent=True)
    [task] = derive_tasks([back], TODAY)
    assert task.kind == "follow_up_due" and task.severity == "overdue"


def test_current_stage_follows_the_latest_event_not_the_order_of_stages():
    events = [ev(1, "hearing", TODAY - dt.timedelta(days=20), "adjudication", testimony="video"),
              ev(2, "stage_change", TODAY - dt.timedelta(days=2), "rehabilitation")]
    assert current_stage(events) == "rehabilitation"
    assert current_stage([]) is None


def test_reflection_period_is_active_between_start_and_end():
    start = ev(1, "reflection_period_start", TODAY, ends_on=(TODAY + dt.timedelta(days=14)).isoformat())
    assert reflection_period_active([start], TODAY + dt.timedelta(days=3))
    # A planned end date does not end it: only a recorded end does (issue 11 §5).
    assert reflection_period_active([start], TODAY + dt.timedelta(days=15))
    ended = ev(2, "reflection_period_end", TODAY + dt.timedelta(days=20))
    assert not reflection_period_active([start, ended], TODAY + dt.timedelta(days=21))
    assert not reflection_period_active([start], TODAY - dt.timedelta(days=1))


def test_third_interview_counts_two_previous_retellings():
    interviews = [ev(i, "interview", TODAY - dt.timedelta(days=10 - i), interviewer="x",
                     interviewer_role="police", language="km", interpreter_present=True,
                     video_recorded=False) for i in range(1, 4)]
    [(action, context)] = safeguard_checks(interviews[2], prior=interviews[:2], facts={})
    assert action == "interview" and context["previous_interviews"] == 2


def test_arrest_after_identification_is_checked_as_detaining_an_identified_victim():
    identified = ev(1, "identification_decision", TODAY - dt.timedelta(days=5), "identification",
                    outcome="identified")
    arrest = ev(2, "detention", TODAY, "investigation", kind="arrest", charged=True)
    checks = dict(safeguard_checks(arrest, prior=[identified], facts={"age": 30}))
    assert checks["detain"]["identified_as_victim"] is True
    assert "charge_with_offence" in checks


def test_a_shelter_stay_without_restrictions_is_not_a_safeguards_matter():
    stay = ev(1, "shelter_stay", TODAY, "rehabilitation", shelter="A", curfew=False,
              movement_restricted=False)
    assert safeguard_checks(stay, prior=[], facts={}) == []


@given(st.lists(st.tuples(st.sampled_from(["hearing", "follow_up_planned", "return",
                                           "reflection_period_start"]),
                          st.integers(-60, 60), st.integers(-10, 40)), max_size=12))
def test_tasks_are_always_sorted_by_due_date(specs):
    events = []
    for i, (kind, offset, length) in enumerate(specs, start=1):
        day = TODAY + dt.timedelta(days=offset)
        later = (day + dt.timedelta(days=abs(length))).isoformat()
        details = {"hearing": {"testimony": "video"},
                   "follow_up_planned": {"due_on": later, "what": "x"},
                   "return": {"destination_country": "KH", "voluntary": True,
                              "informed_consent": True},
                   "reflection_period_start": {"ends_on": later}}[kind]
        events.append(ev(i, kind, day, **details))
    tasks = derive_tasks(events, TODAY)
    assert [t.due for t in tasks] == sorted(t.due for t in tasks)
    assert all(t.severity in ("info", "warning", "overdue") for t in tasks)


def test_every_kind_has_a_label_and_known_stage():
    from northstar.justice.timeline import STAGES

    for spec in EVENT_KINDS.values():
        assert spec["label"] and (spec["stage"] is None or spec["stage"] in STAGES)


def test_the_first_video_recorded_statement_is_remembered():
    from northstar.justice.timeline import video_statement_on

    a = ev(1, "interview", TODAY - dt.timedelta(days=9), video_recorded=False)
    b = ev(2, "interview", TODAY - dt.timedelta(days=5), video_recorded=True)
    c = ev(3, "interview", TODAY - dt.timedelta(days=1), video_recorded=True)
    assert video_statement_on([a]) is None
    assert video_statement_on([c, a, b]) == b.occurred_on


def test_facing_the_offender_at_a_hearing_asks_for_a_check_in():
    hearing = ev(1, "hearing", TODAY - dt.timedelta(days=3), "adjudication",
                 testimony="in_person", faced_offender=True)
    [task] = derive_tasks([hearing], TODAY)
    assert task.kind == "follow_up_due" and task.severity == "overdue"
    assert "faced the offender" in task.title
    done = ev(2, "follow_up_done", TODAY - dt.timedelta(days=2), "adjudication")
    assert derive_tasks([hearing, done], TODAY) == []
    shielded = ev(3, "hearing", TODAY - dt.timedelta(days=3), "adjudication",
                  testimony="video", faced_offender=False)
    assert derive_tasks([shielded], TODAY) == []


def test_a_reflection_period_without_an_end_asks_for_one_to_be_agreed():
    start = ev(1, "reflection_period_start", TODAY - dt.timedelta(days=2), "reflection_period")
    [task] = derive_tasks([start], TODAY)
    assert task.kind == "reflection_period_end_unset"
    assert task.due == TODAY + dt.timedelta(days=5)
    ended = ev(2, "reflection_period_end", TODAY, "reflection_period")
    assert derive_tasks([start, ended], TODAY) == []
