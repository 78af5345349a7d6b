from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.choices import QuickDisplay
from northstar.core.fields import EncryptedTextField, reveal
from northstar.core.models import Organisation
from northstar.core.prepared import ContainsWrittenIn

ADULT_AGE = 18


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Unknown")


class Gender(models.TextChoices):
    """Close to HTCDS prs_Gender, in plain words."""

    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    TRANSGENDER_WOMAN = "transgender_woman", _("Transgender woman")
    TRANSGENDER_MAN = "transgender_man", _("Transgender man")
    NON_BINARY = "non_binary", _("Non binary")
    PREFER_NOT_TO_SAY = "prefer_not_to_say", _("Prefer not to say")
    UNKNOWN = "unknown", _("Unknown")


class AdvocacyVisibility(models.TextChoices):
    NONE = "none", _("Does not take part")
    ANONYMOUS = "anonymous", _("Takes part anonymously")
    PUBLIC = "public", _("Takes part under their own name")


class YesNoUnknown(models.TextChoices):
    """A fact that may not be known yet: unknown is its own answer, never "no"."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known yet")


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

    # Its own index stays (the lists' capped count and a deep page's skip read it where an
    # organisation is much of the table). Each index is one more write on every create;
    # ``tests/survivors/test_survivor_indexes.py`` lists the ones kept.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="survivors"
    )
    reference = models.CharField(max_length=32, unique=True)

    given_name = EncryptedTextField()
    family_name = EncryptedTextField()
    aliases = EncryptedTextField()
    date_of_birth = EncryptedTextField(help_text=_("ISO date, sealed"))
    phone = EncryptedTextField()
    address = EncryptedTextField()
    id_document_numbers = EncryptedTextField()
    contact_notes = EncryptedTextField()
    #: Blind index (HMAC) of normalised name + date of birth, for duplicate search.
    #: NULL, not "", when name or birth date is missing: such rows match nothing.
    #: Looked up within one organisation only: the (organisation, duplicate_key) index.
    duplicate_key = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True
    )

    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(max_length=24, choices=Gender.choices, default=Gender.UNKNOWN)
    nationality = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2"))
    languages = models.JSONField(default=list, blank=True, help_text=_("ISO 639 codes"))
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
        verbose_name=_("Family involved in the trafficking"),
    )

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    #: Set when this record was merged into another record of the same person
    #: (``MergeRequest``): it is archived, and its histories moved to that record.
    #: Indexed only where set (``survivor_merged_into``): nearly every row has none, and a
    #: NULL entry in a full index was one more write on every create for no lookup.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from",
        db_index=False,
    )
    #: Whether any case (live or archived) was ever opened for this survivor: "recorded by me
    #: with no case yet" on the caseload is then one index range, not a probe per survivor.
    #: Set by ``Case.save`` on a new case and by the bulk import; a merge moves it with the
    #: cases (``actions.decide_merge``).
    has_cases = models.BooleanField(default=False, db_default=False, editable=False)

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
            # "My cases": the live survivors I recorded who have no case yet, newest first.
            models.Index(fields=["organisation", "created_by", "-created_at", "-id"],
                         condition=models.Q(archived_at__isnull=True, has_cases=False),
                         name="survivor_mine_without_case"),
            # The records merged into this one (``merged_from``; a delete's PROTECT check).
            models.Index(fields=["merged_into"], condition=models.Q(merged_into__isnull=False),
                         name="survivor_merged_into"),
            # A survivor's organisation by primary key from the index alone: the probe a
            # list joined through its survivor makes once a row (the referral list's capped
            # count, ``sender = org OR ...`` checked on each referral's survivor): 1,001
            # index-only probes, where PostgreSQL hashed the survivors it read in a pass
            # over the table (issue 13, h-smallreads: 32 → 1.3 ms at 100,000).
            models.Index(fields=["id"], include=["organisation"], name="survivor_org_probe"),
            # The engagement suggestions for a typed reference: the organisation's live
            # survivors whose reference starts with it, as a range in reference order
            # (``engagement.selectors.candidates_matching``; issue 13, h-smallreads).
            models.Index(fields=["organisation", "reference"],
                         condition=models.Q(archived_at__isnull=True),
                         name="survivor_org_reference"),
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
        return age_from(self.birth_year, self.date_of_birth, when or timezone.localdate())

    def is_child(self, when: dt.date | None = None) -> bool | None:
        """Whether the survivor is (or might still be) a child on ``when``: the answer of
        ``age_on`` compared with the adult age, opening the date of birth only when the
        unsealed birth year leaves it open (see ``child_on``)."""
        return child_on(self.birth_year, self.date_of_birth, when or timezone.localdate())


def child_on(birth_year: int | None, date_of_birth, when: dt.date) -> bool | None:
    """``Survivor.is_child`` from a row's birth year and (sealed) date of birth.

    The birth year is kept equal to the year of the date of birth whenever both are
    recorded (create, update, import and the API refuse a mismatch), so on ``when`` the
    survivor's age is ``when.year - birth_year`` or one less. When both are on the same
    side of the adult age, that is the answer and the date of birth is not opened (a list
    of 50 survivors opened 50 sealed dates for this); only in the year a survivor may turn
    18 is it opened, exactly as ``age_on`` does. No birth year: ``age_from`` (the date of
    birth if any, else unknown, ``None``, which every caller treats as a possible child).
    """
    if birth_year:
        youngest = when.year - birth_year - 1
        if youngest >= ADULT_AGE:
            return False
        if youngest + 1 < ADULT_AGE:
            return True
    age = age_from(birth_year, date_of_birth, when)
    return None if age is None else age < ADULT_AGE


def age_from(birth_year: int | None, date_of_birth, when: dt.date) -> int | None:
    """``Survivor.age_on`` from a row's birth year and (sealed) date of birth: the date of
    birth when recorded, else the *younger* age the birth year allows, else ``None``."""
    dob_text = reveal(date_of_birth)
    if dob_text:
        dob = dt.date.fromisoformat(dob_text)
        return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))
    if birth_year:
        return when.year - birth_year - 1
    return None


# The caseload's search by part of a reference (``reference__icontains``) carries its term
# in the SQL on PostgreSQL: as a parameter, the prepared statement's generic plan read the
# trigram index for the whole organisation whatever the term (core.prepared.ContainsWrittenIn).
Survivor._meta.get_field("reference").register_lookup(ContainsWrittenIn)


class ExploitationForm(models.TextChoices):
    SEX = "sex", _("Sexual exploitation")
    LABOUR = "labour", _("Labour exploitation")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality (e.g. scam compounds)")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    FISHING = "fishing", _("Fishing")
    AGRICULTURE = "agriculture", _("Agriculture")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    DOMESTIC_WORK = "domestic_work", _("Domestic work")
    ENTERTAINMENT = "entertainment", _("Entertainment")
    ONLINE_SCAM = "online_scam", _("Online scam")
    OTHER = "other", _("Other")


class RecruitmentMethod(models.TextChoices):
    JOB_OFFER = "job_offer", _("Job offer")
    RECRUITMENT_AGENCY = "recruitment_agency", _("Recruitment agency")
    FAMILY_OR_FRIEND = "family_or_friend", _("Family or friend")
    ONLINE = "online", _("Online")
    MARRIAGE_PROPOSAL = "marriage_proposal", _("Marriage proposal")
    ABDUCTION = "abduction", _("Abduction")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Relationship(models.TextChoices):
    STRANGER = "stranger", _("Stranger")
    COMMUNITY = "community", _("Community")
    FAMILY = "family", _("Family")
    UNKNOWN = "unknown", _("Unknown")


class Coercion(models.TextChoices):
    LOW = "low", _("Low")
    HIGH = "high", _("High")
    UNKNOWN = "unknown", _("Unknown")


class TrialParticipation(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNDECIDED = "undecided", _("Undecided")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    CLOSED = "closed", _("Closed")


class Entry(models.TextChoices):
    """How the survivor entered the country where they were exploited."""

    REGULAR = "regular", _("Regular (with the papers the law asks for)")
    IRREGULAR = "irregular", _("Irregular (without them)")
    UNKNOWN = "unknown", _("Not known yet")


#: Migration facts on a case (issue 11 §7): non-identifying, each "unknown" until asked.
MIGRATION_FACTS = ("entry", "visa_tied_to_employer", "documents_held_by_employer",
                   "recruitment_debt")


class Case(QuickDisplay, models.Model):
    """One survivor's experience of exploitation. A survivor may have several."""

    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="cases")
    #: Always the survivor's organisation (denormalised so that a case list is one index
    #: range, not a join through every survivor): set on save, moved with the survivor by
    #: ``survivors.actions.move_survivor_to``.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False)
    reference = models.CharField(max_length=40, unique=True)
    jurisdiction = models.CharField(max_length=2, help_text=_("where the case is handled"))
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
                             verbose_name=_("Entry into the country"))
    visa_tied_to_employer = models.CharField(
        max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN,
        verbose_name=_("Visa or permit tied to one employer"))
    documents_held_by_employer = models.CharField(
        max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN,
        verbose_name=_("Passport or papers held by the employer"))
    recruitment_debt = models.CharField(
        max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN,
        verbose_name=_("Owes a recruitment debt"))
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
    #: Copies of the survivor's, so that "my cases" (the caseload) and the case list are one
    #: index range each, never a join through the organisation's survivors: set on save,
    #: moved with the case by a merge (``actions.decide_merge``), ``survivor_archived`` set
    #: when the survivor is archived (``actions.archive_survivor``). A live case of an
    #: archived survivor is listed nowhere.
    survivor_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    survivor_archived = models.BooleanField(default=False, db_default=False, editable=False)

    PERSONAL_FIELDS = ("summary",)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # ``GET /api/v1/cases`` and its capped count: the organisation's visible cases.
            models.Index(fields=["organisation", "-created_at", "-id"],
                         condition=models.Q(archived_at__isnull=True, survivor_archived=False),
                         name="case_org_visible_recent"),
            # The caseload's "my cases": my live cases' survivors, newest survivor first.
            models.Index(fields=["organisation", "caseworker", "-survivor_created_at",
                                 "-survivor_id"],
                         condition=models.Q(archived_at__isnull=True, survivor_archived=False),
                         name="case_mine_by_survivor"),
            # The figures (delivery, compensation): the organisation's live cases of live
            # survivors with their survivor ids, read from the index alone (no survivor
            # joined, no pass over the sealed rows); survivor-ordered for the consent
            # semi-join and the count of distinct survivors.
            models.Index(fields=["organisation", "survivor", "id"],
                         condition=models.Q(archived_at__isnull=True, survivor_archived=False),
                         name="case_org_live_survivor"),
            # Whether a case is visible (``policy.staff_cases_q``) by primary key from the
            # index alone: the probe a list of rows hanging off cases makes once a row
            # (the capped counts of case tasks and of the overdue timeline tasks). Without
            # it PostgreSQL hashed the organisation's visible cases, read in a pass over
            # ``case_org_visible_recent`` (30,000 of them for 1,001 tasks at 100,000:
            # 8-15 ms → 1.3-2.8; issue 13, h-smallreads).
            models.Index(fields=["id"], include=["organisation"],
                         condition=models.Q(archived_at__isnull=True, survivor_archived=False),
                         name="case_visible_probe"),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        adding = self._state.adding
        if self.survivor_id is not None and (
                self.organisation_id is None or self.survivor_created_at is None):
            survivor = self.survivor
            if self.organisation_id is None:
                self.organisation_id = survivor.organisation_id
            if self.survivor_created_at is None:
                self.survivor_created_at = survivor.created_at
                self.survivor_archived = survivor.archived_at is not None
        super().save(*args, **kwargs)
        if adding and self.survivor_id is not None:
            Survivor.objects.filter(pk=self.survivor_id, has_cases=False).update(has_cases=True)

    @property
    def responsible(self):
        """Who answers for this case: the assigned caseworker, else whoever opened it."""
        return self.caseworker or self.created_by

    def migration_facts(self) -> dict[str, str]:
        """The migration facts by name, for the engines (each "unknown" until recorded)."""
        return {name: getattr(self, name) for name in MIGRATION_FACTS}

    @property
    def cross_border(self) -> bool:
        return crosses_border(self.country_of_origin, self.country_of_destination)


