"""Survivors, cases and consents over JSON. Thin: parse, ask the policy, call an action."""

from __future__ import annotations

from ninja import Query, Router

from northstar import policy
from northstar.apiutils import actor_of, page_of
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden
from northstar.core.models import Organisation
from northstar.survivors import actions, selectors
from northstar.survivors.consent import in_force
from northstar.survivors.models import Case, Consent, Survivor
from northstar.survivors.schemas import (
    CaseFilters,
    CaseIn,
    CaseOut,
    CasePage,
    CasePatch,
    ConsentFilters,
    ConsentIn,
    ConsentOut,
    ConsentPage,
    DuplicateQuery,
    SurvivorFilters,
    SurvivorIn,
    SurvivorOut,
    SurvivorPage,
    SurvivorPatch,
    WithdrawIn,
)

router = Router(tags=["survivors"])

CLEAR_FIELDS = ("birth_year", "sex", "gender", "nationality", "languages", "preferred_language",
                "interpreter_needed", "advocacy_visibility", "created_at")


def survivor_out(actor: Actor, survivor: Survivor, *, personal: bool) -> dict:
    """What this actor may see of ``survivor``; opening personal fields is audited."""
    fields = policy.survivor_fields(actor, survivor)
    out = {"id": survivor.pk, "reference": survivor.reference,
           "organisation_id": survivor.organisation_id, "version": survivor.version,
           "access": "full" if fields is policy.ALL_FIELDS else "shared"}
    for name in CLEAR_FIELDS:
        if fields is policy.ALL_FIELDS or name in fields:
            out[name] = getattr(survivor, name)
    if fields is policy.ALL_FIELDS:
        out["is_child"] = survivor.is_child()
    if personal:
        opened = actions.reveal_personal_data(actor, survivor, fields=fields)
        out["personal"] = opened or None
    return out


def case_out(case: Case, *, summary: str | None = None) -> dict:
    return {
        **{f: getattr(case, f) for f in (
            "id", "reference", "survivor_id", "jurisdiction", "forms_of_exploitation", "sectors",
            "country_of_origin", "transit_countries", "country_of_destination", "period_start",
            "period_end", "recruitment_method", "relationship_to_offender", "coercion",
            "fears_retaliation_at_home", "trial_participation", "status", "version",
            "created_at", "caseworker_id")},
        "caseworker": case.caseworker.get_username() if case.caseworker_id else None,
        "survivor_reference": case.survivor.reference,
        "cross_border": case.cross_border,
        "summary": summary,
    }


def consent_out(consent: Consent) -> dict:
    data = {f: getattr(consent, f) for f in (
        "id", "survivor_id", "purpose", "recipient_id", "scope_note", "explanation_version",
        "explained_by_label", "language", "interpreter_used", "method", "given_by", "given_at",
        "expires_at", "withdrawn_at", "withdrawn_by_label", "withdrawal_reason")}
    data["active"] = consent.is_active()
    return data


# --- Survivors -----------------------------------------------------------------


@router.get("/survivors", response=SurvivorPage)
def list_survivors(request, filters: Query[SurvivorFilters]):
    """Survivors you may see, by reference code; no personal fields in lists."""
    actor = actor_of(request)
    qs = policy.visible_survivors(actor).select_related("organisation")
    if filters.reference:
        qs = qs.filter(reference__iexact=filters.reference)
    if filters.nationality:
        qs = qs.filter(nationality=filters.nationality)
    if filters.sex:
        qs = qs.filter(sex=filters.sex)
    if filters.interpreter_needed is not None:
        qs = qs.filter(interpreter_needed=filters.interpreter_needed)
    if filters.language:
        qs = qs.filter(languages__has_element=filters.language)
    items, paging = page_of(qs, filters)
    items = selectors.listed(actor, items, record_type="survivor")
    return {"items": [survivor_out(actor, s, personal=False) for s in items], **paging}


@router.post("/survivors", response={201: SurvivorOut})
def create_survivor(request, payload: SurvivorIn):
    actor = actor_of(request)
    if not policy.may_record(actor):
        raise Forbidden("your role does not record survivors")
    data = payload.model_dump(exclude_unset=True)
    survivor = actions.create_survivor(actor, data=data)
    return 201, survivor_out(actor, survivor, personal=False)


@router.get("/survivors/duplicates", response=list[SurvivorOut])
def duplicates(request, query: Query[DuplicateQuery]):
    """Likely duplicates in your organisation, by a keyed blind index of name and birth date."""
    actor = actor_of(request)
    if not policy.works_with_records(actor):
        raise Forbidden("your role does not work with survivor records")
    found = actions.find_duplicates(actor, given_name=query.given_name,
                                    family_name=query.family_name,
                                    date_of_birth=query.date_of_birth.isoformat())
    return [survivor_out(actor, s, personal=False) for s in found]


@router.get("/survivors/{survivor_id}", response=SurvivorOut)
def get_survivor(request, survivor_id: int, personal: bool = True):
    """One survivor; with ``personal`` (default) the sealed fields are opened and the read audited."""
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id)
    if not personal:
        return survivor_out(actor, selectors.survivor_seen(actor, survivor), personal=False)
    return survivor_out(actor, survivor, personal=True)


