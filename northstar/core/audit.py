"""Writing the audit log. Actions and selectors call ``record`` (writes) and
``record_read`` (reads); handlers and views never write it themselves.

Both go through one writer, ``_write``, which links each entry into the hash
chain (``core/chain.py``) through its head (``AuditChainHead``, one row locked by
the writer until its transaction ends), so two writers can never fork it, and
stamps the organisation that owns the survivor named, so the owner's log shows
a referral recipient's reads too.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
from collections.abc import Iterable
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q

from northstar.core import chain
from northstar.core.actor import Actor
from northstar.core.keyset import Parts
from northstar.core.models import AuditChainHead, AuditEntry

#: The most ids one entry names. A read or batch of more is written as several entries of
#: at most this many ids each, one after the other in the chain, in one transaction
#: (``record_read``, ``record_many``): every record shown stays findable in the log.
MAX_IDS = 1000


def _in_parts(items: list) -> list[list]:
    """``items`` cut into runs of at most ``MAX_IDS``, in order (one empty run for none)."""
    return [items[i:i + MAX_IDS] for i in range(0, len(items), MAX_IDS)] or [items]


def _part_note(note: str, number: int, parts: int) -> str:
    """The note of one of several entries of one read: which part it is, within 300."""
    suffix = f" (part {number} of {parts})"
    return note[:300 - len(suffix)] + suffix


def _owner_of(survivor_ref: str):
    """Id of the organisation owning the survivor with this reference, or None.

    The core layer knows no survivor, so it asks the app registry rather than
    importing the survivors app (imports point down, never up).
    """
    if not survivor_ref:
        return None
    survivor = apps.get_model("survivors", "Survivor")
    return (survivor._base_manager.filter(reference=survivor_ref)
            .values_list("organisation_id", flat=True).first())


def _owners_of_items(items) -> dict | None:
    """Owning organisation id → the items it owns, for survivors and records hanging off one
    (``survivor_id``); None when the items say nothing about survivors."""
    if not items or not all(hasattr(i, "_meta") for i in items):
        return None
    survivor = apps.get_model("survivors", "Survivor")
    if all(isinstance(i, survivor) for i in items):
        owner = {i.pk: i.organisation_id for i in items}
        key = [i.pk for i in items]
    elif all(getattr(i, "survivor_id", None) for i in items):
        key = [i.survivor_id for i in items]
        owner = dict(survivor._base_manager.filter(pk__in=set(key))
                     .values_list("pk", "organisation_id"))
    else:
        return None
    groups: dict = {}
    for item, survivor_id in zip(items, key, strict=True):
        groups.setdefault(owner.get(survivor_id), []).append(item)
    return groups


def _append(actor: Actor, *, owner_organisation_id=None, **values) -> AuditEntry:
    """Write one entry as the next link of the chain."""
    entry = _new_entry(actor, owner_organisation_id, values)
    if _pending.get() and not connection.in_atomic_block:
        _flush_pending()  # reads of this page before it come first in the chain
    _write(entry)
    return entry


def _owner_for(actor: Actor, ref: str):
    """Id of the organisation owning the survivor ``ref``, as the entry is stamped with it."""
    own = actor.organisation
    # References are "<organisation code>-<six letters>" and codes are unique: a reference
    # with the actor's own code is the actor's organisation's survivor (no query needed).
    if ref and own is not None and ref.rpartition("-")[0] == own.code:
        return own.pk
    return _owner_of(ref)


def _new_entry(actor: Actor, owner_organisation_id, values: dict) -> AuditEntry:
    if owner_organisation_id is None:
        owner_organisation_id = _owner_for(actor, values.get("survivor_ref", ""))
    return AuditEntry(
        actor=actor.user, actor_label=actor.label, organisation=actor.organisation,
        channel=actor.channel, owner_organisation_id=owner_organisation_id, **values,
    )


def _write(entry: AuditEntry) -> None:
    """Link ``entry`` into the chain, through the head row (locked to the transaction's end)."""
    from northstar.core import unusual_reads  # it writes through this module too

    full_read = unusual_reads.is_full_read(entry)
    db = connections[DEFAULT_DB_ALIAS]  # once: each ``connection.…`` asks the proxy again
    if db.vendor == "postgresql" and not db.in_atomic_block and db.get_autocommit():
        # A read (or any entry) written on its own, outside an action's transaction.
        opened = _append_alone(entry, full_read=full_read)
        if opened is not None:
            unusual_reads.alert_if_unusual(entry, opened)
        return
    # No savepoint of its own inside an action's transaction: the entry stands or falls with it.
    with transaction.atomic(savepoint=False):
        if db.vendor == "postgresql":
            _insert_linked(entry)
        else:  # SQLite writers are serialised already; a trigger moves the head on
            head = AuditChainHead.objects.filter(pk=1).values_list("entry_hash", flat=True)
            entry.prev_hash = head.first() or chain.GENESIS
            entry.entry_hash = chain.link_hash(chain_values(entry), entry.prev_hash)
            entry.save()
        # The reader's tally after the entry: every transaction locks the chain's head
        # before any tally row, so two of them never wait for each other crosswise.
        opened = unusual_reads.tally(entry) if full_read else None
        if opened is not None:
            unusual_reads.alert_if_unusual(entry, opened)


#: The read entries of the page being shown, written together when it is done
#: (``reads_written_together``); None outside one.
_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "northstar_audit_pending_reads", default=None)


