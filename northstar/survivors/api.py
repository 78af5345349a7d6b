"""Survivors, cases and consents over JSON. Thin: parse, ask the policy, call an action."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from northstar import policy
from northstar.apiutils import Pages, Row, actor_of, rows_of
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden, NotFound
from northstar.core.models import Organisation
from northstar.justice import tasks as case_tasks
from northstar.survivors import actions, selectors
from northstar.survivors.models import (
    MIGRATION_FACTS,
    Case,
    Consent,
    Survivor,
    Transfer,
    child_on,
    crosses_border,
)
from northstar.survivors.schemas import (
    AcceptTransferIn,
    ArchiveReasonT,
    AssignIn,
    CaseFilters,
    CaseIn,
    CaseOut,
    CasePatch,
    CloseIn,
    ConsentFilters,
    ConsentIn,
    ConsentOut,
    DeclineTransferIn,
    DuplicateOut,
    DuplicateQuery,
    MergeIn,
    MergeOut,
    ReopenIn,
    SearchHit,
    SearchQuery,
    SurvivorFilters,
    SurvivorIn,
    SurvivorOut,
    SurvivorPatch,
    TransferIn,
    TransferOut,
    WithdrawIn,
)

router = Router(tags=["survivors"])

CLEAR_FIELDS = ("birth_year", "sex", "gender", "nationality", "languages", "preferred_language",
                "interpreter_needed", "advocacy_visibility", "family_involved", "created_at")


def survivor_out(actor: Actor, survivor: Survivor, *, personal: bool,
                 fields: frozenset[str] | None | bool = False, today=None) -> dict:
    """What this actor may see of ``survivor``; opening personal fields is audited.
    ``fields``, when a list has already asked the policy for the page, is its answer;
    ``today``, the local date a list works ages out on (once, not once a row)."""
    if fields is False:
        fields = policy.survivor_fields(actor, survivor)
    out = {"id": survivor.pk, "reference": survivor.reference,
           "organisation_id": survivor.organisation_id, "version": survivor.version,
           "access": "full" if fields is policy.ALL_FIELDS else "shared"}
    for name in CLEAR_FIELDS:
        if fields is policy.ALL_FIELDS or name in fields:
            out[name] = getattr(survivor, name)
    if fields is policy.ALL_FIELDS:
        out["is_child"] = child_on(survivor.birth_year, survivor.date_of_birth,
                                   today or timezone.localdate())
    if personal:
        opened = actions.reveal_personal_data(actor, survivor, fields=fields)
        out["personal"] = opened or None
    return out


#: The columns a case list shows, read with ``values()`` (``case_row_out``).
CASE_COLUMNS = (
    "id", "reference", "survivor_id", "jurisdiction", "forms_of_exploitation", "sectors",
    "country_of_origin", "transit_countries", "country_of_destination", "period_start",
    "period_end", "recruitment_method", "relationship_to_offender", "coercion",
    "fears_retaliation_at_home", "trial_participation", *MIGRATION_FACTS, "status", "version",
    "created_at", "caseworker_id")
_CASEWORKER_NAME = f"caseworker__{get_user_model().USERNAME_FIELD}"
CASE_LIST_COLUMNS = (*CASE_COLUMNS, _CASEWORKER_NAME, "survivor__reference",
                     "survivor__organisation_id")


def case_out(case: Case, *, summary: str | None = None) -> dict:
    return {
        **{f: getattr(case, f) for f in CASE_COLUMNS},
        "caseworker": case.caseworker.get_username() if case.caseworker_id else None,
        "survivor_reference": case.survivor.reference,
        "cross_border": case.cross_border,
        "summary": summary,
    }


def case_row_out(row) -> dict:
    """``case_out`` of a case list's row (``CASE_LIST_COLUMNS``): the same answer, read
    from the row's columns instead of a case with its survivor and caseworker."""
    out = {f: row[f] for f in CASE_COLUMNS}
    out["caseworker"] = row[_CASEWORKER_NAME] if row["caseworker_id"] else None
    out["survivor_reference"] = row["survivor__reference"]
    out["cross_border"] = crosses_border(row["country_of_origin"], row["country_of_destination"])
    out["summary"] = None
    return out


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

#: The columns a survivor list reads (``values()``, no model instances): what
#: ``survivor_out`` shows, and the sealed date of birth, still sealed, which ``child_on``
#: opens only in the year a survivor may turn 18. No other sealed field is read at all.
LIST_COLUMNS = ("id", "reference", "organisation_id", "version", *CLEAR_FIELDS,
                "date_of_birth")


