"""Every change to the directory and to referrals, each in one transaction with its audit entry.

Callers have found the referral through ``selectors.referral_for`` (so it is
one their organisation sent or received); these functions decide which *side*
may take which step, and refuse a step the referral's state does not allow
(409) or a flow the survivor has not consented to (422 naming ``consent``).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError, Forbidden
from northstar.core.fields import reveal
from northstar.core.models import Organisation
from northstar.referrals import csv_import, letter
from northstar.referrals.models import (
    FINAL_STATES,
    ProviderProfile,
    Referral,
    ReferralStatus,
    ReferralStep,
    Service,
)
from northstar.referrals.vocabulary import (
    ANSWER_WITHIN_HOURS,
    DEFAULT_SHARED_FIELDS,
    SERVICE_KINDS,
    SHAREABLE_FIELDS,
    URGENCIES,
)
from northstar.safeguards.actions import record_findings
from northstar.survivors.consent import may_refer
from northstar.survivors.models import Case, Survivor

S = ReferralStatus

# --- Directory -------------------------------------------------------------------

_ORG_KIND_FOR_SERVICE = {"shelter": "shelter", "legal_aid": "legal_aid"}


_SERVICE_VALUES = ("jurisdictions", "areas", "languages", "serves", "trauma_informed", "curfew",
                   "movement_restrictions", "capacity", "waiting_days", "contact", "active",
                   "updated_at")


class ImportRejected(DomainError):
    """A CSV with errors: nothing was imported; ``errors`` lists each row's problems."""


def _new_org_code(name: str) -> str:
    stem = re.sub(r"[^A-Z]", "", name.upper())[:3] or "PRV"
    while True:
        code = f"{stem}{secrets.token_hex(2).upper()}"[:8]
        if not Organisation.objects.filter(code=code).exists():
            return code


def _refuse_other_organisations(importer: Organisation, records, orgs: dict) -> None:
    """Rows naming an organisation that is neither the importer nor one it listed."""
    listed = set(ProviderProfile.objects.filter(
        listed_by=importer, organisation_id__in=[o.pk for o in orgs.values()])
        .values_list("organisation_id", flat=True))
    errors = [
        {"row": rec.row, "column": "provider",
         "message": f"{rec.provider!r} is another organisation's directory entry; you can "
                    "import only your own organisation's services and providers it lists"}
        for rec in records
        if (org := orgs.get(rec.provider.lower())) is not None
        and org.pk != importer.pk and org.pk not in listed
    ]
    if errors:
        raise ImportRejected(f"{len(errors)} problem(s); nothing was imported", "file",
                             errors=errors)


