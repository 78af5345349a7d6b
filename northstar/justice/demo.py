"""A demo timeline on two Thai cases: interviews, a shelter with a curfew, a hearing ahead."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.core.actor import Actor
from northstar.justice import actions
from northstar.justice.models import TimelineEvent
from northstar.survivors.models import Case


def seed(context: dict) -> None:
    user = context["users"].get("caseworker.th")
    if user is None or TimelineEvent.objects.exists():
        return
    actor = Actor.for_user(user, "cli")
    cases = list(Case.objects.filter(survivor__organisation=actor.organisation).order_by("id")[:2])
    if not cases:
        return
    today = timezone.localdate()
    day = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    first = cases[0]
    actions.record_event(actor, first, kind="identification_decision", occurred_on=day(40),
                         details={"outcome": "identified", "ready_to_be_identified": True,
                                  "interpreter_present": True, "authority": "MDT (demo)"})
    for n, interp in ((35, True), (20, False), (10, True)):
        actions.record_event(actor, first, kind="interview", occurred_on=day(n), details={
            "interviewer": "Investigator (demo)", "interviewer_role": "police",
            "language": "th", "interpreter_present": interp, "video_recorded": False})
    actions.record_event(actor, first, kind="shelter_stay", occurred_on=day(30), details={
        "shelter": "Government shelter (demo)", "curfew": True, "movement_restricted": True,
        "restrictions": "may not leave without staff"})
    actions.record_event(actor, first, kind="hearing", occurred_on=today + dt.timedelta(days=1),
                         details={"testimony": "video", "court": "Criminal Court (demo)"})
    if len(cases) > 1:
        actions.record_event(actor, cases[1], kind="reflection_period_start", occurred_on=day(12))
