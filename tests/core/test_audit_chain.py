"""The audit log is a hash chain: rewriting or removing an entry behind the app's back is found."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from northstar.core import chain
from northstar.core.audit import record, record_read, verify_chain
from northstar.core.models import AuditEntry
from northstar.survivors import actions as survivor_actions

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL's locking and superuser")


def _as_superuser(sql: str, params=()) -> None:
    """Change the table the way an intruder with the database password would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def five_entries(caseworker, actor_for, survivor_a):
    actor = actor_for(caseworker)
    return [record_read(actor, survivor_a, survivor_ref=survivor_a.reference,
                        fields=["given_name"], note=f"read {n}") for n in range(5)]


def test_each_entry_carries_the_hash_of_the_one_before(five_entries):
    entries = list(AuditEntry.objects.order_by("id"))
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.entry_hash
        assert len(after.entry_hash) == 64
    assert entries[0].prev_hash == chain.GENESIS


def test_verify_audit_passes_on_an_untouched_log(five_entries, capsys):
    call_command("verify_audit")
    assert "audit chain holds" in capsys.readouterr().out


def test_an_entry_edited_behind_the_apps_back_is_the_first_broken_link(five_entries):
    target = five_entries[2]
    _as_superuser("UPDATE core_auditentry SET note = %s WHERE id = %s", ["nothing", target.pk])
    with pytest.raises(CommandError, match=f"broken at entry {target.pk}: its contents"):
        call_command("verify_audit")


def test_an_entry_deleted_behind_the_apps_back_breaks_the_next_link(five_entries):
    gone, next_one = five_entries[1], five_entries[2]
    _as_superuser("DELETE FROM core_auditentry WHERE id = %s", [gone.pk])
    assert verify_chain() == (next_one.pk, "does not follow the entry before it "
                                           "(a row was deleted or inserted)")
    with pytest.raises(CommandError, match=f"broken at entry {next_one.pk}"):
        call_command("verify_audit")


def test_an_edited_entry_rehashed_without_its_successor_is_still_found(five_entries):
    target = five_entries[1]
    values = {n: getattr(target, n) for n in chain.CHAINED_FIELDS} | {"note": "forged"}
    forged = chain.link_hash(values, target.prev_hash)
    _as_superuser("UPDATE core_auditentry SET note = 'forged', entry_hash = %s WHERE id = %s",
                  [forged, target.pk])
    assert verify_chain()[0] == five_entries[2].pk


def test_verification_resumes_from_a_checkpoint(five_entries, capsys):
    checkpoint = five_entries[2]
    call_command("verify_audit", after_id=checkpoint.pk, prev_hash=checkpoint.entry_hash)
    assert "2 entries verified" in capsys.readouterr().out
    with pytest.raises(CommandError, match="checkpoint entry is gone or changed"):
        call_command("verify_audit", after_id=checkpoint.pk, prev_hash=chain.GENESIS)


