"""A read or a batch of more than ``audit.MAX_IDS`` records names every one of them.

The sweep at 100k (bench/README.md, h-sweep) found the fund report showing 6,668
disbursements and its entry naming the first 1,000. Every record shown must be findable
in the log: such a read is written as several entries of at most ``MAX_IDS`` ids, one
after the other in the chain, in one transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.core import audit
from northstar.core.models import AuditEntry


def _last_id():
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _entries_since(first_id):
    return list(AuditEntry.objects.filter(pk__gt=first_id).order_by("pk"))


def _one_after_the_other(entries):
    return all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))


@pytest.mark.django_db(transaction=True)
def test_a_read_of_more_than_max_ids_names_every_id_in_entries_one_after_the_other(
        caseworker, actor_for):
    ids = [10**12 + n for n in range(2 * audit.MAX_IDS + 17)]
    start = _last_id()
    with CaptureQueriesContext(connection) as ctx:
        first = audit.record_read(actor_for(caseworker, "api"), ids,
                                  record_type="victim_fund_disbursement", note="fund report")
    written = _entries_since(start)
    assert [i for e in written for i in e.record_ids] == [str(i) for i in ids]
    assert [len(e.record_ids) for e in written] == [audit.MAX_IDS, audit.MAX_IDS, 17]
    assert [e.note for e in written] == [f"fund report (part {n} of 3)" for n in (1, 2, 3)]
    assert first.pk == written[0].pk
    assert _one_after_the_other(written)
    assert audit.verify_chain() is None
    if connection.vendor == "postgresql":  # one transaction, in one round trip
        sql = [q["sql"] for q in ctx.captured_queries]
        assert (sql.count("BEGIN"), sql.count("COMMIT")) == (1, 1)


@pytest.mark.django_db
def test_a_long_list_of_several_owners_names_each_owners_records_in_its_own_log(
        caseworker, actor_for, org_a, org_b):
    ids = list(range(1, 2 * audit.MAX_IDS + 501))
    owners = [org_a.pk if n % 3 else org_b.pk for n in ids]
    start = _last_id()
    audit.record_read(actor_for(caseworker), ids, record_type="victim_fund_disbursement",
                      owners=owners, fields=["per_survivor"])
    written = _entries_since(start)
    assert all(len(e.record_ids) <= audit.MAX_IDS for e in written)
    for org in (org_a, org_b):
        theirs = {str(n) for n, owner in zip(ids, owners, strict=True) if owner == org.pk}
        logged = [i for e in audit.entries_for_organisation(org).filter(pk__gt=start)
                  if e.owner_organisation_id == org.pk for i in e.record_ids]
        assert sorted(logged) == sorted(theirs)
    assert _one_after_the_other(written)
    assert audit.verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_a_long_read_on_a_page_is_written_with_the_pages_other_reads(caseworker, actor_for):
    actor = actor_for(caseworker)
    start = _last_id()
    with audit.reads_written_together():
        audit.record_read(actor, [1, 2], record_type="case", note="caseload")
        audit.record_read(actor, list(range(1, audit.MAX_IDS + 2)), record_type="council_member")
        assert _entries_since(start) == []
    written = _entries_since(start)
    assert [(e.record_type, len(e.record_ids), e.note) for e in written] == [
        ("case", 2, "caseload"),
        ("council_member", audit.MAX_IDS, f"listed {audit.MAX_IDS + 1} (part 1 of 2)"),
        ("council_member", 1, f"listed {audit.MAX_IDS + 1} (part 2 of 2)")]
    assert audit.verify_chain() is None


@pytest.mark.django_db
def test_a_batch_of_more_than_max_ids_writes_names_every_id(caseworker, actor_for):
    ids = list(range(1, audit.MAX_IDS + 6))
    start = _last_id()
    audit.record_many(actor_for(caseworker, "cli"), "update", "check_in", ids,
                      fields=["cancelled_at"], note="case reopened")
    written = _entries_since(start)
    assert [i for e in written for i in e.record_ids] == [str(i) for i in ids]
    assert [e.note for e in written] == ["case reopened (part 1 of 2)",
                                         "case reopened (part 2 of 2)"]
    assert _one_after_the_other(written)
