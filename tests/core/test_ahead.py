"""Reads sent together before a page asks for them (``core.ahead``, issue 13).

A statement written once (``core.prepared``) asked inside ``reading_ahead`` is noted with
the names of its values; the next block of the same key reads it first, in one round trip
(PostgreSQL), and the block's own call takes that answer only when it is the very SQL with
the very parameters. These hold what makes that safe: a write in the block throws the
answers away (the audit log's own entries apart), a value that is not the one read ahead
is asked for, two names holding one value are never guessed between, and on SQLite
nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.core import ahead, audit
from northstar.core.prepared import Prepared, Rows
from northstar.survivors.models import Case

_REFERENCE = Prepared(lambda case_id: Case.objects.filter(pk=case_id), -7_990_000_001)


def _on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("reading ahead needs PostgreSQL's pipeline (SQLite: nothing changes)")


def _in_pipeline(log: list):
    def watch(execute, sql, params, many, context):
        log.append((sql, connection.connection._pipeline is not None))
        return execute(sql, params, many, context)
    return watch


def _view(case_id: int, **known):
    """One 'page': the case's row, asked inside a block keyed as a test page."""
    with ahead.reading_ahead(("test page",), case=case_id, **known):
        return _REFERENCE.first(case_id)


def test_the_second_block_reads_in_one_pipeline_and_asks_nothing_again(case_a):
    _on_postgresql()
    _view(case_a.pk)  # noted
    log: list = []
    with CaptureQueriesContext(connection) as asked, connection.execute_wrapper(_in_pipeline(log)):
        found = _view(case_a.pk)
    assert found == case_a and found.reference == case_a.reference
    assert len(asked.captured_queries) == 1  # read ahead, then taken: not asked again
    assert [in_pipeline for _sql, in_pipeline in log] == [True]


def test_a_write_in_the_block_throws_the_answers_away(case_a):
    _on_postgresql()
    _view(case_a.pk)
    with ahead.reading_ahead(("test page",), case=case_a.pk):
        Case.objects.filter(pk=case_a.pk).update(reference="CHANGED-IN-THE-BLOCK")
        found = _REFERENCE.first(case_a.pk)
    assert found.reference == "CHANGED-IN-THE-BLOCK"  # not the row read before the write


def test_the_audit_logs_own_entries_keep_the_answers(case_a, caseworker, actor_for):
    _on_postgresql()
    _view(case_a.pk)
    with CaptureQueriesContext(connection) as asked, \
            ahead.reading_ahead(("test page",), case=case_a.pk):
        audit.record_read(actor_for(caseworker), case_a, survivor_ref="S")  # written now
        _REFERENCE.first(case_a.pk)
    reads = [q["sql"] for q in asked.captured_queries
             if q["sql"].startswith('SELECT "survivors_case"')]
    assert len(reads) == 1


def test_another_value_is_asked_never_answered_from_the_read_ahead(case_a, survivor_a,
                                                                    caseworker, actor_for):
    _on_postgresql()
    from northstar.survivors import actions

    other = actions.create_case(actor_for(caseworker), survivor_a,
                                data={"forms_of_exploitation": ["labour"]})
    _view(case_a.pk)
    with ahead.reading_ahead(("test page",), case=case_a.pk):
        found = _REFERENCE.first(other.pk)  # read ahead was case_a's row: not this one
    assert found == other
    with ahead.reading_ahead(("test page",), case=other.pk):
        assert _REFERENCE.first(other.pk) == other


def test_two_names_holding_one_value_are_never_guessed_between(case_a):
    _on_postgresql()
    # Noted when case and user held the same value: either name may be the one.
    _view(case_a.pk, user=case_a.pk)
    with CaptureQueriesContext(connection) as asked:
        _view(case_a.pk, user=case_a.pk + 1000)  # they differ now: nothing read ahead
    assert len(asked.captured_queries) == 1
    # That page told them apart: the next one reads the case's row ahead.
    log: list = []
    with CaptureQueriesContext(connection) as asked, connection.execute_wrapper(_in_pipeline(log)):
        _view(case_a.pk, user=case_a.pk + 2000)
    assert [in_pipeline for _sql, in_pipeline in log] == [True]
    assert len(asked.captured_queries) == 1


