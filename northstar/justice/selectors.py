"""Reads of the timeline, starting from the policy's visible cases."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from functools import partial

from django.db.models import Q
from django.utils import timezone

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.fields import reveal
from northstar.core.prepared import Prepared, Rows, planned_each_run
from northstar.justice import timeline
from northstar.justice.models import TimelineEvent
from northstar.justice.rules.periods import period_for
from northstar.survivors.models import Case
from northstar.survivors.selectors import survivor_named_only


def events_for(case: Case, *, include_void: bool = False):
    qs = TimelineEvent.objects.filter(case=case)
    return qs if include_void else qs.filter(voided_at__isnull=True)


#: One case's live events, oldest first (the case page's stage band): SQL written once.
_LIVE_EVENTS = Prepared(lambda case_id: TimelineEvent.objects.filter(
    case_id=case_id, voided_at__isnull=True), -7_320_000_041)


def timeline_of(actor: Actor, case: Case, *, include_void: bool = False) -> list[TimelineEvent]:
    """A case's events, oldest first: reading them is an audited read naming every event."""
    case_id = policy.visible_case_id(actor, case)
    if case_id is None:
        events = []
    elif include_void:
        events = list(TimelineEvent.objects.filter(case_id=case_id))
    else:
        events = _LIVE_EVENTS(case_id)
    audit.record_read(
        actor, events, record_type="timeline_event", survivor_ref=case.survivor.reference,
        note=f"timeline of case {case.pk}: {len(events)} event(s)",
    )
    return events


def notes_of(actor: Actor, case: Case, events: list[TimelineEvent]) -> dict[int, str]:
    """Open the sealed notes of ``events``; one audited read naming every note opened."""
    notes = {e.pk: reveal(e.note) for e in events}
    shown = [pk for pk, text in notes.items() if text]
    if shown:
        audit.record_read(
            actor, shown, record_type="timeline_event", survivor_ref=case.survivor.reference,
            fields=["note"],
        )
    return notes


def void_reasons_of(actor: Actor, case: Case, events: list[TimelineEvent]) -> dict[int, str]:
    """Open the sealed void reasons of ``events`` (they may name people); audited like notes."""
    reasons = {e.pk: reveal(e.void_reason) for e in events}
    shown = [pk for pk, text in reasons.items() if text]
    if shown:
        audit.record_read(
            actor, shown, record_type="timeline_event", survivor_ref=case.survivor.reference,
            fields=["void_reason"],
        )
    return reasons


def event_for(actor: Actor, case: Case, event_id) -> TimelineEvent:
    """One event of a case the actor may see, or ``NotFound``."""
    return policy.one_of(
        TimelineEvent.objects.filter(case__in=policy.visible_cases(actor), case=case),
        event_id, "event",
    )


def summary(case: Case, *, today=None, events: list[TimelineEvent] | None = None) -> dict:
    """Stage, tasks and the jurisdiction's reflection period for one case; ``events``: its
    live events, oldest first, when already read (``timeline_of``), so not read again."""
    today = today or timezone.localdate()
    facts = [e.facts() for e in (events_for(case) if events is None else events)]
    return {
        "stage": timeline.current_stage(facts),
        "tasks": timeline.derive_tasks(facts, today),
        "reflection_period": period_for(case.jurisdiction),
        "reflection_period_active": timeline.reflection_period_active(facts, today),
        "video_statement_on": timeline.video_statement_on(facts),
        "interviews": sum(1 for e in facts if e.kind == "interview"),
    }


#: The most tasks one request lists (the caseload's alerts, one page of the API): a caseload
#: with more shows the most urgent first and pages through the rest.
TASK_LIMIT = 200


def _windows_ending(today) -> tuple[dt.date, dt.date]:
    """The last days a hearing and a shelter stay's end are shown before they come."""
    return (today + dt.timedelta(days=timeline.HEARING_AHEAD_DAYS),
            today + dt.timedelta(days=timeline.WARN_WITHIN_DAYS))


def _open_task_queries(cases, *, today, windows=None):
    """The queries ``open_task_events`` merges: events with a task due (past-due ones
    first), then, one query per kind, those shown only in the days before (hearings,
    shelter stays ending), each ordered by its date. ``windows``:
    ``_windows_ending(today)``, given when the SQL is written once."""
    hearing_until, shelter_until = windows or _windows_ending(today)
    live = TimelineEvent.objects.filter(case__in=cases, voided_at__isnull=True)
    # A hearing not yet held is shown as the hearing (below), not its follow-up.
    due = live.filter(task_due__isnull=False).exclude(kind="hearing", occurred_on__gte=today) \
        .order_by("task_due", "case_id", "pk")
    # One range of ``justice_event_kind_window`` per kind, in the list's order. As one query
    # with an OR of the two kinds (each with its own last day), PostgreSQL could not tell
    # how many events come (it guessed 135 of 3,334 at 100k), so it read them all, joined
    # each to its case and survivor, and sorted: 104-134 ms for the first 200 where this
    # reads 200 (1.5 ms; issue 13, h-slowreads). "From today" stays one bound per query
    # (h-caseload4: a generic plan must see where the range starts).
    coming = [_coming(live, kind, today, until)
              for kind, until in (("hearing", hearing_until), ("shelter_stay", shelter_until))]
    return due, coming


