"""Bulk import of survivors from CSV: every row checked, then all written or none.

Rows go through the same checks as every other channel (``validation.clean_survivor``);
a failing row is reported as "Row 7, column date_of_birth: must be a date as YYYY-MM-DD"
and nothing is kept (one transaction). The personal fields are sealed like any other
write, the duplicate key and the name search index are computed for each record, and the
audit log gets one entry per batch naming the ids created.

``import_rows`` also writes one case per survivor when given ``cases`` (the HTCDS import,
``insights/htcds/importing.py``, which turns its rows into these columns and checks each
with ``check_row``).

Speed: per chunk of ``CHUNK`` rows, survivors and their search tokens (about seventeen
per person) go in by COPY on PostgreSQL (``executemany`` elsewhere), never as model
objects; a helper thread checks, seals, hashes and formats the next chunk while the
database writes the current one (``_prepare``; see ``bench/import_rate.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from operator import itemgetter
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from northstar.core import audit, jobs
from northstar.core.actor import Actor
from northstar.core.crypto import duplicate_key, keyring
from northstar.core.errors import DomainError
from northstar.core.keys import ensure_writable
from northstar.core.models import Organisation
from northstar.survivors import search
from northstar.survivors.actions import _CODE_ALPHABET, _check_child_advocacy
from northstar.survivors.models import AdvocacyVisibility, Case, NameToken, Survivor
from northstar.survivors.validation import clean_survivor

#: Columns a file may have; unknown columns are an error (a typo would silently drop data).
COLUMNS = ("given_name", "family_name", "aliases", "date_of_birth", "birth_year", "phone",
           "address", "id_document_numbers", "contact_notes", "sex", "gender", "nationality",
           "languages", "preferred_language", "interpreter_needed", "advocacy_visibility",
           "family_involved")
BATCH = 1000
#: At most this many row errors are listed; the file is refused whatever the count.
MAX_ERRORS = 50
MAX_ROWS = 1_000_000
TRUE, FALSE = {"yes", "true", "1", "y"}, {"no", "false", "0", "n", ""}
#: What the child advocacy rule (as on every other channel) reads of a row.
AGE_AND_ADVOCACY = ("advocacy_visibility", "date_of_birth", "birth_year")
TOKEN_COLUMNS = ("survivor_id", "organisation_id", "kind", "weight", "digest", "key_id")


class ImportRefused(DomainError):
    """The file, refused whole; ``errors`` lists each problem as a sentence."""

    status = 422

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5
                                         else "")
        super().__init__(f"Nothing was imported. {shown}", "file")


def _row_values(raw: dict) -> dict:
    """A CSV row as the values ``clean_survivor`` takes (text to list, bool and int)."""
    values = {}
    for key, value in raw.items():
        value = (value or "").strip()
        if key == "languages":
            values[key] = [v for v in value.replace(",", ";").replace(" ", ";").split(";") if v]
        elif key == "interpreter_needed":
            if value.lower() not in TRUE | FALSE:
                raise DomainError("must be yes or no", key)
            values[key] = value.lower() in TRUE
        elif key == "birth_year":
            if value and not value.isdigit():
                raise DomainError("must be a whole number", key)
            values[key] = int(value) if value else None
        elif value or key in ("given_name", "family_name"):
            values[key] = value
        elif key in ("sex", "gender", "family_involved", "advocacy_visibility",
                     "preferred_language"):
            continue  # empty: the model's default ("unknown", "none", "en")
        else:
            values[key] = value
    return values


def check_row(raw: dict, *, today: dt.date | None = None) -> dict:
    """One row (text cells keyed by ``COLUMNS``) checked as on every other channel: the
    values to write, or ``DomainError`` naming the column. Other importers (the HTCDS
    import) turn their rows into these columns and call this. ``today`` (default: the
    local date) lets a file's rows be checked against one date."""
    values = clean_survivor(_row_values(raw), today=today)
    if not (values.get("given_name") or values.get("family_name") or values.get("phone")):
        raise DomainError("a record needs a name or a phone number", "given_name")
    if values.get("date_of_birth") and not values.get("birth_year"):
        values["birth_year"] = int(values["date_of_birth"][:4])
    if values.get("advocacy_visibility") == AdvocacyVisibility.PUBLIC:  # all the rule reads
        _check_child_advocacy(Survivor(**{k: values[k] for k in AGE_AND_ADVOCACY
                                          if values.get(k)}), today)
    return values