@transaction.atomic
def import_services(actor: Actor, *, text: str) -> dict:
    """Import a service directory CSV: every row or none.

    A provider is matched to an organisation by name; one not yet known is
    created outside the platform unless the row says otherwise. A service is
    matched by provider, kind and name and updated in place.

    Staff of an organisation import only their own organisation's services and
    those of the off-platform providers it listed (``ProviderProfile.listed_by``):
    a row naming any other organisation is refused, so no one re-points another
    organisation's directory entry by naming it. Only a platform operator's import
    (the ``import_services`` command, no organisation) may touch every provider.
    """
    result = csv_import.parse(text)
    if not result.ok:
        raise ImportRejected(
            f"{len(result.errors)} problem(s); nothing was imported", "file",
            errors=[{"row": e.row, "column": e.column, "message": e.message}
                    for e in result.errors])
    created = updated = providers_created = 0
    # Look everything up once: a directory of thousands of rows is a handful of queries.
    names = {rec.provider.lower() for rec in result.records}
    orgs = {o.name.lower(): o for o in Organisation.objects.all() if o.name.lower() in names}
    importer = actor.organisation
    if importer is not None:
        _refuse_other_organisations(importer, result.records, orgs)
    for rec in result.records:
        key = rec.provider.lower()
        if key not in orgs:
            orgs[key] = Organisation.objects.create(
                name=rec.provider, kind=_ORG_KIND_FOR_SERVICE.get(rec.kind, "ngo"),
                jurisdiction=rec.provider_jurisdiction, code=_new_org_code(rec.provider),
                on_platform=rec.on_platform, contact=rec.contact)
            providers_created += 1
    org_ids = [o.pk for o in orgs.values()]
    profiles = {p.organisation_id: p for p in ProviderProfile.objects.filter(organisation_id__in=org_ids)}
    services = {(sv.provider_id, sv.kind, sv.name.lower()): sv
                for sv in Service.objects.filter(provider_id__in=org_ids)}
    areas_by_org: dict[int, list[str]] = {}
    new_services, changed = [], []
    unchanged = 0
    now = timezone.now()
    for rec in result.records:
        org = orgs[rec.provider.lower()]
        areas_by_org.setdefault(org.pk, []).extend(rec.areas)
        values = dict(
            jurisdictions=list(rec.jurisdictions), areas=list(rec.areas),
            languages=list(rec.languages), serves=list(rec.serves),
            trauma_informed=rec.trauma_informed, curfew=rec.curfew,
            movement_restrictions=rec.movement_restrictions, capacity=rec.capacity,
            waiting_days=rec.waiting_days, contact=rec.contact, active=True, updated_at=now,
        )
        service = services.get((org.pk, rec.kind, rec.name.lower()))
        if service is None:
            new_services.append(Service(provider=org, kind=rec.kind, name=rec.name, **values))
        elif any(getattr(service, f) != v for f, v in values.items() if f != "updated_at"):
            for field, value in values.items():
                setattr(service, field, value)
            changed.append(service)
        else:
            unchanged += 1
    Service.objects.bulk_create(new_services, batch_size=500)
    for service in changed:  # plain UPDATEs: faster than bulk_update's CASE over JSON columns
        Service.objects.filter(pk=service.pk).update(
            **{f: getattr(service, f) for f in _SERVICE_VALUES})
    created, updated = len(new_services), len(changed)
    for org_id, areas in areas_by_org.items():
        profile = profiles.get(org_id) or ProviderProfile(
            organisation_id=org_id,
            listed_by=importer if importer is not None and org_id != importer.pk else None)
        merged = list(dict.fromkeys([*profile.areas_served, *areas]))
        if profile.pk is None or merged != profile.areas_served:
            profile.areas_served = merged
            profile.updated_at = now
            profile.save()
    audit.record(actor, "create", "service_directory", "",
                 note=f"CSV import: {created} new, {updated} updated, {unchanged} unchanged "
                      f"services, {providers_created} new providers")
    return {"created": created, "updated": updated, "unchanged": unchanged,
            "providers_created": providers_created}


# --- Referrals -------------------------------------------------------------------


def _step(actor: Actor, referral: Referral, status: str, note: str = "") -> None:
    ReferralStep.objects.create(referral=referral, status=status, actor_label=actor.label,
                                organisation=actor.organisation, note=note[:500])


def _clean_shared(shared_fields) -> list[str]:
    if shared_fields is None:
        return sorted(DEFAULT_SHARED_FIELDS)
    if not isinstance(shared_fields, list | tuple | set | frozenset):
        raise DomainError("must be a list of field names", "shared_fields")
    unknown = sorted(set(shared_fields) - set(SHAREABLE_FIELDS))
    if unknown:
        raise DomainError(f"cannot be shared: {', '.join(unknown)}; choose from "
                          f"{', '.join(SHAREABLE_FIELDS)}", "shared_fields")
    # The reference code is how both sides speak of the referral; it always goes.
    return sorted({"reference", *shared_fields})


