"""The service directory and referrals over JSON. Thin: parse, select, call an action."""

from django.http import HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate

from northstar import policy
from northstar.apiutils import Pages, actor_of
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden, NotFound
from northstar.core.models import Organisation
from northstar.referrals import actions, selectors
from northstar.referrals.models import Referral, Service
from northstar.referrals.schemas import (
    ImportIn,
    ImportOut,
    ReferralFilters,
    ReferralIn,
    ReferralOut,
    ServiceFilters,
    ServiceOut,
    StepIn,
)

router = Router(tags=["referrals"])


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def service_out(s: Service) -> dict:
    profile = getattr(s.provider, "provider_profile", None)
    return {
        "id": s.pk, "kind": s.kind, "name": s.name,
        "provider": {"id": s.provider.pk, "name": s.provider.name,
                     "jurisdiction": s.provider.jurisdiction,
                     "on_platform": s.provider.on_platform, "contact": s.provider.contact,
                     "areas_served": profile.areas_served if profile else []},
        **{f: getattr(s, f) for f in ("jurisdictions", "areas", "languages", "serves",
                                      "trauma_informed", "curfew", "movement_restrictions",
                                      "capacity", "waiting_days", "contact")},
    }


def referral_out(actor: Actor, r: Referral, *, message: str | None = None,
                 sees: bool | None = None, reasons: dict | None = None) -> dict:
    """One referral as this side may see it; the recipient learns who it is about only
    while the referral grants access (``sees``, when a list has already worked it out).
    The sealed reasons show as opened by ``actions.reveal_reasons``, else masked."""
    reasons = reasons or {}
    step_notes = reasons.get("steps", {})
    if sees is None:
        sees = selectors.recipient_may_see_survivor(actor, r)
    sender_side = actions.side_of(actor, r) == "sender"
    return {
        "id": r.pk, "status": r.status, "urgency": r.urgency, "needs": r.needs,
        "shared_fields": r.shared_fields,
        "sender": {"id": r.sender.pk, "name": r.sender.name},
        "recipient": {"id": r.recipient.pk, "name": r.recipient.name,
                      "on_platform": r.recipient.on_platform},
        "service": {"id": r.service.pk, "name": r.service.name, "kind": r.service.kind}
        if r.service else None,
        "sender_jurisdiction": r.sender_jurisdiction,
        "recipient_jurisdiction": r.recipient_jurisdiction, "cross_border": r.cross_border,
        "survivor_id": r.survivor_id if sees else None,
        "survivor_reference": r.survivor.reference if sees else None,
        "case_id": r.case_id if sender_side else None,
        "sent_at": r.sent_at.isoformat(), "answered_at": _iso(r.answered_at),
        "decline_reason": reasons.get("decline_reason", str(r.decline_reason or "")),
        "started_at": _iso(r.started_at),
        "ended_at": _iso(r.ended_at), "end_note": reasons.get("end_note", str(r.end_note or "")),
        "consent_active": r.consent.is_active(),
        "actions": actions.allowed_steps(actor, r),
        "steps": [{"status": s.status, "at": s.at.isoformat(), "actor_label": s.actor_label,
                   "note": step_notes.get(s.pk, str(s.note or ""))} for s in r.steps.all()],
        "message": message,
    }


def _staff(actor: Actor) -> None:
    if not policy.works_with_records(actor):
        raise Forbidden("your role does not work with referrals")


# --- Directory ------------------------------------------------------------------


def _services_shown(request, rows: list[Service]) -> list[dict]:
    return [service_out(s) for s in rows]


@router.get("/services", response=list[ServiceOut])
@paginate(Pages, shown=_services_shown)
def list_services(request, filters: Query[ServiceFilters]):
    """Search the directory by need, place and language; shortest wait first."""
    return selectors.search_services(
        need=filters.need or "", jurisdiction=filters.jurisdiction or "",
        area=filters.area or "", language=filters.language or "", serves=filters.serves or "",
        trauma_informed=filters.trauma_informed, no_curfew=filters.no_curfew, q=filters.q or "")


@router.post("/services/import", response={200: ImportOut})
def import_services(request, payload: ImportIn):
    """Import a directory CSV (org admins, supervisors): every row or, on any error, none."""
    actor = actor_of(request)
    if not policy.may_manage_directory(actor):
        raise Forbidden("only an organisation administrator or supervisor imports the directory")
    return actions.import_services(actor, text=payload.csv)


