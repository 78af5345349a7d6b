"""The JSON API under /api/v1: authentication and error mapping in one place.

Errors: domain errors carry their status and field (422/404/409/403); schema
errors answer 422 with a ``field`` for each problem; a body over the size limit
answers 413; malformed JSON 400. Nothing answers 500 for bad input.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig
from django.core.signals import setting_changed
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as _NinjaSessionAuth

from northstar.apiutils import Renderer
from northstar.compensation.api import router as compensation_router
from northstar.core.actor import Actor
from northstar.core.api import router as core_router
from northstar.core.errors import DomainError
from northstar.core.tokens import user_for_token
from northstar.documents.api import router as documents_router
from northstar.engagement.api import router as engagement_router
from northstar.insights.api import router as insights_router
from northstar.intelligence.api import router as intelligence_router
from northstar.justice.api import router as justice_router
from northstar.outcomes.api import router as outcomes_router
from northstar.pathways.api import router as pathways_router
from northstar.portal.api import router as portal_router
from northstar.referrals.api import router as referrals_router
from northstar.safeguards.api import router as safeguards_router
from northstar.screening.api import router as screening_router
from northstar.survivors.api import router as survivors_router


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; only the token's SHA-256 is stored (core.tokens)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token, request.method, request.path)  # expired → None (401); read-only → 403
        if user is None:
            return None
        request.user = user
        request.actor = Actor.for_user(user, "api")
        return user


class SessionAuth(_NinjaSessionAuth):
    """The pages' session, for htmx calls; CSRF-checked like any form."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user is not None:
            request.actor = Actor.for_user(user, "api")
        return user


class ErrorOut(Schema):
    """Every error answer: what went wrong and, for bad input, which field."""

    detail: str
    field: str | None = None


#: The error answers an operation may give and when (see ``_error_responses``).
ERRORS = {
    400: "malformed JSON",
    401: "no valid token or session",
    403: "your role, or a read-only token, may not do this",
    404: "no such record, or not one you may see",
    409: "the record changed since you read it, or the step is not allowed now",
    413: "request body too large",
    422: "invalid input; `field` names the first problem",
    429: "too many attempts; try again later",
}


