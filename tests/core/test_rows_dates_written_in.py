"""A ``core.prepared.Rows`` statement carries its date values as literals on PostgreSQL
(issue 13, h-plans).

Prepared on a kept connection, a statement's generic plan is made without its parameters'
values: for the caseload's coming hearings and shelter stays (``window_on`` between today
and a fortnight on) that plan read every event of the organisation and sorted them
(0.5 -> 100 ms at 100,000 survivors). Dates change once a day, so they are written into
the SQL; the organisation stays a parameter, and date-times ("now") too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from northstar.justice import actions as justice_actions
from northstar.justice import selectors

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="prepared statements are PostgreSQL's")


def _prepared(table_hint: str) -> list[tuple[str, list[str]]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text[] FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", [f"%{table_hint}%"])
        return cursor.fetchall()


@on_postgres
def test_the_caseload_task_rows_carry_today_and_their_windows_as_literals(
        caseworker, actor_for, case_a):
    me = actor_for(caseworker)
    today = timezone.localdate()
    justice_actions.record_event(me, case_a, kind="hearing",
                                 occurred_on=today + dt.timedelta(days=3),
                                 details={"testimony": "in_person"})
    expected = selectors.open_task_rows(selectors.policy.visible_cases(me), today=today,
                                        upto=selectors.TASK_LIMIT)
    sent = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        for _ in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 2):
            assert selectors.task_rows_for(me, today=today) == expected
    assert any(row["kind"] == "hearing" for row in expected)
    # Since h-generic these statements are planned for the organisation on every run
    # (``Rows(each_run=True)``), never prepared; their dates are literals all the same.
    coming = [(sql, params) for sql, params in sent if '"window_on" >=' in sql]
    assert coming, "the coming tasks' statement was not sent"
    for sql, params in coming:
        assert f"'{today.isoformat()}'::date" in sql, sql
        assert not any(isinstance(p, dt.date) for p in params), params  # the organisation alone
    assert _prepared('"window_on" >=') == []
