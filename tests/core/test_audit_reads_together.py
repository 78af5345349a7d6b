"""A page's reads written together (issue 13): the same entries, one transaction, in order.

The case page's panels each audit their own read; ``audit.reads_written_together`` writes
them when the page is done, in one transaction that takes the chain lock once. Nothing is
lost: every read is still its own entry naming its records, the chain still verifies, a
page that fails half-way still has its reads written, and a read made inside an action's
transaction is written there and then."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from northstar.core import audit
from northstar.core.models import AuditEntry


def _entries_since(first_id):
    return list(AuditEntry.objects.filter(pk__gt=first_id).order_by("pk"))


def _last_id():
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.django_db(transaction=True)
def test_reads_of_a_page_are_written_when_it_is_done_as_the_same_entries(
        survivor_a, case_a, caseworker, actor_for):
    actor = actor_for(caseworker)
    start = _last_id()
    with audit.reads_written_together():
        audit.record_read(actor, case_a, survivor_ref=survivor_a.reference)
        audit.record_read(actor, [1, 2, 3], record_type="timeline_event",
                          survivor_ref=survivor_a.reference, note="timeline")
        assert _entries_since(start) == []  # not yet: the page is still being read
    written = _entries_since(start)
    assert [(e.record_type, e.record_ids) for e in written] == [
        ("case", [str(case_a.pk)]), ("timeline_event", ["1", "2", "3"])]
    assert all(e.actor_id == caseworker.pk for e in written)
    assert audit.verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_the_reads_cost_one_transaction_not_one_each(survivor_a, case_a, caseworker,
                                                     actor_for):
    actor = actor_for(caseworker)

    def write(n):
        with CaptureQueriesContext(connection) as done, audit.reads_written_together():
            for i in range(n):
                audit.record_read(actor, [i + 1], record_type="timeline_event",
                                  survivor_ref=survivor_a.reference)
        return [q["sql"] for q in done.captured_queries]

    two, five = write(2), write(5)
    # Each further read adds its chain-linked insert (two statements on SQLite: the chain
    # head, the insert; one on PostgreSQL), never a transaction or a lock of its own. (From
    # two: one read alone on PostgreSQL is its INSERT alone, with no BEGIN or COMMIT.)
    per_read = (len(five) - len(two)) // 3
    assert per_read in (1, 2) and len(five) - len(two) == 3 * per_read
    assert sum("advisory_xact_lock" in q for q in five) <= 1


@pytest.mark.django_db(transaction=True)
def test_a_page_that_fails_half_way_still_has_its_reads_written(survivor_a, case_a,
                                                                caseworker, actor_for):
    actor = actor_for(caseworker)
    start = _last_id()
    with pytest.raises(RuntimeError), audit.reads_written_together():
        audit.record_read(actor, case_a, survivor_ref=survivor_a.reference)
        raise RuntimeError("a panel broke")
    assert [e.record_id for e in _entries_since(start)] == [str(case_a.pk)]


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_an_actions_transaction_stands_or_falls_with_it(survivor_a, case_a,
                                                                      caseworker, actor_for):
    actor = actor_for(caseworker)
    start = _last_id()
    with audit.reads_written_together():
        with transaction.atomic():
            audit.record_read(actor, case_a, survivor_ref=survivor_a.reference)
            assert len(_entries_since(start)) == 1  # written at once, in the transaction
        audit.record_read(actor, [7], record_type="timeline_event",
                          survivor_ref=survivor_a.reference)
    assert [e.record_type for e in _entries_since(start)] == ["case", "timeline_event"]


@pytest.mark.django_db(transaction=True)
def test_a_write_entry_comes_after_the_reads_made_before_it(survivor_a, case_a, caseworker,
                                                            actor_for):
    actor = actor_for(caseworker)
    start = _last_id()
    with audit.reads_written_together():
        audit.record_read(actor, case_a, survivor_ref=survivor_a.reference)
        audit.record(actor, "update", "case", case_a.pk, survivor_ref=survivor_a.reference)
        audit.record_read(actor, [7], record_type="timeline_event",
                          survivor_ref=survivor_a.reference)
    assert [(e.action, e.record_type) for e in _entries_since(start)] == [
        ("read", "case"), ("update", "case"), ("read", "timeline_event")]
    assert audit.verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_pages_reads_are_sent_in_one_round_trip(survivor_a, caseworker,
                                                                actor_for, monkeypatch):
    """BEGIN, each linked INSERT and COMMIT in one pipeline (they were a round trip each),
    as the same entries, in order, in one transaction, the chain still whole."""
    if connection.vendor != "postgresql":
        pytest.skip("psycopg's pipeline mode: PostgreSQL only")
    actor = actor_for(caseworker)
    connection.ensure_connection()
    raw = connection.connection
    opened = []
    pipeline = raw.pipeline

    def counted():
        opened.append(1)
        return pipeline()

    monkeypatch.setattr(raw, "pipeline", counted)
    start = _last_id()
    with audit.reads_written_together():
        for i in range(5):
            audit.record_read(actor, [i + 1], record_type="timeline_event",
                              survivor_ref=survivor_a.reference)
    assert len(opened) == 1
    written = _entries_since(start)
    assert [e.record_ids for e in written] == [[str(i + 1)] for i in range(5)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT xmin::text FROM core_auditentry WHERE id > %s", [start])
        assert len(cursor.fetchall()) == 1  # one transaction
    assert audit.verify_chain() is None
