"""``Idempotency-Key`` on the API's creates: a retry gets the first answer, not a second record.

A client that loses the answer to a create (a timeout, an instance killed after its
commit) cannot know whether the record was made. Sent with ``Idempotency-Key: <key>``
(1–255 visible ASCII characters, e.g. a UUID), a create is answered once:

- the first request runs in one transaction with the row that stores its key, the
  status, the created record's id and its answer (sealed: it names a survivor's record);
- a retry with the same key and the same method, path and body answers the stored
  status and body again, writes nothing, and audits the replay as a read of that record
  — but only after the policy is asked again whether the user may still see that record
  (the first answer shows it): a membership ended, a role changed, a record archived or
  moved to another organisation since answers 404 (or 403) as a fresh read would. The
  question is the API's (``install``'s ``read_checks``: this module sits below the policy
  and the apps), one per record type a create answers;
- the same key with another body or path is a 422 naming the ``Idempotency-Key`` header;
- two requests with the same key at once: the second waits on the key's unique index
  until the first commits, then answers the first's answer (one record);
- an error answer (4xx) stores no key: fixing the request and retrying with the same
  key runs it;
- keys are per user (the token's or session's), kept ``NORTHSTAR_IDEMPOTENCY_HOURS``
  (24) and pruned by the daily pruning job (``prune``).

Without the header nothing changes. ``install(api)`` wraps every authenticated POST
operation that answers 201 (every create that makes a record); the OpenAPI document
declares the header on them (``openapi_parameter``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from northstar.core import audit
from northstar.core.crypto import keyring
from northstar.core.errors import Conflict, DomainError
from northstar.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
SEAL_CONTEXT = "core.idempotency.response"
_VALID = re.compile(r"[\x21-\x7e]{1,255}")
_PENDING = 0


def hours() -> int:
    return int(getattr(settings, "NORTHSTAR_IDEMPOTENCY_HOURS", 24))


def prune(now: dt.datetime | None = None) -> int:
    """Deletes keys older than ``NORTHSTAR_IDEMPOTENCY_HOURS``; how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=hours())
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def openapi_parameter() -> dict:
    return {
        "in": "header", "name": HEADER, "required": False,
        "description": (
            f"Any unique value you choose (1–255 visible ASCII characters, e.g. a UUID). A "
            f"retry with the same key and body within {hours()} h answers the first answer "
            f"again (the same id) and creates nothing; the same key with another body is a "
            f"422 naming this header."),
        "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                   "pattern": r"^[\x21-\x7e]+$"},
    }


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _record_type(operation) -> str:
    """``SurvivorOut`` → ``survivor``, ``ClaimDetailOut`` → ``claim``: what the audit entry
    of a replay names."""
    model = operation.response_models.get(201)
    field = getattr(model, "model_fields", {}).get("response")
    name = getattr(getattr(field, "annotation", None), "__name__", "") or "record"
    name = re.sub(r"(Detail)?Out$", "", name) or "record"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()[:50]


#: ``check(actor, record_id, path)``: raises ``NotFound``/``Forbidden`` when a fresh read of
#: the record a create answered (its id from the stored answer; ``path``: the create's path
#: parameters, e.g. ``case_id``) would; its return value is ignored.
ReadCheck = Callable[[object, str, dict], object]