def crosses_border(origin: str, destination: str) -> bool:
    """Whether a case with these countries of origin and destination crossed a border."""
    return bool(origin and destination and origin != destination)


class ConsentPurpose(models.TextChoices):
    CASE_MANAGEMENT = "case_management", _("Case management")
    REFERRAL = "referral", _("Referral to a named organisation")
    STATISTICS = "statistics", _("Anonymous statistics")
    RESEARCH = "research", _("Research")
    LAW_ENFORCEMENT_SHARING = "law_enforcement_sharing", _("Sharing with law enforcement")
    ADVOCACY = "advocacy", _("Advocacy")
    ENGAGEMENT = "engagement", _("Engagement (councils, training, peer support, consultations)")
    INTELLIGENCE_LINK = "intelligence_link", _("Linking a report of what she knows to her case")


#: Purposes whose consent must name the organisation that receives the data.
PURPOSES_NEEDING_RECIPIENT = frozenset({ConsentPurpose.REFERRAL})


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")
    THUMBPRINT = "thumbprint", _("Thumbprint")
    PORTAL = "portal", _("Given by the survivor in the portal")


class ConsentGivenBy(models.TextChoices):
    SURVIVOR = "survivor", _("Survivor")
    GUARDIAN = "guardian", _("Parent or guardian (for a child)")


