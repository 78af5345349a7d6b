"""The audit chain's head in one row (issue 13): each entry links to the hash the head holds
and moves it on in the same statement, so the predecessor is found without reading the
monthly partitions, and the head's row lock is what keeps two writers from forking it."""

from __future__ import annotations

import json
import threading

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from northstar.core import audit, chain
from northstar.core.audit import record, record_read, verify_chain
from northstar.core.models import AuditChainHead, AuditEntry, ReadTally

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL's plans, row locks and partitions")


def _head() -> tuple[str, str]:
    row = AuditChainHead.objects.get(pk=1)
    return row.prev_hash, row.entry_hash


def _last() -> tuple[str, str]:
    return AuditEntry.objects.order_by("-id").values_list("prev_hash", "entry_hash").first()


def _as_superuser(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.mark.django_db(transaction=True)
def test_the_head_is_the_last_entry_after_writes_reads_and_a_pages_reads(
        caseworker, actor_for, survivor_a):
    actor = actor_for(caseworker, "api")
    assert _head() == _last()  # the survivor's create
    record(actor, "update", "survivor", survivor_a.pk, survivor_ref=survivor_a.reference,
           fields=["phone"])
    assert _head() == _last()
    record_read(actor, survivor_a, survivor_ref=survivor_a.reference, fields=["given_name"])
    assert _head() == _last()  # a full read, alone: the tally's path
    record_read(actor, [survivor_a], fields=[])
    assert _head() == _last()
    with audit.reads_written_together():
        for n in range(3):
            record_read(actor, [n + 1], record_type="timeline_event")
    assert _head() == _last()
    with transaction.atomic():
        record(actor, "create", "case", 1, survivor_ref=survivor_a.reference)
        record_read(actor, survivor_a, survivor_ref=survivor_a.reference, fields=["phone"])
    assert _head() == _last()
    assert verify_chain() is None


def test_an_empty_log_starts_at_genesis_and_the_head_row_comes_back(caseworker, actor_for):
    AuditChainHead.objects.all().delete()  # a log never written (or emptied by a test's flush)
    assert not AuditEntry.objects.exists()
    first = record(actor_for(caseworker), "update", "survivor", 1)
    assert first.prev_hash == chain.GENESIS
    assert _head() == (chain.GENESIS, first.entry_hash)
    second = record(actor_for(caseworker), "update", "survivor", 2)
    assert second.prev_hash == first.entry_hash
    assert verify_chain() is None


def test_removing_the_newest_entries_is_found_through_the_head(caseworker, actor_for):
    actor = actor_for(caseworker)
    entries = [record(actor, "update", "survivor", n) for n in range(3)]
    assert verify_chain() is None
    _as_superuser("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    assert verify_chain() == (entries[1].pk, "the chain's head names a later entry that is "
                                             "not in the log (the newest entries were removed)")
    # From a checkpoint too, and with nothing left after it.
    assert verify_chain(after_id=entries[1].pk, prev_hash=entries[1].entry_hash)[0] == (
        entries[1].pk)


@postgres_only
def test_the_linked_insert_reads_the_head_row_and_no_partition(caseworker, actor_for):
    record(actor_for(caseworker), "update", "survivor", 1)  # some entries to plan against
    entry = audit._new_entry(actor_for(caseworker), None, dict(
        action="read", record_type="survivor", record_id="1", record_ids=["1"],
        survivor_ref="", fields=["given_name"], note=""))
    sql, params = audit._insert_statement(entry)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (raw,) = cursor.fetchone()
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)
    touched = [(n["Node Type"], n.get("Operation"), n.get("Relation Name")) for n in nodes(plan)
               if "Relation Name" in n]
    # The entry's own table only as the INSERT's target; the head row the only one read.
    assert touched == [("ModifyTable", "Insert", "core_auditentry"),
                       ("ModifyTable", "Insert", "core_auditchainhead")], touched
    assert not [n for n in nodes(plan) if n["Node Type"] in ("Append", "Merge Append")]