@contextmanager
def reads_written_together():
    """Every read audited inside is written when the block ends (even if it fails), as the
    same entries, in one transaction that takes the chain lock once: a page whose panels
    each audit their own read costs one commit, not one per panel. A read made inside a
    transaction (an action's) is written there and then, to stand or fall with it; a write
    entry first writes the reads pending before it, so the chain keeps their order."""
    if _pending.get() is not None:  # already inside one: the outer block writes them
        yield
        return
    token = _pending.set([])
    try:
        yield
    finally:
        try:
            _flush_pending()
        finally:
            _pending.reset(token)


def _flush_pending() -> None:
    pending = _pending.get()
    if not pending:
        return
    entries = list(pending)
    pending.clear()
    _write_together(entries)


def _write_together(entries: list[AuditEntry]) -> None:
    """``entries`` one after the other in the chain, in one transaction: on PostgreSQL
    outside any transaction in one round trip, else in the caller's transaction (or one
    of their own)."""
    if (connection.vendor == "postgresql" and not connection.in_atomic_block
            and connection.get_autocommit()):
        from northstar.core import unusual_reads

        together = [(entry, unusual_reads.is_full_read(entry)) for entry in entries]
        for entry, opened in zip(entries, _append_in_one_round_trip(together), strict=True):
            if opened is not None:
                unusual_reads.alert_if_unusual(entry, opened)
        return
    with transaction.atomic(savepoint=False):
        for entry in entries:
            _write(entry)


#: Stands for the previous entry's hash in an entry's canonical bytes (``chain.canonical``)
#: while the database fills it in; never a hash itself (not hexadecimal).
_PREV = "<prev-hash-filled-in-by-the-database>"

_COLUMNS = ("at", "actor_id", "actor_label", "organisation_id", "owner_organisation_id",
            "action", "channel", "record_type", "record_id", "record_ids", "survivor_ref",
            "fields", "note")
_JSON = {"record_ids", "fields"}

_INSERT_LINKED = """
WITH setting AS (
    SELECT set_config('synchronous_commit',
                      CASE WHEN %s::boolean THEN current_setting('synchronous_commit')
                           ELSE 'off' END, true) AS value),
link AS (
    INSERT INTO core_auditchainhead AS head (id, prev_hash, entry_hash)
    VALUES (1, %s::text, encode(sha256(%s::bytea || convert_to(%s::text, 'UTF8') || %s::bytea),
                                'hex'))
    ON CONFLICT (id) DO UPDATE SET
        prev_hash = head.entry_hash,
        entry_hash = encode(sha256(%s::bytea || convert_to(head.entry_hash, 'UTF8') || %s::bytea),
                            'hex')
    RETURNING prev_hash, entry_hash)
INSERT INTO core_auditentry (at, actor_id, actor_label, organisation_id, owner_organisation_id,
                             action, channel, record_type, record_id, record_ids, survivor_ref,
                             fields, note, prev_hash, entry_hash)
SELECT %s::timestamptz, %s::integer, %s::text, %s::integer, %s::integer, %s::text, %s::text,
       %s::text, %s::text, %s::jsonb, %s::text, %s::jsonb, %s::text, link.prev_hash,
       link.entry_hash
  FROM link, setting
RETURNING id, prev_hash, entry_hash
"""