class GuardianRelationship(models.TextChoices):
    """Who gave a child's consent on their behalf."""

    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    GUARDIAN_AD_LITEM = "guardian_ad_litem", _("Guardian ad litem (appointed by a court)")
    SOCIAL_WORKER = "social_worker", _("Social worker with legal guardianship")
    OTHER_LEGAL_GUARDIAN = "other_legal_guardian", _("Other legal guardian (not family)")


#: Guardians who are family: refused while the family may be involved in the trafficking.
FAMILY_GUARDIANS = frozenset({
    GuardianRelationship.MOTHER, GuardianRelationship.FATHER, GuardianRelationship.GRANDPARENT,
    GuardianRelationship.SIBLING, GuardianRelationship.OTHER_RELATIVE,
})


class Consent(QuickDisplay, models.Model):
    """One consent, for one purpose, as it was explained and given.

    Never a boolean on the survivor and never deleted: withdrawal stamps
    ``withdrawn_at`` and takes effect at once; giving consent again makes a new
    record. ``explanation_version`` names the wording the survivor heard.
    """

    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    recipient = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("for referral: the organisation that may receive the data"),
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


# --- Closing, reopening and archiving (issue 14) ----------------------------------


class CloseReason(models.TextChoices):
    GOALS_MET = "goals_met", _("The survivor's goals were met")
    SURVIVOR_CHOSE = "survivor_chose", _("The survivor chose to stop")
    LOST_CONTACT = "lost_contact", _("Contact with the survivor was lost")
    SUPPORTED_ELSEWHERE = "supported_elsewhere", _("Another organisation now supports the survivor")
    OTHER = "other", _("Another reason (say which)")


