"""Issuing, checking and revoking API tokens. The raw token is shown once, never stored.

A token expires (``NORTHSTAR_TOKEN_DAYS``) and carries a scope: ``read`` tokens
may only use GET/HEAD/OPTIONS; ``write`` tokens may also change records.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from northstar.core.errors import Forbidden, NotFound
from northstar.core.models import ApiToken
from northstar.core.prepared import Prepared

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REVOKE_PATH = re.compile(r"^/api/v1/auth/tokens/\d+/revoke$")
#: Reads that take a POST body only to keep personal data out of URLs (and access logs).
READS_BY_POST = re.compile(r"^/api/v1/survivors/duplicates$")
#: How precisely a token's last use is kept: a write per token per minute at most, not one
#: per request (issue 13: the per-request UPDATE was its own commit on every API call).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

#: The token by its digest with its user, membership and organisation: one query whose SQL
#: is written once per process (``core.prepared``), not compiled on every request.
_BY_DIGEST = Prepared(
    lambda digest: (ApiToken.objects.select_related("user__membership__organisation")
                    .filter(digest=digest)[:1]),
    "<digest>")


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
    (revoking a token is not a write to records: any token may do it).

    One query finds the token with its user, membership and organisation (the actor needs
    all three); ``last_used_at`` is written only when it is a minute old (``_touch``).
    Revoked and expired are checked on the row found (the digest is unique), as
    ``ApiToken.objects.active`` would in SQL."""
    now = timezone.now()
    found = _BY_DIGEST.first(ApiToken.digest_of(raw))
    if (found is None or found.revoked_at is not None or found.expires_at <= now
            or not found.user.is_active):
        return None
    if (found.scope != ApiToken.Scope.WRITE and method.upper() not in SAFE_METHODS
            and not REVOKE_PATH.match(path) and not READS_BY_POST.match(path)):
        raise Forbidden("this token may only read; ask for a write token to change records")
    _touch(found, now)
    return found.user


def _touch(token: ApiToken, now) -> None:
    """Moves ``last_used_at`` at most once a ``LAST_USED_RESOLUTION``: most requests write
    nothing. The write is conditional (``WHERE last_used_at < now - resolution``), so two
    workers answering the same token in the same minute update it once between them."""
    stale_before = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at >= stale_before:
        return
    (ApiToken.objects.filter(pk=token.pk)
     .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before))
     .update(last_used_at=now))


def revoke_token(user, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
