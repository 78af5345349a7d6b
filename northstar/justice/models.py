"""The justice-chain timeline of a case: dated events, each in a stage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.core.models import Organisation
from northstar.justice.timeline import EVENT_KINDS, STAGES, EventFacts, task_dates
from northstar.survivors.models import Case


class TimelineEvent(models.Model):
    """Something that happened to the survivor on the way through the justice chain.

    Events are not edited: a mistaken one is voided with a reason and a new one
    recorded, so the timeline shows what was known when.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline_events")
    kind = models.CharField(max_length=32, choices=[(k, gettext_lazy(v["label"])) for k, v in EVENT_KINDS.items()])
    stage = models.CharField(max_length=32, choices=[(k, gettext_lazy(v)) for k, v in STAGES.items()])
    occurred_on = models.DateField()
    details = models.JSONField(default=dict, blank=True)
    #: Free text in the caseworker's words: may identify people, so sealed.
    note = EncryptedTextField()
    #: The safeguards findings raised when the event was recorded (rule ids).
    finding_rules = models.JSONField(default=list, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_by_label = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = EncryptedTextField()  # free text that may name people; 300 chars at the edge
    #: When this event's task falls due while nothing has answered it, and the date a task
    #: shown only shortly before refers to (``timeline.task_dates``): kept up to date for the
    #: whole case whenever one of its events is saved (``refresh_tasks``), so task lists are
    #: indexed queries ordered by them. Code writing events without ``save()``
    #: (``bulk_create``, ``update``) calls ``refresh_tasks(case_ids)`` after.
    task_due = models.DateField(null=True, blank=True, editable=False)
    window_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["case", "occurred_on"]),
            # Open tasks, earliest due first: the caseload's and the task list's query, and
            # the overdue list's timeline tasks, in their order to the id (a page after a
            # cursor starts inside a day and case; issue 13, h-smallreads: it replaces
            # ``justice_event_task_due``, the same without the id).
            models.Index(fields=["task_due", "case", "id"], name="justice_event_task_due_order",
                         condition=models.Q(task_due__isnull=False, voided_at__isnull=True)),
            # Hearings and shelter stays coming up in the next days.
            models.Index(fields=["window_on", "case"], name="justice_event_window_on",
                         condition=models.Q(window_on__isnull=False, voided_at__isnull=True)),
            # The same, one kind at a time in the task list's order (``_open_task_queries``:
            # one range per kind, so no OR of kinds leaves PostgreSQL guessing how many come).
            models.Index(fields=["kind", "window_on", "case", "id"],
                         name="justice_event_kind_window",
                         condition=models.Q(window_on__isnull=False, voided_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.occurred_on} ({self.case_id})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        refresh_tasks([self.case_id])

    def facts(self) -> EventFacts:
        return EventFacts(self.pk, self.kind, self.occurred_on, self.stage, self.details or {})


def refresh_tasks(case_ids) -> None:
    """Work out again, with ``timeline.task_dates``, the stored task dates of the events of
    ``case_ids`` (an event recorded or voided can answer, or stop answering, another)."""
    events = list(TimelineEvent.objects.filter(case_id__in=list(case_ids)).only(
        "id", "case_id", "kind", "occurred_on", "stage", "details", "voided_at", "task_due",
        "window_on"))
    by_case: dict[int, list] = {}
    for event in events:
        if event.voided_at is None:
            by_case.setdefault(event.case_id, []).append(event.facts())
    dates = {}
    for facts in by_case.values():
        dates.update(task_dates(facts))
    changed = []
    for event in events:
        due, window = dates.get(event.pk, (None, None))
        if (event.task_due, event.window_on) != (due, window):
            event.task_due, event.window_on = due, window
            changed.append(event)
    if changed:
        TimelineEvent.objects.bulk_update(changed, ["task_due", "window_on"], batch_size=1000)


class TaskSource(models.TextChoices):
    MANUAL = "manual", _("Added by staff")
    ASSIGNMENT = "assignment", _("A case was assigned")
    TRANSFER = "transfer", _("A case was transferred")


class CaseTask(models.Model):
    """A task someone set on a case, with an assignee and a due date (issue 14).

    Beside the tasks the timeline derives (``timeline.derive_tasks``), which are never
    stored. The title may name people, so it is sealed; 200 characters at the edge.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    title = EncryptedTextField()
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="case_tasks")
    due_on = models.DateField()
    source = models.CharField(max_length=12, choices=TaskSource.choices,
                              default=TaskSource.MANUAL)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by_label = models.CharField(max_length=150, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # "My tasks": one assignee's open tasks by due date.
            models.Index(fields=["assignee", "done_at", "due_on"], name="casetask_mine"),
            # ... in the list's order (due date, then id), read in it and stopped after the
            # page: ``done_at IS NULL`` is not an equality PostgreSQL orders after, hence
            # partial (issue 13: the page sorted every task of the organisation).
            models.Index(fields=["assignee", "due_on", "id"], name="casetask_mine_order",
                         condition=models.Q(done_at__isnull=True)),
            # The organisation's task list (``GET /api/v1/case-tasks``) in its order; each
            # row's case is checked by primary key.
            models.Index(fields=["due_on", "id"], name="casetask_due_order"),
            # Open tasks by due date. The overdue list read it until it was paged by cursor
            # (``casetask_overdue_order`` below); kept for whoever else asks by ``done_at``.
            models.Index(fields=["done_at", "due_on"], name="casetask_open_due"),
            # ... in the overdue list's order (due date, case, id), read a page at a time
            # after a cursor (``tasks.overdue_page``; issue 13, h-smallreads).
            models.Index(fields=["due_on", "case", "id"], name="casetask_overdue_order",
                         condition=models.Q(done_at__isnull=True)),
            models.Index(fields=["case", "done_at"], name="casetask_case_open"),
        ]

    def __str__(self) -> str:
        return f"task on {self.case_id} due {self.due_on}"

    def is_overdue(self, today=None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())
