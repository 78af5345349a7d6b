"""Calculations, claims (with their dated history), payments, mediation and the victim fund.

Amounts are ``Decimal`` with an ISO 4217 currency beside them; nothing here is
a float. Narrative that can identify people (justifications, agreement terms,
names of parties, session notes) is sealed with ``EncryptedTextField``.
Nothing is deleted: a claim's history is its events, and an escalated
mediation stays linked to the court claim that followed it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.core.models import Organisation
from northstar.survivors.models import Case, Survivor

MONEY = {"max_digits": 16, "decimal_places": 2}


class SavedCalculation(models.Model):
    """A calculation kept on a case, exactly as it was computed (inputs, lines, versions)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="compensation_calculations")
    label = models.CharField(max_length=120, blank=True)
    # The whole input and result as JSON, sealed: a justification may tell the survivor's story.
    inputs = EncryptedTextField()
    result = EncryptedTextField()
    jurisdiction = models.CharField(max_length=2)
    method = models.CharField(max_length=16)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(**MONEY)
    calculator_version = models.CharField(max_length=20)
    rule_set_version = models.CharField(max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"calculation {self.pk}: {self.total} {self.currency}"



class Route(models.TextChoices):
    CRIMINAL_RESTITUTION = "criminal_restitution", _("Criminal restitution")
    CIVIL_SUIT = "civil_suit", _("Civil suit")
    STATE_FUND = "state_fund", _("State fund")
    LABOUR_TRIBUNAL = "labour_tribunal", _("Labour tribunal")
    OUT_OF_COURT_MEDIATION = "out_of_court_mediation", _("Out-of-court mediation")


class Payer(models.TextChoices):
    OFFENDER = "offender", _("Offender")
    EMPLOYER = "employer", _("Employer")
    RECRUITMENT_AGENCY = "recruitment_agency", _("Recruitment agency")
    SUPPLY_CHAIN_BUYER = "supply_chain_buyer", _("Buyer in the supply chain")
    STATE_FUND = "state_fund", _("State fund")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed")
    AWARDED = "awarded", _("Awarded")
    SETTLED = "settled", _("Settled")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PAYING = "paying", _("Paying")
    PAID_IN_FULL = "paid_in_full", _("Paid in full")
    DEFAULTED = "defaulted", _("Defaulted")


class Claim(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="compensation_claims")
    route = models.CharField(max_length=32, choices=Route.choices)
    status = models.CharField(max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    payer = models.CharField(max_length=24, choices=Payer.choices)
    payer_name = EncryptedTextField(blank=True)
    forum_reference = models.CharField(max_length=120, blank=True,
                                       help_text=_("court, tribunal or fund file number"))
    calculation = models.ForeignKey(SavedCalculation, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="claims")
    currency = models.CharField(max_length=3)
    amount_claimed = models.DecimalField(**MONEY)
    amount_awarded = models.DecimalField(null=True, blank=True, **MONEY)
    amount_agreed = models.DecimalField(null=True, blank=True, **MONEY)
    filed_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    escalated_from = models.ForeignKey("Mediation", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="court_claims")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The claim's summary for the organisation's figures, derived from its payments and its
    # active schedule and kept by the actions that change them (``claims.refresh_summary``,
    # one UPDATE in SQL), so the figures read no payment row (issue 13).
    received_total = models.DecimalField(default=0, editable=False, **MONEY)
    first_paid_on = models.DateField(null=True, blank=True, editable=False)
    last_paid_on = models.DateField(null=True, blank=True, editable=False)
    #: The last active instalment's due day (None without a schedule).
    last_due_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"claim {self.pk} ({self.route}, {self.status})"

    @property
    def obligation(self):
        """What the payer owes: the award, or the agreed amount of a settlement."""
        if self.amount_awarded is not None:
            return self.amount_awarded
        return self.amount_agreed



class ClaimEvent(models.Model):
    """One dated step of a claim's history: a transition, a schedule, a payment, an escalation."""

    class Kind(models.TextChoices):
        TRANSITION = "transition"
        SCHEDULE = "schedule"
        PAYMENT = "payment"
        ESCALATION = "escalation"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    on = models.DateField()
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    note = EncryptedTextField()  # may quote a proof or name people; 300 chars at the edge
    actor_label = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.kind} {self.to_status}"



class Instalment(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="instalments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    # A replaced schedule is kept, not deleted: the history of what was promised matters.
    superseded_at = models.DateTimeField(null=True, blank=True)
    #: Whether what the claim had received by the due day covered everything scheduled up to
    #: and including this instalment (kept with the claim's summary; False once superseded).
    covered_on_time = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["due_on", "number"]

    def __str__(self) -> str:
        return f"instalment {self.number} due {self.due_on}"



class Payment(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    received_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    proof_reference = EncryptedTextField()  # a slip or account reference; 200 at the edge
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"payment {self.amount} on {self.received_on}"



class CompensationAlert(models.Model):
    """An overdue instalment, for one responsible person; resolved when it is paid."""

    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="alerts")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="compensation_alerts")
    raised_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    #: The instalment's due date, copied when the alert is raised (an instalment's date never
    #: changes: a new schedule supersedes it), so "my earliest due open alerts" is one range
    #: of ``compensation_alert_open_due`` instead of a sort of all of them through instalments.
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instalment", "recipient"],
                                               name="one_alert_per_instalment_and_person")]
        indexes = [models.Index(fields=["recipient", "due_on", "id"],
                                condition=models.Q(resolved_on__isnull=True),
                                name="compensation_alert_open_due")]

    def __str__(self) -> str:
        return f"alert for instalment {self.instalment_id}"



class MediationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", _("Failed")
    ESCALATED = "escalated", _("Escalated to court")


class PartyRole(models.TextChoices):
    WORKER = "worker", _("Worker")
    EMPLOYER = "employer", _("Employer")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    RECRUITMENT_AGENCY = "recruitment_agency", _("Recruitment agency")
    BUYER_BRAND = "buyer_brand", _("Buyer / brand")


class Mediation(models.Model):
    """Out-of-court compensation (alternative dispute resolution) for a labour case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="compensation_mediations")
    status = models.CharField(max_length=16, choices=MediationStatus.choices,
                              default=MediationStatus.OPEN)
    mediator = models.CharField(max_length=200, blank=True)
    opened_on = models.DateField()
    # Why it was allowed: the pathways engine's answer when it was opened.
    eligibility = models.JSONField(default=dict)
    agreement_terms = EncryptedTextField(blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    claim = models.OneToOneField(Claim, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="mediation")
    closed_on = models.DateField(null=True, blank=True)
    failure_reason = EncryptedTextField()  # may name people; 300 chars at the edge
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"mediation {self.pk} ({self.status})"



class MediationParty(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=24, choices=PartyRole.choices)
    name = EncryptedTextField()
    represented_by = EncryptedTextField()  # a person around her; 200 chars at the edge

    def __str__(self) -> str:
        return f"{self.role} in mediation {self.mediation_id}"



class MediationSession(models.Model):
    class Outcome(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        AGREEMENT = "agreement", _("Agreement")
        NO_AGREEMENT = "no_agreement", _("No agreement")
        POSTPONED = "postponed", _("Postponed")

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    summary = EncryptedTextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"session {self.held_on} ({self.outcome})"



class VictimFund(models.Model):
    """An organisation's fund for interim assistance while a claim runs."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT,
                                        related_name="victim_fund")
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"victim fund of organisation {self.organisation_id}"



class FundDeposit(models.Model):
    fund = models.ForeignKey(VictimFund, on_delete=models.PROTECT, related_name="deposits")
    amount = models.DecimalField(**MONEY)
    received_on = models.DateField()
    source = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"deposit {self.amount} on {self.received_on}"



class Purpose(models.TextChoices):
    LIVING_COSTS = "living_costs", _("Living costs")
    TRANSPORT = "transport", _("Transport")
    MEDICAL = "medical", _("Medical")
    LEGAL_FEES = "legal_fees", _("Legal fees")


class Disbursement(models.Model):
    """Money paid to a survivor from the fund. Never conditioned on testimony: no such field exists."""

    fund = models.ForeignKey(VictimFund, on_delete=models.PROTECT, related_name="disbursements")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT,
                                 related_name="fund_disbursements")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    #: The named approver's decision. Until then the money is reserved, not paid.
    approved_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        indexes = [
            # An approver's waiting list, oldest first, a page at a time: read in index
            # order (no sort of every waiting row: 56 ms for 10,002 at 100k survivors).
            models.Index(fields=["approver", "recorded_at", "id"],
                         condition=models.Q(approved_at__isnull=True,
                                            declined_at__isnull=True),
                         name="disbursement_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount} on {self.paid_on}"

    @property
    def status(self) -> str:
        if self.approved_at is not None:
            return "approved"
        if self.declined_at is not None:
            return "declined"
        return "pending"