#: ``prepare_threshold`` of a connection the audit writes on: psycopg prepares nothing by
#: count (Django leaves it off, for poolers), only the statements asked with ``prepare=True``.
_ONLY_WHEN_ASKED = 2**31


@functools.cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg import ClientCursor

    class Logged:
        """What Django's query log reads of a cursor (``_query.query``, when queries are
        logged: ``DEBUG``, tests): the statement with its values written in, as a client-side
        cursor sends it, so the log reads as before. Composed only if it is read."""

        __slots__ = ("_connection", "_params", "_sql")

        def __init__(self, connection, sql, params):
            self._connection, self._sql, self._params = connection, sql, params

        @property
        def query(self) -> bytes:
            return ClientCursor(self._connection).mogrify(self._sql, self._params).encode()

    class PreparedCursor(ServerBindingCursor):
        """Binds its parameters on the server and keeps every statement it runs prepared."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            result = super().execute(query, params, prepare=True, binary=binary)
            self._query = Logged(self.connection, query, params)  # a prepared one sets none
            return result

    return PreparedCursor


def statement_cursor():
    """PostgreSQL: the cursor for the audit's own statements (the linked INSERT, the reader's
    tally). Each is the same SQL on every entry, so it is kept prepared on the connection
    (psycopg, server-side binding) and planned once per connection instead of on every entry:
    planning was most of the PostgreSQL time of a read's entry (issue 13, ``bench/README.md``,
    branch h-auditread). It is still a Django cursor: logged, counted and wrapped like any
    other. Off with ``NORTHSTAR_AUDIT_PREPARED=0`` (a pooler that hands one client's
    prepared statements to another: PgBouncer before 1.21 in transaction mode)."""
    db = connections[DEFAULT_DB_ALIAS]  # the proxy ``connection`` looks it up on every use
    if not settings.NORTHSTAR_AUDIT_PREPARED:
        return db.cursor()
    db.ensure_connection()
    pg = db.connection
    if pg.prepare_threshold is None:
        pg.prepare_threshold = _ONLY_WHEN_ASKED
    return db._prepare_cursor(_prepared_cursor_class()(pg))


def _insert_linked(entry: AuditEntry) -> None:
    """PostgreSQL: the entry linked to its predecessor in one statement. It moves the chain's
    head on (SHA-256 over the same canonical bytes as ``chain.link_hash`` and the head's
    hash) and inserts the entry with the head's old and new hash. The head's row lock is
    held to the end of the transaction, so the next writer waits and then reads this
    entry's hash (``ON CONFLICT DO UPDATE`` always updates the newest committed version of
    the row). The entry's id is drawn after the lock, so ids follow the chain. An empty
    head table (a log never written) starts the chain at ``chain.GENESIS``."""
    sql, params = _insert_statement(entry, durable=True)  # the action's own commit
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        entry.pk, entry.prev_hash, entry.entry_hash = cursor.fetchone()
    entry._state.adding = False
    entry._state.db = "default"


def _insert_statement(entry: AuditEntry, *, durable: bool = True) -> tuple[str, list]:
    """The linked INSERT of ``entry`` (``_INSERT_LINKED``) and its parameters. Unless
    ``durable``, the statement also sets ``synchronous_commit`` off for the rest of its
    transaction (``set_config(…, true)``: as ``SET LOCAL``, without a statement of its own);
    durable, it leaves the setting as it is (an action's transaction, an export)."""
    values = chain_values(entry)
    # A value's own quotes are escaped in JSON, so this key-and-value occurs once, as the key.
    key = b',"prev_hash":"'
    head, tail = chain.canonical(values, _PREV).split(key + _PREV.encode() + b'"')
    head, tail = head + key, b'"' + tail
    params = [durable, chain.GENESIS, head, chain.GENESIS, tail, head, tail]
    for column in _COLUMNS:
        value = values[column]
        params.append(json.dumps(value) if column in _JSON else value)
    return _INSERT_LINKED, params


def durable_commit(entry: AuditEntry) -> bool:
    """Whether the transaction writing ``entry`` alone waits for its WAL flush.

    Every write entry does, and so does an export. A plain read entry, written in a
    transaction of its own, commits without waiting (``synchronous_commit = off`` for that
    transaction only) unless ``NORTHSTAR_AUDIT_READS_DURABLE`` is set: the flush was the
    longest wait of a detail read under load (issue 13). The entry is written, chained and
    visible at once either way; what a database or machine crash can lose is the reads of
    the last moment before it (at most ``3 × wal_writer_delay``, 0.6 s by default), never
    a write, and never a gap in the chain: WAL is flushed in order, so every entry after a
    lost one is lost too (``bench/README.md``, branch h-apicpu, weighs this)."""
    return entry.action != AuditEntry.Action.READ or settings.NORTHSTAR_AUDIT_READS_DURABLE


def _append_alone(entry: AuditEntry, *, full_read: bool) -> int | None:
    """PostgreSQL, outside any transaction: the entry in a transaction of its own, in one
    round trip (its linked INSERT alone in autocommit; for a full read BEGIN, the INSERT, the
    reader's tally and COMMIT in psycopg's pipeline mode). Returns the reader's count from
    ``unusual_reads.tally`` for a full read, else None."""
    return _append_in_one_round_trip([(entry, full_read)])[0]


def _append_in_one_round_trip(entries: list[tuple[AuditEntry, bool]]) -> list[int | None]:
    """PostgreSQL, outside any transaction: ``entries`` (each with whether it is a full
    read) in one transaction sent in one round trip. A page's reads written together
    (``reads_written_together``) were a round trip per statement: BEGIN, five INSERTs,
    COMMIT on the case page. The commit waits for its WAL flush when any entry asks for it
    (``durable_commit``), as one entry alone would. Returns each entry's reader's count
    (None unless a full read).

    An entry that is not a full read (a case detail) is its linked INSERT alone, in
    autocommit: its own transaction, one statement instead of BEGIN, SET LOCAL, INSERT and
    COMMIT (issue 13, h-detail: each statement is a cursor call through Django and psycopg,
    and the pipeline's enter and exit are not needed for one). Otherwise BEGIN, each INSERT
    and its reader's tally, COMMIT, in one pipeline; ``synchronous_commit`` is set by the
    INSERT itself, not by a SET LOCAL of its own. Not the pipeline's implicit transaction
    without BEGIN and COMMIT: the entry's deferred foreign keys are checked at commit, and
    an error at a pipeline's Sync leaves psycopg (3.3) unable to leave pipeline mode (the
    connection broken) or losing the error, where a failed COMMIT is an ordinary error."""
    durable = any(durable_commit(entry) for entry, _ in entries)
    statements = [(_insert_statement(entry, durable=durable), statement_cursor(),
                   (unusual_reads_tally(entry), statement_cursor()) if full_read else None)
                  for entry, full_read in entries]
    alone = len(statements) == 1
    try:
        if alone and statements[0][2] is None:
            (sql, params), insert_cursor, _ = statements[0]
            insert_cursor.execute(sql, params)  # autocommit: committed when answered
        else:
            db = connections[DEFAULT_DB_ALIAS]
            with db.connection.pipeline(), db.cursor() as cursor:
                cursor.execute("BEGIN")
                for (sql, params), insert_cursor, tally in statements:
                    insert_cursor.execute(sql, params)
                    if tally is not None:  # after the head's lock, as in ``_write``
                        tally[1].execute(*tally[0])
                cursor.execute("COMMIT")
        opened = []
        for entry, (_statement, insert_cursor, tally) in zip(
                (entry for entry, _ in entries), statements, strict=True):
            entry.pk, entry.prev_hash, entry.entry_hash = insert_cursor.fetchone()
            opened.append(tally[1].fetchone()[0] if tally is not None else None)
    except BaseException:
        # A statement failed: the server skipped the rest, COMMIT included, and its
        # transaction stays open (aborted) until it is told to roll back (an INSERT alone in
        # autocommit has none left open).
        _roll_back_alone()
        raise
    finally:
        for _statement, insert_cursor, tally in statements:
            insert_cursor.close()
            if tally is not None:
                tally[1].close()
    for entry, _ in entries:
        entry._state.adding = False
        entry._state.db = "default"
    return opened


def _roll_back_alone() -> None:
    from psycopg.pq import TransactionStatus

    with contextlib.suppress(Exception):
        if connection.connection.info.transaction_status == TransactionStatus.IDLE:
            return  # nothing left open (an INSERT alone in autocommit)
    # A connection that cannot even roll back is broken: Django discards it after the request.
    with contextlib.suppress(Exception), connection.cursor() as cursor:
        cursor.execute("ROLLBACK")


def unusual_reads_tally(entry: AuditEntry) -> tuple[str, dict]:
    from northstar.core import unusual_reads

    return unusual_reads.tally_statement(entry)


def chain_values(entry: AuditEntry) -> dict:
    return {name: getattr(entry, name) for name in chain.CHAINED_FIELDS}


def record(
    actor: Actor,
    action: str,
    record_type: str,
    record_id: object = "",
    *,
    survivor_ref: str = "",
    fields: Iterable[str] = (),
    note: str = "",
) -> AuditEntry:
    rid = str(record_id) if record_id not in (None, "") else ""
    return _append(
        actor,
        action=action,
        record_type=record_type,
        record_id=rid if len(rid) <= 64 else "",
        record_ids=[rid] if rid else [],
        survivor_ref=survivor_ref,
        fields=sorted(set(fields)),
        note=note[:300],
    )


def record_many(actor: Actor, action: str, record_type: str, record_ids: Iterable, *,
                fields: Iterable[str] = (), note: str = "") -> AuditEntry | None:
    """One entry for a batch of writes (a bulk import), naming every id; a batch of more
    than ``MAX_IDS`` is several entries of ``MAX_IDS`` ids, in one transaction. Returns the
    first."""
    ids = [str(i) for i in record_ids]
    if not ids:
        return None
    fields = sorted(set(fields))
    parts = _in_parts(ids)
    if len(parts) == 1:
        return _append(actor, action=action, record_type=record_type,
                       record_id=ids[0] if len(ids) == 1 else "", record_ids=ids,
                       survivor_ref="", fields=fields, note=note[:300])
    if _pending.get() and not connection.in_atomic_block:
        _flush_pending()  # reads of this page before it come first in the chain
    with transaction.atomic(savepoint=False):
        entries = [_append(actor, action=action, record_type=record_type, record_id="",
                           record_ids=part, survivor_ref="", fields=fields,
                           note=_part_note(note or f"{len(ids)} records", number, len(parts)))
                   for number, part in enumerate(parts, 1)]
    return entries[0]


def _id_of(item) -> str:
    return str(getattr(item, "pk", item))


def record_read(
    actor: Actor,
    records,
    *,
    record_type: str | None = None,
    survivor_ref: str = "",
    fields: Iterable[str] = (),
    note: str = "",
    export: bool = False,
    owners: Iterable | None = None,
) -> AuditEntry | None:
    """The one way to audit a read: one record, or every record of a list shown.

    ``records`` is a model instance, an id, or an iterable of either. Ids are
    stored whole in ``record_ids`` (never cut mid-number), every one of them: a
    list of more than ``MAX_IDS`` is written as several entries of at most
    ``MAX_IDS`` ids ("part 2 of 7" in the note), one after the other in the chain
    and in one transaction. An empty list writes nothing. ``record_type`` defaults
    to the model's name. A read of figures with no record behind them passes
    ``records=()`` with ``note`` and ``record_type`` and is still written
    (``record_ids`` empty).

    Survivors, and records that hang off one, are stamped with the organisation
    that owns the survivor; a list mixing several owners (a referral recipient's
    caseload) is written as one entry per owner, so each owner's log names
    exactly its own records. ``owners``, when the list already read them (a list
    selected with its survivor's organisation), gives each item's owning organisation id,
    in the order of ``records``, and spares the query that looks them up. Returns the
    (first) entry written; inside
    ``reads_written_together`` (outside a transaction) the entry is written when that block
    ends, so the one returned has no id yet.
    """
    if records is None or isinstance(records, str | int) or hasattr(records, "_meta"):
        items = [] if records is None else [records]
    else:
        items = list(records)
    if record_type is None:
        if not items or not hasattr(items[0], "_meta"):
            raise ValueError("record_read needs record_type for ids or an empty list")
        record_type = items[0]._meta.model_name
    fields = sorted(set(fields))  # once: a generator would be empty for a second owner
    if not items and not note:
        return None
    if survivor_ref:
        groups = None
    elif owners is not None:
        groups = {}
        for item, owner in zip(items, owners, strict=False):
            groups.setdefault(owner, []).append(item)
    else:
        groups = _owners_of_items(items)
    if not groups or len(groups) == 1:
        owner = next(iter(groups)) if groups else None
        if owner is None and survivor_ref and len(items) > MAX_IDS:
            owner = _owner_for(actor, survivor_ref)  # once, not once per part
        shares = [(owner, items, note)]
    else:
        # Records of several organisations' survivors (a referral recipient's list): one
        # entry per owning organisation, so each owner's log names exactly its own records.
        survivor_ref = ""
        shares = [(owner, group, note or f"listed {len(group)} of {len(items)}")
                  for owner, group in groups.items()]
    values = []
    for owner, share, share_note in shares:
        parts = _in_parts(share)
        for number, part in enumerate(parts, 1):
            part_note = share_note or (f"listed {len(share)}" if len(share) > 1 else "")
            if len(parts) > 1:
                part_note = _part_note(part_note, number, len(parts))
            values.append((owner, _read_values(part, record_type=record_type, export=export,
                                               survivor_ref=survivor_ref, fields=fields,
                                               note=part_note)))
    if len(values) == 1:
        return _read_entry(actor, *values[0])
    # One read shown as several entries: written together, one after the other in the chain.
    entries = [_new_entry(actor, owner, value) for owner, value in values]
    pending = _pending.get()
    if pending is not None and not connection.in_atomic_block:
        pending.extend(entries)
    else:
        _write_together(entries)
    return entries[0]


def _read_values(items, *, record_type, export, survivor_ref, fields, note) -> dict:
    ids = [_id_of(i) for i in items]
    single = ids[0] if len(ids) == 1 else ""
    return dict(
        action="export" if export else "read",
        record_type=record_type,
        record_id=single if len(single) <= 64 else "",
        record_ids=ids,
        survivor_ref=survivor_ref,
        fields=sorted(set(fields)),
        note=note[:300],
    )


def _read_entry(actor, owner, values: dict) -> AuditEntry:
    pending = _pending.get()
    if pending is not None and not connection.in_atomic_block:
        entry = _new_entry(actor, owner, values)  # stamped now: when the read happened
        pending.append(entry)
        return entry
    return _append(actor, owner_organisation_id=owner, **values)


def entries_for_organisation(organisation):
    """The entries an organisation's supervisors see: made by it, or about its survivors."""
    return (AuditEntry.objects
            .filter(Q(organisation=organisation) | Q(owner_organisation=organisation))
            .select_related("actor", "organisation"))


#: What an organisation made about another's survivors, or about no survivor (no owner):
#: the part of its log it does not own (``log_parts``; the index ``audit_org_others_at``).
NOT_ITS_OWN = ~Q(owner_organisation=F("organisation"))


def log_parts(organisation, named: Q | None = None):
    """``entries_for_organisation`` (filtered by ``named``) as two parts that share no
    entry, each read newest first through an index of its own, as ``keyset.page_of_parts``
    pages them: the entries about its survivors (``audit_owner_org_at``) and the entries it
    made about others' or none (``audit_org_others_at``, partial: few). Their OR was read
    as a bitmap of the whole log and sorted: 2.3 s for a first page at 2.1 M entries."""
    base = AuditEntry.objects.select_related("actor", "organisation")
    if named is not None:
        base = base.filter(named)
    parts = Parts((base.filter(owner_organisation=organisation),
                   base.filter(NOT_ITS_OWN, organisation=organisation)))
    # PostgreSQL cannot estimate NOT_ITS_OWN (two columns compared): it took it for most of
    # the log and counted the second part by reading the table (1.4 s at 2.1 M entries).
    parts.counted_in_order = frozenset({1})
    return parts


#: The record type whose ``record_ids`` are survivors' ids (a list of survivors read).
SURVIVOR = "survivor"


def naming_records(reference: str, records: dict[str, list[str]] | None = None) -> Q:
    """The entries that name one survivor: those carrying their reference (a read or change
    of one of their records) and, with ``records`` (record type → ids: the survivor's own
    id under ``"survivor"``, their cases under ``"case"``, claims, tasks…, as
    ``policy.audit_records_of`` finds them), every entry whose ids include one of those
    records of that type: the list reads (a page of survivors, of cases, of claims…),
    written as one entry naming every id and no reference. On PostgreSQL each part is an
    index read: ``audit_survivor_at`` and the GIN index ``audit_records_named`` (0016)."""
    named = Q(survivor_ref=reference)
    for record_type, ids in sorted((records or {}).items()):
        if ids:
            named |= Q(record_type=record_type, record_ids__names_any=sorted(ids))
    return named


def naming_survivor(reference: str, survivor_id: int | None = None) -> Q:
    """``naming_records`` with the survivor's own id only (lists of survivors)."""
    return naming_records(reference, {SURVIVOR: [str(survivor_id)]} if survivor_id else None)


def naming_record(record_type: str, record_id: str) -> Q:
    """The entries that name one record by its type and id: its single reads and changes,
    and every list that showed it (``audit_records_named``)."""
    return Q(record_type=record_type, record_ids__names=str(record_id))


def names_survivors(entry) -> bool:
    """Whether ``entry``'s ids are survivors' ids."""
    return entry.record_type == SURVIVOR


def records_named(entries: list, limit: int | None, references) -> None:
    """Give each entry what its records are shown as: ``record_count`` (how many ids it
    names); for a list of survivors ``references`` (id → reference, as ``references(ids)``
    answers: those the reader may see), ``named`` (those references in order) and
    ``unnamed`` (how many others), for other records ``ids``;
    all of the first ``limit`` ids (every one with None), ``more`` the rest; ``listed``
    whether there is a list to show (several ids, or a survivor named by id alone).
    ``references`` is asked once for the whole list of entries."""
    survivors = []
    for entry in entries:
        ids = entry.record_ids if isinstance(entry.record_ids, list) else []
        entry.record_count = len(ids)
        entry.shown_ids = [str(i) for i in (ids if limit is None else ids[:limit])]
        entry.more = len(ids) - len(entry.shown_ids)
        entry.listed = len(ids) > 1 or bool(ids and names_survivors(entry)
                                             and not entry.survivor_ref)
        if names_survivors(entry):
            survivors.extend(entry.shown_ids)
    found = references(survivors) if survivors else {}
    for entry in entries:
        if names_survivors(entry):
            entry.references = {i: found[i] for i in entry.shown_ids if i in found}
            entry.named = list(entry.references.values())
            entry.unnamed = len(entry.shown_ids) - len(entry.named)
            entry.ids = []
        else:
            entry.references, entry.named, entry.unnamed = {}, [], 0
            entry.ids = entry.shown_ids


def verify_chain(*, using: str = "default", after_id: int = 0, prev_hash: str | None = None):
    """First broken link as ``(id, reason)``, or None when the whole chain holds.

    ``after_id``/``prev_hash`` resume from a checkpoint: the id and hash of the
    last entry already verified; that entry must still be there, unchanged, so
    deleting everything since the last run is found too. Rows are streamed, so a
    long log fits in memory. The chain's head (``AuditChainHead``, read before the
    walk) must be one of the hashes walked through, so removing the newest entries
    is found too.
    """
    if after_id and not AuditEntry.objects.using(using).filter(
            pk=after_id, entry_hash=prev_hash).exists():
        return after_id, "the checkpoint entry is gone or changed"
    start = chain.GENESIS if prev_hash is None else prev_hash
    head = (AuditChainHead.objects.using(using).filter(pk=1)
            .values_list("entry_hash", flat=True).first())
    rows = (AuditEntry.objects.using(using).filter(id__gt=after_id).order_by("id")
            .values("id", "prev_hash", "entry_hash", *chain.CHAINED_FIELDS)
            .iterator(chunk_size=2000))
    walked = {"id": after_id, "head seen": head in (None, start)}

    def noting_the_head(rows):
        for row in rows:
            walked["id"] = row["id"]
            walked["head seen"] = walked["head seen"] or row["entry_hash"] == head
            yield row
    broken = chain.first_broken_link(noting_the_head(rows), start)
    if broken is None and not walked["head seen"]:
        return walked["id"], ("the chain's head names a later entry that is not in the log "
                              "(the newest entries were removed)")
    return broken
