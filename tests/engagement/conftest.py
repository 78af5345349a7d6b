"""Engagement fixtures: a coordinator, a survivor who said yes to taking part, activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from northstar.core.roles import Role
from northstar.engagement import actions as engagement
from northstar.engagement.models import ActivityKind
from northstar.survivors import actions as survivors


@pytest.fixture
def coordinator(users):
    return users[("a", Role.COUNCIL_COORDINATOR)]


@pytest.fixture
def coord(coordinator, actor_for):
    return actor_for(coordinator)


@pytest.fixture
def consenting(survivor_a, caseworker, actor_for):
    """Survivor A with an engagement consent in force (an adult, born 1998)."""
    survivors.record_consent(actor_for(caseworker), survivor_a, purpose="engagement",
                             language="km", method="verbal")
    return survivor_a


@pytest.fixture
def make_activity(coord):
    def build(*, days: int = 7, **extra):
        values = {"kind": "advisory_council", "title": "Council meeting", "hours": "2",
                  "starts_at": timezone.now() + dt.timedelta(days=days),
                  "offender_may_be_present": False, **extra}
        return engagement.create_activity(coord, **values)

    return build


def held(activity, *, days_ago: int = 1):
    """Move an activity into the past (as if time had passed since the invitation)."""
    type(activity).objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=days_ago))
    activity.refresh_from_db()
    return activity


@pytest.fixture
def people(caseworker, actor_for):
    """``people(n)``: n survivors of organisation A, each with an engagement consent unless
    ``consent=False`` (the paged lists' tests: councils, activities, honoraria)."""
    staff = actor_for(caseworker)
    made = []

    def more(n: int, *, consent: bool = True) -> list:
        for _ in range(n):
            k = len(made) + 1
            person = survivors.create_survivor(staff, data={
                "given_name": f"Member {k}", "nationality": "KH", "languages": ["km"],
                "date_of_birth": "1990-01-01"})
            if consent:
                survivors.record_consent(staff, person, purpose="engagement", language="km",
                                         method="verbal")
            made.append(person)
        return made[-n:]

    return more


@pytest.fixture
def council(coord):
    return engagement.create_council(coord, name="Survivor council",
                                     kind=ActivityKind.ADVISORY_COUNCIL)
