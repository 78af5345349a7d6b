"""Every change to survivors, cases and consents, and every opening of sealed data.

Callers (API handlers, pages, commands) have already asked ``northstar.policy``
whether the actor may touch the record; these functions do the work in one
transaction and write the audit entry, so no caller can forget it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from northstar.core import audit, places
from northstar.core.actor import Actor
from northstar.core.crypto import duplicate_key
from northstar.core.errors import Conflict, DomainError
from northstar.core.fields import reveal
from northstar.core.models import Organisation
from northstar.survivors.models import (
    FAMILY_GUARDIANS,
    PURPOSES_NEEDING_RECIPIENT,
    AdvocacyVisibility,
    Case,
    Consent,
    ConsentGivenBy,
    ConsentMethod,
    ConsentPurpose,
    GuardianRelationship,
    Relationship,
    Survivor,
    YesNoUnknown,
)
from northstar.survivors.validation import PERSONAL_TEXT, clean_case, clean_survivor

#: Where a child's consent goes when the family cannot give it.
NOT_THE_FAMILY = ("ask a guardian ad litem (through the court) or the child's social worker "
                  "to decide with the child instead")

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_reference(organisation: Organisation) -> str:
    """Random, not sequential: a sequence would leak intake order and volume."""
    return f"{organisation.code}-{''.join(secrets.choice(_CODE_ALPHABET) for _ in range(6))}"


def _duplicate_key_for(values: dict) -> str | None:
    name = f"{values.get('given_name', '')} {values.get('family_name', '')}"
    return duplicate_key(name, values.get("date_of_birth", ""))


def _check_child_advocacy(survivor: Survivor) -> None:
    if survivor.advocacy_visibility == AdvocacyVisibility.PUBLIC and survivor.is_child() is not False:
        raise DomainError(
            "a child (or a survivor whose age is unknown) may take part in advocacy only "
            "anonymously, to protect their identity",
            "advocacy_visibility",
        )


# --- Survivors -----------------------------------------------------------------


@transaction.atomic
def create_survivor(actor: Actor, *, data: dict) -> Survivor:
    values = clean_survivor(data)
    if values.get("date_of_birth") and not values.get("birth_year"):
        values["birth_year"] = int(values["date_of_birth"][:4])
    survivor = Survivor(organisation=actor.organisation, created_by=actor.user, **values)
    survivor.duplicate_key = _duplicate_key_for(values)
    _check_child_advocacy(survivor)
    for _ in range(5):
        survivor.reference = _new_reference(actor.organisation)
        try:
            with transaction.atomic():
                survivor.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 32^6 codes per organisation
        raise Conflict("could not allocate a reference code; try again")
    audit.record(actor, "create", "survivor", survivor.pk, survivor_ref=survivor.reference,
                 fields=values.keys())
    return survivor


@transaction.atomic
def update_survivor(actor: Actor, survivor: Survivor, *, version: int, changes: dict) -> Survivor:
    """Apply ``changes`` if ``version`` is still current; otherwise 409 with the current one."""
    values = clean_survivor(changes)
    current = Survivor.objects.select_for_update().get(pk=survivor.pk)
    if current.version != version:
        raise Conflict(
            "this survivor was changed by someone else; reload and apply your change again",
            "version", current_version=current.version,
        )
    for key, value in values.items():
        setattr(current, key, value)
    if "date_of_birth" in values and values["date_of_birth"]:
        current.birth_year = int(values["date_of_birth"][:4])
    if {"given_name", "family_name", "date_of_birth"} & values.keys():
        merged = {k: reveal(getattr(current, k)) for k in ("given_name", "family_name",
                                                           "date_of_birth")}
        current.duplicate_key = _duplicate_key_for(merged)
    _check_child_advocacy(current)
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save()
    current.refresh_from_db()
    audit.record(actor, "update", "survivor", current.pk, survivor_ref=current.reference,
                 fields=values.keys())
    return current


def reveal_personal_data(actor: Actor, survivor: Survivor, *,
                         fields: frozenset[str] | None = None) -> dict[str, str]:
    """Open the sealed fields the actor may see; the read is audited even if nothing changes."""
    names = [f for f in Survivor.PERSONAL_FIELDS if fields is None or f in fields]
    if not names:
        return {}
    audit.record_read(actor, survivor, survivor_ref=survivor.reference, fields=names)
    return {name: reveal(getattr(survivor, name)) for name in names}


@transaction.atomic
def archive_survivor(actor: Actor, survivor: Survivor) -> None:
    """Closes the record for everyone; sealed data and consents stay for the audit trail."""
    Survivor.objects.filter(pk=survivor.pk).update(archived_at=timezone.now(),
                                                   version=F("version") + 1)
    audit.record(actor, "delete", "survivor", survivor.pk, survivor_ref=survivor.reference,
                 note="archived")


def find_duplicates(actor: Actor, *, given_name: str, family_name: str,
                    date_of_birth: str) -> list[Survivor]:
    """Likely duplicates in the actor's organisation, found without decrypting anything."""
    key = _duplicate_key_for(clean_survivor({"given_name": given_name,
                                             "family_name": family_name,
                                             "date_of_birth": date_of_birth}))
    if key is None:
        return []
    matches = list(Survivor.objects.filter(organisation=actor.organisation, duplicate_key=key,
                                           archived_at__isnull=True))
    audit.record_read(actor, matches, record_type="survivor",
                      note=f"duplicate search: {len(matches)} match(es)")
    return matches