#: The kinds shown only in the days before their date, in ``_open_task_queries``' order.
COMING_KINDS = ("hearing", "shelter_stay")


def _coming(live, kind: str, today, until):
    return (live.filter(kind=kind, window_on__gte=today, window_on__lte=until)
            .order_by("window_on", "case_id", "pk"))


def _merged(lists, upto: int | None) -> list:
    """``lists`` of events (or rows) merged by (date, case, id): ``due``'s by ``task_due``,
    the coming ones' by ``window_on``."""
    def key(item, column):
        get = item.get if isinstance(item, dict) else partial(getattr, item)
        return get(column), get("case_id"), get("pk")

    due, *coming = lists
    merged = heapq.merge(((*key(e, "task_due"), e) for e in due),
                         *(((*key(e, "window_on"), e) for e in one) for one in coming))
    return [e for *_key, e in itertools.islice(merged, upto)]


def open_task_events(cases, *, today, upto: int | None = None) -> list[TimelineEvent]:
    """Events of ``cases`` that give a task on ``today``, earliest due first, at most ``upto``:
    what ``timeline.derive_tasks`` works out, as indexed queries on the dates stored on
    the events (``TimelineEvent.task_due``, ``window_on``), merged by due date — the open
    tasks (nothing answered them; past-due ones first) and those shown only in the days
    before (hearings, shelter stays ending). With ``upto`` each query stops there, so a
    page of tasks costs the same with 3 cases or 100,000."""
    due, coming = _open_task_queries(cases, today=today)
    lists = [qs.select_related("case__survivor").defer(*survivor_named_only("case__survivor"))
             for qs in (due, *coming)]
    if upto is not None:
        lists = [qs[:upto] for qs in lists]
    with planned_each_run():  # see ``_STAFF_DUE_ROWS``
        lists = [list(qs) for qs in lists]
    return _merged(lists, upto)


#: What a task and its caseload alert need of an event, its case and survivor.
TASK_ROW = ("pk", "kind", "occurred_on", "stage", "details", "case_id", "case__reference",
            "case__survivor__reference")


def open_task_rows(cases, *, today, upto: int | None = None) -> list[dict]:
    """``open_task_events`` as plain rows (``TASK_ROW``), the same events in the same order:
    the caseload's alerts need no event, case or survivor built (three model instances an
    event, most of them for alerts the merge then drops)."""
    due, coming = _open_task_queries(cases, today=today)
    lists = [due.values(*TASK_ROW, "task_due"),
             *(qs.values(*TASK_ROW, "window_on") for qs in coming)]
    if upto is not None:
        lists = [qs[:upto] for qs in lists]
    with planned_each_run():  # see ``_STAFF_DUE_ROWS``
        lists = [list(qs) for qs in lists]
    return _merged_rows(lists, upto)


def _merged_rows(lists, upto: int | None) -> list[dict]:
    return _merged(lists, upto)


def _staff_task_rows(org_id, today, until=None, *, kind: str | None = None):
    """``open_task_rows``' query on the visible cases of ``org_id``'s case staff: the tasks
    due, or (``kind``) the events of that kind coming up to ``until``."""
    cases = Case.objects.filter(policy.staff_cases_q(org_id))
    if kind is None:
        return _open_task_queries(cases, today=today)[0].values(*TASK_ROW, "task_due")
    live = TimelineEvent.objects.filter(case__in=cases, voided_at__isnull=True)
    return _coming(live, kind, today, until).values(*TASK_ROW, "window_on")


#: ``open_task_rows``' three queries on the visible cases of an organisation's case staff
#: (``policy.staff_cases_q``, what ``visible_cases`` gives them), cut at the caller's limit:
#: SQL written once per process (the caseload asks on every view). The organisation's id,
#: like the dates, is written into the SQL (``written_in``): with no parameter left the
#: statement is planned for that organisation, once per connection and day (h-caseload5).
#: A plan shared by organisations went wrong: the one that suits the organisation with
#: 100,000 survivors walks every event of the table by date and checks its case (0.4-2 ms
#: there); kept as a generic plan on a connection that served a small organisation next, it
#: read those 3,334 events to find none of its own: 35-60 ms where its own plan takes 1-1.5
#: (``bench/generic_plans.py`` at 100k, h-generic).
_STAND_IN_DAY = dt.date(1901, 3, 4)
_STAFF_DUE_ROWS = Rows(lambda org_id, today: _staff_task_rows(org_id, today),
                       -7_330_000_021, _STAND_IN_DAY, written_in=(0,))
#: The hearings coming and the shelter stays ending (one query per kind, ``COMING_KINDS``,
#: see ``_open_task_queries``), with the organisation, today and that kind's last day.
_STAFF_COMING_ROWS = tuple(
    Rows(lambda org_id, today, until, kind=kind: _staff_task_rows(org_id, today, until,
                                                                  kind=kind),
         -7_330_000_022 - n, _STAND_IN_DAY, until, written_in=(0,))
    for n, (kind, until) in enumerate(zip(COMING_KINDS, _windows_ending(_STAND_IN_DAY),
                                          strict=True)))


