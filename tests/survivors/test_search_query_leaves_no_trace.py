"""What a caseworker types to find someone is never kept: not in any table, not in the logs.

Searched through the page, the API and the duplicate check, a query that names no one on
file must appear nowhere afterwards; the audit entry names only the ids shown."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import connection

from northstar.core.models import AuditEntry
from tests.web.test_intake import client_for

TYPED = "Qorvathmeyn"


def _every_stored_text() -> str:
    """Every row of every table, as text (sessions included), for one grep."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_a_search_query_is_stored_nowhere_and_logged_nowhere(api, caseworker, survivor_a,
                                                             caplog):
    caplog.set_level(logging.DEBUG)
    before = AuditEntry.objects.count()
    page = client_for(caseworker).get("/people/search/", {"q": f"{TYPED} Sokha"})
    assert page.status_code == 200
    assert api(caseworker).get("/api/v1/survivors/search",
                               {"q": f"Sokha {TYPED}"}).status_code == 200
    assert api(caseworker).post("/api/v1/survivors/duplicates",
                                {"given_name": TYPED, "family_name": "Testperson"}
                                ).status_code == 200
    reads = AuditEntry.objects.order_by("pk")[before:]
    assert any(str(survivor_a.pk) in (e.record_ids or []) for e in reads)
    stored = _every_stored_text()
    assert survivor_a.reference in stored  # the scan does read the tables
    assert TYPED.lower() not in stored.lower()
    assert TYPED.lower() not in caplog.text.lower()