def _reader(text: str) -> csv.DictReader:
    """A reader over the file's rows once its header is known good (else ``ImportRefused``)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in COLUMNS]
    if not header:
        raise ImportRefused(["The file is empty: the first line must name the columns."])
    if unknown:
        raise ImportRefused([f"Column “{c}” is not one Northstar knows; the columns are: "
                             f"{', '.join(COLUMNS)}." for c in unknown])
    if "given_name" not in header and "phone" not in header:
        raise ImportRefused(["The file needs a given_name column (or at least a phone column)."])
    return reader


def read_rows(text: str, *, today: dt.date | None = None) -> list[dict]:
    """Every row checked; ``ImportRefused`` naming each row and column that is wrong."""
    reader = _reader(text)
    rows, errors = [], []
    today = today or timezone.localdate()
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            errors.append(f"Row {number} has more values than the header has columns.")
            continue
        try:
            values = check_row(raw, today=today)
        except DomainError as exc:
            errors.append(f"Row {number}, column {exc.field or '?'}: {exc.message}.")
        else:
            rows.append(values)
        if len(errors) >= MAX_ERRORS:
            errors.append(f"Stopped checking at row {number}: fix these first.")
            break
        if len(rows) > MAX_ROWS:
            errors.append(f"The file has more than {MAX_ROWS:,} rows: split it.")
            break
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused(["The file has a header but no rows."])
    return rows


#: Survivors written per round trip (their index tokens are sorted per round, which halves
#: what PostgreSQL spends inserting them into the search index).
CHUNK = 5000
#: Byte -> letter of a reference code (``bytes.translate``), when the alphabet's size
#: divides 256 so that every letter is equally likely.
_RANDOM_LETTERS = ("".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in range(256)).encode()
                   if 256 % len(_CODE_ALPHABET) == 0 else None)


def _references(organisation: Organisation, n: int, taken: set[str]) -> list[str]:
    """``n`` new random reference codes, none already used (one query per call). Each letter
    is one random byte mapped onto the alphabet (32 letters: every letter equally likely)."""
    out: dict[str, None] = {}
    prefix = f"{organisation.code}-"
    while len(out) < n:
        want = n - len(out)
        if _RANDOM_LETTERS is not None:
            letters = os.urandom(6 * want).translate(_RANDOM_LETTERS).decode()
            fresh = {prefix + letters[i:i + 6] for i in range(0, 6 * want, 6)}
        else:  # pragma: no cover - an alphabet whose size does not divide 256
            import secrets
            fresh = {prefix + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
                     for _ in range(want)}
        fresh -= taken
        fresh = {r for r in fresh if r not in out}
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT reference FROM {Survivor._meta.db_table} "  # noqa: S608
                               "WHERE reference = ANY(%s)", [list(fresh)])
                fresh -= {row[0] for row in cursor.fetchall()}
            else:  # one parameter however many codes (SQLite limits a statement's parameters)
                cursor.execute(f"SELECT reference FROM {Survivor._meta.db_table} "  # noqa: S608
                               "WHERE reference IN (SELECT value FROM json_each(%s))",
                               [json.dumps(list(fresh))])
                fresh -= {row[0] for row in cursor.fetchall()}
        out.update(dict.fromkeys(fresh))
    return list(out)


def _log(sql: str, started: float) -> None:
    """A COPY in the connection's query log, as Django logs its own statements (so a
    query count in a test or in debug mode sees it)."""
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _insert(model, columns: tuple[str, ...], rows: list[tuple] | bytes) -> None:
    """Insert ``rows`` (values in ``columns`` order, or COPY text already formatted by
    ``_copy_text``): COPY on PostgreSQL, one ``executemany`` elsewhere. No model objects:
    building them would cost more than the encryption, and the database more than both."""
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    started = time.monotonic()
    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            if isinstance(rows, bytes | bytearray | str):
                copy.write(rows)
                count = rows.count(b"\n" if not isinstance(rows, str) else "\n")
            else:
                for row in rows:
                    copy.write_row(row)
                count = len(rows)
        _log(f"{sql} -- {count} rows", started)
    else:
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                               rows)


def _copy_formatter():
    """A factory of psycopg's own COPY text formatter for this connection (the exact
    text ``copy.write_row`` would send), so that rows can be formatted off the database
    thread; None when this psycopg does not offer it (rows are then written one by one)."""
    try:
        from psycopg._copy_base import TextFormatter
        from psycopg.adapt import Transformer
    except ImportError:  # pragma: no cover - another psycopg layout
        return None
    connection.ensure_connection()
    raw = connection.connection
    return lambda: TextFormatter(Transformer(raw))


def _copy_text(formatter, rows: list[tuple]) -> bytes:
    """``rows`` as one block of COPY text, formatted by psycopg as ``write_row`` would."""
    parts = [formatter.write_row(row) for row in rows]
    parts.append(formatter.end())
    return b"".join(parts)


def _token_text(rows: list[tuple]) -> str | None:
    """The name-index tokens as one block of COPY text built in one go (a few hundred
    thousand small rows: formatting them one by one costs more than the hashing that made
    them). Their values need no escaping: ids, a kind, a weight, a hex digest and a key id
    (checked: None when the key id would need it)."""
    if rows and any(c in rows[0][5] for c in "\t\n\r\\"):
        return None
    return "".join([f"{s}\t{o}\t{k}\t{w}\t{d}\t{i}\n" for s, o, k, w, d, i in rows])


def _new_ids(n: int) -> list[int]:
    """``n`` ids from the survivors' sequence (PostgreSQL), so rows can be COPYed with them."""
    table = Survivor._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [table, n])
        return [row[0] for row in cursor.fetchall()]


