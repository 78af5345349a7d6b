"""The justice chain: its stages, the events worth recording, and what they imply.

Pure Python (no Django). ``clean_details`` checks an event's details against
its kind; ``derive_tasks`` turns a case's events into the tasks a caseworker
must act on (reflection period ending, hearing tomorrow, follow-up due);
``safeguard_checks`` maps an event to the Do No Harm actions it amounts to and
the facts the safeguards engine needs to judge them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from northstar.core import places


def _(text: str) -> str:
    """Marks a word for the translation catalogues (makemessages); pages translate it
    where they show it, so this module stays free of Django."""
    return text


STAGES: dict[str, str] = {
    "identification": _("Identification"),
    "reflection_period": _("Reflection period"),
    "rescue_exit": _("Rescue / exit"),
    "investigation": _("Investigation"),
    "adjudication": _("Adjudication"),
    "rehabilitation": _("Rehabilitation"),
    "reintegration_advocacy": _("Reintegration and advocacy"),
}

INTERVIEWER_ROLES = ("police", "prosecutor", "immigration", "labour_inspector", "court",
                     "ngo", "social_worker", "embassy", "other")
TESTIMONY = ("in_person", "video", "pre_recorded", "not_required")
DETENTION_KINDS = ("arrest", "immigration_detention", "police_custody", "other")
ID_OUTCOMES = ("identified", "not_identified", "pending", "appealed")

# A field spec: (type, required, choices). Types: str, bool, date, int, lang.
Spec = tuple[str, bool, tuple[str, ...] | None]

EVENT_KINDS: dict[str, dict[str, Any]] = {
    "stage_change": {
        "label": _("Stage changed"), "stage": None,
        "fields": {"reason": ("str", False, None)},
    },
    "interview": {
        "label": _("Interview or statement"), "stage": "investigation",
        "fields": {
            "interviewer": ("str", True, None),
            "interviewer_role": ("str", True, INTERVIEWER_ROLES),
            "language": ("lang", True, None),
            "interpreter_present": ("bool", True, None),
            "video_recorded": ("bool", True, None),
            "purpose": ("str", False, ("identification", "statement", "assessment", "other")),
        },
    },
    "hearing": {
        "label": _("Hearing"), "stage": "adjudication",
        "fields": {
            "court": ("str", False, None),
            "testimony": ("str", True, TESTIMONY),
            "faced_offender": ("bool", False, None),
            "interpreter_present": ("bool", False, None),
            # Who the trial held to account (a conviction or an order to pay), where it did:
            # issue 15's "who is held to account" (seed 004: brokers, rarely employers or
            # organised crime). Not asked: left out, never assumed false.
            "broker_held_to_account": ("bool", False, None),
            "employer_held_to_account": ("bool", False, None),
            "organised_crime_held_to_account": ("bool", False, None),
        },
    },
    "shelter_stay": {
        "label": _("Shelter stay"), "stage": "rehabilitation",
        "fields": {
            "shelter": ("str", True, None),
            "ends_on": ("date", False, None),
            "curfew": ("bool", True, None),
            "movement_restricted": ("bool", True, None),
            "restrictions": ("str", False, None),
        },
    },
    "detention": {
        "label": _("Detention or arrest of the survivor"), "stage": None,
        "fields": {
            "kind": ("str", True, DETENTION_KINDS),
            "authority": ("str", False, None),
            "charged": ("bool", False, None),
            "released_on": ("date", False, None),
        },
    },
    "return": {
        "label": _("Return / repatriation"), "stage": "reintegration_advocacy",
        "fields": {
            "destination_country": ("str", True, None),
            "voluntary": ("bool", True, None),
            "informed_consent": ("bool", True, None),
            "best_interest_assessment": ("bool", False, None),
            "family_involved": ("bool", False, None),
            "interpreter_present": ("bool", False, None),
        },
    },
    "identification_decision": {
        "label": _("Identification decision"), "stage": "identification",
        "fields": {
            "outcome": ("str", True, ID_OUTCOMES),
            "authority": ("str", False, None),
            "ready_to_be_identified": ("bool", False, None),
            "interpreter_present": ("bool", False, None),
        },
    },
    "reflection_period_start": {
        "label": _("Reflection period started"), "stage": "reflection_period",
        "fields": {"ends_on": ("date", False, None)},
    },
    "reflection_period_end": {
        "label": _("Reflection period ended"), "stage": "reflection_period",
        "fields": {"decision": ("str", False, ("cooperate", "decline", "undecided"))},
    },
    "follow_up_planned": {
        "label": _("Follow-up planned"), "stage": None,
        "fields": {"due_on": ("date", True, None), "what": ("str", True, None)},
    },
    "follow_up_done": {
        "label": _("Follow-up contact"), "stage": None,
        "fields": {"how": ("str", False, ("in_person", "phone", "message", "other"))},
    },
}

#: Days after a return by which someone should have checked on the survivor.
RETURN_FOLLOW_UP_DAYS = 30
#: Days after a hearing where the survivor faced the offender by which someone checks on them.
FACED_OFFENDER_FOLLOW_UP_DAYS = 2
#: Days after a reflection period started with no known end by which its end should be agreed
#: with the survivor (practice, not law: most jurisdictions set no length).
AGREE_REFLECTION_END_DAYS = 7
#: Within this many days a coming deadline is a warning, not just information.
WARN_WITHIN_DAYS = 3


class EventError(ValueError):
    """An event that cannot be recorded; ``field`` names the offending entry."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _clean_value(name: str, kind: str, choices, value):
    where = f"details.{name}"
    if kind == "bool":
        if not isinstance(value, bool):
            raise EventError(where, "must be true or false")
        return value
    if kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise EventError(where, "must be a date (YYYY-MM-DD)") from None
    if not isinstance(value, str) or not value.strip():
        raise EventError(where, "must be non-empty text")
    value = value.strip()
    if len(value) > 300:
        raise EventError(where, "at most 300 characters")
    if kind == "lang" and not places.is_language(value):
        raise EventError(where, places.LANGUAGE_ERROR)
    if choices and value not in choices:
        raise EventError(where, f"must be one of: {', '.join(choices)}")
    return value.lower() if kind == "lang" else value