@router.get("/services/{service_id}", response=ServiceOut)
def get_service(request, service_id: int):
    s = Service.objects.select_related("provider").filter(pk=service_id, active=True).first()
    if s is None:
        raise NotFound("No such service")
    return service_out(s)


# --- Referrals ------------------------------------------------------------------


def _referrals_shown(request, rows: list[Referral]) -> list[dict]:
    actor = actor_of(request)
    granting = selectors.referrals_seen(actor, rows)  # audited; one query for the page
    return [referral_out(actor, r, sees=r.pk in granting) for r in rows]


@router.get("/referrals", response=list[ReferralOut])
@paginate(Pages, shown=_referrals_shown, each_run=True)
def list_referrals(request, filters: Query[ReferralFilters]):
    actor = actor_of(request)
    _staff(actor)
    return filters.filter(selectors.visible_referrals(actor, direction=filters.direction)
                          .prefetch_related("steps"))


@router.post("/referrals", response={201: ReferralOut})
def create_referral(request, payload: ReferralIn):
    """Refer a survivor; refused (422, field ``consent``) without their consent for the recipient.

    A recipient that is law enforcement (police, prosecution) also needs the survivor's
    consent to share with law enforcement naming that organisation.
    """
    actor = actor_of(request)
    _staff(actor)
    survivor = policy.survivor_for(actor, payload.survivor_id, change=True)
    service = None
    if payload.service_id is not None:
        service = Service.objects.select_related("provider").filter(pk=payload.service_id).first()
        if service is None:
            raise DomainError("no such service", "service_id")
    if payload.recipient_id is None:
        if service is None:
            raise DomainError("name a recipient organisation or a service", "recipient_id")
        recipient = service.provider
    else:
        recipient = Organisation.objects.filter(pk=payload.recipient_id).first()
        if recipient is None:
            raise DomainError("no such organisation", "recipient_id")
    case = None
    if payload.case_id is not None:
        try:
            case = policy.case_for(actor, payload.case_id)
        except NotFound:
            raise DomainError("no such case", "case_id") from None
    referral = actions.create_referral(
        actor, survivor=survivor, recipient=recipient, service=service, case=case,
        urgency=payload.urgency, needs=list(payload.needs),
        shared_fields=list(payload.shared_fields) if payload.shared_fields is not None else None,
        message=payload.message)
    return 201, referral_out(actor, referral)


@router.get("/referrals/{referral_id}", response=ReferralOut)
def get_referral(request, referral_id: int):
    """One referral; its message is opened (and the read audited) while the recipient may see it."""
    actor = actor_of(request)
    referral = selectors.referral_for(actor, referral_id)  # 404 outside reach, any role
    sees = referral.pk in selectors.referrals_seen(actor, [referral])
    message = actions.reveal_message(actor, referral) if sees else None
    return referral_out(actor, referral, message=message, sees=sees,
                        reasons=actions.reveal_reasons(actor, referral))


def _step_endpoint(step: str):
    def handler(request, referral_id: int, payload: StepIn):
        actor = actor_of(request)
        referral = selectors.referral_for(actor, referral_id)  # 404 outside reach, any role
        referral = actions.take_step(actor, referral, step=step, note=payload.reason)
        referral = selectors.referral_for(actor, referral.pk)
        return referral_out(actor, referral, reasons=actions.reveal_reasons(actor, referral))

    handler.__name__ = f"{step}_referral"
    handler.__doc__ = {
        "accept": "The recipient accepts (the survivor's consent must still stand).",
        "decline": "The recipient declines, with a reason that is kept.",
        "start": "The recipient has started providing the service.",
        "complete": "The recipient has completed the service.",
        "close": "Either side closes the referral; access ends.",
        "revoke": "The sender revokes the referral, with a reason; access ends at once.",
    }[step]
    return handler


for _step in actions.STEP_NAMES:
    router.post(f"/referrals/{{referral_id}}/{_step}", response=ReferralOut)(_step_endpoint(_step))


@router.get("/referrals/{referral_id}/letter.pdf", openapi_extra={"responses": {200: {
    "description": "the referral letter (PDF)",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def referral_letter(request, referral_id: int, language: str = "en"):
    """The referral letter for a recipient outside Northstar, in ``language`` where its text
    is translated (the export is audited)."""
    actor = actor_of(request)
    referral = selectors.referral_for(actor, referral_id)  # 404 outside reach, any role
    pdf = actions.referral_letter(actor, referral, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
