"""Portal access over JSON, for staff: set or reset a survivor's PIN, see its state, turn
it off; and the list of translations waiting for review. The survivor's own pages are
server-rendered only (no JavaScript needed, nothing for a trafficker to script against)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from northstar import policy
from northstar.apiutils import StrictSchema, actor_of
from northstar.core.errors import Forbidden, NotFound
from northstar.portal import actions, catalogue
from northstar.portal.models import PortalAccess

router = Router(tags=["portal"])


class PinIn(StrictSchema):
    pin: str = Field(..., description="six digits chosen with the survivor; stored only hashed")


class AccessOut(Schema):
    survivor_id: int
    has_pin: bool
    enabled: bool
    locked: bool = Field(description="the code waits before its next try (never a hard lock)")
    wait_until: dt.datetime | None
    pin_set_at: dt.datetime | None
    last_sign_in_at: dt.datetime | None
    failed_attempts: int


class ReviewLanguage(Schema):
    language: str
    translated: int
    untranslated: int
    unreviewed: list[str]


def _own_survivor(request: HttpRequest, survivor_id: int):
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise NotFound("No such survivor")
    return actor, survivor


def _out(survivor, access: PortalAccess | None) -> dict:
    backoff = actions.backoff_of(survivor)
    waiting = bool(backoff and backoff.waiting())
    return {
        "survivor_id": survivor.pk,
        "has_pin": access is not None,
        "enabled": bool(access and access.enabled),
        "locked": waiting,
        "wait_until": backoff.wait_until if waiting else None,
        "pin_set_at": access.pin_set_at if access else None,
        "last_sign_in_at": access.last_sign_in_at if access else None,
        "failed_attempts": backoff.failures if backoff else 0,
    }


@router.get("/survivors/{survivor_id}/portal-access", response=AccessOut)
def portal_access(request, survivor_id: int):
    actor, survivor = _own_survivor(request, survivor_id)
    return _out(survivor, actions.access_seen(actor, survivor))


@router.post("/survivors/{survivor_id}/portal-access", response=AccessOut)
def set_portal_pin(request, survivor_id: int, payload: PinIn):
    """Set or reset the PIN: ends any wait and open portal sessions. Audited."""
    actor, survivor = _own_survivor(request, survivor_id)
    access = actions.set_pin(actor, survivor, pin=payload.pin)
    return _out(survivor, access)


@router.post("/survivors/{survivor_id}/portal-access/lift-wait", response=AccessOut)
def lift_portal_wait(request, survivor_id: int):
    """Let the survivor try again at once after wrong PINs slowed her code down. Audited."""
    actor, survivor = _own_survivor(request, survivor_id)
    if not policy.may_lift_portal_backoff(actor, survivor):
        raise Forbidden("You may not change this survivor's portal access.")
    actions.lift_backoff(actor, survivor)
    return _out(survivor, PortalAccess.objects.filter(survivor=survivor).first())


@router.delete("/survivors/{survivor_id}/portal-access", response=AccessOut)
def disable_portal_access(request, survivor_id: int):
    """Turn the portal off at once (e.g. the survivor's phone was taken). Audited."""
    actor, survivor = _own_survivor(request, survivor_id)
    return _out(survivor, actions.disable_access(actor, survivor))


@router.get("/translations/review", response=list[ReviewLanguage])
def translations_to_review(request):
    """Per language, every survivor-facing translation still marked ``# needs-review``."""
    actor = actor_of(request)
    if not policy.may_review_translations(actor):
        raise Forbidden("only an organisation administrator can see the review list")
    return [{"language": r["language"], "translated": r["translated"],
             "untranslated": r["untranslated"],
             "unreviewed": [e["msgid"] for e in r["unreviewed"]]}
            for r in catalogue.review_report()]