def survivor_row_out(row: Row, fields: frozenset[str] | None, today) -> dict:
    """``survivor_out`` (no personal fields) of a survivor list's row (``LIST_COLUMNS``),
    ``fields`` being the policy's answer for it: the same answer, read by key."""
    full = fields is policy.ALL_FIELDS
    out = {"id": row["id"], "reference": row["reference"],
           "organisation_id": row["organisation_id"], "version": row["version"],
           "access": "full" if full else "shared"}
    for name in CLEAR_FIELDS:
        if full or name in fields:
            out[name] = row[name]
    if full:
        out["is_child"] = child_on(row["birth_year"], row["date_of_birth"], today)
    return out


def _survivors_shown(request, rows: list[Row]) -> list[dict]:
    actor = actor_of(request)
    fields = policy.survivors_fields(actor, rows)  # one query for the page, not one per row
    today = timezone.localdate()
    return [survivor_row_out(s, fields[s["id"]], today)
            for s in selectors.listed(actor, rows, record_type="survivor",
                                      owners=[s["organisation_id"] for s in rows])]


@router.get("/survivors", response=list[SurvivorOut])
@paginate(Pages, shown=_survivors_shown)
def list_survivors(request, filters: Query[SurvivorFilters]):
    """Survivors you may see, by reference code; no personal fields in lists."""
    return rows_of(filters.filter(policy.visible_survivors(actor_of(request))), *LIST_COLUMNS)


@router.post("/survivors", response={201: SurvivorOut})
def create_survivor(request, payload: SurvivorIn):
    actor = actor_of(request)
    if not policy.may_record(actor):
        raise Forbidden("your role does not record survivors")
    data = payload.model_dump(exclude_unset=True)
    survivor = actions.create_survivor(actor, data=data)
    return 201, survivor_out(actor, survivor, personal=False)


@router.post("/survivors/duplicates", response=list[DuplicateOut])
def duplicates(request, query: DuplicateQuery):
    """Likely duplicates in your organisation, by a keyed blind index of name and birth date.

    A POST so that names and birth dates travel in the body, never in a URL (and so
    never in an access log); nothing is created."""
    actor = actor_of(request)
    if not policy.works_with_records(actor):
        raise Forbidden("your role does not work with survivor records")
    found = actions.find_duplicates(
        actor, given_name=query.given_name, family_name=query.family_name,
        date_of_birth=query.date_of_birth.isoformat() if query.date_of_birth else "",
        aliases=query.aliases, phone=query.phone)
    return [{**survivor_out(actor, f.survivor, personal=False), "reasons": f.reasons}
            for f in found]


def _hit(found: actions.Found) -> dict:
    return {"id": found.survivor.pk, "reference": found.survivor.reference,
            "score": found.score, "reasons": found.reasons, "names": found.names or None}


@router.get("/survivors/search", response=list[SearchHit])
def search_survivors(request, query: Query[SearchQuery]):
    """Find survivors of your organisation by name, alias or phone, tolerant of spelling.

    Ranked in the database over keyed blind-index tokens (no record is decrypted to
    search); only the candidates returned have their names opened, and the search is
    audited with the ids shown (never the query)."""
    actor = actor_of(request)
    if not policy.works_with_records(actor):
        raise Forbidden("your role does not work with survivor records")
    found = actions.search_survivors(actor, query.q, within=policy.visible_survivors(actor),
                                     limit=query.limit)
    return [_hit(f) for f in found]


# --- Merging two records of one person -------------------------------------------


def merge_out(request_) -> dict:
    return {"id": request_.pk, "kept_id": request_.kept_id,
            "kept_reference": request_.kept.reference, "merged_id": request_.merged_id,
            "merged_reference": request_.merged.reference, "status": request_.status,
            "requested_at": request_.requested_at, "decided_at": request_.decided_at,
            "moved": request_.moved}


@router.get("/merge-requests", response=list[MergeOut])
def list_merge_requests(request, status: str | None = None):
    """Your organisation's requests to merge two records of one person (newest first)."""
    actor = actor_of(request)
    rows = policy.visible_merge_requests(actor).select_related("kept", "merged")
    if status:
        rows = rows.filter(status=status)
    return [merge_out(r) for r in selectors.listed(actor, rows[:100],
                                                    record_type="merge_request")]


