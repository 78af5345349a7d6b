"""The case page's panel reads sent together (``core.ahead``, issue 13): the same page.

The first view of a kind of reader asks for each panel's read in turn; the next view of
the same kind sends them to PostgreSQL in one round trip (psycopg's pipeline) before the
panels run. These hold that the page is the same HTML, every panel's read is audited with
the same entries in the same order, no statement is asked twice, and another
organisation's reader is refused as before with nothing read ahead for them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from northstar.core.models import AuditEntry
from northstar.pathways import actions as pathways_actions
from tests.web.test_intake import client_for
from tests.web.test_pages_same_html import _CSRF, _populated


def _last_id() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _entries_after(first: int) -> list[tuple]:
    return [(e.actor_id, e.action, e.record_type, e.record_ids, e.survivor_ref, e.fields,
             e.note, e.owner_organisation_id)
            for e in AuditEntry.objects.filter(pk__gt=first).order_by("pk")]


def _view(client, url: str) -> tuple[str, list[tuple], list[tuple[str, bool]]]:
    """The page (CSRF tokens blanked), its audit entries, and each statement with whether
    it was sent inside a pipeline."""
    sent: list[tuple[str, bool]] = []

    def watch(execute, sql, params, many, context):
        sent.append((f"{sql} -- {params!r}", connection.vendor == "postgresql"
                     and connection.connection._pipeline is not None))
        return execute(sql, params, many, context)

    first = _last_id()
    with connection.execute_wrapper(watch):
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return _CSRF.sub(r"\1…\2", response.content.decode()), _entries_after(first), sent


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize("query", ["", "?summary=1"])
def test_the_second_view_reads_ahead_and_is_the_same_page_with_the_same_audit(
        who, language, query, caseworker, supervisor, actor_for, case_a, org_b):
    actor = _populated(caseworker, actor_for, case_a, org_b, supervisor)
    pathways_actions.set_priorities(actor, case_a, ranking=[
        "healing", "monetary_support", "safety_self_and_others"], words="")
    client = client_for({"caseworker": caseworker, "supervisor": supervisor}[who])
    client.cookies["django_language"] = language
    url = f"/cases/{case_a.pk}/{query}"
    page, entries, sent = _view(client, url)  # noted
    again, entries_again, sent_again = _view(client, url)  # read ahead
    assert again == page
    # The same entries: who read what, which records, in the same order (the time apart).
    assert entries_again == entries and len(entries) >= 5
    asked = [sql for sql, _ in sent_again]
    reads = [sql for sql in asked if sql.startswith("SELECT") and "core_audit" not in sql]
    assert len(reads) == len(set(reads)), "a statement read ahead was asked again"
    assert len(sent_again) == len(sent)  # the same statements, none more
    if connection.vendor == "postgresql":
        together = [sql for sql, in_pipeline in sent_again if in_pipeline
                    and sql.startswith("SELECT")]
        assert len(together) >= 20  # the panels' reads, in one round trip
        assert not [sql for sql, in_pipeline in sent if in_pipeline
                    and sql.startswith("SELECT")]  # the first view asked one by one
    translation.activate("en")


def test_another_organisations_reader_is_refused_and_nothing_is_read_ahead_for_them(
        caseworker, other_caseworker, case_a):
    owner = client_for(caseworker)
    url = f"/cases/{case_a.pk}/"
    for _ in range(2):
        assert owner.get(url).status_code == 200
    stranger = client_for(other_caseworker)
    for _ in range(2):
        with CaptureQueriesContext(connection) as asked:
            response = stranger.get(url)
        assert response.status_code == 404
        assert not [q for q in asked.captured_queries
                    if "survivors_consent" in q["sql"] or "safeguards_finding" in q["sql"]]
