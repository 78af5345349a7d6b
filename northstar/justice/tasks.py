"""Tasks people set on a case (``CaseTask``): writes and reads, both audited.

Beside them stand the tasks the timeline derives (``selectors.tasks_for``), which are
never stored. Reads start from ``policy.visible_cases``; a task's title is sealed
(it may name people) and opened only for the rows shown, in one audited read.
Reassigning a case and accepting a transfer notify the new caseworker here, with a
task due today, because the survivors layer below cannot know about tasks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from northstar import policy
from northstar.core import audit, keyset
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError
from northstar.core.fields import reveal
from northstar.core.prepared import Prepared, planned_each_run
from northstar.justice import timeline
from northstar.justice.models import CaseTask, TaskSource, TimelineEvent
from northstar.survivors import actions as survivor_actions
from northstar.survivors.models import Case, Transfer

TITLE_MAX = 200


# --- Writes ---------------------------------------------------------------------


@transaction.atomic
def add_task(actor: Actor, case: Case, *, title: str, assignee, due_on: dt.date,
             source: str = TaskSource.MANUAL) -> CaseTask:
    """A task on ``case`` for ``assignee`` (the caller asked ``policy.may_assign_case_to``)."""
    title = (title or "").strip()
    if not title:
        raise DomainError("Say what needs doing.", "title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Keep the task to {TITLE_MAX} characters or fewer.", "title")
    if due_on is None:
        raise DomainError("Choose the date it is due.", "due_on")
    task = CaseTask.objects.create(case=case, title=title, assignee=assignee, due_on=due_on,
                                   source=source, created_by=actor.user)
    audit.record(actor, "create", "case_task", task.pk, survivor_ref=case.survivor.reference,
                 fields=["title", "assignee", "due_on"], note=f"task on case {case.pk}")
    return task


@transaction.atomic
def set_done(actor: Actor, task: CaseTask, *, done: bool) -> CaseTask:
    current = CaseTask.objects.select_for_update().select_related("case__survivor").get(
        pk=task.pk)
    if done == (current.done_at is not None):
        raise Conflict("This task is already done." if done else "This task is not done yet.",
                       "done")
    current.done_at = timezone.now() if done else None
    current.done_by_label = actor.label if done else ""
    current.save(update_fields=["done_at", "done_by_label"])
    audit.record(actor, "update", "case_task", current.pk,
                 survivor_ref=current.case.survivor.reference, fields=["done_at"],
                 note="task done" if done else "task reopened")
    return current


def reassign_case(actor: Actor, case: Case, *, caseworker, version: int | None = None) -> Case:
    """Make ``caseworker`` responsible for ``case`` and tell them with a task due today.
    The caller asked ``policy.may_assign_cases`` and ``policy.may_assign_case_to``."""
    with transaction.atomic():
        case = survivor_actions.assign_case(actor, case, caseworker=caseworker, version=version)
        notify_assignment(actor, case, caseworker)
    return case


def notify_assignment(actor: Actor, case: Case, caseworker,
                      source: str = TaskSource.ASSIGNMENT) -> CaseTask | None:
    """A task for the newly responsible caseworker, unless they made the change themself."""
    if caseworker is None or (actor.user is not None and actor.user.pk == caseworker.pk):
        return None
    title = (f"Case {case.reference} was transferred to your organisation and assigned to you: "
             "read it and contact the survivor" if source == TaskSource.TRANSFER else
             f"Case {case.reference} is now yours: read it and introduce yourself to the "
             "survivor")
    return add_task(actor, case, title=title, assignee=caseworker,
                    due_on=timezone.localdate(), source=source)


def accept_transfer(actor: Actor, transfer: Transfer, *, caseworker=None) -> Transfer:
    """Accept, then hand the open tasks of the survivor's cases to the new caseworker (the
    old organisation's staff no longer see the cases) and tell them."""
    with transaction.atomic():
        transfer = survivor_actions.accept_transfer(actor, transfer, caseworker=caseworker)
        responsible = caseworker or actor.user
        cases = list(Case.objects.filter(survivor_id=transfer.survivor_id))
        moved = CaseTask.objects.filter(case__in=cases, done_at__isnull=True).update(
            assignee=responsible)
        if moved:
            audit.record(actor, "update", "case_task", "",
                         survivor_ref=transfer.survivor.reference, fields=["assignee"],
                         note=f"transfer {transfer.pk}: {moved} open task(s) handed over")
        for case in cases:
            notify_assignment(actor, case, responsible, source=TaskSource.TRANSFER)
    return transfer


# --- Reads ----------------------------------------------------------------------


