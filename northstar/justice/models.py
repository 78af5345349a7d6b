"""The justice-chain timeline of a case: dated events, each in a stage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from northstar.core.fields import EncryptedTextField
from northstar.core.models import Organisation
from northstar.justice.timeline import EVENT_KINDS, STAGES, EventFacts, task_due
from northstar.survivors.models import Case


class TimelineEvent(models.Model):
    """Something that happened to the survivor on the way through the justice chain.

    Events are not edited: a mistaken one is voided with a reason and a new one
    recorded, so the timeline shows what was known when.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline_events")
    kind = models.CharField(max_length=32, choices=[(k, v["label"]) for k, v in EVENT_KINDS.items()])
    stage = models.CharField(max_length=32, choices=list(STAGES.items()))
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
    #: When this event's task falls due (``timeline.task_due``), set on every save so task
    #: lists query and order by it instead of working out every event in Python. Code that
    #: writes events without ``save()`` (``bulk_create``) sets it with ``with_task_due()``.
    task_due = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["case", "occurred_on"]),
            # The caseload's and the task list's query: open events with a task, by due date.
            models.Index(fields=["task_due", "case"], name="justice_event_task_due",
                         condition=models.Q(task_due__isnull=False, voided_at__isnull=True)),
            # "Answered later?": a case's events of one kind, by date.
            models.Index(fields=["case", "kind", "occurred_on"], name="justice_event_case_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.occurred_on} ({self.case_id})"

    def save(self, *args, **kwargs):
        self.with_task_due()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"kind", "occurred_on", "details"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "task_due"}
        super().save(*args, **kwargs)

    def with_task_due(self) -> TimelineEvent:
        self.task_due = task_due(self.kind, self.occurred_on, self.details)
        return self

    def facts(self) -> EventFacts:
        return EventFacts(self.pk, self.kind, self.occurred_on, self.stage, self.details or {})
