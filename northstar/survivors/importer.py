"""Bulk import of survivors from CSV: every row checked first, then all written or none.

Rows go through the same checks as every other channel (``validation.clean_survivor``);
a failing row is reported as "Row 7, column date_of_birth: must be a date as YYYY-MM-DD"
and nothing is written. The personal fields are sealed like any other write, the
duplicate key and the name search index are computed for each record, and the audit
log gets one entry per batch naming the ids created.

``import_rows`` also writes one case per survivor when given ``cases`` (the HTCDS import,
``insights/htcds/importing.py``, which turns its rows into these columns and checks each
with ``check_row``).

Speed: survivors are inserted with ``bulk_create`` in batches, and their search tokens
(about twenty per person) with PostgreSQL's COPY, since building that many model
objects would cost more than the encryption (see ``bench/import_rate.py``).
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone

from northstar.core import audit, jobs
from northstar.core.actor import Actor
from northstar.core.crypto import duplicate_key, keyring
from northstar.core.errors import DomainError
from northstar.core.fields import Sealed
from northstar.core.keys import ensure_writable
from northstar.core.models import Organisation
from northstar.survivors import search
from northstar.survivors.actions import _CODE_ALPHABET, _check_child_advocacy
from northstar.survivors.models import Case, NameToken, Survivor
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


def check_row(raw: dict) -> dict:
    """One row (text cells keyed by ``COLUMNS``) checked as on every other channel: the
    values to write, or ``DomainError`` naming the column. Other importers (the HTCDS
    import) turn their rows into these columns and call this."""
    values = clean_survivor(_row_values(raw))
    if not (values.get("given_name") or values.get("family_name") or values.get("phone")):
        raise DomainError("a record needs a name or a phone number", "given_name")
    if values.get("date_of_birth") and not values.get("birth_year"):
        values["birth_year"] = int(values["date_of_birth"][:4])
    _check_child_advocacy(Survivor(**{k: values[k] for k in AGE_AND_ADVOCACY if values.get(k)}))
    return values


def read_rows(text: str) -> list[dict]:
    """Every row checked; ``ImportRefused`` naming each row and column that is wrong."""
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
    rows, errors = [], []
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            errors.append(f"Row {number} has more values than the header has columns.")
            continue
        try:
            values = check_row(raw)
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


def _references(organisation: Organisation, n: int, taken: set[str]) -> list[str]:
    """``n`` new random reference codes, none already used (one query per batch)."""
    out: list[str] = []
    prefix = f"{organisation.code}-"
    while len(out) < n:
        fresh = {prefix + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
                 for _ in range(n - len(out))} - taken - set(out)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT reference FROM {Survivor._meta.db_table} "  # noqa: S608
                               "WHERE reference = ANY(%s)", [list(fresh)])
                fresh -= {row[0] for row in cursor.fetchall()}
            else:
                fresh -= set(Survivor.objects.filter(reference__in=fresh)
                             .values_list("reference", flat=True))
        out.extend(fresh)
    return out


def _copy(model, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    quote = connection.ops.quote_name
    sql = (f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
           "FROM STDIN")
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_tokens(rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        _copy(NameToken, TOKEN_COLUMNS, rows)
    else:
        NameToken.objects.bulk_create([NameToken(**dict(zip(TOKEN_COLUMNS, r, strict=True)))
                                       for r in rows], batch_size=5000)


def _new_ids(n: int) -> list[int]:
    """``n`` ids from the survivors' sequence, so rows can be COPYed with their ids."""
    table = Survivor._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [table, n])
        return [row[0] for row in cursor.fetchall()]


def _write_survivors(objs: list[dict]) -> list[int]:
    """Insert survivors given as column values (personal fields already sealed); their ids.

    On PostgreSQL by COPY with ids from the sequence (Django's ``bulk_create`` spends more
    time compiling values than the database spends storing them); elsewhere ``bulk_create``.
    """
    fields = [f for f in Survivor._meta.concrete_fields]
    if connection.vendor != "postgresql":
        made = Survivor.objects.bulk_create(
            [Survivor(**{f.attname: Sealed(o[f.attname], f.context) if o.get(f.attname)
                         and getattr(f, "sealed", False) else o.get(f.attname, f.get_default())
                         for f in fields if f.attname in o or f.has_default()})
             for o in objs], batch_size=BATCH)
        return [s.pk for s in made]
    ids = _new_ids(len(objs))
    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    columns = tuple(f.column for f in fields)
    names = [f.attname for f in fields]

    def rows():
        for pk, o in zip(ids, objs, strict=True):
            o["id"] = pk
            yield tuple(json.dumps(o[n]) if n in json_fields and n in o
                        else json.dumps(defaults[n]) if n in json_fields
                        else o.get(n, defaults[n]) for n in names)

    _copy(Survivor, columns, rows())
    return ids


