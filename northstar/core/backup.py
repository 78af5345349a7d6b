"""Backup and restore on PostgreSQL: a ``pg_dump`` plus a manifest of the key ids it needs.

The manifest never holds a key: it names the key ids whose keys (from escrow,
docs/operations.md) must be in ``NORTHSTAR_FIELD_KEYS`` to open the backup, the
dump's SHA-256, and the audit chain's head, so a restore can prove it got back
what was dumped. ``restore`` refuses a non-empty target, restores, then opens
every sealed value and verifies the audit chain in the restored database.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
from django.db import connections
from psycopg import sql

from northstar.core import chain, crypto
from northstar.core.crypto import PREFIX, DecryptionError
from northstar.core.keys import sealed_columns
from northstar.core.models import AuditEntry, KeyCheck

FORMAT = "northstar-backup-1"


class BackupError(Exception):
    pass


def conninfo(db: dict, *, dbname: str | None = None) -> tuple[str, dict]:
    """A libpq connection string without the password, and the environment carrying it."""
    info = psycopg.conninfo.make_conninfo(
        dbname=dbname or db["NAME"], user=db.get("USER") or None,
        host=db.get("HOST") or None, port=str(db["PORT"]) if db.get("PORT") else None)
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return info, env


def server_major(db: dict, *, dbname: str | None = None) -> int:
    info, env = conninfo(db, dbname=dbname)
    with psycopg.connect(info, password=env.get("PGPASSWORD")) as conn:
        return conn.info.server_version // 10000


def _major_of(binary: str) -> int:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def client_tool(name: str, server: int) -> str:
    """The ``pg_dump``/``pg_restore`` to use against a server of major version ``server``.

    A client older than the server refuses to dump it, so take the oldest
    installed client that is not older than the server (Debian keeps each
    version under /usr/lib/postgresql/<major>/bin).
    """
    candidates = set(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if shutil.which(name):
        candidates.add(shutil.which(name))
    usable = sorted((m, path) for path in candidates if (m := _major_of(path)) >= server)
    if not usable:
        raise BackupError(f"no {name} of version {server} or newer is installed "
                          f"(apt-get install postgresql-client-{server})")
    return usable[0][1]


def key_ids_in_use(using: str = "default") -> list[str]:
    """Every key id a sealed value in this database names, plus those with a check value."""
    kids = set(KeyCheck.objects.using(using).values_list("key_id", flat=True))
    connection = connections[using]
    with connection.cursor() as cursor:
        for model, field in sealed_columns():
            table, column = model._meta.db_table, field.column
            cursor.execute(
                f'SELECT DISTINCT split_part("{column}", %s, 2) FROM "{table}" '  # noqa: S608 - names from the models
                f'WHERE "{column}" LIKE %s', [".", f"{PREFIX}.%"])
            kids.update(r[0] for r in cursor.fetchall())
    return sorted(kids)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".manifest.json")


def audit_head(using: str = "default"):
    """The newest audit entry's id and hash (the chain is in id order: ``check_restored``).

    The audit table grows with every read; on PostgreSQL it is partitioned by month with
    the primary key (id, at), so this is one backward probe of each partition's key index,
    never a scan of the log (``test_backup_restore`` checks the plan).
    """
    return AuditEntry.objects.using(using).order_by("-id").values_list("id", "entry_hash")[:1]


def backup(db: dict, output: Path, *, using: str = "default") -> dict:
    """Dump the database to ``output`` and write its manifest next to it. Returns the manifest."""
    server = server_major(db)
    pg_dump = client_tool("pg_dump", server)
    info, env = conninfo(db)
    # The chain head is read before the dump starts: the dump holds at least these entries.
    head = audit_head(using).first()
    kids = key_ids_in_use(using)
    subprocess.run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                    "--file", str(output), "--dbname", info], env=env, check=True,
                   capture_output=True)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": db["NAME"],
        "server_major": server,
        "pg_dump": pg_dump,
        "dump": output.name,
        "sha256": _sha256(output),
        "key_ids": kids,
        "audit_head": {"id": head[0], "entry_hash": head[1]} if head else None,
    }
    manifest_path(output).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(dump: Path) -> dict:
    path = manifest_path(dump)
    if not path.exists():
        raise BackupError(f"no manifest at {path}: a backup is the dump and its manifest")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} manifest")
    if _sha256(dump) != manifest["sha256"]:
        raise BackupError(f"{dump} does not match its manifest's SHA-256: damaged or replaced")
    return manifest


def missing_keys(manifest: dict) -> list[str]:
    configured = {kid for kid, _ in crypto.keyring().keys}
    return [kid for kid in manifest["key_ids"] if kid not in configured]


def restore(dump: Path, target: dict) -> dict:
    """Restore ``dump`` into the empty database ``target``; nothing existing is overwritten."""
    manifest = read_manifest(dump)
    missing = missing_keys(manifest)
    if missing:
        raise BackupError("this backup needs field keys " + ", ".join(missing)
                          + " in NORTHSTAR_FIELD_KEYS (from escrow) before it can be restored")
    info, env = conninfo(target)
    with psycopg.connect(info, password=env.get("PGPASSWORD")) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                              ).fetchone()[0]
    if tables:
        raise BackupError(f"database {target['NAME']} is not empty ({tables} tables): "
                          "restore only into a fresh database")
    pg_restore = client_tool("pg_restore", max(server_major(target), manifest["server_major"]))
    subprocess.run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error",
                    "--single-transaction", "--dbname", info, str(dump)], env=env, check=True,
                   capture_output=True)
    return manifest


def check_restored(target: dict, manifest: dict | None = None) -> dict:
    """Open every sealed value and verify the audit chain in the restored database ``target``.

    Reads through its own psycopg connection (not a Django connection), so it
    checks exactly what is in that database. Returns counts and problems
    (empty when the restore is whole).
    """
    ring = crypto.keyring()
    opened, problems = 0, []
    info, env = conninfo(target)
    with psycopg.connect(info, password=env.get("PGPASSWORD")) as conn:
        for model, field in sealed_columns():
            table, column = model._meta.db_table, field.column
            rows = conn.execute(
                sql.SQL("SELECT {pk}, {col} FROM {table} WHERE {col} <> ''").format(
                    pk=sql.Identifier(model._meta.pk.column), col=sql.Identifier(column),
                    table=sql.Identifier(table)))
            for pk, token in rows:
                try:
                    ring.open(token, field.context)
                    opened += 1
                except DecryptionError as exc:
                    problems.append(f"{model._meta.label} {pk} {field.name}: {exc}")
        # The chained names are the columns' names (``actor_id`` is the actor's column).
        columns = ["id", "prev_hash", "entry_hash", *chain.CHAINED_FIELDS]
        cursor = conn.cursor(name="northstar_audit_walk")  # server-side: streams a long log
        cursor.execute(sql.SQL("SELECT {} FROM core_auditentry ORDER BY id").format(
            sql.SQL(", ").join(map(sql.Identifier, columns))))
        broken = chain.first_broken_link(dict(zip(columns, row, strict=True)) for row in cursor)
        cursor.close()
        if broken:
            problems.append(f"audit chain broken at entry {broken[0]}: {broken[1]}")
        entries = conn.execute("SELECT count(*) FROM core_auditentry").fetchone()[0]
        head = manifest and manifest.get("audit_head")
        if head and not conn.execute(
                "SELECT 1 FROM core_auditentry WHERE id = %s AND entry_hash = %s",
                [head["id"], head["entry_hash"]]).fetchone():
            problems.append(f"audit entry {head['id']} named in the manifest is missing")
    return {"sealed_values_opened": opened, "audit_entries": entries, "problems": problems}
