"""Schema-driven fuzzing of the whole API: no generated request may answer 5xx.

Schemathesis reads the OpenAPI document (which declares every error answer, see
``northstar.api.Api``) and sends a bounded number of generated requests — valid
ones and ones that break the schema — to every operation, in-process through the
Django WSGI application, with the bearer token of a caseworker whose organisation
has real records. Half of the generated record ids are swapped for those records'
ids, so the requests reach the actions past authentication and the 404.

``make test`` runs it after the SQLite suite (``NORTHSTAR_FUZZ=1``);
``NORTHSTAR_FUZZ_EXAMPLES`` sets the examples per operation and mode.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from northstar.api import api as ninja_api
from northstar.core.tokens import issue_token
from northstar.survivors import actions

pytestmark = pytest.mark.skipif(
    os.environ.get("NORTHSTAR_FUZZ") != "1",
    reason="the fuzzing run is its own step of `make test` (NORTHSTAR_FUZZ=1)")

EXAMPLES = int(os.environ.get("NORTHSTAR_FUZZ_EXAMPLES", "15"))


@pytest.fixture
def in_process():
    """The WSGI handler closes the database connection after each request; inside the
    test's transaction that would lose the records, so (as Django's test client does)
    the request signals do not close it while the fuzzer runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(caseworker, actor_for, survivor_a, case_a):
    consent = actions.record_consent(actor_for(caseworker), survivor_a, recipient=None,
                                     purpose="case_management", language="km", method="verbal")
    return {"survivor_id": survivor_a.pk, "case_id": case_a.pk, "consent_id": consent.pk}


@pytest.fixture
def bearer(caseworker):
    """A fresh write token for each operation: the fuzzer may revoke the one it holds
    (``POST /auth/tokens/{id}/revoke``), which must not turn every later request into a 401."""
    def fresh() -> dict:
        _, raw = issue_token(caseworker, name="fuzz", scope="write")
        return {"Authorization": f"Bearer {raw}"}

    return fresh


def test_no_generated_request_makes_the_api_answer_5xx(bearer, real_ids, in_process):
    schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema())
    schema.app = get_wsgi_application()
    answers: Counter[int] = Counter()
    failures: list[str] = []

    headers = bearer()

    def send(case) -> None:
        for name, value in list((case.path_parameters or {}).items()):
            if name in real_ids and isinstance(value, int) and value % 2 == 0:
                case.path_parameters[name] = real_ids[name]
        response = case.call(headers=headers)
        answers[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} answered "
                            f"{response.status_code}\n  reproduce: {case.as_curl_command()}")

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        headers = bearer()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                           database=None, suppress_health_check=list(HealthCheck))(
                given(case=operation.as_strategy(generation_mode=mode))(send))
            try:
                run()
            except Exception as exc:  # a strategy the schema cannot satisfy is not a 5xx
                if "Unsatisfiable" not in type(exc).__name__:
                    raise
    print(f"fuzzed {len(operations)} operations; answers: {dict(sorted(answers.items()))}")
    assert not failures, "\n".join(failures)
    # The token and the real ids got the requests past authentication to the actions.
    assert sum(n for code, n in answers.items() if 200 <= code < 300) > len(operations)
