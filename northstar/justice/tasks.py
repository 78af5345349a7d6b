"""Tasks people set on a case (``CaseTask``): writes and reads, both audited.

Beside them stand the tasks the timeline derives (``selectors.tasks_for``), which are
never stored. Reads start from ``policy.visible_cases``; a task's title is sealed
(it may name people) and opened only for the rows shown, in one audited read.
Reassigning a case and accepting a transfer notify the new caseworker here, with a
task due today, because the survivors layer below cannot know about tasks.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError
from northstar.core.fields import reveal
from northstar.core.prepared import Prepared
from northstar.justice import selectors
from northstar.justice.models import CaseTask, TaskSource
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


def overdue_in_organisation(actor: Actor, *, today: dt.date | None = None) -> list[dict]:
    """Every overdue task in the actor's organisation, both kinds, earliest first: tasks
    people set (any assignee) and the tasks the timeline derives. Rows are dicts with
    ``due``, ``case``, ``kind`` ("set" or "timeline"), ``task`` (a ``CaseTask`` or None),
    ``title`` (for a timeline task) and ``assignee``. A constant number of queries,
    whatever the number of cases or tasks; titles are not opened here (see ``shown``)."""
    today = today or timezone.localdate()
    rows = [{"due": t.due_on, "case": t.case, "kind": "set", "task": t, "title": "",
             "assignee": t.assignee}
            for t in visible_tasks(actor).filter(done_at__isnull=True, due_on__lt=today)
            .select_related("case__survivor", "case__caseworker", "assignee")]
    derived_rows = [(case, task) for case, task in selectors.tasks_for(actor, today=today)
                    if task.due < today]
    people = get_user_model().objects.in_bulk(
        {case.caseworker_id for case, _ in derived_rows if case.caseworker_id})
    for case, derived in derived_rows:
        rows.append({"due": derived.due, "case": case, "kind": "timeline", "task": None,
                     "title": derived.title, "assignee": people.get(case.caseworker_id)})
    rows.sort(key=lambda r: (r["due"], r["case"].pk))
    return rows


def overdue_page_read(actor: Actor, rows: list[dict]) -> list[dict]:
    """Open the titles of one page of ``overdue_in_organisation`` and audit the read,
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
