"""Noticing one account opening an unusual number of full survivor records.

Counted as the audit log is written: every ``read`` entry of a survivor record with
personal fields adds the records it opened to its reader's tally of that minute
(``ReadTally``), and the distinct records of the last minutes are counted from those few
rows, so the check costs the same whether the reader opened ten records or ten thousand. The threshold is data
(``rules/unusual_reads.toml``). An alert is raised once per window, shown to the
organisation's supervisors, and audited.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

from django.db import connection, transaction

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.models import AuditEntry, ReadTally, UnusualReadAlert

RULES_FILE = Path(__file__).parent / "rules" / "unusual_reads.toml"
#: The record type whose personal fields make a read "full".
FULL_RECORD_TYPES = ("survivor",)


def _load(path: Path = RULES_FILE) -> dict:
    with open(path, "rb") as fh:
        entry = tomllib.load(fh)["unusual_reads"]
    missing = {"records", "minutes", "source", "checked"} - set(entry)
    if missing:
        raise ValueError(f"{path.name}: unusual_reads lacks {sorted(missing)}")
    for key in ("records", "minutes"):
        if not isinstance(entry[key], int) or entry[key] < 1:
            raise ValueError(f"{path.name}: unusual_reads.{key} must be a whole number ≥ 1")
    return entry


RULE = _load()
THRESHOLD: int = RULE["records"]
WINDOW = dt.timedelta(minutes=RULE["minutes"])


#: A bucket keeps at most this many ids: one minute above the threshold alerts already.
BUCKET_CAP = THRESHOLD + 1
_MINUTES = RULE["minutes"]


def _minute(at) -> int:
    return int(at.timestamp() // 60)


def is_full_read(entry: AuditEntry) -> bool:
    return (entry.action == AuditEntry.Action.READ and entry.actor_id is not None
            and entry.organisation_id is not None and entry.record_type in FULL_RECORD_TYPES
            and bool(entry.fields))


#: The reader's tally in one statement: old minutes dropped, this minute's ids added, the
#: window's distinct ids counted. A read that adds nothing (its records already tallied this
#: minute, or the minute already full) leaves the row as it is (``DO UPDATE … WHERE``: locked,
#: not rewritten): a new row version on every read was a write, WAL and a dead tuple for each
#: detail read that opened a record again within the minute, and the dead versions lengthened
#: the next reads' scan of the tally (issue 13, h-detail). The count then takes this minute's
#: row as the statement found it, and the ids just read; a read that did add ids counted its
#: own row as it left it, so no read goes uncounted.
_TALLY_SQL = """
WITH gone AS (DELETE FROM core_readtally
               WHERE user_id = %(user)s::integer AND minute < %(first)s::bigint),
now_ AS (
    INSERT INTO core_readtally (user_id, minute, ids)
    VALUES (%(user)s::integer, %(minute)s::bigint, %(ids)s::jsonb)
    ON CONFLICT (user_id, minute) DO UPDATE SET ids = (
        SELECT jsonb_agg(DISTINCT x) FROM jsonb_array_elements(
            core_readtally.ids || EXCLUDED.ids) AS x)
     WHERE jsonb_array_length(core_readtally.ids) < %(cap)s::integer
       AND NOT core_readtally.ids @> EXCLUDED.ids
    RETURNING ids)
SELECT count(DISTINCT x) FROM (
    SELECT jsonb_array_elements_text(ids) AS x FROM core_readtally
     WHERE user_id = %(user)s::integer AND minute >= %(first)s::bigint
       AND (minute <> %(minute)s::bigint OR NOT EXISTS (SELECT FROM now_))
    UNION ALL SELECT jsonb_array_elements_text(ids) FROM now_
    UNION ALL SELECT jsonb_array_elements_text(%(ids)s::jsonb)) AS opened
"""


def _ids_of(entry: AuditEntry) -> list[str]:
    return sorted({str(i) for i in (entry.record_ids or ([entry.record_id] if entry.record_id
                                                         else []))})[:BUCKET_CAP]


def tally_statement(entry: AuditEntry) -> tuple[str, dict]:
    """PostgreSQL: the one statement ``tally`` runs, as SQL and parameters; its one row's
    column is the count. The audit writer sends it in the same round trip as the entry
    itself (``core.audit``)."""
    minute = _minute(entry.at)
    return (_TALLY_SQL,
            {"user": entry.actor_id, "minute": minute, "first": minute - _MINUTES,
             "cap": BUCKET_CAP, "ids": json.dumps(_ids_of(entry))})


def tally(entry: AuditEntry) -> int:
    """Adds the records a full read opened to its reader's tally of this minute, and answers
    how many distinct records the reader opened in the window (this minute and the
    ``minutes`` before it, so between ``minutes`` and ``minutes`` + 1 of them: never
    shorter than the rule's window). One statement on PostgreSQL, whatever the reader
    did before: the cost does not grow with how much they read."""
    ids = _ids_of(entry)
    minute = _minute(entry.at)
    first = minute - _MINUTES
    if connection.vendor == "postgresql":
        with audit.statement_cursor() as cursor:  # kept prepared, as the entry's INSERT
            cursor.execute(*tally_statement(entry))
            return cursor.fetchone()[0]
    with transaction.atomic(savepoint=False):  # SQLite: the same in three statements
        ReadTally.objects.filter(user_id=entry.actor_id, minute__lt=first).delete()
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO core_readtally (user_id, minute, ids) VALUES (%s, %s, %s)"
                           " ON CONFLICT (user_id, minute) DO NOTHING",
                           [entry.actor_id, minute, json.dumps(ids)])
        opened: set[str] = set()
        for pk, at, held in (ReadTally.objects.filter(user_id=entry.actor_id, minute__gte=first)
                             .values_list("pk", "minute", "ids")):
            opened.update(held)
            if at == minute and len(held) < BUCKET_CAP and not set(held).issuperset(ids):
                ReadTally.objects.filter(pk=pk).update(ids=sorted(set(held) | set(ids)))
        return len(opened | set(ids))


def alert_if_unusual(entry: AuditEntry, count: int) -> UnusualReadAlert | None:
    """Raises the alert when ``count`` (from ``tally``) crosses the line, once per window."""
    if count <= THRESHOLD:
        return None
    since = entry.at - WINDOW
    if UnusualReadAlert.objects.filter(user_id=entry.actor_id, at__gte=since).exists():
        return None  # one alert per window is enough to send someone to look
    with transaction.atomic():
        alert = UnusualReadAlert.objects.create(
            at=entry.at, organisation_id=entry.organisation_id, user_id=entry.actor_id,
            records=count, window_minutes=int(WINDOW.total_seconds() // 60), threshold=THRESHOLD)
        audit.record(Actor.system("system", organisation=alert.organisation), "create",
                     "unusual_read_alert", alert.pk,
                     note=f"{entry.actor_label} opened {count} full survivor records in "
                          f"{alert.window_minutes} minutes (threshold {THRESHOLD})")
    return alert


def check_after_read(entry: AuditEntry) -> UnusualReadAlert | None:
    """Counts a read entry already written (``audit`` tallies as it writes instead)."""
    if not is_full_read(entry):
        return None
    return alert_if_unusual(entry, tally(entry))


def alerts_for(organisation):
    return UnusualReadAlert.objects.filter(organisation=organisation).select_related("user")