def visible_tasks(actor: Actor) -> QuerySet[CaseTask]:
    """Tasks on cases the actor may see (never more), for staff who work with records."""
    if not policy.works_with_records(actor):
        return CaseTask.objects.none()
    return CaseTask.objects.filter(case__in=policy.visible_cases(actor))


def task_for(actor: Actor, task_id) -> CaseTask:
    return policy.one_of(visible_tasks(actor).select_related("case__survivor"), task_id, "task")


def shown(actor: Actor, tasks: list[CaseTask], *, note: str = "") -> list[CaseTask]:
    """Open the titles of ``tasks`` (a page of them) in one audited read naming each task."""
    if tasks:
        audit.record_read(actor, tasks, record_type="case_task", fields=["title"],
                          note=note or f"{len(tasks)} task(s)")
    for task in tasks:
        task.title_text = reveal(task.title)
    return tasks


#: One case's tasks with their assignees (the case page's panel): SQL written once.
_TASKS_OF_CASE = Prepared(lambda case_id: CaseTask.objects.filter(case_id=case_id)
                          .select_related("assignee").order_by("done_at", "due_on", "id"),
                          -7_320_000_042)


def tasks_of_case(actor: Actor, case: Case) -> list[CaseTask]:
    """A case's tasks, open ones first by due date, then the done ones (newest first)."""
    case_id = (policy.visible_case_id(actor, case) if policy.works_with_records(actor)
               else None)
    rows = _TASKS_OF_CASE(case_id) if case_id is not None else []
    open_rows = [t for t in rows if t.done_at is None]
    done_rows = sorted((t for t in rows if t.done_at is not None),
                       key=lambda t: t.done_at, reverse=True)[:10]
    return shown(actor, open_rows + done_rows, note=f"tasks of case {case.pk}")


def my_open_tasks(actor: Actor) -> QuerySet[CaseTask]:
    """The actor's own open tasks, earliest due first (uses the ``casetask_mine`` index)."""
    if actor.user is None:
        return CaseTask.objects.none()
    return (visible_tasks(actor).filter(assignee=actor.user, done_at__isnull=True)
            .select_related("case__survivor").order_by("due_on", "id"))


#: Rows on one page of the organisation's overdue tasks.
OVERDUE_PAGE = 50
_OVERDUE_SALT = "northstar.justice.overdue"
#: The two kinds in the list's order on a day and case: set by staff, then the timeline's.
_SET, _TIMELINE = 0, 1


@dataclass
class OverduePage:
    """One page of ``overdue_page``: its rows, a cursor to the next page (``None`` on the
    last), and the list's count, capped (``keyset.count_cap``), as the first page read it."""
    rows: list[dict]
    next: str | None
    count: keyset.Count


def _overdue_set_tasks(org_id: int, today: dt.date) -> QuerySet[CaseTask]:
    """Open tasks set on the organisation's visible cases, due before ``today``, in the
    list's order: a range of ``casetask_overdue_order``, each task's case checked by its
    primary key (a join, not ``case IN (every case)``, which hashed the organisation's)."""
    return (CaseTask.objects.filter(policy.staff_cases_q(org_id, via="case__"),
                                    done_at__isnull=True, due_on__lt=today)
            .order_by("due_on", "case_id", "id"))


def _overdue_events(org_id: int, today: dt.date) -> QuerySet[TimelineEvent]:
    """Live events of the organisation's visible cases whose task fell due before ``today``
    (``selectors._open_task_queries``' "due" list, cut at yesterday), in the list's order:
    a range of ``justice_event_task_due_order``. A hearing not yet held gives no follow-up."""
    return (TimelineEvent.objects.filter(policy.staff_cases_q(org_id, via="case__"),
                                         voided_at__isnull=True, task_due__lt=today)
            .exclude(kind="hearing", occurred_on__gte=today)
            .order_by("task_due", "case_id", "id"))


def _after(rows: QuerySet, due_column: str, kind: int, position: tuple) -> QuerySet:
    """``rows`` (of one ``kind``) after ``position`` = (due, case, kind, id) in the list's
    order (due, case, kind, id): a range starting at the position's day."""
    due, case_id, last_kind, last_id = position
    later = Q(**{f"{due_column}__gt": due}) | Q(**{due_column: due, "case_id__gt": case_id})
    if kind == last_kind:
        later |= Q(**{due_column: due, "case_id": case_id, "id__gt": last_id})
    elif kind > last_kind:  # every row of this kind on that day and case comes after
        later |= Q(**{due_column: due, "case_id": case_id})
    return rows.filter(Q(**{f"{due_column}__gte": due}) & later)


def _cursor(row: dict, count: keyset.Count) -> str:
    return signing.dumps([row["due"].isoformat(), row["case"].pk, row["order"], row["id"],
                          f"{count.value}{'' if count.exact else '+'}"],
                         salt=_OVERDUE_SALT, compress=False)


