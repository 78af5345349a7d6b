"""An audit entry written on its own (a read, outside any action's transaction) goes to
PostgreSQL in one round trip (a read that is not a full read: its linked INSERT alone, in
autocommit), with no SET LOCAL of its own, committed before the call returns; a read's
entry commits without waiting for the WAL flush; writes and exports still wait (issue 13,
``core.audit.durable_commit``)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from northstar.core import audit
from northstar.core.audit import durable_commit, record, record_read, verify_chain
from northstar.core.models import AuditEntry

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL's pipeline and synchronous_commit")


def test_a_read_is_not_durable_but_writes_and_exports_are(settings):
    assert durable_commit(AuditEntry(action="read")) is False
    assert durable_commit(AuditEntry(action="export")) is True
    assert durable_commit(AuditEntry(action="update")) is True
    settings.NORTHSTAR_AUDIT_READS_DURABLE = True
    assert durable_commit(AuditEntry(action="read")) is True


def _another_connection():
    db = connection.settings_dict
    return psycopg.connect(psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None,
        port=str(db["PORT"]) if db["PORT"] else None, password=db.get("PASSWORD") or None),
        autocommit=True)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_read_alone_commits_without_waiting_and_a_write_waits(caseworker, actor_for,
                                                                survivor_a):
    actor = actor_for(caseworker, "api")
    with CaptureQueriesContext(connection) as ctx:
        read = record_read(actor, survivor_a, survivor_ref=survivor_a.reference,
                           fields=["given_name"])
    # The entry and the reader's tally in one transaction, no SET LOCAL of its own.
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 4 and sql[0] == "BEGIN" and sql[3] == "COMMIT", sql
    assert "core_auditchainhead" in sql[1] and "core_readtally" in sql[2]
    assert "WHEN false::boolean" in sql[1]  # synchronous_commit off for its transaction
    with CaptureQueriesContext(connection) as ctx:  # not a full read: the INSERT alone
        case_read = record_read(actor, [1], record_type="case", fields=["summary"])
    assert len(ctx.captured_queries) == 1, ctx.captured_queries
    assert "WHEN false::boolean" in ctx.captured_queries[0]["sql"]
    with _another_connection() as other:  # committed before record_read returned
        for entry in (read, case_read):
            assert other.execute("SELECT entry_hash FROM core_auditentry WHERE id = %s",
                                 [entry.pk]).fetchone() == (entry.entry_hash,)
    with CaptureQueriesContext(connection) as ctx:
        write = record(actor, "update", "survivor", survivor_a.pk,
                       survivor_ref=survivor_a.reference, fields=["phone"])
    assert "WHEN true::boolean" in ctx.captured_queries[0]["sql"]  # waits for its flush
    with override_settings(NORTHSTAR_AUDIT_READS_DURABLE=True), \
            CaptureQueriesContext(connection) as ctx:
        record_read(actor, survivor_a, survivor_ref=survivor_a.reference, fields=["phone"])
    assert "WHEN true::boolean" in ctx.captured_queries[1]["sql"]  # after BEGIN
    assert AuditEntry.objects.get(pk=read.pk).entry_hash == read.entry_hash
    assert AuditEntry.objects.get(pk=write.pk).prev_hash == case_read.entry_hash
    assert verify_chain() is None
    with connection.cursor() as cursor:  # the setting ended with its transaction
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_reads_entry_turns_the_flush_wait_off_for_its_own_transaction_only(caseworker,
                                                                            actor_for):
    actor = actor_for(caseworker, "api")

    def setting_after(durable: bool) -> str:
        entry = audit._new_entry(actor, None, dict(
            action="read", record_type="survivor", record_id="1", record_ids=["1"],
            survivor_ref="", fields=["given_name"], note=""))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(*audit._insert_statement(entry, durable=durable))
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    assert setting_after(durable=False) == "off"
    assert setting_after(durable=True) == "on"  # an action's transaction is left as it is
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert verify_chain() is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_entry_that_fails_leaves_no_open_transaction_and_no_row(caseworker, actor_for,
                                                                   survivor_a):
    actor = actor_for(caseworker, "api")
    before = AuditEntry.objects.count()
    with pytest.raises(Exception, match="NUL|0x00"):
        record_read(actor, survivor_a, survivor_ref=survivor_a.reference,
                    fields=["given_name"], note="bad\x00note")
    assert connection.connection.info.transaction_status == 0  # idle: nothing left open
    assert AuditEntry.objects.count() == before
    entry = record_read(actor, survivor_a, survivor_ref=survivor_a.reference,
                        fields=["given_name"])
    assert entry.pk and verify_chain() is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_full_reads_alone_still_raise_the_unusual_reads_alert(caseworker, actor_for):
    from northstar.core import unusual_reads
    from northstar.core.models import UnusualReadAlert

    actor = actor_for(caseworker, "api")
    for n in range(unusual_reads.THRESHOLD + 1):
        record_read(actor, [n + 1], record_type="survivor", fields=["given_name"])
    assert UnusualReadAlert.objects.filter(user=caseworker).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_entry_refused_at_its_commit_leaves_no_row_and_the_chain_whole(caseworker, actor_for,
                                                                         survivor_a):
    # A read alone whose entry PostgreSQL refuses only when it commits (an owner organisation
    # that does not exist: a deferred foreign key): neither the entry nor the head's move nor
    # the tally stays, and the connection goes on working (an error at a pipeline's Sync,
    # without a COMMIT statement, would leave psycopg unable to leave pipeline mode).
    from northstar.core.models import AuditChainHead, ReadTally

    actor = actor_for(caseworker, "api")
    record_read(actor, survivor_a, survivor_ref=survivor_a.reference, fields=["given_name"])
    before = (AuditEntry.objects.count(), AuditChainHead.objects.get().entry_hash,
              list(ReadTally.objects.values_list("ids", flat=True)))
    for record_type in ("survivor", "case"):  # with the tally, and the INSERT alone
        with pytest.raises(Exception, match="foreign key|violates"):
            record_read(actor, [987654], record_type=record_type, fields=["given_name"],
                        owners=[987654321])
        assert connection.connection.info.transaction_status == 0  # idle: nothing left open
        assert (AuditEntry.objects.count(), AuditChainHead.objects.get().entry_hash,
                list(ReadTally.objects.values_list("ids", flat=True))) == before
    record_read(actor, survivor_a, survivor_ref=survivor_a.reference, fields=["phone"])
    assert verify_chain() is None
