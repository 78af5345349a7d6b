"""Table generations: a number per table that moves on every write to it (PostgreSQL).

Derived data kept outside the database (``core.anchors``: where each thousandth row of a
list lies) is valid only as long as the rows it was derived from are unchanged. Each table
that such data reads carries a sequence, ``ns_gen_<table>``, and a statement-level trigger
that calls ``nextval`` on it after every ``INSERT``, ``UPDATE``, ``DELETE`` and
``TRUNCATE`` — whoever writes: an action, ``bulk_create``, raw SQL, a data migration, the
admin, ``psql``. Django signals would miss all but the first. Sequences are not
transactional, so the trigger never waits for another writer and a bump is never rolled
back (a rolled-back write only costs a recomputation).

Before it bumps, the trigger takes a *shared* transaction-level advisory lock on the
table's key (``lock_key``): shared locks never conflict with one another, nothing in
Northstar takes the exclusive one, so no writer ever waits for it. It is held until the
writer's transaction ends, which lets a reader ask ``in_flight``: "has some transaction
written this table and not yet committed or rolled back?" (``pg_locks``, no lock taken).
``core.anchors`` says why it needs both.

The triggers are installed by migrations (``install_sql``): ``survivors`` 0019 for the
survivors and cases tables, the lists most people page through. A list reading a table
without a generation is never anchored (unknown is never safe). On SQLite nothing is
installed and nothing here is asked.
"""

from __future__ import annotations

import re

from django.db import connections

#: The high 32 bits of every generation lock's 64-bit key (the low 32: the table's oid);
#: "ns" and 1 for generations, distinct from any other advisory lock Northstar may take.
LOCK_SPACE = 0x6E730001
PREFIX = "ns_gen_"

BUMP_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ns_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Shared: never waits for another writer. Held until this transaction ends, so a
    -- reader can tell a write not yet committed (core.generations.in_flight).
    PERFORM pg_advisory_xact_lock_shared(({LOCK_SPACE}::bigint << 32) | TG_RELID::bigint);
    PERFORM nextval(TG_ARGV[0]::regclass);
    RETURN NULL;
END
$$;
"""


def sequence_of(table: str) -> str:
    name = PREFIX + table
    if len(name) > 63 or not re.fullmatch(r"[a-z0-9_]+", table):
        raise ValueError(f"generations: no sequence name for the table {table!r}")
    return name


def install_sql(table: str) -> list[str]:
    """The statements giving ``table`` a generation (run by a migration, PostgreSQL only)."""
    seq = sequence_of(table)
    return [BUMP_FUNCTION,
            f'CREATE SEQUENCE IF NOT EXISTS "{seq}"',
            f'DROP TRIGGER IF EXISTS "{seq}" ON "{table}"',
            f'CREATE TRIGGER "{seq}" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION ns_generation_bump('{seq}')"]


def uninstall_sql(table: str) -> list[str]:
    seq = sequence_of(table)
    return [f'DROP TRIGGER IF EXISTS "{seq}" ON "{table}"', f'DROP SEQUENCE IF EXISTS "{seq}"']


#: Per database (alias, name): the tables that have a generation, read once per process.
_KNOWN: dict[tuple[str, str], frozenset[str]] = {}
#: Per database: every table's name (to find the tables a statement reads).
_TABLES: dict[tuple[str, str], frozenset[str]] = {}


def _database(using: str) -> tuple[str, str]:
    return using, str(connections[using].settings_dict.get("NAME"))


def with_generation(using: str) -> frozenset[str]:
    key = _database(using)
    found = _KNOWN.get(key)
    if found is None:
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s || c.relname AND NOT t.tgisinternal "
                "AND t.tgenabled <> 'D'", [PREFIX])
            found = _KNOWN[key] = frozenset(r[0] for r in cursor.fetchall())
    return found


def tables_read(sql: str, using: str) -> tuple[str, ...] | None:
    """The tables the statement ``sql`` (as Django writes it: every table name quoted, in
    subqueries too) reads, sorted; ``None`` when one of them has no generation."""
    key = _database(using)
    tables = _TABLES.get(key)
    if tables is None:
        tables = _TABLES[key] = frozenset(
            connections[using].introspection.table_names(include_views=True))
    read = sorted({name for name in re.findall(r'"([^"]+)"', sql) if name in tables})
    if not read or not set(read) <= with_generation(using):
        return None
    return tuple(read)


def forget() -> None:
    """Ask the catalogue again (after a migration that installed or removed one)."""
    _KNOWN.clear()
    _TABLES.clear()


def current(tables: tuple[str, ...], using: str) -> tuple:
    """The generations of ``tables`` now: (the sequence's oid, its last value) each (the
    oid changes when a restore recreates the sequence, whose values then start again)."""
    # The names are checked by ``sequence_of`` (lower-case letters, digits and ``_``).
    columns = ", ".join(
        f"'\"{sequence_of(t)}\"'::regclass::oid::bigint, "  # noqa: S608
        f'(SELECT last_value FROM "{sequence_of(t)}")' for t in tables)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {columns}")  # noqa: S608
        return tuple(cursor.fetchone())


def lock_key(table_oid: int) -> int:
    return (LOCK_SPACE << 32) | table_oid


def in_flight(tables: tuple[str, ...], using: str) -> bool:
    """Whether some transaction (this one included) wrote one of ``tables`` and has not
    ended: it holds (or waits for) the table's shared generation lock. Takes no lock."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid = %s::bigint::oid AND objsubid = 1 "
            "AND objid = ANY(SELECT c.oid FROM pg_class c WHERE c.relname = ANY(%s) "
            "AND c.relnamespace = current_schema()::regnamespace))",
            [LOCK_SPACE, list(tables)])
        return bool(cursor.fetchone()[0])