def _pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_for_a_lock(pid: int) -> bool:
    """Whether the backend ``pid`` comes to wait for a lock (asked on a connection of its own;
    gives up after half a minute so a writer that never waits fails the test, not hangs it)."""
    db = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None,
        port=str(db["PORT"]) if db["PORT"] else None, password=db.get("PASSWORD") or None)
    with psycopg.connect(conninfo, autocommit=True) as watcher:
        for _ in range(600):
            if watcher.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted",
                               [pid]).fetchone()[0]:
                return True
            watcher.execute("SELECT pg_sleep(0.05)")
    return False


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["a full read alone", "a write in a transaction"])
def test_a_second_writer_waits_for_the_first_and_links_to_its_entry(
        caseworker, actor_for, survivor_a, second):
    actor = actor_for(caseworker, "api")
    seen = {}

    def write_second():
        try:
            seen["pid"] = _pid()
            if second == "a full read alone":
                seen["entry"] = record_read(actor, survivor_a, survivor_ref=survivor_a.reference,
                                            fields=["given_name"])
            else:
                with transaction.atomic():
                    seen["entry"] = record(actor, "update", "survivor", survivor_a.pk)
        except Exception as exc:  # noqa: BLE001 - asserted below
            seen["error"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():  # the first writer, inside an action's transaction
        first = record(actor, "update", "survivor", survivor_a.pk, fields=["phone"])
        other = threading.Thread(target=write_second)
        other.start()
        while "pid" not in seen and "error" not in seen and other.is_alive():
            other.join(0.05)
        assert "error" not in seen, seen.get("error")
        assert _waits_for_a_lock(seen["pid"]), "the second writer did not wait for the head"
        assert "entry" not in seen
    other.join()
    assert "error" not in seen, seen.get("error")
    later = seen["entry"]
    assert later.prev_hash == first.entry_hash and later.pk > first.pk
    assert _head() == (first.entry_hash, later.entry_hash)
    assert verify_chain() is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_writers_of_every_kind_keep_one_chain_in_id_order(caseworker, actor_for):
    actor = actor_for(caseworker, "api")
    errors = []

    def write(n):
        try:
            for i in range(8):
                if n % 3 == 0:  # full reads alone: the tally after the head
                    record_read(actor, [f"{n}-{i}"], record_type="survivor",
                                fields=["given_name"])
                elif n % 3 == 1:  # an action's transaction with a write and a read
                    with transaction.atomic():
                        record(actor, "update", "survivor", f"{n}-{i}")
                        record_read(actor, [f"{n}-{i}"], record_type="survivor",
                                    fields=["phone"])
                else:  # a page's reads written together
                    with audit.reads_written_together():
                        record_read(actor, [f"{n}-{i}"], record_type="case")
                        record_read(actor, [f"{n}-{i}"], record_type="survivor", fields=["phone"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # 80 entries of the six writers (an unusual-reads alert may add the system's own).
    assert AuditEntry.objects.filter(actor=caseworker).count() == 2 * 8 + 2 * 16 + 2 * 16
    assert verify_chain() is None  # in id order: every entry follows the one before it
    assert _head() == _last()
    assert ReadTally.objects.filter(user=caseworker).exists()  # the full reads were tallied


@postgres_only
@pytest.mark.django_db
def test_after_the_whole_log_is_archived_the_next_entry_continues_the_chain(
        caseworker, actor_for, tmp_path, capsys):
    import datetime as dt

    from northstar.core import auditparts

    actor = actor_for(caseworker)
    this_month = auditparts.month_start(dt.datetime.now(dt.UTC).date())
    old_month = auditparts.month_start(this_month - dt.timedelta(days=40))
    with connection.cursor() as cursor:
        auditparts.ensure_partitions(cursor, start=old_month, months_ahead=0, today=this_month)
    # The fixtures' entries are this month's: only entries of the old month in the log.
    _as_superuser("DELETE FROM core_auditentry")
    _as_superuser("DELETE FROM core_auditchainhead")
    old_at = dt.datetime.combine(old_month + dt.timedelta(days=3), dt.time(9), tzinfo=dt.UTC)
    old = [audit._append(actor, at=old_at + dt.timedelta(minutes=i), action="read",
                         record_type="survivor", record_id=str(i), record_ids=[str(i)],
                         survivor_ref="", fields=[], note="") for i in range(3)]
    out = tmp_path / "audit.jsonl"
    call_command("audit_archive", month=f"{old_month:%Y-%m}", out=str(out), drop=True)
    assert not AuditEntry.objects.exists()
    assert _head() == (old[-1].prev_hash, old[-1].entry_hash)  # the archive leaves it
    new = record(actor, "update", "survivor", 9)
    assert new.prev_hash == old[-1].entry_hash
    call_command("verify_audit", archive=[str(out)])
    said = capsys.readouterr().out
    assert "archives hold: 3 entries verified" in said and "audit chain holds" in said


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_starts_the_head_at_the_last_entry(caseworker, actor_for):
    actor = actor_for(caseworker)
    entries = [record(actor, "update", "survivor", n) for n in range(3)]
    _migrate(("core", "0012_idempotency_keys"))
    try:
        assert "core_auditchainhead" not in connection.introspection.table_names()
    finally:
        _migrate(None)
    assert _head() == (entries[-1].prev_hash, entries[-1].entry_hash)
    assert record(actor, "update", "survivor", 4).prev_hash == entries[-1].entry_hash
    assert verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_on_an_empty_log_starts_at_genesis():
    assert not AuditEntry.objects.exists()
    _migrate(("core", "0012_idempotency_keys"))
    _migrate(None)
    assert _head() == ("", chain.GENESIS)