def _sqlite_ids(references: list[str]) -> list[int]:
    """The ids SQLite gave the rows just inserted, in order: the table's ids are
    AUTOINCREMENT and this transaction holds the write lock, so they are the ``n`` ids
    ending at ``last_insert_rowid()``; checked by the first and last reference (else looked
    up by reference)."""
    table = Survivor._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_insert_rowid()")
        last = cursor.fetchone()[0]
        first = last - len(references) + 1
        cursor.execute(f"SELECT id, reference FROM {table} WHERE id IN (%s, %s)",  # noqa: S608
                       [first, last])
        ends = dict(cursor.fetchall())
    if ends.get(first) == references[0] and ends.get(last) == references[-1]:
        return list(range(first, last + 1))
    with connection.cursor() as cursor:  # pragma: no cover - ids not consecutive
        cursor.execute(f"SELECT reference, id FROM {table} "  # noqa: S608
                       "WHERE reference IN (SELECT value FROM json_each(%s))",
                       [json.dumps(references)])
        found = dict(cursor.fetchall())
    return [found[r] for r in references]


class _SurvivorTable:
    """How a checked row becomes a row of the survivors' table: every concrete column,
    personal fields sealed column by column (one cipher object per field and chunk)."""

    def __init__(self, organisation: Organisation, user_id, now, ring) -> None:
        fields = [f for f in Survivor._meta.concrete_fields if not f.primary_key]
        self.ring = ring
        self.contexts = {f: Survivor._meta.get_field(f).context for f in Survivor.PERSONAL_FIELDS}
        self.postgresql = connection.vendor == "postgresql"
        when = now if self.postgresql else connection.ops.adapt_datetimefield_value(now)
        self.fixed = {"organisation_id": organisation.pk, "created_by_id": user_id,
                      "created_at": when, "updated_at": when}
        self.json = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        self.defaults = {f.attname: json.dumps(f.get_default()) if f.attname in self.json
                         else f.get_default() for f in fields}
        self.names = tuple(f.attname for f in fields)
        self.columns = tuple(f.column for f in fields)
        self.known = set(self.names)

    def rows(self, chunk: list[dict], references: list[str]) -> list[tuple]:
        n = len(chunk)
        unknown = set().union(*chunk) - self.known
        if unknown:
            raise ValueError(f"not columns of a survivor: {sorted(unknown)}")
        columns: dict[str, list] = {"reference": references}
        for name, context in self.contexts.items():
            present = [i for i, values in enumerate(chunk) if values.get(name)]
            sealed = [""] * n
            for i, token in zip(present, self.ring.seal_many([chunk[i][name] for i in present],
                                                             context), strict=True):
                sealed[i] = token
            columns[name] = sealed
        columns["duplicate_key"] = [
            duplicate_key(f"{v.get('given_name', '')} {v.get('family_name', '')}",
                          v.get("date_of_birth", "")) for v in chunk]
        for name in self.names:
            if name in columns:
                continue
            if name in self.fixed:
                columns[name] = [self.fixed[name]] * n
            elif name in self.json:
                default = self.defaults[name]
                columns[name] = [json.dumps(v[name]) if name in v else default for v in chunk]
            else:
                default = self.defaults[name]
                columns[name] = [v.get(name, default) for v in chunk]
        return list(zip(*(columns[name] for name in self.names), strict=True))


