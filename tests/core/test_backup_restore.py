"""Backup and restore on PostgreSQL: dump, restore into a fresh database, every sealed value opens,
the audit chain verifies, and the manifest names key ids but never a key."""

from __future__ import annotations

import json
import subprocess

import dj_database_url
import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from northstar.core.backup import BackupError, audit_head, client_tool, manifest_path
from northstar.core.crypto import new_key
from northstar.core.keys import sealed_columns
from northstar.core.management.commands.restore import verify
from northstar.core.models import AuditEntry
from northstar.survivors import actions

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def _admin(dbname="postgres"):
    db = connection.settings_dict
    return psycopg.connect(psycopg.conninfo.make_conninfo(
        dbname=dbname, user=db["USER"], host=db["HOST"] or None,
        port=str(db["PORT"]) if db["PORT"] else None, password=db.get("PASSWORD") or None),
        autocommit=True)


@pytest.fixture
def fresh_database():
    """A name for an empty database on the same server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    yield name, url
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def casework(survivor_a, case_a, caseworker, actor_for):
    """Sealed personal data, a case summary and a chain of audit entries, committed."""
    actor = actor_for(caseworker)
    actions.reveal_personal_data(actor, survivor_a)
    actions.update_survivor(actor, survivor_a, version=survivor_a.version,
                            changes={"address": "Demo road 7, Mae Sot"})
    return survivor_a


def test_a_backup_restores_into_a_fresh_database_whole(casework, fresh_database, tmp_path,
                                                       settings, capsys):
    name, url = fresh_database
    dump = tmp_path / "northstar.dump"
    call_command("backup", str(dump))
    manifest = json.loads(manifest_path(dump).read_text())
    kid, key = settings.NORTHSTAR_FIELD_KEYS[0]
    assert manifest["key_ids"] == [kid]
    assert key not in manifest_path(dump).read_text()
    assert manifest["audit_head"]["id"] > 0

    call_command("restore", str(dump), target_url=url, create=True)
    out = capsys.readouterr().out
    assert "chain verified" in out
    opened = int(out.split("restored")[-1].split(": ")[1].split()[0])
    sealed_here = sum(model._base_manager.exclude(**{field.name: ""}).count()
                      for model, field in sealed_columns())
    assert opened == sealed_here >= 5  # names, date of birth, phone, address, case summary

    with _admin(name) as conn:
        refs = conn.execute("SELECT reference FROM survivors_survivor").fetchall()
        tokens = conn.execute("SELECT address FROM survivors_survivor").fetchone()[0]
        trigger = conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname = "
                               "'core_auditentry_append_only' AND tgrelid = "
                               "'core_auditentry'::regclass").fetchone()[0]  # + each month's
    assert refs == [(casework.reference,)]
    assert "Mae Sot" not in tokens
    assert trigger == 1  # the restored log is append-only again


def test_restore_refuses_without_the_keys_the_manifest_names(casework, fresh_database, tmp_path,
                                                             settings):
    name, url = fresh_database
    dump = tmp_path / "northstar.dump"
    call_command("backup", str(dump))
    settings.NORTHSTAR_FIELD_KEYS = [("k-other", new_key())]
    with pytest.raises(CommandError, match="needs field keys"):
        call_command("restore", str(dump), target_url=url, create=True)


def test_restore_refuses_a_database_that_is_not_empty(casework, tmp_path):
    db = connection.settings_dict
    dump = tmp_path / "northstar.dump"
    call_command("backup", str(dump))
    here = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(dump), target_url=here)


def test_a_restore_whose_audit_chain_was_cut_is_refused(casework, fresh_database, tmp_path):
    """A dump edited after the fact (here: an audit entry deleted in the restored copy) fails."""
    name, url = fresh_database
    dump = tmp_path / "northstar.dump"
    call_command("backup", str(dump))
    call_command("restore", str(dump), target_url=url, create=True)
    with _admin(name) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("DELETE FROM core_auditentry WHERE id = (SELECT min(id) + 1 FROM core_auditentry)")
    manifest = json.loads(manifest_path(dump).read_text())
    with pytest.raises(CommandError, match="audit chain broken"):
        verify(dj_database_url.parse(url), manifest)


def test_restore_refuses_a_dump_that_does_not_match_its_manifest(casework, fresh_database,
                                                                 tmp_path):
    name, url = fresh_database
    dump = tmp_path / "northstar.dump"
    call_command("backup", str(dump))
    with dump.open("ab") as f:
        f.write(b"tampered")
    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command("restore", str(dump), target_url=url, create=True)


def test_a_backup_never_overwrites_another(casework, tmp_path):
    dump = tmp_path / "northstar.dump"
    dump.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(dump))
    assert dump.read_bytes() == b"yesterday's backup"


def test_the_dump_tool_is_never_older_than_the_server(db):
    server = connection.pg_version // 10000
    tool = client_tool("pg_dump", server)
    version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    assert int(version.split()[2].split(".")[0]) >= server
    with pytest.raises(BackupError, match="postgresql-client-99"):
        client_tool("pg_dump", 99)


def test_the_manifest_finds_the_audit_head_without_reading_the_log(casework):
    """The audit log is the largest table and grows with every read: the backup's head
    lookup probes each month's key index from its end, never scans or sorts the log."""
    plan = audit_head().explain()
    assert "Index Scan Backward" in plan, plan
    assert "Seq Scan" not in plan and "Sort" not in plan.replace("Sort Key", ""), plan
    assert audit_head().first() == AuditEntry.objects.order_by("id").values_list(
        "id", "entry_hash").last()
