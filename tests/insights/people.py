"""Survivors for the insights tests, made to a recipe: how many, with or without a trial,
which outcome they ranked first and whether it was delivered, with or without statistics
consent. Survivors, cases and consents go through the actions; priorities and plan items
are written directly (what is tested is how they are counted)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.core.actor import Actor
from northstar.core.models import Organisation
from northstar.pathways.models import Outcome, PathwayAssessment, PlanItem, Priorities
from northstar.survivors import actions
from northstar.survivors.models import Case
from tests.conftest import make_user

_made = {"n": 0}


def organisation(name: str, *, kind: str = "ngo", jurisdiction: str = "TH") -> Organisation:
    _made["n"] += 1
    return Organisation.objects.create(name=name, kind=kind, jurisdiction=jurisdiction,
                                       code=f"IN{_made['n']:04d}"[-8:])


def member(organisation: Organisation, role: str) -> Actor:
    _made["n"] += 1
    user = make_user(f"{role}.{_made['n']}", organisation, role)
    return Actor.for_user(user, "web")


def survivors(actor: Actor, n: int, *, trial: str = "no",
              first: str = Outcome.MONETARY_SUPPORT, delivered: bool = False,
              consent: bool = True, opened: dt.datetime | None = None,
              sex: str = "female", birth_year: int | None = 1995) -> list[Case]:
    """``n`` survivors of ``actor``'s organisation, one case each, as the recipe says."""
    others = [o for o in Outcome.values if o != first]
    cases = []
    for _ in range(n):
        data = {"nationality": "KH", "languages": ["km"], "sex": sex}
        if birth_year:
            data["birth_year"] = birth_year
        survivor = actions.create_survivor(actor, data=data)
        if consent:
            actions.record_consent(actor, survivor, purpose="statistics", language="km",
                                   method="verbal")
        case = actions.create_case(actor, survivor, data={"forms_of_exploitation": ["labour"]})
        Case.objects.filter(pk=case.pk).update(
            trial_participation=trial, created_at=opened or timezone.now())
        Priorities.objects.create(case=case, ranking=[first, *others], words="")
        assessment = PathwayAssessment.objects.create(case=case, rule_set_version="t")
        PlanItem.objects.create(case=case, intervention="state_compensation",
                                pathway="procedural", outcome=first, assessment=assessment,
                                eligibility_when_chosen="eligible",
                                status="delivered" if delivered else "agreed")
        cases.append(case)
    return cases
