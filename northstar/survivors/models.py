from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from northstar.core.fields import EncryptedTextField, reveal
from northstar.core.models import Organisation

ADULT_AGE = 18


class Sex(models.TextChoices):
    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"
    UNKNOWN = "unknown"


class Gender(models.TextChoices):
    """Close to HTCDS prs_Gender, in plain words."""

    WOMAN = "woman"
    MAN = "man"
    TRANSGENDER_WOMAN = "transgender_woman"
    TRANSGENDER_MAN = "transgender_man"
    NON_BINARY = "non_binary"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"
    UNKNOWN = "unknown"


class AdvocacyVisibility(models.TextChoices):
    NONE = "none", "Does not take part"
    ANONYMOUS = "anonymous", "Takes part anonymously"
    PUBLIC = "public", "Takes part under their own name"


class YesNoUnknown(models.TextChoices):
    """A fact that may not be known yet: unknown is its own answer, never "no"."""

    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known yet"


class Survivor(models.Model):
    """A person Northstar's users stand beside, known everywhere by a pseudonymous code.

    Personal fields are sealed at rest (see ``core.fields``); opening them goes
    through ``actions.reveal_personal_data``, which is audited. Everything in the
    clear is non-identifying on its own.
    """

    PERSONAL_FIELDS = (
        "given_name",
        "family_name",
        "aliases",
        "date_of_birth",
        "phone",
        "address",
        "id_document_numbers",
        "contact_notes",
    )

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="survivors"
    )
    reference = models.CharField(max_length=32, unique=True)

    given_name = EncryptedTextField()
    family_name = EncryptedTextField()
    aliases = EncryptedTextField()
    date_of_birth = EncryptedTextField(help_text="ISO date, sealed")
    phone = EncryptedTextField()
    address = EncryptedTextField()
    id_document_numbers = EncryptedTextField()
    contact_notes = EncryptedTextField()
    #: Blind index (HMAC) of normalised name + date of birth, for duplicate search.
    #: NULL, not "", when name or birth date is missing: such rows match nothing.
    duplicate_key = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, db_index=True
    )

    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(max_length=24, choices=Gender.choices, default=Gender.UNKNOWN)
    nationality = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639 codes")
    preferred_language = models.CharField(max_length=10, default="en")
    interpreter_needed = models.BooleanField(default=False)
    #: How the survivor wants to take part in advocacy, in their own choice.
    #: A child may only choose none or anonymous (enforced in actions).
    advocacy_visibility = models.CharField(
        max_length=10, choices=AdvocacyVisibility.choices, default=AdvocacyVisibility.NONE
    )
    #: Whether a family member took part in the trafficking. A parent's or relative's
    #: consent for a child is refused on "yes" and on "unknown" (ask; never assume safe).
    family_involved = models.CharField(
        max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN,
        verbose_name="Family involved in the trafficking",
    )

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "duplicate_key"]),
            # The caseload and ``GET /api/v1/survivors``: one organisation's live records,
            # newest first, read in index order (no sort) and paged by keyset.
            # Partial (live rows only): PostgreSQL orders by an index only after columns
            # compared with "=", and "archived_at IS NULL" is not one.
            models.Index(fields=["organisation", "-created_at", "-id"],
                         condition=models.Q(archived_at__isnull=True),
                         name="survivor_org_live_recent"),
        ]

    def __str__(self) -> str:
        return self.reference

    def age_on(self, when: dt.date | None = None) -> int | None:
        """Age in whole years on a date, or None when nothing is known.

        The exact date of birth is used when recorded (opened here without
        disclosure: only the age leaves this method). With a birth year alone the
        *younger* possible age is returned, so child protections apply whenever
        the survivor might still be a child.
        """
        when = when or timezone.localdate()
        dob_text = reveal(self.date_of_birth)
        if dob_text:
            dob = dt.date.fromisoformat(dob_text)
            return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))
        if self.birth_year:
            return when.year - self.birth_year - 1
        return None

    def is_child(self, when: dt.date | None = None) -> bool | None:
        age = self.age_on(when)
        return None if age is None else age < ADULT_AGE


