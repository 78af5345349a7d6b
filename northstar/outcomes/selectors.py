"""Reads: which surveys are due, what was answered, the check-ins of a case.

Everything starts from ``policy.visible_cases`` (a survivor in the portal sees their own
cases only; staff their organisation's), and every read that shows answers is audited.
Which surveys are due is derived, never stored: a moment (``rules/instruments.toml``)
happened on a case — the case was opened, a hearing on its timeline, a mediation
session held, the case closed, a check-in fell due — less than ``open_days`` ago, and
no response exists for that occasion yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from northstar import policy
from northstar.compensation.models import MediationSession
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.fields import reveal
from northstar.core.prepared import Prepared
from northstar.justice.models import TimelineEvent
from northstar.outcomes.models import CheckIn, SurveyResponse
from northstar.outcomes.rules import instruments
from northstar.survivors.models import Case, CaseStatus, StatusChange, StatusChangeKind


@dataclass(frozen=True)
class Due:
    case: Case
    moment: str
    occasion: str
    occurred_on: dt.date
    open_until: dt.date


def visible_responses(actor: Actor) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(case__in=policy.visible_cases(actor))


def visible_check_ins(actor: Actor) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(case__in=policy.visible_cases(actor))


def check_in_for(actor: Actor, check_in_id) -> CheckIn:
    return policy.one_of(visible_check_ins(actor).select_related("case__survivor"),
                         check_in_id, "check-in")


def response_for(actor: Actor, response_id) -> SurveyResponse:
    return policy.one_of(visible_responses(actor).select_related("case__survivor"),
                         response_id, "survey response")


def closed_on_q():
    """When each case was last closed (a subquery on its status changes)."""
    return Subquery(StatusChange.objects.filter(case=OuterRef("pk"),
                                                kind=StatusChangeKind.CLOSED)
                    .order_by("-at", "-id").values("at")[:1])


def closed_day_q(case: str = "pk"):
    """The day (in the site's time zone) each case was last closed; ``case`` is the path to
    the case's id from the model filtered."""
    return Subquery(StatusChange.objects.filter(case=OuterRef(case),
                                                kind=StatusChangeKind.CLOSED)
                    .order_by("-at", "-id").annotate(day=TruncDate("at")).values("day")[:1])


def due_surveys(actor: Actor, *, case: Case | None = None,
                today: dt.date | None = None) -> list[Due]:
    """Surveys due now on the actor's cases (of ``case`` when given), oldest first:
    a fixed number of queries however many cases."""
    today = today or timezone.localdate()
    cases = policy.visible_cases(actor)
    if case is not None:
        cases = cases.filter(pk=case.pk)
    found: list[Due] = []

    def since(moment_id: str) -> dt.date:
        return today - dt.timedelta(days=instruments.moment(moment_id).open_days)

    def add(c, moment_id, occasion, day):
        if day is not None and since(moment_id) <= day <= today:
            found.append(Due(c, moment_id, occasion, day,
                             day + dt.timedelta(days=instruments.moment(moment_id).open_days)))

    case_list = list(cases.select_related("survivor").annotate(last_closed=closed_on_q()))
    by_id = {c.pk: c for c in case_list}
    for c in case_list:
        add(c, "intake", "intake", timezone.localdate(c.created_at))
        if c.status == CaseStatus.CLOSED and c.last_closed is not None:
            closed = timezone.localdate(c.last_closed)
            add(c, "close", f"close:{closed.isoformat()}", closed)
    for event in TimelineEvent.objects.filter(
            case__in=cases, kind="hearing", voided_at__isnull=True,
            occurred_on__gte=since("hearing"), occurred_on__lte=today).only(
            "pk", "case_id", "occurred_on"):
        add(by_id[event.case_id], "hearing", f"hearing:{event.pk}", event.occurred_on)
    for session in MediationSession.objects.filter(
            mediation__case__in=cases, held_on__gte=since("mediation"),
            held_on__lte=today).select_related("mediation").only(
            "pk", "held_on", "mediation__case_id"):
        add(by_id[session.mediation.case_id], "mediation", f"mediation:{session.pk}",
            session.held_on)
    for check_in in CheckIn.objects.filter(case__in=cases, cancelled_at__isnull=True,
                                           due_on__gte=since("follow_up"), due_on__lte=today):
        add(by_id[check_in.case_id], "follow_up", f"follow_up:{check_in.pk}", check_in.due_on)
    answered = set(SurveyResponse.objects.filter(case__in=[d.case for d in found])
                   .values_list("case_id", "occasion"))
    due = [d for d in found if (d.case.pk, d.occasion) not in answered]
    return sorted(due, key=lambda d: (d.occurred_on, d.case.pk, d.occasion))


#: One case's moments and check-ins (the case page's outcomes card), each query's SQL
#: written once per process; the dates are compared here, not in SQL (a case has a few).
_LAST_CLOSED = Prepared(lambda case_id: StatusChange.objects.filter(
    case_id=case_id, kind="closed").order_by("-at", "-id").only("pk", "at")[:1],
    -7_320_000_061, constants=("closed",))
_HEARINGS = Prepared(lambda case_id: TimelineEvent.objects.filter(
    case_id=case_id, kind="hearing", voided_at__isnull=True).only("pk", "case_id", "occurred_on"),
    -7_320_000_062, constants=("hearing",))
_SESSIONS = Prepared(lambda case_id: MediationSession.objects.filter(
    mediation__case_id=case_id).only("pk", "held_on", "mediation_id"), -7_320_000_063)
_CHECK_INS = Prepared(lambda case_id: CheckIn.objects.filter(
    case_id=case_id, cancelled_at__isnull=True), -7_320_000_064)
_ANSWERED = Prepared(lambda case_id: SurveyResponse.objects.filter(case_id=case_id).only(
    "pk", "case_id", "occasion"), -7_320_000_065)


def case_outcomes(actor: Actor, case: Case, *, today: dt.date | None = None,
                  note: str = "") -> tuple[list[Due], list[CheckIn]]:
    """One case's surveys due now (as ``due_surveys(actor, case=case)``) and its check-ins
    (as ``check_ins_read(actor, case=case)``, audited the same way), for the case page:
    the case given is not read again, and its check-ins are read once for both."""
    today = today or timezone.localdate()
    case_id = policy.visible_case_id(actor, case)
    if case_id is None:
        return [], []
    found: list[Due] = []

    def add(moment_id, occasion, day):
        open_days = instruments.moment(moment_id).open_days
        if day is not None and today - dt.timedelta(days=open_days) <= day <= today:
            found.append(Due(case, moment_id, occasion, day,
                             day + dt.timedelta(days=open_days)))

    add("intake", "intake", timezone.localdate(case.created_at))
    if case.status == CaseStatus.CLOSED:
        last = _LAST_CLOSED.first(case_id)
        if last is not None:
            closed = timezone.localdate(last.at)
            add("close", f"close:{closed.isoformat()}", closed)
    for event in _HEARINGS(case_id):
        add("hearing", f"hearing:{event.pk}", event.occurred_on)
    for session in _SESSIONS(case_id):
        add("mediation", f"mediation:{session.pk}", session.held_on)
    check_ins = _CHECK_INS(case_id)
    for check_in in check_ins:
        check_in.case = case
        add("follow_up", f"follow_up:{check_in.pk}", check_in.due_on)
    answered = {r.occasion for r in _ANSWERED(case_id)} if found else set()
    due = sorted((d for d in found if d.occasion not in answered),
                 key=lambda d: (d.occurred_on, d.case.pk, d.occasion))
    shown = check_ins[:100]
    if shown:
        audit.record_read(actor, shown, record_type="check_in",
                          note=note or f"{len(shown)} check-in(s)")
    return due, shown


def due_one(actor: Actor, case: Case, occasion: str, *, today=None) -> Due | None:
    return next((d for d in due_surveys(actor, case=case, today=today)
                 if d.occasion == occasion), None)


def survey_form_read(actor: Actor, case: Case, due: Due | None) -> None:
    """Opening a survey form of a case, or its list of surveys due (it names the case and
    its moments): audited."""
    audit.record_read(actor, case, record_type="case", survivor_ref=case.survivor.reference,
                      note=f"survey form: {due.occasion}" if due else "surveys due")


def responses_read(actor: Actor, *, case: Case | None = None,
                   note: str = "") -> list[SurveyResponse]:
    """Responses on the actor's cases (one case's when given), newest first, with their
    answers: one audited read naming every response shown."""
    qs = visible_responses(actor).select_related("case").prefetch_related("answers")
    if case is not None:
        qs = qs.filter(case=case)
    rows = list(qs[:100])
    if rows:
        audit.record_read(actor, rows, record_type="survey_response",
                          survivor_ref=rows[0].case.survivor.reference if case else "",
                          note=note or f"{len(rows)} survey response(s)")
    return rows


def note_of(actor: Actor, response: SurveyResponse) -> str:
    text = reveal(response.note)
    if text:
        audit.record_read(actor, response, record_type="survey_response", fields=["note"])
    return text


def check_ins_read(actor: Actor, *, case: Case | None = None,
                   note: str = "") -> list[CheckIn]:
    """Check-ins on the actor's cases (not cancelled), earliest due first: audited."""
    qs = visible_check_ins(actor).filter(cancelled_at__isnull=True).select_related("case")
    if case is not None:
        qs = qs.filter(case=case)
    rows = list(qs[:100])
    if rows:
        audit.record_read(actor, rows, record_type="check_in",
                          note=note or f"{len(rows)} check-in(s)")
    return rows