class ReopenReason(models.TextChoices):
    NEW_NEED = "new_need", _("A new need or risk")
    NEW_PROCEEDINGS = "new_proceedings", _("New proceedings or a new claim")
    CLOSED_BY_MISTAKE = "closed_by_mistake", _("It was closed by mistake")
    OTHER = "other", _("Another reason (say which)")


class ArchiveReason(models.TextChoices):
    CREATED_BY_MISTAKE = "created_by_mistake", _("Created by mistake")
    DUPLICATE = "duplicate", _("A duplicate of another record")
    TEST_RECORD = "test_record", _("A test or training record")
    OTHER = "other", _("Another reason (say which)")


class StatusChangeKind(models.TextChoices):
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    ARCHIVED = "archived", _("Archived")


#: The reasons each kind of change may give.
REASONS_FOR = {
    StatusChangeKind.CLOSED: CloseReason,
    StatusChangeKind.REOPENED: ReopenReason,
    StatusChangeKind.ARCHIVED: ArchiveReason,
}


class StatusChange(models.Model):
    """A case closed or reopened, or a record archived, with why: kept, never changed.

    ``case`` is empty when a whole survivor record was archived. The free-text note may
    name people, so it is sealed like personal data.
    """

    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="status_changes")
    kind = models.CharField(max_length=10, choices=StatusChangeKind.choices)
    reason = models.CharField(max_length=32)
    note = EncryptedTextField()  # 500 characters at the edge
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.reason})"

    def get_reason_display(self) -> str:
        return dict(REASONS_FOR[self.kind].choices).get(self.reason, self.reason)


