"""Do No Harm findings on a case, and the actions proposed or recorded against them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.survivors.models import Case


class Severity(models.TextChoices):
    BLOCK = "block", _("Block")
    WARN = "warn", _("Warning")


class Harm(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    LEGAL = "legal", _("Legal")
    SOCIAL = "social", _("Social")
    ECONOMIC = "economic", _("Economic")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    OVERRIDDEN = "overridden", _("Overridden by a supervisor")


class ProposedAction(models.Model):
    """An action on a case that went through the safeguards and was recorded.

    A refused proposal is not stored (a rejected request changes nothing); an
    accepted one keeps the context it was checked with, the rule-set version
    and, when a block was overridden, the supervisor's justification.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="proposed_actions")
    action = models.CharField(max_length=40)
    context = models.JSONField(default=dict)
    rule_set_version = models.CharField(max_length=40)
    justification = EncryptedTextField()
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The second supervisor a ``two_supervisors`` block names with the override.
    second_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} on {self.case_id}"


class Finding(models.Model):
    """One safeguard that fired for an action on a case, until someone deals with it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="findings")
    proposal = models.ForeignKey(
        ProposedAction, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    action = models.CharField(max_length=40)
    rule = models.CharField(max_length=80)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    harm = models.CharField(max_length=16, choices=Harm.choices)
    explanation = models.TextField()
    #: Where the check came from: "proposed_action", "check", "timeline:<event id>", …
    source = models.CharField(max_length=80)
    rule_set_version = models.CharField(max_length=40)
    status = models.CharField(
        max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by_label = models.CharField(max_length=150, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by_label = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    justification = EncryptedTextField()

    class Meta:
        ordering = ["status", "severity", "-created_at", "-id"]
        indexes = [models.Index(fields=["case", "status"]),
                   # The caseload's Do No Harm alerts: the oldest open blocks, one range.
                   models.Index(fields=["created_at", "id"],
                                condition=models.Q(status="open", severity="block"),
                                name="finding_open_block_oldest"),
                   # The open findings work list (page and API), in its order: a page is one
                   # walk of this range, not a sort of every open finding (20,000 at 100k).
                   models.Index(fields=["severity", "created_at", "id"],
                                condition=models.Q(status="open"), name="finding_open_order")]

    def __str__(self) -> str:
        return f"{self.rule} ({self.severity}) on {self.case_id}"
