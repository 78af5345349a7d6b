"""Authentication, health, who-am-I and the audit log."""

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection
from ninja import Field, Query, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from northstar import policy
from northstar.apiutils import Filters, Pages, StrictSchema, actor_of
from northstar.core import two_factor
from northstar.core.actor import Actor
from northstar.core.audit import (
    entries_for_organisation,
    log_parts,
    records_named,
)
from northstar.core.errors import DomainError, Forbidden, NotFound
from northstar.core.keys import key_problems
from northstar.core.models import AuditEntry
from northstar.core.signin import AddressRateThrottle
from northstar.core.tokens import issue_token, revoke_token
from northstar.core.unusual_reads import alerts_for

router = Router(tags=["core"])


class TokenRequest(StrictSchema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    name: str = Field("", max_length=100, description="a label for this token, e.g. the device")
    scope: Literal["read", "write"] = Field(
        "read", description="`read` tokens may only read; ask for `write` to change records")
    otp: str = Field("", max_length=16, description=(
        "the current code from your authenticator app (or a recovery code): required for "
        "everyone who signs in with two-factor"))


class TokenOut(Schema):
    id: int
    token: str = Field(..., description="shown once; store it safely")
    prefix: str
    scope: str
    expires_at: dt.datetime


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@router.post("/auth/token", auth=None, response={201: TokenOut},
             throttle=[AddressRateThrottle("30/m")])
def create_token(request, payload: TokenRequest):
    """Exchange a username and password (and, with two-factor, a code) for an API token.

    Wrong passwords count towards the sign-in lockout (429) like the log-in page's.
    """
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise DomainError("wrong username or password", "password") from None
    if settings.NORTHSTAR_REQUIRE_TWO_FACTOR:
        if two_factor.has_device(user):
            if two_factor.verify(user, payload.otp) is None:
                raise DomainError("the two-factor code is missing or wrong", "otp")
        elif policy.must_use_two_factor(Actor.for_user(user, "api")):
            raise Forbidden("set up two-factor sign-in on the web first (log in at /login/)")
    token, raw = issue_token(user, name=payload.name, scope=payload.scope)
    return 201, {"id": token.pk, "token": raw, "prefix": token.prefix, "scope": token.scope,
                 "expires_at": token.expires_at}


@router.get("/auth/tokens", response=list[TokenInfo])
def list_tokens(request):
    return list(request.user.api_tokens.order_by("-created_at"))


@router.post("/auth/tokens/{token_id}/revoke", response=TokenInfo)
def revoke(request, token_id: int):
    """Revoke one of your own tokens; it stops working at once."""
    return revoke_token(request.user, token_id)


class Health(Schema):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    keys: Literal["ok", "wrong", "unknown"]


@router.get("/health", auth=None, response={200: Health, 503: Health})
def health(request):
    """200 when the database answers and the field keys open it; 503 otherwise."""
    keys = "unknown"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - health must answer, whatever the database does
        database = "unavailable"
    if database == "ok":
        try:
            keys = "wrong" if key_problems(record=False) else "ok"
        except Exception:  # noqa: BLE001 - a malformed key ring is a wrong key ring
            keys = "wrong"
    healthy = database == "ok" and keys == "ok"
    return (200 if healthy else 503), {"status": "ok" if healthy else "degraded",
                                       "database": database, "keys": keys}


class Me(Schema):
    username: str
    organisation: str | None
    organisation_id: int | None
    jurisdiction: str | None
    role: str | None


@router.get("/me", response=Me)
def me(request):
    actor = actor_of(request)
    org = actor.organisation
    return {"username": request.user.get_username(), "organisation": org.name if org else None,
            "organisation_id": org.pk if org else None,
            "jurisdiction": org.jurisdiction if org else None, "role": actor.role}


class AuditFilters(Filters):
    survivor_ref: str | None = Field(
        None, max_length=32, pattern=r"^[\w.-]+$",
        description="every entry naming this survivor: their own records, and the list "
                    "reads whose ids include them")
    action: Literal["create", "read", "update", "delete", "export"] | None = None
    record_type: str | None = Field(None, max_length=64, pattern=r"^[a-z_]+$",
                                    description="entries of this kind of record (`case`, "
                                                "`compensation_claim`…)")
    record_id: str | None = Field(
        None, max_length=64, pattern=r"^[\w.-]+$",
        description="with `record_type`: every entry naming this record, its reads and "
                    "changes and the list reads that showed it")
    actor: Annotated[str | None, FilterLookup("actor_label")] = Field(
        None, max_length=150, description="username")
    since: Annotated[dt.datetime | None, FilterLookup("at__gte")] = None
    until: Annotated[dt.datetime | None, FilterLookup("at__lt")] = None


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str = Field(..., alias="actor_label")
    organisation: str | None = Field(None, description="the actor's organisation (a referral "
                                     "recipient's reads show in the owner's log)")
    action: str
    channel: str
    record_type: str
    record_id: str
    survivor_ref: str
    fields: list[str]
    note: str
    record_count: int = Field(description="how many records the entry names (a list read "
                                          "names every one shown: see `GET /audit/{id}`)")

    @staticmethod
    def resolve_organisation(entry) -> str | None:
        return entry.organisation.name if entry.organisation_id else None

    @staticmethod
    def resolve_record_count(entry) -> int:
        return len(entry.record_ids) if isinstance(entry.record_ids, list) else 0


class AuditEntryOut(AuditOut):
    record_ids: list[str] = Field(description="every id the entry names (strings, whole)")
    survivor_refs: dict[str, str] = Field(description=(
        "for an entry naming survivors by id: id → reference, for the survivors whose "
        "reference you may see (your organisation's, and those shared with it now)"))
    survivors_not_named: int = Field(description="survivors of the entry whose reference is "
                                                 "another organisation's: counted, not named")
    prev_hash: str
    entry_hash: str

    @staticmethod
    def resolve_record_ids(entry) -> list[str]:
        return [str(i) for i in entry.record_ids] if isinstance(entry.record_ids, list) else []

    @staticmethod
    def resolve_survivor_refs(entry) -> dict[str, str]:
        return entry.references

    @staticmethod
    def resolve_survivors_not_named(entry) -> int:
        return entry.unnamed


@router.get("/audit", response=list[AuditOut])
# Planned for its own values on every run: one survivor is in 400,000 lists, the next in
# none; a kept generic plan made for one read the whole log for the other (bench/README.md,
# h-auditjobs: 11 s at 2.1 M entries).
@paginate(Pages, each_run=True)
def audit_log(request, filters: Query[AuditFilters]):
    """The organisation's audit log, newest first. `survivor_ref` finds every entry naming
    that survivor, the list reads that showed them or one of their records (cases, claims,
    tasks…) included; `record_type` with `record_id` every entry naming that one record
    (`record_count` says how many records an entry names; `GET /audit/{id}` which).
    Supervisors only."""
    actor = actor_of(request)
    if not policy.may_read_audit(actor):
        raise Forbidden("only supervisors read the audit log")
    if filters.record_id and not filters.record_type:
        raise DomainError("say which kind of record the id is (`case`, "
                          "`compensation_claim`…)", "record_type")
    named = policy.audit_search(actor, survivor_ref=filters.survivor_ref or "",
                                record_type=filters.record_type or "",
                                record_id=filters.record_id or "")
    others = filters.model_copy(update={"survivor_ref": None, "record_type": None,
                                        "record_id": None})
    parts = log_parts(actor.organisation, named or None)
    return parts.with_parts(others.filter(part) for part in parts)


class UnusualReadAlertOut(Schema):
    id: int
    at: dt.datetime
    user: str = Field(..., alias="user.username")
    records: int
    window_minutes: int
    threshold: int


@router.get("/audit/alerts", response=list[UnusualReadAlertOut])
def unusual_read_alerts(request):
    """Accounts that opened an unusual number of full survivor records. Supervisors only."""
    actor = actor_of(request)
    if not policy.may_read_audit(actor):
        raise Forbidden("only supervisors see these alerts")
    return list(alerts_for(actor.organisation)[:100])


@router.get("/audit/{entry_id}", response=AuditEntryOut)
def audit_entry(request, entry_id: int):
    """One entry of the organisation's log, with every id it names and, for survivors, their
    references where you may see them. Supervisors only: to anyone else a record that is not
    there (404), as every record endpoint answers and as the entry's page does."""
    actor = actor_of(request)
    if not policy.may_read_audit(actor):
        raise NotFound("no such entry in your organisation's audit log")
    entry = entries_for_organisation(actor.organisation).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("no such entry in your organisation's audit log")
    records_named([entry], None, lambda ids: policy.audit_references(actor, ids))
    return entry


__all__ = ["router", "AuditEntry"]