# --- Cases ---------------------------------------------------------------------


@transaction.atomic
def create_case(actor: Actor, survivor: Survivor, *, data: dict) -> Case:
    """Open a case. A ``caseworker_id`` must already be one the policy lets the case go to
    (``policy.may_assign_case_to``): the caller asked, as for every access question."""
    values = clean_case(data)
    if "forms_of_exploitation" not in values:
        raise DomainError("choose at least one", "forms_of_exploitation")
    values.setdefault("jurisdiction", actor.organisation.jurisdiction if actor.organisation
                      else survivor.organisation.jurisdiction)
    if "caseworker_id" not in values:
        values["caseworker_id"] = actor.user.pk if actor.user is not None else None
    n = Case.objects.filter(survivor=survivor).count() + 1
    case = Case(survivor=survivor, created_by=actor.user, **values)
    for attempt in range(5):
        case.reference = f"{survivor.reference}-C{n + attempt}"
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("could not allocate a case reference; try again", "reference")
    audit.record(actor, "create", "case", case.pk, survivor_ref=survivor.reference,
                 fields=values.keys())
    return case


@transaction.atomic
def update_case(actor: Actor, case: Case, *, version: int, changes: dict) -> Case:
    values = clean_case(changes)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.version != version:
        raise Conflict(
            "this case was changed by someone else; reload and apply your change again",
            "version", current_version=current.version,
        )
    for key, value in values.items():
        setattr(current, key, value)
    if current.period_start and current.period_end and current.period_end < current.period_start:
        raise DomainError("must not be before period_start", "period_end")
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save()
    current.refresh_from_db()
    audit.record(actor, "update", "case", current.pk, survivor_ref=current.survivor.reference,
                 fields=values.keys())
    return current


def reveal_case_summary(actor: Actor, case: Case) -> str:
    audit.record_read(actor, case, survivor_ref=case.survivor.reference, fields=["summary"])
    return reveal(case.summary)


