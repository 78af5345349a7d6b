"""Survivors, cases and consents over JSON. Thin: parse, ask the policy, call an action."""

from ninja import Query, Router
from ninja.pagination import paginate

from northstar import policy
from northstar.apiutils import Pages, actor_of
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden
from northstar.core.models import Organisation
from northstar.survivors import actions, selectors
from northstar.survivors.models import MIGRATION_FACTS, Case, Consent, Survivor
from northstar.survivors.schemas import (
    CaseFilters,
    CaseIn,
    CaseOut,
    CasePatch,
    ConsentFilters,
    ConsentIn,
    ConsentOut,
    DuplicateQuery,
    SurvivorFilters,
    SurvivorIn,
    SurvivorOut,
    SurvivorPatch,
    WithdrawIn,
)

router = Router(tags=["survivors"])

CLEAR_FIELDS = ("birth_year", "sex", "gender", "nationality", "languages", "preferred_language",
                "interpreter_needed", "advocacy_visibility", "family_involved", "created_at")


def survivor_out(actor: Actor, survivor: Survivor, *, personal: bool,
                 fields: frozenset[str] | None | bool = False) -> dict:
    """What this actor may see of ``survivor``; opening personal fields is audited.
    ``fields``, when a list has already asked the policy for the page, is its answer."""
    if fields is False:
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
            "fears_retaliation_at_home", "trial_participation", *MIGRATION_FACTS, "status", "version",
            "created_at", "caseworker_id")},
        "caseworker": case.caseworker.get_username() if case.caseworker_id else None,
        "survivor_reference": case.survivor.reference,
        "cross_border": case.cross_border,
        "summary": summary,
    }


def consent_out(consent: Consent, texts: dict[str, str] | None = None) -> dict:
    """``texts`` are the sealed fields opened by ``selectors.consent_texts``; any not opened
    show as typed just now (a write's own echo) or masked."""
    data = {f: getattr(consent, f) for f in (
        "id", "survivor_id", "purpose", "recipient_id", "explanation_version",
        "explained_by_label", "language", "interpreter_used", "method", "given_by", "guardian_relationship", "given_at",
        "expires_at", "withdrawn_at", "withdrawn_by_label")}
    for name in selectors.CONSENT_TEXTS:
        data[name] = (texts or {}).get(name, str(getattr(consent, name) or ""))
    data["active"] = consent.is_active()
    return data


# --- Survivors -----------------------------------------------------------------

#: Sealed fields a survivor list never shows: not read from the database at all. (The
#: birth date stays: ``is_child`` is worked out from it.)
LIST_DEFERRED = tuple(f for f in Survivor.PERSONAL_FIELDS if f != "date_of_birth")


def _survivors_shown(request, rows: list[Survivor]) -> list[dict]:
    actor = actor_of(request)
    fields = policy.survivors_fields(actor, rows)  # one query for the page, not one per row
    return [survivor_out(actor, s, personal=False, fields=fields[s.pk])
            for s in selectors.listed(actor, rows, record_type="survivor")]


@router.get("/survivors", response=list[SurvivorOut])
@paginate(Pages, shown=_survivors_shown)
def list_survivors(request, filters: Query[SurvivorFilters]):
    """Survivors you may see, by reference code; no personal fields in lists."""
    return filters.filter(policy.visible_survivors(actor_of(request)).defer(*LIST_DEFERRED))


@router.post("/survivors", response={201: SurvivorOut})
def create_survivor(request, payload: SurvivorIn):
    actor = actor_of(request)
    if not policy.may_record(actor):
        raise Forbidden("your role does not record survivors")
    data = payload.model_dump(exclude_unset=True)
    survivor = actions.create_survivor(actor, data=data)
    return 201, survivor_out(actor, survivor, personal=False)


@router.post("/survivors/duplicates", response=list[SurvivorOut])
def duplicates(request, query: DuplicateQuery):
    """Likely duplicates in your organisation, by a keyed blind index of name and birth date.

    A POST so that names and birth dates travel in the body, never in a URL (and so
    never in an access log); nothing is created."""
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


def _cases_shown(request, rows: list[Case]) -> list[dict]:
    actor = actor_of(request)
    return [case_out(c) for c in selectors.listed(actor, rows, record_type="case")]


@router.get("/cases", response=list[CaseOut])
@paginate(Pages, shown=_cases_shown)
def list_cases(request, filters: Query[CaseFilters]):
    actor = actor_of(request)
    return filters.filter(policy.visible_cases(actor).select_related("survivor", "caseworker")
                          .defer("summary", *(f"survivor__{f}" for f in Survivor.PERSONAL_FIELDS)))


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


def _consents_shown(request, rows: list[Consent]) -> list[dict]:
    actor = actor_of(request)
    shown = selectors.listed(actor, rows, record_type="consent")
    texts = selectors.consent_texts(actor, shown)
    return [consent_out(c, texts[c.pk]) for c in shown]


@router.get("/survivors/{survivor_id}/consents", response=list[ConsentOut])
@paginate(Pages, shown=_consents_shown)
def list_consents(request, survivor_id: int, filters: Query[ConsentFilters]):
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id)
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise Forbidden("consents are visible to the survivor's own organisation")
    return filters.filter(policy.visible_consents(actor).filter(survivor=survivor))


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
    actor = actor_of(request)
    consent = selectors.consent_seen(actor, policy.consent_for(actor, consent_id))
    return consent_out(consent, selectors.consent_texts(actor, [consent])[consent.pk])


@router.post("/consents/{consent_id}/withdraw", response=ConsentOut)
def withdraw(request, consent_id: int, payload: WithdrawIn):
    """Withdrawal takes effect immediately; the record is kept and never deleted."""
    actor = actor_of(request)
    consent = policy.consent_for(actor, consent_id)
    policy.survivor_for(actor, consent.survivor_id, change=True)
    consent = actions.withdraw_consent(actor, consent, reason=payload.reason)
    return consent_out(consent)