def task_rows_for(actor: Actor, *, today, limit: int | None = TASK_LIMIT) -> list[dict]:
    """``tasks_for``'s events (every visible case's, earliest first, at most ``limit``) as
    ``open_task_rows`` gives them; ``task_of_row`` gives each its task. For case staff with
    a limit (the caseload) the three queries' SQL is written once per process."""
    if limit is None or not policy.works_with_records(actor):
        return open_task_rows(policy.visible_cases(actor), today=today, upto=limit)
    org_id = actor.organisation.pk
    windows = _windows_ending(today)
    return _merged_rows([_STAFF_DUE_ROWS.rows(org_id, today, limit=limit),
                         *(rows.rows(org_id, today, until, limit=limit)
                           for rows, until in zip(_STAFF_COMING_ROWS, windows, strict=True))],
                        limit)


def task_of_row(row: dict, *, today) -> timeline.Task | None:
    """The task of an ``open_task_rows`` row (open: nothing answered it), as ``tasks_of``."""
    facts = timeline.EventFacts(row["pk"], row["kind"], row["occurred_on"], row["stage"],
                                row["details"] or {})
    return timeline.task_of(facts, today, answered=False)

#: The live events of one survivor's visible cases (case staff's) that can give a task
#: (a ``task_due`` or a ``window_on`` stored), with their case: SQL written once per process.
_TASK_EVENTS_OF_SURVIVOR = Prepared(
    lambda org_id, survivor_id: TimelineEvent.objects.filter(
        policy.staff_cases_q(org_id, via="case__"), Q(task_due__isnull=False)
        | Q(window_on__isnull=False), case__survivor_id=survivor_id, voided_at__isnull=True,
    ).select_related("case"), -7_320_000_081, -7_320_000_082, constants=(False,))


def open_task_events_of_survivor(actor: Actor, survivor, *, today) -> list[TimelineEvent]:
    """``open_task_events(visible_cases(actor).filter(survivor=survivor), today=today)`` for
    an actor who works with records: the survivor's few task-giving events read by one
    query written once, and chosen and merged here the same way (the case page)."""
    rows = _TASK_EVENTS_OF_SURVIVOR(actor.organisation.pk, survivor.pk)
    for event in rows:
        event.case.survivor = survivor
    rows.sort(key=lambda e: (e.case_id, e.pk))
    ahead = {"hearing": timeline.HEARING_AHEAD_DAYS, "shelter_stay": timeline.WARN_WITHIN_DAYS}
    due = sorted((e for e in rows if e.task_due is not None
                  and not (e.kind == "hearing" and e.occurred_on >= today)),
                 key=lambda e: (e.task_due, e.case_id, e.pk))
    coming = sorted((e for e in rows if e.kind in ahead and e.window_on is not None
                     and today <= e.window_on <= today + dt.timedelta(days=ahead[e.kind])),
                    key=lambda e: (e.window_on, e.case_id, e.pk))
    merged = heapq.merge(((e.task_due, e.case_id, e.pk, e) for e in due),
                         ((e.window_on, e.case_id, e.pk, e) for e in coming))
    return [e for *_key, e in merged]


def tasks_of(events, *, today) -> list[tuple[Case, timeline.Task]]:
    """The tasks of events ``open_task_events`` chose (they are open: nothing answered them)."""
    out = []
    for event in events:
        task = timeline.task_of(event.facts(), today, answered=False)
        if task is not None:
            out.append((event.case, task))
    return out


def tasks_for(actor: Actor, *, today=None, survivor=None, limit: int | None = TASK_LIMIT,
              offset: int = 0) -> list[tuple[Case, timeline.Task]]:
    """Timeline tasks on the cases the actor may see (of one ``survivor`` when given),
    earliest first, at most ``limit`` from ``offset``: one query, bounded."""
    today = today or timezone.localdate()
    upto = None if limit is None else offset + limit
    if survivor is not None and policy.works_with_records(actor):
        events = open_task_events_of_survivor(actor, survivor, today=today)[offset:upto]
        return tasks_of(events, today=today)
    cases = policy.visible_cases(actor)
    if survivor is not None:
        cases = cases.filter(survivor=survivor)
    events = open_task_events(cases, today=today, upto=upto)[offset:]
    return tasks_of(events, today=today)


def tasks_read(actor: Actor, *, today=None, limit: int | None = TASK_LIMIT,
               offset: int = 0) -> list[tuple[Case, timeline.Task]]:
    """The actor's task list: it names cases and what is coming in them (hearings,
    reflection periods), so reading it is audited, naming every case shown."""
    rows = tasks_for(actor, today=today, limit=limit, offset=offset)
    if rows:
        case_ids = sorted({case.pk for case, _task in rows})
        audit.record_read(
            actor, case_ids, record_type="timeline_task",
            note=f"{len(rows)} task(s) on the {len(case_ids)} case(s) named",
        )
    return rows
