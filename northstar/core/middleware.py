from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.core.exceptions import PermissionDenied
from django.core.signals import setting_changed
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


#: Attributes django-csp's decorators put on a response to change its policy.
_PER_RESPONSE_POLICY = ("_csp_config", "_csp_update", "_csp_replace",
                        "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")

#: (policy, its excluded prefixes, report-only policy, its excluded prefixes), built from the
#: settings once per process; emptied when a test changes a CSP setting.
_settings_policies: list = []


def _policies_from_settings() -> tuple[str, tuple, str, tuple]:
    if not _settings_policies:
        enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}
        _settings_policies.append((
            build_policy(), tuple(enforced.get("EXCLUDE_URL_PREFIXES", None) or ()),
            build_policy(report_only=True),
            tuple(report_only.get("EXCLUDE_URL_PREFIXES", None) or ()),
        ))
    return _settings_policies[0]


def _forget_policies(*, setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policies.clear()


setting_changed.connect(_forget_policies)


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, with the policy of the settings built once per process.

    django-csp builds the header on every answer (a dataclass turned into a dict, the
    directives copied and joined; 6 % of a detail read's CPU, issue 13). An answer whose
    page asked for no nonce and that no ``csp_*`` decorator changed gets exactly that
    same string each time, so it is built once; any other answer goes through django-csp
    as before. The header is set on the same conditions as django-csp's (not when the
    answer has one already, not on an excluded prefix or an exempted answer)."""

    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None
                or any(hasattr(response, name) for name in _PER_RESPONSE_POLICY)):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        policy, excluded, policy_ro, excluded_ro = _policies_from_settings()
        path = request.path_info
        if (policy and HEADER not in response and getattr(response, "_csp_exempt", False) is False
                and not path.startswith(excluded)):
            response[HEADER] = policy
        if (policy_ro and HEADER_REPORT_ONLY not in response
                and getattr(response, "_csp_exempt_ro", False) is False
                and not path.startswith(excluded_ro)):
            response[HEADER_REPORT_ONLY] = policy_ro
        # As django-csp: a nonce asked for after the header is written is an error, not a
        # nonce silently missing from the policy.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