@router.post("/survivors/{survivor_id}/merge-requests", response={201: MergeOut})
def request_merge(request, survivor_id: int, payload: MergeIn):
    """Ask a supervisor to merge another record of the same person into this one."""
    actor = actor_of(request)
    kept = policy.survivor_for(actor, survivor_id, change=True)
    if not policy.may_request_merge(actor):
        raise Forbidden("your role does not ask for merges")
    try:
        merged = policy.survivor_for(actor, payload.merged_id, change=True)
    except (NotFound, Forbidden):
        raise DomainError("no such survivor in your organisation", "merged_id") from None
    return 201, merge_out(actions.request_merge(actor, kept=kept, merged=merged,
                                                reason=payload.reason))


def _decide(request, merge_id: int, approve: bool) -> dict:
    actor = actor_of(request)
    merge = policy.merge_request_for(actor, merge_id)
    if not policy.may_approve_merge(actor):
        raise Forbidden("only a supervisor approves or refuses a merge")
    return merge_out(actions.decide_merge(actor, merge, approve=approve))


@router.post("/merge-requests/{merge_id}/approve", response=MergeOut)
def approve_merge(request, merge_id: int):
    """Merge now: every history of the merged record moves to the kept one; it is archived."""
    return _decide(request, merge_id, True)


@router.post("/merge-requests/{merge_id}/refuse", response=MergeOut)
def refuse_merge(request, merge_id: int):
    return _decide(request, merge_id, False)


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
def archive_survivor(request, survivor_id: int, reason: ArchiveReasonT = "created_by_mistake"):
    """Archive a record created by mistake (supervisors), with a reason. It disappears from
    every list and answers 404 afterwards; the audit trail stays."""
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    if not policy.may_archive(actor):
        raise Forbidden("only a supervisor archives a survivor record")
    actions.archive_survivor(actor, survivor, reason=reason)
    return 204, None


# --- Cases ---------------------------------------------------------------------


def _cases_shown(request, rows: list[Row]) -> list[dict]:
    actor = actor_of(request)
    owners = [r["survivor__organisation_id"] for r in rows]  # read with the row: no query
    return [case_row_out(c) for c in selectors.listed(actor, rows, record_type="case",
                                                      owners=owners)]


@router.get("/cases", response=list[CaseOut])
@paginate(Pages, shown=_cases_shown)
def list_cases(request, filters: Query[CaseFilters]):
    actor = actor_of(request)
    return rows_of(filters.filter(policy.visible_cases(actor)), *CASE_LIST_COLUMNS)


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
    before = case.caseworker_id
    case = actions.update_case(actor, case, version=version, changes=changes)
    if case.caseworker_id and case.caseworker_id != before:
        case_tasks.notify_assignment(actor, case, case.caseworker)
    return case_out(case)


@router.delete("/cases/{case_id}", response={204: None})
def archive_case(request, case_id: int, reason: ArchiveReasonT = "created_by_mistake"):
    """Archive a case created by mistake (supervisors), with a reason."""
    actor = actor_of(request)
    case = policy.case_for(actor, case_id, change=True)
    if not policy.may_archive(actor):
        raise Forbidden("only a supervisor archives a case")
    actions.archive_case(actor, case, reason=reason)
    return 204, None


def _changeable_case(actor, case_id) -> Case:
    case = policy.case_for(actor, case_id, change=True)
    if not policy.works_with_records(actor):
        raise NotFound("No such case")
    policy.survivor_for(actor, case.survivor_id, change=True)
    return case


@router.post("/cases/{case_id}/close", response=CaseOut)
def close_case(request, case_id: int, payload: CloseIn):
    """Close a case with a reason (words for "other" are sealed). A stale version is 409."""
    actor = actor_of(request)
    case = _changeable_case(actor, case_id)
    if not policy.may_close_case(actor):
        raise Forbidden("your role does not close cases")
    return case_out(actions.close_case(actor, case, version=payload.version,
                                       reason=payload.reason, note=payload.note))


@router.post("/cases/{case_id}/reopen", response=CaseOut)
def reopen_case(request, case_id: int, payload: ReopenIn):
    actor = actor_of(request)
    case = _changeable_case(actor, case_id)
    if not policy.may_close_case(actor):
        raise Forbidden("your role does not reopen cases")
    return case_out(actions.reopen_case(actor, case, version=payload.version,
                                        reason=payload.reason, note=payload.note))


@router.post("/cases/{case_id}/assign", response=CaseOut)
def assign_case(request, case_id: int, payload: AssignIn):
    """Make someone of the organisation responsible; they get a task due today."""
    actor = actor_of(request)
    case = _changeable_case(actor, case_id)
    if not policy.may_assign_cases(actor):
        raise Forbidden("your role does not assign cases")
    _check_caseworker(case.survivor, payload.caseworker_id)
    caseworker = policy.staff_who_work_with_records(case.survivor.organisation).get(
        pk=payload.caseworker_id)
    return case_out(case_tasks.reassign_case(actor, case, caseworker=caseworker,
                                             version=payload.version))


