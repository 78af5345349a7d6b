"""The intake in progress: where a caseworker stopped, and what they had typed.

Every step of the guided intake writes real records through the survivors,
screening and pathways actions as soon as it is completed; this row only
remembers which step comes next and, if the caseworker left a step half-way
("save and finish later"), what they had typed in it — sealed like any other
personal data, because a half-typed survivor form holds names and phone numbers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.core.models import Organisation


class IntakeStep(models.TextChoices):
    SURVIVOR = "survivor", _("Survivor")
    CONSENT = "consent", _("Consent")
    SCREENING = "screening", _("Screening")
    PRIORITIES = "priorities", _("Priorities")
    PATHWAYS = "pathways", _("Pathway options")
    PLAN = "plan", _("Plan")
    DONE = "done", _("Done")


#: The order of the guided flow.
STEP_ORDER = [IntakeStep.SURVIVOR, IntakeStep.CONSENT, IntakeStep.SCREENING,
              IntakeStep.PRIORITIES, IntakeStep.PATHWAYS, IntakeStep.PLAN, IntakeStep.DONE]


class Intake(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    survivor = models.ForeignKey("survivors.Survivor", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("survivors.Case", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    #: The furthest step reached; earlier steps stay reachable to review.
    step = models.CharField(max_length=12, choices=IntakeStep.choices,
                            default=IntakeStep.SURVIVOR)
    #: Which step ``draft`` belongs to.
    draft_step = models.CharField(max_length=12, blank=True)
    #: JSON of the half-filled form of ``draft_step``, sealed.
    draft = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"intake #{self.pk} ({self.step})"

    @property
    def step_index(self) -> int:
        return STEP_ORDER.index(self.step)