def test_an_answer_is_used_once(case_a):
    _on_postgresql()
    _view(case_a.pk)
    with CaptureQueriesContext(connection) as asked, \
            ahead.reading_ahead(("test page",), case=case_a.pk):
        first = _REFERENCE.first(case_a.pk)
        Case.objects.filter(pk=case_a.pk).update(reference="LATER")
        second = _REFERENCE.first(case_a.pk)
    assert first.reference == case_a.reference and second.reference == "LATER"
    assert len([q for q in asked.captured_queries if q["sql"].startswith("SELECT")]) == 2


def test_on_sqlite_nothing_is_read_ahead(case_a):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's behaviour")
    _view(case_a.pk)
    with CaptureQueriesContext(connection) as asked:
        assert _view(case_a.pk) == case_a
    assert len(asked.captured_queries) == 1
    assert ahead._current.get() is None


# --- A page's clock: dates and times worked out from "today" and "now" --------------------

_UNTIL = Rows(lambda case_id, until: Case.objects.filter(
    pk=case_id, created_at__date__lte=until).values("reference"), -7_990_000_002,
    dt.date(1901, 1, 1))
_BEFORE = Rows(lambda case_id, when: Case.objects.filter(
    pk=case_id, created_at__lte=when).values("reference"), -7_990_000_003,
    dt.datetime(1901, 1, 1, tzinfo=dt.UTC))


def _clock_page(rows: Rows, case_id: int, value, **known) -> tuple[list, list]:
    """One 'page' asking ``rows`` for ``value``: its rows and (statement, in a pipeline)."""
    log: list = []
    with connection.execute_wrapper(_in_pipeline(log)), \
            ahead.reading_ahead(("clock page",), case=case_id, **known):
        found = rows.rows(case_id, value)
    return found, log


def test_a_day_a_fortnight_from_today_is_read_ahead_from_the_next_pages_today(case_a):
    _on_postgresql()
    today = timezone.localdate()
    _clock_page(_UNTIL, case_a.pk, today + dt.timedelta(days=14), today=today)  # noted
    tomorrow = today + dt.timedelta(days=1)
    found, log = _clock_page(_UNTIL, case_a.pk, tomorrow + dt.timedelta(days=14),
                             today=tomorrow)
    assert found == [{"reference": case_a.reference}]
    assert [in_pipeline for _sql, in_pipeline in log] == [True]  # its own fortnight, ahead
    # A page asking another day than the one read ahead is answered by its own read.
    found, log = _clock_page(_UNTIL, case_a.pk, today - dt.timedelta(days=400), today=today)
    assert found == [] and [in_pipeline for _sql, in_pipeline in log] == [True, False]


def test_a_time_whole_hours_from_now_is_read_ahead_and_any_other_time_is_not(case_a):
    _on_postgresql()
    now = timezone.now()
    _clock_page(_BEFORE, case_a.pk, now - dt.timedelta(hours=72), now=now)  # noted
    later = now + dt.timedelta(seconds=7)
    found, log = _clock_page(_BEFORE, case_a.pk, later - dt.timedelta(hours=72), now=later)
    assert [in_pipeline for _sql, in_pipeline in log] == [True]
    # A time of its own (a row's, not "now" moved by whole hours) is never guessed.
    _clock_page(_BEFORE, case_a.pk, now - dt.timedelta(hours=72, microseconds=5), now=now)
    found, log = _clock_page(_BEFORE, case_a.pk, later, now=later)
    assert found == [{"reference": case_a.reference}]
    assert [in_pipeline for _sql, in_pipeline in log] == [False]


def test_now_is_the_blocks_now_inside_and_the_clock_outside():
    before = timezone.now()
    assert before <= ahead.now() <= timezone.now()
    page_now = before - dt.timedelta(minutes=5)
    with ahead.reading_ahead(("clock page",), now=page_now):
        inside = ahead.now()
    # On PostgreSQL the page's reads compare with the block's "now"; SQLite reads nothing
    # ahead and keeps the clock.
    if connection.vendor == "postgresql":
        assert inside == page_now
    else:
        assert inside >= before
    assert ahead.now() > page_now