# --- Transfers -----------------------------------------------------------------------


def transfer_out(t: Transfer, texts: dict | None = None) -> dict:
    texts = texts or {}
    return {
        "id": t.pk, "survivor_reference": t.survivor.reference, "case_id": t.case_id,
        "case_reference": t.case.reference, "from_organisation_id": t.from_organisation_id,
        "to_organisation_id": t.to_organisation_id, "status": t.status,
        "status_label": t.get_status_display(),
        "reason": texts.get("reason", "•••" if t.reason else ""),
        "decline_reason": texts.get("decline_reason", "•••" if t.decline_reason else ""),
        "requested_by_label": t.requested_by_label, "requested_at": t.requested_at,
        "decided_by_label": t.decided_by_label, "decided_at": t.decided_at,
    }


@router.post("/cases/{case_id}/transfers", response={201: TransferOut})
def request_transfer(request, case_id: int, payload: TransferIn):
    """Ask another organisation on the platform to take over the survivor and their cases.
    The survivor's referral consent naming that organisation must stand (422 otherwise)."""
    actor = actor_of(request)
    case = _changeable_case(actor, case_id)
    if not policy.may_request_transfer(actor):
        raise Forbidden("your role does not transfer cases")
    to = Organisation.objects.filter(pk=payload.to_organisation_id).first()
    if to is None or not policy.may_receive_transfers(to):
        raise DomainError("Choose an organisation on the platform with caseworkers.",
                          "to_organisation_id")
    try:
        transfer = actions.request_transfer(actor, case, to_organisation=to,
                                            reason=payload.reason)
    except DomainError as exc:
        if exc.field == "to_organisation":
            exc.field = "to_organisation_id"
        raise
    return 201, transfer_out(transfer)


def _transfers_shown(request, rows: list[Transfer]) -> list[dict]:
    actor = actor_of(request)
    return [transfer_out(t) for t in selectors.listed(actor, rows, record_type="transfer")]


@router.get("/transfers", response=list[TransferOut])
@paginate(Pages, shown=_transfers_shown)
def list_transfers(request):
    """Transfers your organisation sent or was asked to take (reference codes only)."""
    return policy.visible_transfers(actor_of(request)).select_related("survivor", "case")


@router.get("/transfers/{transfer_id}", response=TransferOut)
def get_transfer(request, transfer_id: int):
    """One transfer, its sealed reasons opened (audited)."""
    actor = actor_of(request)
    transfer = policy.transfer_for(actor, transfer_id)
    return transfer_out(transfer, actions.transfer_seen(actor, transfer, reasons=True))


@router.post("/transfers/{transfer_id}/accept", response=TransferOut)
def accept_transfer(request, transfer_id: int, payload: AcceptTransferIn):
    """A supervisor of the receiving organisation takes responsibility; the sender's access
    ends at once."""
    actor = actor_of(request)
    transfer = policy.transfer_for(actor, transfer_id)
    if not policy.may_decide_transfer(actor, transfer):
        raise Forbidden("a supervisor of the receiving organisation accepts an open transfer")
    caseworker = None
    if payload.caseworker_id is not None:
        if not policy.may_assign_case_to(actor.organisation, payload.caseworker_id):
            raise DomainError("Choose an active caseworker of your organisation.",
                              "caseworker_id")
        caseworker = policy.staff_who_work_with_records(actor.organisation).get(
            pk=payload.caseworker_id)
    return transfer_out(case_tasks.accept_transfer(actor, transfer, caseworker=caseworker))


@router.post("/transfers/{transfer_id}/decline", response=TransferOut)
def decline_transfer(request, transfer_id: int, payload: DeclineTransferIn):
    actor = actor_of(request)
    transfer = policy.transfer_for(actor, transfer_id)
    if not policy.may_decide_transfer(actor, transfer):
        raise Forbidden("a supervisor of the receiving organisation declines an open transfer")
    return transfer_out(actions.decline_transfer(actor, transfer, reason=payload.reason))


@router.post("/transfers/{transfer_id}/cancel", response=TransferOut)
def cancel_transfer(request, transfer_id: int):
    actor = actor_of(request)
    transfer = policy.transfer_for(actor, transfer_id)
    if not policy.may_cancel_transfer(actor, transfer):
        raise Forbidden("only the sending organisation withdraws an open transfer")
    return transfer_out(actions.cancel_transfer(actor, transfer))


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
