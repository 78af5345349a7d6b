"""The audit log on PostgreSQL: monthly partitions, and archiving the oldest one to a file.

The table ``core_auditentry`` is partitioned by month of ``at`` (UTC months), with a
``core_auditentry_default`` partition for anything outside the months created.
Partitions are named ``core_auditentry_y2026m12``. Creating, detaching and dropping
partitions needs the owner role (``DATABASE_MIGRATE_URL``); the runtime role holds
no UPDATE, DELETE or TRUNCATE on the parent or any partition (``dbroles``).

An archive is a JSON-lines file: a header line, then one line per entry in id
order with its id, both hashes and every chained field, exactly as
``chain.first_broken_link`` reads them, so ``manage.py verify_audit --archive`` can walk
the chain through the archives into the live table. The entries hold no plaintext
personal data (survivor references, ids, field names, staff account labels and
notes in words), so the file is not sealed; keep it with the backups all the same.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections

from northstar.core import chain

TABLE = "core_auditentry"
DEFAULT_PARTITION = f"{TABLE}_default"
ARCHIVE_FORMAT = "northstar-audit-archive/1"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(first: dt.date) -> str:
    return f"{TABLE}_y{first:%Y}m{first:%m}"


def is_partitioned(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
    return cursor.fetchone() is not None


def partitions(cursor) -> list[str]:
    """Attached partitions, by name."""
    cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = %s::regclass ORDER BY c.relname", [TABLE])
    return [r[0] for r in cursor.fetchall()]


def ensure_partitions(cursor, *, start: dt.date, months_ahead: int,
                      today: dt.date | None = None, runtime: str | None = None) -> list[str]:
    """Create the monthly partitions from ``start``'s month to ``months_ahead`` months after
    ``today`` that do not exist yet; returns the names created. The runtime role is
    refused every change on each new one (default privileges would grant it)."""
    today = today or dt.datetime.now(dt.UTC).date()
    first, last = month_start(start), month_start(today)
    for _ in range(months_ahead):
        last = next_month(last)
    existing = set(partitions(cursor))
    created = []
    while first <= last:
        name = partition_name(first)
        if name not in existing:
            cursor.execute(
                f'CREATE TABLE "{name}" PARTITION OF "{TABLE}" '  # noqa: S608 - names built here
                f"FOR VALUES FROM ('{first.isoformat()} 00:00:00+00') "
                f"TO ('{next_month(first).isoformat()} 00:00:00+00')")
            created.append(name)
            if runtime:
                cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER '
                               f'ON "{name}" FROM "{runtime}"')
        first = next_month(first)
    return created


@contextmanager
def as_owner(alias: str = "default"):
    """The connection ``alias`` switched to the owner role (``DATABASE_MIGRATE_URL``) for
    the block, when one is configured; yields the runtime role's name (or None)."""
    owner_db = settings.NORTHSTAR_MIGRATE_DATABASE
    connection = connections[alias]
    runtime = connection.settings_dict.get("USER")
    if not owner_db:
        yield None
        return
    connection.close()
    saved = dict(connection.settings_dict)
    connection.settings_dict.update(
        {k: owner_db[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")})
    try:
        yield runtime if runtime != owner_db.get("USER") else None
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


class NotArchivable(Exception):
    """Said in a sentence: why this partition cannot be archived now."""


def _row_json(row: dict) -> str:
    out = dict(row)
    out["at"] = chain._canonical_time(out["at"])
    return json.dumps(out, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


COLUMNS = ("id", "prev_hash", "entry_hash", *chain.CHAINED_FIELDS)


def archive_partition(cursor, month: dt.date, out: Path, *, drop: bool = False) -> dict:
    """Write the month's partition to ``out`` and detach it (drop it too with ``drop``).

    Only the oldest live entries can go: every id in the partition must come before
    every id left in the table, so the live chain starts where the archive ends.
    Runs inside the caller's transaction, which must be atomic."""
    name = partition_name(month_start(month))
    if name not in partitions(cursor):
        raise NotArchivable(f"There is no attached partition for {month:%Y-%m}.")
    cursor.execute(f'LOCK TABLE "{name}" IN SHARE MODE')  # no entry lands in it meanwhile
    cursor.execute(f'SELECT count(*), min(id), max(id) FROM "{name}"')  # noqa: S608
    count, first_id, last_id = cursor.fetchone()
    if count:
        cursor.execute(f'SELECT min(id) FROM "{TABLE}" WHERE tableoid <> %s::regclass', [name])  # noqa: S608
        (rest_first,) = cursor.fetchone()
        if rest_first is not None and rest_first < last_id:
            raise NotArchivable(
                f"Entries of {month:%Y-%m} are not the oldest in the log (entry {rest_first} "
                "is older and still live): archive the older months first.")
    tmp = out.with_name(out.name + ".partial")
    header = {"format": ARCHIVE_FORMAT, "partition": name, "month": f"{month:%Y-%m}",
              "entries": count, "first_id": first_id, "last_id": last_id,
              "sealed": False, "note": "no plaintext personal data: references, ids, labels"}
    last_hash = first_prev = None
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(header, sort_keys=True) + "\n")
        cursor.execute(f'SELECT {", ".join(COLUMNS)} FROM "{name}" ORDER BY id')  # noqa: S608
        while batch := cursor.fetchmany(2000):
            for values in batch:
                row = dict(zip(COLUMNS, values, strict=True))
                for column in ("record_ids", "fields"):  # Django reads jsonb as text
                    if isinstance(row[column], str):
                        row[column] = json.loads(row[column])
                first_prev = first_prev or row["prev_hash"]
                last_hash = row["entry_hash"]
                f.write(_row_json(row) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out)
    # Deferred foreign-key checks of entries written in this very transaction (tests) first.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f'ALTER TABLE "{TABLE}" DETACH PARTITION "{name}"')
    if drop:
        cursor.execute(f'DROP TABLE "{name}"')
    return {**header, "first_prev_hash": first_prev, "last_hash": last_hash, "dropped": drop}


def read_archive(path: Path) -> tuple[dict, Iterator[dict]]:
    """The archive's header and its entries (streamed), as the chain walker reads them."""
    f = open(path, encoding="utf-8")  # noqa: SIM115 - closed by the generator
    header = json.loads(f.readline() or "{}")
    if header.get("format") != ARCHIVE_FORMAT:
        f.close()
        raise ValueError(f"{path} is not an audit archive")

    def rows():
        with f:
            for line in f:
                if line.strip():
                    yield json.loads(line)
    return header, rows()


def verify_archives(paths: list[Path], prev_hash: str = chain.GENESIS):
    """Walk the archives in order from ``prev_hash``: ``(None, last_hash, count)`` when they
    hold, else ``((file, id, reason), None, count)``."""
    count = 0
    for path in paths:
        header, rows = read_archive(path)
        seen = {"n": 0, "last": None}

        def tracked(rows=rows, seen=seen):
            for row in rows:
                seen["n"] += 1
                seen["last"] = row["entry_hash"]
                yield row
        broken = chain.first_broken_link(tracked(), prev_hash)
        count += seen["n"]
        if broken:
            return (str(path), *broken), None, count
        if seen["n"] != header.get("entries"):
            return (str(path), header.get("last_id"), "the archive is missing entries"), None, count
        if seen["last"]:
            prev_hash = seen["last"]
    return None, prev_hash, count
