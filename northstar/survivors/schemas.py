"""API shapes for survivors, cases and consents. Every enum is listed in OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Q
from ninja import Field
from ninja.filter_schema import FilterLookup

from northstar.apiutils import Filters, OutSchema, StrictSchema
from northstar.core.jurisdictions import Jurisdiction
from northstar.survivors import models as m
from northstar.survivors.consent import in_force
from northstar.survivors.validation import (
    COUNTRY_PATTERN,
    EARLIEST_BIRTH_YEAR,
    LANGUAGE_MAX,
    LANGUAGE_PATTERN,
    MAX_LANGUAGES,
    MAX_TRANSIT_COUNTRIES,
    PERSONAL_TEXT,
    SUMMARY_MAX,
)


def _lit(choices):
    return Literal[tuple(choices.values)]


SexT = _lit(m.Sex)
GenderT = _lit(m.Gender)
AdvocacyT = _lit(m.AdvocacyVisibility)
FormT = _lit(m.ExploitationForm)
SectorT = _lit(m.Sector)
RecruitmentT = _lit(m.RecruitmentMethod)
RelationshipT = _lit(m.Relationship)
CoercionT = _lit(m.Coercion)
TrialT = _lit(m.TrialParticipation)
StatusT = _lit(m.CaseStatus)
PurposeT = _lit(m.ConsentPurpose)
MethodT = Literal["verbal", "written", "thumbprint"]
GivenByT = _lit(m.ConsentGivenBy)
GuardianT = _lit(m.GuardianRelationship)
YesNoUnknownT = _lit(m.YesNoUnknown)
EntryT = _lit(m.Entry)
JurisdictionT = _lit(Jurisdiction)
Lang = LANGUAGE_PATTERN


def _personal(name: str):
    return Field(None, max_length=PERSONAL_TEXT[name])


class PersonalIn(StrictSchema):
    given_name: str | None = _personal("given_name")
    family_name: str | None = _personal("family_name")
    aliases: str | None = _personal("aliases")
    date_of_birth: dt.date | None = None
    phone: str | None = _personal("phone")
    address: str | None = _personal("address")
    id_document_numbers: str | None = _personal("id_document_numbers")
    contact_notes: str | None = _personal("contact_notes")


class SurvivorIn(PersonalIn):
    """A new survivor. Personal fields are sealed at rest; the rest is non-identifying."""

    birth_year: int | None = Field(None, ge=EARLIEST_BIRTH_YEAR)
    sex: SexT = "unknown"
    gender: GenderT = "unknown"
    nationality: str | None = Field(None, pattern=COUNTRY_PATTERN, description="ISO 3166-1 alpha-2")
    languages: list[str] = Field(default_factory=list, description="ISO 639 codes",
                                 max_length=MAX_LANGUAGES)
    preferred_language: str = Field("en", pattern=Lang, max_length=LANGUAGE_MAX)
    interpreter_needed: bool = False
    advocacy_visibility: AdvocacyT = "none"
    family_involved: YesNoUnknownT = Field(
        "unknown", description="a family member took part in the trafficking (unknown: ask)")


class SurvivorPatch(PersonalIn):
    version: int = Field(..., ge=1, description="the version you read; a stale one gets 409")
    birth_year: int | None = Field(None, ge=EARLIEST_BIRTH_YEAR)
    sex: SexT | None = None
    gender: GenderT | None = None
    nationality: str | None = Field(None, pattern=COUNTRY_PATTERN)
    languages: list[str] | None = Field(None, max_length=MAX_LANGUAGES)
    preferred_language: str | None = Field(None, pattern=Lang, max_length=LANGUAGE_MAX)
    interpreter_needed: bool | None = None
    advocacy_visibility: AdvocacyT | None = None
    family_involved: YesNoUnknownT | None = None


class SurvivorOut(OutSchema):
    id: int
    reference: str
    organisation_id: int
    access: Literal["full", "shared"] = Field(
        ..., description="'shared': a referral recipient's view, only the shared fields"
    )
    birth_year: int | None = None
    is_child: bool | None = None
    sex: str | None = None
    gender: str | None = None
    nationality: str | None = None
    languages: list[str] | None = None
    preferred_language: str | None = None
    interpreter_needed: bool | None = None
    advocacy_visibility: str | None = None
    family_involved: str | None = None
    version: int
    created_at: dt.datetime | None = None
    personal: dict[str, str] | None = Field(
        None, description="opened personal fields (each opening is audited)"
    )


class DuplicateOut(SurvivorOut):
    reasons: list[str] = Field(default_factory=list,
                               description="why this record may be the same person, in words")


class SurvivorFilters(Filters):
    reference: Annotated[str | None, FilterLookup("reference__iexact")] = Field(
        None, max_length=32)
    nationality: str | None = Field(None, pattern=COUNTRY_PATTERN)
    sex: SexT | None = None
    language: Annotated[str | None, FilterLookup("languages__has_element")] = Field(
        None, pattern=Lang, max_length=LANGUAGE_MAX, description="one of the languages spoken")
    interpreter_needed: bool | None = None


class DuplicateQuery(StrictSchema):
    given_name: str = Field(..., max_length=PERSONAL_TEXT["given_name"])
    family_name: str = Field("", max_length=PERSONAL_TEXT["family_name"])
    date_of_birth: dt.date | None = None
    aliases: str = Field("", max_length=PERSONAL_TEXT["aliases"])
    phone: str = Field("", max_length=PERSONAL_TEXT["phone"])


class SearchQuery(StrictSchema):
    q: str = Field(..., min_length=1, max_length=200,
                   description="a name, alias or phone number, as spelt by whoever asks")
    limit: int = Field(30, ge=1, le=50)


class SearchHit(OutSchema):
    id: int
    reference: str
    score: int = Field(..., description="weighted count of matching index tokens")
    reasons: list[str] = Field(..., description="what matched, in words")
    names: dict[str, str] | None = Field(
        None, description="the names opened to show this candidate (the read is audited)")


class MergeIn(StrictSchema):
    merged_id: int = Field(..., ge=1, le=2**63 - 1,
                           description="the record to merge into this one (then archived)")
    reason: str = Field(..., min_length=1, max_length=1000)


class MergeOut(OutSchema):
    id: int
    kept_id: int
    kept_reference: str
    merged_id: int
    merged_reference: str
    status: _lit(m.MergeStatus)
    requested_at: dt.datetime
    decided_at: dt.datetime | None = None
    moved: dict


class CaseIn(StrictSchema):
    jurisdiction: JurisdictionT | None = None
    forms_of_exploitation: list[FormT] = Field(..., min_length=1)
    sectors: list[SectorT] = Field(default_factory=list)
    country_of_origin: str | None = Field(None, pattern=COUNTRY_PATTERN)
    transit_countries: list[str] = Field(default_factory=list, max_length=MAX_TRANSIT_COUNTRIES)
    country_of_destination: str | None = Field(None, pattern=COUNTRY_PATTERN)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    recruitment_method: RecruitmentT = "unknown"
    relationship_to_offender: RelationshipT = "unknown"
    coercion: CoercionT = "unknown"
    fears_retaliation_at_home: bool | None = None
    trial_participation: TrialT = "undecided"
    entry: EntryT = Field("unknown", description="regular or irregular entry into the country")
    visa_tied_to_employer: YesNoUnknownT = "unknown"
    documents_held_by_employer: YesNoUnknownT = "unknown"
    recruitment_debt: YesNoUnknownT = "unknown"
    status: StatusT = "open"
    summary: str | None = Field(None, max_length=SUMMARY_MAX)
    caseworker_id: int | None = Field(None, description="responsible caseworker (default: you)")


class CasePatch(StrictSchema):
    version: int = Field(..., ge=1)
    jurisdiction: JurisdictionT | None = None
    forms_of_exploitation: list[FormT] | None = Field(None, min_length=1)
    sectors: list[SectorT] | None = None
    country_of_origin: str | None = Field(None, pattern=COUNTRY_PATTERN)
    transit_countries: list[str] | None = Field(None, max_length=MAX_TRANSIT_COUNTRIES)
    country_of_destination: str | None = Field(None, pattern=COUNTRY_PATTERN)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    recruitment_method: RecruitmentT | None = None
    relationship_to_offender: RelationshipT | None = None
    coercion: CoercionT | None = None
    fears_retaliation_at_home: bool | None = None
    trial_participation: TrialT | None = None
    entry: EntryT | None = None
    visa_tied_to_employer: YesNoUnknownT | None = None
    documents_held_by_employer: YesNoUnknownT | None = None
    recruitment_debt: YesNoUnknownT | None = None
    status: StatusT | None = None
    summary: str | None = Field(None, max_length=SUMMARY_MAX)
    caseworker_id: int | None = Field(None, description="reassign the case")


class CaseOut(OutSchema):
    id: int
    reference: str
    survivor_id: int
    survivor_reference: str
    jurisdiction: str
    forms_of_exploitation: list[str]
    sectors: list[str]
    country_of_origin: str
    transit_countries: list[str]
    country_of_destination: str
    cross_border: bool
    period_start: dt.date | None
    period_end: dt.date | None
    recruitment_method: str
    relationship_to_offender: str
    coercion: str
    fears_retaliation_at_home: bool | None
    trial_participation: str
    entry: str
    visa_tied_to_employer: str
    documents_held_by_employer: str
    recruitment_debt: str
    status: str
    version: int
    created_at: dt.datetime
    caseworker_id: int | None = None
    caseworker: str | None = Field(None, description="username of the responsible caseworker")
    summary: str | None = Field(None, description="opened on detail reads only (audited)")


class CaseFilters(Filters):
    survivor_id: int | None = None
    caseworker_id: int | None = None
    status: StatusT | None = None
    form: Annotated[FormT | None, FilterLookup("forms_of_exploitation__has_element")] = None
    sector: Annotated[SectorT | None, FilterLookup("sectors__has_element")] = None
    jurisdiction: JurisdictionT | None = None


class ConsentIn(StrictSchema):
    purpose: PurposeT
    recipient_id: int | None = Field(None, description="receiving organisation (referral)")
    language: str = Field(..., pattern=Lang, max_length=LANGUAGE_MAX,
                          description="language the consent was explained in")
    interpreter_used: bool = False
    method: MethodT
    given_by: GivenByT = "survivor"
    guardian_relationship: GuardianT | None = Field(
        None, description="who gave a child's consent (given_by guardian): required then")
    guardian_name: str | None = Field(
        None, max_length=200, description="the guardian's name; sealed at rest, never returned")
    scope_note: str = Field("", max_length=500)
    explanation_version: str = Field("1", max_length=20)
    given_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None


class WithdrawIn(StrictSchema):
    reason: str = Field("", max_length=500)


class ConsentOut(OutSchema):
    id: int
    survivor_id: int
    purpose: str
    recipient_id: int | None
    scope_note: str
    explanation_version: str
    explained_by: str = Field(..., alias="explained_by_label")
    language: str
    interpreter_used: bool
    method: str
    given_by: str
    guardian_relationship: str
    given_at: dt.datetime
    expires_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdrawn_by: str = Field(..., alias="withdrawn_by_label")
    withdrawal_reason: str
    active: bool


class ConsentFilters(Filters):
    purpose: PurposeT | None = None
    active: bool | None = Field(None, description="in force now (given, not withdrawn, "
                                                  "not expired)")

    def filter_active(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        live = Q(pk__in=in_force().values("pk"))
        return live if value else ~live


# --- Casework (issue 14): close, reopen, assign, archive, transfer ----------------

CloseReasonT = _lit(m.CloseReason)
ReopenReasonT = _lit(m.ReopenReason)
ArchiveReasonT = _lit(m.ArchiveReason)


class CloseIn(StrictSchema):
    version: int = Field(..., ge=1)
    reason: CloseReasonT
    note: str = Field("", max_length=500, description="sealed; needed for reason 'other'")


class ReopenIn(StrictSchema):
    version: int = Field(..., ge=1)
    reason: ReopenReasonT
    note: str = Field("", max_length=500, description="sealed; needed for reason 'other'")


class AssignIn(StrictSchema):
    caseworker_id: int = Field(..., ge=1)
    version: int | None = Field(None, ge=1)


class TransferIn(StrictSchema):
    to_organisation_id: int = Field(..., ge=1)
    reason: str = Field("", max_length=1000, description="sealed")


class AcceptTransferIn(StrictSchema):
    caseworker_id: int | None = Field(None, ge=1, description="default: the one accepting")


class DeclineTransferIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=1000)


class TransferOut(OutSchema):
    id: int
    survivor_reference: str
    case_id: int
    case_reference: str
    from_organisation_id: int
    to_organisation_id: int
    status: Literal[tuple(m.TransferStatus.values)]
    status_label: str
    reason: str = Field(description="opened on a single transfer's read (audited), else masked")
    decline_reason: str
    requested_by_label: str
    requested_at: dt.datetime
    decided_by_label: str
    decided_at: dt.datetime | None
