"""The audit's own statements kept prepared on PostgreSQL (issue 13, ``audit.statement_cursor``):
the linked INSERT and the reader's tally are the same SQL on every entry, so each is planned
once per connection instead of on every entry, and nothing else is prepared; the entries, the
chain and the queries counted stay the same, and it can be turned off for a pooler."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from northstar.core import audit
from northstar.core.audit import record, record_read, verify_chain
from northstar.core.models import AuditEntry

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL's prepared statements")


@pytest.fixture
def client_side_binding():
    """A connection with Django's own client-side binding (``NORTHSTAR_PG_SERVER_SIDE_BINDING
    =off``): the audit's two statements are then the only ones prepared, which these tests
    show; with server-side binding on (the default) every repeated statement is prepared
    too (tests/core/test_server_side_binding.py)."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = dict(options)
    options.pop("server_side_binding", None)
    options.pop("prepare_threshold", None)
    connection.close()
    yield
    options.clear()
    options.update(saved)
    connection.close()


def _prepared() -> dict[str, int]:
    """This connection's prepared statements: the statement's text → times it was run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
                       " WHERE from_sql IS FALSE")
        return dict(cursor.fetchall())


def _audit_statements(prepared: dict[str, int]) -> dict[str, int]:
    return {("insert" if "core_auditchainhead" in sql else
             "tally" if "core_readtally" in sql else sql): runs
            for sql, runs in prepared.items()}


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("client_side_binding")
def test_a_reads_entry_and_its_tally_are_prepared_once_and_run_again(caseworker, actor_for,
                                                                    survivor_a):
    actor = actor_for(caseworker, "api")
    record_read(actor, survivor_a, survivor_ref=survivor_a.reference, fields=["given_name"])
    first = _audit_statements(_prepared())
    assert set(first) == {"insert", "tally"}, first  # nothing else is prepared
    for _ in range(6):
        with CaptureQueriesContext(connection) as ctx:
            entry = record_read(actor, survivor_a, survivor_ref=survivor_a.reference,
                                fields=["given_name"])
        # Still counted and logged as before: BEGIN, INSERT (with its values written in, and
        # synchronous_commit set by it: no SET LOCAL), tally, COMMIT.
        assert len(ctx.captured_queries) == 4
        logged = ctx.captured_queries[1]["sql"]
        assert "core_auditchainhead" in logged and f"'{survivor_a.reference}'" in logged
    after = _audit_statements(_prepared())
    assert set(after) == {"insert", "tally"}, after  # the same two, not one per entry
    assert after["insert"] == first["insert"] + 6 and after["tally"] == first["tally"] + 6
    assert AuditEntry.objects.get(pk=entry.pk).entry_hash == entry.entry_hash
    assert verify_chain() is None


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("client_side_binding")
def test_entries_inside_actions_and_after_a_rollback_still_link(caseworker, actor_for,
                                                                survivor_a):
    actor = actor_for(caseworker, "api")
    with transaction.atomic():
        record(actor, "update", "survivor", survivor_a.pk, survivor_ref=survivor_a.reference,
               fields=["phone"])
        record_read(actor, survivor_a, survivor_ref=survivor_a.reference, fields=["phone"])
    assert set(_audit_statements(_prepared())) == {"insert", "tally"}
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():  # psycopg forgets what it prepared
        record(actor, "update", "survivor", survivor_a.pk, fields=["phone"])
        raise RuntimeError("the action failed")
    assert AuditEntry.objects.count() == before
    record_read(actor, survivor_a, survivor_ref=survivor_a.reference, fields=["given_name"])
    with transaction.atomic():
        record(actor, "update", "survivor", survivor_a.pk, fields=["address"])
    assert AuditEntry.objects.count() == before + 2
    assert verify_chain() is None


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("client_side_binding")
def test_turned_off_nothing_is_prepared_and_the_entries_are_the_same(settings, caseworker,
                                                                     actor_for, survivor_a):
    settings.NORTHSTAR_AUDIT_PREPARED = False
    connection.close()  # a connection the audit never prepared on
    actor = actor_for(caseworker, "api")
    read = record_read(actor, survivor_a, survivor_ref=survivor_a.reference,
                       fields=["given_name"])
    with transaction.atomic():
        write = record(actor, "update", "survivor", survivor_a.pk, fields=["phone"])
    assert _prepared() == {}
    assert connection.connection.prepare_threshold is None  # Django's default left alone
    assert AuditEntry.objects.get(pk=write.pk).prev_hash == read.entry_hash
    assert verify_chain() is None


@pytest.mark.django_db
def test_sqlite_and_postgresql_write_the_same_entry(caseworker, actor_for, survivor_a):
    """Both databases (the SQL's casts change nothing that is stored or hashed)."""
    entry = record_read(actor_for(caseworker, "api"), survivor_a,
                        survivor_ref=survivor_a.reference, fields=["given_name", "phone"])
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.organisation_id, stored.owner_organisation_id) == (
        caseworker.pk, caseworker.membership.organisation_id,
        survivor_a.organisation_id)
    assert (stored.record_ids, stored.fields, stored.at) == (
        [str(survivor_a.pk)], ["given_name", "phone"], entry.at)
    assert audit.chain.link_hash(audit.chain_values(stored), stored.prev_hash) == (
        stored.entry_hash)