class _Replay(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def _replay(request: HttpRequest, stored: IdempotencyKey, record_type: str) -> HttpResponse:
    body = keyring().open(stored.response, SEAL_CONTEXT)
    actor = getattr(request, "actor", None)
    if actor is not None and stored.record_id:
        audit.record(actor, "read", record_type, stored.record_id,
                     note=f"the first answer to a create, sent again for a retry "
                          f"({HEADER})")
    response = HttpResponse(body, status=stored.status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(request: HttpRequest, key: str, digest: str, record_type: str,
           may_read: ReadCheck, path: dict) -> None:
    """Inserts the key (pending) in this transaction, or raises ``_Replay`` with the stored
    answer once ``may_read`` lets the user see it still. A concurrent first request holding
    the key makes the insert wait for it."""
    with connection.cursor() as cursor:
        # ON CONFLICT instead of catching IntegrityError: no savepoint round trips. On
        # PostgreSQL a concurrent uncommitted row with this key makes it wait for that
        # transaction, then do nothing (the row is there, committed).
        cursor.execute(
            "INSERT INTO core_idempotencykey (user_id, key, request_hash, status, record_id, "
            "response, created_at) VALUES (%s, %s, %s, %s, '', '', %s) "
            "ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [request.user.pk, key, digest, _PENDING, timezone.now()])
        inserted = cursor.fetchone()
    if inserted is not None:
        request._idempotency_row = IdempotencyKey(
            pk=inserted[0], user_id=request.user.pk, key=key, request_hash=digest,
            status=_PENDING)
        request._idempotency_row._state.adding = False
        return
    stored = IdempotencyKey.objects.get(user=request.user, key=key)
    if stored.request_hash != digest:
        raise DomainError("this key was used for another request (a different body or "
                          "path); send a new key for a new record", HEADER)
    if stored.status == _PENDING:  # not reachable: a pending row is never committed
        raise Conflict("the first request with this key has not finished", HEADER)
    # The stored answer shows the record as it was made: asked again, as a read would be.
    may_read(request.actor, stored.record_id, path)
    raise _Replay(_replay(request, stored, record_type))


def _keep(request: HttpRequest, response) -> None:
    row = getattr(request, "_idempotency_row", None)
    if row is None:
        return
    if not 200 <= response.status_code < 300 or transaction.get_rollback():
        row.delete()  # an error answer is not kept: the corrected request may use the key
        return
    body = response.content.decode("utf-8")
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    record_id = answer.get("id") if isinstance(answer, dict) else None
    row.status = response.status_code
    row.record_id = str(record_id)[:64] if record_id is not None else ""
    row.response = keyring().seal(body, SEAL_CONTEXT)
    row.save(update_fields=["status", "record_id", "response"])


def _wrap(operation, may_read: ReadCheck) -> None:
    run, view = operation.run, operation.view_func
    record_type = _record_type(operation)

    @functools.wraps(view)
    def keyed_view(request, *args, **kwargs):
        key = getattr(request, "_idempotency_key", None)
        if key is not None:
            _claim(request, key, request._idempotency_hash, record_type, may_read,
                   request._idempotency_path)
        return view(request, *args, **kwargs)

    def keyed_run(request, **kw):
        key = request.headers.get(HEADER)
        if key is None:
            return run(request, **kw)
        if not _VALID.fullmatch(key):
            return operation.api.on_exception(request, DomainError(
                "must be 1 to 255 visible ASCII characters (no spaces)", HEADER))
        request._idempotency_key = key
        request._idempotency_hash = _request_hash(request)
        request._idempotency_path = kw  # the URL's parameters (``case_id``...)
        try:
            with transaction.atomic():
                response = run(request, **kw)
                if transaction.get_rollback():
                    return response
                _keep(request, response)
                return response
        except _Replay as replay:
            return replay.response

    operation.view_func = keyed_view
    operation.run = keyed_run
    operation.idempotent = True


def install(api, read_checks: Mapping[str, ReadCheck]) -> list:
    """Wraps every authenticated POST operation answering 201; the wrapped operations.

    ``read_checks``: for each record type a create answers (``_record_type``), how the
    policy is asked whether the user may still read it (``ReadCheck``). A create whose
    type has none is refused here, at start-up: no replay goes unchecked."""
    wrapped, unchecked = [], []
    # Raised inside the handler once the key is found answered: the stored answer.
    api.add_exception_handler(_Replay, lambda request, exc: exc.response)
    for bound in api._get_bound_routers():  # the operations the URLs serve (Ninja clones)
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                if ("POST" in operation.methods and 201 in (operation.response_models or {})
                        and operation.auth_callbacks
                        and not getattr(operation, "idempotent", False)):
                    check = read_checks.get(_record_type(operation))
                    if check is None:
                        unchecked.append(f"{_record_type(operation)} ({path})")
                        continue
                    _wrap(operation, check)
                    wrapped.append(operation)
    if unchecked:
        raise ImproperlyConfigured(
            "no read check for the replay of these creates: " + ", ".join(unchecked))
    return wrapped
