"""The service directory and referrals.

Providers are ``core.Organisation`` rows (``on_platform=False`` for those
outside Northstar); what the directory knows about them beyond that lives in
``ProviderProfile`` and ``Service``. A ``Referral`` carries the consent that
allowed it and the fields the recipient may see; its steps are kept in
``ReferralStep`` so the history is never overwritten.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.core.models import Organisation
from northstar.referrals.vocabulary import SERVICE_KINDS, URGENCIES
from northstar.survivors.models import Case, Consent, Survivor


class ProviderProfile(models.Model):
    """What the directory knows about a provider beyond its organisation row."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="provider_profile")
    areas_served = models.JSONField(default=list, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)
    website = models.CharField(max_length=200, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    #: The organisation that keeps this off-platform provider's entry (it listed it by a CSV
    #: import); only it may update the entry by import. Empty for an organisation's own
    #: profile and for entries a platform operator imported.
    listed_by = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    def __str__(self) -> str:
        return f"profile of {self.organisation.name}"


class Service(models.Model):
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    kind = models.CharField(max_length=32, choices=list(SERVICE_KINDS.items()))
    name = models.CharField(max_length=200)
    jurisdictions = models.JSONField(default=list, help_text=_("ISO 3166-1 alpha-2 codes"))
    areas = models.JSONField(default=list, blank=True, help_text=_("provinces, cities, districts"))
    languages = models.JSONField(default=list, help_text=_("ISO 639 codes"))
    serves = models.JSONField(default=list, blank=True, help_text=_("groups served; empty = all"))
    trauma_informed = models.BooleanField(default=False)
    curfew = models.BooleanField(default=False)
    movement_restrictions = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    waiting_days = models.PositiveIntegerField(null=True, blank=True)
    contact = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["provider", "kind", "name"],
                                               name="service_unique_per_provider")]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider.name})"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    REVOKED = "revoked", _("Revoked by sender")


#: States in which the recipient may see the shared fields.
ACCESS_STATES = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
#: States from which nothing moves any more.
FINAL_STATES = (ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.CLOSED,
                ReferralStatus.REVOKED)
#: States in which a referral still stands (its consent ending is then an alert).
OPEN_STATES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


def consent_ends(consent) -> dt.datetime | None:
    """When ``consent`` stops being active, if it does: withdrawn or expired, the earlier."""
    ends = [t for t in (consent.withdrawn_at, consent.expires_at) if t is not None]
    return min(ends) if ends else None


class Referral(models.Model):
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="referrals")
    sender = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                  related_name="referrals_received")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="referrals")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="referrals",
                                help_text=_("the referral consent naming the recipient"))
    sender_jurisdiction = models.CharField(max_length=2)
    recipient_jurisdiction = models.CharField(max_length=2)
    urgency = models.CharField(max_length=10, choices=list(URGENCIES.items()), default="routine")
    needs = models.JSONField(default=list, help_text=_("service kinds the survivor needs"))
    shared_fields = models.JSONField(default=list)
    #: What the sender tells the recipient, sealed at rest like personal data.
    message = EncryptedTextField()
    status = models.CharField(max_length=12, choices=ReferralStatus.choices,
                              default=ReferralStatus.SENT)
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField()  # may name people; 500 chars at the edge
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_note = EncryptedTextField()  # may name people; 500 chars at the edge
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    #: Copies of the consent's times (given; withdrawn or expired, the earlier), so that the
    #: caseload's "consent ended while the referral stands" is an index range of the few
    #: ended ones, not every open referral joined to its consent: set on save, and by
    #: ``survivors.actions.withdraw_consent`` (a consent's given and expiry times never change).
    consent_given_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_ends_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["recipient", "status"]),
                   models.Index(fields=["sender", "status"]),
                   models.Index(fields=["sender", "consent_ends_at"],
                                condition=models.Q(status__in=OPEN_STATES),
                                name="referral_open_consent_ends"),
                   models.Index(fields=["sender", "consent_given_at"],
                                condition=models.Q(status__in=OPEN_STATES),
                                name="referral_open_consent_given"),
                   # The caseload's "unanswered past its wait" (``panels._unanswered``):
                   # an index range of the sender's old unanswered ones per urgency, not
                   # every referral it sent (1.2 -> 0.05 ms at 100,000 survivors).
                   models.Index(fields=["sender", "sent_at"],
                                condition=models.Q(status=ReferralStatus.SENT),
                                name="referral_unanswered_sent"),
                   # The list's order (``visible_referrals``): a page is read newest first
                   # and stops, whichever side of the referral the organisation is on.
                   models.Index(fields=["-sent_at", "-id"], name="referral_sent_order")]

    def __str__(self) -> str:
        return f"referral #{self.pk} {self.sender_id}→{self.recipient_id} ({self.status})"

    def save(self, *args, **kwargs):
        if self._state.adding and self.consent_id is not None and self.consent_given_at is None:
            self.consent_given_at = self.consent.given_at
            self.consent_ends_at = consent_ends(self.consent)
        super().save(*args, **kwargs)

    @property
    def cross_border(self) -> bool:
        return self.sender_jurisdiction != self.recipient_jurisdiction


class ReferralStep(models.Model):
    """One dated step of a referral's life, kept for good."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="steps")
    status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor_label = models.CharField(max_length=150)
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    note = EncryptedTextField()  # the step's reason, sealed like the referral's

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M} by {self.actor_label}"
