import pytest
from django.db import connection

from northstar.core.audit import record
from northstar.core.models import AuditEntry


def test_the_audit_log_refuses_edits_and_deletes_through_the_application(caseworker, actor_for):
    entry = record(actor_for(caseworker), "read", "survivor", 1)
    entry.note = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_on_postgresql_the_database_itself_refuses_to_rewrite_the_audit_log(caseworker,
                                                                            actor_for):
    from django.db import DatabaseError, transaction

    entry = record(actor_for(caseworker), "read", "survivor", 1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET note = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])


def test_a_supervisor_reads_only_their_own_organisations_log(api, supervisor, users, survivor_a):
    other = users[("b", "supervisor")]
    api(users[("b", "caseworker")]).get("/api/v1/survivors")
    mine = api(supervisor).get("/api/v1/audit").json()
    assert mine["count"] >= 1
    assert all(item["survivor_ref"] in ("", survivor_a.reference) for item in mine["items"])
    theirs = api(other).get("/api/v1/audit", {"survivor_ref": survivor_a.reference}).json()
    assert theirs["count"] == 0


@pytest.mark.parametrize("role", ["caseworker", "legal_officer", "researcher", "org_admin",
                                  "council_coordinator"])
def test_only_supervisors_read_the_audit_log(api, users, role):
    assert api(users[("a", role)]).get("/api/v1/audit").status_code == 403


def test_the_audit_page_shows_the_log_to_a_supervisor_and_to_nobody_else(client, supervisor,
                                                                         caseworker, survivor_a):
    client.force_login(caseworker)
    assert client.get("/audit/").status_code == 404
    client.force_login(supervisor)
    page = client.get("/audit/", {"survivor_ref": survivor_a.reference})
    assert page.status_code == 200
    assert survivor_a.reference in page.content.decode()