def clean_details(kind: str, details: Mapping[str, Any] | None) -> dict[str, Any]:
    """The details of an event of ``kind``, checked; unknown keys are refused."""
    if kind not in EVENT_KINDS:
        raise EventError("kind", f"must be one of: {', '.join(EVENT_KINDS)}")
    if details is None:
        details = {}
    if not isinstance(details, Mapping):
        raise EventError("details", "must be an object")
    spec: dict[str, Spec] = EVENT_KINDS[kind]["fields"]
    unknown = sorted(set(details) - set(spec))
    if unknown:
        raise EventError(f"details.{unknown[0]}", f"not a detail of a {kind} event")
    clean: dict[str, Any] = {}
    for name, (typ, required, choices) in spec.items():
        value = details.get(name)
        if value is None or value == "":
            if required:
                raise EventError(f"details.{name}", f"required for a {kind} event")
            continue
        clean[name] = _clean_value(name, typ, choices, value)
    return clean


def default_stage(kind: str) -> str | None:
    return EVENT_KINDS[kind]["stage"] if kind in EVENT_KINDS else None


@dataclass(frozen=True)
class EventFacts:
    """An event as the pure functions see it."""

    id: int | None
    kind: str
    occurred_on: dt.date
    stage: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class Task:
    due: dt.date
    kind: str = field(compare=False)
    title: str = field(compare=False)
    severity: str = field(compare=False, default="info")  # info | warning | overdue
    event_id: int | None = field(compare=False, default=None)


def _severity(due: dt.date, today: dt.date) -> str:
    if due < today:
        return "overdue"
    if (due - today).days <= WARN_WITHIN_DAYS:
        return "warning"
    return "info"


def _date(value) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


#: The event that answers an event's task when recorded on or after it: a reflection period
#: ends with its recorded end; the check-ins after a hearing, a return or a planned follow-up
#: with a follow-up contact.
ANSWERED_BY = {
    "reflection_period_start": "reflection_period_end",
    "hearing": "follow_up_done",
    "follow_up_planned": "follow_up_done",
    "return": "follow_up_done",
}
#: A hearing shows as a task this many days ahead.
HEARING_AHEAD_DAYS = 14


def task_due(kind: str, occurred_on, details: Mapping[str, Any] | None) -> dt.date | None:
    """The date the task an event gives until it is answered (``ANSWERED_BY``) falls due,
    whatever today is: a reflection period's planned end, or the day by which to agree one;
    the check-in after a hearing where the survivor faced the offender; a planned
    follow-up's date; the check-in after a return. Any other event: none.
    """
    d = details or {}
    on = _date(occurred_on)
    if kind == "reflection_period_start":
        return _date(d.get("ends_on")) or on + dt.timedelta(days=AGREE_REFLECTION_END_DAYS)
    if kind == "hearing":
        return (on + dt.timedelta(days=FACED_OFFENDER_FOLLOW_UP_DAYS)
                if d.get("faced_offender") is True else None)
    if kind == "follow_up_planned":
        return _date(d.get("due_on"))
    if kind == "return":
        return on + dt.timedelta(days=RETURN_FOLLOW_UP_DAYS)
    return None