def _write_cases(actor: Actor, organisation: Organisation, survivor_ids: list[int],
                 references: list[str], cases: list[dict | None], now) -> list[int]:
    """One case (checked values, ``survivors.validation.clean_case``) per survivor that has
    one, referenced ``<survivor>-C1`` as ``actions.create_case`` would; the summary is
    sealed by its field on save. One audit entry per ``BATCH`` cases."""
    user_id = getattr(actor.user, "pk", None)
    made = Case.objects.bulk_create([
        Case(survivor_id=pk, organisation_id=organisation.pk, reference=f"{ref}-C1",
             created_by_id=user_id, created_at=now, updated_at=now, survivor_created_at=now,
             **{"jurisdiction": organisation.jurisdiction, **values})
        for pk, ref, values in zip(survivor_ids, references, cases, strict=True)
        if values is not None], batch_size=BATCH)
    ids = [c.pk for c in made]
    for i in range(0, len(ids), BATCH):
        Survivor.objects.filter(pk__in=[c.survivor_id for c in made[i:i + BATCH]]).update(
            has_cases=True)
        audit.record_many(actor, "create", "case", ids[i:i + BATCH],
                          note=f"bulk import: {len(ids[i:i + BATCH])} cases")
    return ids


class _Prepared(NamedTuple):
    """One chunk made ready off the database thread: its survivors' table rows (COPY text
    on PostgreSQL, tuples elsewhere) and its name-index tokens sorted by digest (COPY text
    on PostgreSQL when the ids were known; else tuples whose first value is the row's
    place in the chunk, given its id once the rows are inserted)."""

    survivors: bytes | list[tuple]
    tokens: str | list[tuple]


class _RowRefused(Exception):
    """A row of a chunk checked in the helper thread failed its checks (``import_csv``
    then reports every problem of the file as ``read_rows`` does)."""

    def __init__(self, number: int, problem: str):
        self.number, self.problem = number, problem
        super().__init__(f"Row {number}, {problem}.")


def _checked(chunk: list[dict], first_line: int, today: dt.date) -> list[dict]:
    """``check_row`` of each raw CSV row of a chunk; ``_RowRefused`` at the first problem."""
    out = []
    for number, raw in enumerate(chunk, start=first_line):
        if None in raw:
            raise _RowRefused(number, "more values than the header has columns")
        try:
            out.append(check_row(raw, today=today))
        except DomainError as exc:
            raise _RowRefused(number, f"column {exc.field or '?'}: {exc.message}") from None
    return out


