"""``is_child`` settles the age on the unsealed birth year when it can, and opens the sealed
date of birth only in the year a survivor may turn 18: the same answer as working the age
out from the date of birth every time (issue 13, lists)."""

import datetime as dt

import pytest

from northstar.core.errors import DomainError
from northstar.core.fields import Sealed
from northstar.survivors import actions
from northstar.survivors.models import ADULT_AGE, Survivor, child_on


def reference_is_child(birth_year, date_of_birth: str, when: dt.date):
    """The method before: the age from the date of birth when recorded, else the younger
    age the birth year allows, else unknown."""
    if date_of_birth:
        dob = dt.date.fromisoformat(date_of_birth)
        age = when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))
    elif birth_year:
        age = when.year - birth_year - 1
    else:
        return None
    return age < ADULT_AGE


BIRTHS = ["2008-01-01", "2008-02-29", "2008-03-01", "2008-06-15", "2008-12-31",
          "2007-12-31", "2009-01-01", "2000-02-29", "1990-07-04", "2020-05-05", ""]
YEAR_ONLY = [None, 1990, 2007, 2008, 2009, 2020]


def _days_around_18th_birthdays():
    days = set()
    for year in (2025, 2026, 2027, 2028):
        for month, day in ((1, 1), (2, 28), (3, 1), (6, 14), (6, 15), (6, 16),
                           (12, 30), (12, 31)):
            days.add(dt.date(year, month, day))
    days.add(dt.date(2024, 2, 29))
    days.add(dt.date(2026, 2, 28))
    days.add(dt.date(2018, 2, 28))
    days.add(dt.date(2018, 3, 1))
    return sorted(days)


@pytest.mark.parametrize("when", _days_around_18th_birthdays())
def test_the_age_from_the_birth_year_gives_the_same_answer_as_the_date_of_birth(when):
    compared = 0
    for dob in BIRTHS:
        for year in ([int(dob[:4])] if dob else YEAR_ONLY):
            survivor = Survivor(birth_year=year, date_of_birth=dob)
            assert survivor.is_child(when) == reference_is_child(year, dob, when), (dob, year, when)
            assert survivor.is_child(when) == (None if survivor.age_on(when) is None
                                               else survivor.age_on(when) < ADULT_AGE)
            compared += 1
    assert compared == len(BIRTHS) - 1 + len(YEAR_ONLY)


def test_unknown_age_stays_unknown_and_a_year_only_survivor_of_17_or_18_is_a_child():
    assert child_on(None, "", dt.date(2026, 6, 1)) is None
    assert child_on(2008, "", dt.date(2026, 12, 31)) is True  # 17 or 18: a possible child
    assert child_on(2008, "", dt.date(2027, 1, 1)) is False


def test_the_date_of_birth_is_not_opened_when_the_birth_year_settles_the_age():
    unopenable = Sealed("ns1.not-a-real-token", "survivors.survivor.date_of_birth")
    assert child_on(1990, unopenable, dt.date(2026, 6, 1)) is False
    assert child_on(2015, unopenable, dt.date(2026, 6, 1)) is True
    with pytest.raises(Exception):  # noqa: B017 - the year a survivor may turn 18 opens it
        child_on(2008, unopenable, dt.date(2026, 6, 1))


def test_a_stored_survivor_turning_18_this_year_is_answered_from_the_sealed_date(
        caseworker, actor_for):
    s = actions.create_survivor(actor_for(caseworker), data={"date_of_birth": "2008-06-15"})
    s = Survivor.objects.get(pk=s.pk)
    assert isinstance(s.date_of_birth, Sealed) and s.birth_year == 2008
    assert s.is_child(dt.date(2026, 6, 14)) is True
    assert s.is_child(dt.date(2026, 6, 15)) is False


def test_a_birth_year_that_disagrees_with_the_recorded_date_of_birth_is_refused(
        api, caseworker, actor_for):
    s = actions.create_survivor(actor_for(caseworker), data={"date_of_birth": "2008-06-15"})
    with pytest.raises(DomainError) as refused:
        actions.update_survivor(actor_for(caseworker), s, version=1,
                                changes={"birth_year": 1990})
    assert refused.value.field == "birth_year"
    r = api(caseworker).patch(f"/api/v1/survivors/{s.pk}", {"version": 1, "birth_year": 1990})
    assert r.status_code == 422 and r.json()["field"] == "birth_year"
    assert Survivor.objects.get(pk=s.pk).birth_year == 2008
    # The same year is accepted; a new date of birth moves the year with it.
    same = actions.update_survivor(actor_for(caseworker), s, version=1,
                                   changes={"birth_year": 2008})
    moved = actions.update_survivor(actor_for(caseworker), same, version=same.version,
                                    changes={"date_of_birth": "1999-03-02"})
    assert moved.birth_year == 1999


def test_a_birth_year_and_a_cleared_date_of_birth_may_be_changed_together(caseworker,
                                                                          actor_for):
    s = actions.create_survivor(actor_for(caseworker), data={"date_of_birth": "2008-06-15"})
    changed = actions.update_survivor(actor_for(caseworker), s, version=1,
                                      changes={"date_of_birth": "", "birth_year": 1990})
    assert changed.birth_year == 1990
    assert changed.is_child(dt.date(2026, 6, 1)) is False