class ExploitationForm(models.TextChoices):
    SEX = "sex", "Sexual exploitation"
    LABOUR = "labour", "Labour exploitation"
    FORCED_CRIMINALITY = "forced_criminality", "Forced criminality (e.g. scam compounds)"
    FORCED_MARRIAGE = "forced_marriage", "Forced marriage"
    DOMESTIC_SERVITUDE = "domestic_servitude", "Domestic servitude"
    OTHER = "other", "Other"


class Sector(models.TextChoices):
    FISHING = "fishing"
    AGRICULTURE = "agriculture"
    MANUFACTURING = "manufacturing"
    CONSTRUCTION = "construction"
    DOMESTIC_WORK = "domestic_work"
    ENTERTAINMENT = "entertainment"
    ONLINE_SCAM = "online_scam"
    OTHER = "other"


class RecruitmentMethod(models.TextChoices):
    JOB_OFFER = "job_offer"
    RECRUITMENT_AGENCY = "recruitment_agency"
    FAMILY_OR_FRIEND = "family_or_friend"
    ONLINE = "online"
    MARRIAGE_PROPOSAL = "marriage_proposal"
    ABDUCTION = "abduction"
    OTHER = "other"
    UNKNOWN = "unknown"


class Relationship(models.TextChoices):
    STRANGER = "stranger"
    COMMUNITY = "community"
    FAMILY = "family"
    UNKNOWN = "unknown"


class Coercion(models.TextChoices):
    LOW = "low"
    HIGH = "high"
    UNKNOWN = "unknown"


class TrialParticipation(models.TextChoices):
    YES = "yes"
    NO = "no"
    UNDECIDED = "undecided"


class CaseStatus(models.TextChoices):
    OPEN = "open"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class Entry(models.TextChoices):
    """How the survivor entered the country where they were exploited."""

    REGULAR = "regular", "Regular (with the papers the law asks for)"
    IRREGULAR = "irregular", "Irregular (without them)"
    UNKNOWN = "unknown", "Not known yet"


#: Migration facts on a case (issue 11 §7): non-identifying, each "unknown" until asked.
MIGRATION_FACTS = ("entry", "visa_tied_to_employer", "documents_held_by_employer",
                   "recruitment_debt")


class Case(models.Model):
    """One survivor's experience of exploitation. A survivor may have several."""

    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="cases")
    #: Always the survivor's organisation (denormalised so that a case list is one index
    #: range, not a join through every survivor): set on save, moved with the survivor by
    #: ``survivors.actions.move_survivor_to``.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False)
    reference = models.CharField(max_length=40, unique=True)
    jurisdiction = models.CharField(max_length=2, help_text="where the case is handled")
    forms_of_exploitation = models.JSONField(default=list)
    sectors = models.JSONField(default=list, blank=True)
    country_of_origin = models.CharField(max_length=2, blank=True)
    transit_countries = models.JSONField(default=list, blank=True)
    country_of_destination = models.CharField(max_length=2, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    recruitment_method = models.CharField(
        max_length=24, choices=RecruitmentMethod.choices, default=RecruitmentMethod.UNKNOWN
    )
    relationship_to_offender = models.CharField(
        max_length=16, choices=Relationship.choices, default=Relationship.UNKNOWN
    )
    coercion = models.CharField(max_length=8, choices=Coercion.choices, default=Coercion.UNKNOWN)
    fears_retaliation_at_home = models.BooleanField(null=True, blank=True)
    trial_participation = models.CharField(
        max_length=10, choices=TrialParticipation.choices, default=TrialParticipation.UNDECIDED
    )
    # Migration status (MIGRATION_FACTS): what screening, pathways and safeguards read
    # for debt on return and non-punishment of immigration offences.
    entry = models.CharField(max_length=10, choices=Entry.choices, default=Entry.UNKNOWN,
                             verbose_name="Entry into the country")
    visa_tied_to_employer = models.CharField(
        max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN,
        verbose_name="Visa or permit tied to one employer")
    documents_held_by_employer = models.CharField(
        max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN,
        verbose_name="Passport or papers held by the employer")
    recruitment_debt = models.CharField(
        max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN,
        verbose_name="Owes a recruitment debt")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    #: The caseworker responsible: alerts and reminders go to them (and supervisors).
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    #: The survivor's account in the caseworker's words: sealed like personal data.
    summary = EncryptedTextField()

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_FIELDS = ("summary",)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"],
                         condition=models.Q(archived_at__isnull=True),
                         name="case_org_live_recent"),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        if self.survivor_id is not None and self.organisation_id is None:
            self.organisation_id = self.survivor.organisation_id
        super().save(*args, **kwargs)

    @property
    def responsible(self):
        """Who answers for this case: the assigned caseworker, else whoever opened it."""
        return self.caseworker or self.created_by

    def migration_facts(self) -> dict[str, str]:
        """The migration facts by name, for the engines (each "unknown" until recorded)."""
        return {name: getattr(self, name) for name in MIGRATION_FACTS}

    @property
    def cross_border(self) -> bool:
        return bool(
            self.country_of_origin
            and self.country_of_destination
            and self.country_of_origin != self.country_of_destination
        )


