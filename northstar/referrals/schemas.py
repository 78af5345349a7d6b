"""API shapes for the service directory and referrals."""

from __future__ import annotations

from typing import Literal

from django.db.models import Q
from ninja import Field, Schema

from northstar.apiutils import Filters, StrictSchema
from northstar.referrals.vocabulary import (
    JURISDICTIONS,
    POPULATIONS,
    SERVICE_KINDS,
    SHAREABLE_FIELDS,
    URGENCIES,
)

NeedT = Literal[tuple(SERVICE_KINDS)]
GroupT = Literal[tuple(POPULATIONS)]
UrgencyT = Literal[tuple(URGENCIES)]
FieldT = Literal[tuple(SHAREABLE_FIELDS)]
JurisdictionT = Literal[JURISDICTIONS]
StatusT = Literal["sent", "accepted", "declined", "in_progress", "completed", "closed", "revoked"]

class ServiceFilters(StrictSchema):
    """The directory search: ``selectors.search_services`` answers each criterion in the
    database (list fields included), so Ninja's pagination pages the result."""

    need: NeedT | None = None
    jurisdiction: JurisdictionT | None = None
    area: str | None = Field(None, max_length=100)
    language: str | None = Field(None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", max_length=10)
    serves: GroupT | None = None
    trauma_informed: bool | None = None
    no_curfew: bool = False
    q: str | None = Field(None, max_length=100)


class ProviderOut(Schema):
    id: int
    name: str
    jurisdiction: str
    on_platform: bool
    contact: str
    areas_served: list[str]


class ServiceOut(Schema):
    id: int
    kind: str
    name: str
    provider: ProviderOut
    jurisdictions: list[str]
    areas: list[str]
    languages: list[str]
    serves: list[str] = Field(description="who it serves, as codes (children, women, …; "
                                          "never translated); empty: anyone")
    trauma_informed: bool
    curfew: bool
    movement_restrictions: str
    capacity: int | None
    waiting_days: int | None
    contact: str




class ImportIn(StrictSchema):
    csv: str = Field(..., max_length=2_000_000, description="the CSV text, header first")


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    providers_created: int


class ReferralIn(StrictSchema):
    survivor_id: int
    recipient_id: int | None = Field(None, description="default: the service's provider")
    service_id: int | None = None
    case_id: int | None = None
    urgency: UrgencyT = "routine"
    needs: list[NeedT] = Field(default_factory=list, max_length=len(SERVICE_KINDS),
                               description="kinds of service, as codes (legal_aid, shelter, "
                                           "…): stable identifiers, never translated; pages "
                                           "show their names in the reader's language")
    shared_fields: list[FieldT] | None = Field(
        None, description="fields the recipient may see, as codes (given_name, "
                          "date_of_birth, …): stable identifiers, never translated; pages show "
                          "their names in the reader's language. Default: reference, "
                          "given_name, aliases, languages, needs")
    message: str = Field("", max_length=2000)


class StepIn(StrictSchema):
    reason: str = Field("", max_length=500, description="why (required to decline or revoke)")


class ReferralFilters(Filters):
    direction: Literal["sent", "received"] | None = Field(
        None, description="sent by your organisation, or received by it")
    status: StatusT | None = None

    def filter_direction(self, value: str | None) -> Q:
        """The side is the actor's organisation: ``selectors.visible_referrals(actor,
        direction=…)`` narrows by it; nothing to add here."""
        return Q()


class StepOut(Schema):
    status: str
    at: str
    actor_label: str
    note: str


class ReferralOut(Schema):
    id: int
    status: str
    urgency: str
    needs: list[str] = Field(description="kinds of service, as codes (never translated)")
    shared_fields: list[str] = Field(description="fields the recipient may see, as codes "
                                                 "(never translated)")
    sender: dict
    recipient: dict
    service: dict | None
    sender_jurisdiction: str
    recipient_jurisdiction: str
    cross_border: bool
    survivor_id: int | None
    survivor_reference: str | None
    case_id: int | None
    sent_at: str
    answered_at: str | None
    decline_reason: str
    started_at: str | None
    ended_at: str | None
    end_note: str
    consent_active: bool
    actions: list[str] = Field(description="the steps you may take now, as codes (accept, "
                                           "decline, …): the step URLs' names, never "
                                           "translated")
    steps: list[StepOut]
    message: str | None = None


