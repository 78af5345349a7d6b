"""Survivor engagement: councils and their terms, activities, who takes part by their own
choice, the honoraria ledger, consultations and what changed, outreach sessions.

What is sealed: anything that can name a person (support person, minutes, best-interest
note, account details of a payment, a leader's name). What is not: the activity's kind,
date, place (a venue, never a survivor's address), counts.

Honoraria are owed for time given and nothing else: a ledger entry has hours, a rate and
an amount, and no field that could make it depend on anything (testimony, attendance of a
hearing, a case outcome). ``actions.accrue_honorarium`` is the one writer of "owed".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.core.models import Organisation
from northstar.survivors.models import Survivor


class ActivityKind(models.TextChoices):
    ADVISORY_COUNCIL = "advisory_council", _("Advisory council meeting")
    NATIONAL_COMMITTEE = "national_committee", _("National committee meeting")
    SPEAKING = "speaking", _("Speaking")
    TRAINING = "training", _("Training others")
    PEER_SUPPORT = "peer_support", _("Peer support")
    POLICY_REVIEW = "policy_review", _("Policy review")
    RESEARCH = "research", _("Research participation")


#: Kinds whose activities are meetings of a council or committee with members and terms.
COUNCIL_KINDS = frozenset({ActivityKind.ADVISORY_COUNCIL, ActivityKind.NATIONAL_COMMITTEE})


class Council(models.Model):
    """An advisory council or national committee that includes survivors."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="councils")
    kind = models.CharField(max_length=24, choices=[(k.value, k.label) for k in ActivityKind if k in COUNCIL_KINDS])
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CouncilMembership(models.Model):
    """A survivor's term on a council: from, to, and when they stepped down if they did."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="members")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT,
                                 related_name="council_memberships")
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-term_start", "-id"]
        # The councils page reads one page of a council's members in this order (issue 13).
        indexes = [models.Index(fields=["council", "-term_start", "-id"],
                                name="membership_council_order")]

    def __str__(self) -> str:
        return f"term of {self.survivor_id} on {self.council_id}"


class Activity(models.Model):
    """One activity on the calendar: a meeting, a talk, a training, a review…"""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="engagement_activities")
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    hours = models.DecimalField(max_digits=5, decimal_places=2, default=2)
    place = models.CharField(max_length=200, blank=True)  # a venue, never a home address
    #: Open to the public, media, or published: a survivor's part in it is a public testimony.
    public = models.BooleanField(default=False)
    #: Does the activity ask participants to tell their own story?
    asks_for_own_story = models.BooleanField(default=False)
    #: Could a participant's offender (or people close to them) be present or reach them?
    #: ``None``: nobody asked yet (the safeguards warn; unknown is never safe).
    offender_may_be_present = models.BooleanField(null=True, blank=True)
    minutes = EncryptedTextField()  # may name people; shown to the organisation only
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["organisation", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class ParticipationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Taking part")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrew")


class Participation(models.Model):
    """One survivor's invitation to one activity, and everything about their taking part.

    The survivor answers (accept / decline) and may withdraw at any moment; nothing else
    of theirs changes when they do."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT,
                                 related_name="participations")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT,
                                 related_name="engagement_participations")
    status = models.CharField(max_length=12, choices=ParticipationStatus.choices,
                              default=ParticipationStatus.INVITED)
    #: Anonymity is the default: the pseudonym is all anyone outside the case team sees.
    anonymous = models.BooleanField(default=True)
    pseudonym = models.CharField(max_length=60)
    #: Set only by the survivor's own choice.
    chose_to_tell_own_story = models.BooleanField(default=False)
    support_person = EncryptedTextField()  # a name: sealed
    support_person_named = models.BooleanField(default=False)
    briefed_at = models.DateTimeField(null=True, blank=True)
    debriefing_planned = models.BooleanField(default=False)
    debriefed_at = models.DateTimeField(null=True, blank=True)
    right_to_withdraw_stated = models.BooleanField(default=False)
    #: For a child: why taking part is in their best interest (sealed), and that it was recorded.
    best_interest_note = EncryptedTextField()
    best_interest_recorded = models.BooleanField(default=False)
    #: The last Do No Harm check before the activity: findings as the engine gave them.
    safeguards_result = models.JSONField(default=dict, blank=True)
    safeguards_checked_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    invited_by_label = models.CharField(max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["activity__starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "survivor"],
                                               name="one_invitation_per_activity")]

    def __str__(self) -> str:
        return f"{self.pseudonym} at {self.activity_id}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    MOBILE_MONEY = "mobile_money", _("Mobile money")
    BANK = "bank", _("Bank transfer")


