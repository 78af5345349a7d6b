"""The timeline's part of the shared pages: the case's stage band and caseload tasks."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from northstar import policy
from northstar.core.template_tags import url_of
from northstar.justice import selectors, tasks, timeline
from northstar.justice.forms import TaskForm
from northstar.ui import panels


def stage_panel(request, case) -> dict | None:
    """Where the case is in the justice chain, what is due, and the latest events."""
    actor = request.actor
    if not policy.works_with_records(actor):
        return None
    events = selectors.timeline_of(actor, case)
    info = selectors.summary(case, events=events)
    return {
        "case_id": case.pk,
        "stages": [(key, gettext(label), key == info["stage"])
                   for key, label in timeline.STAGES.items()],
        "stage": info["stage"],
        "tasks": info["tasks"],
        "period": info["reflection_period"],
        "period_active": info["reflection_period_active"],
        "video_on": info["video_statement_on"],
        "interviews": info["interviews"],
        "recent": list(reversed(events[-5:])),
        "count": len(events),
        "labels": {k: gettext(v["label"]) for k, v in timeline.EVENT_KINDS.items()},
        "url": url_of("justice:timeline", case.pk),
        "may_change": policy.may_change_survivor(actor, case.survivor),
    }


def _alerts(rows) -> list[panels.Alert]:
    url = panels.url_for_each("justice:timeline")
    return [panels.Alert(due=t.due, title=f"{case.reference}: {t.title}",
                         url=url(case.pk), severity=t.severity,
                         survivor_reference=case.survivor.reference)
            for case, t in rows]


def task_alerts(actor, *, limit: int | None = selectors.TASK_LIMIT):
    """Timeline tasks on the caseworker's caseload: reflection periods, hearings, follow-ups.
    The most urgent ``limit`` (overdue first: they are the earliest due, and a task's
    severity only falls as its due date moves later, so the earliest due are the most
    urgent); the task list pages through all of them. Read as plain rows: each alert's
    words and link are made only if the caseload shows it (``panels.ShownAlert``)."""
    if not policy.works_with_records(actor):
        return []
    today = timezone.localdate()
    url = panels.url_for_each("justice:timeline")
    out = []
    for row in selectors.task_rows_for(actor, today=today, limit=limit):
        task = selectors.task_of_row(row, today=today)
        if task is not None:
            out.append(panels.ShownAlert(
                task.due, task.severity, row["case__survivor__reference"],
                lambda task=task, row=row: (f"{row['case__reference']}: {task.title}",
                                            url(row["case_id"]))))
    return out


def survivor_task_alerts(actor, survivor):
    """The same, for one survivor's cases (the case page): a query scoped to them."""
    if not policy.works_with_records(actor):
        return []
    return _alerts(selectors.tasks_for(actor, today=timezone.localdate(), survivor=survivor,
                                       limit=None))


def tasks_panel(request, case) -> dict | None:
    """The tasks people set on this case (titles opened, audited), with a form to add one."""
    actor = request.actor
    if not policy.may_manage_tasks(actor):
        return None
    may_change = policy.may_change_survivor(actor, case.survivor)
    return {
        "case_id": case.pk,
        "tasks": tasks.tasks_of_case(actor, case),
        "today": timezone.localdate(),
        "form": TaskForm(organisation=actor.organisation,
                         staff_choices=panels.staff_choices(request),
                         initial={"assignee": case.caseworker_id or getattr(actor.user, "pk", None)})
        if may_change else None,
    }


def register() -> None:
    panels.register_case_panel("case_tasks", "justice/panels/case_tasks.html", tasks_panel,
                               order=22)
    panels.register_case_panel("justice_chain", "justice/panels/stage.html", stage_panel, order=10)
    panels.register_alert_source("justice_timeline", task_alerts,
                                 for_survivor=survivor_task_alerts)