@transaction.atomic
def create_referral(
    actor: Actor,
    *,
    survivor: Survivor,
    recipient: Organisation,
    service: Service | None = None,
    case: Case | None = None,
    urgency: str = "routine",
    needs: list[str] | None = None,
    shared_fields: list[str] | None = None,
    message: str = "",
) -> Referral:
    """Send a referral; refused (422 ``consent``) without the survivor's consent for this
    recipient — and, for the police or a prosecutor, consent to share with law enforcement
    naming it."""
    if actor.organisation is None:
        raise Forbidden("only staff of an organisation send referrals")
    if survivor.organisation_id != actor.organisation.pk:
        raise Forbidden("only the organisation that holds the record refers the survivor")
    if recipient.pk == actor.organisation.pk:
        raise DomainError("a referral goes to another organisation", "recipient_id")
    if service is not None and service.provider_id != recipient.pk:
        raise DomainError("this service is not offered by the recipient", "service_id")
    if service is not None and not service.active:
        raise DomainError("this service is no longer offered", "service_id")
    if case is not None and case.survivor_id != survivor.pk:
        raise DomainError("this case belongs to another survivor", "case_id")
    if urgency not in URGENCIES:
        raise DomainError(f"must be one of: {', '.join(URGENCIES)}", "urgency")
    needs = list(dict.fromkeys(needs or ([service.kind] if service else [])))
    unknown = [n for n in needs if n not in SERVICE_KINDS]
    if unknown:
        raise DomainError(f"unknown need(s) {', '.join(unknown)}; expected "
                          f"{', '.join(SERVICE_KINDS)}", "needs")
    if not needs:
        raise DomainError("name at least one need, or a service", "needs")
    fields = _clean_shared(shared_fields)
    if len(message or "") > 2000:
        raise DomainError("at most 2000 characters", "message")
    decision = may_refer(survivor, recipient)
    if not decision:
        raise DomainError(f"the survivor has not consented to this referral: {decision.reason}",
                          "consent")
    referral = Referral.objects.create(
        survivor=survivor, case=case, sender=actor.organisation, recipient=recipient,
        service=service, consent=decision.consent,
        sender_jurisdiction=actor.organisation.jurisdiction,
        recipient_jurisdiction=recipient.jurisdiction, urgency=urgency, needs=needs,
        shared_fields=fields, message=message or "", created_by=actor.user,
    )
    _step(actor, referral, S.SENT)
    if case is not None:
        # Do No Harm on the case: e.g. a referral explained without a needed interpreter.
        record_findings(actor, case, action="refer",
                        context={"interpreter_present": decision.consent.interpreter_used},
                        source=f"referral:{referral.pk}")
    audit.record(actor, "create", "referral", referral.pk, survivor_ref=survivor.reference,
                 fields=fields,
                 note=f"referred to {recipient.name} ({recipient.jurisdiction}); shared: "
                      + ", ".join(fields))
    return referral


#: step → (states it may follow, the side that takes it, the status it leads to)
_STEPS = {
    "accept": ((S.SENT,), "recipient", S.ACCEPTED),
    "decline": ((S.SENT,), "recipient", S.DECLINED),
    "start": ((S.ACCEPTED,), "recipient", S.IN_PROGRESS),
    "complete": ((S.ACCEPTED, S.IN_PROGRESS), "recipient", S.COMPLETED),
    "close": ((S.SENT, S.ACCEPTED, S.IN_PROGRESS), "either", S.CLOSED),
    "revoke": ((S.SENT, S.ACCEPTED, S.IN_PROGRESS), "sender", S.REVOKED),
}
STEP_NAMES = tuple(_STEPS)


def side_of(actor: Actor, referral: Referral) -> str | None:
    org = actor.organisation
    if org is None:
        return None
    if referral.sender_id == org.pk:
        return "sender"
    if referral.recipient_id == org.pk:
        return "recipient"
    return None


def allowed_steps(actor: Actor, referral: Referral) -> list[str]:
    """The steps this actor may take now (for buttons and the API's ``actions``)."""
    side = side_of(actor, referral)
    out = []
    for name, (sources, who, _) in _STEPS.items():
        if referral.status not in sources:
            continue
        # A recipient outside Northstar answers by letter or phone; the sender records it.
        acting_for_offline = side == "sender" and not referral.recipient.on_platform
        if who == "either" or who == side or (who == "recipient" and acting_for_offline):
            out.append(name)
    return out


@transaction.atomic
def take_step(actor: Actor, referral: Referral, *, step: str, note: str = "") -> Referral:
    """Move a referral on: accept, decline (reason required), start, complete, close, revoke."""
    if step not in _STEPS:
        raise DomainError(f"must be one of: {', '.join(_STEPS)}", "step")
    current = Referral.objects.select_for_update().select_related("recipient", "survivor").get(
        pk=referral.pk)
    sources, _, target = _STEPS[step]
    if current.status not in sources:
        raise Conflict(f"a {current.status} referral cannot be {target}", "status",
                       current_status=current.status)
    if step not in allowed_steps(actor, current):
        raise Forbidden(f"the {side_of(actor, current) or 'other'} side cannot {step} this referral")
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("at most 500 characters", "reason" if step in ("decline", "revoke") else "note")
    if step in ("decline", "revoke") and not note:
        raise DomainError(f"say why the referral is {target}", "reason")
    if step == "accept" and not may_refer(current.survivor, current.recipient):
        raise DomainError("the survivor's consent to this referral no longer stands", "consent")
    now = timezone.now()
    current.status = target
    current.updated_at = now
    if step in ("accept", "decline"):
        current.answered_at = now
    if step == "decline":
        current.decline_reason = note
    if step == "start":
        current.started_at = now
    if step in ("complete", "close", "revoke"):
        current.ended_at = now
        current.end_note = note
    current.save()
    _step(actor, current, target, note)
    # A reason is free text that may name people: it stays on the referral (and its
    # step), never in the append-only audit log, which names only the field.
    reason_field = {"decline": "decline_reason", "complete": "end_note", "close": "end_note",
                    "revoke": "end_note"}.get(step)
    audit.record(actor, "update", "referral", current.pk, survivor_ref=current.survivor.reference,
                 fields=["status"] + ([reason_field] if note and reason_field else []),
                 note=f"referral {target}")
    return current


