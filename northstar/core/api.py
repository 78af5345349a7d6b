"""Authentication, health, who-am-I and the audit log."""

import datetime as dt
from typing import Annotated, Literal

from django.contrib.auth import authenticate
from django.db import connection
from ninja import Field, Query, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate
from ninja.throttling import AnonRateThrottle

from northstar import policy
from northstar.apiutils import Filters, Pages, StrictSchema, actor_of
from northstar.core.audit import entries_for_organisation
from northstar.core.errors import DomainError, Forbidden
from northstar.core.models import AuditEntry
from northstar.core.tokens import issue_token, revoke_token

router = Router(tags=["core"])


class TokenRequest(StrictSchema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    name: str = Field("", max_length=100, description="a label for this token, e.g. the device")


class TokenOut(Schema):
    id: int
    token: str = Field(..., description="shown once; store it safely")
    prefix: str


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@router.post("/auth/token", auth=None, response={201: TokenOut},
             throttle=[AnonRateThrottle("30/m")])
def create_token(request, payload: TokenRequest):
    """Exchange a username and password for a personal API token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise DomainError("wrong username or password", "password", ) from None
    token, raw = issue_token(user, name=payload.name)
    return 201, {"id": token.pk, "token": raw, "prefix": token.prefix}


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


@router.get("/health", auth=None, response=Health)
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - health must answer, whatever the database does
        database = "unavailable"
    return {"status": "ok" if database == "ok" else "degraded", "database": database}


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
    survivor_ref: str | None = Field(None, max_length=32)
    action: Literal["create", "read", "update", "delete", "export"] | None = None
    record_type: str | None = Field(None, max_length=64)
    actor: Annotated[str | None, FilterLookup("actor_label")] = Field(
        None, max_length=150, description="username")
    since: Annotated[dt.datetime | None, FilterLookup("at__gte")] = None
    until: Annotated[dt.datetime | None, FilterLookup("at__lt")] = None


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str = Field(..., alias="actor_label")
    action: str
    channel: str
    record_type: str
    record_id: str
    survivor_ref: str
    fields: list[str]
    note: str




@router.get("/audit", response=list[AuditOut])
@paginate(Pages)
def audit_log(request, filters: Query[AuditFilters]):
    """The organisation's audit log, newest first. Supervisors only."""
    actor = actor_of(request)
    if not policy.may_read_audit(actor):
        raise Forbidden("only supervisors read the audit log")
    return filters.filter(entries_for_organisation(actor.organisation))


__all__ = ["router", "AuditEntry"]