class HonorariumRate(models.Model):
    """An organisation's own rate per hour for a kind of activity (overrides the TOML default)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="honorarium_rates")
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    currency = models.CharField(max_length=3)
    per_hour = models.DecimalField(max_digits=12, decimal_places=4)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"],
                                               name="one_rate_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.per_hour} {self.currency}/h"


class LedgerEntryKind(models.TextChoices):
    OWED = "owed", _("Owed")
    PAID = "paid", _("Paid")


class HonorariumEntry(models.Model):
    """One line of a survivor's honoraria ledger: owed for time given, or paid.

    Owed = hours × the rate, rounded to the currency's minor unit. There is deliberately no
    field for a condition: the time given is the only thing an honorarium depends on."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT,
                                 related_name="honorarium_entries")
    participation = models.ForeignKey(Participation, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=4, choices=LedgerEntryKind.choices)
    hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices, blank=True)
    account_details = EncryptedTextField()  # a phone or account number: sealed
    on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [
            # The honoraria page: the organisation's payees, counted (capped) as distinct
            # survivors from the index alone, and each survivor the page walks checked
            # against it (issue 13, h-smallreads: the count hashed the whole ledger).
            models.Index(fields=["organisation", "survivor"], name="honorarium_org_payee"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class Consultation(models.Model):
    """A question put to survivors, who was consulted (counts only outside the organisation),
    and what changed because of it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="consultations")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="consultations")
    question = models.CharField(max_length=500)  # what was asked (no personal data)
    held_on = models.DateField()
    #: People consulted beyond the activity's participants (e.g. a written survey), a count.
    others_consulted = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.question[:60]


class ConsultationChange(models.Model):
    """Something that changed because survivors were consulted."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT,
                                     related_name="changes")
    what_changed = models.CharField(max_length=500)
    changed_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.what_changed[:60]


class OutreachKind(models.TextChoices):
    COMMUNITY = "community", _("Community outreach")
    SAFE_MIGRATION = "safe_migration", _("Safe-migration session")
    FAMILY_COUNSELLING = "family_counselling", _("At-risk family counselling")


class OutreachTopic(models.TextChoices):
    SAFE_MIGRATION = "safe_migration", _("Migrating safely")
    RECRUITMENT_FEES = "recruitment_fees", _("Recruitment fees and debts")
    RIGHTS_AT_WORK = "rights_at_work", _("Rights at work")
    SIGNS_OF_TRAFFICKING = "signs_of_trafficking", _("Signs of trafficking")
    ONLINE_JOB_SCAMS = "online_job_scams", _("Online job offers and scams")
    WHERE_TO_GET_HELP = "where_to_get_help", _("Where to get help")


class OutreachLeader(models.TextChoices):
    STAFF = "staff", _("Staff")
    SURVIVOR_CHANGEMAKER = "survivor_changemaker", _("Survivor changemaker")
    PARTNER = "partner", _("Partner organisation")


class OutreachSession(models.Model):
    """Prevention work, counted beside casework: where, for whom (counts), on what, led by whom."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="outreach_sessions")
    kind = models.CharField(max_length=24, choices=OutreachKind.choices)
    held_on = models.DateField()
    place = models.CharField(max_length=200)  # village, district or venue
    country = models.CharField(max_length=2, blank=True)
    topics = models.JSONField(default=list, blank=True)
    audience_women = models.PositiveIntegerField(default=0)
    audience_men = models.PositiveIntegerField(default=0)
    audience_children = models.PositiveIntegerField(default=0)
    at_risk_families = models.PositiveIntegerField(default=0)
    led_by = models.CharField(max_length=24, choices=OutreachLeader.choices)
    #: A survivor changemaker who led it is named by the pseudonym they chose, never more.
    leader_pseudonym = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.held_on}"

    @property
    def audience(self) -> int:
        return self.audience_women + self.audience_men + self.audience_children