@router.patch("/survivors/{survivor_id}", response=SurvivorOut)
def update_survivor(request, survivor_id: int, payload: SurvivorPatch):
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    for key, value in list(changes.items()):
        if value is None and key in ("sex", "gender", "languages", "preferred_language",
                                     "interpreter_needed", "advocacy_visibility"):
            raise DomainError("may not be null", key)
    survivor = actions.update_survivor(actor, survivor, version=version, changes=changes)
    return survivor_out(actor, survivor, personal=False)


@router.delete("/survivors/{survivor_id}", response={204: None})
def archive_survivor(request, survivor_id: int):
    """Archive a record (supervisors). It disappears from every list; the audit trail stays."""
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    if not policy.may_archive(actor):
        raise Forbidden("only a supervisor archives a survivor record")
    actions.archive_survivor(actor, survivor)
    return 204, None


# --- Cases ---------------------------------------------------------------------


@router.get("/cases", response=CasePage)
def list_cases(request, filters: Query[CaseFilters]):
    actor = actor_of(request)
    qs = policy.visible_cases(actor).select_related("survivor", "caseworker")
    if filters.caseworker_id:
        qs = qs.filter(caseworker_id=filters.caseworker_id)
    if filters.survivor_id:
        qs = qs.filter(survivor_id=filters.survivor_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.jurisdiction:
        qs = qs.filter(jurisdiction=filters.jurisdiction)
    if filters.form:
        qs = qs.filter(forms_of_exploitation__has_element=filters.form)
    if filters.sector:
        qs = qs.filter(sectors__has_element=filters.sector)
    items, paging = page_of(qs, filters)
    items = selectors.listed(actor, items, record_type="case")
    return {"items": [case_out(c) for c in items], **paging}


def _check_caseworker(survivor: Survivor, user_id: int | None) -> None:
    if user_id is not None and not policy.may_assign_case_to(survivor.organisation, user_id):
        raise DomainError("must be an active caseworker, legal officer or supervisor of the "
                          "survivor's organisation", "caseworker_id")


@router.post("/survivors/{survivor_id}/cases", response={201: CaseOut})
def create_case(request, survivor_id: int, payload: CaseIn):
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    data = payload.model_dump(exclude_unset=True)
    _check_caseworker(survivor, data.get("caseworker_id"))
    case = actions.create_case(actor, survivor, data=data)
    return 201, case_out(case)


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request, case_id: int):
    actor = actor_of(request)
    case = policy.case_for(actor, case_id)
    return case_out(case, summary=actions.reveal_case_summary(actor, case))


@router.patch("/cases/{case_id}", response=CaseOut)
def update_case(request, case_id: int, payload: CasePatch):
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    for key, value in changes.items():
        if value is None and key not in ("country_of_origin", "country_of_destination",
                                         "period_start", "period_end", "summary",
                                         "fears_retaliation_at_home", "caseworker_id"):
            raise DomainError("may not be null", key)
    _check_caseworker(case.survivor, changes.get("caseworker_id"))
    case = actions.update_case(actor, case, version=version, changes=changes)
    return case_out(case)


@router.delete("/cases/{case_id}", response={204: None})
def archive_case(request, case_id: int):
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    if not policy.may_archive(actor):
        raise Forbidden("only a supervisor archives a case")
    actions.archive_case(actor, case)
    return 204, None


# --- Consents ------------------------------------------------------------------


@router.get("/survivors/{survivor_id}/consents", response=ConsentPage)
def list_consents(request, survivor_id: int, filters: Query[ConsentFilters]):
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id)
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise Forbidden("consents are visible to the survivor's own organisation")
    qs = policy.visible_consents(actor).filter(survivor=survivor)
    if filters.purpose:
        qs = qs.filter(purpose=filters.purpose)
    if filters.active is not None:
        live = in_force(qs)
        qs = live if filters.active else qs.exclude(pk__in=live.values("pk"))
    items, paging = page_of(qs, filters)
    items = selectors.listed(actor, items, record_type="consent")
    return {"items": [consent_out(c) for c in items], **paging}


@router.post("/survivors/{survivor_id}/consents", response={201: ConsentOut})
def give_consent(request, survivor_id: int, payload: ConsentIn):
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    recipient = None
    if payload.recipient_id is not None:
        recipient = Organisation.objects.filter(pk=payload.recipient_id).first()
        if recipient is None:
            raise DomainError("no such organisation", "recipient_id")
    data = payload.model_dump(exclude={"recipient_id"})
    data = {k: v for k, v in data.items() if v is not None or k in ("given_at", "expires_at")}
    try:
        consent = actions.record_consent(actor, survivor, recipient=recipient, **data)
    except DomainError as exc:
        if exc.field == "recipient":
            exc.field = "recipient_id"
        raise
    return 201, consent_out(consent)


@router.get("/consents/{consent_id}", response=ConsentOut)
def get_consent(request, consent_id: int):
    consent = selectors.consent_seen(actor_of(request), consent_id)
    return consent_out(consent)


@router.post("/consents/{consent_id}/withdraw", response=ConsentOut)
def withdraw(request, consent_id: int, payload: WithdrawIn):
    """Withdrawal takes effect immediately; the record is kept and never deleted."""
    actor = actor_of(request)
    consent = policy.consent_for(actor, consent_id)
    policy.survivor_for(actor, consent.survivor_id, change=True)
    consent = actions.withdraw_consent(actor, consent, reason=payload.reason)
    return consent_out(consent)