def test_deleting_every_entry_since_the_last_checkpoint_is_found(five_entries):
    checkpoint = five_entries[3]
    _as_superuser("DELETE FROM core_auditentry WHERE id >= %s", [checkpoint.pk])
    assert verify_chain(after_id=checkpoint.pk, prev_hash=checkpoint.entry_hash) == (
        checkpoint.pk, "the checkpoint entry is gone or changed")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_never_fork_the_chain(caseworker, actor_for):
    actor = actor_for(caseworker)
    errors = []

    def write(n):
        try:
            for i in range(10):
                record(actor, "read", "survivor", f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.count() == 60
    prevs = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == 60  # no two entries claim the same predecessor
    assert verify_chain() is None


def test_a_referral_recipients_read_shows_in_the_owning_organisations_log(
        api, supervisor, users, survivor_a, actor_for):
    recipient = actor_for(users[("b", "caseworker")])
    entry = record_read(recipient, survivor_a, survivor_ref=survivor_a.reference,
                        fields=["given_name"])
    assert entry.organisation == recipient.organisation
    assert entry.owner_organisation == survivor_a.organisation
    owners_log = api(supervisor).get("/api/v1/audit", {"survivor_ref": survivor_a.reference})
    shown = {item["id"]: item for item in owners_log.json()["items"]}
    assert shown[entry.pk]["organisation"] == recipient.organisation.name
    # the recipient's own organisation still sees what its people did
    theirs = api(users[("b", "supervisor")]).get("/api/v1/audit",
                                                 {"survivor_ref": survivor_a.reference})
    assert [item["id"] for item in theirs.json()["items"]] == [entry.pk]


def test_the_owners_audit_page_lists_the_recipients_read(client, supervisor, users, survivor_a,
                                                         actor_for):
    recipient = actor_for(users[("b", "caseworker")])
    record_read(recipient, survivor_a, survivor_ref=survivor_a.reference, fields=["phone"])
    client.force_login(supervisor)
    page = client.get("/audit/", {"survivor_ref": survivor_a.reference}).content.decode()
    assert recipient.label in page
    assert recipient.organisation.name in page


def test_after_a_referral_the_recipients_api_read_is_in_the_owners_log(
        api, caseworker, supervisor, other_caseworker, survivor_a, org_b, actor_for):
    survivor_actions.record_consent(actor_for(caseworker), survivor_a, purpose="referral",
                                    recipient=org_b, language="km", method="written")
    referral = api(caseworker).post("/api/v1/referrals", {
        "survivor_id": survivor_a.pk, "recipient_id": org_b.pk, "needs": ["legal_aid"]}).json()
    recipient = api(other_caseworker)
    assert recipient.post(f"/api/v1/referrals/{referral['id']}/accept", {}).status_code == 200
    assert recipient.get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 200
    owners_log = api(supervisor).get("/api/v1/audit", {"survivor_ref": survivor_a.reference,
                                                       "actor": other_caseworker.username})
    reads = [item for item in owners_log.json()["items"] if item["action"] == "read"
             and item["record_type"] == "survivor"]
    assert reads, "the owner cannot see that the recipient opened their survivor"
    assert "given_name" in reads[0]["fields"]


def test_a_recipients_list_names_each_owner_only_its_own_survivors(
        api, supervisor, users, survivor_a, other_caseworker, actor_for):
    recipient = actor_for(other_caseworker)
    own = survivor_actions.create_survivor(recipient, data={
        "given_name": "Demo Dara", "family_name": "Listed", "date_of_birth": "1993-03-03",
        "sex": "female", "nationality": "KH", "languages": ["km"]})
    record_read(recipient, [own, survivor_a])
    owners_log = api(supervisor).get("/api/v1/audit", {"actor": other_caseworker.username})
    assert [(i["record_type"], i["record_id"]) for i in owners_log.json()["items"]] == [
        ("survivor", str(survivor_a.pk))]
    readers_log = api(users[("b", "supervisor")]).get(
        "/api/v1/audit", {"actor": other_caseworker.username, "action": "read"})
    listed = sorted(i["record_id"] for i in readers_log.json()["items"])
    assert listed == sorted([str(own.pk), str(survivor_a.pk)])
    assert verify_chain() is None


def test_the_hash_the_database_computes_is_the_one_python_verifies(caseworker, actor_for):
    # On PostgreSQL the entry is linked in one INSERT (issue 13): the database reads the last
    # hash and hashes the same canonical bytes. Quotes, a key-like note and other scripts
    # must come out exactly as chain.link_hash makes them.
    actor = actor_for(caseworker)
    notes = ['he said "stop"', ',"prev_hash":"x"', "ក្រសួង ថៃ 中文 \\ \u2028", ""]
    entries = [record(actor, "update", "survivor", i, fields=["given_name", "note"], note=n)
               for i, n in enumerate(notes)]
    for entry in entries:
        stored = AuditEntry.objects.values("prev_hash", "entry_hash", *chain.CHAINED_FIELDS).get(
            pk=entry.pk)
        assert stored["entry_hash"] == chain.link_hash(stored, stored["prev_hash"])
        assert (entry.prev_hash, entry.entry_hash) == (stored["prev_hash"], stored["entry_hash"])
    assert verify_chain() is None
