"""Issuing, checking and revoking API tokens. The raw token is shown once, never stored.

A token expires (``NORTHSTAR_TOKEN_DAYS``) and carries a scope: ``read`` tokens
may only use GET/HEAD/OPTIONS; ``write`` tokens may also change records.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.utils import timezone

from northstar.core.errors import Forbidden, NotFound
from northstar.core.models import ApiToken

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REVOKE_PATH = re.compile(r"^/api/v1/auth/tokens/\d+/revoke$")
#: Reads that take a POST body only to keep personal data out of URLs (and access logs).
READS_BY_POST = re.compile(r"^/api/v1/survivors/duplicates$")


def issue_token(user, *, name: str = "", scope: str = ApiToken.Scope.WRITE,
                days: int | None = None) -> tuple[ApiToken, str]:
    raw = "ns_" + secrets.token_urlsafe(32)
    lifetime = dt.timedelta(days=days if days is not None else settings.NORTHSTAR_TOKEN_DAYS)
    token = ApiToken.objects.create(
        user=user, name=name[:100], digest=ApiToken.digest_of(raw), prefix=raw[:8],
        scope=scope, expires_at=timezone.now() + lifetime,
    )
    return token, raw


def user_for_token(raw: str, method: str, path: str = ""):
    """The active user a bearer token stands for, or ``None`` (401): unknown, revoked and
    expired tokens are all simply not valid. A read token asking to write is ``Forbidden``
    (revoking a token is not a write to records: any token may do it)."""
    now = timezone.now()
    found = (
        ApiToken.objects.active(now)
        .select_related("user__membership__organisation")
        .filter(digest=ApiToken.digest_of(raw))
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    if (found.scope != ApiToken.Scope.WRITE and method.upper() not in SAFE_METHODS
            and not REVOKE_PATH.match(path) and not READS_BY_POST.match(path)):
        raise Forbidden("this token may only read; ask for a write token to change records")
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def revoke_token(user, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