def _write_cases(actor: Actor, organisation: Organisation, survivor_ids: list[int],
                 references: list[str], cases: list[dict | None], now) -> list[int]:
    """One case (checked values, ``survivors.validation.clean_case``) per survivor that has
    one, referenced ``<survivor>-C1`` as ``actions.create_case`` would; the summary is
    sealed by its field on save. One audit entry for the batch."""
    user_id = getattr(actor.user, "pk", None)
    made = Case.objects.bulk_create([
        Case(survivor_id=pk, organisation_id=organisation.pk, reference=f"{ref}-C1",
             created_by_id=user_id, created_at=now, updated_at=now, survivor_created_at=now,
             **{"jurisdiction": organisation.jurisdiction, **values})
        for pk, ref, values in zip(survivor_ids, references, cases, strict=True)
        if values is not None], batch_size=BATCH)
    ids = [c.pk for c in made]
    Survivor.objects.filter(pk__in=[c.survivor_id for c in made]).update(has_cases=True)
    audit.record_many(actor, "create", "case", ids, note=f"bulk import: {len(ids)} cases")
    return ids


def import_rows(actor: Actor, organisation: Organisation, rows: list[dict], *,
                progress: Callable[[int, int], None] | None = None,
                cases: list[dict | None] | None = None) -> list[int]:
    """Write checked ``rows`` as survivors of ``organisation``, all or none. Returns the ids.

    ``cases``, when given, is aligned with ``rows``: each survivor's one case as checked
    case values (or None for none), written in the same transaction."""
    if cases is not None and len(cases) != len(rows):
        raise ValueError("cases must be aligned with rows")
    key = search.index_key()
    ring = ensure_writable()  # proven this database's key ring before anything is sealed
    contexts = {f: Survivor._meta.get_field(f).context for f in Survivor.PERSONAL_FIELDS}
    created: list[int] = []
    now = timezone.now()
    user_id = getattr(actor.user, "pk", None)
    digests: dict = {}
    with transaction.atomic():
        taken: set[str] = set()
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            refs = _references(organisation, len(chunk), taken)
            taken.update(refs)
            objs = []
            for values, ref in zip(chunk, refs, strict=True):
                row = {k: v for k, v in values.items() if k not in contexts}
                row.update({k: ring.seal(values[k], ctx) if values.get(k) else ""
                            for k, ctx in contexts.items()})
                row.update(organisation_id=organisation.pk, reference=ref,
                           created_by_id=user_id, created_at=now, updated_at=now,
                           duplicate_key=duplicate_key(
                               f"{values.get('given_name', '')} {values.get('family_name', '')}",
                               values.get("date_of_birth", "")))
                objs.append(row)
            ids = _write_survivors(objs)
            tokens = []
            for pk, values in zip(ids, chunk, strict=True):
                tokens.extend(search.token_rows(pk, organisation.pk, values, key, digests))
            _copy_tokens(tokens)
            audit.record_many(actor, "create", "survivor", ids,
                              note=f"bulk import: {len(ids)} survivors "
                                   f"(rows {start + 2}–{start + len(chunk) + 1})")
            if cases is not None:
                _write_cases(actor, organisation, ids, refs, cases[start:start + BATCH], now)
            created.extend(ids)
            if progress:
                progress(len(created), len(rows))
    return created


def import_csv(actor: Actor, organisation: Organisation, text: str, *,
               progress: Callable[[int, int], None] | None = None) -> list[int]:
    return import_rows(actor, organisation, read_rows(text), progress=progress)


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
        rows = read_rows(text)
    except ImportRefused as exc:
        jobs.report(job, 0, 0, exc.message)
        return {"imported": 0, "errors": exc.errors}
    jobs.report(job, 0, len(rows), "checked; importing")
    ids = import_rows(actor, organisation, rows,
                      progress=lambda done, total: jobs.report(job, done, total))
    return {"imported": len(ids), "errors": []}


def rows_to_csv(rows: Iterable[dict]) -> str:
    """CSV text of ``rows`` (dicts keyed by ``COLUMNS``): for tests and the benchmark."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
