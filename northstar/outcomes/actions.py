"""Every write of the outcomes app: recording and withdrawing survey answers, scheduling
the follow-up check-ins of closed cases, raising their tasks, recording them. Each
writes its audit entry; callers have asked the policy."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError
from northstar.justice import tasks as case_tasks
from northstar.outcomes import selectors
from northstar.outcomes.models import (
    Channel,
    CheckIn,
    Housing,
    Income,
    Reexploited,
    Safe,
    SurveyAnswer,
    SurveyResponse,
)
from northstar.outcomes.rules import instruments
from northstar.survivors.models import Case, CaseStatus

NOTE_MAX = 1000


def _channel(actor: Actor, channel: str | None) -> str:
    if actor.survivor_id is not None:
        return Channel.PORTAL
    if channel not in (None, "", Channel.READ_ALOUD):
        raise DomainError("Choose how the answers were given.", "channel")
    return Channel.READ_ALOUD


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"Keep the note to {NOTE_MAX} characters or fewer.", "note")
    return note


@transaction.atomic
def record_survey(actor: Actor, case: Case, *, occasion: str, answers: dict[str, int | None],
                  channel: str | None = None, note: str = "",
                  today: dt.date | None = None) -> SurveyResponse:
    """Store the answers given at a due occasion. ``answers`` maps item ids to a scale
    value or None ("I'd rather not say"); an item left out is not answered either."""
    due = selectors.due_one(actor, case, occasion, today=today)
    if due is None:
        raise Conflict("This survey is not waiting for answers (already answered, or its "
                       "time has passed).", "occasion")
    asked = instruments.items_of(due.moment)
    known = {item.id for _key, item in asked}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise DomainError(f"Not a question of this survey: {unknown[0]}.", unknown[0])
    clean: dict[str, int | None] = {}
    for key, item in asked:
        value = answers.get(item.id)
        if value is not None and value not in instruments.scale(
                instruments.instrument(key).scale).values:
            raise DomainError("Choose one of the answers shown.", item.id)
        clean[item.id] = value
    score = (instruments.who5_score(clean) if "who5" in instruments.moment(due.moment)
             .instruments else None)
    response = SurveyResponse.objects.create(
        survivor=case.survivor, case=case, moment=due.moment, occasion=occasion,
        occurred_on=due.occurred_on, channel=_channel(actor, channel),
        answered_on=today or timezone.localdate(), who5_score=score,
        note=_clean_note(note), recorded_by=actor.user, recorded_by_label=actor.label)
    SurveyAnswer.objects.bulk_create([
        SurveyAnswer(response=response, instrument=key, item=item.id,
                     dimension=item.dimension or "", value=clean[item.id])
        for key, item in asked])
    answered = sorted(k for k, v in clean.items() if v is not None)
    audit.record(actor, "create", "survey_response", response.pk,
                 survivor_ref=case.survivor.reference, fields=answered + (["note"] if note
                                                                          else []),
                 note=f"{due.moment} survey ({response.channel}): {len(answered)} of "
                      f"{len(clean)} answered")
    return response


@transaction.atomic
def withdraw_survey(actor: Actor, response: SurveyResponse) -> SurveyResponse:
    """The survivor takes their answers back: removed, never counted; the row stays
    (withdrawn) so the same questions are not asked again."""
    current = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    if current.withdrawn_at is not None:
        raise Conflict("These answers were already deleted.", "response")
    current.answers.all().delete()
    current.who5_score = None
    current.note = ""
    current.withdrawn_at = timezone.now()
    current.save(update_fields=["who5_score", "note", "withdrawn_at"])
    audit.record(actor, "update", "survey_response", current.pk,
                 survivor_ref=response.case.survivor.reference, fields=["answers"],
                 note="answers withdrawn and deleted")
    return current


# --- Follow-up check-ins ----------------------------------------------------------------


def schedule_check_ins(case: Case, *, closed_on: dt.date,
                       not_before: dt.date | None = None) -> list[CheckIn]:
    """The check-ins of a case closed on ``closed_on`` (3, 6, 12, 24 months: data);
    idempotent. With ``not_before``, marks whose window had already ended by then are not
    made: a case closed years before follow-ups existed was never asked, so it has no
    check-in to miss."""
    made = []
    for mark in instruments.check_in_marks():
        due_on = instruments.add_months(closed_on, mark.months)
        if not_before is not None and due_on + dt.timedelta(days=mark.window_days) < not_before:
            continue
        check_in, created = CheckIn.objects.get_or_create(
            case=case, closed_on=closed_on, months=mark.months,
            defaults={"survivor_id": case.survivor_id, "due_on": due_on,
                      "window_ends": due_on + dt.timedelta(days=mark.window_days)})
        if created:
            made.append(check_in)
    return made


@transaction.atomic
def keep_check_ins(*, today: dt.date | None = None) -> dict:
    """The daily work: schedule the check-ins of cases closed since, cancel the ones of
    cases reopened before they fell due, and raise a task for every check-in that fell
    due (for the case's responsible caseworker; it shows in "My tasks"). Missed ones
    need no work: ``CheckIn.status`` and the counts derive them from the dates."""
    today = today or timezone.localdate()
    actor = Actor.system("job")
    scheduled = 0
    closed = (Case.objects.filter(status=CaseStatus.CLOSED, archived_at__isnull=True)
              .annotate(closed_day=selectors.closed_day_q())
              .exclude(closed_day__isnull=True))
    # Closed cases without the check-ins of their latest closing (a case closed, reopened
    # and closed again gets a new schedule).
    pending = closed.exclude(Exists(CheckIn.objects.filter(
        case=OuterRef("pk"), closed_on=OuterRef("closed_day"))))
    for case in pending.select_related("survivor"):
        made = schedule_check_ins(case, closed_on=case.closed_day, not_before=today)
        scheduled += len(made)
        if made:
            audit.record_many(actor, "create", "check_in", [c.pk for c in made],
                              note=f"follow-up check-ins scheduled for case {case.pk}")
    # Not yet due, and its case is open again or was closed again since (a new round).
    stale = list(CheckIn.objects.filter(cancelled_at__isnull=True, done_on__isnull=True,
                                        due_on__gt=today)
                 .annotate(latest=selectors.closed_day_q("case"))
                 .filter(~Q(case__status=CaseStatus.CLOSED) | ~Q(closed_on=F("latest")))
                 .values_list("pk", flat=True))
    if stale:
        CheckIn.objects.filter(pk__in=stale).update(cancelled_at=timezone.now())
        audit.record_many(actor, "update", "check_in", stale, fields=["cancelled_at"],
                          note="case reopened before the check-in fell due")
    raised = 0
    for check_in in (CheckIn.objects.filter(task__isnull=True, done_on__isnull=True,
                                            cancelled_at__isnull=True, due_on__lte=today,
                                            window_ends__gte=today)
                     .select_related("case__survivor", "case__caseworker",
                                     "case__created_by")):
        assignee = check_in.case.responsible
        if assignee is None:
            continue
        check_in.task = case_tasks.add_task(
            actor, check_in.case, assignee=assignee, due_on=check_in.window_ends,
            title=(f"Follow-up check-in {check_in.months} months after case "
                   f"{check_in.case.reference} closed: ask how the survivor is doing"))
        check_in.save(update_fields=["task"])
        raised += 1
    return {"scheduled": scheduled, "cancelled": len(stale), "tasks": raised}


CHECK_IN_FIELDS = {"safe": Safe, "housing": Housing, "income": Income,
                   "reexploited": Reexploited}


@transaction.atomic
def record_check_in(actor: Actor, check_in: CheckIn, *, answers: dict[str, str],
                    channel: str | None = None, note: str = "",
                    today: dt.date | None = None) -> CheckIn:
    """Record a due (or missed, late) check-in; every answer optional (empty). Marks its
    task done."""
    today = today or timezone.localdate()
    current = CheckIn.objects.select_for_update().select_related("case__survivor").get(
        pk=check_in.pk)
    if current.cancelled_at is not None:
        raise Conflict("This check-in was cancelled: the case was reopened.", "check_in")
    if current.done_on is not None:
        raise Conflict("This check-in is already recorded.", "check_in")
    if today < current.due_on:
        raise Conflict("This check-in is not due yet.", "check_in")
    for name, choices in CHECK_IN_FIELDS.items():
        value = answers.get(name) or ""
        if value and value not in choices.values:
            raise DomainError("Choose one of the answers shown.", name)
        setattr(current, name, value)
    current.note = _clean_note(note)
    current.channel = _channel(actor, channel)
    current.done_on = today
    current.recorded_by_label = actor.label
    current.save()
    if current.task_id is not None and current.task.done_at is None:
        current.task.done_at = timezone.now()
        current.task.done_by_label = actor.label
        current.task.save(update_fields=["done_at", "done_by_label"])
        audit.record(actor, "update", "case_task", current.task_id,
                     survivor_ref=current.case.survivor.reference, fields=["done_at"],
                     note=f"done by recording check-in {current.pk}")
    audit.record(actor, "update", "check_in", current.pk,
                 survivor_ref=current.case.survivor.reference,
                 fields=sorted(k for k in CHECK_IN_FIELDS if getattr(current, k))
                 + ["done_on"], note=f"{current.months}-month check-in ({current.channel})")
    return current


@transaction.atomic
def withdraw_check_in(actor: Actor, check_in: CheckIn) -> CheckIn:
    """The survivor takes their check-in answers back: removed and not counted; the
    check-in stays done (the contact happened)."""
    current = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    if current.done_on is None or current.withdrawn_at is not None:
        raise Conflict("There are no answers to delete.", "check_in")
    for name in CHECK_IN_FIELDS:
        setattr(current, name, "")
    current.note = ""
    current.withdrawn_at = timezone.now()
    current.save()
    audit.record(actor, "update", "check_in", current.pk,
                 survivor_ref=check_in.case.survivor.reference, fields=list(CHECK_IN_FIELDS),
                 note="check-in answers withdrawn and deleted")
    return current
