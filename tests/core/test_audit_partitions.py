"""The audit log on PostgreSQL: partitioned by month, lean indexes, and the oldest month
archived to a file that keeps the hash chain verifiable (issue 13, "Audit growth")."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from northstar.core import auditparts
from northstar.core.audit import _append, record, verify_chain
from northstar.core.models import AuditEntry

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the audit log is partitioned on PostgreSQL only"),
    pytest.mark.django_db,
]

NOW = dt.datetime.now(dt.UTC)
THIS_MONTH = auditparts.month_start(NOW.date())
TWO_MONTHS_AGO = auditparts.month_start(THIS_MONTH - dt.timedelta(days=40))


def _names(sql: str, params=()) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]


def test_the_audit_log_is_partitioned_by_month_a_year_ahead():
    with connection.cursor() as cursor:
        assert auditparts.is_partitioned(cursor)
        names = auditparts.partitions(cursor)
    assert auditparts.partition_name(THIS_MONTH) in names
    ahead = THIS_MONTH
    for _ in range(12):
        ahead = auditparts.next_month(ahead)
    assert auditparts.partition_name(ahead) in names
    assert "core_auditentry_default" in names


def test_an_entry_lands_in_its_month_and_stays_append_only(caseworker, actor_for):
    entry = record(actor_for(caseworker), "read", "survivor", 7)
    month = auditparts.partition_name(auditparts.month_start(entry.at.astimezone(dt.UTC).date()))
    assert _names("SELECT tableoid::regclass::text FROM core_auditentry WHERE id = %s",
                  [entry.pk]) == [month]
    for sql in (f"UPDATE {month} SET note = 'x'", f"DELETE FROM {month}",
                "DELETE FROM core_auditentry"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)


def test_only_the_indexes_a_query_uses_are_kept():
    """(actor, at) went with its one reader, the unusual-reads count the tally replaced: each
    entry paid a b-tree insert for nothing (issue 13, h-writes). The GIN index of every
    entry's ids is the search of one survivor's history and of one record (h-auditview,
    h-auditjobs)."""
    parent = set(_names("SELECT indexname FROM pg_indexes WHERE tablename = 'core_auditentry'"))
    assert parent == {"core_auditentry_pkey", "audit_org_others_at", "audit_owner_org_at",
                      "audit_survivor_at", "audit_records_named"}
    month = auditparts.partition_name(THIS_MONTH)
    assert not [n for n in _names("SELECT indexname FROM pg_indexes WHERE tablename = %s",
                                  [month]) if "actor" in n]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows: a scan is cheaper
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(r[0] for r in cursor.fetchall())


def test_each_kept_index_is_what_its_query_reads(caseworker, actor_for):
    """Every index left on the audit log has a reader: the organisation's log (about its
    survivors, and made by it about others' or none: two parts, each newest first), one
    survivor's history (the portal's quick exits), and the chain's verification in id
    order (the GIN index of the lists' ids: tests/core/test_audit_search.py)."""
    from northstar.core.audit import log_parts

    record(actor_for(caseworker), "read", "survivor", 7, survivor_ref="MHF-AAAAAA")
    organisation = caseworker.membership.organisation
    owned, others = (_plan(part.order_by("-at", "-id")[:50]) for part in log_parts(organisation))
    assert "_owner_organisation_id_at_idx" in owned, owned
    assert re.search(r"_organisation_id_at_idx\d* ", others) and "owner_organisation_id_at" \
        not in others, others
    log = owned + others
    quick_exits = _plan(AuditEntry.objects.filter(
        survivor_ref="MHF-AAAAAA", record_type="portal_session", at__gte=NOW))
    assert "_survivor_ref_at_idx" in quick_exits, quick_exits
    chain = _plan(AuditEntry.objects.filter(id__gt=0).order_by("id").values_list("id"))
    assert "_pkey" in chain, chain
    for plan in (log, quick_exits, chain):
        assert "Seq Scan" not in plan, plan


def _entries_of_two_months(actor):
    with connection.cursor() as cursor:
        auditparts.ensure_partitions(cursor, start=TWO_MONTHS_AGO, months_ahead=0,
                                     today=THIS_MONTH)
    old_at = dt.datetime.combine(TWO_MONTHS_AGO + dt.timedelta(days=3), dt.time(9),
                                 tzinfo=dt.UTC)
    old = [_append(actor, at=old_at + dt.timedelta(minutes=i), action="read",
                   record_type="survivor", record_id=str(i), record_ids=[str(i)],
                   survivor_ref="", fields=[], note="") for i in range(3)]
    new = [record(actor, "read", "survivor", 10 + i) for i in range(2)]
    return old, new


def test_the_oldest_month_is_archived_and_the_chain_verifies_through_the_file(
        caseworker, actor_for, tmp_path, capsys):
    actor = actor_for(caseworker)
    old, new = _entries_of_two_months(actor)
    out = tmp_path / "audit.jsonl"
    call_command("audit_archive", month=f"{TWO_MONTHS_AGO:%Y-%m}", out=str(out), drop=True)
    lines = out.read_text().splitlines()
    header = json.loads(lines[0])
    assert (header["entries"], header["first_id"], header["last_id"], header["sealed"]) == (
        3, old[0].pk, old[-1].pk, False)
    assert [json.loads(x)["id"] for x in lines[1:]] == [e.pk for e in old]
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in new]).count() == 2
    # The live table alone no longer starts the chain; with the archive it holds.
    assert verify_chain() == (new[0].pk, "does not follow the entry before it (a row was "
                                         "deleted or inserted)")
    call_command("verify_audit", archive=[str(out)])
    said = capsys.readouterr().out
    assert "archives hold: 3 entries verified" in said and "audit chain holds" in said


def test_an_edited_archive_fails_verification(caseworker, actor_for, tmp_path):
    _entries_of_two_months(actor_for(caseworker))
    out = tmp_path / "audit.jsonl"
    call_command("audit_archive", month=f"{TWO_MONTHS_AGO:%Y-%m}", out=str(out))
    lines = out.read_text().splitlines()
    row = json.loads(lines[2])
    row["record_id"] = "999"
    lines[2] = json.dumps(row)
    out.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="its contents do not match its hash"):
        call_command("verify_audit", archive=[str(out)])


def test_a_month_that_is_not_the_oldest_is_refused_in_a_sentence(caseworker, actor_for,
                                                                 tmp_path):
    _entries_of_two_months(actor_for(caseworker))
    out = tmp_path / "audit.jsonl"
    with pytest.raises(CommandError, match="are not the oldest in the log"):
        call_command("audit_archive", month=f"{THIS_MONTH:%Y-%m}", out=str(out))
    assert not out.exists()
    assert AuditEntry.objects.count() == 5


def test_partitions_are_created_ahead_by_the_command(capsys):
    call_command("audit_partitions", months_ahead=14)
    out = capsys.readouterr().out
    assert "2 partition(s) created" in out  # the migration made twelve months ahead