def overdue_unanswered(now: dt.datetime | None = None, *, sender: Organisation | None = None):
    """Sent referrals nobody has answered within the time their urgency allows."""
    now = now or timezone.now()
    out = []
    qs = Referral.objects.filter(status=S.SENT).select_related("recipient", "sender", "survivor")
    if sender is not None:
        qs = qs.filter(sender=sender)
    for r in qs:
        due = r.sent_at + dt.timedelta(hours=ANSWER_WITHIN_HOURS.get(r.urgency, 168))
        if due <= now:
            out.append((r, due))
    return out


@transaction.atomic
def send_reminders(actor: Actor, *, now: dt.datetime | None = None,
                   every: dt.timedelta = dt.timedelta(hours=24)) -> list[Referral]:
    """Mark each overdue, unanswered referral as reminded (at most once per ``every``)."""
    now = now or timezone.now()
    reminded = []
    for referral, _due in overdue_unanswered(now):
        if referral.last_reminded_at and referral.last_reminded_at > now - every:
            continue
        Referral.objects.filter(pk=referral.pk).update(last_reminded_at=now)
        audit.record(actor, "update", "referral", referral.pk,
                     survivor_ref=referral.survivor.reference, fields=["last_reminded_at"],
                     note=f"reminder: unanswered {referral.urgency} referral to "
                          f"{referral.recipient.name}")
        referral.last_reminded_at = now
        reminded.append(referral)
    return reminded


def reveal_message(actor: Actor, referral: Referral) -> str:
    text = reveal(referral.message)
    if text:
        audit.record_read(actor, referral, survivor_ref=referral.survivor.reference,
                          fields=["message"])
    return text


def reveal_reasons(actor: Actor, referral: Referral) -> dict:
    """Open a referral's sealed reasons (decline, end, each step's note): free text that
    may name people, shown to either side on the referral itself; one audited read."""
    steps = {s.pk: reveal(s.note) for s in referral.steps.all()}
    opened = {"decline_reason": reveal(referral.decline_reason),
              "end_note": reveal(referral.end_note), "steps": steps}
    fields = [name for name in ("decline_reason", "end_note") if opened[name]]
    fields += ["steps.note"] if any(steps.values()) else []
    if fields:
        audit.record_read(actor, referral, survivor_ref=referral.survivor.reference,
                          fields=fields)
    return opened


@transaction.atomic
def referral_letter(actor: Actor, referral: Referral, *, language: str | None = None) -> bytes:
    """The PDF letter for a recipient outside Northstar: only the shared fields.

    Written only by the sender, only while the referral stands and its consent
    holds; each generation is audited as an ``export`` naming the fields.
    """
    if side_of(actor, referral) != "sender":
        raise Forbidden("only the referring organisation prints the referral letter")
    if referral.status in FINAL_STATES:
        raise Conflict(f"a {referral.status} referral has no letter", "status")
    if not may_refer(referral.survivor, referral.recipient):
        raise DomainError("the survivor's consent to this referral no longer stands", "consent")
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise DomainError(f"must be one of: {', '.join(dict(settings.LANGUAGES))}", "language")
    values = letter.shared_values(referral)
    with translation.override(language):
        pdf = letter.render_pdf(referral, values)
    audit.record(actor, "export", "referral", referral.pk,
                 survivor_ref=referral.survivor.reference, fields=sorted(values),
                 note=f"referral letter ({language}) to {referral.recipient.name}")
    return pdf
