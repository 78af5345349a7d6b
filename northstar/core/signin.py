"""Staff sign-in: who is knocking (the client address), throttling, and the second factor.

django-axes counts failed passwords per account and per address on every
``authenticate()`` with a request — ``/login/``, ``/admin/login/`` and
``POST /api/v1/auth/token`` — and ``TwoFactorMiddleware`` keeps a signed-in
person who must use two-factor out of everything until they have proved it.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from ninja.throttling import AnonRateThrottle

from northstar import policy
from northstar.core import two_factor
from northstar.core.actor import Actor


def client_address(request) -> str:
    """The address a request came from, trusting ``X-Forwarded-For`` only as far as our
    own proxies wrote it (``NORTHSTAR_TRUSTED_PROXY_COUNT``; 0 ignores the header,
    which anyone can set). Each proxy appends the address it saw, so the client is the
    N-th entry from the right."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "NORTHSTAR_TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if h.strip()]
    return hops[-count] if len(hops) >= count else remote


class AddressRateThrottle(AnonRateThrottle):
    """Ninja's anonymous throttle, keyed by the real client address (Ninja's own trusts
    every ``X-Forwarded-For``, so varying the header escaped it)."""

    def get_ident(self, request) -> str:
        return client_address(request)


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check. Code that authenticates without a request (the test
    client's ``login()``, a management command) reaches no network, so it is not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def username_of(request, credentials) -> str:
    """The account an attempt names, compared case-blind so ``Alice`` and ``alice`` share a count."""
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(name).strip().lower()[:150]


LOCKED_MESSAGE = ("Too many failed sign-in attempts for this account or from this address. "
                  "Wait {minutes} minutes and try again, or ask your organisation's administrator.")


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out attempt gets: 429 with a clear message (JSON for the API)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = LOCKED_MESSAGE.format(minutes=minutes)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "field": "username"}, status=429)
    return render(request, "core/locked_out.html", {"message": message}, status=429)


#: Paths a signed-in person may reach before the second factor: signing in and out,
#: enrolling, static files, the survivor portal (no staff session) and the public API.
EXEMPT_PREFIXES = ("/login/", "/logout/", "/account/two-factor/", "/static/", "/portal/",
                   "/admin/login/", "/admin/logout/", "/api/v1/auth/token", "/api/v1/health",
                   "/language/")


class TwoFactorMiddleware:
    """Sends a password-only session to the code prompt (or to enrolment) first.

    Anyone with a confirmed device must give a code; anyone who must use two-factor
    (``policy.must_use_two_factor``) and has none must enrol before anything else.
    Session calls to the API answer 403 instead of redirecting.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        blocked = self._redirect_for(request)
        return blocked if blocked is not None else self.get_response(request)

    def _redirect_for(self, request):
        if not settings.NORTHSTAR_REQUIRE_TWO_FACTOR:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(EXEMPT_PREFIXES):
            return None
        if getattr(user, "is_verified", lambda: False)():
            return None
        if two_factor.has_device(user):
            target = "two_factor_verify"
        elif policy.must_use_two_factor(Actor.for_user(user, "web")):
            target = "two_factor_enrol"
        else:
            return None
        if request.path.startswith("/api/"):
            if request.META.get("HTTP_AUTHORIZATION"):
                return None  # a bearer token: the token endpoint already asked for the code
            return JsonResponse({"detail": "two-factor verification required"}, status=403)
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(target)}?{query}")