class ConsentPurpose(models.TextChoices):
    CASE_MANAGEMENT = "case_management", "Case management"
    REFERRAL = "referral", "Referral to a named organisation"
    STATISTICS = "statistics", "Anonymous statistics"
    RESEARCH = "research", "Research"
    LAW_ENFORCEMENT_SHARING = "law_enforcement_sharing", "Sharing with law enforcement"
    ADVOCACY = "advocacy", "Advocacy"


#: Purposes whose consent must name the organisation that receives the data.
PURPOSES_NEEDING_RECIPIENT = frozenset({ConsentPurpose.REFERRAL})


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal"
    WRITTEN = "written"
    THUMBPRINT = "thumbprint"
    PORTAL = "portal", "Given by the survivor in the portal"


class ConsentGivenBy(models.TextChoices):
    SURVIVOR = "survivor"
    GUARDIAN = "guardian", "Parent or guardian (for a child)"


class GuardianRelationship(models.TextChoices):
    """Who gave a child's consent on their behalf."""

    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    GRANDPARENT = "grandparent", "Grandparent"
    SIBLING = "sibling", "Brother or sister"
    OTHER_RELATIVE = "other_relative", "Other relative"
    GUARDIAN_AD_LITEM = "guardian_ad_litem", "Guardian ad litem (appointed by a court)"
    SOCIAL_WORKER = "social_worker", "Social worker with legal guardianship"
    OTHER_LEGAL_GUARDIAN = "other_legal_guardian", "Other legal guardian (not family)"


#: Guardians who are family: refused while the family may be involved in the trafficking.
FAMILY_GUARDIANS = frozenset({
    GuardianRelationship.MOTHER, GuardianRelationship.FATHER, GuardianRelationship.GRANDPARENT,
    GuardianRelationship.SIBLING, GuardianRelationship.OTHER_RELATIVE,
})


class Consent(models.Model):
    """One consent, for one purpose, as it was explained and given.

    Never a boolean on the survivor and never deleted: withdrawal stamps
    ``withdrawn_at`` and takes effect at once; giving consent again makes a new
    record. ``explanation_version`` names the wording the survivor heard.
    """

    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    recipient = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="for referral: the organisation that may receive the data",
    )
    scope_note = EncryptedTextField()  # may name people; 500 chars at the edge
    explanation_version = models.CharField(max_length=20, default="1")
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_by_label = models.CharField(max_length=150)
    language = models.CharField(max_length=10)
    interpreter_used = models.BooleanField(default=False)
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    given_by = models.CharField(
        max_length=10, choices=ConsentGivenBy.choices, default=ConsentGivenBy.SURVIVOR
    )
    #: For a consent given by a parent or guardian: who they are to the child, and
    #: their name (sealed like personal data).
    guardian_relationship = models.CharField(
        max_length=24, choices=GuardianRelationship.choices, blank=True)
    guardian_name = EncryptedTextField()
    given_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by_label = models.CharField(max_length=150, blank=True)
    withdrawal_reason = EncryptedTextField()  # may say why, naming people; 500 at the edge
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["survivor", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} consent for {self.survivor_id}"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        if self.given_at > at:
            return False
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return False
        return not (self.expires_at is not None and self.expires_at <= at)
