"""On PostgreSQL the application runs as a role that cannot erase the audit log.

Connects as the runtime role (created idempotently, as ``manage.py db_roles``
does) and tries every way the attack on issue 12 erased the log.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from northstar.core.audit import record, verify_chain
from northstar.core.models import AuditChainHead, AuditEntry
from northstar.survivors import actions
from northstar.survivors.models import Survivor

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

RUNTIME = "northstar_runtime"
OWNER = "northstar_owner"


@pytest.fixture
def roles(caseworker, actor_for):
    """Both roles with their grants on the test database, and one audit entry to attack."""
    call_command("db_roles", create=True, grant=True, owner=OWNER, runtime=RUNTIME,
                 admin_url=_conninfo(user=connection.settings_dict["USER"]))
    return record(actor_for(caseworker), "read", "survivor", 1, note="to be erased")


def _conninfo(user: str) -> str:
    db = connection.settings_dict
    return psycopg.conninfo.make_conninfo(dbname=db["NAME"], user=user, host=db["HOST"] or None,
                                          port=str(db["PORT"]) if db["PORT"] else None,
                                          password=db.get("PASSWORD") or None)


THIS_MONTH = f"core_auditentry_y{dt.datetime.now(dt.UTC):%Ym%m}"
ATTACKS = {
    "truncate": "TRUNCATE core_auditentry",
    "truncate cascade": "TRUNCATE core_auditentry CASCADE",
    "update": "UPDATE core_auditentry SET note = 'rewritten'",
    "delete": "DELETE FROM core_auditentry",
    "disable trigger": "ALTER TABLE core_auditentry DISABLE TRIGGER ALL",
    "drop trigger": "DROP TRIGGER core_auditentry_append_only ON core_auditentry",
    "replica mode": "SET session_replication_role = replica",
    "drop table": "DROP TABLE core_auditentry CASCADE",
    "forget key checks": "DELETE FROM core_keycheck",
    # The month's partition directly (core/auditparts.py): as append-only as the parent.
    "truncate this month": f"TRUNCATE {THIS_MONTH}",
    "delete from this month": f"DELETE FROM {THIS_MONTH}",
    "update this month": f"UPDATE {THIS_MONTH} SET note = 'rewritten'",
    "detach this month": f"ALTER TABLE core_auditentry DETACH PARTITION {THIS_MONTH}",
    "rewrite migrations": "DELETE FROM django_migrations",
    # The chain's head: every entry moves it on (UPDATE), nothing may empty it.
    "empty the chain head": "DELETE FROM core_auditchainhead",
    "truncate the chain head": "TRUNCATE core_auditchainhead",
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_runtime_role_cannot_erase_or_rewrite_the_audit_log(roles, attack):
    with psycopg.connect(_conninfo(RUNTIME)) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(ATTACKS[attack])
    assert AuditEntry.objects.filter(pk=roles.pk, note="to be erased").exists()


def test_the_runtime_role_is_no_superuser_and_owns_nothing(roles):
    with psycopg.connect(_conninfo(RUNTIME)) as conn:
        assert conn.execute("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls "
                            "FROM pg_roles WHERE rolname = current_user").fetchone() == (
            False, False, False, False)
        owned = conn.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user"
                             ).fetchone()[0]
    assert owned == 0


def test_the_app_still_writes_and_audits_as_the_runtime_role(roles, caseworker, actor_for):
    saved_user = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict["USER"] = RUNTIME
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == RUNTIME
        survivor = actions.create_survivor(actor_for(caseworker), data={
            "given_name": "Demo Runtime", "family_name": "Role", "date_of_birth": "1995-05-05",
            "sex": "male", "nationality": "MM", "languages": ["my"]})
        actions.update_survivor(actor_for(caseworker), survivor, version=survivor.version,
                                changes={"phone": "+66 80 000 0000"})
        assert Survivor.objects.filter(pk=survivor.pk).exists()
        assert AuditEntry.objects.filter(survivor_ref=survivor.reference).count() >= 2
        assert verify_chain() is None
        head = AuditChainHead.objects.values_list("entry_hash", flat=True).get()
        assert head == AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True)[0]
    finally:
        connection.close()
        connection.settings_dict["USER"] = saved_user


def test_migrate_runs_as_the_owner_role_and_keeps_the_audit_log_append_only(roles, settings):
    """With DATABASE_MIGRATE_URL set, `migrate` connects as the owner and re-grants the runtime role."""
    call_command("db_roles", take_ownership=True, owner=OWNER, runtime=RUNTIME,
                 admin_url=_conninfo(user=connection.settings_dict["USER"]))
    with _superuser() as conn:  # as if an earlier grant had been lost
        conn.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON core_auditentry TO {RUNTIME}")
    db = connection.settings_dict
    settings.NORTHSTAR_MIGRATE_DATABASE = {"NAME": db["NAME"], "USER": OWNER, "PASSWORD": "",
                                           "HOST": db["HOST"], "PORT": db["PORT"]}
    saved_user = db["USER"]
    connection.close()
    db["USER"] = RUNTIME
    try:
        call_command("migrate", verbosity=0)
    finally:
        connection.close()
        db["USER"] = saved_user
    with _superuser() as conn:
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'core_auditentry'"
                             ).fetchone()[0]
        grants = conn.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = 'core_auditentry' AND grantee = %s", [RUNTIME]).fetchall()
    assert owner == OWNER
    assert sorted(g[0] for g in grants) == ["INSERT", "SELECT"]


def _superuser():
    return psycopg.connect(_conninfo(user=connection.settings_dict["USER"]), autocommit=True)