def _prepare(table: _SurvivorTable, chunk: list[dict], references: list[str],
             ids: list[int] | None, organisation_id: int, key: tuple[str, bytes],
             digests: dict, formatter, check: tuple[int, dt.date] | None = None) -> _Prepared:
    """The client's share of a chunk, which needs no database: the row checks (``check``:
    the chunk's first CSV line and the file's date, when its rows are raw CSV rows),
    sealing, the duplicate key, the name tokens, sorting and formatting them. Runs in the
    import's helper thread while the database writes the previous chunk (``import_rows``)."""
    if check is not None:
        chunk = _checked(chunk, *check)
    rows = table.rows(chunk, references)
    tokens = []
    for pk, values in zip(ids if ids is not None else range(len(chunk)), chunk, strict=True):
        tokens.extend(search.token_rows(pk, organisation_id, values, key, digests))
    # One organisation: in digest order, the search index takes them leaf by leaf.
    tokens.sort(key=itemgetter(4))
    if ids is None:
        return _Prepared(rows, tokens)
    rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
    text = _token_text(tokens)
    return _Prepared(rows if formatter is None else _copy_text(formatter(), rows),
                     tokens if text is None else text)


def import_rows(actor: Actor, organisation: Organisation, rows: list[dict], *,
                progress: Callable[[int, int], None] | None = None,
                cases: list[dict | None] | None = None,
                _check_on: dt.date | None = None) -> list[int]:
    """Write checked ``rows`` as survivors of ``organisation``, all or none. Returns the ids.

    Set-based: per ``CHUNK`` rows one query for fresh reference codes, one for ids
    (PostgreSQL), one COPY (PostgreSQL; ``executemany`` elsewhere) of survivors and one of
    their name-index tokens, and one audit entry per ``BATCH`` survivors naming each id.

    Two sides at once: the database writes one chunk while a helper thread seals, hashes
    and formats the next (``_prepare``: pure computation, never the database; it runs
    while this thread waits on the database, which holds no lock Python needs). The
    writes, the transaction and the audit stay on this thread, in chunk order.

    ``cases``, when given, is aligned with ``rows``: each survivor's one case as checked
    case values (or None for none), written in the same transaction. (``_check_on``:
    ``rows`` are raw CSV rows, checked in the helper thread against that date; a refused
    row raises ``_RowRefused``, and the transaction takes back every chunk written.)"""
    if cases is not None and len(cases) != len(rows):
        raise ValueError("cases must be aligned with rows")
    key = search.index_key()
    ring = ensure_writable()  # proven this database's key ring before anything is sealed
    created: list[int] = []
    now = timezone.now()
    digests: dict = {}
    starts = range(0, len(rows), CHUNK)
    with transaction.atomic():
        table = _SurvivorTable(organisation, getattr(actor.user, "pk", None), now, ring)
        formatter = _copy_formatter() if table.postgresql else None
        taken: set[str] = set()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="northstar-import")

        def submit(start: int) -> tuple[list[str], list[int] | None, Future]:
            """Draw the chunk's references (and ids) here, prepare it in the helper."""
            chunk = rows[start:start + CHUNK]
            refs = _references(organisation, len(chunk), taken)
            taken.update(refs)
            ids = _new_ids(len(chunk)) if table.postgresql else None
            check = None if _check_on is None else (start + 2, _check_on)
            return refs, ids, pool.submit(_prepare, table, chunk, refs, ids, organisation.pk,
                                          key, digests, formatter, check)

        try:
            following = submit(0) if rows else None
            for number, start in enumerate(starts):
                refs, ids, ready = following
                if number + 1 < len(starts):  # the next chunk is prepared while this one is written
                    following = submit(starts[number + 1])
                prepared = ready.result()
                ids = _write_prepared(table, prepared, refs, ids)
                for first in range(0, len(ids), BATCH):
                    batch = ids[first:first + BATCH]
                    row = start + first + 2  # the CSV's line numbers (line 1 is the header)
                    audit.record_many(actor, "create", "survivor", batch,
                                      note=f"bulk import: {len(batch)} survivors "
                                           f"(rows {row}–{row + len(batch) - 1})")
                if cases is not None:
                    _write_cases(actor, organisation, ids, refs, cases[start:start + CHUNK], now)
                created.extend(ids)
                if progress:
                    progress(len(created), len(rows))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return created


