"""Issuing and revoking API tokens. The raw token is shown once, never stored."""

from __future__ import annotations

import secrets

from django.utils import timezone

from northstar.core.errors import NotFound
from northstar.core.models import ApiToken


def issue_token(user, *, name: str = "") -> tuple[ApiToken, str]:
    raw = "ns_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], digest=ApiToken.digest_of(raw), prefix=raw[:8]
    )
    return token, raw


def revoke_token(user, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