def window_on(kind: str, occurred_on, details: Mapping[str, Any] | None) -> dt.date | None:
    """The date a task shown only in the days before it refers to: a hearing's own date (shown
    ``HEARING_AHEAD_DAYS`` ahead), a shelter stay's end (``WARN_WITHIN_DAYS`` ahead)."""
    if kind == "hearing":
        return _date(occurred_on)
    if kind == "shelter_stay":
        return _date((details or {}).get("ends_on"))
    return None


def task_dates(events: Iterable[EventFacts]) -> dict[int | None, tuple[dt.date | None,
                                                                         dt.date | None]]:
    """For each of one case's (live) events, by id: ``(open_due, window)`` — the due date of
    its task while nothing has answered it (None once answered, or for an event that gives
    none) and its ``window_on``. Stored on the events whenever the case's timeline changes,
    so task lists are two indexed queries instead of every event worked out in Python."""
    ordered = sorted(events, key=lambda e: (e.occurred_on, e.id or 0))
    out = {}
    for event in ordered:
        answered = _answered_later(ordered, ANSWERED_BY.get(event.kind), event)
        due = None if answered else task_due(event.kind, event.occurred_on, event.details)
        out[event.id] = (due, window_on(event.kind, event.occurred_on, event.details))
    return out


def _answered_later(ordered: list[EventFacts], kind: str | None, after: EventFacts) -> bool:
    return kind is not None and any(
        e.kind == kind and (e.occurred_on, e.id or 0) >= (after.occurred_on, after.id or 0)
        and e is not after for e in ordered)


def task_of(event: EventFacts, today: dt.date, *, answered: bool) -> Task | None:
    """The task one event gives on ``today``, or None. ``answered``: an event of the kind
    ``ANSWERED_BY`` names was recorded on or after it (the database answers that for a
    whole caseload; ``derive_tasks`` for one case's events)."""
    d = event.details
    if event.kind == "reflection_period_start" and not d.get("ends_on"):
        if not answered:
            due = event.occurred_on + dt.timedelta(days=AGREE_REFLECTION_END_DAYS)
            return Task(due, "reflection_period_end_unset",
                        "Reflection period has no end date: agree one with the survivor",
                        _severity(due, today), event.id)
    elif event.kind == "reflection_period_start":
        ends = _date(d.get("ends_on"))
        if ends and not answered:
            when = "planned to end today" if ends == today else (
                "was planned to end" if ends < today else "is planned to end")
            return Task(ends, "reflection_period_ending",
                        f"Reflection period {when} {ends.isoformat()}: "
                        "talk through the survivor's choices, no pressure; it runs "
                        "until the survivor or you record its end",
                        _severity(ends, today), event.id)
    elif (event.kind == "hearing" and d.get("faced_offender") is True
          and event.occurred_on < today and not answered):
        due = event.occurred_on + dt.timedelta(days=FACED_OFFENDER_FOLLOW_UP_DAYS)
        return Task(due, "follow_up_due",
                    "Follow-up due: the survivor faced the offender at the hearing; "
                    "check on them and offer counselling",
                    _severity(due, today), event.id)
    elif (event.kind == "hearing"
          and today <= event.occurred_on <= today + dt.timedelta(days=HEARING_AHEAD_DAYS)):
        days = (event.occurred_on - today).days
        title = {0: "Hearing today", 1: "Hearing tomorrow"}.get(
            days, f"Hearing on {event.occurred_on.isoformat()}")
        testimony = d.get("testimony")
        if testimony:
            title += f" ({testimony.replace('_', ' ')})"
        return Task(event.occurred_on, "hearing", title + ": prepare and accompany",
                    "warning" if days <= 1 else "info", event.id)
    elif event.kind == "follow_up_planned":
        due = _date(d.get("due_on"))
        if due and not answered:
            return Task(due, "follow_up_due", f"Follow-up due: {d.get('what', '')}",
                        _severity(due, today), event.id)
    elif event.kind == "return" and not answered:
        due = event.occurred_on + dt.timedelta(days=RETURN_FOLLOW_UP_DAYS)
        return Task(due, "follow_up_due",
                    "Follow-up due: check on the survivor after their return",
                    _severity(due, today), event.id)
    elif event.kind == "shelter_stay":
        ends = _date(d.get("ends_on"))
        if ends and today <= ends <= today + dt.timedelta(days=WARN_WITHIN_DAYS):
            return Task(ends, "shelter_stay_ending",
                        f"Shelter stay ends {ends.isoformat()}: plan what comes next",
                        "warning", event.id)
    return None


def derive_tasks(events: Iterable[EventFacts], today: dt.date) -> list[Task]:
    """What the caseworker must act on now or soon, from a case's events.

    A reflection period that has not been ended shows its end date (or, with
    no end known, asks for one to be agreed); a hearing in the next fortnight
    shows (tomorrow's as a warning); a planned follow-up, the check-in due after
    a return and the one after a hearing where the survivor faced the offender
    show until a follow-up contact is recorded on or after them.
    """
    ordered = sorted(events, key=lambda e: (e.occurred_on, e.id or 0))
    tasks = [task_of(event, today,
                     answered=_answered_later(ordered, ANSWERED_BY.get(event.kind), event))
             for event in ordered]
    return sorted(t for t in tasks if t is not None)