def _write_prepared(table: _SurvivorTable, prepared: _Prepared, refs: list[str],
                    ids: list[int] | None) -> list[int]:
    """Insert one prepared chunk (survivors, then their tokens); the survivors' ids."""
    if ids is not None:  # PostgreSQL: the ids were drawn from the sequence beforehand
        _insert(Survivor, ("id", *table.columns), prepared.survivors)
        tokens = prepared.tokens
        _insert(NameToken, TOKEN_COLUMNS, tokens.encode() if isinstance(tokens, str) else tokens)
        return ids
    _insert(Survivor, table.columns, prepared.survivors)
    ids = _sqlite_ids(refs)
    _insert(NameToken, TOKEN_COLUMNS, [(ids[t[0]], *t[1:]) for t in prepared.tokens])
    return ids


def import_csv(actor: Actor, organisation: Organisation, text: str, *,
               progress: Callable[[int, int], None] | None = None) -> list[int]:
    """Import a CSV file, all or none (``ImportRefused`` naming each row and column wrong).

    The rows are checked chunk by chunk in the helper thread, as each chunk is prepared,
    so that the checks too run while the database writes; a refused row stops the writing,
    the transaction takes back what was written, and the file's problems are then listed
    exactly as ``read_rows`` lists them (it reads the file again: a refused file costs
    twice its checks, a good one once)."""
    today = timezone.localdate()
    raw = list(_reader(text))
    if len(raw) > MAX_ROWS or not raw:
        read_rows(text, today=today)  # refuses it, with the message of its own
    try:
        return import_rows(actor, organisation, raw, progress=progress, _check_on=today)
    except _RowRefused as refused:
        read_rows(text, today=today)  # every problem of the file, as a checked read names them
        raise ImportRefused([str(refused)]) from None  # pragma: no cover - read_rows refuses


# --- As a job, with progress on the job's row ---------------------------------------

SEAL_CONTEXT = "survivors.import.file"


def submit_import(actor: Actor, organisation: Organisation, text: str, *,
                  key: str | None = None):
    """Start the import as a job. The file is sealed in the job's parameters (it is
    personal data); the job opens it, imports and reports progress."""
    sealed = keyring().seal(text, SEAL_CONTEXT)
    return jobs.submit("survivors.import", key=key, owner=actor.user, organisation=organisation,
                       organisation_id=organisation.pk, user_id=getattr(actor.user, "pk", None),
                       channel=actor.channel, file=sealed)


@jobs.task("survivors.import")
def _import_job(job, *, organisation_id: int, user_id: int | None, channel: str,
                file: str) -> dict:
    from django.contrib.auth import get_user_model

    organisation = Organisation.objects.get(pk=organisation_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    actor = (Actor.for_user(user, channel) if user is not None
             else Actor.system(channel, organisation=organisation))
    text = keyring().open(file, SEAL_CONTEXT)
    try:
        ids = import_csv(actor, organisation, text,
                         progress=lambda done, total: jobs.report(job, done, total))
    except ImportRefused as exc:
        jobs.report(job, 0, 0, exc.message)
        return {"imported": 0, "errors": exc.errors}
    return {"imported": len(ids), "errors": []}


def rows_to_csv(rows: Iterable[dict]) -> str:
    """CSV text of ``rows`` (dicts keyed by ``COLUMNS``): for tests and the benchmark."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
