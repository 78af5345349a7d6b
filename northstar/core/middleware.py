from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import page_not_found, permission_denied
from django_otp import middleware as otp_middleware

from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden, NotFound


class ActorMiddleware:
    """Puts ``request.actor`` on every page request (the API builds its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_bearer_api_request(request):
            return self.get_response(request)  # its token's actor, set by the API's auth
        channel = "admin" if request.path.startswith("/admin/") else "web"
        request.actor = Actor.for_user(getattr(request, "user", None), channel)
        return self.get_response(request)


class DomainErrorMiddleware:
    """Maps domain errors raised by a page to HTTP answers, once for every page.

    ``NotFound`` is a 404 (existence not leaked), ``Forbidden`` a 403,
    ``Conflict`` a 409 and any other ``DomainError`` a 422, each with its
    message. The API maps the same errors in ``northstar.api``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            return page_not_found(request, Http404(exception.message))
        if isinstance(exception, Forbidden):
            return permission_denied(request, PermissionDenied(exception.message))
        body = render_to_string(
            "core/domain_error.html",
            {"message": exception.message, "field": exception.field, "status": exception.status},
            request=request,
        )
        return HttpResponse(body, status=exception.status)


class SecurityHeadersMiddleware:
    """Headers every answer carries (the CSP itself comes from django-csp).

    ``Permissions-Policy`` switches off browser features nothing here uses, and
    ``Cache-Control: no-store`` keeps every API answer and every PDF (both carry
    personal data) out of browser, proxy and shared-computer caches.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.NORTHSTAR_PERMISSIONS_POLICY)
        if (request.path.startswith("/api/")
                or response.get("Content-Type", "").startswith("application/pdf")):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


def is_bearer_api_request(request) -> bool:
    """An API request carrying a bearer token (``northstar.api.TokenAuth``): no cookie, no
    session, no form; who it is and what it may do is the token's alone."""
    if not request.path_info.startswith("/api/"):
        return False
    scheme, _, _ = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower() == "bearer"


class _BrowserOnly:
    """A middleware that only a browser session needs: an API request carrying a bearer
    token passes straight through it (issue 13: the session, its user, the second factor
    and messages were about a tenth of such a request's CPU). Synchronous, as the
    application is served (WSGI); under ASGI Django adapts it."""

    async_capable = False

    def __call__(self, request):
        if is_bearer_api_request(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(_BrowserOnly, sessions_middleware.SessionMiddleware):
    pass


class AuthenticationMiddleware(_BrowserOnly, auth_middleware.AuthenticationMiddleware):
    """As Django's; a bearer API request is anonymous until its token is checked."""

    def __call__(self, request):
        if is_bearer_api_request(request):
            request.user = AnonymousUser()
            return self.get_response(request)
        return super().__call__(request)


class OTPMiddleware(_BrowserOnly, otp_middleware.OTPMiddleware):
    pass


class MessageMiddleware(_BrowserOnly, messages_middleware.MessageMiddleware):
    pass