def current_stage(events: Iterable[EventFacts]) -> str | None:
    """The stage of the most recent event: cases do not always move in order."""
    ordered = sorted(events, key=lambda e: (e.occurred_on, e.id or 0))
    return ordered[-1].stage if ordered else None


def video_statement_on(events: Iterable[EventFacts]) -> dt.date | None:
    """Date of the first video-recorded statement: with one on file, the survivor need not
    tell their story again."""
    dates = [e.occurred_on for e in events
             if e.kind == "interview" and e.details.get("video_recorded") is True]
    return min(dates) if dates else None


def reflection_period_active(events: Iterable[EventFacts], on: dt.date) -> bool:
    """Whether a reflection period runs on ``on``: from its start until the survivor or the
    caseworker records its end. A planned end date never ends it by itself (no jurisdiction
    has a statutory period; Thailand's 15 days is a referral guideline, issue 11 §5)."""
    active = False
    for e in sorted(events, key=lambda e: (e.occurred_on, e.id or 0)):
        if e.occurred_on > on:
            break
        if e.kind == "reflection_period_start":
            active = True
        elif e.kind == "reflection_period_end":
            active = False
    return active


#: Hearing testimony that makes the survivor tell their story again.
TOLD_AT_HEARING = ("in_person", "video")


def retellings(prior: Iterable[EventFacts]) -> dict[str, int]:
    """How often the survivor has already told their story, as the safeguards context counts it:
    interviews, identification interviews and hearings where they testified."""
    prior = list(prior)
    interviews = [e for e in prior if e.kind == "interview"]
    identification = sum(1 for e in interviews if e.details.get("purpose") == "identification")
    return {
        "previous_interviews": len(interviews) - identification,
        "previous_identification_interviews": identification,
        "previous_hearings": sum(1 for e in prior if e.kind == "hearing"
                                 and e.details.get("testimony") in TOLD_AT_HEARING),
    }


def safeguard_checks(
    event: EventFacts, *, prior: Iterable[EventFacts], facts: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The Do No Harm actions ``event`` amounts to, each with its context.

    ``prior`` are the case's other events before this one; ``facts`` what is
    known of the survivor and case (age, interpreter_needed, preferred_language,
    consents, exploitation, fears_retaliation_at_home). Keys follow the context
    documented in ``safeguards/rules/safeguards.toml``.
    """
    prior = [e for e in prior if e.id != event.id]
    d = event.details
    base = {k: facts.get(k) for k in ("age", "interpreter_needed", "preferred_language")}
    identified = any(e.kind == "identification_decision" and e.details.get("outcome") == "identified"
                     for e in prior) or bool(facts.get("identified_as_victim"))
    checks: list[tuple[str, dict[str, Any]]] = []
    if event.kind == "interview":
        checks.append(("interview", {
            **base,
            "interpreter_present": d.get("interpreter_present"),
            "language": d.get("language"),
            **retellings(prior),
            "recorded_statement_on_file": video_statement_on(prior) is not None,
            "reflection_period_active": reflection_period_active(prior, event.occurred_on),
        }))
    elif event.kind == "shelter_stay" and (d.get("curfew") or d.get("movement_restricted")):
        checks.append(("restrict_movement", {"age": facts.get("age")}))
    elif event.kind == "detention":
        offence = {"immigration_detention": "immigration"}.get(d.get("kind"))
        checks.append(("detain", {"age": facts.get("age"), "identified_as_victim": identified,
                                  "offence": offence}))
        if d.get("charged"):
            checks.append(("charge_with_offence",
                           {"age": facts.get("age"), "identified_as_victim": identified,
                            "offence": offence}))
    elif event.kind == "return":
        checks.append(("return_home", {
            **base,
            "interpreter_present": d.get("interpreter_present"),
            "informed_consent_to_return": d.get("informed_consent"),
            "voluntary": d.get("voluntary"),
            "best_interest_assessment_done": d.get("best_interest_assessment"),
            "family_involved_in_trafficking": d.get("family_involved"),
            "fears_retaliation_at_home": facts.get("fears_retaliation_at_home"),
            "exploitation": list(facts.get("exploitation") or []) or None,
        }))
    elif event.kind == "identification_decision" and d.get("outcome") == "identified":
        checks.append(("identify_formally", {
            **base,
            "interpreter_present": d.get("interpreter_present"),
            "ready_to_be_identified": d.get("ready_to_be_identified"),
            "reflection_period_active": reflection_period_active(prior, event.occurred_on),
        }))
    return checks
