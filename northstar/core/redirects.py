"""The one check every ``next=`` redirect goes through: only to this site."""

from __future__ import annotations

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str = "/", *, param: str = "next") -> str:
    """The ``next`` the request names (POST, then GET) if it stays on this site, else
    ``default`` (a URL or a URL name). Stops ``?next=https://evil.example`` and ``//evil``."""
    target = request.POST.get(param) or request.GET.get(param) or ""
    if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(default)