class Api(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also declares every error answer, so a
    schema-driven fuzzer (``tests/test_api_fuzz.py``) finds nothing undocumented."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: The OpenAPI document by path prefix, built once per process (``get_openapi_schema``).
        self.openapi_schemas: dict[str, dict] = {}
        setting_changed.connect(self._forget_openapi_schemas, weak=False)

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict | None = None):
        """The OpenAPI document, built on the first call and kept for the process: it
        changes only with the code and the settings (``NORTHSTAR_IDEMPOTENCY_HOURS`` is in
        it), and a settings change (``override_settings``) empties the cache. Building it
        took 212-294 ms of CPU on every ``GET /api/v1/openapi.json`` (issue 13, h-sweep).
        Every caller gets the same object: read it, never change it."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = self.openapi_schemas.get(path_prefix)
        if schema is None:
            schema = self.openapi_schemas[path_prefix] = self._build_openapi_schema(path_prefix)
        return schema

    def _forget_openapi_schemas(self, **kwargs):
        self.openapi_schemas.clear()

    def _build_openapi_schema(self, path_prefix: str):
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = (
            ErrorOut.model_json_schema())
        keyed = {op.operation_id or self.get_openapi_operation_id(op)
                 for bound in self._get_bound_routers()
                 for view in bound.path_operations.values() for op in view.operations
                 if getattr(op, "idempotent", False)}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                _error_responses(method, operation)
                if method == "post" and operation.get("operationId") in keyed:
                    operation.setdefault("parameters", []).append(
                        idempotency.openapi_parameter())
        return schema


def _error_responses(method: str, operation: dict) -> None:
    """Adds the error answers this operation can give, each with the ``ErrorOut`` schema.

    422 for any input; 400 and 413 where a body is read; 401 and 403 where a sign-in
    is needed; 404 where a record is named or a record may be looked up; 409 where
    something is written; 429 for every operation (sign-in lockout and throttles)."""
    codes = {422, 429, 404}
    if "requestBody" in operation:
        codes |= {400, 413}
    if operation.get("security"):
        codes |= {401, 403}
    if method in ("post", "put", "patch", "delete"):
        codes |= {409}
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        responses.setdefault(str(code), {"description": ERRORS[code], "content": content})


api = Api(
    title="Northstar API",
    version="1",
    description=(
        "Survivor-centred case management for counter-trafficking work. Every read and "
        "write of survivor data is decided by one access policy and written to an "
        "append-only audit log. Authenticate with `POST /api/v1/auth/token`, then send "
        "`Authorization: Bearer <token>`."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    renderer=Renderer(),
)


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "filters")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    problems = [
        {"field": _field_of(e.get("loc", ())), "message": e.get("msg", "invalid"),
         "type": e.get("type", "")}
        for e in exc.errors
    ]
    first = problems[0]["field"] if problems else "body"
    return api.create_response(
        request, {"detail": "invalid input", "field": first, "errors": problems}, status=422
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def on_404(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Authentication required"}, status=401)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return api.create_response(request, {"detail": "request body too large"}, status=413)


@api.exception_handler(json.JSONDecodeError)
def on_bad_json(request, exc):
    return api.create_response(request, {"detail": "malformed JSON", "field": "body"}, status=400)


for router in (
    core_router,
    survivors_router,
    screening_router,
    pathways_router,
    safeguards_router,
    compensation_router,
    referrals_router,
    justice_router,
    portal_router,
    documents_router,
    outcomes_router,
    engagement_router,
    intelligence_router,
    insights_router,
):
    api.add_router("", router)

# HTCDS exchange (insights): its own router, registered here additively.
from northstar.insights.htcds_api import router as htcds_router  # noqa: E402

api.add_router("", htcds_router)

# Idempotency-Key on every authenticated create (core/idempotency.py): after every router.
from northstar import policy  # noqa: E402
from northstar.compensation import selectors as compensation  # noqa: E402
from northstar.core import idempotency  # noqa: E402
from northstar.core.errors import Forbidden, NotFound  # noqa: E402
from northstar.documents import selectors as documents  # noqa: E402
from northstar.justice import tasks as case_tasks  # noqa: E402
from northstar.outcomes import selectors as outcomes  # noqa: E402
from northstar.referrals import selectors as referrals  # noqa: E402


def _its_case(actor, record_id, path):
    """Records read only through their case's pages and lists (``GET /cases/{id}/…``)."""
    return policy.case_for(actor, path["case_id"])


def _fund(actor, record_id, path):
    if not policy.may_see_fund(actor):
        raise Forbidden("your role does not work with the victim fund")


def _disbursements_of(actor, record_id, path):
    """As ``GET /survivors/{id}/disbursements`` reads them."""
    if not policy.works_with_records(actor):
        raise NotFound("No such survivor")
    return policy.survivor_for(actor, path["survivor_id"], change=True)


def _by_id(selector):
    return lambda actor, record_id, path: selector(actor, record_id)


#: A replayed create's answer shows the record it made: before it is sent again, the policy
#: is asked as a fresh read of that record would ask it (404 or 403 when it would refuse).
REPLAY_READS = {
    "survivor": _by_id(policy.survivor_for),
    "case": _by_id(policy.case_for),
    "consent": _by_id(policy.consent_for),
    "merge": _by_id(policy.merge_request_for),
    "transfer": _by_id(policy.transfer_for),
    "claim": _by_id(compensation.claim_for),
    "calculation": _by_id(compensation.calculation_for),
    "mediation": _by_id(compensation.mediation_for),
    "referral": _by_id(referrals.referral_for),
    "case_task": _by_id(case_tasks.task_for),
    "document": _by_id(documents.document_for),
    "response": _by_id(outcomes.response_for),
    "screening": _its_case,
    "assessment": _its_case,
    "priorities": _its_case,
    "plan_item": _its_case,
    "proposal": _its_case,
    "event": _its_case,
    "disbursement": _disbursements_of,
    "fund_balance": _fund,
}

idempotency.install(api, REPLAY_READS)