# --- Transfer of a case to another organisation (issue 14) -------------------------


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the receiving organisation")
    ACCEPTED = "accepted", _("Accepted: the receiving organisation is now responsible")
    DECLINED = "declined", _("Declined by the receiving organisation")
    CANCELLED = "cancelled", _("Withdrawn by the sending organisation")


class Transfer(models.Model):
    """Responsibility for a survivor (and so every one of their cases) moving to another
    organisation on the platform. It needs the survivor's referral consent naming the
    receiving organisation, asked when it is requested and again when it is accepted;
    on acceptance ``Survivor.organisation`` moves and the sender's access ends."""

    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="transfers")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                          related_name="transfers_out")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                        related_name="transfers_in")
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField(max_length=10, choices=TransferStatus.choices,
                              default=TransferStatus.REQUESTED)
    #: Why, in the sender's words (may name people): sealed; 1000 characters at the edge.
    reason = EncryptedTextField()
    decline_reason = EncryptedTextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_by_label = models.CharField(max_length=150)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_by_label = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["to_organisation", "status"]),
                   models.Index(fields=["from_organisation", "status"])]
        constraints = [models.UniqueConstraint(
            fields=["survivor"], condition=models.Q(status="requested"),
            name="one_open_transfer_per_survivor")]

    def __str__(self) -> str:
        return f"transfer of {self.survivor_id} to {self.to_organisation_id}"


class TokenKind(models.TextChoices):
    WORD = "word", _("Same word")
    PHONETIC = "phon", _("Sounds alike")
    TRIGRAM = "tri", _("Similar spelling")
    PHONE = "phone", _("Same phone number")


class NameToken(models.Model):
    """One keyed blind-index token of a survivor's name, alias or phone (``survivors.search``).

    ``digest`` is an HMAC under a key derived from the field key ring, with the
    organisation in its input: it holds no plaintext, and equal names in two
    organisations give different digests. ``organisation`` is copied from the
    survivor so that a search is one index range per query token.
    """

    # No database constraint on either key: checking two foreign keys for each of some
    # twenty tokens per person cost a bulk import more than everything else together.
    # Survivors are never deleted (archived; PROTECT everywhere), the tokens are derived
    # data rebuilt by ``rebuild_name_index``, and Django still cascades a delete.
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="name_tokens",
                                 db_constraint=False)
    # No index of its own either: the search index below starts with it.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+",
                                     db_constraint=False, db_index=False)
    kind = models.CharField(max_length=5, choices=TokenKind.choices)
    weight = models.PositiveSmallIntegerField()
    digest = models.CharField(max_length=32)
    #: The field key whose derived index key made ``digest`` (rebuilt on rotation).
    key_id = models.CharField(max_length=16)

    class Meta:
        indexes = [models.Index(fields=["organisation", "digest"], include=["survivor", "weight"],
                                name="survivors_nametoken_search")]

    def __str__(self) -> str:
        return f"{self.kind} token of {self.survivor_id}"


class MergeStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for a supervisor")
    APPROVED = "approved", _("Merged")
    REFUSED = "refused", _("Refused")


class MergeRequest(models.Model):
    """Two records of one person, to be merged: asked by a caseworker, decided by a supervisor.

    On approval every record hanging off ``merged`` (cases and their events and claims,
    consents, referrals, intakes...) moves to ``kept``; ``merged`` is archived with
    ``merged_into`` set. ``moved`` lists what moved, by model and id, so the merge can be
    undone by hand if it was wrong. The audit log is append-only and is never rewritten:
    the merge entry names both references.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kept = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()  # may name people
    status = models.CharField(max_length=10, choices=MergeStatus.choices,
                              default=MergeStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    moved = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"merge of {self.merged_id} into {self.kept_id}"
