"""The two PostgreSQL roles Northstar runs with, so the application cannot erase its own audit log.

- the **owner** (migration) role owns every table; ``manage.py migrate`` connects
  as it (``DATABASE_MIGRATE_URL``);
- the **runtime** role (``DATABASE_URL``) is the web server's. It is not a
  superuser and owns nothing, so it cannot ``ALTER TABLE … DISABLE TRIGGER`` or
  set ``session_replication_role``; it may read and write application tables
  but holds no ``UPDATE``, ``DELETE`` or ``TRUNCATE`` on the audit log and the
  key-check values, no ``DELETE`` or ``TRUNCATE`` on the audit chain's head (which every
  entry moves on, so it may update it), and cannot touch the migration history.

``create_roles`` needs a superuser (or a role with CREATEROLE) connection;
``grant_runtime`` runs after every migrate, so tables a migration adds get the
same grants and the audit table stays revoked.
"""

from __future__ import annotations

from psycopg import errors, sql

#: Tables the runtime role may append to but never change or empty.
APPEND_ONLY = ("core_auditentry", "core_keycheck")
#: Tables the runtime role may update but never empty: the audit chain's head, one row.
NEVER_EMPTIED = ("core_auditchainhead",)
#: Tables the runtime role may only read.
READ_ONLY = ("django_migrations",)


def _role_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    return cursor.fetchone() is not None


def _create_role(cursor, name: str, password: str | None) -> None:
    """Create a plain login role once; a concurrent creator winning the race is fine."""
    if _role_exists(cursor, name):
        return
    statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
                        ).format(sql.Identifier(name))
    if password:
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    cursor.execute("SAVEPOINT northstar_create_role")
    try:
        cursor.execute(statement.as_string(cursor.connection))
    except (errors.DuplicateObject, errors.UniqueViolation):
        cursor.execute("ROLLBACK TO SAVEPOINT northstar_create_role")
    else:
        cursor.execute("RELEASE SAVEPOINT northstar_create_role")


def _run(cursor, template: str, **names) -> None:
    statement = sql.SQL(template).format(**{k: sql.Identifier(v) for k, v in names.items()})
    cursor.execute(statement.as_string(cursor.connection))


def create_roles(cursor, *, owner: str, runtime: str, database: str,
                 owner_password: str | None = None, runtime_password: str | None = None) -> None:
    """Create both roles (idempotent) and give them what they need on ``database``."""
    _create_role(cursor, owner, owner_password)
    _create_role(cursor, runtime, runtime_password)
    _run(cursor, "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {owner}", db=database, owner=owner)
    _run(cursor, "GRANT CONNECT ON DATABASE {db} TO {runtime}", db=database, runtime=runtime)
    _run(cursor, "GRANT USAGE, CREATE ON SCHEMA public TO {owner}", owner=owner)
    _run(cursor, "GRANT USAGE ON SCHEMA public TO {runtime}", runtime=runtime)
    _run(cursor, "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
         "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {runtime}", owner=owner, runtime=runtime)
    _run(cursor, "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
         "GRANT USAGE, SELECT ON SEQUENCES TO {runtime}", owner=owner, runtime=runtime)
    # The caseload's search by reference reads a trigram index (survivors 0017); creating
    # the extension needs CREATE on the database, which the owner role does not hold.
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def take_ownership(cursor, *, owner: str) -> int:
    """Hand every table, sequence and function in ``public`` to the owner role
    (a database that was migrated as the superuser). Returns how many changed."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                   "AND tableowner <> %s", [owner])
    tables = [r[0] for r in cursor.fetchall()]
    for table in tables:
        _run(cursor, "ALTER TABLE public.{t} OWNER TO {owner}", t=table, owner=owner)
    cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' "
                   "AND sequenceowner <> %s", [owner])
    sequences = [r[0] for r in cursor.fetchall()]
    for seq in sequences:
        _run(cursor, "ALTER SEQUENCE public.{s} OWNER TO {owner}", s=seq, owner=owner)
    cursor.execute("SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
                   "ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                   "AND p.proname LIKE 'northstar%%'")
    for (signature,) in cursor.fetchall():
        cursor.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(
            sql.SQL(signature), sql.Identifier(owner)).as_string(cursor.connection))
    return len(tables) + len(sequences)


def grant_runtime(cursor, *, runtime: str) -> None:
    """Grants on every table that exists now; the audit log append-only, migrations read-only."""
    _run(cursor, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
         r=runtime)
    _run(cursor, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}", r=runtime)
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    tables = {r[0] for r in cursor.fetchall()}
    # The audit log's monthly partitions (``core/auditparts.py``) are as append-only as it.
    partitions = {t for t in tables if t.startswith("core_auditentry_")}
    for table in sorted(set(APPEND_ONLY) & tables | partitions):
        _run(cursor, "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {t} FROM {r}",
             t=table, r=runtime)
    for table in sorted(set(NEVER_EMPTIED) & tables):
        _run(cursor, "REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON {t} FROM {r}",
             t=table, r=runtime)
    for table in READ_ONLY:
        if table in tables:
            _run(cursor, "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {t} FROM {r}",
                 t=table, r=runtime)