@transaction.atomic
def archive_case(actor: Actor, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(archived_at=timezone.now(), version=F("version") + 1)
    audit.record(actor, "delete", "case", case.pk, survivor_ref=case.survivor.reference,
                 note="archived")


# --- Consents ------------------------------------------------------------------


@transaction.atomic
def record_consent(
    actor: Actor,
    survivor: Survivor,
    *,
    purpose: str,
    language: str,
    method: str,
    recipient: Organisation | None = None,
    interpreter_used: bool = False,
    given_by: str = ConsentGivenBy.SURVIVOR,
    scope_note: str = "",
    explanation_version: str = "1",
    given_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    guardian_relationship: str = "",
    guardian_name: str = "",
) -> Consent:
    if purpose not in ConsentPurpose.values:
        raise DomainError(f"must be one of: {', '.join(ConsentPurpose.values)}", "purpose")
    if method not in ConsentMethod.values:
        raise DomainError(f"must be one of: {', '.join(ConsentMethod.values)}", "method")
    if given_by not in ConsentGivenBy.values:
        raise DomainError(f"must be one of: {', '.join(ConsentGivenBy.values)}", "given_by")
    if purpose in PURPOSES_NEEDING_RECIPIENT and recipient is None:
        raise DomainError("a referral consent must name the receiving organisation", "recipient")
    guardian_relationship, guardian_name = _check_guardian(
        survivor, given_by, guardian_relationship, guardian_name)
    if not language or len(language) > 10:
        raise DomainError("Enter the language the consent was explained in.", "language")
    if not places.is_language(language):
        raise DomainError(places.LANGUAGE_ERROR, "language")
    language = places.normalise_language(language)
    if actor.survivor_id is not None:
        method = ConsentMethod.PORTAL
    elif method == ConsentMethod.PORTAL:
        raise DomainError("only the survivor can give consent through the portal", "method")
    now = timezone.now()
    given_at = given_at or now
    if given_at > now + dt.timedelta(minutes=5):
        raise DomainError("cannot be in the future", "given_at")
    if expires_at is not None and expires_at <= given_at:
        raise DomainError("must be after given_at", "expires_at")
    consent = Consent.objects.create(
        survivor=survivor, purpose=purpose, recipient=recipient, scope_note=scope_note[:500],
        explanation_version=explanation_version, explained_by=actor.user,
        explained_by_label=actor.label, language=language, interpreter_used=interpreter_used,
        method=method, given_by=given_by, given_at=given_at, expires_at=expires_at,
        guardian_relationship=guardian_relationship, guardian_name=guardian_name,
    )
    audit.record(actor, "create", "consent", consent.pk, survivor_ref=survivor.reference,
                 fields=["purpose", "recipient", "method", "language"],
                 note=f"{purpose} consent given ({method})")
    return consent


def family_involvement(survivor: Survivor) -> str:
    """Whether family took part in the trafficking: "yes", "no" or "unknown".

    A case naming family as the offender counts as "yes" whatever the survivor
    record says; "no" only when someone asked and recorded it.
    """
    if survivor.family_involved == YesNoUnknown.YES or survivor.cases.filter(
            relationship_to_offender=Relationship.FAMILY).exists():
        return YesNoUnknown.YES
    return survivor.family_involved


def _check_guardian(survivor: Survivor, given_by: str, relationship: str | None,
                    name: str | None) -> tuple[str, str]:
    """A consent given by a parent or guardian names who gave it, and never a family
    member while the family may be involved in the trafficking (unknown is not safe)."""
    relationship, name = relationship or "", (name or "").strip()
    if given_by != ConsentGivenBy.GUARDIAN:
        if relationship or name:
            raise DomainError("only for a consent given by a parent or guardian",
                              "guardian_relationship")
        return "", ""
    if relationship not in GuardianRelationship.values:
        raise DomainError("say who gave the consent for the child: one of "
                          + ", ".join(GuardianRelationship.values), "guardian_relationship")
    if not name:
        raise DomainError("record the name of the parent or guardian who gave the consent",
                          "guardian_name")
    if len(name) > PERSONAL_TEXT["given_name"]:
        raise DomainError(f"must be at most {PERSONAL_TEXT['given_name']} characters",
                          "guardian_name")
    if relationship in FAMILY_GUARDIANS:
        involved = family_involvement(survivor)
        if involved == YesNoUnknown.YES:
            raise DomainError("a family member may not consent for a child whose family is "
                              f"involved in the trafficking; {NOT_THE_FAMILY}",
                              "guardian_relationship")
        if involved == YesNoUnknown.UNKNOWN:
            raise DomainError("first ask and record whether the family is involved in the "
                              "trafficking (never assume it is not); if it may be, "
                              f"{NOT_THE_FAMILY}", "family_involved")
    return relationship, name


@transaction.atomic
def withdraw_consent(actor: Actor, consent: Consent, *, reason: str = "") -> Consent:
    """Takes effect at once; the record is kept, stamped, never deleted."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.withdrawn_at is not None:
        raise Conflict("this consent was already withdrawn", "consent")
    current.withdrawn_at = timezone.now()
    current.withdrawn_by_label = actor.label
    current.withdrawal_reason = (reason or "")[:500]
    current.save(update_fields=["withdrawn_at", "withdrawn_by_label", "withdrawal_reason"])
    audit.record(actor, "update", "consent", current.pk,
                 survivor_ref=current.survivor.reference, fields=["withdrawn_at"],
                 note=f"{current.purpose} consent withdrawn")
    return current