def _position(cursor: str) -> tuple[tuple, keyset.Count]:
    bad = DomainError("is not a cursor this list gave: start again from the first page",
                      "cursor")
    try:
        due, case_id, kind, row_id, count = signing.loads(cursor, salt=_OVERDUE_SALT)
        position = (dt.date.fromisoformat(due), int(case_id), int(kind), int(row_id))
        digits = count.removesuffix("+")
        if kind not in (_SET, _TIMELINE) or not (digits.isascii() and digits.isdigit()):
            raise ValueError(count)
    except (signing.BadSignature, ValueError, TypeError, AttributeError, UnicodeError):
        raise bad from None
    return position, keyset.Count(int(digits), not count.endswith("+"))


def _capped(rows: QuerySet) -> keyset.Count:
    cap = keyset.count_cap()
    return keyset.capped(rows.order_by().values("pk")[: cap + 1].count(), cap)


def overdue_page(actor: Actor, *, cursor: str | None = None, size: int | None = None,
                 today: dt.date | None = None) -> OverduePage:
    """One page of every overdue task in the actor's organisation, both kinds, earliest
    first: tasks people set (any assignee) and the tasks the timeline derives, merged by
    (due date, case, kind: set ones first, id). Rows are dicts with ``due``, ``case``,
    ``kind`` ("set" or "timeline"), ``task`` (a ``CaseTask`` or None), ``title`` (for a
    timeline task) and ``assignee``; titles are not opened here (``overdue_page_read``).

    Each kind is read as ``size + 1`` rows after the cursor, in its order, from an index
    that holds it (issue 13: the whole list was built in Python and counted exactly, and
    the timeline's part stopped silently at its first 200); the count, capped, is read on
    the first page and carried by the cursor. A constant number of queries, whatever the
    number of cases or tasks. The caller asked ``policy.sees_overdue_tasks_of_organisation``."""
    today = today or timezone.localdate()
    size = size or OVERDUE_PAGE
    org_id = actor.organisation.pk
    set_rows, events = _overdue_set_tasks(org_id, today), _overdue_events(org_id, today)
    if cursor:
        position, count = _position(cursor)
        set_rows = _after(set_rows, "due_on", _SET, position)
        events = _after(events, "task_due", _TIMELINE, position)
    with planned_each_run():  # the right plan depends on the organisation's size
        if not cursor:
            counts = (_capped(set_rows), _capped(events))
            cap = keyset.count_cap()
            total = sum(c.value for c in counts)
            count = keyset.Count(min(total, cap), total <= cap and all(c.exact for c in counts))
        tasks = list(set_rows.select_related("case", "assignee")[: size + 1])
        timeline_events = list(events.select_related("case")[: size + 1])
    rows = [{"due": t.due_on, "case": t.case, "kind": "set", "task": t, "title": "",
             "assignee": t.assignee, "order": _SET, "id": t.pk} for t in tasks]
    for event in timeline_events:
        derived = timeline.task_of(event.facts(), today, answered=False)
        rows.append({"due": event.task_due, "case": event.case, "kind": "timeline",
                     "task": None, "derived": derived,
                     "title": derived.title if derived is not None else "",
                     "assignee": event.case.caseworker_id, "order": _TIMELINE,
                     "id": event.pk})
    rows.sort(key=lambda r: (r["due"], r["case"].pk, r["order"], r["id"]))
    more = len(rows) > size
    rows = rows[:size]
    following = _cursor(rows[-1], count) if more else None
    # An event whose rule gives no task today (none should: its ``task_due`` says one fell
    # due) is passed over, its place still kept by the cursor.
    rows = [r for r in rows if r["kind"] == "set" or (
        r["derived"] is not None and r["derived"].due < today)]
    people = get_user_model().objects.in_bulk(
        {r["assignee"] for r in rows if r["kind"] == "timeline" and r["assignee"]})
    for r in rows:
        if r["kind"] == "timeline":
            r["assignee"] = people.get(r["assignee"])
    return OverduePage(rows, following, count)


def overdue_page_read(actor: Actor, rows: list[dict]) -> list[dict]:
    """Open the titles of one page of ``overdue_page`` and audit the read,
    naming every task and case shown."""
    tasks = [r["task"] for r in rows if r["task"] is not None]
    shown(actor, tasks, note=f"overdue tasks: {len(tasks)} set on cases")
    timeline_cases = sorted({r["case"].pk for r in rows if r["task"] is None})
    if timeline_cases:
        audit.record_read(actor, timeline_cases, record_type="timeline_task",
                          note=f"overdue timeline tasks on {len(timeline_cases)} case(s)")
    for r in rows:
        if r["task"] is not None:
            r["title"] = r["task"].title_text
    return rows
