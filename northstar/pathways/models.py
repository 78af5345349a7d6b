"""The survivor's priorities, pathway assessments and the plan, on a case.

Delivery is recorded per plan item with dated status changes, so what each
outcome actually received can be measured whether or not there is a trial.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.pathways.rules.engine import titles
from northstar.survivors.models import Case


class Outcome(models.TextChoices):
    MONETARY_SUPPORT = "monetary_support", _("Monetary support")
    HEALING = "healing", _("Healing from trauma")
    SAFETY = "safety_self_and_others", _("Saving themselves and others from harm")


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    DECLINED = "declined_by_survivor", _("Declined by the survivor")
    STOPPED = "stopped", _("Stopped")


#: Which status may follow which. Delivered is final; a declined or stopped
#: item can be proposed again when the survivor changes their mind.
TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.PROPOSED: frozenset({PlanStatus.AGREED, PlanStatus.DECLINED, PlanStatus.STOPPED}),
    PlanStatus.AGREED: frozenset(
        {PlanStatus.IN_PROGRESS, PlanStatus.DELIVERED, PlanStatus.DECLINED, PlanStatus.STOPPED}
    ),
    PlanStatus.IN_PROGRESS: frozenset(
        {PlanStatus.DELIVERED, PlanStatus.DECLINED, PlanStatus.STOPPED}
    ),
    PlanStatus.DELIVERED: frozenset(),
    PlanStatus.DECLINED: frozenset({PlanStatus.PROPOSED}),
    PlanStatus.STOPPED: frozenset({PlanStatus.PROPOSED}),
}
CLOSED = frozenset({PlanStatus.DELIVERED, PlanStatus.DECLINED, PlanStatus.STOPPED})


class Priorities(models.Model):
    """The survivor's own ranking of the three outcomes, and their words. Latest wins."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="priorities")
    ranking = models.JSONField(default=list)
    #: In the survivor's own words: sealed like personal data.
    words = EncryptedTextField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return " > ".join(self.ranking)


class PathwayAssessment(models.Model):
    """One run of the pathways engine on a case: the profile used and all nine results."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pathway_assessments")
    profile = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    rule_set_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"assessment {self.pk} ({self.case_id})"

    def intervention(self, key: str) -> dict | None:
        return next((i for i in self.result.get("interventions", []) if i["key"] == key), None)


class PlanItem(models.Model):
    """An intervention the survivor chose from those offered, and how its delivery goes."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_items")
    intervention = models.CharField(max_length=40)
    pathway = models.CharField(max_length=20)
    outcome = models.CharField(max_length=32, choices=Outcome.choices)
    #: The assessment that offered it, and the eligibility it had then.
    assessment = models.ForeignKey(PathwayAssessment, on_delete=models.PROTECT, related_name="+")
    eligibility_when_chosen = models.CharField(max_length=16)
    status = models.CharField(
        max_length=24, choices=PlanStatus.choices, default=PlanStatus.PROPOSED
    )
    note = EncryptedTextField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.intervention}: {self.status}"

    @property
    def title(self) -> str:
        return titles().get(self.intervention, self.intervention)


class PlanStatusChange(models.Model):
    """A dated step in a plan item's history (the first one is its proposal)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=24, choices=PlanStatus.choices)
    note = EncryptedTextField()
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.status} at {self.changed_at:%Y-%m-%d}"
