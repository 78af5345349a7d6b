"""Entries written before the chain existed are linked into it by migration 0005."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from northstar.core.audit import verify_chain
from northstar.core.models import AuditEntry

BEFORE = [("core", "0004_signin_hardening")]
AFTER = [("core", "0005_audit_chain_and_key_checks")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _migrate_to_latest():
    """Every app back at its newest migration: going back to 0004 also unapplied the later
    ones (core 0006, the jobs table), which the tests after this one need."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_links_old_entries_and_stamps_their_owner(survivor_a, org_b):
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for n, (org, ref) in enumerate([(org_b.pk, survivor_a.reference), (org_b.pk, ""),
                                            (survivor_a.organisation_id, "")]):
                cursor.execute(
                    "INSERT INTO core_auditentry (at, actor_label, organisation_id, action, "
                    "channel, record_type, record_id, record_ids, survivor_ref, fields, note) "
                    "VALUES (CURRENT_TIMESTAMP, 'old', %s, 'read', 'web', 'survivor', %s, '[]', "
                    "%s, '[]', '')", [org, str(n), ref])
    finally:
        _migrate(AFTER)
        _migrate_to_latest()
    old = list(AuditEntry.objects.filter(actor_label="old").order_by("id"))
    assert len(old) == 3
    assert all(e.entry_hash for e in old)
    assert old[0].owner_organisation_id == survivor_a.organisation_id
    assert old[1].owner_organisation_id is None
    assert verify_chain() is None
