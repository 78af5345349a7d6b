"""Screenings run on a case: the answers, the classification and the rules used."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.survivors.models import Case


class Classification(models.TextChoices):
    NO_INDICATION = "no_indication", _("No indication of exploitation yet")
    INDICATOR_PRESENT = "indicator_present", _("An indicator to look into")
    LABOUR_RIGHTS_VIOLATION = "labour_rights_violation", _("Labour rights violation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    POSSIBLE_TRAFFICKING = "possible_trafficking", _("Possible trafficking")
    TRAFFICKING = "trafficking", _("Human trafficking")


class Screening(models.Model):
    """One run of the screening engine. Kept, never edited: a new answer is a new screening."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="screenings")
    answers = models.JSONField(default=dict)
    classification = models.CharField(max_length=32, choices=Classification.choices)
    result = models.JSONField(default=dict)
    rule_set_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=150, blank=True)
    previous_classification = models.CharField(
        max_length=32, choices=Classification.choices, blank=True,
        help_text=_("The classification of the screening this one followed, if any."),
    )
    downgrade_reason = models.TextField(
        blank=True,
        help_text=_("Why a classification lower on the spectrum than the previous one was confirmed."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.classification} ({self.case_id})"
